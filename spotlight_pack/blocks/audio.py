"""``::: audio media/NAME.mp3`` (or ``.m4a``, ``.ogg``): audio with a transcript in every language (media.py)."""

from .media import MediaKind

AUDIO = MediaKind(
    "audio", (".mp3", ".m4a", ".ogg"), "https://w3id.org/xapi/video/activity-type/audio", captions_required=False
)
