"""Checks on a course's media files before they go into a package.

An image in a package is served from the LMS's own origin. A learner who opens an SVG image on its
own (a long press on a phone, "open image in new tab") runs any script in it with the LMS's cookies,
so an SVG with active content is stored cross-site scripting in every LMS the package reaches.
Sanitising would silently change what a designer drew; refusing with file:line tells them exactly
what to remove (usually: export again as "plain SVG"). What is refused:

- ``<script>``, ``<foreignObject>``, ``<iframe>``, ``<embed>``, ``<object>``, ``<handler>``,
  ``<listener>``, and any element in the XHTML namespace;
- event-handler attributes (``onload``, ``onclick``, … any ``on*``);
- ``href``/``xlink:href`` (on ``<a>``, ``<use>``, ``<image>``, ``<feImage>``, …) to anything but a
  fragment of the same file (``#id``) or an embedded PNG, JPEG, GIF or WebP image (``data:image/…``);
- ``javascript:`` anywhere, and animations (``<set>``, ``<animate>``…) of ``href`` or ``on*``;
- CSS (``<style>`` and ``style="…"``, and presentation attributes) with ``url()`` to anything but
  ``#id``, ``@import``, ``expression()``, bindings, or backslash escapes that could hide any of these;
- processing instructions such as ``<?xml-stylesheet href="…"?>``;
- a DOCTYPE with an internal subset (entity declarations); a plain ``<!DOCTYPE svg PUBLIC …>`` is
  allowed and never fetched.

Raster images must be what their extension says (PNG, JPEG, GIF, WebP signatures), so that a
``.png`` is never an HTML or SVG file in disguise. The same holds for video and audio (MP4/M4A
``ftyp`` box, WebM EBML header with doctype ``webm``, Ogg, MP3) and for documents offered for download
(PDF, the Office Open XML and OpenDocument zips, CSV as UTF-8 text): a browser that sniffs an HTML
file named ``.pdf`` would run it from the LMS's origin. Office files with macros (a ``vbaProject.bin``
part, which only ``.docm``/``.xlsm``/``.pptm`` may carry) are refused.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePosixPath

from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
XHTML_NS = "http://www.w3.org/1999/xhtml"
FORBIDDEN_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}
ANIMATIONS = {"set", "animate", "animatecolor", "animatemotion", "animatetransform"}
SAFE_HREF = re.compile(r"^(#[^\s]*|data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*)$", re.IGNORECASE)
CSS_URL = re.compile(r"url\s*\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
CSS_FORBIDDEN = re.compile(r"@import|expression\s*\(|-moz-binding|behavior\s*:", re.IGNORECASE)
SPACES_AND_CONTROLS = re.compile(r"[\x00-\x20]+")
SIGNATURES = {
    ".png": (lambda data: data.startswith(b"\x89PNG\r\n\x1a\n"), "PNG"),
    ".jpg": (lambda data: data.startswith(b"\xff\xd8\xff"), "JPEG"),
    ".jpeg": (lambda data: data.startswith(b"\xff\xd8\xff"), "JPEG"),
    ".gif": (lambda data: data[:6] in (b"GIF87a", b"GIF89a"), "GIF"),
    ".webp": (lambda data: data[:4] == b"RIFF" and data[8:12] == b"WEBP", "WebP"),
}

MediaProblem = tuple[int | None, str]


def _mp3(data: bytes) -> bool:
    return data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0)


def _webm(data: bytes) -> bool:
    return data[:4] == b"\x1a\x45\xdf\xa3" and b"webm" in data[:64]


MEDIA_SIGNATURES = {
    ".mp4": (lambda data: data[4:8] == b"ftyp", "MP4 video"),
    ".m4a": (lambda data: data[4:8] == b"ftyp", "MPEG-4 audio"),
    ".webm": (_webm, "WebM video"),
    ".ogg": (lambda data: data[:4] == b"OggS", "Ogg audio"),
    ".mp3": (_mp3, "MP3 audio"),
    ".pdf": (lambda data: data[:5] == b"%PDF-", "PDF document"),
}
OFFICE_MAIN_PART = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
ODT_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.text"


def media_problems(name: str, data: bytes) -> list[MediaProblem]:
    """Problems of one media file, each with the line in that file when it has lines."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".svg":
        return svg_problems(data)
    if suffix in SIGNATURES:
        matches, kind = SIGNATURES[suffix]
        if not matches(data):
            return [(None, f"is not a {kind} image, whatever its extension says")]
    if suffix in MEDIA_SIGNATURES:
        matches, kind = MEDIA_SIGNATURES[suffix]
        if not matches(data):
            return [(None, f"is not a {kind}, whatever its extension says")]
    if suffix in OFFICE_MAIN_PART or suffix == ".odt":
        return _office_problems(suffix, data)
    if suffix == ".csv":
        return _csv_problems(data)
    return []


