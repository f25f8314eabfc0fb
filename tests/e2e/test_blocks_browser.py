"""Page blocks in real Chromium: video with captions and transcript, audio, a download, accordion and
tabs by keyboard, a reflection kept across a reload, and axe-core at phone and desktop widths.

The fixture course (tests/fixtures/courses/blocks) carries a 3-second WebM made for it with ffmpeg
(testsrc + a sine tone, 12 KB) and a one-page PDF written by hand: no media is downloaded.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from spotlight_pack.model import Course
from spotlight_pack.sources import load_course

sys.path.insert(0, str(Path(__file__).parent))

import blocks_support  # noqa: E402

pytestmark = pytest.mark.browser

BLOCKS = Path(__file__).resolve().parents[1] / "fixtures" / "courses" / "blocks"
RULES = "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}"


@pytest.fixture(scope="module")
def blocks_course() -> Course:
    return load_course(BLOCKS)


def go_to(page: Any, title: str) -> None:
    """Open the page whose menu entry reads ``title``."""
    page.locator(f'#menu a:has-text("{title}")').first.evaluate("a => a.click()")
    page.locator("section.page:not([hidden]) h1", has_text=title).wait_for()


def violations(page: Any, axe: Path, where: str) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe))
    found = page.evaluate(f"axe.run(document, {RULES}).then(r => r.violations)")
    return [f"{where}: {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in found]


def test_video_plays_with_captions_and_a_transcript(server, open_page, blocks_course: Course) -> None:
    watched = open_page()
    page = watched.page
    page.goto(server.add(blocks_course, "none", "es"))
    go_to(page, "La primera llamada")
    figure = page.locator("section.page:not([hidden]) figure.video")
    toggle = figure.locator(".transcript-toggle")
    transcript = figure.locator(".transcript")
    assert toggle.get_attribute("aria-expanded") == "false" and transcript.is_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true" and transcript.is_visible()
    assert "Agente: Buenos días" in transcript.inner_text()
    assert toggle.inner_text() == "Ocultar transcripción"
    video = figure.locator("video")
    assert video.get_attribute("autoplay") is None
    assert video.evaluate("v => v.paused && v.currentTime === 0"), "a video never starts by itself"
    video.evaluate("v => v.play()")
    page.wait_for_function(
        "() => { const t = document.querySelector('section.page:not([hidden]) video').textTracks[0];"
        " return t.mode === 'showing' && t.activeCues && t.activeCues.length > 0; }"
    )
    cue = video.evaluate("v => v.textTracks[0].activeCues[0].text")
    assert "Buenos días" in cue or "Escuche" in cue
    page.wait_for_function("() => document.querySelector('section.page:not([hidden]) video').ended", timeout=15000)
    # Leaving the page pauses what plays on it.
    audio = page.locator("#page-media--first-call--audio--1 audio")
    audio.evaluate("a => a.play()")
    page.wait_for_function("() => !document.querySelector('#page-media--first-call--audio--1 audio').paused")
    page.locator("#next").click()
    assert audio.evaluate("a => a.paused")
    assert not watched.errors, watched.errors


def test_a_download_opens_with_its_type_and_size(server, open_page, blocks_course: Course) -> None:
    watched = open_page()
    page = watched.page
    page.goto(server.add(blocks_course, "none", "en"))
    go_to(page, "The first call")
    link = page.locator("section.page:not([hidden]) a.download")
    assert link.inner_text().endswith("(PDF, 594 B)")
    assert link.get_attribute("type") == "application/pdf"
    with page.expect_download() as download:
        link.click()
    saved = Path(download.value.path())
    assert download.value.suggested_filename == "referral-form.pdf"
    assert saved.read_bytes() == (BLOCKS / "media" / "referral-form.pdf").read_bytes()
    assert not watched.errors, watched.errors


def test_accordion_and_tabs_by_keyboard(server, open_page, blocks_course: Course) -> None:
    watched = open_page()
    page = watched.page
    page.goto(server.add(blocks_course, "none", "en"))
    go_to(page, "Practise")
    section = page.locator("section.page:not([hidden])")
    headers = section.locator(".accordion-heading button")
    panels = section.locator(".accordion-panel")
    assert headers.count() == 2 and panels.nth(0).is_hidden() and panels.nth(1).is_hidden()
    headers.nth(0).focus()
    page.keyboard.press("Enter")
    assert headers.nth(0).get_attribute("aria-expanded") == "true" and panels.nth(0).is_visible()
    page.keyboard.press("ArrowDown")
    assert headers.nth(1).evaluate("b => b === document.activeElement")
    page.keyboard.press("Space")
    assert panels.nth(1).is_visible() and "Public Prosecutor" in panels.nth(1).inner_text()
    page.keyboard.press("ArrowDown")  # wraps to the first
    assert headers.nth(0).evaluate("b => b === document.activeElement")
    page.keyboard.press("Enter")
    assert panels.nth(0).is_hidden() and headers.nth(0).get_attribute("aria-expanded") == "false"

    tabs = section.locator("[role=tab]")
    tab_panels = section.locator("[role=tabpanel]")
    assert tabs.count() == 3 and section.locator("[role=tablist]").get_attribute("aria-label") == "Tabs"
    assert tabs.nth(0).get_attribute("aria-selected") == "true" and tab_panels.nth(1).is_hidden()
    tabs.nth(0).focus()
    page.keyboard.press("ArrowRight")
    assert tabs.nth(1).get_attribute("aria-selected") == "true" and tab_panels.nth(1).is_visible()
    assert tabs.nth(1).evaluate("t => t === document.activeElement") and tab_panels.nth(0).is_hidden()
    page.keyboard.press("End")
    assert tabs.nth(2).get_attribute("aria-selected") == "true" and "one place" in tab_panels.nth(2).inner_text()
    page.keyboard.press("ArrowRight")  # wraps
    assert tabs.nth(0).get_attribute("aria-selected") == "true"
    page.keyboard.press("Tab")  # into the panel
    assert tab_panels.nth(0).evaluate("p => p === document.activeElement")
    assert [tabs.nth(i).get_attribute("tabindex") for i in range(3)] == ["0", "-1", "-1"]
    # Printed, every panel shows with its title.
    page.emulate_media(media="print")
    assert all(panels.nth(i).is_visible() for i in range(2))
    assert all(tab_panels.nth(i).is_visible() for i in range(3))
    assert section.locator(".tab-title").nth(1).is_visible()
    page.emulate_media(media="screen")
    assert not watched.errors, watched.errors


def test_reflection_is_kept_across_a_reload(server, open_page, blocks_course: Course) -> None:
    watched = open_page()
    page = watched.page
    page.goto(server.add(blocks_course, "none", "es"))
    go_to(page, "Practique")
    box = page.locator("section.page:not([hidden]) .reflection textarea")
    box.fill("Le diría que está a salvo y que la escucho.")
    box.blur()
    status = page.locator("section.page:not([hidden]) .reflection-status")
    assert "Su texto se guardó" in status.inner_text()
    assert status.inner_text().startswith("43 de 600 caracteres")
    page.reload()
    box = page.locator("section.page:not([hidden]) .reflection textarea")
    box.wait_for()
    assert box.input_value() == "Le diría que está a salvo y que la escucho."
    assert not watched.errors, watched.errors


@pytest.mark.parametrize("width", [360, 1280])
def test_blocks_have_no_wcag_violations(server, open_page, axe_script, blocks_course: Course, width: int) -> None:
    watched = open_page(width=width)
    page = watched.page
    page.goto(server.add(blocks_course, "none", "es"))
    found: list[str] = []
    for title in ("La primera llamada", "Practique"):
        go_to(page, title)
        section = page.locator("section.page:not([hidden])")
        found += violations(page, axe_script, f"{title} (closed)")
        for toggle in section.locator(".transcript-toggle, .accordion-heading button").all():
            toggle.click()
        section.locator("[role=tab]").nth(1).click() if section.locator("[role=tab]").count() else None
        found += violations(page, axe_script, f"{title} (open)")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{title} scrolls sideways at {width} px"
    assert not found, "\n".join(found)
    assert not watched.errors, watched.errors


def scene_choice(lms: Any, text: str) -> None:
    lms.sco.locator("section.page:not([hidden]) .scene:not([hidden]) button.choice", has_text=text).click()


INTERACTION = {
    "scorm12": ("student_response", "wrong", "correct"),
    "scorm2004": ("learner_response", "incorrect", "correct"),
}
COMPLETION = {"scorm12": "cmi.core.lesson_status", "scorm2004": "cmi.completion_status"}


@pytest.mark.parametrize("standard", ["scorm12", "scorm2004"])
def test_scenario_walked_to_two_endings_is_recorded_in_the_scorm_data_model(
    launch, blocks_course: Course, standard: str
) -> None:
    lms = launch(blocks_course, standard, width=360)
    lms.start()
    assert lms.walk_to_end() == 3
    # Every page was shown, but the scenario counts toward completion only once it reached an ending.
    assert lms.values()[COMPLETION[standard]] == "incomplete"
    scene = lms.sco.locator("section.page:not([hidden]) .scene:not([hidden])")
    assert scene.get_attribute("data-scene") == "call"
    scene_choice(lms, "Ask her for proof")
    assert scene.get_attribute("data-scene") == "doubt"
    assert scene.evaluate("s => s === document.activeElement"), "focus moves to the new scene"
    scene_choice(lms, "Insist on proof")
    assert scene.get_attribute("data-outcome") == "harmful"
    assert "Harmful outcome" in scene.inner_text()
    path = lms.sco.locator("section.page:not([hidden]) .scenario-path li")
    assert path.all_inner_texts() == ["Ask her for proof of what she says", "Insist on proof"]
    values = lms.values()
    response, wrong, right = INTERACTION[standard]
    prefix = "cmi.interactions.0."
    assert values[prefix + response] == (
        "call,doubt,harmful-end" if standard == "scorm12" else "call[,]doubt[,]harmful-end"
    )
    assert values[prefix + "result"] == wrong
    assert values[prefix + "type"] == ("performance" if standard == "scorm12" else "sequencing")
    assert values[COMPLETION[standard]] == "completed"
    restart = lms.sco.locator("section.page:not([hidden]) .scenario-restart")
    restart.focus()
    lms.sco.locator("body").press("Enter")
    assert scene.get_attribute("data-scene") == "call"
    scene_choice(lms, "Ask whether she is somewhere safe")
    scene_choice(lms, "Agree a safety plan with her")
    assert scene.get_attribute("data-outcome") == "good"
    values = lms.values()
    prefix = "cmi.interactions.1."
    assert values[prefix + response] == ("call,safe,good-end" if standard == "scorm12" else "call[,]safe[,]good-end")
    assert values[prefix + "result"] == right
    lms.unload()
    lms.assert_clean()


def test_scenario_and_reflection_resume_where_the_learner_left(launch, blocks_course: Course) -> None:
    lms = launch(blocks_course, "scorm2004")
    lms.walk_to_end()
    scene_choice(lms, "Ask her for proof")
    lms.sco.locator("#prev").click()
    box = lms.sco.locator("section.page:not([hidden]) .reflection textarea")
    box.fill("Que no está sola. ¿Está en un lugar seguro?")
    box.blur()
    lms.unload()
    stored = lms.values()
    assert stored["cmi.completion_status"] == "incomplete"
    again = launch(
        blocks_course,
        "scorm2004",
        init={
            "cmi.location": stored["cmi.location"],
            "cmi.suspend_data": stored["cmi.suspend_data"],
            "cmi.completion_status": "incomplete",
        },
    )
    assert again.sco.locator("section.page:not([hidden]) .reflection textarea").input_value() == (
        "Que no está sola. ¿Está en un lugar seguro?"
    )
    again.sco.locator("#next").click()
    scene = again.sco.locator("section.page:not([hidden]) .scene:not([hidden])")
    assert scene.get_attribute("data-scene") == "doubt"
    assert again.sco.locator("section.page:not([hidden]) .scenario-path li").all_inner_texts() == [
        "Ask her for proof of what she says"
    ]
    again.unload()
    again.assert_clean()


ES2017_CHECK = """
const source = require("fs").readFileSync(0, "utf8");
try { require("acorn").parse(source, {ecmaVersion: 2017, sourceType: "script"}); }
catch (error) { console.log(error.message); process.exit(1); }
"""


@pytest.mark.parametrize("tracking", ["scorm12", "scorm12-xapi"])
def test_the_bundle_with_every_block_is_es2017_and_small(blocks_course: Course, tracking: str) -> None:
    """Old phone browsers and LMS webviews parse ES2017; every block module is in this bundle."""
    import shutil
    import subprocess

    from spotlight_pack.render import SCRIPT_FILE, STYLE_FILE, render_package

    files = render_package(blocks_course, "en", tracking)
    script = files[SCRIPT_FILE].decode()
    for kind in ("video", "audio", "accordion", "tabs", "reflection", "scenario"):
        assert f"blockKinds.{kind}=" in script
    added = len(files[SCRIPT_FILE]) + len(files[STYLE_FILE])
    assert added < 80 * 1024, added
    node = shutil.which("node")
    acorn = Path(__file__).resolve().parent / "node_modules" / "acorn" / "package.json"
    if node is None or not acorn.is_file():
        reason = "node and tests/e2e/node_modules (npm ci) are needed to parse the script"
        if os.environ.get("SPOTLIGHT_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    done = subprocess.run(
        [node, "-e", ES2017_CHECK], input=script, text=True, capture_output=True, cwd=Path(__file__).resolve().parent
    )
    assert done.returncode == 0, f"not ES2017: {done.stdout}{done.stderr}"


def run_state_codec(calls: str) -> Any:
    """Evaluate ``calls`` with runtime/state.js in Node; its JSON value."""
    import json
    import shutil
    import subprocess
    from importlib import resources

    node = shutil.which("node")
    if node is None:
        if os.environ.get("SPOTLIGHT_REQUIRE_BROWSER") == "1":
            pytest.fail("node is missing (SPOTLIGHT_REQUIRE_BROWSER=1)")
        pytest.skip("node is missing")
    codec = resources.files("spotlight_pack").joinpath("runtime", "state.js").read_text(encoding="utf-8")
    script = f"{codec}\nprocess.stdout.write(JSON.stringify({calls}));"
    return json.loads(subprocess.run([node], input=script, capture_output=True, text=True, check=True).stdout)


def test_blocks_state_part_gives_way_first_in_scorm12() -> None:
    """A reflection's text is dropped before the quizzes' responses and the visited marks when the
    state would pass SCORM 1.2's 4,096 characters; the scenario's path (lean part) is kept."""
    quiz = "{seed: 5, attempt: 1, submitted: true, right: [true], checked: [false], responses: ['DA'], free: [false]}"
    base = f"{{visited: [true, true, false], best: 90, quizzes: [{quiz}]"
    fits, dropped, none = run_state_codec(
        f"[stateEncode(Object.assign({base}}}, {{blocks: {{full: 'SGVsbG8~N01', lean: '~N01'}}}}), 'L', 4096),"
        f" stateEncode(Object.assign({base}}}, {{blocks: {{full: 'x'.repeat(5000) + '~N01', lean: '~N01'}}}}),"
        " 'L', 4096),"
        f" stateEncode({base}}}, 'L', 4096)]"
    )
    assert none == "2.L.D.90.FAAAABB,B,,DA", "a course without blocks keeps the state it had"
    assert fits == none + ".SGVsbG8~N01"
    assert dropped == none + ".~N01", "responses and visited marks kept, the free text dropped"
    decoded = run_state_codec(f"[stateDecode({json_str(dropped)}, 'L', 3), stateDecode({json_str(none)}, 'L', 3)]")
    assert decoded[0]["blocks"] == "~N01" and "blocks" not in decoded[1]


def json_str(value: str) -> str:
    import json

    return json.dumps(value)



CHECK_INTERACTIONS = {
    "scorm12": [
        ("id", "chk-first", "chk-who"),
        ("type", "choice", "true-false"),
        ("student_response", "a", "t"),
        ("correct_responses.0.pattern", "a", "f"),
        ("result", "correct", "wrong"),
    ],
    "scorm2004": [
        ("id", "https://spotlight-pack.org/xapi/activities/blocks/question/chk-first",
         "https://spotlight-pack.org/xapi/activities/blocks/question/chk-who"),
        ("type", "choice", "true-false"),
        ("learner_response", "a", "true"),
        ("correct_responses.0.pattern", "a", "false"),
        ("result", "correct", "incorrect"),
    ],
}


@pytest.mark.parametrize("standard", ["scorm12", "scorm2004"])
def test_in_page_check_answered_by_keyboard_is_an_interaction_and_resumes(
    launch, blocks_course: Course, standard: str
) -> None:
    """The check on the Practise page, answered with the keyboard at 360 px: feedback per option and a
    summary, one cmi.interactions entry per question, no score; the next session shows it answered."""
    lms = launch(blocks_course, standard, width=360)
    lms.start()
    lms.sco.locator("#next").click()
    form = lms.sco.locator('section.page:not([hidden]) form[data-quiz="activities-first-check"]')
    blocks_support.answer_check(lms.frame())
    values = lms.values()
    for field, first, second in CHECK_INTERACTIONS[standard]:
        assert (values[f"cmi.interactions.0.{field}"], values[f"cmi.interactions.1.{field}"]) == (first, second), field
    assert "cmi.interactions.2.id" not in values
    assert not [key for key in values if ".score." in key or key == "cmi.success_status"], "a check is never scored"
    assert values[COMPLETION[standard]] == "incomplete"
    lms.unload()
    lms.assert_clean()

    again = launch(blocks_course, standard, init=lms.kept(), width=360)
    form = again.sco.locator('section.page:not([hidden]) form[data-quiz="activities-first-check"]')
    form.locator(".summary:not([hidden])").wait_for()
    assert form.locator(".summary").inner_text() == "You answered 1 of 2 questions correctly."
    assert form.locator('input[value="a"]').is_checked() and form.locator('input[value="true"]').is_checked()
    assert form.locator("input:not([disabled])").count() == 0, "an answered check stays answered"
    assert "Right. Her safety comes first." in form.inner_text()
    assert not [key for key in again.values() if key.startswith("cmi.interactions.")], "nothing reported twice"
    again.unload()
    again.assert_clean()


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("standard", ["scorm12", "scorm2004"])
def test_every_block_under_a_scorm_runtime(
    launch, axe_script, blocks_course: Course, standard: str, width: int
) -> None:
    """The package under scorm-again, as an LMS runs it: the video with captions and its transcript,
    the download, accordion, tabs and the check by keyboard, the scenario to two endings, axe on every
    page closed and open; then the data model: the check's answers and both endings as interactions,
    completion once the scenario ended (the check, left half done or not, never holds it back)."""
    lms = launch(blocks_course, standard, width=width)
    lms.start()
    walk = blocks_support.use_every_block(lms.frame(), lms.page, axe_script, width)
    assert not walk.violations, "\n".join(walk.violations)
    assert not walk.overflow, walk.overflow
    values = lms.values()
    response, wrong, right = INTERACTION[standard]
    for field, first, second in CHECK_INTERACTIONS[standard]:
        assert (values[f"cmi.interactions.0.{field}"], values[f"cmi.interactions.1.{field}"]) == (first, second), field
    separator = "," if standard == "scorm12" else "[,]"
    assert values["cmi.interactions.2." + response] == separator.join(["call", "doubt", "harmful-end"])
    assert values["cmi.interactions.2.result"] == wrong
    assert values["cmi.interactions.3." + response] == separator.join(["call", "safe", "good-end"])
    assert values["cmi.interactions.3.result"] == right
    assert "cmi.interactions.4.id" not in values
    assert values[COMPLETION[standard]] == "completed"
    assert not [key for key in values if ".score." in key or key == "cmi.success_status"]
    lms.unload()
    lms.assert_clean()
