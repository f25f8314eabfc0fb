"""What video and audio share: the media file, its captions or transcript per language, how it renders.

``media/NAME.EXT`` is played with the browser's own controls (keyboard and screen-reader accessible,
no autoplay, ever). Its texts sit beside it, one per language:

- ``media/NAME.LANG.vtt``: WebVTT captions, shown on a video and read into the transcript;
- ``media/NAME.LANG.txt``: a plain-text transcript (paragraphs separated by blank lines), which wins
  over the captions for the transcript when both exist (it can describe what is seen, too).

A video needs captions in every language; an audio needs captions or a transcript in every
language. The transcript is on the page, behind a "Show transcript" button (expanded when printed or
without JavaScript). Captions and transcripts go only into the packages of their language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..model import Block
from . import webvtt
from .base import Directive, PageContext, markup
from .strings import block_strings

MIME_TYPES = {
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".ogg": "audio/ogg",
}
LANGUAGE_NAMES = {"es": "Español", "en": "English"}


@dataclass(frozen=True)
class Media(Block):
    src: str
    mime: str
    title_html: str
    title: str
    iri: str
    html_id: str
    poster: str | None
    captions: str | None
    transcript: tuple[tuple[str, str], ...]
    """(start as m:ss, or "" for untimed paragraphs; text)."""


def media_id(stem: str) -> str:
    """An id from a file name: ``Primer_Contacto-v2`` → ``primer-contacto-v2``."""
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")


class MediaKind:
    """A video or audio kind; ``video.py`` and ``audio.py`` each register one."""

    scripts = ("blocks/media.js",)
    styles = ("blocks/media.css",)
    parents: frozenset[str] = frozenset()
    stateful = False

    def __init__(self, name: str, suffixes: tuple[str, ...], activity_type: str, captions_required: bool) -> None:
        self.name = name
        self.suffixes = suffixes
        self.activity_type = activity_type
        self.captions_required = captions_required

    def read(self, ctx: PageContext, directive: Directive) -> Block | None:
        words, options, bad = directive.split()
        line = directive.line
        what = self.name
        for word in bad:
            ctx.problem(line, f"'{word}' is not an option of ::: {what} (write name=value without spaces)")
        if len(words) != 1:
            ctx.problem(line, f"write '::: {what} media/NAME{self.suffixes[0]}' (one file, then options such as id=…)")
            return None
        src = words[0]
        suffix = PurePosixPath(src).suffix.lower()
        if suffix not in self.suffixes:
            ctx.problem(line, f"{what} {src} must be {' or '.join(s[1:] for s in self.suffixes)} (browsers play these)")
            return None
        known = {"id", "poster"} if self.name == "video" else {"id"}
        for option in sorted(set(options) - known):
            ctx.problem(line, f"unknown option '{option}' for ::: {what} (options: {', '.join(sorted(known))})")
        if not ctx.use_media(src, line, "av", what):
            return None
        block_id = options.get("id") or media_id(PurePosixPath(src).stem)
        if not re.match(r"^[a-z][a-z0-9-]*$", block_id):
            ctx.problem(
                line, f"the {what} needs an id (lowercase letters, digits, hyphens): add id=… ('{block_id}' is not one)"
            )
            return None
        poster = options.get("poster")
        if poster is not None:
            if PurePosixPath(poster).suffix.lower() not in {".png", ".jpg", ".jpeg", ".webp", ".gif"}:
                ctx.problem(line, f"poster {poster} must be a png, jpg, webp or gif image")
                poster = None
            elif not ctx.use_media(poster, line, "media", "poster"):
                poster = None
        if not directive.body_text:
            ctx.problem(
                line,
                f"the {what} needs a title: write it on the lines between '::: {what} …' and ':::' "
                "(it names the media for screen readers and in the tracking)",
            )
            return None
        stem = src[: -len(suffix)]
        captions_src = f"{stem}.{ctx.lang}.vtt"
        text_src = f"{stem}.{ctx.lang}.txt"
        cues: list[webvtt.Cue] = []
        captions = None
        if ctx.exists(captions_src):
            text = ctx.read_text(captions_src, line, "captions")
            if text is not None:
                cues, problems = webvtt.parse(text)
                for problem in problems:
                    ctx.report(ctx.course_dir / captions_src, problem.line, f"WebVTT: {problem.message}")
                captions = captions_src if not problems else None
        transcript: list[tuple[str, str]] = []
        if ctx.exists(text_src):
            text = ctx.read_text(text_src, line, "transcript")
            if text is not None:
                transcript = [("", " ".join(p.split())) for p in re.split(r"\n\s*\n", text) if p.strip()]
                if not transcript:
                    ctx.report(ctx.course_dir / text_src, 1, "the transcript is empty")
        elif captions:
            transcript = [(webvtt.clock(cue.start), cue.text) for cue in cues]
        if self.captions_required and not ctx.exists(captions_src):
            ctx.problem(
                line,
                f"{what} {src} has no captions in '{ctx.lang}': add {captions_src} (WebVTT), one file per language",
            )
        elif not ctx.exists(captions_src) and not ctx.exists(text_src):
            ctx.problem(
                line,
                f"{what} {src} has no transcript in '{ctx.lang}': add {text_src} (plain text) "
                f"or {captions_src} (WebVTT)",
            )
        return Media(
            kind=self.name,
            id=block_id,
            src=src,
            mime=MIME_TYPES[suffix],
            title_html=directive.body_html,
            title=directive.body_text,
            iri=f"{ctx.iri}/{self.name}/{block_id}",
            html_id=ctx.html_id(self.name, str(ctx.number(self.name))),
            poster=poster,
            captions=captions if self.name == "video" else None,
            transcript=tuple(transcript),
        )

    def render(self, ctx: PageContext, block: Block, directive: Directive) -> str:
        assert isinstance(block, Media)
        return ctx.render(
            "media.html.j2",
            media=block,
            title=markup(block.title_html),
            lang=ctx.lang,
            language=LANGUAGE_NAMES.get(ctx.lang, ctx.lang),
            activity_type=self.activity_type,
            s=block_strings(ctx.lang),
        )
