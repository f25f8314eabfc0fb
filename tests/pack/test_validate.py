"""``spotlight-pack validate`` fails broken packages with one clear line per problem."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from spotlight_pack.build import package_bytes
from spotlight_pack.cli import main
from spotlight_pack.sources import load_course

MINI_COURSE = Path(__file__).resolve().parents[1] / "fixtures" / "courses" / "mini"
Files = dict[str, bytes]


@cache
def _files(format_name: str) -> tuple[tuple[str, bytes], ...]:
    data = package_bytes(load_course(MINI_COURSE), format_name, "en")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return tuple((name, archive.read(name)) for name in archive.namelist())


def _write(path: Path, files: Files) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name), data)
    return path


def _edit(name: str, old: str, new: str) -> Callable[[Files], None]:
    def change(files: Files) -> None:
        text = files[name].decode()
        assert old in text, f"{old!r} not in {name}"
        files[name] = text.replace(old, new, 1).encode()

    return change


def _nest(files: Files) -> None:
    for name in list(files):
        files[f"course/{name}"] = files.pop(name)


BROKEN = [
    ("scorm12", _nest, r"course/imsmanifest\.xml is not at the zip root"),
    ("scorm12", _edit("imsmanifest.xml", "<title>", "<bogus/><title>"), r"imsmanifest\.xml:\d+: XSD: .*bogus"),
    (
        "scorm12",
        _edit("imsmanifest.xml", 'identifierref="RES1"', 'identifierref="RES9"'),
        r"imsmanifest\.xml:\d+: item 'ITEM1' refers to missing resource 'RES9'",
    ),
    (
        "scorm12",
        _edit("imsmanifest.xml", 'default="ORG1"', 'default="ORG7"'),
        r"imsmanifest\.xml:\d+: organizations default 'ORG7' names no organization",
    ),
    (
        "scorm12",
        lambda files: files.pop("spotlight/player.css"),
        r"imsmanifest\.xml:\d+: href 'spotlight/player\.css' names a file that is not in the package",
    ),
    ("scorm12", lambda files: files.update({"../evil.html": b"x"}), r"\.\./evil\.html: '\.\.' in path"),
    ("scorm12", lambda files: files.update({"/abs.html": b"x"}), r"/abs\.html: absolute path"),
    ("scorm12", lambda files: files.update({"media\\x.png": b"x"}), r"media\\x\.png: backslash in path"),
    ("scorm12", lambda files: files.update({"__MACOSX/._index.html": b"x"}), r"__MACOSX/\._index\.html: macOS"),
    ("scorm12", lambda files: files.update({"._index.html": b"x"}), r"\._index\.html: macOS metadata"),
    (
        "scorm12",
        _edit("imsmanifest.xml", "<schemaversion>1.2</schemaversion>", "<schemaversion> 1.2 </schemaversion>"),
        r"schemaversion must be exactly '1\.2'",
    ),
    ("scorm12", _edit("imsmanifest.xml", ' adlcp:scormtype="sco"', ""), r"has no adlcp:scormtype"),
    ("scorm12", _edit("imsmanifest.xml", "<title>", "<title>&"), r"imsmanifest\.xml:\d+: not well-formed XML"),
    (
        "scorm2004",
        _edit("imsmanifest.xml", 'adlcp:scormType="sco"', 'adlcp:scormtype="sco"'),
        r"adlcp:scormtype is SCORM 1\.2 spelling",
    ),
    (
        "scorm2004",
        _edit("imsmanifest.xml", 'identifier="ITEM1" identifierref="RES1"', 'identifier="ITEM1"'),
        r"leaf item 'ITEM1' needs an identifierref",
    ),
    (
        "cmi5",
        _edit("cmi5.xml", "<url>index.html</url>", "<url>index.html?actor=x&amp;a=1</url>"),
        r"cmi5\.xml:\d+: AU url .* uses cmi5 launch parameters actor",
    ),
    ("cmi5", _edit("cmi5.xml", "<url>index.html</url>", "<url>start here.html</url>"), r"contains spaces"),
    (
        "cmi5",
        _edit("cmi5.xml", "<url>index.html</url>", "<url>missing.html</url>"),
        r"href 'missing\.html' names a file that is not in the package",
    ),
    (
        "cmi5",
        _edit("cmi5.xml", 'id="https://spotlight-pack.org/xapi/activities/mini/cmi5/en/au"', 'id="au-1"'),
        r"au id 'au-1' must be an absolute IRI",
    ),
    ("cmi5", _edit("cmi5.xml", '/cmi5/en/au"', '/cmi5/en"'), r"au id '.*' is used twice"),
    (
        "tincan",
        _edit("tincan.xml", "<interactionType>", '<launch lang="en">index.html</launch><interactionType>'),
        r"exactly one activity must have <launch> \(found 2\)",
    ),
    (
        "tincan",
        lambda files: files.update({"sub/tincan.xml": files["tincan.xml"]}),
        r"sub/tincan\.xml: a second tincan",
    ),
]


@pytest.mark.parametrize(("format_name", "breaks", "expected"), BROKEN, ids=[case[2][:50] for case in BROKEN])
def test_validate_reports_each_broken_package(
    tmp_path: Path, format_name: str, breaks: Callable[[Files], None], expected: str
) -> None:
    files = dict(_files(format_name))
    breaks(files)
    path = _write(tmp_path / "broken.zip", files)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert any(re.search(expected, line) for line in lines), result.output
    assert all(line.startswith(str(path)) for line in lines), "one line per problem, each naming the zip"
    assert "Traceback" not in result.output


def test_validate_accepts_an_unmodified_copy(tmp_path: Path) -> None:
    path = _write(tmp_path / "copy.zip", dict(_files("scorm12")))
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0 and result.output.strip() == f"{path}: valid scorm12"


def test_validate_rejects_what_is_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "notes.zip"
    path.write_text("hello")
    result = CliRunner().invoke(main, ["validate", str(path), str(tmp_path / "absent.zip")])
    assert result.exit_code == 1
    assert f"{path}: cannot open: not a zip file" in result.output
    assert "absent.zip: cannot open: No such file or directory" in result.output


def test_validate_rejects_a_zip_with_no_manifest(tmp_path: Path) -> None:
    path = _write(tmp_path / "plain.zip", {"index.html": b"<p>hi</p>"})
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1 and "no imsmanifest.xml, cmi5.xml or tincan.xml at the zip root" in result.output


# --------------------------------------------------------------------------- errors and warnings

WARNED = [
    (
        "scorm12",
        lambda files: files.update({"notes.txt": b"x"}),
        "cp-unlisted-file",
        r"notes\.txt is in the zip but not listed",
    ),
    (
        "scorm12",
        lambda files: files.pop("imscp_rootv1p1p2.xsd"),
        "cp-schema-file-missing",
        r"imscp_rootv1p1p2\.xsd is referenced by xsi:schemaLocation but not at the zip root",
    ),
    ("scorm2004", lambda files: files.pop("adlseq_v1p3.xsd"), "cp-schema-file-missing", r"adlseq_v1p3\.xsd"),
    ("scorm12", lambda files: files.update({".DS_Store": b"x"}), "zip-os-junk", r"\.DS_Store: operating-system junk"),
    ("cmi5", lambda files: files.update({"media/foto huerto.svg": b"<svg/>"}), "zip-file-name", r"foto huerto"),
    ("tincan", lambda files: files.update({"api/save.php": b"<?php"}), "zip-server-script", r"save\.php"),
]


@pytest.mark.parametrize(("format_name", "breaks", "rule", "expected"), WARNED, ids=[case[2] for case in WARNED])
def test_warnings_pass_unless_strict(
    tmp_path: Path, format_name: str, breaks: Callable[[Files], None], rule: str, expected: str
) -> None:
    files = dict(_files(format_name))
    breaks(files)
    path = _write(tmp_path / "warned.zip", files)
    runner = CliRunner()
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    warning = next(line for line in result.output.splitlines() if f"[{rule}]" in line)
    assert ": warning: " in warning and re.search(expected, warning), warning
    assert result.output.splitlines()[-1].startswith(f"{path}: valid {format_name}, with ")
    assert runner.invoke(main, ["validate", "--strict", str(path)]).exit_code == 1
    report = json.loads(runner.invoke(main, ["validate", "--json", str(path)]).stdout)
    assert report[0]["valid"] is True and report[0]["errors"] == []
    assert rule in {warning["rule"] for warning in report[0]["warnings"]}


MINIMAL_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.minimal12" version="3"
    xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd
                        http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd
                        http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>Fire safety</title>
      <item identifier="item1" identifierref="res1">
        <title>Fire safety: the basics</title>
        <adlcp:masteryscore>70</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res1" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/>
    </resource>
  </resources>
</manifest>
"""

