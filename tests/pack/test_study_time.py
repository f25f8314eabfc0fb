"""The study-time estimate: computed from the content, shown on the course's first screen in the course
language, carried by every package (LOM metadata in SCORM, the package's own data everywhere) and
read back by ``inspect``."""

from __future__ import annotations

import io
import json
import math
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from spotlight_pack import check, inspect, load_course
from spotlight_pack.build import package_bytes
from spotlight_pack.cli import main
from spotlight_pack.formats import FORMATS
from spotlight_pack.render import render_package
from spotlight_pack.sources import find_courses
from spotlight_pack.study_time import (
    ASSESSMENT_MINUTES,
    ENGLISH_READING_RATE,
    FIGURE_MINUTES,
    SELF_CHECK_MINUTES,
    STUDY_FACTOR,
    WORDS_PER_ENGLISH_WORD,
    count_words,
    estimate,
    html_words,
    iso_duration,
    parse_duration,
    study_rate,
)

ROOT = Path(__file__).resolve().parents[2]
DIPLOMAS = find_courses(ROOT / "course_sources")


def _page(mini: Path, name: str, text: str) -> None:
    (mini / "modules" / "02-practice" / f"01-steps.{name}.md").write_text(text, encoding="utf-8")


def test_the_rate_is_the_cited_one() -> None:
    assert ENGLISH_READING_RATE == 238
    assert round(STUDY_FACTOR, 4) == 0.6667
    assert study_rate("en") == pytest.approx(158.67, abs=0.01)
    assert study_rate("es") == pytest.approx(238 * WORDS_PER_ENGLISH_WORD["es"] * 2 / 3)
    assert study_rate("fr") == study_rate("en"), "a language without a measured ratio reads at the English rate"


def test_words_are_what_a_learner_reads() -> None:
    assert count_words("Art. 187 del CNPP, NOM-046 y U.S. — ¿qué hacer?") == 9
    html = '<p>Lea <strong>esto</strong> &amp; aquello <a href="https://a.example/b c">aquí</a>.</p>'
    assert html_words(html + '<img src="media/x.svg" alt="muchas palabras que nadie lee">') == 4


def test_each_module_grows_with_its_words_figures_and_questions(mini_copy: Path) -> None:
    before = {part.id: part for part in estimate(load_course(mini_copy), "en").parts}
    words = " ".join(["word"] * 1000)
    _page(mini_copy, "en", f"# Steps\n\n{words}\n\n![A diagram of the steps](media/steps.svg)\n")
    _page(mini_copy, "es", f"# Pasos\n\n{' '.join(['palabra'] * 1000)}\n\n![Diagrama de los pasos](media/steps.svg)\n")
    after = {part.id: part for part in estimate(load_course(mini_copy), "en").parts}
    practice = after["practice"]
    assert practice.figures == 1 and practice.words == 1001  # the title counts too
    assert practice.minutes == math.ceil(1001 / study_rate("en") + FIGURE_MINUTES)
    assert after["basics"] == before["basics"], "other modules do not change"
    basics = after["basics"]
    assert basics.questions == 1 and basics.minutes >= math.ceil(SELF_CHECK_MINUTES)
    assert after["assessment"].minutes == math.ceil(3 * ASSESSMENT_MINUTES) and after["assessment"].words == 0


def test_the_total_is_the_sum_of_what_is_shown(mini_copy: Path) -> None:
    study = estimate(load_course(mini_copy), "es")
    assert study.minutes == sum(part.minutes for part in study.parts)
    assert [part.id for part in study.parts] == ["basics", "practice", "assessment"]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_first_screen_shows_each_module_and_the_total_in_the_course_language(mini_copy: Path, lang: str) -> None:
    course = load_course(mini_copy)
    study = estimate(course, lang)
    html = render_package(course, lang, "scorm12")["index.html"].decode()
    first = re.search(r'<section class="page note" id="note".*?</section>', html, re.DOTALL)
    assert first, "the content note is the first screen"
    block = first.group(0)
    assert ("Tiempo de estudio estimado" if lang == "es" else "Estimated study time") in block
    for part in study.parts:
        title = course.assessment.title[lang] if part.id == "assessment" else part.title  # type: ignore[union-attr]
        assert re.search(rf'<th scope="row">{re.escape(title)}</th><td class="number">{part.minutes}</td>', block)
    assert f'<td class="number">{study.minutes}</td></tr></tfoot>' in block
    unit = "minutos" if lang == "es" else "minutes"
    assert f"{study.minutes} {unit}" in block  # the sentence says it in words (under an hour here)
    assert html.count('class="study"') == 1, "shown once, on the first screen only"


