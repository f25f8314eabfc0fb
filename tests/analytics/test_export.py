"""``spotlight-lrs export``: flat CSV that pandas and DuckDB read as is, JSON lines, pseudonyms."""

from __future__ import annotations

import io
import json
import re
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner
from cohort import COURSES, Cohort, course_iri, page_sequence

from lrs.analytics.export import COLUMNS, CsvRows, select, write_csv_rows
from lrs.cli import main
from lrs.xapi.statements import agent_key

KEY_ENV = {"SPOTLIGHT_LRS_PSEUDONYM_KEY": "a-test-key-that-is-long-enough"}


def export(store: str, *args: str, env: dict | None = None) -> str:
    result = CliRunner().invoke(main, ["export", "--store", store, *args], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_csv_loads_in_pandas_and_duckdb(cohort_db: str, cohort: Cohort, tmp_path: Path) -> None:
    path = tmp_path / "statements.csv"
    result = CliRunner().invoke(main, ["export", "--store", cohort_db, "--output", str(path)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(path)
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == len(cohort.statements)
    assert frame["score_scaled"].dtype == "float64" and frame["duration_s"].dtype == "float64"
    by_id = {s["id"]: s for s in cohort.statements}
    passed = frame[frame.verb_name == "passed"]
    assert len(passed) == sum(1 for s in cohort.statements if s["verb"]["id"].endswith("/passed"))
    for row in passed.head(20).itertuples():
        assert row.score_scaled == pytest.approx(by_id[row.statement_id]["result"]["score"]["scaled"])
    assert set(frame.course_id) == {"feminicide-investigation", "first-contact-care", "protection-measures",
                                    "reeducation-men"}
    pages = {page: module for course in COURSES for page, module in page_sequence(course)}
    for row in frame.itertuples():
        if row.verb_name == "experienced":
            expected = pages[row.object_id]
        elif "/m1/p2/video/" in row.object_id or "/m2/p2/scenario" in row.object_id or "/reflection/" in row.object_id:
            expected = "/".join(row.object_id.split("/")[:7])  # a page block: its page's module
        elif row.verb_name == "answered":
            question = row.object_id.rsplit("/", 1)[-1]
            course_level = question.startswith(("a", "s"))  # the final assessment and the closing survey
            expected = None if course_level else f"{course_iri(row.course_id)}/{question.split('-')[0]}"
        else:
            expected = None
        assert (None if pd.isna(row.module) else row.module) == expected, row
    assert set(frame.success.dropna()) <= {True, False}

    con = duckdb.connect()
    assert con.execute(f"SELECT count(*) FROM read_csv('{path}')").fetchone()[0] == len(cohort.statements)
    counts = dict(con.execute(f"SELECT verb_name, count(*) FROM read_csv('{path}') GROUP BY 1").fetchall())
    assert counts["answered"] == sum(1 for s in cohort.statements if s["verb"]["id"].endswith("/answered"))
    types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_csv('{path}'))")
                 .fetchall())
    assert types["score_scaled"] == "DOUBLE" and types["success"] == "BOOLEAN"


def test_roster_columns_and_course_filter(cohort_db: str, cohort: Cohort, roster_file: Path) -> None:
    text = export(cohort_db, "--course", "protection-measures", "--roster", str(roster_file))
    frame = pd.read_csv(io.StringIO(text), keep_default_na=False)
    iri = course_iri("protection-measures")
    expected = [s for s in cohort.statements if s["object"]["id"].startswith(iri + "/") or s["object"]["id"] == iri]
    assert len(frame) == len(expected)
    states = {t.key: t.roster["state"] for t in cohort.truths if t.roster}
    for row in frame.head(200).itertuples():
        assert row.state == states.get(row.learner, "")


def test_pseudonymise_is_stable_and_drops_identities(small_db: str, small: Cohort) -> None:
    first = export(small_db, "--pseudonymise", env=KEY_ENV)
    second = export(small_db, "--pseudonymise", env=KEY_ENV)
    assert first == second
    lines = export(small_db, "--pseudonymise", "--format", "jsonl", env=KEY_ENV)
    for text in (first, lines):
        assert "mailto:" not in text and "Enlace" not in text and "campus.ibero.mx" not in text
    frame = pd.read_csv(io.StringIO(first), keep_default_na=False)
    assert all(re.fullmatch(r"[0-9a-f]{32}", value) for value in frame.learner)
    assert frame.learner.nunique() == len({t.key for t in small.truths})
    assert set(frame.learner_name) == {""}
    assert set(frame.state) == {"Estado de México", "Chihuahua", "Guerrero", ""}, "roster columns stay"
    other = export(small_db, "--pseudonymise", env={"SPOTLIGHT_LRS_PSEUDONYM_KEY": "another-key-0123456789"})
    assert pd.read_csv(io.StringIO(other)).learner[0] != frame.learner[0]
    # JSON lines: same pseudonyms as the CSV, no name nor mbox anywhere in the actor.
    actors = [json.loads(line)["actor"] for line in lines.splitlines()]
    assert [a["account"]["name"] for a in actors] == list(frame.learner)
    assert all(set(a) <= {"objectType", "account"} for a in actors)


def test_csv_quotes_commas_quotes_and_line_breaks(small: Cohort) -> None:
    """Rows needing no quoting take a fast path, the others csv.writer's quoting: every field
    reads back exactly, a lone carriage return included, and plain rows are csv.writer's bytes."""
    import csv

    statements = [dict(s) for s in small.statements[:400]]
    for index, name in ((3, 'Pérez, Ana "la jefa"'), (10, "línea uno\nlínea dos"), (11, "retorno\r")):
        statements[index]["actor"] = {**statements[index]["actor"], "name": name}
    answered = next(s for s in statements[20:] if s["verb"]["id"].endswith("/answered"))
    answered["result"] = {**answered["result"], "response": "a[,]b"}
    roster = {agent_key(statements[5]["actor"]): {"institution": 'Fiscalía "especializada", CDMX'}}
    written = io.StringIO()
    assert write_csv_rows(select(statements, None), written, roster, None) == len(statements)
    rows = CsvRows(roster, None)
    expected = [rows(s, c) for s, c in select(statements, None)]
    assert list(csv.reader(io.StringIO(written.getvalue(), newline=""))) == expected
    plain = io.StringIO()
    csv.writer(plain, lineterminator="\n").writerow(expected[0])
    assert written.getvalue().startswith(plain.getvalue())
    assert sum('"' in row for row in written.getvalue().split("\n")) >= 4


def test_pseudonymise_needs_a_key(cohort_db: str) -> None:
    result = CliRunner().invoke(main, ["export", "--store", cohort_db, "--pseudonymise"],
                                env={"SPOTLIGHT_LRS_PSEUDONYM_KEY": ""})
    assert result.exit_code != 0
    assert "SPOTLIGHT_LRS_PSEUDONYM_KEY" in result.output and "Traceback" not in result.output


def test_jsonl_round_trip(small_db: str, small: Cohort) -> None:
    lines = export(small_db, "--format", "jsonl").splitlines()
    assert len(lines) == len(small.statements)
    sent = {s["id"]: s for s in small.statements}
    for line in lines[:100]:
        statement = json.loads(line)
        assert statement["result" if "result" in statement else "verb"] == sent[statement["id"]].get(
            "result", sent[statement["id"]]["verb"])


def _many(n: int, template: dict) -> Iterator[dict]:
    for i in range(n):
        statement = dict(template)
        statement["id"] = f"{i:032x}"
        yield statement


def test_export_memory_is_constant(cohort: Cohort) -> None:
    """Exporting 5,000 or 25,000 statements peaks at the same memory: nothing accumulates."""
    template = next(s for s in cohort.statements if s["verb"]["id"].endswith("/answered"))
    peaks = []
    for n in (5_000, 25_000):
        sink = _NullWriter()
        tracemalloc.start()
        write_csv_rows(select(_many(n, template), None), sink, {}, None)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < peaks[0] * 1.5 + 100_000, peaks


class _NullWriter(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)
