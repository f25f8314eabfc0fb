"""Page blocks and open answers in the report (issues 14 and 16): per video how many learners
started and finished it, per scenario the paths taken and the endings reached, and the open
answers for tutors with their rubric, through the CLI on every store kind and the dashboard,
against figures computed here from the generated cohort's ground truth. The cohort's block
statements are shaped as docs/xapi-runtime.md and tests/e2e/test_blocks_xapi.py say the
runtime sends them (lrs/analytics/cohort.py, ``_page_blocks``)."""

from __future__ import annotations

import io
import json
import statistics
from collections import Counter

import pandas as pd
import pytest
from click.testing import CliRunner
from cohort import COURSES, Cohort, Truth, course_iri, question_iri

from lrs.analytics.cohort import PRODUCT_RUBRIC, product_iri, scenario_iri, video_iri
from lrs.cli import main


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def expected_media(truths: list[Truth]) -> dict:
    uses = [t.video for t in truths if t.video is not None]
    return {"started": len(uses), "finished": sum(1 for u in uses if u[1]),
            "progress_median": statistics.median([u[2] for u in uses]) if uses else None}


def expected_scenario(truths: list[Truth]) -> dict:
    walkers = [t for t in truths if t.walks]
    endings: Counter = Counter()
    learners: dict[tuple, set] = {}
    first: Counter = Counter()
    paths: Counter = Counter()
    for truth in walkers:
        ended = [w for w in truth.walks if w[2] is not None]
        for _, path, scene, outcome in ended:
            endings[(scene, outcome)] += 1
            learners.setdefault((scene, outcome), set()).add(truth.key)
            paths[(">".join(path), outcome)] += 1
        if ended:
            first[(ended[0][2], ended[0][3])] += 1
    walks = sum(len(t.walks) for t in walkers)
    finished = sum(endings.values())
    return {"started": len(walkers), "reached_an_ending": sum(1 for t in walkers if any(w[2] for w in t.walks)),
            "walks": walks, "walks_finished": finished, "walks_abandoned": walks - finished,
            "endings": {key: (count, len(learners[key]), first[key]) for key, count in endings.items()},
            "paths": dict(paths)}


def check_course(course: dict, truths: list[Truth]) -> None:
    name = course["short_id"]
    want = expected_media(truths)
    [media] = course["media"]
    assert media["id"] == video_iri(name) and media["kind"] == "video"
    assert media["page"] == f"{course_iri(name)}/m1/p2" and media["module"] == f"{course_iri(name)}/m1"
    assert {k: media[k] for k in want} == pytest.approx(want), name
    assert media["started_share"] == pytest.approx(want["started"] / len(truths))
    want = expected_scenario(truths)
    [scenario] = course["scenarios"]
    assert scenario["id"] == scenario_iri(name) and scenario["module"] == f"{course_iri(name)}/m2"
    for key in ("started", "reached_an_ending", "walks", "walks_finished", "walks_abandoned"):
        assert scenario[key] == want[key], (name, key)
    assert {(e["ending"], e["outcome"]): (e["walks"], e["learners"], e["first"])
            for e in scenario["endings"]} == want["endings"]
    assert [e["outcome"] for e in scenario["endings"]] == sorted(
        (e["outcome"] for e in scenario["endings"]), key=["good", "acceptable", "harmful"].index)
    assert {(">".join(p["path"]), p["outcome"]): p["walks"] for p in scenario["paths"]} == want["paths"]
    assert sum(scenario["first_outcomes"].values()) == want["reached_an_ending"]
    # Block statements are neither questions nor pages nor outcomes of a module or the course.
    assert not [i for i in course["items"] if "/scene/" in i["id"] or "/reflection/" in i["id"]]
    assert not [p for p in course["funnel"] if "/video/" in p["page"] or p["page"].endswith("/scenario")]
    assert all(m["questions"] == 2 for m in course["modules"]), "a self-check has its two questions, no more"


def test_media_and_scenarios_on_every_store(small_in_every_store: str, small: Cohort) -> None:
    report = json.loads(run("report", "--store", small_in_every_store, "--format", "json"))
    assert {c["short_id"] for c in report["courses"]} == set(COURSES)
    for course in report["courses"]:
        check_course(course, [t for t in small.truths if t.course == course["short_id"]])


def test_media_and_scenarios_in_the_full_cohort_with_parallel_readers(store_with_roster: str, cohort: Cohort) -> None:
    one = run("report", "--store", store_with_roster, "--format", "json", "--jobs", "1")
    two = run("report", "--store", store_with_roster, "--format", "json", "--jobs", "2")
    assert one == two, "the same figures whatever the number of readers"
    for course in json.loads(one)["courses"]:
        check_course(course, [t for t in cohort.truths if t.course == course["short_id"]])


