"""The four diplomas on a 360 px phone, every page, in both languages: the page never scrolls sideways,
a table scrolls inside its own focusable, labelled region, no table cell is narrower than its longest
word, and no word is broken across lines.

One browser for the module, one package per course and language, and the pages are walked inside the
page (each section shown in turn and measured), so the whole run takes seconds, not minutes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from spotlight_pack.sources import find_courses, load_course

pytestmark = pytest.mark.browser

SOURCES = Path(__file__).resolve().parents[2] / "course_sources"
DIPLOMAS = find_courses(SOURCES) if SOURCES.is_dir() else []
CASES = [(path, lang) for path in DIPLOMAS for lang in ("es", "en")]
LONG_WORD = 10  # outside tables only words this long could be broken on a 328 px line: measure those

MEASURE = """([longWord]) => {
  const root = document.documentElement;
  const problems = [];
  let tables = 0;
  const sections = [...document.querySelectorAll('section.page')];
  const words = (node) => {
    const found = [];
    // A line may end after a hyphen, a dash or a slash ("re-|education", "y/|o"): split there too.
    const pattern = /[^\\s\\-\\/\u2013\u2014]+[\\-\\/\u2013\u2014]*/g;
    let match;
    while ((match = pattern.exec(node.data))) found.push([match.index, match[0]]);
    return found;
  };
  const measure = (node, start, word) => {
    const range = document.createRange();
    range.setStart(node, start);
    range.setEnd(node, start + word.length);
    const rects = [...range.getClientRects()].filter((rect) => rect.width > 0);
    return {lines: new Set(rects.map((rect) => Math.round(rect.top))).size,
            width: range.getBoundingClientRect().width};
  };
  sections.forEach((section) => { section.hidden = true; });
  for (const section of sections) {
    section.hidden = false;
    const title = section.querySelector('h1').textContent.trim();
    if (root.scrollWidth > root.clientWidth) {
      problems.push(`${title}: the page scrolls sideways (${root.scrollWidth - root.clientWidth} px)`);
    }
    for (const table of section.querySelectorAll('table')) {
      tables += 1;
      const region = table.parentElement;
      const scrolls = region.matches('.table-scroll') && getComputedStyle(region).overflowX === 'auto';
      const labelled = region.getAttribute('role') === 'region' && (region.getAttribute('aria-label') || '').trim()
        || region.getAttribute('aria-labelledby');
      if (!table.closest('.study') && (!scrolls || region.tabIndex !== 0 || !labelled)) {
        problems.push(`${title}: a table is not inside a focusable, labelled scrolling region`);
      }
    }
    const walker = document.createTreeWalker(section, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (parent.closest('pre, script, a.url, .sr-only, .visited-text') || !parent.getClientRects().length) continue;
      const cell = parent.closest('td, th');
      for (const [start, word] of words(node)) {
        if (!cell && word.length < longWord) continue;
        const {lines, width} = measure(node, start, word);
        if (lines > 1) problems.push(`${title}: the word '${word}' is broken across lines`);
        if (cell) {
          const style = getComputedStyle(cell);
          const room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
          if (width > room + 0.5) {
            const sizes = `${room.toFixed(0)} px < ${width.toFixed(0)} px`;
            problems.push(`${title}: a cell is narrower than the word '${word}' (${sizes})`);
          }
        }
      }
    }
    section.hidden = true;
  }
  return {problems, pages: sections.length, tables};
}"""


@pytest.mark.parametrize(("source", "lang"), CASES, ids=[f"{path.name}-{lang}" for path, lang in CASES])
def test_every_page_fits_a_360px_phone(server, open_page, source: Path, lang: str) -> None:
    course = load_course(source)
    watched = open_page(width=360, height=740)
    page = watched.page
    page.goto(server.add(course, "none", lang))
    first = page.locator("section.page:not([hidden])").first
    first.wait_for()
    assert first.locator(".study table").is_visible(), "the first screen shows the estimated study time"
    result = page.evaluate(MEASURE, [LONG_WORD])
    entries = sum(len(module.pages) + bool(module.quiz) for module in course.modules) + bool(course.assessment)
    assert result["pages"] == entries + bool(course.content_note), "every page was measured"
    assert result["tables"] > 0, "the diploma has tables, so the table rules were exercised"
    assert not result["problems"], "\n".join(result["problems"])
    assert not watched.errors, watched.errors


def test_a_wide_table_scrolls_in_its_region_and_the_region_takes_the_keyboard(server, open_page) -> None:
    """The layout rules hold where they bite: a five-column table of long words on a 360 px screen."""
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "courses" / "markdown"
    course = load_course(fixture)
    watched = open_page(width=360, height=740)
    page = watched.page
    page.goto(server.add(course, "none", "es") + "#page-syntax--blocks")
    page.wait_for_load_state("networkidle")  # the player has shown its page and set focus: nothing moves later
    page.evaluate(
        "document.querySelectorAll('section.page').forEach(s => { s.hidden = s.id !== 'page-syntax--blocks'; })"
    )
    region = page.locator("#page-syntax--blocks .table-scroll")
    sizes = region.evaluate("r => [r.scrollWidth, r.clientWidth, document.documentElement.scrollWidth, innerWidth]")
    region_scroll, region_width, page_scroll, viewport = sizes
    assert region_scroll > region_width, "the table is wider than the screen, so its region scrolls"
    assert page_scroll <= viewport, "the page itself does not scroll sideways"
    region.press("ArrowRight")  # focuses the region (it is in the tab order), then presses the key
    # The browser scrolls after the key event is handled, maybe smoothly: wait for it (5 s at most).
    page.wait_for_function(
        "() => document.querySelector('#page-syntax--blocks .table-scroll').scrollLeft > 0", timeout=5000
    )
    header = page.locator("#page-syntax--blocks th").first
    word = header.evaluate(
        "th => { const r = document.createRange(); r.selectNodeContents(th); return r.getClientRects().length; }"
    )
    assert word == 1, "'Fracción' stays on one line"
