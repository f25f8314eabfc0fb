"""A learner who uses every block of the blocks fixture course, the same way in every format: the
video played with its captions and transcript, the download opened, the accordion, the tabs and the
in-page check driven by the keyboard, the reflection written (and sent), the scenario walked to two
endings (harmful, then good); axe-core run on each page with its blocks closed and open. Shared by
test_blocks_browser.py (SCORM under scorm-again) and test_blocks_xapi.py (cmi5, Tin Can, SCORM 1.2 +
xAPI into our LRS), which then check what each format recorded.

``frame`` is where the player runs (a Playwright Page, or the Frame of the LMS's iframe); ``page`` is
the top Page (downloads are its events).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BLOCKS = Path(__file__).resolve().parents[1] / "fixtures" / "courses" / "blocks"
RULES = "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}"
SHOWN = "section.page:not([hidden])"
CHECK = "activities-first-check"
COURSE = "https://spotlight-pack.org/xapi/activities/blocks"
PRACTICE = f"{COURSE}/activities/practice"
QUESTION = f"{COURSE}/question/"


@dataclass
class Walk:
    """What the learner saw that a test asserts on: axe violations and sideways scrolling."""

    width: int
    violations: list[str] = field(default_factory=list)
    overflow: list[str] = field(default_factory=list)


def audit(frame: Any, axe: Path, walk: Walk, where: str) -> None:
    """axe-core on the player's document, and no sideways scroll at this width."""
    if not frame.evaluate("typeof window.axe !== 'undefined'"):
        frame.add_script_tag(path=str(axe))
    found = frame.evaluate(f"axe.run(document, {RULES}).then(r => r.violations)")
    walk.violations += [
        f"{where} at {walk.width} px: {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in found
    ]
    if frame.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") > 0:
        walk.overflow.append(f"{where} scrolls sideways at {walk.width} px")


def focused(frame: Any, locator: Any) -> bool:
    return bool(locator.evaluate("e => e === document.activeElement"))


def press(frame: Any, key: str) -> None:
    """A key pressed where the focus is (inside an iframe too)."""
    frame.locator(":focus").press(key)


def media_page(frame: Any, page: Any, axe: Path, walk: Walk) -> None:
    """The video: transcript by keyboard, played with captions showing to its end; the PDF downloaded."""
    section = frame.locator(SHOWN)
    section.locator("h1", has_text="The first call").wait_for()
    audit(frame, axe, walk, "media page (closed)")
    figure = section.locator("figure.video")
    toggle = figure.locator(".transcript-toggle")
    transcript = figure.locator(".transcript")
    assert toggle.get_attribute("aria-expanded") == "false" and transcript.is_hidden()
    toggle.focus()
    press(frame, "Enter")
    assert toggle.get_attribute("aria-expanded") == "true" and transcript.is_visible()
    assert "Officer: Good morning" in transcript.inner_text()
    video = figure.locator("video")
    assert video.get_attribute("autoplay") is None and video.evaluate("v => v.paused && v.currentTime === 0")
    video.evaluate("v => v.play()")
    frame.wait_for_function(
        "() => { const t = document.querySelector('section.page:not([hidden]) video').textTracks[0];"
        " return t.mode === 'showing' && t.activeCues && t.activeCues.length > 0; }"
    )
    frame.wait_for_function("() => document.querySelector('section.page:not([hidden]) video').ended", timeout=15000)
    link = section.locator("a.download")
    assert link.inner_text().endswith("(PDF, 594 B)") and link.get_attribute("type") == "application/pdf"
    with page.expect_download() as download:
        link.focus()
        press(frame, "Enter")
    assert download.value.suggested_filename == "referral-form.pdf"
    assert Path(download.value.path()).read_bytes() == (BLOCKS / "media" / "referral-form.pdf").read_bytes()
    section.locator("figure.audio .transcript-toggle").click()
    audit(frame, axe, walk, "media page (open)")


def accordion_and_tabs(frame: Any) -> None:
    section = frame.locator(SHOWN)
    headers = section.locator(".accordion-heading button")
    panels = section.locator(".accordion-panel")
    assert headers.count() == 2 and panels.nth(0).is_hidden() and panels.nth(1).is_hidden()
    headers.nth(0).focus()
    press(frame, "Enter")
    assert headers.nth(0).get_attribute("aria-expanded") == "true" and panels.nth(0).is_visible()
    press(frame, "ArrowDown")
    assert focused(frame, headers.nth(1))
    press(frame, " ")
    assert panels.nth(1).is_visible() and "Public Prosecutor" in panels.nth(1).inner_text()
    tabs = section.locator("[role=tab]")
    tab_panels = section.locator("[role=tabpanel]")
    assert tabs.nth(0).get_attribute("aria-selected") == "true" and tab_panels.nth(1).is_hidden()
    tabs.nth(0).focus()
    press(frame, "ArrowRight")
    assert tabs.nth(1).get_attribute("aria-selected") == "true" and focused(frame, tabs.nth(1))
    assert tab_panels.nth(1).is_visible() and tab_panels.nth(0).is_hidden()
    press(frame, "End")
    assert tabs.nth(2).get_attribute("aria-selected") == "true" and "one place" in tab_panels.nth(2).inner_text()


