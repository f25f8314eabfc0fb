"""cmi5: a course structure (``cmi5.xml``) with one AU, launched by a cmi5 LMS against its LRS.

The LMS supplies the LRS endpoint, a one-time token URL, the learner and the registration at launch,
so the package carries no credentials and no LRS address.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlsplit

from lxml import etree

from ..errors import Problem
from ..model import CompletionRule, Course
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

CMI5 = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
STRUCTURE = "cmi5.xml"
NS = {"c": CMI5}
RESERVED_LAUNCH_PARAMETERS = {"endpoint", "fetch", "actor", "registration", "activityId"}
MOVE_ON = {
    CompletionRule.PAGES: "Completed",
    CompletionRule.ASSESSMENT: "Passed",
    CompletionRule.PAGES_AND_ASSESSMENT: "CompletedAndPassed",
}


class Cmi5Format(PackageFormat):
    name = "cmi5"
    tracking = "cmi5"
    summary = "cmi5 (cmi5.xml, one AU): xAPI statements to the LMS's LRS, launched with a one-time token"
    reads = (STRUCTURE, LAUNCH_PAGE)

    def package_files(
        self, course: Course, lang: str, rendered: Mapping[str, bytes], settings: Mapping[str, str]
    ) -> dict[str, bytes]:
        files = dict(rendered)
        files[STRUCTURE] = _course_structure(course, lang, launch="index.html")
        return files

    @classmethod
    def detect(cls, package: Package) -> bool:
        return STRUCTURE in package.names

    def validate(self, package: Package) -> list[Problem]:
        root, problems = parse_xml(package, STRUCTURE)
        if root is None:
            return problems
        problems += schema_problems(package, STRUCTURE, root, "cmi5/CourseStructure.xsd")

        def problem(rule: str, message: str, element: etree._Element) -> Problem:
            return package.problem(rule, message, element.sourceline, STRUCTURE)

        seen: dict[str, etree._Element] = {}
        for element in root.iter(f"{{{CMI5}}}course", f"{{{CMI5}}}block", f"{{{CMI5}}}au", f"{{{CMI5}}}objective"):
            identifier = element.get("id", "")
            kind = etree.QName(element).localname
            if not is_absolute_iri(identifier):
                problems.append(problem("cmi5-id", f"{kind} id {identifier!r} must be an absolute IRI", element))
            if identifier in seen:
                problems.append(problem("cmi5-id-duplicate", f"{kind} id {identifier!r} is used twice", element))
            seen[identifier] = element
        aus = root.findall(".//c:au", NS)
        if not aus:
            problems.append(problem("cmi5-no-au", "the course has no AU", root))
        for au in aus:
            url = au.findtext("c:url", default="", namespaces=NS).strip()
            url_element = au.find("c:url", NS)
            where = url_element if url_element is not None else au
            if any(char.isspace() for char in url):
                problems.append(problem("cmi5-url-spaces", f"AU url {url!r} contains spaces (not a valid URL)", where))
            parts = urlsplit(url)
            reserved = sorted({key for key, _ in parse_qsl(parts.query)} & RESERVED_LAUNCH_PARAMETERS)
            if reserved:
                problems.append(
                    problem(
                        "cmi5-url-launch-parameters",
                        f"AU url {url!r} uses cmi5 launch parameters {', '.join(reserved)}; the LMS adds those itself",
                        where,
                    )
                )
            if not parts.scheme:
                problems += href_problems(package, parts.path, STRUCTURE, where.sourceline)
        return problems

    def inspect(self, package: Package) -> PackageInfo:
        """cmi5.xml has no version field: the version is read from the package's own data when we built
        it (the player's course data in index.html), and is "-" for a third-party package."""
        root, _ = parse_xml(package, STRUCTURE)
        assert root is not None
        course = root.find("c:course", NS)
        aus = root.findall(".//c:au", NS)
        title_strings = root.findall("c:course/c:title/c:langstring", NS)
        languages = sorted({string.get("lang", "") for string in title_strings} - {""})
        mastery = next((au.get("masteryScore") for au in aus if au.get("masteryScore")), None)
        version = (spotlight_data(package) or {}).get("version")
        return PackageInfo(
            format=self.name,
            title=(title_strings[0].text or "").strip() if title_strings else "",
            identifier=course.get("id", "") if course is not None else "",
            version=str(version) if version else None,
            languages=languages,
            launch=[au.findtext("c:url", "", NS).strip() for au in aus],
            units=[_title(au) or au.get("id", "") for au in aus],
            unit_ids=[au.get("id", "") for au in aus],
            mastery_score=percent(mastery, 1),
            file_count=len(package.names),
            size=package.size,
            extra={"moveOn": ", ".join(au.get("moveOn", "NotApplicable") for au in aus)},
        )


def _title(element: etree._Element) -> str:
    return (element.findtext("c:title/c:langstring", "", NS) or "").strip()


def _course_structure(course: Course, lang: str, launch: str) -> bytes:
    """``cmi5.xml``. Ids are per language: the es and en packages are two courses to an LMS."""
    locale = course.locale(lang)
    base = f"{course.iri}/cmi5/{lang}"
    root = etree.Element(f"{{{CMI5}}}courseStructure", nsmap={None: CMI5})
    course_element = etree.SubElement(root, f"{{{CMI5}}}course", id=base)
    _langstrings(etree.SubElement(course_element, f"{{{CMI5}}}title"), course.title[lang], locale)
    _langstrings(etree.SubElement(course_element, f"{{{CMI5}}}description"), course.description[lang], locale)
    has_assessment = course.assessment is not None
    move_on = MOVE_ON[course.completion] if has_assessment else "Completed"
    au = etree.SubElement(root, f"{{{CMI5}}}au", id=f"{base}/au", moveOn=move_on, launchMethod="AnyWindow")
    if has_assessment:
        au.set("masteryScore", f"{course.mastery_score / 100:.2f}")
    _langstrings(etree.SubElement(au, f"{{{CMI5}}}title"), course.title[lang], locale)
    _langstrings(etree.SubElement(au, f"{{{CMI5}}}description"), course.description[lang], locale)
    etree.SubElement(au, f"{{{CMI5}}}url").text = launch
    return xml_bytes(root)


def _langstrings(parent: etree._Element, text: str, locale: str) -> None:
    etree.SubElement(parent, f"{{{CMI5}}}langstring", lang=locale).text = text
