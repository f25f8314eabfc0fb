"""``spotlight-lrs report`` on the generated cohort: every figure against the ground truth."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from cohort import (
    CHOICE_ITEMS,
    COURSES,
    FILL_IN_RIGHT,
    MATCHING_KEY,
    SEQUENCING_KEY,
    Cohort,
    course_iri,
    modules,
    page_sequence,
)
from expected import enrolment, figures, first_answers, funnel, items, module_figures, module_progress, status

from lrs.cli import main


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def by_state(store_with_roster: str) -> dict:
    return json.loads(run("report", "--store", store_with_roster, "--by", "state", "--format", "json"))


def _check(actual: dict, expected: dict) -> None:
    for name in ("launched", "completed", "passed", "failed"):
        assert actual[name] == expected[name], name
    for name in ("pass_rate", "score_median", "time_to_complete_median_s", "attempts_to_pass_median"):
        assert actual[name] == pytest.approx(expected[name]), name
    assert [b["count"] for b in actual["score_distribution"]] == expected["histogram"]
    assert actual["attempts_to_pass_distribution"] == expected["attempts"]


@pytest.mark.parametrize("course", list(COURSES))
def test_course_figures(by_state: dict, cohort: Cohort, course: str) -> None:
    found = {c["id"]: c for c in by_state["courses"]}
    assert set(found) == {course_iri(c) for c in COURSES}
    report = found[course_iri(course)]
    truths = [t for t in cohort.truths if t.course == course]
    _check(report["summary"], figures(truths))
    groups = {g["value"]: g for g in report["groups"]}
    states = {t.roster["state"] if t.roster else "(not in roster)" for t in truths}
    assert set(groups) == states
    for state in states:
        _check(groups[state], figures(t for t in truths if (t.roster["state"] if t.roster else
                                                                "(not in roster)") == state))


@pytest.mark.parametrize("course", list(COURSES))
def test_enrolment_over_the_roster(by_state: dict, cohort: Cohort, course: str) -> None:
    """The roster is the denominator: every enrolled learner has one status, those who never
    launched included, per course and per group; learners outside the roster are counted apart."""
    report = next(c for c in by_state["courses"] if c["id"] == course_iri(course))
    want = enrolment(cohort, course)
    got = report["enrolment"]
    assert {k: got[k] for k in want} == want
    assert got["not_started"] > 0, "the cohort has enrolled learners who never launched"
    assert got["not_started"] + got["in_progress"] + got["completed"] + got["passed"] == got["enrolled"]
    assert got["started_share"] == pytest.approx(1 - want["not_started"] / want["enrolled"])
    assert got["completed_share"] == pytest.approx((want["completed"] + want["passed"]) / want["enrolled"])
    groups = {g["value"]: g["enrolment"] for g in report["groups"]}
    for state in {a["state"] for a in cohort.attributes.values()}:
        keys = [k for k, a in cohort.attributes.items() if a["state"] == state]
        expected = enrolment(cohort, course, keys)
        assert {k: groups[state][k] for k in expected if k != "launched_not_enrolled"} == {
            k: v for k, v in expected.items() if k != "launched_not_enrolled"}, state
    outside = groups["(not in roster)"]
    assert outside["enrolled"] == 0
    assert outside["launched_not_enrolled"] == sum(1 for t in cohort.truths if t.course == course and not t.roster)


def test_a_roster_without_a_course_column_enrols_everyone_in_scope(store_with_roster: str, cohort: Cohort,
                                                                    tmp_path: Path) -> None:
    path = tmp_path / "no-course.csv"
    lines = cohort.roster_csv.splitlines()
    path.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n", encoding="utf-8")
    course = "reeducation-men"
    report = json.loads(run("report", "--store", store_with_roster, "--roster", str(path), "--course", course,
                            "--format", "json"))
    (found,) = report["courses"]
    rostered = set(cohort.attributes)
    done = {t.key: t for t in cohort.truths if t.course == course}
    counts = Counter(status(done.get(k)) for k in rostered)
    assert found["enrolment"]["enrolled"] == len(rostered)
    assert found["enrolment"]["not_started"] == counts["not started"]
    assert found["enrolment"]["passed"] == counts["passed"]
    everything = json.loads(run("report", "--store", store_with_roster, "--roster", str(path), "--format", "json"))
    assert {c["enrolment"]["enrolled"] for c in everything["courses"]} == {len(rostered)}


def test_roster_filters(store_with_roster: str, cohort: Cohort) -> None:
    report = json.loads(run("report", "--store", store_with_roster, "--format", "json", "--filter",
                            "institution=DIF", "--filter", "cohort=2026-B"))
    keys = [k for k, a in cohort.attributes.items() if a["institution"] == "DIF" and a["cohort"] == "2026-B"]
    assert report["roster"] == {"learners": len(cohort.attributes), "selected": len(keys),
                                "filters": {"cohort": "2026-B", "institution": "DIF"}}
    for found in report["courses"]:
        course = found["short_id"]
        truths = [t for t in cohort.truths if t.course == course and t.key in set(keys)]
        _check(found["summary"], figures(truths))
        assert {k: found["enrolment"][k] for k in enrolment(cohort, course, keys)} == enrolment(cohort, course, keys)
    bad = CliRunner().invoke(main, ["report", "--store", store_with_roster, "--filter", "planet=Mars"])
    assert bad.exit_code != 0 and "ATTRIBUTE=VALUE" in bad.output


def test_activity_window(store_with_roster: str, cohort: Cohort) -> None:
    """--from/--to count what learners did in the period (by timestamp), computed here directly
    from the statements."""
    from lrs.analytics.vocab import epoch

    report = json.loads(run("report", "--store", store_with_roster, "--format", "json", "--from", "2026-03-10",
                            "--to", "2026-03-16"))
    low, high = epoch("2026-03-10T00:00:00Z"), epoch("2026-03-17T00:00:00Z")
    inside = [s for s in cohort.statements if low <= epoch(s["timestamp"]) < high]
    assert report["statements"] == len(inside)
    for found in report["courses"]:
        mine = [s for s in inside if any(found["id"] + end in json.dumps(s) for end in ('"', "/"))]
        actors = {json.dumps(s["actor"], sort_keys=True) for s in mine}
        # The course's completed (its session activity: the course, or the cmi5 AU below it), not a
        # video's or a scenario's.
        done = {json.dumps(s["actor"], sort_keys=True) for s in mine if s["verb"]["id"].endswith("/completed")
                and (s["object"]["id"] == found["id"] or s["object"]["id"].startswith(found["id"] + "/cmi5/"))}
        assert found["summary"]["launched"] == len(actors)
        assert found["summary"]["completed"] == len(done)
    bad = CliRunner().invoke(main, ["report", "--store", store_with_roster, "--from", "March"])
    assert bad.exit_code != 0 and "--from" in bad.output


@pytest.mark.parametrize("course", list(COURSES))
def test_modules_and_funnel(by_state: dict, cohort: Cohort, course: str) -> None:
    report = next(c for c in by_state["courses"] if c["id"] == course_iri(course))
    truths = [t for t in cohort.truths if t.course == course]
    assert [m["id"] for m in report["modules"]] == [f"{course_iri(course)}/{m}" for m in modules(course)]
    for module in report["modules"]:
        expected = module_figures(truths, module["id"])
        for name, value in expected.items():
            assert module[name] == pytest.approx(value), (module["id"], name)
        assert (module["pages"], module["questions"]) == (4, 2)
    expected_funnel = funnel(truths, course)
    assert [(p["page"], p["reached"]) for p in report["funnel"]] == expected_funnel
    assert [p["share"] for p in report["funnel"]] == pytest.approx([n / len(truths) for _, n in expected_funnel])
    assert [p["module"] for p in report["funnel"]] == [m for _, m in page_sequence(course)]


@pytest.mark.parametrize("course", list(COURSES))
def test_item_analysis(by_state: dict, cohort: Cohort, course: str) -> None:
    report = next(c for c in by_state["courses"] if c["id"] == course_iri(course))
    truths = [t for t in cohort.truths if t.course == course]
    expected = items(truths, course)
    found = {i["id"]: i for i in report["items"]}
    base = course_iri(course) + "/question/"
    assert set(found) == set(expected) | {base + q for q in ("a9", "a10", "a11", "a12", "a13", "a14", "s1", "s2")}, \
        "only the assessment's and the closing survey's questions are analysed"
    for iri, want in expected.items():
        item = found[iri]
        assert item["respondents"] == want["respondents"]
        assert item["difficulty"] == pytest.approx(want["difficulty"])
        if want["discrimination"] is None:
            assert item["discrimination"] is None
        else:
            assert item["discrimination"] == pytest.approx(want["discrimination"])
        options = item["analysis"]["options"]
        assert {o["id"]: o["count"] for o in options if o["count"]} == want["choices"]
        assert [o["id"] for o in options if o["key"]] == [want["key"]]
        assert item["correct_response"] == want["key"]
        assert item["upper_lower"] == pytest.approx(want["upper_lower"])
        assert item["type"] == "choice" and not item["analysis"]["multiple"]
    assert found[base + "a1"]["flags"] == ["too easy"]
    assert found[base + "a2"]["flags"] == ["too hard"]
    assert found[base + "a3"]["flags"] == ["negative discrimination"]
    assert all(not found[base + q]["flags"] or found[base + q]["difficulty"] >= 0.9 for q in CHOICE_ITEMS[3:])


def test_every_interaction_type_in_the_cohort(store_with_roster: str, cohort: Cohort) -> None:
    """The typed items of the generated assessment, summarised per type against the ground truth."""
    course = "first-contact-care"
    report = json.loads(run("report", "--store", store_with_roster, "--course", course, "--format", "json",
                            "--lang", "es"))
    truths = [t for t in cohort.truths if t.course == course]
    found = {i["id"].rsplit("/", 1)[-1]: i for i in report["courses"][0]["items"]}
    takers = [t for t in truths if t.attempts]

    multiple = found["a9"]
    assert multiple["analysis"]["multiple"] and multiple["key"] == "Opción A; Opción C"
    assert [o["id"] for o in multiple["analysis"]["options"] if o["key"]] == ["a", "c"]
    combos = Counter(tuple(sorted(r.split("[,]"))) for r in first_answers(truths, "a9"))
    assert {tuple(c["ids"]): c["count"] for c in multiple["analysis"]["combinations"]} == combos
    assert [c["ids"] for c in multiple["analysis"]["combinations"] if c["key"]] == [["a", "c"]]

    truefalse = found["a10"]
    assert {o["id"]: o["count"] for o in truefalse["analysis"]["options"]} == {
        "true": first_answers(truths, "a10").count("true"), "false": first_answers(truths, "a10").count("false")}
    assert [o["text"] for o in truefalse["analysis"]["options"]] == ["Verdadero", "Falso"]

    fill = found["a11"]["analysis"]
    normalised = Counter(" ".join(r.replace("{lang=es}", "").split()).casefold() for r in first_answers(truths, "a11"))
    assert {a["text"].casefold(): a["count"] for a in fill["answers"]} == normalised
    right = {" ".join(r.replace("{lang=es}", "").split()).casefold() for r in FILL_IN_RIGHT}
    assert {a["text"].casefold() for a in fill["answers"] if a["key"]} == right & set(normalised)

    numeric = found["a12"]["analysis"]
    given = [r for r in first_answers(truths, "a12")]
    numbers = sorted(float(r) for r in given if r.isdigit())
    assert numeric["numbers"] == len(numbers) and numeric["unreadable"] == given.count("doce")
    assert numeric["in_key"] == sum(1 for n in numbers if 4 <= n <= 6)
    assert numeric["median"] == pytest.approx(sorted(numbers)[len(numbers) // 2] if len(numbers) % 2 else
                                              (numbers[len(numbers) // 2 - 1] + numbers[len(numbers) // 2]) / 2)
    assert {b["label"]: b["count"] for b in numeric["histogram"]} == {f"{v:g}": n for v, n in Counter(numbers).items()}

    pairs = found["a13"]["analysis"]["pairs"]
    made = Counter(p for r in first_answers(truths, "a13") for p in r.split("[,]"))
    assert {f"{p['source']}[.]{p['target']}": p["count"] for p in pairs if p["count"]} == made
    assert {f"{p['source']}[.]{p['target']}" for p in pairs if p["key"]} == set(MATCHING_KEY.split("[,]"))

    orders = found["a14"]["analysis"]
    assert {"[,]".join(o["ids"]): o["count"] for o in orders["orders"]} == Counter(first_answers(truths, "a14"))
    assert ["[,]".join(o["ids"]) for o in orders["orders"] if o["key"]] == [SEQUENCING_KEY]

    likert = found["s1"]
    assert likert["difficulty"] is None and likert["key"] is None and likert["scored"] == 0
    assert {p["id"]: p["count"] for p in likert["analysis"]["points"] if p["count"]} == Counter(
        t.survey["s1"] for t in takers)
    assert likert["analysis"]["points"][0]["text"] == "Totalmente en desacuerdo"

    open_answers = found["s2"]["analysis"]["answers"]
    assert sorted(a["text"] for a in open_answers) == sorted(t.survey["s2"] for t in takers)
    assert all("learner" not in a for a in open_answers), "no identities without --show-learners"


def test_readable_titles_in_the_reports_language(store_with_roster: str) -> None:
    spanish = json.loads(run("report", "--store", store_with_roster, "--course", "protection-measures",
                             "--format", "json", "--lang", "es"))["courses"][0]
    english = json.loads(run("report", "--store", store_with_roster, "--course", "protection-measures",
                             "--format", "json", "--lang", "en"))["courses"][0]
    assert spanish["name"] == "Emisión, implementación y seguimiento de órdenes de protección"
    assert english["name"] == "Issuance, implementation and monitoring of protection orders"
    assert [m["name"] for m in spanish["modules"]] == ["Módulo 1", "Módulo 2", "Módulo 3"]
    assert [m["name"] for m in english["modules"]] == ["Module 1", "Module 2", "Module 3"]
    assert spanish["funnel"][0]["name"] == "Página 1.1" and english["funnel"][-1]["name"] == "Final assessment"
    items = {i["id"].rsplit("/", 1)[-1]: i for i in english["items"]}
    assert items["a13"]["key"] == "Situation 1 → Agency 2; Situation 2 → Agency 3; Situation 3 → Agency 1"
    assert items["a12"]["key"] == "4–6" and items["a14"]["key"] == "Step 2 → Step 1 → Step 4 → Step 3"
    table = run("report", "--store", store_with_roster, "--course", "protection-measures", "--lang", "es")
    assert "Personas inscritas" in table and "Análisis de reactivos" in table and "Módulo 2" in table


def test_module_progress_per_learner(store_with_roster: str, cohort: Cohort) -> None:
    course = "feminicide-investigation"
    report = json.loads(run("report", "--store", store_with_roster, "--course", course, "--format", "json",
                            "--show-learners"))["courses"][0]
    rows = {r["learner"]: r for r in report["learners"]}
    truths = {t.key: t for t in cohort.truths if t.course == course}
    enrolled = {k for k, courses in cohort.enrolments.items() if course in courses}
    assert set(rows) == set(truths) | enrolled, "launched learners and enrolled ones who never started"
    for key, row in rows.items():
        truth = truths.get(key)
        assert row["status"] == status(truth), key
        assert row["enrolled"] == (key in enrolled)
        for progress in row["modules"]:
            want = module_progress(truth, progress["id"]) if truth else {
                "pages_seen": 0, "self_check_answered": 0, "self_check_done": False, "completed": False,
                "last_activity": None}
            assert {k: progress[k] for k in want} == want, (key, progress["id"])
            assert (progress["pages"], progress["self_check_questions"]) == (4, 2)
        if truth:
            assert row["last_activity"] == truth.last.isoformat().replace("+00:00", "Z")
    waiting = [r for r in report["learners"] if r["status"] == "not started"]
    assert {r["learner"] for r in waiting} == {k for k in enrolled if k not in truths}
    table = run("report", "--store", store_with_roster, "--course", course, "--show-learners")
    assert f"not started: {len(waiting)}" in table
    csv = pd.read_csv(io.StringIO(run("report", "--store", store_with_roster, "--course", course, "--format", "csv",
                                      "--show-learners")), keep_default_na=False)
    seen = csv[(csv.section == "learner_module") & (csv.metric == "pages_seen")]
    assert len(seen) == len(rows) * len(modules(course))


def test_filters_since_until_and_course(store_with_roster: str, cohort: Cohort) -> None:
    everything = json.loads(run("report", "--store", store_with_roster, "--format", "json"))
    assert everything["statements"] == len(cohort.statements)
    one = json.loads(run("report", "--store", store_with_roster, "--format", "json", "--course",
                         "protection-measures"))
    assert [c["id"] for c in one["courses"]] == [course_iri("protection-measures")]
    future = json.loads(run("report", "--store", store_with_roster, "--format", "json", "--since",
                            "2999-01-01T00:00:00Z"))
    assert all(c["summary"]["launched"] == 0 for c in future["courses"]), "enrolled courses, nobody active"
    assert {c["enrolment"]["not_started"] for c in future["courses"]} == {c["enrolment"]["enrolled"]
                                                                          for c in future["courses"]}
    past = json.loads(run("report", "--store", store_with_roster, "--format", "json", "--until",
                          "2000-01-01T00:00:00Z"))
    assert past["statements"] == 0


def test_a_course_typo_lists_the_known_courses(store_with_roster: str) -> None:
    result = CliRunner().invoke(main, ["report", "--store", store_with_roster, "--course", "protection-measure"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no course 'protection-measure' in the store. Did you mean protection-measures?" in result.output
    for course in COURSES:
        assert course in result.output and course_iri(course) in result.output
    assert "no statements matched" not in result.output.lower()


def test_no_identities_unless_asked(small_db: str, small: Cohort) -> None:
    secrets = [t.name for t in small.truths] + [t.key.split("|")[-1].split(":")[-1] for t in small.truths]
    for fmt in ("table", "csv", "json", "html"):
        text = run("report", "--store", small_db, "--by", "municipality", "--format", fmt)
        assert not any(s in text for s in secrets), fmt
    shown = json.loads(run("report", "--store", small_db, "--format", "json", "--show-learners",
                           "--course", "reeducation-men"))
    rows = shown["courses"][0]["learners"]
    truths = {t.key: t for t in small.truths if t.course == "reeducation-men"}
    assert set(truths) <= {r["learner"] for r in rows}
    for row in rows:
        truth = truths.get(row["learner"])
        assert row["passed"] == (truth is not None and any(a.passed for a in truth.attempts))
        assert row["name"] == (truth.name if truth else "")
    survey = next(i for i in shown["courses"][0]["items"] if i["type"] == "long-fill-in")
    assert {a["learner"] for a in survey["analysis"]["answers"]} <= set(truths)


def test_formats(store_with_roster: str, by_state: dict) -> None:
    table = run("report", "--store", store_with_roster, "--by", "state", "--course", "first-contact-care")
    summary = next(c for c in by_state["courses"] if c["short_id"] == "first-contact-care")["summary"]
    assert f"course  {summary['launched']}" in " ".join(table.split("  ")) or str(summary["launched"]) in table
    assert "Guerrero" in table and "negative discrimination" in table and "Enrolled learners" in table
    frame = pd.read_csv(io.StringIO(run("report", "--store", store_with_roster, "--by", "state", "--format", "csv")),
                        keep_default_na=False)
    launched = frame[(frame.section == "course") & (frame.metric == "launched")]
    assert dict(zip(launched.course, launched.value.astype(int), strict=True)) == {
        c["id"]: c["summary"]["launched"] for c in by_state["courses"]}
    enrolled = frame[(frame.section == "enrolment") & (frame.group == "") & (frame.metric == "enrolled")]
    assert dict(zip(enrolled.course, enrolled.value.astype(int), strict=True)) == {
        c["id"]: c["enrolment"]["enrolled"] for c in by_state["courses"]}
    assert {"choice:a", "pair:s1>t2", "order:c2>c1>c4>c3", "scale:l3", "median", "open_answers"} <= set(frame.metric)
    html = run("report", "--store", store_with_roster, "--format", "html")
    assert html.count("<svg") >= 4 * 4 and "<table>" in html and "http" not in html.split("<body>")[0].replace(
        "http://www.w3.org", "")


def test_bad_input_is_one_clear_line(store_with_roster: str, tmp_path: Path) -> None:
    runner = CliRunner()
    cases = [
        ["report", "--store", store_with_roster, "--since", "yesterday"],
        ["report", "--store", "mysql://nowhere"],
        ["report", "--store", store_with_roster, "--by", "planet"],
        ["report", "--from-lrs", "http://127.0.0.1:9/xAPI"],
        ["report", "--store", store_with_roster, "--lang", "fr"],
    ]
    for args in cases:
        result = runner.invoke(main, args)
        assert result.exit_code != 0, args
        assert "Traceback" not in result.output and result.exception is None or isinstance(
            result.exception, SystemExit), args
        assert "Error" in result.output, args
