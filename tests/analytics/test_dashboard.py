"""The dashboard under /dashboard: read scope required, the report's figures as charts + tables,
offline, accessible; checked through Flask and in headless Chromium."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pytest
from cohort import COURSES, Cohort, course_iri
from expected import figures
from helpers import serve

from lrs import create_app
from lrs.auth import create_credential
from lrs.stores import open_store

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
AXE = Path(__file__).parents[1] / "e2e" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def app_and_keys(store_with_roster: str) -> Iterator[tuple]:
    store = open_store(store_with_roster)
    keys = {}
    for scopes in (["statements/read"], ["all/read"], ["all"], ["statements/write"], ["state"]):
        credential, secret = create_credential(store, scopes, name="+".join(scopes))
        keys[scopes[0]] = (credential.key, secret)
    yield create_app({"STORE": store, "TESTING": True}), keys
    store.close()


def basic(key: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()}


def test_read_scope_required(app_and_keys: tuple) -> None:
    app, keys = app_and_keys
    client = app.test_client()
    anonymous = client.get("/dashboard/")
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Basic ")
    key, secret = keys["all"]
    assert client.get("/dashboard/", headers=basic(key, secret + "x")).status_code == 401
    for scope in ("statements/write", "state"):
        assert client.get("/dashboard/", headers=basic(*keys[scope])).status_code == 401, scope
    for scope in ("statements/read", "all/read", "all"):
        assert client.get("/dashboard/", headers=basic(*keys[scope])).status_code == 200, scope
    # The xAPI API is untouched by the mount.
    assert client.get("/xAPI/about").status_code == 200


def _table(html: str, caption: str) -> list[list[str]]:
    tree = lxml.html.fromstring(html)
    for table in tree.iter("table"):
        found = table.find("caption")
        if found is not None and found.text_content().startswith(caption):
            return [[cell.text_content().strip() for cell in row] for row in table.iter("tr")]
    raise AssertionError(f"no table captioned {caption!r}")


def test_pages_show_the_report_figures(app_and_keys: tuple, cohort: Cohort) -> None:
    app, keys = app_and_keys
    client = app.test_client()
    headers = basic(*keys["statements/read"])
    index = client.get("/dashboard/", headers=headers).get_data(as_text=True)
    rows = _table(index, "Learners per course")
    assert rows[0][:2] == ["Course", "launched"]
    launched = {row[0]: int(row[1]) for row in rows[1:]}
    assert sorted(launched.values()) == sorted(
        sum(1 for t in cohort.truths if t.course == c) for c in COURSES)
    course = "protection-measures"
    page = client.get(f"/dashboard/course?id={quote(course_iri(course))}&by=state", headers=headers)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    rows = _table(html, "Learners by state")
    truths = [t for t in cohort.truths if t.course == course]
    by_row = {row[0]: row for row in rows[1:]}
    for state in ("Estado de México", "Chihuahua", "Guerrero"):
        want = figures(t for t in truths if t.roster and t.roster["state"] == state)
        row = by_row[state]
        assert [int(row[1]), int(row[2]), int(row[3]), int(row[4])] == [
            want["launched"], want["completed"], want["passed"], want["failed"]]
        assert row[6] == f"{want['pass_rate'] * 100:.1f}%"
    items = _table(html, "Questions")
    flags = {row[0]: row[-1] for row in items[1:]}
    assert flags["Pregunta a1"] == "too easy" and flags["Pregunta a3"] == "negative discrimination"
    assert html.count("<svg") == 5 and html.count("<table>") == 5  # by state, by module, scores, funnel, items
    assert not re.search(r"""(src|href)=["']https?://""", html), "nothing loaded from elsewhere"
    assert client.get("/dashboard/course?id=nope", headers=headers).status_code == 404
    assert client.get(f"/dashboard/course?id={quote(course_iri(course))}&by=planet",
                      headers=headers).status_code == 400


