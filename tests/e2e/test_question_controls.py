"""The question types without a mouse and on a phone: keyboard-only answers (no drag and drop), what a
screen reader hears when a step moves, and no horizontal scrolling at 360 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from spotlight_pack.sources import load_course

pytestmark = pytest.mark.browser

BANK = Path(__file__).resolve().parents[1] / "fixtures" / "courses" / "bank"


def open_assessment(server: Any, open_page: Any, width: int) -> Any:
    watched = open_page(width=width)
    page = watched.page
    page.goto(server.add(load_course(BANK), "none", "en"))
    while page.locator("#next").is_enabled():  # every page seen: the assessment opens
        page.locator("#next").click()
    page.locator("form[data-quiz='assessment'] fieldset.question:not([hidden])").first.wait_for(state="visible")
    return watched


def tab_to(page: Any, selector: str, limit: int = 120) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def test_every_type_answered_with_the_keyboard_alone(server, open_page) -> None:
    watched = open_assessment(server, open_page, 1280)
    page = watched.page
    form = page.locator("form[data-quiz='assessment']")

    # sequencing: Up moves the step, the focus stays on the button, the move is announced
    order = form.locator("fieldset[data-question='bank-order'] .step")
    before = [step.get_attribute("data-step") for step in order.all()]
    moved = before[-1]
    tab_to(page, f".step[data-step='{moved}'] button.up")
    page.keyboard.press("Enter")
    after = [step.get_attribute("data-step") for step in order.all()]
    assert after == before[:-2] + [before[-1], before[-2]]
    assert page.evaluate("document.activeElement.closest('.step').getAttribute('data-step')") == moved
    page.wait_for_function("document.getElementById('live').textContent.includes('is now number 3 of 4')")

    # matching: a select per source, chosen with the arrow keys
    tab_to(page, "#q-bank-match-listen")
    page.keyboard.press("ArrowDown")
    assert form.locator("#q-bank-match-listen").input_value() != ""

    # a choice with the arrow keys and Space; typed answers
    tab_to(page, "fieldset[data-question='bank-survey'] input")
    page.keyboard.press("Space")
    assert form.locator("fieldset[data-question='bank-survey'] input:checked").count() == 1
    tab_to(page, "#q-bank-range-answer")
    page.keyboard.type("3,2")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    summary = form.locator(".summary")
    assert "unanswered" in summary.inner_text()  # the rest is still open: told, not submitted
    assert page.evaluate("document.activeElement.tagName") in {"INPUT", "SELECT", "TEXTAREA", "BUTTON"}
    assert not watched.errors, watched.errors


def test_a_number_that_is_not_one_is_explained(server, open_page) -> None:
    watched = open_assessment(server, open_page, 1280)
    form = watched.page.locator("form[data-quiz='assessment']")
    form.locator("#q-bank-number-answer").fill("three")
    form.locator("button[type=submit]").click()
    error = form.locator("#q-bank-number-error")
    assert error.is_visible() and "Type only a number" in error.inner_text()
    assert form.locator("#q-bank-number-answer").get_attribute("aria-describedby") == "q-bank-number-error"


def test_every_type_fits_a_360_px_phone(server, open_page) -> None:
    watched = open_assessment(server, open_page, 360)
    page = watched.page
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], width
    for control in page.locator("form[data-quiz='assessment'] fieldset:not([hidden]) :is(select, input, textarea)"
                                ", form[data-quiz='assessment'] .step button").all():
        box = control.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360, control.evaluate("e => e.outerHTML")
        if control.evaluate("e => e.type !== 'radio' && e.type !== 'checkbox'"):
            assert box["height"] >= 24  # a target a thumb can hit (WCAG 2.5.8)