def test_without_a_content_note_the_first_page_shows_it(mini_copy: Path) -> None:
    course_file = mini_copy / "course.yaml"
    text = course_file.read_text(encoding="utf-8")
    course_file.write_text(re.sub(r"content_note:\n(  .*\n)+", "", text), encoding="utf-8")
    html = render_package(load_course(mini_copy), "en", "scorm12")["index.html"].decode()
    first = re.search(r'<section class="page" id="page-basics--welcome".*?</section>', html, re.DOTALL)
    assert first and "Estimated study time" in first.group(0)


def test_hours_are_said_in_words() -> None:
    course = load_course(DIPLOMAS[0])
    study = estimate(course, "es")
    hours, minutes = divmod(study.minutes, 60)
    html = render_package(course, "es", "scorm12")["index.html"].decode()
    expected = f"{hours} hora{'s' if hours != 1 else ''}" + (
        f" y {minutes} minuto{'s' if minutes != 1 else ''}" * bool(minutes)
    )
    assert f"En total, unas {expected}." in html


@pytest.mark.parametrize("format_name", list(FORMATS))
def test_every_package_carries_the_estimate(mini_copy: Path, format_name: str) -> None:
    course = load_course(mini_copy)
    study = estimate(course, "es")
    with zipfile.ZipFile(io.BytesIO(package_bytes(course, format_name, "es"))) as archive:
        page = archive.read("index.html").decode()
        manifest = archive.read("imsmanifest.xml").decode() if "imsmanifest.xml" in archive.namelist() else ""
    assert f'"studyTime":{{"minutes":{study.minutes},' in page
    if format_name.startswith("scorm"):
        assert f">{iso_duration(study.minutes)}</" in manifest and "ypicalLearningTime" in manifest.replace(
            "ypicallearningtime", "ypicalLearningTime"
        )


def test_durations_round_trip() -> None:
    for minutes in (1, 59, 60, 61, 185, 600):
        assert parse_duration(iso_duration(minutes)) == minutes
    assert iso_duration(185) == "PT3H5M" and iso_duration(60) == "PT1H" and iso_duration(5) == "PT5M"
    assert parse_duration("01:30:00") == 90 and parse_duration("P1DT1H") == 1500
    assert parse_duration("PT") is None and parse_duration("soon") is None and parse_duration(None) is None


def test_the_spanish_ratio_is_measured_on_the_diplomas() -> None:
    """Brysbaert: other languages' rates follow from the words they need for the same message. The es
    figure is measured on the four diplomas, whose two languages say the same thing; it must stay so."""
    words = {"es": 0, "en": 0}
    for path in DIPLOMAS:
        course = load_course(path)
        for lang in words:
            words[lang] += sum(part.words for part in estimate(course, lang).parts)
    assert words["es"] / words["en"] == pytest.approx(WORDS_PER_ENGLISH_WORD["es"], abs=0.02)


@pytest.mark.parametrize("format_name", list(FORMATS))
def test_inspect_reads_back_what_the_first_page_shows(mini_copy: Path, tmp_path: Path, format_name: str) -> None:
    course = load_course(mini_copy)
    study = estimate(course, "en")
    path = tmp_path / f"mini-{format_name}.zip"
    path.write_bytes(package_bytes(course, format_name, "en"))
    info, problems = inspect(path)
    assert info is not None and not [problem for problem in problems if problem.is_error]
    assert info.study_minutes == study.minutes
    assert info.study_parts == [{"id": p.id, "title": p.title, "minutes": p.minutes} for p in study.parts]
    shown = CliRunner().invoke(main, ["inspect", str(path)])
    hours, minutes = divmod(study.minutes, 60)
    line = f"{hours} h {minutes:02d} min, estimated from the content ({study.minutes} min)"
    assert re.search(rf"^Study time +{re.escape(line)}$", shown.output, re.MULTILINE), shown.output
    for part in study.parts:
        assert f"{part.minutes:>4} min  {part.title}" in shown.output
    record = json.loads(CliRunner().invoke(main, ["inspect", "--json", str(path)]).output)
    assert record["study_minutes"] == study.minutes and len(record["study_parts"]) == len(study.parts)


