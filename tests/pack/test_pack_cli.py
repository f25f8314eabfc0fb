"""The command line: exact forms scripts rely on, one-line errors, exit codes, atomic output."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from spotlight_pack.cli import main
from spotlight_pack.formats import FORMATS

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "courses" / "mini"


def test_build_then_validate_then_inspect(mini_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    runner = CliRunner()
    result = runner.invoke(main, ["build", str(mini_copy), "--format", "scorm12", "--lang", "es", "--out", str(out)])
    assert result.exit_code == 0, result.output
    zip_path = out / "mini-1.2.0-scorm12-es.zip"
    assert zip_path.is_file() and [p.name for p in out.iterdir()] == [zip_path.name]
    assert runner.invoke(main, ["validate", str(zip_path)]).exit_code == 0
    inspected = runner.invoke(main, ["inspect", str(zip_path), "--json"])
    info = json.loads(inspected.output)
    assert info["format"] == "scorm12" and info["title"] == "Curso mínimo de prueba"
    assert info["version"] == "1.2.0" and info["languages"] == ["es-MX"] and info["mastery_score"] == "80"
    assert info["launch"] == ["index.html"] and info["units"] == ["Curso mínimo de prueba"] and info["valid"] is True
    assert info["unit_ids"] == ["RES1"] and info["errors"] == [] and info["warnings"] == []
    assert info["file_count"] == 10 and info["size"] == zip_path.stat().st_size  # spotlight/quiz.js too
    table = runner.invoke(main, ["inspect", str(zip_path)]).output
    assert "Mastery score  80%" in table and "Format" in table


def test_a_failed_build_writes_nothing(mini_copy: Path, tmp_path: Path) -> None:
    """One good course and one broken one: no zip at all, and the error says where."""
    broken = tmp_path / "broken"
    shutil.copytree(mini_copy, broken)
    course_yaml = broken / "course.yaml"
    course_yaml.write_text(
        course_yaml.read_text().replace("id: mini", "id: broken").replace("mastery_score: 80", "mastery_score: high")
    )
    out = tmp_path / "dist"
    out.mkdir()
    (out / "keep.txt").write_text("earlier output")
    result = CliRunner().invoke(main, ["build", str(mini_copy), str(broken), "--format", "scorm12", "--out", str(out)])
    assert result.exit_code == 1
    assert "course.yaml:11: mastery_score must be a whole number from 0 to 100" in result.output
    assert "nothing was built" in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_unknown_format_and_language_are_one_line_errors(mini_copy: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    bad_format = runner.invoke(main, ["build", str(mini_copy), "--format", "aicc", "--out", str(tmp_path)])
    assert bad_format.exit_code == 2 and "'aicc' is not one of" in bad_format.output
    bad_lang = runner.invoke(main, ["build", str(mini_copy), "--lang", "fr", "--out", str(tmp_path)])
    assert bad_lang.exit_code == 1
    assert bad_lang.output.strip() == "error: course mini has no language 'fr' (it has es, en)"
    missing = runner.invoke(main, ["build", str(tmp_path / "nowhere"), "--out", str(tmp_path)])
    assert missing.exit_code == 1 and "not a folder" in missing.output


def test_check_reports_problems_and_exit_status(mini_copy: Path) -> None:
    runner = CliRunner()
    clean = runner.invoke(main, ["check", str(mini_copy)])
    assert clean.exit_code == 0 and "0 problem(s) in 1 course(s)." in clean.output
    (mini_copy / "modules/01-basics/02-details.es.md").unlink()
    broken = runner.invoke(main, ["check", str(mini_copy)])
    assert broken.exit_code == 1 and "page 'details' has no 'es' version" in broken.output


def test_xapi_settings_are_checked_before_building(mini_copy: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "build",
            str(mini_copy),
            "--format",
            "scorm12-xapi",
            "--out",
            str(tmp_path),
            "--lrs-endpoint",
            "ftp://lrs",
            "--lrs-key",
            "k",
        ],
    )
    assert result.exit_code == 1
    assert (
        "must be an absolute http(s) URL" in result.output and "give both the LRS key and its secret" in result.output
    )


def test_config_file_supplies_xapi_settings(mini_copy: Path, tmp_path: Path) -> None:
    config = tmp_path / "spotlight-pack.toml"
    config.write_text('[xapi]\nendpoint = "https://lrs.example.org/xAPI/"\nkey = "w"\nsecret = "s"\n')
    out = tmp_path / "dist"
    result = CliRunner().invoke(
        main,
        [
            "build",
            str(mini_copy),
            "--format",
            "scorm12-xapi",
            "--lang",
            "en",
            "--config",
            str(config),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out / "mini-1.2.0-scorm12-xapi-en.zip") as archive:
        assert "https://lrs.example.org/xAPI/" in archive.read("index.html").decode()


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    """The installed entry point, as a designer runs it."""
    result = subprocess.run(
        [sys.executable, "-m", "spotlight_pack.cli", "inspect", str(tmp_path / "x.zip")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1 and "cannot open" in result.stderr and "Traceback" not in result.stderr
    helped = subprocess.run(
        [sys.executable, "-m", "spotlight_pack.cli", "build", "--help"], capture_output=True, text=True, check=False
    )
    assert helped.returncode == 0 and "--format" in helped.stdout and "spotlight-pack build" in helped.stdout


def test_preview_serves_the_course_on_loopback(mini_copy: Path) -> None:
    """``preview`` builds the course and serves it on 127.0.0.1 until stopped."""
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "spotlight_pack.cli", "preview", str(mini_copy), "--lang", "en", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        page = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/en/index.html", timeout=2) as answer:
                    page = answer.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert '<html lang="en"' in page and "Minimal test course" in page
    finally:
        server.terminate()
        server.wait(timeout=10)


def _inspect_json(path: Path) -> dict:
    result = CliRunner().invoke(main, ["inspect", "--json", str(path)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_inspect_agrees_with_itself_across_formats(tmp_path: Path) -> None:
    """One version, one mastery scale (percent) and titles for every format, as the zip name says."""
    out = tmp_path / "dist"
    settings = ["--lrs-endpoint", "https://lrs.example.org/xAPI/", "--lrs-key", "pkg-writer", "--lrs-secret", "s3cret!"]
    result = CliRunner().invoke(
        main, ["build", str(MINI), "--lang", "en", "--out", str(out), *[f"--format={f}" for f in FORMATS], *settings]
    )
    assert result.exit_code == 0, result.output
    for format_name in FORMATS:
        info = _inspect_json(out / f"mini-1.2.0-{format_name}-en.zip")
        assert info["version"] == "1.2.0", format_name
        assert info["mastery_score"] == "80", format_name
        assert info["units"] == ["Minimal test course"], format_name
        assert info["valid"] is True and info["warnings"] == [], format_name
    xapi = _inspect_json(out / "mini-1.2.0-scorm12-xapi-en.zip")
    assert xapi["lrs_endpoint"] == "https://lrs.example.org/xAPI/" and xapi["lrs_credential"] == "pkg-writer"
    table = CliRunner().invoke(main, ["inspect", str(out / "mini-1.2.0-scorm12-xapi-en.zip")]).stdout
    assert "LRS endpoint    https://lrs.example.org/xAPI/" in table
    assert "contains a write-only LRS credential (key pkg-writer)" in table and "s3cret!" not in table
    assert _inspect_json(out / "mini-1.2.0-cmi5-en.zip")["lrs_endpoint"] is None


def test_inspect_of_a_scorm12_xapi_package_without_endpoint(tmp_path: Path) -> None:
    written = CliRunner().invoke(
        main, ["build", str(MINI), "--format", "scorm12-xapi", "--lang", "es", "--out", str(tmp_path)]
    )
    assert written.exit_code == 0, written.output
    info = _inspect_json(tmp_path / "mini-1.2.0-scorm12-xapi-es.zip")
    assert info["lrs_endpoint"].startswith("from the launch URL") and info["lrs_credential"] is None


def test_inspect_says_what_an_unreadable_zip_is(tmp_path: Path) -> None:
    """A folder zipped with its parent: inspect says so, as validate does, and exits 1."""
    path = tmp_path / "wrapped.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("course/imsmanifest.xml", "<manifest/>")
        archive.writestr("course/index.html", "<p>hi</p>")
    result = CliRunner().invoke(main, ["inspect", str(path)])
    assert result.exit_code == 1 and result.stdout == ""
    assert "course/imsmanifest.xml is not at the zip root: zip the folder's contents" in result.stderr


def test_default_build_skips_scorm12_xapi_without_an_endpoint(tmp_path: Path, monkeypatch) -> None:
    """`make build` runs `spotlight-pack build` with no arguments: no zip that could report nowhere."""
    project = tmp_path / "project"
    shutil.copytree(MINI, project / "course_sources" / "mini")
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["build", "--lang", "en"])
    assert result.exit_code == 0, result.output
    names = sorted(path.name for path in (project / "dist").iterdir())
    assert names == [f"mini-1.2.0-{f}-en.zip" for f in sorted(FORMATS) if f != "scorm12-xapi"]
    assert "note: scorm12-xapi skipped: no LRS endpoint configured" in result.stderr
    assert "spotlight-pack.toml" in result.stderr
    (project / "spotlight-pack.toml").write_text('[xapi]\nendpoint = "https://lrs.example.org/xAPI/"\n')
    again = CliRunner().invoke(main, ["build", "--lang", "en"])
    assert again.exit_code == 0 and "skipped" not in again.stderr
    assert (project / "dist" / "mini-1.2.0-scorm12-xapi-en.zip").is_file()


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_zips_get_the_usual_file_mode(tmp_path: Path, umask: int, mode: int) -> None:
    old = os.umask(umask)
    try:
        result = CliRunner().invoke(
            main, ["build", str(MINI), "--format", "scorm12", "--lang", "es", "--out", str(tmp_path)]
        )
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((tmp_path / "mini-1.2.0-scorm12-es.zip").stat().st_mode) == mode
    assert [path.name for path in tmp_path.iterdir()] == ["mini-1.2.0-scorm12-es.zip"], "no temporary file left"


def test_check_accepts_a_folder_of_courses(tmp_path: Path, monkeypatch) -> None:
    sources = tmp_path / "course_sources"
    shutil.copytree(MINI, sources / "mini")
    shutil.copytree(MINI, sources / "other")
    (sources / "other" / "course.yaml").write_text(
        (sources / "other" / "course.yaml").read_text().replace("id: mini", "id: other")
    )
    runner = CliRunner()
    folder = runner.invoke(main, ["check", str(sources)])
    assert folder.exit_code == 0 and "0 problem(s) in 2 course(s)." in folder.stderr, folder.output
    monkeypatch.chdir(tmp_path)
    default = runner.invoke(main, ["check"])
    assert default.exit_code == 0 and "in 2 course(s)." in default.stderr, default.output
    (sources / "other" / "course.yaml").write_text("id: [unclosed\n")
    broken = runner.invoke(main, ["check", "course_sources"])
    assert broken.exit_code == 1 and "other/course.yaml:1: the [ … ] list that starts on this line" in broken.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = runner.invoke(main, ["check", str(empty)])
    assert nothing.exit_code == 1 and "no course.yaml in this folder" in nothing.output