def answer_check(frame: Any) -> None:
    """The check with the keyboard only: the first question right, the second wrong. Focus an option,
    choose with the arrow keys (the options are shuffled per attempt), Tab to "Check this answer",
    Enter; the verdict takes the focus and is read out."""
    form = frame.locator(f'{SHOWN} form[data-quiz="{CHECK}"]')
    for question, value, verdict_text in (("chk-first", "a", "Correct"), ("chk-who", "true", "Incorrect")):
        fieldset = form.locator(f'fieldset[data-question="{question}"]')
        fieldset.wait_for()
        fieldset.locator("input").first.focus()
        for _ in range(fieldset.locator("input").count()):
            if fieldset.locator(f'input[value="{value}"]').is_checked():
                break
            press(frame, "ArrowDown")
        assert fieldset.locator(f'input[value="{value}"]').is_checked()
        press(frame, "Tab")
        assert focused(frame, fieldset.locator("button.check"))
        press(frame, "Enter")
        assert fieldset.locator(".verdict").inner_text() == verdict_text
    summary = form.locator(".summary")
    assert summary.inner_text() == "You answered 1 of 2 questions correctly."
    assert focused(frame, form.locator(".retry")), "after the last answer, focus goes to Try again"
    shown = form.inner_text()
    assert "Right. Her safety comes first." in shown and "No. The Public Prosecutor can ask for one too." in shown
    assert "False (correct answer)" in shown
    assert frame.locator("#live").evaluate("l => l.getAttribute('aria-live')") in ("polite", "assertive")


def practice_page(frame: Any, axe: Path, walk: Walk, send: bool) -> None:
    frame.locator("#next").click()
    frame.locator(SHOWN).locator("h1", has_text="Practise").wait_for()
    frame.locator(f'{SHOWN} form[data-quiz="{CHECK}"] fieldset:not([hidden])').first.wait_for()
    audit(frame, axe, walk, "practice page (closed)")
    accordion_and_tabs(frame)
    answer_check(frame)
    box = frame.locator(f"{SHOWN} .reflection textarea")
    box.fill("Que no está sola.")
    box.blur()
    if send:
        frame.locator(f"{SHOWN} .reflection-send").click()
    audit(frame, axe, walk, "practice page (open, answered)")


def choose(frame: Any, text: str) -> None:
    """A scenario choice by keyboard."""
    button = frame.locator(f"{SHOWN} .scene:not([hidden]) button.choice", has_text=text)
    button.focus()
    press(frame, "Enter")


def scenario_page(frame: Any, axe: Path, walk: Walk) -> None:
    frame.locator("#next").click()
    scene = frame.locator(f"{SHOWN} .scene:not([hidden])")
    assert scene.get_attribute("data-scene") == "call"
    audit(frame, axe, walk, "scenario (first scene)")
    choose(frame, "Ask her for proof")
    assert scene.get_attribute("data-scene") == "doubt" and focused(frame, scene)
    choose(frame, "Insist on proof")
    assert scene.get_attribute("data-outcome") == "harmful"
    assert frame.locator(f"{SHOWN} .scenario-path li").all_inner_texts() == [
        "Ask her for proof of what she says",
        "Insist on proof",
    ]
    audit(frame, axe, walk, "scenario (harmful ending)")
    frame.locator(f"{SHOWN} .scenario-restart").focus()
    press(frame, "Enter")
    assert scene.get_attribute("data-scene") == "call"
    choose(frame, "Ask whether she is somewhere safe")
    choose(frame, "Agree a safety plan")
    assert scene.get_attribute("data-outcome") == "good"
    audit(frame, axe, walk, "scenario (good ending)")


def use_every_block(frame: Any, page: Any, axe: Path, width: int, send: bool = True) -> Walk:
    """From the first page, every block of the course; returns what axe and the layout found."""
    walk = Walk(width)
    media_page(frame, page, axe, walk)
    practice_page(frame, axe, walk, send)
    scenario_page(frame, axe, walk)
    return walk


def check_answers_in_statements(statements: list[dict]) -> None:
    """The check's two answers in the LRS: `answered` on each question, a cmi.interaction with its
    type, pattern, response and success, parented to the page it is on, never scored."""
    answers = [s for s in statements if s["object"]["id"].startswith(QUESTION + "chk-")]
    assert [s["object"]["id"].removeprefix(QUESTION) for s in answers] == ["chk-first", "chk-who"], answers
    for statement, kind, response, pattern, success in zip(
        answers, ("choice", "true-false"), ("a", "true"), (["a"], ["false"]), (True, False), strict=True
    ):
        assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
        definition = statement["object"]["definition"]
        assert definition["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
        assert definition["interactionType"] == kind and definition["correctResponsesPattern"] == pattern
        assert statement["result"]["response"] == response and statement["result"]["success"] is success
        assert "score" not in statement["result"]
        activities = statement["context"]["contextActivities"]
        assert [p["id"] for p in activities["parent"]] == [PRACTICE]
        assert {g["id"] for g in activities["grouping"]} >= {COURSE, f"{COURSE}/activities"}
    assert not [s for s in statements if s["verb"]["id"].endswith(("/passed", "/failed"))], "a check is never scored"