def _office_problems(suffix: str, data: bytes) -> list[MediaProblem]:
    """An Office Open XML or OpenDocument file is a zip: only its list of names is read (no entry
    is decompressed), to check it is the kind of document its name says and carries no macros."""
    kind = "OpenDocument text" if suffix == ".odt" else f"Office {suffix[1:].upper()} document"
    if data[:4] != b"PK\x03\x04":
        return [(None, f"is not an {kind}, whatever its extension says")]
    if suffix == ".odt" and data[30 : 30 + len(ODT_MIMETYPE)] != ODT_MIMETYPE:
        return [(None, f"is not an {kind}: its first entry must be the mimetype of a text document")]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return [(None, f"is not a readable {kind} (a damaged zip)")]
    if suffix in OFFICE_MAIN_PART and (
        "[Content_Types].xml" not in names or not any(name.startswith(OFFICE_MAIN_PART[suffix]) for name in names)
    ):
        return [(None, f"is not an {kind}, whatever its extension says")]
    if any(name.lower().endswith("vbaproject.bin") or name.lower().startswith("basic/") for name in names):
        return [(None, "contains macros: save it without them (learners' computers warn or refuse to open it)")]
    return []


def _csv_problems(data: bytes) -> list[MediaProblem]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return [(None, f"is not UTF-8 text ({error.reason} at byte {error.start}): save the CSV as UTF-8")]
    if "\x00" in text:
        return [(text.count("\n", 0, text.index("\x00")) + 1, "contains a NUL character: not a text file")]
    return []


def svg_problems(data: bytes) -> list[MediaProblem]:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        return [(error.lineno, f"not well-formed SVG: {error.msg}")]
    except (etree.LxmlError, ValueError) as error:
        return [(None, f"not well-formed SVG: {error}")]
    tree = root.getroottree()
    problems: list[MediaProblem] = []
    dtd = tree.docinfo.internalDTD
    if dtd is not None and (any(True for _ in dtd.iterentities()) or _has_internal_subset(data)):
        problems.append((1, "DOCTYPE with declarations (entities): remove it (export as plain SVG)"))
    if etree.QName(root).namespace != SVG_NS or etree.QName(root).localname != "svg":
        problems.append(
            (root.sourceline, f'the root element must be <svg xmlns="{SVG_NS}">; browsers show nothing else')
        )
    siblings = [*root.itersiblings(preceding=True), *root.itersiblings()]
    for node in [*siblings, *root.iter()]:
        if isinstance(node, etree._ProcessingInstruction):
            problems.append((node.sourceline, f"processing instruction <?{node.target} …?> is not allowed: remove it"))
        elif isinstance(node, etree._Element) and not isinstance(node, etree._Comment | etree._Entity):
            problems += _element_problems(node)
    return problems


def _has_internal_subset(data: bytes) -> bool:
    doctype = re.search(rb"<!DOCTYPE[^>\[]*\[", data, re.IGNORECASE)
    return doctype is not None


def _element_problems(element: etree._Element) -> list[MediaProblem]:
    line = element.sourceline
    qname = etree.QName(element)
    local = qname.localname.lower()
    problems: list[MediaProblem] = []
    if local in FORBIDDEN_ELEMENTS or qname.namespace == XHTML_NS:
        problems.append((line, f"<{qname.localname}> is active content and not allowed in course images: remove it"))
    for attribute, value in element.attrib.items():
        name = etree.QName(attribute).localname
        lowered = name.lower()
        compact = SPACES_AND_CONTROLS.sub("", value).lower()
        if lowered.startswith("on"):
            problems.append((line, f"event handler {name}=… on <{qname.localname}> is not allowed: remove it"))
        elif lowered == "href" and not SAFE_HREF.match(value.strip()):
            problems.append(
                (
                    line,
                    f"<{qname.localname}> links to {_short(value)}: only #ids and embedded PNG, JPEG, GIF or "
                    "WebP images are allowed (an image must not load or link anything)",
                )
            )
        elif "javascript:" in compact or "vbscript:" in compact:
            problems.append((line, f"{name}=… contains a script URL: remove it"))
        elif lowered == "style" or "url(" in compact:
            problems += [(line, message) for message in css_problems(value)]
        if (
            local in ANIMATIONS
            and lowered == "attributename"
            and (value.strip().lower().endswith("href") or value.strip().lower().startswith("on"))
        ):
            problems.append((line, f"<{qname.localname}> animates {value.strip()}: not allowed"))
    if local == "style":
        problems += [(line, message) for message in css_problems(element.text or "")]
    return problems


def css_problems(css: str) -> list[str]:
    """CSS may only refer to its own file's ids."""
    problems = []
    if "\\" in css:
        problems.append("CSS escapes (\\) are not allowed in course images: write the text plainly")
    if CSS_FORBIDDEN.search(css):
        problems.append("CSS @import, expression() and bindings are not allowed: remove them")
    for match in CSS_URL.finditer(css):
        target = match.group(2).strip()
        if not target.startswith("#"):
            problems.append(f"CSS url({_short(target)}) loads something outside the image: only url(#id) is allowed")
    if "javascript:" in SPACES_AND_CONTROLS.sub("", css).lower():
        problems.append("CSS contains a script URL: remove it")
    return problems


def _short(value: str) -> str:
    value = value.strip()
    return repr(value if len(value) <= 60 else value[:57] + "...")
