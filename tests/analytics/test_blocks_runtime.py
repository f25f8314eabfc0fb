"""The block figures from statements the runtime really sends: the test fixture course with a
video, an in-page check, a reflection and a scenario (tests/fixtures/courses/blocks), built as Tin Can, played in
headless Chromium against our LRS (``spotlight-lrs serve``), then ``spotlight-lrs report`` read
from that LRS's store. One learner watches the video to its end, answers the check, sends her reflection and walks
the scenario to two endings; another plays the video a little and leaves."""

from __future__ import annotations

import json
import sys
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

E2E = Path(__file__).parents[1] / "e2e"
sys.path.insert(0, str(E2E))

import blocks_support  # noqa: E402
import xapi_support as support  # noqa: E402

pytestmark = pytest.mark.browser

BLOCKS = Path(__file__).parents[1] / "fixtures" / "courses" / "blocks"
COURSE = "https://spotlight-pack.org/xapi/activities/blocks"
VIDEO = f"{COURSE}/media/first-call/video/first-call"
SCENARIO = f"{COURSE}/scenario/first-call/scenario"
SCENE = "section.page:not([hidden]) .scene:not([hidden]) button.choice"


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[support.LRS]:
    """Our LRS after two learners' sessions of the blocks course."""
    import spotlight_pack

    reason = support.missing_requirement()
    if reason:
        support.skip_or_fail(reason)
    workdir = tmp_path_factory.mktemp("blocks-report")
    lrs = support.LRS(workdir / "lrs")
    (workdir / "lrs").mkdir()
    (workdir / "www").mkdir()
    content = support.ContentServer(workdir / "www")
    try:
        lrs.start()
        content.start()
        [package] = spotlight_pack.build([BLOCKS], formats=["tincan"], languages=["en"], out=workdir / "dist")
        url = content.add_package("tincan", Path(package))
        auth = support.basic(*lrs.credential("statements/write", "state", name="launches"))
        with support.chromium() as browser:
            ana = _launch(browser, lrs, url, auth, "ana")
            try:
                _watch_to_the_end(ana.page)
                ana.page.locator("#next").click()
                blocks_support.answer_check(ana.page)  # the in-page check: practice, not a self-check
                ana.page.locator("section.page:not([hidden]) .reflection textarea").fill("That she is not alone.")
                ana.page.locator("section.page:not([hidden]) .reflection-send").click()
                ana.page.locator("#next").click()
                for choice in ("Ask her for proof", "Apologise", "Tell her to call back"):
                    ana.page.locator(SCENE, has_text=choice).click()
                ana.page.locator("section.page:not([hidden]) .scenario-restart").click()
                for choice in ("Ask whether she is somewhere safe", "Agree a safety plan"):
                    ana.page.locator(SCENE, has_text=choice).click()
                _exit(ana.page)
            finally:
                ana.page.context.close()
            bea = _launch(browser, lrs, url, auth, "bea")
            try:
                video = bea.page.locator("section.page:not([hidden]) video")
                video.evaluate("v => v.play()")
                bea.page.wait_for_function(
                    "() => document.querySelector('section.page:not([hidden]) video').currentTime > 0.5")
                video.evaluate("v => v.pause()")
                _exit(bea.page)
            finally:
                bea.page.context.close()
        # Both sessions' last statements (the media's and the course's terminated) are stored.
        support.wait_for(lambda: sum(1 for s in lrs.statements(activity=COURSE, related_activities="true")
                                     if s["verb"]["id"].endswith("/terminated") and s["object"]["id"] == VIDEO) == 2)
        yield lrs
    finally:
        content.stop()
        lrs.stop()


def _launch(browser: Any, lrs: support.LRS, url: str, auth: str, who: str) -> support.Watched:
    actor = {"objectType": "Agent", "name": who.title(), "mbox": f"mailto:{who}-{uuid.uuid4().hex[:6]}@example.org"}
    query = urllib.parse.urlencode({"endpoint": lrs.endpoint, "auth": "Basic " + auth, "actor": json.dumps(actor),
                                    "registration": str(uuid.uuid4()), "activity_id": COURSE})
    watched = support.watch(browser.new_context())
    watched.page.goto(url + "index.html?" + query)
    watched.page.wait_for_load_state("networkidle")
    return watched


def _watch_to_the_end(page: Any) -> None:
    page.locator("section.page:not([hidden]) video").evaluate("v => v.play()")
    page.wait_for_function("() => document.querySelector('section.page:not([hidden]) video').ended", timeout=15000)


def _exit(page: Any) -> None:
    page.locator("#exit").click()
    page.locator("#closed").wait_for(state="visible")


def test_report_of_what_the_runtime_sent(played: support.LRS) -> None:
    report = json.loads(played.cli("report", "--format", "json", "--submissions", "--course", "blocks"))
    [course] = report["courses"]
    [media] = course["media"]
    assert media["id"] == VIDEO and media["kind"] == "video"
    assert media["name"] == "The first call: what to say in the first minute"
    assert (media["started"], media["finished"], media["finish_rate"]) == (2, 1, 0.5)
    assert 0 < media["progress_median"] < 1, "one finished (1), one played a little"
    [scenario] = course["scenarios"]
    assert scenario["id"] == SCENARIO
    assert (scenario["started"], scenario["reached_an_ending"], scenario["walks"], scenario["walks_abandoned"]) == (
        1, 1, 2, 0)
    assert [(e["ending"], e["outcome"], e["walks"], e["first"]) for e in scenario["endings"]] == [
        ("good-end", "good", 1, 0), ("acceptable-end", "acceptable", 1, 1)]
    assert sorted((p["path"], p["outcome"]) for p in scenario["paths"]) == [
        (["call", "doubt", "safe", "acceptable-end"], "acceptable"), (["call", "safe", "good-end"], "good")]
    [answer] = course["submissions"]
    assert answer["answer"] == "That she is not alone." and answer["question"].endswith("/reflection/first-words")
    assert answer["name"] == "Ana" and answer["group"] == "(not in roster)"
    # The blocks are neither pages nor questions nor outcomes: the reflection is practice, not a
    # self-check; the video's and the scenario's completed do not complete the course.
    assert course["items"] == [], "no scene, reflection or in-page check is an assessment item"
    answered = {s["object"]["id"] for s in played.statements(activity=COURSE, related_activities="true")
                if s["verb"]["id"].endswith("/answered")}
    assert {f"{COURSE}/question/chk-first", f"{COURSE}/question/chk-who"} <= answered, "the check was answered"
    assert [m["questions"] for m in course["modules"]] == [0, 0, 0], "the course has no self-check"
    assert course["summary"]["completed"] == sum(
        1 for s in played.statements(activity=COURSE) if s["verb"]["id"].endswith("/completed"))
    table = played.cli("report", "--course", "blocks")
    assert "call → safe → good-end" in table and "The first call" in table
