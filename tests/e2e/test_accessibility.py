"""WCAG 2.1 A/AA as axe-core checks it, on every screen of a course, at phone and desktop widths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from spotlight_pack.sources import load_course

pytestmark = pytest.mark.browser
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "courses"

RULES = "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}"


def violations(page: Any, axe: Path, where: str) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe))
    found = page.evaluate(f"axe.run(document, {RULES}).then(r => r.violations)")
    return [f"{where}: {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in found]


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("name", ["mini", "bank"])
def test_no_wcag_violations_on_any_screen(server, open_page, axe_script, name: str, width: int) -> None:
    course = load_course(FIXTURES / name)  # bank: every question type, a gate, attempts
    watched = open_page(width=width)
    page = watched.page
    page.goto(server.add(course, "none", "es"))  # over HTTP: axe reads the style sheets with XHR
    found = []
    if course.content_note:
        found += violations(page, axe_script, "content note")
        page.locator("#note-start").click()
    if width == 360:
        page.locator("#menu-toggle").click()
        found += violations(page, axe_script, "open menu")
        page.locator("#menu-toggle").click()
    while True:
        title = page.locator("section.page:not([hidden]) h1").inner_text()
        form = page.locator("section.page:not([hidden]) form.quiz")
        if form.count():
            found += violations(page, axe_script, f"{title} (unanswered)")
            form.locator("button[type=submit]").click()  # nothing chosen: the visible reminder
            found += violations(page, axe_script, f"{title} (reminder)")
            for fieldset in form.locator("fieldset:not([hidden])").all():
                if fieldset.locator("input[type=radio], input[type=checkbox]").count():
                    fieldset.locator("label").first.click()
                if fieldset.locator("button.up").count():
                    fieldset.locator("button.up").last.click()
                if fieldset.locator(".text-answer").count():
                    fieldset.locator(".text-answer").fill("3")
                if fieldset.locator("select").count():
                    for select in fieldset.locator("select").all():
                        select.select_option(index=1)
            form.locator("button[type=submit]").click()
        found += violations(page, axe_script, title)
        if not page.locator("#next").is_enabled():
            break
        page.locator("#next").click()
    page.locator("#exit").click()
    found += violations(page, axe_script, "closed")
    assert not found, "\n".join(found)
    assert not watched.errors, watched.errors
