"""Tin Can (``tincan.xml``): one launchable course activity plus its modules and questions.

The LMS passes the LRS endpoint, an Authorization value and the learner in the launch URL (Rustici's
launch document), so the package carries no credentials. The activity list names every activity the
package reports on, so an LMS can show them before any statement arrives.
"""

from __future__ import annotations

from collections.abc import Mapping

from lxml import etree

from ..errors import Problem
from ..model import Course
from ..questions import kind_of
from ..quiz_text import plain
from .base import PackageFormat
from .common import (
    LAUNCH_PAGE,
    Package,
    PackageInfo,
    href_problems,
    is_absolute_iri,
    parse_xml,
    percent,
    schema_problems,
    spotlight_data,
    xml_bytes,
)

TINCAN = "http://projecttincan.com/tincan.xsd"
LAUNCH_FILE = "tincan.xml"
NS = {"t": TINCAN}
ACTIVITY_TYPES = "http://adlnet.gov/expapi/activities/"


class TinCanFormat(PackageFormat):
    name = "tincan"
    tracking = "tincan"
    summary = "Tin Can (tincan.xml): xAPI statements to the LRS the LMS names in the launch URL"
    reads = (LAUNCH_FILE, LAUNCH_PAGE)

    def package_files(
        self, course: Course, lang: str, rendered: Mapping[str, bytes], settings: Mapping[str, str]
    ) -> dict[str, bytes]:
        files = dict(rendered)
        files[LAUNCH_FILE] = _tincan_xml(course, lang, launch="index.html")
        return files

    @classmethod
    def detect(cls, package: Package) -> bool:
        return LAUNCH_FILE in package.names

    def validate(self, package: Package) -> list[Problem]:
        problems = [
            package.problem(
                "tincan-second-manifest", f"{name}: a second tincan.xml; a package has exactly one, at its root"
            )
            for name in sorted(package.names)
            if name.endswith("/tincan.xml")
        ]
        root, parse_problems = parse_xml(package, LAUNCH_FILE)
        if root is None:
            return problems + parse_problems
        problems += schema_problems(package, LAUNCH_FILE, root, "tincan/tincan_unofficial.xsd")
        seen: set[str] = set()
        launchable = []
        for activity in root.findall("t:activities/t:activity", NS):
            identifier = activity.get("id", "")
            if not is_absolute_iri(identifier):
                problems.append(
                    package.problem(
                        "tincan-activity-id",
                        f"activity id {identifier!r} must be an absolute IRI",
                        activity.sourceline,
                        LAUNCH_FILE,
                    )
                )
            if identifier in seen:
                problems.append(
                    package.problem(
                        "tincan-activity-duplicate",
                        f"activity id {identifier!r} is used twice",
                        activity.sourceline,
                        LAUNCH_FILE,
                    )
                )
            seen.add(identifier)
            if activity.find("t:launch", NS) is not None:
                launchable.append(activity)
        if len(launchable) != 1:
            problems.append(
                package.problem(
                    "tincan-launch-count",
                    f"exactly one activity must have <launch> (found {len(launchable)})",
                    root.sourceline,
                    LAUNCH_FILE,
                )
            )
        for activity in launchable:
            for launch in activity.findall("t:launch", NS):
                target = (launch.text or "").strip()
                if "://" not in target:
                    problems += href_problems(package, target.split("?")[0], LAUNCH_FILE, launch.sourceline)
        return problems

    def inspect(self, package: Package) -> PackageInfo:
        """tincan.xml has no version nor mastery score: both are read from the package's own data when
        we built it (the player's course data in index.html), and are "-" for a third-party package."""
        root, _ = parse_xml(package, LAUNCH_FILE)
        assert root is not None
        activities = root.findall("t:activities/t:activity", NS)
        course = next((activity for activity in activities if activity.find("t:launch", NS) is not None), None)
        launches = course.findall("t:launch", NS) if course is not None else []
        data = spotlight_data(package) or {}
        title = (course.findtext("t:name", "", NS) if course is not None else "").strip()
        pages = data.get("pages") if isinstance(data.get("pages"), list) else []
        scored = any(isinstance(page, dict) and page.get("kind") == "assessment" for page in pages)
        mastery = data.get("masteryScore") if scored else None
        return PackageInfo(
            format=self.name,
            title=title,
            identifier=course.get("id", "") if course is not None else "",
            version=str(data["version"]) if data.get("version") else None,
            languages=sorted({launch.get("lang", "") for launch in launches} - {""}),
            launch=[(launch.text or "").strip() for launch in launches],
            units=[title or course.get("id", "")] if course is not None else [],
            unit_ids=[course.get("id", "")] if course is not None else [],
            mastery_score=percent(str(mastery), 100) if isinstance(mastery, int | float) else None,
            file_count=len(package.names),
            size=package.size,
            extra={"Activities": str(len(activities))},
        )


def _tincan_xml(course: Course, lang: str, launch: str) -> bytes:
    locale = course.locale(lang)
    root = etree.Element(f"{{{TINCAN}}}tincan", nsmap={None: TINCAN})
    activities = etree.SubElement(root, f"{{{TINCAN}}}activities")

    def activity(iri: str, kind: str, name: str, description: str | None = None) -> etree._Element:
        element = etree.SubElement(activities, f"{{{TINCAN}}}activity", id=iri, type=ACTIVITY_TYPES + kind)
        etree.SubElement(element, f"{{{TINCAN}}}name", lang=locale).text = name
        if description:
            etree.SubElement(element, f"{{{TINCAN}}}description", lang=locale).text = description
        return element

    course_activity = activity(course.iri, "course", course.title[lang], course.description[lang])
    etree.SubElement(course_activity, f"{{{TINCAN}}}launch", lang=locale).text = launch
    for module in course.modules:
        activity(course.module_iri(module), "module", module.title[lang])
    for quiz in course.quizzes():
        for question in quiz.questions:
            element = activity(course.question_iri(question), "cmi.interaction", plain(question.prompt[lang]))
            etree.SubElement(element, f"{{{TINCAN}}}interactionType").text = kind_of(question).interaction.xapi
    return xml_bytes(root)
