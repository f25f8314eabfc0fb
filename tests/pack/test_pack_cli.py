"""The command line: exact forms scripts rely on, one-line errors, exit codes, atomic output."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from click.testing import CliRunner

from spotlight_pack.cli import main


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
    assert info["file_count"] == 9 and info["size"] == zip_path.stat().st_size
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
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=2) as answer:
                    page = answer.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert '<html lang="en"' in page and "Minimal test course" in page
    finally:
        server.terminate()
        server.wait(timeout=10)
