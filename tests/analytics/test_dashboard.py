"""The dashboard under /dashboard: read scope required, the report's figures (enrolment over the
roster, filters, a period of activity) as charts + tables, in Spanish and English; checked
through Flask here and in headless Chromium in test_dashboard_browser.py."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pytest
from cohort import COURSES, Cohort, course_iri
from expected import enrolment, figures, module_progress

from lrs import create_app
from lrs.analytics.i18n import SPANISH, negotiate
from lrs.analytics.report import Window, aggregate
from lrs.analytics.roster import load_roster
from lrs.analytics.sources import Source
from lrs.analytics.vocab import epoch
from lrs.auth import create_credential
from lrs.stores import open_store

TEMPLATES = Path(__file__).parents[2] / "lrs" / "templates" / "dashboard"


@pytest.fixture(scope="module")
def app_and_keys(store_with_roster: str) -> Iterator[tuple]:
    store = open_store(store_with_roster)
    keys = {}
    for scopes in (["statements/read"], ["all/read"], ["all"], ["statements/write"], ["state"]):
        credential, secret = create_credential(store, scopes, name="+".join(scopes))
        keys[scopes[0]] = (credential.key, secret)
    yield create_app({"STORE": store, "TESTING": True}), keys, store
    store.close()


def basic(key: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()}


def get(app_and_keys: tuple, url: str, **headers: str) -> str:
    app, keys, _ = app_and_keys
    response = app.test_client().get(url, headers={**basic(*keys["statements/read"]), **headers})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_read_scope_required(app_and_keys: tuple) -> None:
    app, keys, _ = app_and_keys
    client = app.test_client()
    anonymous = client.get("/dashboard/")
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Basic ")
    key, secret = keys["all"]
    assert client.get("/dashboard/", headers=basic(key, secret + "x")).status_code == 401
    for scope in ("statements/write", "state"):
        assert client.get("/dashboard/", headers=basic(*keys[scope])).status_code == 401, scope
    for scope in ("statements/read", "all/read", "all"):
        assert client.get("/dashboard/", headers=basic(*keys[scope])).status_code == 200, scope
    assert client.get("/dashboard/learners?id=x", headers=basic(*keys["state"])).status_code == 401
    # The xAPI API is untouched by the mount.
    assert client.get("/xAPI/about").status_code == 200


def table(html: str, caption: str) -> list[list[str]]:
    """The rows of the table with this caption, which must scroll in its own labelled region."""
    tree = lxml.html.fromstring(html)
    for found in tree.iter("table"):
        title = found.find("caption")
        if title is not None and title.text_content().startswith(caption):
            region = found.getparent()
            assert region.get("role") == "region" and region.get("tabindex") == "0", caption
            assert region.get("aria-labelledby") == title.get("id"), caption
            return [[cell.text_content().strip() for cell in row] for row in found.iter("tr")]
    raise AssertionError(f"no table captioned {caption!r}")


def test_pages_show_the_report_figures(app_and_keys: tuple, cohort: Cohort) -> None:
    index = get(app_and_keys, "/dashboard/", **{"Accept-Language": "en-GB,en;q=0.8"})
    rows = table(index, "Learners per course")
    assert rows[0][:2] == ["Course", "launched"]
    launched = {row[0]: int(row[1]) for row in rows[1:]}
    assert sorted(launched.values()) == sorted(sum(1 for t in cohort.truths if t.course == c) for c in COURSES)
    enrolled = table(index, "Enrolled learners by course")
    assert enrolled[0][:6] == ["Course", "enrolled", "not started", "in progress", "completed", "passed"]
    by_name = {row[0]: row for row in enrolled[1:]}
    for course in COURSES:
        want = enrolment(cohort, course)
        row = next(r for name, r in by_name.items() if name.startswith(_english_title(course)[:30]))
        assert [int(v) for v in row[1:6]] == [want["enrolled"], want["not_started"], want["in_progress"],
                                              want["completed"], want["passed"]], course
    course = "protection-measures"
    html = get(app_and_keys, f"/dashboard/course?id={quote(course_iri(course))}&by=state")
    rows = table(html, "Learners by state")
    truths = [t for t in cohort.truths if t.course == course]
    by_row = {row[0]: row for row in rows[1:]}
    for state in ("Estado de México", "Chihuahua", "Guerrero"):
        want = figures(t for t in truths if t.roster and t.roster["state"] == state)
        row = by_row[state]
        assert [int(row[1]), int(row[2]), int(row[3]), int(row[4])] == [
            want["launched"], want["completed"], want["passed"], want["failed"]]
        assert row[6] == f"{want['pass_rate'] * 100:.1f}%"
        keys = [k for k, a in cohort.attributes.items() if a["state"] == state]
        status = {r[0]: r for r in table(html, "Enrolled learners by state")[1:]}[state]
        expected = enrolment(cohort, course, keys)
        assert [int(v) for v in status[1:6]] == [expected[k] for k in
                                                 ("enrolled", "not_started", "in_progress", "completed", "passed")]
    items = {row[0]: row for row in table(html, "Questions")[1:]}
    assert items["Question a1"][-1] == "too easy" and items["Question a3"][-1] == "negative discrimination"
    assert items["Question a9"][6] == "Option A; Option C", "the key of a multiple-answer question"
    assert items["Question s1"][6] == "no key (survey)"
    assert table(html, "Combinations chosen")[1][1] in ("key", "")
    assert table(html, "Open answers (")[0][:2] == ["When", "Answer"], "no identities on course pages"
    assert html.count("<svg") >= 6 and "<details>" in html
    assert not re.search(r"""(src|href)=["']https?://""", html), "nothing loaded from elsewhere"
    app, keys, _ = app_and_keys
    client = app.test_client()
    headers = basic(*keys["statements/read"])
    assert client.get("/dashboard/course?id=nope", headers=headers).status_code == 404
    assert client.get(f"/dashboard/course?id={quote(course_iri(course))}&by=planet", headers=headers).status_code == 400
    assert client.get("/dashboard/?from=yesterday", headers=headers).status_code == 400


