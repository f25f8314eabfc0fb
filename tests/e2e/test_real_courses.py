"""Every course under course_sources/, as learners get it: every page fits a 320 px phone, and the
pages pass axe-core's WCAG 2.1 A/AA rules (content included: alt text, headings, links, tables)."""

from __future__ import annotations

from pathlib import Path

import pytest

from spotlight_pack.sources import find_courses, load_course

pytestmark = pytest.mark.browser

SOURCES = Path(__file__).resolve().parents[2] / "course_sources"
WCAG = "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}"


@pytest.mark.parametrize("source", find_courses(SOURCES) if SOURCES.is_dir() else [], ids=lambda path: path.name)
def test_every_page_fits_a_phone_and_passes_wcag(server, open_page, axe_script, source: Path) -> None:
    course = load_course(source)
    watched = open_page(width=320, height=640)
    page = watched.page
    page.goto(server.add(course, "none", course.languages[0]))
    if page.locator("#note-start").is_visible():
        page.locator("#note-start").click()
    problems: list[str] = []
    while True:
        scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        if scroll > client:
            title = page.locator("section.page:not([hidden]) h1").inner_text()
            problems.append(f"{title}: {scroll - client} px wider than the screen")
        if not page.locator("#next").is_enabled():
            break
        page.locator("#next").click()
    # One axe run over every page shown at once: per page it would take minutes.
    page.evaluate("document.querySelectorAll('section.page').forEach(s => { s.hidden = false; })")
    page.add_script_tag(path=str(axe_script))
    for violation in page.evaluate(f"axe.run(document, {WCAG}).then(r => r.violations)"):
        targets = [node["target"] for node in violation["nodes"]][:3]
        problems.append(f"{violation['id']} ({violation['impact']}) {targets}")
    assert not problems, "\n".join(problems)
    assert not watched.errors, watched.errors
