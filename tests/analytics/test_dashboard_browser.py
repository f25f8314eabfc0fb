"""The dashboard in real headless Chromium at 360 px and 1280 px: Spanish and English, the
switch kept across pages, tables scrolling in their own focusable labelled regions, no sideways
scroll of the page, charts within the screen, axe-core clean, nothing loaded from elsewhere, and
the same filters working with JavaScript turned off."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cohort import Cohort, course_iri
from helpers import serve

from lrs import create_app
from lrs.analytics.roster import load_roster
from lrs.auth import create_credential
from lrs.stores import open_store

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
AXE = Path(__file__).parents[1] / "e2e" / "node_modules" / "axe-core" / "axe.min.js"
RULES = "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}"


def _playwright():
    required = os.environ.get("SPOTLIGHT_REQUIRE_BROWSER") == "1"
    if not CHROMIUM.exists():
        if required:
            pytest.fail(f"SPOTLIGHT_REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    if not AXE.is_file():
        if required:
            pytest.fail(f"SPOTLIGHT_REQUIRE_BROWSER=1 but {AXE} is missing (cd tests/e2e && npm ci)")
        pytest.skip(f"{AXE} is missing (cd tests/e2e && npm ci)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            pytest.fail("SPOTLIGHT_REQUIRE_BROWSER=1 but Python playwright is not installed")
        pytest.skip("Python playwright is not installed")
    return sync_playwright()


@pytest.fixture(scope="module")
def site(store_with_roster: str) -> Iterator[tuple[str, str, str, Any]]:
    """(base URL, key, secret, store) of the LRS with the dashboard, served over HTTP on 127.0.0.1."""
    store = open_store(store_with_roster)
    credential, secret = create_credential(store, ["all/read"], name="analyst")
    with serve(create_app({"STORE": store})) as base:
        yield base, credential.key, secret, store
    store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with _playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Watched:
    def __init__(self, browser: Any, site: tuple, width: int, **options: Any) -> None:
        base, key, secret, _ = site
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": 800}, locale="es-MX",
                                           http_credentials={"username": key, "password": secret}, **options)
        self.context.route(re.compile(r"^(?!http://127\.0\.0\.1).*"),
                           lambda route: (self.outside.append(route.request.url), route.abort()))
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.base = base
        self.width = width

    def check(self, where: str) -> list[str]:
        """Layout at this width and axe-core's WCAG 2.1 A/AA and best-practice rules."""
        page = self.page
        problems = []
        if page.evaluate("document.documentElement.scrollWidth") > self.width:
            problems.append(f"{where}: the page scrolls sideways at {self.width} px")
        for region in page.locator("div.scroll").all():
            label = region.get_attribute("aria-labelledby")
            if region.get_attribute("role") != "region" or region.get_attribute("tabindex") != "0" or \
                    page.locator(f"caption#{label}").count() != 1:
                problems.append(f"{where}: a table outside a focusable labelled region")
        for chart in page.locator("svg[role=img]:visible").all():
            box = chart.bounding_box()
            if box["x"] + box["width"] > self.width or box["width"] < min(200, self.width - 40):
                problems.append(f"{where}: a chart {box['width']:.0f} px wide at x={box['x']:.0f}")
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE))
        found = page.evaluate(f"axe.run(document, {RULES}).then(r => r.violations)")
        problems += [f"{where}: {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in found]
        return problems

    def close(self) -> None:
        self.context.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_dashboard_in_chromium(browser: Any, site: tuple, cohort: Cohort, width: int) -> None:
    watched = Watched(browser, site, width)
    page = watched.page
    problems: list[str] = []
    try:
        page.goto(f"{watched.base}/dashboard/")
        assert page.locator("html").get_attribute("lang") == "es", "the browser's language"
        assert page.locator("h1").inner_text() == "Cursos"
        problems += watched.check("cursos")
        page.get_by_role("link", name=re.compile("Reeducación")).first.click()
        page.get_by_label("Comparar por").select_option("municipality")
        page.get_by_role("button", name="Mostrar").click()
        page.wait_for_url(re.compile(r"by=municipality"))
        assert page.get_by_role("heading", name="Tasas de finalización y aprobación por municipio").is_visible()
        rows = page.locator("table:has(caption:text('Personas por municipio')) tbody tr th")
        names = {rows.nth(i).inner_text() for i in range(rows.count())}
        expected = {t.roster["municipality"] if t.roster else "(fuera de la lista)"
                    for t in cohort.truths if t.course == "reeducation-men"}
        assert names == {"Curso completo"} | expected
        problems += watched.check("curso")
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        problems += watched.check("curso, reactivos abiertos")
        page.get_by_role("link", name="English").click()
        page.wait_for_url(re.compile(r"lang=en"))
        assert page.locator("h1").inner_text() == "Re-education for men who use violence"
        assert "by=municipality" in page.url
        page.get_by_role("link", name="Show the learners of this course").click()
        assert page.locator("html").get_attribute("lang") == "en", "the choice is kept"
        page.get_by_label("Status").select_option("not started")
        page.get_by_role("button", name="Show").last.click()
        page.wait_for_url(re.compile(r"status=not\+started"))
        waiting = {k for k, c in cohort.enrolments.items() if "reeducation-men" in c} - {
            t.key for t in cohort.truths if t.course == "reeducation-men"}
        cells = page.locator("table:has(caption:text('Learners and module progress')) tbody th")
        assert cells.count() == len(waiting)
        problems += watched.check("learners")
        region = page.locator("div.scroll:has(caption:text('Learners and module progress'))")
        region.focus()
        assert page.evaluate("document.activeElement.getAttribute('role')") == "region"
        if width == 360:
            assert region.evaluate("r => r.scrollWidth > r.clientWidth"), "the wide table scrolls in its region"
            page.keyboard.press("ArrowRight")
            page.wait_for_function("r => r.scrollLeft > 0", arg=region.element_handle())
        page.get_by_role("link", name="All courses").click()
        assert page.locator("h1").inner_text() == "Courses"
    finally:
        watched.close()
    assert not problems, "\n".join(problems)
    assert watched.outside == [] and watched.errors == []


def test_filters_and_language_switch_work_without_javascript(browser: Any, site: tuple) -> None:
    watched = Watched(browser, site, 360, java_script_enabled=False)
    page = watched.page
    store = site[3]
    try:
        page.goto(f"{watched.base}/dashboard/course?id={course_iri('protection-measures')}")
        assert page.evaluate("1") is None or True  # nothing of ours needs scripts; evaluate is the driver's
        page.locator("summary", has_text="Filtros").click()
        page.get_by_label("Institución").select_option("DIF")
        page.get_by_label("Actividad desde").fill("2026-03-05")
        page.get_by_role("button", name="Aplicar").click()
        page.wait_for_url(re.compile(r"institution=DIF"))
        assert "from=2026-03-05" in page.url and "id=" in page.url
        members = sum(1 for a in load_roster(store).values() if a.get("institution") == "DIF")
        assert f"580 personas; {members} cumplen los filtros" in page.locator("main").inner_text()
        assert page.get_by_label("Institución").input_value() == "DIF"
        page.get_by_label("Comparar por").select_option("cohort")
        page.get_by_role("button", name="Mostrar").click()
        page.wait_for_url(re.compile(r"by=cohort"))
        assert "institution=DIF" in page.url, "the filters stay when the grouping changes"
        page.get_by_role("link", name="English").click()
        assert page.locator("html").get_attribute("lang") == "en" and "institution=DIF" in page.url
    finally:
        watched.close()
    assert watched.outside == []


@pytest.mark.parametrize("width", [360, 1280])
def test_blocks_and_the_tutors_page_in_chromium(browser: Any, site: tuple, cohort: Cohort, width: int) -> None:
    """A course's video and scenario figures, and the tutors' page of open answers filtered by a
    group (cohort), with the product's rubric: axe clean, no sideways scroll, at 360 and 1280 px."""
    from lrs.analytics.cohort import PRODUCT_RUBRIC

    watched = Watched(browser, site, width)
    page = watched.page
    problems: list[str] = []
    course = "first-contact-care"
    try:
        page.goto(f"{watched.base}/dashboard/course?id={course_iri(course)}")
        assert page.get_by_role("heading", name="Video y audio").is_visible()
        assert page.get_by_role("heading", name="Escenarios").is_visible()
        media = page.locator("table:has(caption:text('Video y audio')) tbody tr").first.inner_text()
        uses = [t.video for t in cohort.truths if t.course == course and t.video]
        assert "La primera llamada" in media and f"\t{len(uses)}\t{sum(1 for u in uses if u[1])}\t" in media
        endings = page.locator("table:has(caption:text('Finales de')) tbody tr")
        assert endings.count() == len({w[2] for t in cohort.truths if t.course == course for w in t.walks if w[2]})
        problems += watched.check("curso con bloques")
        page.get_by_role("link", name="Respuestas abiertas para la tutoría").click()
        assert page.locator("h1").inner_text() == "Respuestas abiertas para la tutoría"
        assert PRODUCT_RUBRIC["es-MX"] in page.locator("main").inner_text()
        page.locator("summary", has_text="Filtros").click()
        page.locator("select[name=cohort]").select_option("2026-B")
        page.get_by_role("button", name="Aplicar").click()
        page.wait_for_url(re.compile(r"cohort=2026-B"))
        headings = page.locator("main h2").all_inner_texts()
        assert "Generación: 2026-B" in headings and "Generación: 2026-A" not in headings
        want = {t.products[-1][1] for t in cohort.truths
                if t.course == course and t.products and (t.roster or {}).get("cohort") == "2026-B"}
        shown = set(page.locator("td.answer").all_inner_texts())
        assert want and want <= shown
        problems += watched.check("tutoría")
        page.locator("select[name=question]").select_option(label="Tu plan de seguridad")
        page.get_by_role("button", name="Mostrar").last.click()
        page.wait_for_url(re.compile(r"question="))
        assert set(page.locator("td.answer").all_inner_texts()) == want
        assert "cohort=2026-B" in page.url, "the group filter stays"
        problems += watched.check("tutoría, una pregunta")
    finally:
        watched.close()
    assert not problems, "\n".join(problems)
    assert watched.outside == [] and watched.errors == []
