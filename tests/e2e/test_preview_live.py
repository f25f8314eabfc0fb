"""``spotlight-pack preview`` keeping up with the designer, in Chromium: a saved edit reloads the open
page with the change, a problem in the sources replaces the course with check's messages (file:line)
until it is fixed, the banner says nothing is recorded and switches language, progress stays in the
browser."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from spotlight_pack.preview import serve_preview

pytestmark = pytest.mark.browser

BLOCKS = Path(__file__).resolve().parents[1] / "fixtures" / "courses" / "blocks"
PAGE = Path("modules") / "02-activities" / "01-practice.en.md"


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    course = tmp_path / "blocks"
    shutil.copytree(BLOCKS, course)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    stop = threading.Event()
    ready = threading.Event()
    thread = threading.Thread(
        target=serve_preview,
        args=(course, port, ("en", "es")),
        kwargs={"ready": lambda url: ready.set(), "stop": stop},
        daemon=True,
    )
    thread.start()
    assert ready.wait(30)
    yield f"http://127.0.0.1:{port}", course
    stop.set()
    thread.join(10)


def visible_title(page: Any) -> str:
    return page.locator("section.page:not([hidden]) h1").inner_text()


def test_preview_reloads_on_a_change_and_shows_problems_in_the_page(preview, open_page) -> None:
    base, course = preview
    watched = open_page(width=360)
    page = watched.page
    page.goto(base + "/")
    assert page.url == base + "/en/index.html"
    banner = page.locator(".preview-banner")
    assert "Preview: nothing is recorded" in banner.inner_text()
    page.locator("#next").click()
    assert visible_title(page) == "Practise"
    source = course / PAGE
    text = source.read_text(encoding="utf-8")

    # An edit, saved: the open page reloads by itself, on the same page, with the change.
    with page.expect_event("load", timeout=15000):
        source.write_text(text.replace("## Who does what", "## Who does what, and where"), encoding="utf-8")
    page.locator("h2", has_text="Who does what, and where").wait_for()
    assert visible_title(page) == "Practise", "the preview comes back to the page the designer was on"

    # A mistake: the page shows check's problem with its file and line instead of the old course.
    with page.expect_event("load", timeout=15000):
        source.write_text(text.replace("::: tab DIF", "::: tabb DIF"), encoding="utf-8")
    problems = page.locator(".preview-problems li")
    problems.first.wait_for()
    message = "\n".join(problems.all_inner_texts())
    assert "01-practice.en.md:" in message and "unknown block '::: tabb'" in message, message
    assert page.locator("section.page").count() == 0
    assert "Preview: nothing is recorded" in page.locator(".preview-banner").inner_text()

    # Fixed: the course is back.
    with page.expect_event("load", timeout=15000):
        source.write_text(text, encoding="utf-8")
    page.locator("section.page:not([hidden]) h1").wait_for()
    assert visible_title(page) == "Practise"

    # Another language from the banner, without a restart; progress kept in this browser.
    page.locator('.preview-banner a[lang="es"]').click()
    page.locator("section.page:not([hidden]) h1").wait_for()
    assert page.locator("html").get_attribute("lang") == "es-MX"
    assert "Vista previa: no se registra nada" in page.locator(".preview-banner").inner_text()
    saved = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('spotlight:'))")
    assert any(key.endswith(":en") for key in saved)
    assert not watched.errors, watched.errors
    outside = [url for url in watched.requests if not url.startswith(base + "/")]
    assert not outside, outside


def test_preview_banner_passes_axe(preview, open_page, axe_script) -> None:
    base, _ = preview
    watched = open_page(width=360)
    page = watched.page
    page.goto(base + "/es/index.html")
    page.add_script_tag(path=str(axe_script))
    rules = "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}"
    found = page.evaluate(
        f"axe.run(document, {rules})"
        ".then(r => r.violations.map(v => v.id + ' ' + JSON.stringify(v.nodes.map(n => n.target))))"
    )
    assert found == []
