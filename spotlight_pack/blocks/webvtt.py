"""WebVTT captions, read strictly enough that what a browser would silently drop is a file:line error.

Browsers skip a cue with a malformed timing line and show nothing for a file that does not start
with ``WEBVTT``, so a typo in a captions file means a deaf learner misses part of a video without
anyone noticing. The checks follow the W3C WebVTT file syntax (https://www.w3.org/TR/webvtt1/):

- the first line is ``WEBVTT``, alone or followed by a space or tab and a header text;
- blocks are separated by blank lines; ``NOTE``, ``STYLE`` and ``REGION`` blocks are allowed (the
  latter two before the first cue);
- a cue is an optional identifier line (without ``-->``), a timing line
  ``[hh:]mm:ss.ttt --> [hh:]mm:ss.ttt [settings]`` (minutes and seconds 00–59, three digits of
  milliseconds, hours at least two digits when given), and one or more lines of text without ``-->``;
- the end of a cue is after its start, and cues are in order of their start times (the transcript is
  built from them in file order).

Cue text may use WebVTT's tags (``<v Name>``, ``<i>``, ``<b>``, ``<c.class>``, ``<lang>``, ``<ruby>``,
timestamps) and its character references; the transcript shows the text without them, with a voice's
name before what it says.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

TIMESTAMP = re.compile(r"^(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})$")
TIMING = re.compile(r"^(\S+)[ \t]+-->[ \t]+(\S+)(?:[ \t]+(.*))?$")
TAG = re.compile(r"<[^>]*>")
VOICE = re.compile(r"^<v(?:\.[^\s>]*)?[ \t]+([^>]+)>")
MAX_CUES = 10_000


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str
    """Plain text: tags removed, references decoded, a voice as ``Name: text``."""
    line: int


class WebVttError(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def parse_timestamp(value: str) -> float | None:
    match = TIMESTAMP.match(value)
    if not match:
        return None
    hours, minutes, seconds, millis = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _plain(lines: list[str]) -> str:
    parts = []
    for line in lines:
        voice = VOICE.match(line)
        text = html.unescape(TAG.sub("", line)).strip()
        if voice and text:
            text = f"{voice.group(1).strip()}: {text}"
        if text:
            parts.append(text)
    return " ".join(parts)


def parse(text: str) -> tuple[list[Cue], list[WebVttError]]:
    """The cues of a WebVTT file and every problem found (with its line)."""
    problems: list[WebVttError] = []
    lines = text.removeprefix("\ufeff").split("\n")
    if not lines or not re.match(r"^WEBVTT(?:[ \t].*)?$", lines[0]):
        return [], [WebVttError(1, "a WebVTT file starts with the line WEBVTT (browsers show none of it otherwise)")]
    if "-->" in lines[0]:
        problems.append(WebVttError(1, "the WEBVTT header line must not contain -->"))
    blocks: list[tuple[int, list[str]]] = []
    number = 1
    while number < len(lines) and lines[number].strip():  # header lines, up to the first blank line
        number += 1
    current: list[str] = []
    start = 0
    for index in range(number, len(lines)):
        line = lines[index]
        if line.strip():
            if not current:
                start = index + 1
            current.append(line)
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    cues: list[Cue] = []
    for first_line, block in blocks:
        head = block[0]
        if head == "NOTE" or head.startswith(("NOTE ", "NOTE\t")):
            continue
        if head in {"STYLE", "REGION"} or head.startswith(("STYLE ", "REGION ", "STYLE\t", "REGION\t")):
            if cues:
                problems.append(WebVttError(first_line, f"a {head.split()[0]} block must come before the first cue"))
            continue
        timing_at = 0 if "-->" in head else 1
        if timing_at >= len(block) or "-->" not in block[timing_at]:
            problems.append(
                WebVttError(
                    first_line,
                    "expected a cue timing line like 00:01.000 --> 00:04.000 (a blank line may be missing "
                    "between two cues, or a cue lost its timing)",
                )
            )
            continue
        line_number = first_line + timing_at
        match = TIMING.match(block[timing_at].strip())
        start_time = parse_timestamp(match.group(1)) if match else None
        end_time = parse_timestamp(match.group(2)) if match else None
        if start_time is None or end_time is None:
            problems.append(
                WebVttError(
                    line_number,
                    f"bad cue timing {block[timing_at].strip()!r}: write [hh:]mm:ss.ttt --> [hh:]mm:ss.ttt "
                    "(two digits for minutes and seconds, a dot and three digits of milliseconds)",
                )
            )
            continue
        if end_time <= start_time:
            problems.append(WebVttError(line_number, "the cue ends before it starts (or at the same time)"))
            continue
        if cues and start_time < cues[-1].start:
            problems.append(
                WebVttError(
                    line_number, f"cues must be in time order: this one starts before the cue of line {cues[-1].line}"
                )
            )
        payload = block[timing_at + 1 :]
        for offset, text_line in enumerate(payload):
            if "-->" in text_line:
                problems.append(
                    WebVttError(
                        line_number + 1 + offset,
                        "cue text must not contain --> (a blank line is missing before this cue?)",
                    )
                )
        text_only = _plain(payload)
        if not text_only:
            problems.append(WebVttError(line_number, "the cue has no text"))
            continue
        cues.append(Cue(start_time, end_time, text_only, line_number))
        if len(cues) > MAX_CUES:
            problems.append(WebVttError(line_number, f"more than {MAX_CUES:,} cues: split the media"))
            break
    if not cues and not problems:
        problems.append(WebVttError(1, "the file has no cues: captions need at least one"))
    return cues, problems


def clock(seconds: float) -> str:
    """A cue start as the transcript shows it: m:ss or h:mm:ss."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