def _english_title(course: str) -> str:
    from cohort import TITLES

    return TITLES[course]["en-US"]


def test_spanish_or_english_by_the_browser_and_the_switch(app_and_keys: tuple) -> None:
    app, keys, _ = app_and_keys
    client = app.test_client()
    headers = basic(*keys["all/read"])
    spanish = client.get("/dashboard/", headers={**headers, "Accept-Language": "es-MX,es;q=0.9,en;q=0.8"})
    html = spanish.get_data(as_text=True)
    assert spanish.headers["Content-Language"] == "es" and '<html lang="es">' in html
    assert "<h1>Cursos</h1>" in html and "Personas por curso" in html and "Reeducación para hombres" in html
    assert "Accept-Language" in spanish.headers["Vary"]
    english = client.get("/dashboard/", headers={**headers, "Accept-Language": "fr-FR, en;q=0.5"})
    assert '<html lang="en">' in english.get_data(as_text=True)
    chosen = client.get("/dashboard/?lang=es&institution=DIF", headers={**headers, "Accept-Language": "en"})
    assert "spotlight_dashboard_lang=es" in chosen.headers["Set-Cookie"]
    assert "HttpOnly" in chosen.headers["Set-Cookie"] and "Path=/dashboard" in chosen.headers["Set-Cookie"]
    kept = client.get(f"/dashboard/course?id={quote(course_iri('reeducation-men'))}",
                      headers={**headers, "Accept-Language": "en"})
    text = kept.get_data(as_text=True)
    assert '<html lang="es">' in text and "Análisis de reactivos" in text and "Módulo 1" in text
    links = lxml.html.fromstring(text).xpath("//nav[@aria-label='Idioma']//a")
    assert [(a.text_content(), a.get("lang"), a.get("aria-current")) for a in links] == [
        ("Español", "es", "true"), ("English", "en", None)]
    assert "lang=en" in links[1].get("href") and "id=" in links[1].get("href"), "the switch keeps the page"
    assert negotiate("en;q=0.3, es;q=0.7") == "es" and negotiate("") == "en" and negotiate("es;q=0") == "en"


def test_filters_and_period_give_the_reports_figures(app_and_keys: tuple) -> None:
    _, _, store = app_and_keys
    html = get(app_and_keys, "/dashboard/?institution=DIF&cohort=2026-A&from=2026-03-08&to=2026-03-20")
    window = Window(epoch("2026-03-08T00:00:00Z"), epoch("2026-03-21T00:00:00Z") - 1e-6)
    want = aggregate(Source.of_store(store), window=window).report(
        load_roster(store), filters={"institution": "DIF", "cohort": "2026-A"},
        definitions=lambda ids: store.get_activities(list(ids)))
    rows = {row[0]: row for row in table(html, "Learners per course")[1:]}
    enrolled = {row[0]: row for row in table(html, "Enrolled learners by course")[1:]}
    for course in want["courses"]:
        assert int(rows[course["name"]][1]) == course["summary"]["launched"]
        assert int(rows[course["name"]][3]) == course["summary"]["passed"]
        assert [int(v) for v in enrolled[course["name"]][1:6]] == [
            course["enrolment"][k] for k in ("enrolled", "not_started", "in_progress", "completed", "passed")]
    assert "The roster has 580 learners; " in html
    form = lxml.html.fromstring(html).xpath("//form[@class='filters']")[0]
    assert form.xpath(".//select[@name='institution']/option[@selected]")[0].get("value") == "DIF"
    assert form.xpath(".//input[@name='from']")[0].get("value") == "2026-03-08"
    link = lxml.html.fromstring(html).xpath("//th/a")[0].get("href")
    assert "institution=DIF" in link and "from=2026-03-08" in link, "filters follow the links"


