"""Package formats: one module per format, all behind ``PackageFormat`` (see ``base``)."""

from __future__ import annotations

from .base import PackageFormat
from .cmi5 import Cmi5Format
from .scorm12 import Scorm12Format
from .scorm12_xapi import Scorm12XapiFormat
from .scorm2004 import Scorm2004Format
from .tincan import TinCanFormat

FORMATS: dict[str, type[PackageFormat]] = {
    format_class.name: format_class
    for format_class in (Scorm12Format, Scorm2004Format, Cmi5Format, TinCanFormat, Scorm12XapiFormat)
}

# Most specific first: a scorm12-xapi package is also a valid SCORM 1.2 package.
DETECTION_ORDER: tuple[type[PackageFormat], ...] = (
    Scorm12XapiFormat,
    Scorm12Format,
    Scorm2004Format,
    Cmi5Format,
    TinCanFormat,
)


def get_format(name: str) -> PackageFormat:
    """The format called ``name``; raises KeyError for an unknown one."""
    return FORMATS[name]()


__all__ = ["DETECTION_ORDER", "FORMATS", "PackageFormat", "get_format"]
