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
    assert {c["id"]: c["count"] for c in item["choices"]} == {"a": 1, "b": 2, "c": 1}