THIRD_PARTY_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.timed" version="1"
    xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
    xmlns:imsmd="http://www.imsglobal.org/xsd/imsmd_rootv1p2p1">
  <metadata>
    <schema>ADL SCORM</schema><schemaversion>1.2</schemaversion>
    <imsmd:lom><imsmd:educational><imsmd:typicallearningtime>
      <imsmd:datetime>00:50:00</imsmd:datetime>
    </imsmd:typicallearningtime></imsmd:educational></imsmd:lom>
  </metadata>
  <organizations default="org">
    <organization identifier="org"><title>Fire safety</title>
      <item identifier="item1" identifierref="res1"><title>Fire safety</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res1" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/>
    </resource>
  </resources>
</manifest>
"""


def test_inspect_reads_the_lom_time_of_a_package_we_did_not_build(tmp_path: Path) -> None:
    """A third-party SCORM 1.2 zip with the clock-time form some tools write: the total, and no parts."""
    manifest = THIRD_PARTY_12
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("imsmanifest.xml", manifest)
        archive.writestr("index.html", "<!DOCTYPE html><title>x</title>")
    info, _ = inspect(path)
    assert info is not None and info.study_minutes == 50 and info.study_parts == []


def test_malformed_package_data_gives_no_estimate_and_no_crash(mini_copy: Path, tmp_path: Path) -> None:
    course = load_course(mini_copy)
    with zipfile.ZipFile(io.BytesIO(package_bytes(course, "tincan", "en"))) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    page = files["index.html"].decode()
    files["index.html"] = re.sub(
        r'"studyTime":\{.*?\]\}', '"studyTime":{"minutes":true,"parts":[{"minutes":-3},7]}', page
    ).encode()
    path = tmp_path / "tampered.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    info, _ = inspect(path)
    assert info is not None and info.study_minutes is None and info.study_parts == []


def test_an_institution_adds_a_module_and_the_estimate_follows(tmp_path: Path) -> None:
    """The structure the README describes: a new numbered module folder, nothing else touched."""
    course_dir = tmp_path / "reeducation-men"
    shutil.copytree(ROOT / "course_sources" / "reeducation-men", course_dir)
    before = estimate(load_course(course_dir), "es")
    module = course_dir / "modules" / "08-chihuahua-directory"
    module.mkdir()
    (module / "module.yaml").write_text("title:\n  es: Directorio de Chihuahua\n  en: Chihuahua directory\n")
    words = {"es": "Servicios de atención en Chihuahua.", "en": "Support services in Chihuahua."}
    for lang, title in (("es", "Directorio local"), ("en", "Local directory")):
        (module / f"01-directory.{lang}.md").write_text(f"# {title}\n\n" + " ".join([words[lang]] * 160) + "\n")
    assert check(course_dir) == []
    after = estimate(load_course(course_dir), "es")
    assert after.parts[: len(before.parts) - 1] == before.parts[:-1], "the shared modules keep their estimate"
    added = after.parts[-2]
    assert added.id == "chihuahua-directory" and added.words == 2 + 5 * 160
    assert after.minutes == before.minutes + added.minutes


def test_the_readme_gives_the_computed_study_times() -> None:
    """The README's table of the diplomas states the estimate of the current sources, not a guess."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z-]+)` \|.*\| (\d+ h \d\d min / \d+ h \d\d min) \|$", readme, re.MULTILINE))
    assert set(rows) == {path.name for path in DIPLOMAS}
    for path in DIPLOMAS:
        course = load_course(path)
        shown = [f"{m // 60} h {m % 60:02d} min" for m in (estimate(course, lang).minutes for lang in ("es", "en"))]
        assert rows[path.name] == " / ".join(shown), f"README: update the study time of {path.name}"


def test_a_bank_counts_what_one_attempt_shows() -> None:
    """An assessment that draws some of its bank takes the time of the questions drawn, not the whole bank."""
    course = load_course(ROOT / "tests" / "fixtures" / "courses" / "bank")
    assessment = course.assessment
    assert assessment is not None and assessment.draw_count < len(assessment.questions)
    part = estimate(course, "en").parts[-1]
    assert part.id == "assessment" and part.questions == assessment.draw_count
    assert part.minutes == max(1, math.ceil(ASSESSMENT_MINUTES * assessment.draw_count))
