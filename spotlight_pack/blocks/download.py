"""Documents offered for download: a Markdown link to a file in ``media/``.

``[Formato de canalización](media/formato.pdf)`` becomes a link that downloads the file, followed by
its type and size, "(PDF, 120 KB)", so a learner on a phone knows what they are about to fetch. The
file goes into the package (and so into the SCORM manifest's file list) and is checked like any
media: inside the course folder, under the size limit, and really of its type (media_check.py).
"""

from __future__ import annotations

from pathlib import PurePosixPath

from markdown_it.token import Token

from .base import PageContext, human_size
from .strings import block_strings

DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".csv": "text/csv",
}


def is_download(href: str) -> bool:
    return href.startswith("media/")


def download_link(ctx: PageContext, line: int | None, token: Token) -> str | None:
    """Check a link to ``media/…`` and mark it as a download; the "(TYPE, SIZE)" text to show after
    the link text, or None when the link is reported."""
    href = str(token.attrGet("href") or "")
    suffix = PurePosixPath(href).suffix.lower()
    if suffix not in DOCUMENT_TYPES:
        types = ", ".join(sorted(s[1:] for s in DOCUMENT_TYPES))
        ctx.problem(
            line, f"link to {href}: files offered for download are {types} (videos and audio: ::: video, ::: audio)"
        )
        return None
    if not ctx.use_media(href, line or 0, "media", "download"):
        return None
    size = ctx.size(href) or 0
    token.attrSet("download", "")
    token.attrSet("type", DOCUMENT_TYPES[suffix])
    token.attrSet("class", "download")
    return f"({block_strings(ctx.lang)[suffix[1:]]}, {human_size(size)})"
