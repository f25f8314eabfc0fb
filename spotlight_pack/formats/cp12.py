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
from .common import (
    NCNAME,
    Package,
    PackageInfo,
    href_problems,
    parse_xml,
    schema_files,
    schema_problems,
    xml_bytes,
)

MANIFEST = "imsmanifest.xml"
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
    data = package.files.get(MANIFEST)
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
    def problem(message: str, element: etree._Element | None = None) -> Problem:
        return package.problem(message, element.sourceline if element is not None else None, MANIFEST)

    problems: list[Problem] = []
    version = root.find("cp:metadata/cp:schemaversion", NS)
    if version is None or version.text != "1.2":
        found = "missing" if version is None else repr(version.text)
        problems.append(problem(f"schemaversion must be exactly '1.2' (found {found}); LMSs read it literally", version))
    identifiers: dict[str, etree._Element] = {}
    for element in root.iter(f"{{{CP}}}*"):
        identifier = element.get("identifier")
        if identifier is None:
            continue
        if not NCNAME.match(identifier):
            problems.append(problem(f"identifier {identifier!r} is not a valid XML name (NCName)", element))
        if identifier in identifiers:
            problems.append(problem(f"identifier {identifier!r} is used twice", element))
        identifiers[identifier] = element

    organizations = root.find("cp:organizations", NS)
    organization_ids = {org.get("identifier") for org in root.findall("cp:organizations/cp:organization", NS)}
    default = organizations.get("default") if organizations is not None else None
    if default is None or default not in organization_ids:
        problems.append(problem(f"organizations default {default!r} names no organization", organizations))
    resources = {res.get("identifier"): res for res in root.findall("cp:resources/cp:resource", NS)}
    for item in root.iter(f"{{{CP}}}item"):
        ref = item.get("identifierref")
        if ref is not None and ref not in resources:
            problems.append(problem(f"item {item.get('identifier')!r} refers to missing resource {ref!r}", item))
        mastery = item.find("adlcp:masteryscore", NS)
        if mastery is not None and not _is_score(mastery.text):
            problems.append(problem(f"masteryscore {mastery.text!r} must be a number from 0 to 100", mastery))

    listed: set[str] = set()
    first_resource = next(iter(resources.values()), None)
    for resource in resources.values():
        kind = resource.get(f"{{{ADLCP}}}scormtype")
        if kind is None:
            problems.append(problem("resource has no adlcp:scormtype (LMSs then treat it as an untracked asset)", resource))
        href = resource.get("href")
        if kind == "sco" and not href:
            problems.append(problem(f"SCO resource {resource.get('identifier')!r} has no href to launch", resource))
        if href:
            problems += href_problems(package, href, MANIFEST, resource.sourceline)
        for file in resource.findall("cp:file", NS):
            file_href = file.get("href", "")
            listed.add(file_href)
            problems += href_problems(package, file_href, MANIFEST, file.sourceline)
        for dependency in resource.findall("cp:dependency", NS):
            if dependency.get("identifierref") not in resources:
                problems.append(problem(f"dependency refers to missing resource {dependency.get('identifierref')!r}", dependency))
    if first_resource is not None and first_resource.get(f"{{{ADLCP}}}scormtype") != "sco" and any(
        res.get(f"{{{ADLCP}}}scormtype") == "sco" for res in resources.values()
    ):
        problems.append(problem("the first resource must be the SCO: some LMSs (Open edX) launch the first one", first_resource))

    problems += _schema_location_problems(package, root)
    for name in sorted(package.files):
        if name == MANIFEST or name in listed or ("/" not in name and name.endswith((".xsd", ".dtd"))):
            continue
        problems.append(package.problem(f"{name} is in the zip but not listed in any resource", file=MANIFEST))
    return problems


def _schema_location_problems(package: Package, root: etree._Element) -> list[Problem]:
    hints = (root.get(f"{{{XSI}}}schemaLocation") or "").split()
    problems = []
    for location in hints[1::2]:
        if "/" not in location and location not in package.files:
            problems.append(
                package.problem(f"{location} is referenced by xsi:schemaLocation but not at the zip root", root.sourceline, MANIFEST)
            )
    return problems


def _is_score(text: str | None) -> bool:
    try:
        return 0 <= float(text or "") <= 100
    except ValueError:
        return False


def inspect(package: Package, format_name: str) -> PackageInfo:
    root, _ = parse_xml(package, MANIFEST)
    assert root is not None  # inspect runs on validated packages only
    title = root.findtext("cp:organizations/cp:organization/cp:title", default="", namespaces=NS)
    lom_title = root.findtext("cp:metadata/imsmd:lom/imsmd:general/imsmd:title/imsmd:langstring", namespaces=NS)
    resources = root.findall("cp:resources/cp:resource", NS)
    scos = [res for res in resources if res.get(f"{{{ADLCP}}}scormtype") == "sco"]
    mastery = root.findtext(".//adlcp:masteryscore", namespaces=NS)
    return PackageInfo(
        format=format_name,
        title=(lom_title or title).strip(),
        identifier=root.get("identifier", ""),
        version=root.findtext(
            "cp:metadata/imsmd:lom/imsmd:lifecycle/imsmd:version/imsmd:langstring", namespaces=NS
        ) or root.get("version"),
        languages=[lang.text or "" for lang in root.findall("cp:metadata/imsmd:lom/imsmd:general/imsmd:language", NS)],
        launch=[res.get("href", "") for res in scos],
        units=[res.get("identifier", "") for res in scos],
        mastery_score=mastery,
        file_count=len(package.files),
        size=package.size,
    )
