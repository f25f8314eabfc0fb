"""The documented rules (docs/analytics.md) on hand-written statements, including content that is
not ours: generic ADL vocabulary, LMS-assigned cmi5 AU ids, statements out of order."""

from __future__ import annotations

from lrs.analytics.report import Aggregator
from lrs.analytics.vocab import CourseResolver

V = "http://adlnet.gov/expapi/verbs/"
T = "http://adlnet.gov/expapi/activities/"
COURSE = "http://vendor.example/courses/safety"


def st(verb: str, obj: str, when: str, who: str = "ana", *, obj_type: str | None = None,
       parent: str | None = None, grouping: list[str] | None = None, result: dict | None = None) -> dict:
    activity: dict = {"objectType": "Activity", "id": obj}
    if obj_type:
        activity["definition"] = {"type": T + obj_type}
    context: dict = {"contextActivities": {}}
    if parent:
        context["contextActivities"]["parent"] = [{"id": parent}]
    if grouping:
        context["contextActivities"]["grouping"] = [{"id": g} for g in grouping]
    statement = {"actor": {"mbox": f"mailto:{who}@example.org"}, "verb": {"id": V + verb}, "object": activity,
                 "context": context, "timestamp": f"2026-05-01T{when}Z"}
    if result:
        statement["result"] = result
    return statement


def test_course_resolution_rules() -> None:
    resolve = CourseResolver()
    # Rule 4: a module-less generic statement whose only grouping is the course.
    assert resolve(st("experienced", "http://vendor.example/page/9", "10:00:00", grouping=[COURSE])) == COURSE
    # Rule 3: an LMS-assigned AU id outside the course; the course prefixes the publisher id.
    lms = st("completed", "https://lms.example/au/77", "10:00:00",
             grouping=[f"{COURSE}/cmi5/es/au", COURSE])
    assert resolve(lms) == COURSE
    # A grouping module above the parent quiz is not a course (rule 4 refuses it) ...
    module_only = st("answered", f"{COURSE}/question/q1", "10:00:00", parent=f"{COURSE}/m1/m1-quiz",
                     grouping=[f"{COURSE}/m1"])
    assert resolve(module_only) is None
    # ... until the course is declared (rule 1), then rule 2 attributes it.
    assert resolve(st("initialized", COURSE, "09:00:00", obj_type="course")) == COURSE
    assert resolve(module_only) == COURSE
    assert resolve({"actor": {}, "verb": {"id": V + "voided"},
                    "object": {"objectType": "StatementRef", "id": "x"}}) is None


def test_out_of_order_statements_are_retried_at_the_end() -> None:
    page = st("experienced", f"{COURSE}/m1/p1", "10:05:00", parent=f"{COURSE}/m1")
    start = st("initialized", COURSE, "10:00:00", obj_type="course")
    report = Aggregator().add_all([page, start]).report()
    course = report["courses"][0]
    assert report["unattributed"] == 0 and course["id"] == COURSE
    assert [m["id"] for m in course["modules"]] == [f"{COURSE}/m1"]
    assert course["funnel"][0]["reached"] == 1


