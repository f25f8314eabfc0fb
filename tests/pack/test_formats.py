"""The contract every package format must meet, run against every format.

Each format builds the mini course in each language into a zip that: validates with our own
validator, validates against the official XSD from ../shared/schemas (loaded independently of the
builder's copies), is byte-identical when built twice, is a clean deterministic zip, and is described
correctly by ``inspect``.
"""

from __future__ import annotations

import io
import zipfile
from functools import cache
from pathlib import Path

import pytest
from lxml import etree

from spotlight_pack import build, inspect, validate
from spotlight_pack.build import package_bytes
from spotlight_pack.formats import FORMATS
from spotlight_pack.sources import load_course

MINI_COURSE = Path(__file__).resolve().parents[1] / "fixtures" / "courses" / "mini"

MANIFEST_SCHEMA = {
    "scorm12": ("imsmanifest.xml", "scorm12/scorm12_all.xsd"),
    "scorm12-xapi": ("imsmanifest.xml", "scorm12/scorm12_all.xsd"),
    "scorm2004": ("imsmanifest.xml", "scorm2004/scorm2004_all.xsd"),
    "cmi5": ("cmi5.xml", "cmi5/CourseStructure.xsd"),
    "tincan": ("tincan.xml", "tincan/tincan_unofficial.xsd"),
}
CASES = [(name, lang) for name in FORMATS for lang in ("es", "en")]


def test_every_format_has_a_schema_case() -> None:
    assert set(MANIFEST_SCHEMA) == set(FORMATS)


@cache
def _zip(format_name: str, lang: str) -> bytes:
    return package_bytes(load_course(MINI_COURSE), format_name, lang)


@cache
def _reference_schema(shared: Path, relative: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(shared / relative)))


@pytest.mark.parametrize(("format_name", "lang"), CASES)
def test_manifest_is_valid_against_the_official_schema(format_name: str, lang: str, shared_schemas: Path) -> None:
    manifest, schema_path = MANIFEST_SCHEMA[format_name]
    with zipfile.ZipFile(io.BytesIO(_zip(format_name, lang))) as archive:
        document = etree.fromstring(archive.read(manifest))
    schema = _reference_schema(shared_schemas, schema_path)
    assert schema.validate(document), [error.message for error in schema.error_log]


@pytest.mark.parametrize(("format_name", "lang"), CASES)
def test_package_passes_validate_and_inspect(format_name: str, lang: str, tmp_path: Path) -> None:
    path = tmp_path / f"mini-{format_name}-{lang}.zip"
    path.write_bytes(_zip(format_name, lang))
    assert validate(path) == []
    info, problems = inspect(path)
    assert problems == [] and info is not None
    assert info.format == format_name
    assert info.title == load_course(MINI_COURSE).title[lang]
    assert info.launch == ["index.html"]
    assert info.languages == [{"es": "es-MX", "en": "en"}[lang]]
    assert info.size == path.stat().st_size


@pytest.mark.parametrize("format_name", list(FORMATS))
def test_builds_are_byte_identical(format_name: str) -> None:
    course = load_course(MINI_COURSE)
    assert package_bytes(course, format_name, "es") == package_bytes(load_course(MINI_COURSE), format_name, "es")


@pytest.mark.parametrize("format_name", list(FORMATS))
def test_zip_is_clean_and_deterministic(format_name: str) -> None:
    with zipfile.ZipFile(io.BytesIO(_zip(format_name, "es"))) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == sorted(names)
    assert all(not info.is_dir() for info in infos)
    assert {info.date_time for info in infos} == {(2000, 1, 1, 0, 0, 0)}
    assert all(info.flag_bits & 0x800 for info in infos), "UTF-8 name flag"
    assert not any(name.startswith(("__MACOSX", "/")) or "/._" in name or ".." in name for name in names)
    assert "index.html" in names and "spotlight/player.js" in names and "media/steps.svg" in names


@pytest.mark.parametrize("format_name", list(FORMATS))
def test_package_carries_no_request_outside_itself(format_name: str) -> None:
    with zipfile.ZipFile(io.BytesIO(_zip(format_name, "es"))) as archive:
        html = archive.read("index.html").decode()
        css = archive.read("spotlight/player.css").decode()
    for text in (html, css):
        assert "//fonts." not in text and "cdn" not in text.lower()
    assert 'src="http' not in html and "@import" not in css


def test_scorm12_manifest_details() -> None:
    with zipfile.ZipFile(io.BytesIO(_zip("scorm12", "es"))) as archive:
        manifest = archive.read("imsmanifest.xml").decode()
        names = set(archive.namelist())
    assert "<schemaversion>1.2</schemaversion>" in manifest
    assert 'adlcp:scormtype="sco"' in manifest
    assert "<adlcp:masteryscore>80</adlcp:masteryscore>" in manifest
    assert {"imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd", "imsmd_rootv1p2p1.xsd", "ims_xml.xsd"} <= names
    assert "scorm12_all.xsd" not in names
    for name in names - {"imsmanifest.xml"} - {n for n in names if n.endswith(".xsd")}:
        assert f'href="{name}"' in manifest, f"{name} not listed"


def test_scorm2004_manifest_details() -> None:
    with zipfile.ZipFile(io.BytesIO(_zip("scorm2004", "en"))) as archive:
        manifest = archive.read("imsmanifest.xml").decode()
        names = set(archive.namelist())
    assert "<schemaversion>2004 4th Edition</schemaversion>" in manifest
    assert 'adlcp:scormType="sco"' in manifest
    assert "<imsss:minNormalizedMeasure>0.80</imsss:minNormalizedMeasure>" in manifest
    assert {"imscp_v1p1.xsd", "adlcp_v1p3.xsd", "imsss_v1p0.xsd", "common/anyElement.xsd", "lom.xsd"} <= names


def test_cmi5_structure_details() -> None:
    with zipfile.ZipFile(io.BytesIO(_zip("cmi5", "es"))) as archive:
        structure = etree.fromstring(archive.read("cmi5.xml"))
    ns = {"c": "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"}
    au = structure.find("c:au", ns)
    assert au is not None
    assert au.get("moveOn") == "CompletedAndPassed" and au.get("masteryScore") == "0.80"
    assert au.findtext("c:url", namespaces=ns) == "index.html"
    assert au.get("id", "").startswith("https://")


def test_scorm12_xapi_embeds_only_a_ready_write_credential() -> None:
    settings = {"lrs_endpoint": "https://lrs.example.org/xAPI", "lrs_key": "writer", "lrs_secret": "s3cret!"}
    data = package_bytes(load_course(MINI_COURSE), "scorm12-xapi", "es", settings)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        html = archive.read("index.html").decode()
    assert "https://lrs.example.org/xAPI/" in html and "Basic d3JpdGVyOnMzY3JldCE=" in html
    assert "s3cret!" not in html
    plain = _zip("scorm12", "es").decode("latin-1")
    assert "lrs_auth" not in plain


def test_build_writes_named_zips_and_nothing_else(tmp_path: Path) -> None:
    written = build([MINI_COURSE], formats=["scorm12", "cmi5"], languages=["es"], out=tmp_path / "dist")
    assert sorted(path.name for path in written) == ["mini-1.2.0-cmi5-es.zip", "mini-1.2.0-scorm12-es.zip"]
    assert sorted(path.name for path in (tmp_path / "dist").iterdir()) == sorted(path.name for path in written)