def _browser_or_skip():
    if not CHROMIUM.exists():
        if os.environ.get("SPOTLIGHT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"SPOTLIGHT_REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("SPOTLIGHT_REQUIRE_BROWSER") == "1":
            pytest.fail("SPOTLIGHT_REQUIRE_BROWSER=1 but Python playwright is not installed")
        pytest.skip("Python playwright is not installed")
    return sync_playwright()


@pytest.mark.browser
def test_dashboard_in_chromium(app_and_keys: tuple, cohort: Cohort) -> None:
    app, keys = app_and_keys
    key, secret = keys["all/read"]
    outside: list[str] = []
    errors: list[str] = []
    with _browser_or_skip() as playwright, serve(app) as base:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(http_credentials={"username": key, "password": secret})
            context.route(re.compile(r"^(?!http://127\.0\.0\.1).*"), lambda route: (
                outside.append(route.request.url), route.abort()))
            page = context.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{base}/dashboard/")
            assert page.locator("h1").inner_text() == "Courses"
            assert page.locator("main svg[role=img]").count() == 1
            page.get_by_role("link", name=re.compile("reeducation", re.I)).click()
            page.get_by_label("Compare by").select_option("municipality")
            page.get_by_role("button", name="Show").click()
            page.wait_for_url(re.compile(r"by=municipality"))
            heading = page.get_by_role("heading", name="Completion and pass rates by municipality")
            assert heading.is_visible()
            rows = page.locator("table:has(caption:text('Learners by municipality')) tbody tr")
            names = {rows.nth(i).locator("th").inner_text() for i in range(rows.count())}
            expected = {t.roster["municipality"] if t.roster else "(not in roster)"
                        for t in cohort.truths if t.course == "reeducation-men"}
            assert names == {"Whole course"} | expected
            for chart in page.locator("svg[role=img]").all():
                assert chart.bounding_box()["width"] > 100
                assert chart.locator("title").count() == 1
            if AXE.is_file():
                page.add_script_tag(path=str(AXE))
                violations = page.evaluate(
                    "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a',"
                    " 'wcag21aa']}}).then(r => r.violations.map(v => v.id + ': ' + v.help))")
                assert violations == []
        finally:
            browser.close()
    assert outside == [] and errors == []


def test_figures_follow_the_store_as_statements_arrive(tmp_path: Path, small: Cohort) -> None:
    """The dashboard adds only what was stored since its last report, and its figures always
    equal a fresh report's: after new statements, a voiding statement and a new course."""
    import json
    import uuid

    from helpers import load
    from test_rules import st

    from lrs.analytics.report import aggregate
    from lrs.analytics.sources import Source
    from lrs.dashboard import _ReportCache

    url = f"sqlite:///{tmp_path / 'lrs.db'}"
    cache = _ReportCache()
    with open_store(url) as store:

        def check(course: str | None = None) -> dict:
            followed = cache.get(store, course, "state")
            assert followed == aggregate(Source.of_store(store)).report({}, "state", course=course)
            return followed

        half = len(small.statements) // 2
        load(store, small.statements[:half])
        first = check()
        load(store, small.statements[half:])
        second = check()
        assert cache._position == store.last_position() and second["statements"] > first["statements"]
        assert check(course_iri("reeducation-men"))["courses"][0]["id"] == course_iri("reeducation-men")
        target = json.loads(json.dumps(small.statements[-1]))  # a copy with its own id, then voided
        target["id"] = str(uuid.uuid4())
        load(store, [target])
        before = check()
        load(store, [{"actor": target["actor"], "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
                      "object": {"objectType": "StatementRef", "id": target["id"]}}])
        assert check()["statements"] == before["statements"] - 1
        other = "http://vendor.example/courses/other"
        load(store, [st("initialized", other, "10:00:00", obj_type="course")])
        assert other in [c["id"] for c in check()["courses"]]