def test_generic_content_outcomes_items_and_first_answers() -> None:
    quiz = f"{COURSE}/final"
    statements = [
        st("initialized", COURSE, "09:00:00", "ana", obj_type="course"),
        st("initialized", COURSE, "09:00:00", "bob", obj_type="course"),
        st("initialized", COURSE, "09:00:00", "eve", obj_type="course"),
        # ana fails twice then passes: 3 attempts; best score 90.
        st("failed", COURSE, "09:10:00", "ana", result={"score": {"raw": 4, "min": 0, "max": 10}}),
        st("failed", COURSE, "09:20:00", "ana", result={"score": {"scaled": 0.5}}),
        st("passed", COURSE, "09:30:00", "ana", result={"score": {"scaled": 0.9}}),
        st("completed", COURSE, "09:40:00", "ana"),
        # bob passes first time, a late failed after passing does not count as an attempt.
        st("passed", COURSE, "09:05:00", "bob", result={"score": {"raw": 70}}),
        st("failed", COURSE, "09:50:00", "bob", result={"score": {"raw": 20}}),
        # eve only fails.
        st("failed", COURSE, "09:15:00", "eve", result={"score": {"scaled": 0.1}}),
        # Items: questions under a course-level quiz; first answers only (ana's second is ignored).
        st("answered", "http://vendor.example/q/1", "09:01:00", "ana", parent=quiz, grouping=[COURSE],
           result={"success": False, "response": "b"}),
        st("answered", "http://vendor.example/q/1", "09:25:00", "ana", parent=quiz, grouping=[COURSE],
           result={"success": True, "response": "a"}),
        st("answered", "http://vendor.example/q/1", "09:01:00", "bob", parent=quiz, grouping=[COURSE],
           result={"success": True, "response": "a"}),
        st("answered", "http://vendor.example/q/1", "09:01:00", "eve", parent=quiz, grouping=[COURSE],
           result={"success": False, "response": "b[,]c"}),
        {"actor": {"mbox": "mailto:x@example.org"}, "verb": {"id": V + "voided"},
         "object": {"objectType": "StatementRef", "id": "00000000-0000-4000-8000-000000000000"}},
    ]
    course = Aggregator().add_all(reversed(statements)).report()["courses"][0]
    summary = course["summary"]
    assert (summary["launched"], summary["passed"], summary["failed"], summary["completed"]) == (3, 2, 1, 1)
    assert summary["pass_rate"] == 2 / 3
    assert summary["score_median"] == 70.0  # best scores 90, 70, 10
    assert summary["attempts_to_pass_distribution"] == {"1": 1, "3+": 1}
    assert summary["time_to_complete_median_s"] == 40 * 60
    (item,) = course["items"]
    assert (item["respondents"], item["correct"]) == (3, 1)
    # No definition, so no interactionType: responses are counted as sent ("other").
    assert item["type"] == "other"
    assert {a["text"]: a["count"] for a in item["analysis"]["answers"]} == {"a": 1, "b": 1, "b[,]c": 1}


OTHER = "http://tool.example/published/77"


def other_tool(verb: str, obj: str, when: str, who: str, *, parent: str | None = None,
               result: dict | None = None) -> dict:
    """A statement as other authoring tools send them: activities without a type."""
    statement = st(verb, obj, when, who, parent=parent, result=result)
    if not parent:
        del statement["context"]
    return statement


def test_an_untyped_activity_of_course_verbs_is_a_course_of_its_own() -> None:
    """Rule 5: content from other tools (no activity type) still shows as a course, beside ours."""
    statements = [
        other_tool("experienced", f"{OTHER}/slide1", "10:01:00", "ana", parent=OTHER),  # before its launch
        other_tool("launched", OTHER, "10:00:00", "ana"),
        other_tool("launched", OTHER, "10:00:00", "bob"),
        other_tool("experienced", f"{OTHER}/slide2", "10:02:00", "ana", parent=OTHER),
        other_tool("experienced", f"{OTHER}/slide1", "10:01:00", "bob", parent=OTHER),
        other_tool("answered", f"{OTHER}/quiz/q1", "10:03:00", "ana", parent=f"{OTHER}/quiz",
                   result={"success": True, "response": "b"}),
        other_tool("completed", OTHER, "10:05:00", "ana"),
        other_tool("passed", OTHER, "10:05:00", "ana", result={"score": {"scaled": 0.9}}),
        other_tool("failed", OTHER, "10:06:00", "bob", result={"score": {"scaled": 0.4}}),
        # Ours beside it: a cmi5 AU (no type either) grouped under a typed course stays in that course.
        st("initialized", COURSE, "09:00:00", "eve", obj_type="course"),
        st("completed", "https://lms.example/au/5", "09:30:00", "eve", grouping=[f"{COURSE}/cmi5/es/au", COURSE]),
        # An untyped page with no context and a verb about pages is not a course.
        other_tool("experienced", "http://tool.example/loose-page", "11:00:00", "ana"),
    ]
    report = Aggregator().add_all(statements).report()
    courses = {c["id"]: c for c in report["courses"]}
    assert set(courses) == {OTHER, COURSE}
    other = courses[OTHER]
    summary = other["summary"]
    assert (summary["launched"], summary["completed"], summary["passed"], summary["failed"]) == (2, 1, 1, 1)
    assert [(p["page"], p["reached"]) for p in other["funnel"]] == [(f"{OTHER}/slide1", 2), (f"{OTHER}/slide2", 1)]
    assert [i["id"] for i in other["items"]] == [f"{OTHER}/quiz/q1"]
    assert courses[COURSE]["summary"]["completed"] == 1
    assert report["unattributed"] == 1
    assert CourseResolver()(other_tool("experienced", OTHER, "10:00:00", "ana")) is None, "only course verbs"
    typed = other_tool("completed", OTHER, "10:00:00", "ana")
    typed["object"]["definition"] = {"type": T + "lesson"}
    assert CourseResolver()(typed) is None, "an activity with a type keeps its type"
    # The object's own type decides, not a typed activity of its context (a tool's typed category).
    in_category = other_tool("completed", OTHER, "10:00:00", "ana")
    in_category["context"] = {"contextActivities": {"category": [{"id": "http://tool.example/profile",
                                                                  "definition": {"type": T + "profile"}}]}}
    assert CourseResolver()(in_category) == OTHER


