"""``::: video media/NAME.webm`` (or ``.mp4``): a video with captions in every language (media.py)."""

from .media import MediaKind

VIDEO = MediaKind("video", (".mp4", ".webm"), "https://w3id.org/xapi/video/activity-type/video", captions_required=True)
