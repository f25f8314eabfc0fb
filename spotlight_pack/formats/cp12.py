"""SCORM 1.2 manifests (IMS Content Packaging 1.1.2): written, validated and described here.

Both SCORM 1.2 formats (plain, and with xAPI statements) use the same manifest; keeping it in one
module is what lets them differ only in their tracking adapter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from lxml import etree

from ..errors import Problem
from ..model import Course
from ..study_time import estimate, iso_duration, parse_duration
from . import imscp
from .base import PackageFormat
from .common import (
    LAUNCH_PAGE,
    Package,
    PackageInfo,
    parse_xml,
    percent,
    schema_files,
    schema_problems,
    spotlight_data,
    xml_bytes,
)

MANIFEST = imscp.MANIFEST
CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
IMSMD = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_NS = "http://www.w3.org/XML/1998/namespace"
SCHEMA_LOCATIONS = {CP: "imscp_rootv1p1p2.xsd", IMSMD: "imsmd_rootv1p2p1.xsd", ADLCP: "adlcp_rootv1p2.xsd"}
NS = {"cp": CP, "adlcp": ADLCP, "imsmd": IMSMD}
LOM_DESCRIPTION_LIMIT = 1000  # SCORM Cloud truncates longer LOM descriptions in 1.2 packages


def schemas() -> dict[str, bytes]:
    """The XSDs a SCORM 1.2 package carries at its root (the validation driver stays out)."""
    return schema_files("scorm12", exclude={"scorm12_all.xsd"})


def manifest(course: Course, lang: str, content_files: Mapping[str, bytes], launch: str) -> bytes:
    """``imsmanifest.xml`` for a single-SCO course: one item, one resource listing every content file."""
    locale = course.locale(lang)
    root = etree.Element(f"{{{CP}}}manifest", nsmap={None: CP, "adlcp": ADLCP, "imsmd": IMSMD, "xsi": XSI})
    root.set("identifier", f"{course.id}-{lang}")
    root.set("version", course.version)
    root.set(f"{{{XSI}}}schemaLocation", " ".join(f"{ns} {loc}" for ns, loc in SCHEMA_LOCATIONS.items()))

    metadata = etree.SubElement(root, f"{{{CP}}}metadata")
    etree.SubElement(metadata, f"{{{CP}}}schema").text = "ADL SCORM"
    etree.SubElement(metadata, f"{{{CP}}}schemaversion").text = "1.2"
    lom = etree.SubElement(metadata, f"{{{IMSMD}}}lom")
    general = etree.SubElement(lom, f"{{{IMSMD}}}general")
    _langstring(etree.SubElement(general, f"{{{IMSMD}}}title"), course.title[lang], locale)
    etree.SubElement(general, f"{{{IMSMD}}}language").text = locale
    _langstring(
        etree.SubElement(general, f"{{{IMSMD}}}description"),
        course.description[lang][:LOM_DESCRIPTION_LIMIT],
        locale,
    )
    lifecycle = etree.SubElement(lom, f"{{{IMSMD}}}lifecycle")
    _langstring(etree.SubElement(lifecycle, f"{{{IMSMD}}}version"), course.version, "x-none")
    # The estimated study time (spotlight_pack/study_time.py), where LOM keeps it.
    educational = etree.SubElement(lom, f"{{{IMSMD}}}educational")
    learning_time = etree.SubElement(educational, f"{{{IMSMD}}}typicallearningtime")
    etree.SubElement(learning_time, f"{{{IMSMD}}}datetime").text = iso_duration(estimate(course, lang).minutes)

    organizations = etree.SubElement(root, f"{{{CP}}}organizations", default="ORG1")
    organization = etree.SubElement(organizations, f"{{{CP}}}organization", identifier="ORG1")
    etree.SubElement(organization, f"{{{CP}}}title").text = course.title[lang]
    item = etree.SubElement(organization, f"{{{CP}}}item", identifier="ITEM1", identifierref="RES1", isvisible="true")
    etree.SubElement(item, f"{{{CP}}}title").text = course.title[lang]
    if course.assessment is not None:
        etree.SubElement(item, f"{{{ADLCP}}}masteryscore").text = str(course.mastery_score)

    resources = etree.SubElement(root, f"{{{CP}}}resources")
    resource = etree.SubElement(resources, f"{{{CP}}}resource", identifier="RES1", type="webcontent", href=launch)
    resource.set(f"{{{ADLCP}}}scormtype", "sco")
    for name in sorted(content_files, key=lambda name: (name != launch, name)):
        etree.SubElement(resource, f"{{{CP}}}file", href=name)
    return xml_bytes(root)


def _langstring(parent: etree._Element, text: str, lang: str) -> None:
    element = etree.SubElement(parent, f"{{{IMSMD}}}langstring")
    element.set(f"{{{XML_NS}}}lang", lang)
    element.text = text


def is_scorm12(package: Package) -> bool:
    """A manifest in the IMS CP 1.1.2 namespace or declaring schemaversion 1.2 (as Moodle decides)."""
    data = package.content(MANIFEST)
    if data is None:
        return False
    return CP.encode() in data or re.search(rb"<(\w+:)?schemaversion>\s*1\.2\s*<", data) is not None


def validate(package: Package) -> list[Problem]:
    root, problems = parse_xml(package, MANIFEST)
    if root is None:
        return problems
    problems += schema_problems(package, MANIFEST, root, "scorm12/scorm12_all.xsd")
    problems += _rule_problems(package, root)
    return problems


def _rule_problems(package: Package, root: etree._Element) -> list[Problem]:
    problems: list[Problem] = []
    version = root.find("cp:metadata/cp:schemaversion", NS)
    if version is None or version.text != "1.2":
        found = "missing" if version is None else repr(version.text)
        problems.append(
            package.problem(
                "scorm12-schemaversion",
                f"schemaversion must be exactly '1.2' (found {found}); LMSs read it literally",
                version.sourceline if version is not None else None,
                MANIFEST,
            )
        )
    for mastery in root.iter(f"{{{ADLCP}}}masteryscore"):
        if not _is_score(mastery.text):
            problems.append(
                package.problem(
                    "scorm12-masteryscore",
                    f"masteryscore {mastery.text!r} must be a number from 0 to 100",
                    mastery.sourceline,
                    MANIFEST,
                )
            )
    for description in root.iterfind("cp:metadata/imsmd:lom/imsmd:general/imsmd:description/imsmd:langstring", NS):
        if len(description.text or "") > LOM_DESCRIPTION_LIMIT:
            problems.append(
                package.problem(
                    "scorm12-long-description",
                    f"LOM description of {len(description.text or ''):,} characters; SCORM Cloud truncates it "
                    f"to {LOM_DESCRIPTION_LIMIT:,}",
                    description.sourceline,
                    MANIFEST,
                )
            )
    return problems + imscp.reference_problems(package, root, CP, f"{{{ADLCP}}}scormtype")


def _is_score(text: str | None) -> bool:
    try:
        return 0 <= float(text or "") <= 100
    except ValueError:
        return False


def inspect(package: Package, format_name: str) -> PackageInfo:
    root, _ = parse_xml(package, MANIFEST)
    assert root is not None  # inspect runs on packages whose manifest parses
    title = root.findtext("cp:organizations/cp:organization/cp:title", default="", namespaces=NS)
    lom_title = root.findtext("cp:metadata/imsmd:lom/imsmd:general/imsmd:title/imsmd:langstring", namespaces=NS)
    units = imscp.sco_units(root, CP, f"{{{ADLCP}}}scormtype")
    data = spotlight_data(package) or {}
    version = (
        root.findtext("cp:metadata/imsmd:lom/imsmd:lifecycle/imsmd:version/imsmd:langstring", namespaces=NS)
        or root.get("version")
        or data.get("version")
    )
    return PackageInfo(
        format=format_name,
        title=(lom_title or title).strip(),
        identifier=root.get("identifier", ""),
        version=str(version).strip() if version else None,
        languages=[lang.text or "" for lang in root.findall("cp:metadata/imsmd:lom/imsmd:general/imsmd:language", NS)],
        launch=[href for _, _, href in units],
        units=[unit_title for unit_title, _, _ in units],
        unit_ids=[identifier for _, identifier, _ in units],
        mastery_score=percent(root.findtext(".//adlcp:masteryscore", namespaces=NS), 100),
        file_count=len(package.names),
        size=package.size,
        study_minutes=parse_duration(
            root.findtext("cp:metadata/imsmd:lom/imsmd:educational/imsmd:typicallearningtime/imsmd:datetime", None, NS)
        ),
    )


class Scorm12Package(PackageFormat):
    """What both SCORM 1.2 formats share: the manifest, its schemas, validation and inspection.

    The formats differ only in their tracking adapter (and the settings it may see)."""

    reads = (MANIFEST, LAUNCH_PAGE)

    def package_files(
        self, course: Course, lang: str, rendered: Mapping[str, bytes], settings: Mapping[str, str]
    ) -> dict[str, bytes]:
        files = dict(rendered)
        files[MANIFEST] = manifest(course, lang, rendered, launch="index.html")
        files.update(schemas())
        return files

    def validate(self, package: Package) -> list[Problem]:
        return validate(package)

    def inspect(self, package: Package) -> PackageInfo:
        return inspect(package, self.name)
