"""SCORM 2004 4th Edition: one SCO tracked through ``API_1484_11``, with simple sequencing.

The sequencing is what a single-SCO course needs and nothing more: flow and choice allowed, the SCO
reports completion and success itself, and the primary objective is satisfied by the score against
the mastery score, which the LMS also hands to the SCO as ``cmi.scaled_passing_score``.
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

CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP = "http://www.adlnet.org/xsd/adlcp_v1p3"
ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
ADLNAV = "http://www.adlnet.org/xsd/adlnav_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"
LOM = "http://ltsc.ieee.org/xsd/LOM"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATIONS = {
    CP: "imscp_v1p1.xsd",
    ADLCP: "adlcp_v1p3.xsd",
    ADLSEQ: "adlseq_v1p3.xsd",
    ADLNAV: "adlnav_v1p3.xsd",
    IMSSS: "imsss_v1p0.xsd",
    LOM: "lom.xsd",
}
NS = {"cp": CP, "adlcp": ADLCP, "imsss": IMSSS, "lom": LOM}
SCHEMA_VERSIONS = {"2004 4th Edition", "2004 3rd Edition", "CAM 1.3", "1.3"}
MANIFEST = imscp.MANIFEST


class Scorm2004Format(PackageFormat):
    name = "scorm2004"
    tracking = "scorm2004"
    summary = "SCORM 2004 4th Edition (imsmanifest.xml, one SCO, simple sequencing)"
    reads = (MANIFEST, LAUNCH_PAGE)

    def package_files(
        self, course: Course, lang: str, rendered: Mapping[str, bytes], settings: Mapping[str, str]
    ) -> dict[str, bytes]:
        files = dict(rendered)
        files[MANIFEST] = _manifest(course, lang, rendered, launch="index.html")
        files.update(schema_files("scorm2004", exclude={"scorm2004_all.xsd"}))
        return files

    @classmethod
    def detect(cls, package: Package) -> bool:
        data = package.content(MANIFEST)
        return (
            data is not None
            and (CP.encode() in data or re.search(rb"<(\w+:)?schemaversion>\s*(2004|CAM 1\.3|1\.3)", data) is not None)
            and b"imscp_rootv1p1p2" not in data
        )

    def validate(self, package: Package) -> list[Problem]:
        root, problems = parse_xml(package, MANIFEST)
        if root is None:
            return problems
        problems += schema_problems(package, MANIFEST, root, "scorm2004/scorm2004_all.xsd")
        version = root.find("cp:metadata/cp:schemaversion", NS)
        if version is None or (version.text or "") not in SCHEMA_VERSIONS:
            found = "missing" if version is None else repr(version.text)
            problems.append(
                package.problem(
                    "scorm2004-schemaversion",
                    f"schemaversion must be '2004 4th Edition' (found {found})",
                    version.sourceline if version is not None else None,
                    MANIFEST,
                )
            )
        for item in root.iter(f"{{{CP}}}item"):
            is_leaf = item.find("cp:item", NS) is None
            if is_leaf and item.get("identifierref") is None:
                problems.append(
                    package.problem(
                        "scorm2004-leaf-item",
                        f"leaf item {item.get('identifier')!r} needs an identifierref",
                        item.sourceline,
                        MANIFEST,
                    )
                )
            if not is_leaf and item.get("identifierref") is not None:
                problems.append(
                    package.problem(
                        "scorm2004-leaf-item",
                        f"item {item.get('identifier')!r} has children, so it must not have an identifierref",
                        item.sourceline,
                        MANIFEST,
                    )
                )
        for resource in root.iter(f"{{{CP}}}resource"):
            if resource.get(f"{{{ADLCP}}}scormtype") is not None:
                problems.append(
                    package.problem(
                        "scorm2004-scormtype-spelling",
                        "adlcp:scormtype is SCORM 1.2 spelling; SCORM 2004 needs adlcp:scormType",
                        resource.sourceline,
                        MANIFEST,
                    )
                )
            base = resource.get("{http://www.w3.org/XML/1998/namespace}base")
            if base is not None and (not base.endswith("/") or base.startswith("/") or "\\" in base):
                problems.append(
                    package.problem(
                        "scorm2004-xml-base",
                        f"xml:base {base!r} must be relative, end with '/' and use forward slashes",
                        resource.sourceline,
                        MANIFEST,
                    )
                )
        return problems + imscp.reference_problems(package, root, CP, f"{{{ADLCP}}}scormType")

    def inspect(self, package: Package) -> PackageInfo:
        root, _ = parse_xml(package, MANIFEST)
        assert root is not None
        units = imscp.sco_units(root, CP, f"{{{ADLCP}}}scormType")
        lom_title = root.findtext("cp:metadata/lom:lom/lom:general/lom:title/lom:string", namespaces=NS)
        measure = root.findtext(".//imsss:primaryObjective/imsss:minNormalizedMeasure", namespaces=NS)
        version = (
            root.findtext("cp:metadata/lom:lom/lom:lifeCycle/lom:version/lom:string", namespaces=NS)
            or root.get("version")
            or (spotlight_data(package) or {}).get("version")
        )
        return PackageInfo(
            format=self.name,
            title=(lom_title or root.findtext("cp:organizations/cp:organization/cp:title", "", NS)).strip(),
            identifier=root.get("identifier", ""),
            version=str(version).strip() if version else None,
            languages=[lang.text or "" for lang in root.findall("cp:metadata/lom:lom/lom:general/lom:language", NS)],
            launch=[href for _, _, href in units],
            units=[title for title, _, _ in units],
            unit_ids=[identifier for _, identifier, _ in units],
            mastery_score=percent(measure, 1),
            file_count=len(package.names),
            size=package.size,
            study_minutes=parse_duration(
                root.findtext("cp:metadata/lom:lom/lom:educational/lom:typicalLearningTime/lom:duration", None, NS)
            ),
            extra={"Schema version": root.findtext("cp:metadata/cp:schemaversion", "", NS)},
        )


def _manifest(course: Course, lang: str, content_files: Mapping[str, bytes], launch: str) -> bytes:
    locale = course.locale(lang)
    nsmap = {None: CP, "adlcp": ADLCP, "adlseq": ADLSEQ, "adlnav": ADLNAV, "imsss": IMSSS, "lom": LOM, "xsi": XSI}
    root = etree.Element(f"{{{CP}}}manifest", nsmap=nsmap)
    root.set("identifier", f"{course.id}-{lang}")
    root.set("version", course.version)
    root.set(f"{{{XSI}}}schemaLocation", " ".join(f"{ns} {loc}" for ns, loc in SCHEMA_LOCATIONS.items()))

    metadata = etree.SubElement(root, f"{{{CP}}}metadata")
    etree.SubElement(metadata, f"{{{CP}}}schema").text = "ADL SCORM"
    etree.SubElement(metadata, f"{{{CP}}}schemaversion").text = "2004 4th Edition"
    lom = etree.SubElement(metadata, f"{{{LOM}}}lom")
    general = etree.SubElement(lom, f"{{{LOM}}}general")
    _lom_string(etree.SubElement(general, f"{{{LOM}}}title"), course.title[lang], locale)
    etree.SubElement(general, f"{{{LOM}}}language").text = locale
    _lom_string(etree.SubElement(general, f"{{{LOM}}}description"), course.description[lang], locale)
    lifecycle = etree.SubElement(lom, f"{{{LOM}}}lifeCycle")
    _lom_string(etree.SubElement(lifecycle, f"{{{LOM}}}version"), course.version, "x-none")
    # The estimated study time (spotlight_pack/study_time.py), where LOM keeps it.
    educational = etree.SubElement(lom, f"{{{LOM}}}educational")
    learning_time = etree.SubElement(educational, f"{{{LOM}}}typicalLearningTime")
    etree.SubElement(learning_time, f"{{{LOM}}}duration").text = iso_duration(estimate(course, lang).minutes)

    organizations = etree.SubElement(root, f"{{{CP}}}organizations", default="ORG1")
    organization = etree.SubElement(organizations, f"{{{CP}}}organization", identifier="ORG1")
    organization.set(f"{{{ADLSEQ}}}objectivesGlobalToSystem", "false")
    etree.SubElement(organization, f"{{{CP}}}title").text = course.title[lang]
    item = etree.SubElement(organization, f"{{{CP}}}item", identifier="ITEM1", identifierref="RES1")
    etree.SubElement(item, f"{{{CP}}}title").text = course.title[lang]
    item_sequencing = etree.SubElement(item, f"{{{IMSSS}}}sequencing")
    if course.assessment is not None:
        objectives = etree.SubElement(item_sequencing, f"{{{IMSSS}}}objectives")
        primary = etree.SubElement(
            objectives, f"{{{IMSSS}}}primaryObjective", objectiveID="PRIMARYOBJ", satisfiedByMeasure="true"
        )
        etree.SubElement(primary, f"{{{IMSSS}}}minNormalizedMeasure").text = f"{course.mastery_score / 100:.2f}"
    etree.SubElement(
        item_sequencing, f"{{{IMSSS}}}deliveryControls", completionSetByContent="true", objectiveSetByContent="true"
    )
    organization_sequencing = etree.SubElement(organization, f"{{{IMSSS}}}sequencing")
    etree.SubElement(organization_sequencing, f"{{{IMSSS}}}controlMode", choice="true", flow="true")

    resources = etree.SubElement(root, f"{{{CP}}}resources")
    resource = etree.SubElement(resources, f"{{{CP}}}resource", identifier="RES1", type="webcontent", href=launch)
    resource.set(f"{{{ADLCP}}}scormType", "sco")
    for name in sorted(content_files, key=lambda name: (name != launch, name)):
        etree.SubElement(resource, f"{{{CP}}}file", href=name)
    return xml_bytes(root)


def _lom_string(parent: etree._Element, text: str, lang: str) -> None:
    element = etree.SubElement(parent, f"{{{LOM}}}string", language=lang)
    element.text = text
