"""The one interface every package format implements (like Sphinx's builders).

A format knows three things: how to turn a rendered course into package files (``package_files``),
how to recognise a package of its kind (``detect``), and how to check and describe any such package
(``validate``, ``inspect``). Building runs ``validate`` on its own output before zipping, so a
format can never produce a package its own validator would reject.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import ClassVar

from ..errors import Problem
from ..model import Course
from .common import Package, PackageInfo


class PackageFormat(ABC):
    name: ClassVar[str]
    """Format id used on the command line and in zip names, e.g. ``scorm12``."""
    tracking: ClassVar[str]
    """The in-package tracking adapter this format ships (``spotlight_pack/runtime/adapters``)."""
    summary: ClassVar[str]
    """One line for ``--help``."""
    reads: ClassVar[tuple[str, ...]] = ()
    """Root files whose contents ``detect``/``validate``/``inspect`` need: the zip reader keeps only
    these (capped in size) and streams every other entry just to check it unpacks."""

    @abstractmethod
    def package_files(
        self, course: Course, lang: str, rendered: Mapping[str, bytes], settings: Mapping[str, str]
    ) -> dict[str, bytes]:
        """Every file of the package: the rendered player plus manifest and schemas."""

    @classmethod
    @abstractmethod
    def detect(cls, package: Package) -> bool:
        """Whether ``package`` claims to be of this format (by its manifest, not its zip name)."""

    @abstractmethod
    def validate(self, package: Package) -> list[Problem]:
        """Schema and rule problems of a package of this format; empty when it imports cleanly."""

    @abstractmethod
    def inspect(self, package: Package) -> PackageInfo:
        """A description of a valid package of this format."""

    def skip_by_default(self, settings: Mapping[str, str]) -> str | None:
        """Why a build that names no format leaves this one out with these settings (a one-line
        note saying how to enable it), or None to build it."""
        return None

    def settings_problems(self, settings: Mapping[str, str]) -> list[str]:
        """Problems with build settings this format needs (an LRS endpoint, say); none by default."""
        return []

    def runtime_settings(self, settings: Mapping[str, str]) -> dict[str, str]:
        """The build settings the packaged runtime may see. None by default, so that an LRS
        credential given for one format can never end up inside another format's package."""
        return {}