MINIMAL_2004 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.minimal2004" version="3"
    xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
    xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd
                        http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd
                        http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>Fire safety</title>
      <item identifier="item1" identifierref="res1">
        <title>Fire safety: the basics</title>
        <imsss:sequencing>
          <imsss:objectives>
            <imsss:primaryObjective objectiveID="pass" satisfiedByMeasure="true">
              <imsss:minNormalizedMeasure>0.7</imsss:minNormalizedMeasure>
            </imsss:primaryObjective>
          </imsss:objectives>
        </imsss:sequencing>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res1" type="webcontent" adlcp:scormType="sco" href="index.html">
      <file href="index.html"/>
    </resource>
  </resources>
</manifest>
"""


@pytest.mark.parametrize(
    ("manifest", "format_name", "missing_schemas"),
    [(MINIMAL_12, "scorm12", 3), (MINIMAL_2004, "scorm2004", 3)],
    ids=["scorm12", "scorm2004"],
)
def test_a_minimal_third_party_package_passes_with_warnings(
    tmp_path: Path, manifest: str, format_name: str, missing_schemas: int
) -> None:
    """As another tool writes them: no XSDs at the root, one file no resource lists. Real LMSs
    (Moodle 4.5 among them) import these, so validate exits 0 and says what a strict validator minds."""
    path = _write(
        tmp_path / "third-party.zip",
        {"imsmanifest.xml": manifest.encode(), "index.html": b"<html><body>Hi</body></html>", "readme.txt": b"r"},
    )
    runner = CliRunner()
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    rules = re.findall(r"\[([a-z0-9-]+)\]$", result.output, re.MULTILINE)
    assert sorted(rules) == ["cp-schema-file-missing"] * missing_schemas + ["cp-unlisted-file"], result.output
    assert all(": warning: " in line for line in result.output.splitlines()[:-1])
    assert runner.invoke(main, ["validate", "--strict", str(path)]).exit_code == 1
    inspected = runner.invoke(main, ["inspect", "--json", str(path)])
    assert inspected.exit_code == 0, inspected.output
    info = json.loads(inspected.stdout)
    assert info["format"] == format_name and info["version"] == "3" and info["mastery_score"] == "70"
    assert info["units"] == ["Fire safety: the basics"] and info["unit_ids"] == ["res1"]
    assert len(info["warnings"]) == missing_schemas + 1 and info["errors"] == []


def test_the_rules_are_all_documented() -> None:
    """docs/validate.md has a section per rule id with its severity, and no rule it does not know."""
    from spotlight_pack.rules import RULES

    doc = (Path(__file__).resolve().parents[2] / "docs" / "validate.md").read_text(encoding="utf-8")
    documented = dict(re.findall(r"^\| `([a-z0-9-]+)` \| (error|warning) \|", doc, re.MULTILINE))
    assert documented == {rule.id: rule.severity for rule in RULES.values()}