def test_text_and_csv_show_blocks(store_with_roster: str) -> None:
    report = json.loads(run("report", "--store", store_with_roster, "--format", "json", "--course",
                            "first-contact-care"))
    [course] = report["courses"]
    media, scenario = course["media"][0], course["scenarios"][0]
    table = run("report", "--store", store_with_roster, "--course", "first-contact-care")
    assert "## Video and audio" in table and "## Scenarios" in table
    assert f"{scenario['started']} learners started, {scenario['reached_an_ending']} reached an ending" in table
    assert "call → ask-safety" not in table and "call → safe → good-end" in table
    spanish = run("report", "--store", store_with_roster, "--course", "first-contact-care", "--lang", "es")
    assert "## Video y audio" in spanish and "## Escenarios" in spanish and "dañino" in spanish
    assert "La primera llamada" in spanish, "the media's title in the report's language"
    frame = pd.read_csv(io.StringIO(run("report", "--store", store_with_roster, "--format", "csv", "--course",
                                        "first-contact-care")), keep_default_na=False)
    rows = frame[frame.section == "media"]
    assert dict(zip(rows.metric, rows.value, strict=True))["finished"] == str(media["finished"])
    rows = frame[frame.section == "scenarios"]
    found = dict(zip(rows.metric, rows.value, strict=True))
    assert found["walks"] == str(scenario["walks"])
    for ending in scenario["endings"]:
        assert found[f"ending:{ending['ending']}:{ending['outcome']}:walks"] == str(ending["walks"])


def expected_submissions(cohort: Cohort, course: str) -> dict[tuple[str, str], tuple[str, int]]:
    """Each learner's latest open answer per question, and how many she sent: the product (with
    a rubric) and the closing survey's open question (without)."""
    found = {(t.key, product_iri(course)): (t.products[-1][1], len(t.products))
             for t in cohort.truths if t.course == course and t.products}
    found.update({(t.key, question_iri(course, "s2")): (t.survey["s2"], 1)
                  for t in cohort.truths if t.course == course and "s2" in t.survey})
    return found


def test_submissions_for_tutors_on_every_store(small_in_every_store: str, small: Cohort) -> None:
    resent = 0
    for lang, locale in (("es", "es-MX"), ("en", "en-US")):
        report = json.loads(run("report", "--store", small_in_every_store, "--format", "json", "--submissions",
                                "--lang", lang, "--by", "institution"))
        for course in report["courses"]:
            want = expected_submissions(small, course["short_id"])
            rows = course["submissions"]
            assert {(r["learner"], r["question"]): (r["answer"], r["times"]) for r in rows} == want
            resent += sum(1 for _, times in want.values() if times > 1)
            products = [r for r in rows if r["question"] == product_iri(course["short_id"])]
            languages = {t.lang for t in small.truths if t.course == course["short_id"] and t.products}
            if lang in languages:  # the rubric in the report's language when a package sent it
                assert {r["rubric"] for r in products} == {PRODUCT_RUBRIC[locale]}
            assert {r["rubric"] for r in rows if r not in products} <= {None}, "the survey has no rubric"
            for row in rows:
                attributes = small.attributes.get(row["learner"])
                assert row["group"] == (attributes["institution"] if attributes else "(not in roster)")
            assert [r["group"] for r in rows] == sorted(r["group"] for r in rows)
    assert resent, "some learners sent their product twice: the latest is shown"
    plain = json.loads(run("report", "--store", small_in_every_store, "--format", "json"))
    assert all("submissions" not in c for c in plain["courses"]), "identities only when asked"


def test_submissions_filtered_by_group_in_text_and_csv(store_with_roster: str, cohort: Cohort) -> None:
    want = {k: v for k, v in expected_submissions(cohort, "protection-measures").items()
            if (cohort.attributes.get(k[0]) or {}).get("cohort") == "2026-B"}
    assert want
    text = run("report", "--store", store_with_roster, "--course", "protection-measures", "--submissions",
               "--filter", "cohort=2026-B", "--lang", "es")
    assert "## Respuestas abiertas para la tutoría" in text and "### generación: 2026-B" in text
    assert "2026-A" not in text.split("## Respuestas abiertas para la tutoría")[1]
    assert "Rúbrica: " + PRODUCT_RUBRIC["es-MX"] in text
    for answer, _ in want.values():
        assert "  > " + answer in text
    html = run("report", "--store", store_with_roster, "--format", "html", "--course", "protection-measures",
               "--submissions", "--filter", "cohort=2026-B", "--lang", "es")
    assert "Rúbrica: Tu plan de seguridad" in html and PRODUCT_RUBRIC["es-MX"] in html
    assert "Generación: 2026-B" in html and "Generación: 2026-A" not in html
    assert all(answer in html for answer, _ in want.values())
    frame = pd.read_csv(io.StringIO(run("report", "--store", store_with_roster, "--format", "csv", "--course",
                                        "protection-measures", "--submissions", "--filter", "cohort=2026-B")),
                        keep_default_na=False)
    answers = frame[(frame.section == "submission") & (frame.metric == "answer")]
    assert {(r.group, r.item): r.value for r in answers.itertuples()} == {k: v[0] for k, v in want.items()}
