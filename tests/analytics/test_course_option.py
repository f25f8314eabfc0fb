"""``--course`` naming no course in the store (issue 15): ``report`` and ``export`` say so, suggest
the closest ids and titles, list every known course with its title and IRI, and exit 1, never
printing an empty report; on every store kind, through the CLI."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from cohort import COURSES, TITLES, course_iri

from lrs.cli import main


def fails(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "no statements matched" not in result.output.lower()
    return result.output


def test_a_mistyped_or_unknown_course_is_refused_with_the_known_ones(small_in_every_store: str,
                                                                    tmp_path: Path) -> None:
    store = small_in_every_store
    typo = fails("report", "--store", store, "--course", "protection-measure")
    assert "no course 'protection-measure' in the store. Did you mean protection-measures?" in typo
    for course in COURSES:
        assert course_iri(course) in typo and TITLES[course]["en-US"] in typo
    spanish = fails("report", "--store", store, "--course", "feminicidio", "--lang", "es", "--format", "json")
    assert TITLES["feminicide-investigation"]["es-MX"] in spanish, "titles in the report's language"
    by_title = fails("report", "--store", store, "--course", "protection orders")
    assert "Did you mean protection-measures?" in by_title, "a word of the title finds the course"
    unrelated = fails("report", "--store", store, "--course", "https://example.org/other-course")
    assert "Did you mean" not in unrelated and course_iri("reeducation-men") in unrelated
    out = tmp_path / "export.csv"
    exported = fails("export", "--store", store, "--course", "first-contact", "-o", str(out))
    assert "Did you mean first-contact-care?" in exported and not out.exists(), "no half-written file"
    # What exists is still reported: by id, by IRI, a course the roster enrols nobody started yet.
    for wanted in ("protection-measures", course_iri("protection-measures")):
        result = CliRunner().invoke(main, ["report", "--store", store, "--course", wanted])
        assert result.exit_code == 0 and TITLES["protection-measures"]["en-US"] in result.output


def test_an_empty_store_says_it_has_no_course(any_store_url: str) -> None:
    output = fails("report", "--store", any_store_url, "--course", "first-contact-care")
    assert "no course 'first-contact-care' in the store" in output and "the store has no course yet" in output