def test_mixed_content_in_parts_merges_like_one_pass() -> None:
    import random

    statements = [other_tool("experienced", f"{OTHER}/slide{i % 3}", f"10:{i % 60:02d}:00", f"l{i % 7}",
                             parent=OTHER) for i in range(60)]
    statements += [other_tool("launched", OTHER, "09:00:00", f"l{i}") for i in range(7)]
    random.Random(5).shuffle(statements)
    whole = Aggregator().add_all(statements).report(show_learners=True)
    for cut in (10, 33, 61):
        merged = Aggregator().add_all(statements[:cut]).merge(Aggregator().add_all(statements[cut:]))
        assert merged.report(show_learners=True) == whole, cut


def test_exports_name_the_untyped_course_too() -> None:
    from lrs.analytics.export import select

    statements = [other_tool("launched", OTHER, "10:00:00", "ana"),
                  other_tool("experienced", f"{OTHER}/slide1", "10:01:00", "ana", parent=OTHER)]
    assert [course for _, course in select(statements, None)] == [OTHER, OTHER]
    assert [course for _, course in select(statements, "77")] == [OTHER, OTHER], "--course takes its last segment"


def test_untyped_courses_through_the_cli_on_every_store(any_store_url: str) -> None:
    """Rule 5 where an analyst meets it: statements of another tool stored in a real store, then
    ``report`` and ``export`` by command line (its course known by id, never "no course")."""
    import io
    import json

    import pandas as pd
    from click.testing import CliRunner
    from helpers import load

    from lrs.cli import main
    from lrs.stores import open_store

    statements = [other_tool("launched", OTHER, "10:00:00", who) for who in ("ana", "bob", "cy")]
    statements += [other_tool("experienced", f"{OTHER}/slide1", "10:01:00", who, parent=OTHER)
                   for who in ("ana", "bob")]
    statements += [other_tool("passed", OTHER, "10:05:00", "ana", result={"score": {"scaled": 0.9}}),
                   other_tool("failed", OTHER, "10:06:00", "bob", result={"score": {"scaled": 0.4}})]
    with open_store(any_store_url) as store:
        load(store, statements)
    runner = CliRunner()
    result = runner.invoke(main, ["report", "--store", any_store_url, "--format", "json", "--course", "77"])
    assert result.exit_code == 0, result.output
    [course] = json.loads(result.output)["courses"]
    assert course["id"] == OTHER
    assert (course["summary"]["launched"], course["summary"]["passed"], course["summary"]["failed"]) == (3, 1, 1)
    result = runner.invoke(main, ["export", "--store", any_store_url, "--course", "77"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.stdout), keep_default_na=False)
    assert len(frame) == len(statements) and set(frame.course) == {OTHER}
