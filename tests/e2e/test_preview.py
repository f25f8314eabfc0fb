"""The preview package (tracking ``none``) opened straight from disk, with no LMS at all."""

from __future__ import annotations

import pytest

from spotlight_pack.model import Course

pytestmark = pytest.mark.browser


def test_opens_from_file_url_without_errors(open_page, unpacked, mini_course: Course, tmp_path) -> None:
    launch = unpacked(mini_course, "none", "es", tmp_path) / "index.html"
    watched = open_page()
    page = watched.page
    page.goto(launch.as_uri())
    assert page.locator("html").get_attribute("lang") == mini_course.locale("es")
    page.locator("#note-start").click()
    page.locator("section.page:not([hidden]) .content a[data-page]").first.click()  # a page: link
    position = page.locator("#position").inner_text()
    assert not position.startswith("Página 1 ")
    heading = page.locator("section.page:not([hidden]) h1")
    assert heading.evaluate("h => h === document.activeElement")
    title = heading.inner_text()
    page.reload()  # the preview keeps its place in localStorage
    assert page.locator("section.page:not([hidden]) h1").inner_text() == title
    assert page.locator("#position").inner_text() == position
    assert not watched.errors, watched.errors
    assert all(url.startswith("file://") for url in watched.requests), watched.requests
