"""Reference checks for IMS Content Packaging manifests, shared by SCORM 1.2 and SCORM 2004.

XSD validation cannot see these (libxml2 does not resolve IDREFs, ``identifierref`` is a plain
string), yet they are what LMS importers trip over: dangling references, missing or unlisted files,
schema files missing from the zip root.
"""

from __future__ import annotations

from lxml import etree

from ..errors import Problem
from .common import NCNAME, Package, href_problems

MANIFEST = "imsmanifest.xml"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def reference_problems(package: Package, root: etree._Element, cp: str, scorm_type: str) -> list[Problem]:
    """Identifiers, organization and resource references, files, and schema files at the root.

    ``cp`` is the content-packaging namespace, ``scorm_type`` the qualified name of the attribute that
    marks SCOs (``adlcp:scormtype`` in 1.2, ``adlcp:scormType`` in 2004).
    """
    ns = {"cp": cp}

    def problem(rule: str, message: str, element: etree._Element | None = None) -> Problem:
        return package.problem(rule, message, element.sourceline if element is not None else None, MANIFEST)

    problems: list[Problem] = []
    seen: dict[str, etree._Element] = {}
    for element in root.iter(f"{{{cp}}}*"):
        identifier = element.get("identifier")
        if identifier is None:
            continue
        if not NCNAME.match(identifier):
            problems.append(
                problem("cp-identifier", f"identifier {identifier!r} is not a valid XML name (NCName)", element)
            )
        if identifier in seen:
            problems.append(problem("cp-identifier-duplicate", f"identifier {identifier!r} is used twice", element))
        seen[identifier] = element

    organizations = root.find("cp:organizations", ns)
    organization_ids = {org.get("identifier") for org in root.findall("cp:organizations/cp:organization", ns)}
    default = organizations.get("default") if organizations is not None else None
    if default is None or default not in organization_ids:
        problems.append(
            problem(
                "cp-default-organization", f"organizations default {default!r} names no organization", organizations
            )
        )

    resources = {res.get("identifier"): res for res in root.findall("cp:resources/cp:resource", ns)}
    for item in root.iter(f"{{{cp}}}item"):
        ref = item.get("identifierref")
        if ref is not None and ref not in resources:
            problems.append(
                problem(
                    "cp-missing-resource", f"item {item.get('identifier')!r} refers to missing resource {ref!r}", item
                )
            )

    listed: set[str] = set()
    for resource in resources.values():
        kind = resource.get(scorm_type)
        if kind is None:
            problems.append(
                problem(
                    "cp-no-scormtype",
                    f"resource {resource.get('identifier')!r} has no {_prefixed(scorm_type)} "
                    "(LMSs then treat it as an untracked asset)",
                    resource,
                )
            )
        base = resource.get("{http://www.w3.org/XML/1998/namespace}base", "")
        href = resource.get("href")
        if kind == "sco" and not href:
            problems.append(
                problem(
                    "cp-sco-without-href",
                    f"SCO resource {resource.get('identifier')!r} has no href to launch",
                    resource,
                )
            )
        if href:
            problems += href_problems(package, base + href.split("?")[0].split("#")[0], MANIFEST, resource.sourceline)
        for file in resource.findall("cp:file", ns):
            file_href = base + file.get("href", "")
            listed.add(file_href)
            problems += href_problems(package, file_href, MANIFEST, file.sourceline)
        for dependency in resource.findall("cp:dependency", ns):
            if dependency.get("identifierref") not in resources:
                problems.append(
                    problem(
                        "cp-missing-dependency",
                        f"dependency refers to missing resource {dependency.get('identifierref')!r}",
                        dependency,
                    )
                )
    first = next(iter(resources.values()), None)
    if (
        first is not None
        and first.get(scorm_type) != "sco"
        and any(res.get(scorm_type) == "sco" for res in resources.values())
    ):
        problems.append(
            problem(
                "cp-first-resource-not-sco",
                "the first resource must be the SCO: some LMSs (Open edX) launch the first one",
                first,
            )
        )

    hints = (root.get(f"{{{XSI}}}schemaLocation") or "").split()
    for location in hints[1::2]:
        if "://" not in location and location not in package.names:
            problems.append(
                problem(
                    "cp-schema-file-missing",
                    f"{location} is referenced by xsi:schemaLocation but not at the zip root",
                    root,
                )
            )
    for name in sorted(package.names):
        if name == MANIFEST or name in listed or _is_schema_file(name):
            continue
        problems.append(
            package.problem("cp-unlisted-file", f"{name} is in the zip but not listed in any resource", file=MANIFEST)
        )
    return problems


def _is_schema_file(name: str) -> bool:
    """XSDs and DTDs sit at the root (or in the 2004 schema folders) and are not resource files."""
    return name.endswith((".xsd", ".dtd")) and (
        "/" not in name or name.split("/", 1)[0] in {"common", "extend", "unique", "vocab"}
    )


def _prefixed(qualified: str) -> str:
    return "adlcp:" + qualified.rsplit("}", 1)[-1]


def sco_units(root: etree._Element, cp: str, scorm_type: str) -> list[tuple[str, str, str]]:
    """(title, resource id, launch href) of every SCO, titled by the items that launch it (as an LMS
    shows them), in organization order; a SCO no item names keeps its resource id as its title."""
    ns = {"cp": cp}
    resources = {res.get("identifier"): res for res in root.findall("cp:resources/cp:resource", ns)}
    scos = {identifier: res for identifier, res in resources.items() if res.get(scorm_type) == "sco"}
    units: list[tuple[str, str, str]] = []
    named: set[str] = set()
    for item in root.iter(f"{{{cp}}}item"):
        ref = item.get("identifierref")
        if ref in scos:
            title = (item.findtext("cp:title", default="", namespaces=ns) or "").strip() or ref
            units.append((title, ref, scos[ref].get("href", "")))
            named.add(ref)
    units += [
        (identifier, identifier, res.get("href", "")) for identifier, res in scos.items() if identifier not in named
    ]
    return units