def learner_key(cell: str) -> str:
    """The learner key in a learner cell (the name, then the key)."""
    found = re.search(r"(account:|mbox:)\S+$", cell)
    assert found, cell
    return found.group(0)


def test_learner_list_with_module_progress(app_and_keys: tuple, cohort: Cohort) -> None:
    course = "reeducation-men"
    base = f"/dashboard/learners?id={quote(course_iri(course))}"
    truths = {t.key: t for t in cohort.truths if t.course == course}
    enrolled = {k for k, c in cohort.enrolments.items() if course in c}
    waiting = table(get(app_and_keys, base + "&status=not+started"), "Learners and module progress")
    assert {learner_key(row[0]) for row in waiting[1:]} == {k for k in enrolled if k not in truths}
    assert {row[3] for row in waiting[1:]} == {"not started"}
    module = f"{course_iri(course)}/m3"
    html = get(app_and_keys, base + f"&module={quote(module)}&municipality=Ecatepec")
    rows = table(html, "Learners and module progress")
    assert rows[0][6:] == ["Module 1", "Module 2", "Module 3", "Module 4"]
    selected = {k for k in truths.keys() | enrolled if (cohort.attributes.get(k) or {}).get("municipality") ==
                "Ecatepec"}
    unfinished = {k for k in selected if k not in truths or not module_progress(truths[k], module)["completed"]}
    assert {learner_key(row[0]) for row in rows[1:]} == unfinished
    for row in rows[1:]:
        key = learner_key(row[0])
        if key in truths:
            progress = module_progress(truths[key], f"{course_iri(course)}/m1")
            assert row[6].startswith(f"pages {progress['pages_seen']}/4"), row
    assert "identities" in html


def test_every_word_of_the_dashboard_has_its_spanish() -> None:
    used = set()
    for path in [*TEMPLATES.rglob("*.html"), *Path(__file__).parents[2].joinpath("lrs", "analytics").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        for literals in re.findall(r"""\bt\(\s*((?:"(?:[^"\\]|\\.)*"\s*|'(?:[^'\\]|\\.)*'\s*)+)\)""", text):
            used.add("".join(a or b for a, b in re.findall(r""""((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'""", literals)))
    from lrs.analytics.figures import STATUSES
    from lrs.analytics.interactions import REGISTRY
    from lrs.analytics.render import ENROLMENT_HEADINGS, HEADINGS
    from lrs.analytics.report import GROUP_ATTRIBUTES

    used |= {*STATUSES, *REGISTRY, *HEADINGS, *ENROLMENT_HEADINGS, *GROUP_ATTRIBUTES, "too easy", "too hard",
             "negative discrimination", "(not in roster)", "(blank)"}
    used = {u for u in used if "{" not in u or "}" in u}
    assert "{numbers} numbers, {unreadable} unreadable; median {median}, quartiles {q1}–{q3}, range {low}–{high}; " \
           "{in_key} in the key ({key})." in used, "messages split over lines are read too"
    assert {"Dashboard", "Language"} <= used, "messages in single quotes are read too"
    missing = sorted(u for u in used if u not in SPANISH and '"' not in u)
    assert not missing, missing


def test_figures_follow_the_store_as_statements_arrive(tmp_path: Path, small: Cohort) -> None:
    """The dashboard adds only what was stored since its last report, and its figures always
    equal a fresh report's: after new statements, a voiding statement and a new course."""
    import json
    import uuid

    from helpers import load
    from test_rules import st

    from lrs.dashboard import _ReportCache

    url = f"sqlite:///{tmp_path / 'lrs.db'}"
    cache = _ReportCache()
    with open_store(url) as store:

        def check(course: str | None = None) -> dict:
            followed = cache.get(store, course, "state")
            assert followed == aggregate(Source.of_store(store)).report(
                {}, "state", course=course, definitions=lambda ids: store.get_activities(list(ids)))
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
