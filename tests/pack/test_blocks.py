"""Page blocks in the loader and the renderer: the blocks fixture loads; every family of mistake is a
file:line problem; WebVTT is read strictly; media and documents are what their names say; a scenario's
graph is proven; packages carry only the block code and captions they need."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from spotlight_pack import check, load_course
from spotlight_pack.blocks import KINDS, block_scripts, webvtt
from spotlight_pack.lint import check_and_lint
from spotlight_pack.media_check import media_problems
from spotlight_pack.render import render_package

BLOCKS = Path(__file__).resolve().parents[1] / "fixtures" / "courses" / "blocks"
MINI = Path(__file__).resolve().parents[1] / "fixtures" / "courses" / "mini"
PRACTICE_EN = "modules/02-activities/01-practice.en.md"
PRACTICE_ES = "modules/02-activities/01-practice.es.md"
FIRST_CALL_EN = "modules/01-media/01-first-call.en.md"
SCENARIO = "modules/03-scenario/01-first-call"
CHECK_FILE = "modules/02-activities/first-check.check.yaml"


@pytest.fixture
def blocks_copy(tmp_path: Path) -> Path:
    target = tmp_path / "blocks"
    shutil.copytree(BLOCKS, target)
    return target


def problems(course: Path) -> list[str]:
    return [str(problem) for problem in check(course)]


def edit(course: Path, name: str, old: str, new: str) -> None:
    path = course / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_blocks_fixture_uses_every_kind_and_loads() -> None:
    course = load_course(BLOCKS)
    kinds = {block.kind for module in course.modules for page in module.pages for block in page.blocks_in("en")}
    assert kinds == set(KINDS), "the fixture course uses every registered kind of block"
    assets = {asset.path: asset.lang for asset in course.assets}
    assert assets["media/first-call.es.vtt"] == "es" and assets["media/interview.en.txt"] == "en"
    assert assets["media/first-call.webm"] is None and assets["media/referral-form.pdf"] is None
    html = course.modules[0].pages[0].html["en"]
    assert '<track kind="captions" src="media/first-call.en.vtt" srclang="en" label="English" default>' in html
    assert "autoplay" not in html
    assert "(PDF, 594 B)</a>" in html and 'download="" type="application/pdf"' in html


BROKEN = [
    # (file, old, new, expected "file:line: message" fragment)
    (PRACTICE_EN, "::: tab DIF", "::: tabb DIF", f"{PRACTICE_EN}:20: unknown block '::: tabb'"),
    (PRACTICE_EN, ":::: tabs\n", "", f"{PRACTICE_EN}:16: '::: tab' belongs inside '::: tabs'"),
    (PRACTICE_EN, "::: section Who can ask for one?", "::: section", f"{PRACTICE_EN}:9: a section needs its title"),
    (
        PRACTICE_EN,
        "::: tab DIF\nProtects children and adolescents.\n:::\n::: tab Women's Justice Centre\n"
        "Brings the services together in one place.\n:::\n",
        "",
        f"{PRACTICE_EN}:16: tabs hold only '::: tab Title'",
    ),
    (PRACTICE_EN, ":::: accordion\n", ":::: accordion\nLoose text.\n\n", f"{PRACTICE_EN}:5: an accordion holds only"),
    (
        PRACTICE_EN,
        "::: reflection first-words send=yes max=600",
        "::: reflection First Words",
        f"{PRACTICE_EN}:31: write '::: reflection ID'",
    ),
    (PRACTICE_EN, "max=600", "max=99999", f"{PRACTICE_EN}:31: max must be a number of characters from 1 to 4,000"),
    (PRACTICE_EN, "send=yes", "share=yes", f"{PRACTICE_EN}:31: unknown option 'share'"),
    (
        PRACTICE_EN,
        "::: reflection first-words",
        "::: reflection other-words",
        "01-practice.en.md: page 'practice' has other blocks in 'en' than in 'es'",
    ),
    (
        FIRST_CALL_EN,
        "The first call: what to say in the first minute\n",
        "",
        f"{FIRST_CALL_EN}:5: the video needs a title",
    ),
    (
        FIRST_CALL_EN,
        "media/first-call.webm poster",
        "media/first-call.avi poster",
        f"{FIRST_CALL_EN}:5: video media/first-call.avi must be mp4 or webm",
    ),
    (
        FIRST_CALL_EN,
        "media/first-call.webm poster",
        "media/missing.webm poster",
        f"{FIRST_CALL_EN}:5: video media/missing.webm does not exist",
    ),
    (
        FIRST_CALL_EN,
        "media/first-call.webm poster",
        "../first-call.webm poster",
        f"{FIRST_CALL_EN}:5: video ../first-call.webm must be a file under media/",
    ),
    (FIRST_CALL_EN, "poster=media/first-call.jpg", "autoplay=yes", f"{FIRST_CALL_EN}:5: unknown option 'autoplay'"),
    (
        FIRST_CALL_EN,
        "(media/referral-form.pdf)",
        "(media/referral-form.exe)",
        f"{FIRST_CALL_EN}:15: link to media/referral-form.exe: files offered for download are",
    ),
    (
        FIRST_CALL_EN,
        "::: audio media/interview.ogg",
        "::: audio media/interview.wav",
        f"{FIRST_CALL_EN}:11: audio media/interview.wav must be mp3 or m4a or ogg",
    ),
    (PRACTICE_EN, "## Who does what", ":::\n\n## Who does what", f"{PRACTICE_EN}:14: ':::' closes a block"),
    (PRACTICE_EN, "::: check first-check", "::: check First", f"{PRACTICE_EN}:28: write '::: check ID'"),
    (PRACTICE_EN, "::: check first-check", "::: check quiz", f"{PRACTICE_EN}:28: write '::: check ID'"),
    (PRACTICE_EN, "::: check first-check", "::: check first-check a=b", f"{PRACTICE_EN}:28: write '::: check ID'"),
    (
        PRACTICE_EN,
        "::: check first-check\n",
        "::: check first-check\nWhat comes first?\n",
        f"{PRACTICE_EN}:28: a check's questions are in its .check.yaml file: leave the block empty",
    ),
    (
        PRACTICE_EN,
        "::: check first-check",
        "::: check later",
        f"{PRACTICE_EN}:28: no later.check.yaml in the module folder 02-activities for '::: check later'",
    ),
    (
        CHECK_FILE,
        "    answer: false",
        "    answer: maybe",
        f"{CHECK_FILE}:41: question chk-who: a truefalse question needs 'answer: true' or 'answer: false'",
    ),
    (
        CHECK_FILE,
        "      - id: c\n",
        "      - id: b\n",
        f"{CHECK_FILE}:29: question chk-first, option b: option id 'b' is used twice",
    ),
]


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"), BROKEN, ids=[case[3].split(": ", 1)[-1][:40] for case in BROKEN]
)
def test_block_mistakes_are_reported_with_file_and_line(
    blocks_copy: Path, name: str, old: str, new: str, expected: str
) -> None:
    edit(blocks_copy, name, old, new)
    found = problems(blocks_copy)
    assert any(expected in problem for problem in found), found


def test_captions_and_transcripts_are_required_per_language(blocks_copy: Path) -> None:
    (blocks_copy / "media/first-call.es.vtt").unlink()
    (blocks_copy / "media/interview.en.txt").unlink()
    found = problems(blocks_copy)
    assert any(
        "01-first-call.es.md:5: video media/first-call.webm has no captions in 'es': add media/first-call.es.vtt" in p
        for p in found
    ), found
    assert any("01-first-call.en.md:11: audio media/interview.ogg has no transcript in 'en'" in p for p in found), found


BAD_VTT = [
    ("WEBVTT\n\n00:01.000 --> 00:00.500\nText\n", 3, "the cue ends before it starts"),
    ("WEBVTT\n\n00:01.00 --> 00:02.000\nText\n", 3, "bad cue timing"),
    ("WEBVTT\n\n00:61.000 --> 01:02.000\nText\n", 3, "bad cue timing"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\nText\n00:02.000 --> 00:03.000\nMore\n", 5, "must not contain -->"),
    ("WEBVTT\n\n00:05.000 --> 00:06.000\nA\n\n00:01.000 --> 00:02.000\nB\n", 6, "cues must be in time order"),
    ("WEBVTT\n\n1\nText without timing\n", 3, "expected a cue timing line"),
    ("Subtitles\n\n00:01.000 --> 00:02.000\nText\n", 1, "starts with the line WEBVTT"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\n<i></i>\n", 3, "the cue has no text"),
    ("WEBVTT\n\nNOTE nothing else\n", 1, "no cues"),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD_VTT)
def test_bad_webvtt_is_a_file_and_line_problem(blocks_copy: Path, text: str, line: int, message: str) -> None:
    (blocks_copy / "media/first-call.en.vtt").write_text(text, encoding="utf-8")
    found = problems(blocks_copy)
    assert any(f"media/first-call.en.vtt:{line}: WebVTT: " in p and message in p for p in found), found


def test_webvtt_cues_become_the_transcript() -> None:
    cues, found = webvtt.parse(
        "\ufeffWEBVTT - with a header\nKind: captions\n\nSTYLE\n::cue { color: yellow }\n\n"
        "intro\n01:00:01.250 --> 01:00:03.000 align:start\n<v.loud Ana Ruiz>Hola &amp; <b>bienvenida</b></v>\n"
        "segunda línea\n\nNOTE\nignored\n\n01:00:04.000 --> 01:00:05.000\n<c.yellow>Sí</c>\n"
    )
    assert found == []
    assert [(cue.start, cue.end, cue.text) for cue in cues] == [
        (3601.25, 3603.0, "Ana Ruiz: Hola & bienvenida segunda línea"),
        (3604.0, 3605.0, "Sí"),
    ]
    assert webvtt.clock(3601.25) == "1:00:01" and webvtt.clock(75) == "1:15"


def test_media_and_documents_must_be_what_their_names_say() -> None:
    html = b"<html><script>alert(1)</script></html>"
    for name in ["a.mp4", "a.m4a", "a.webm", "a.ogg", "a.mp3", "a.pdf", "a.docx", "a.xlsx", "a.pptx", "a.odt"]:
        assert media_problems(name, html), name
    assert media_problems("a.mp4", b"\x00\x00\x00\x18ftypmp42") == []
    assert media_problems("a.mp3", b"ID3\x04") == [] and media_problems("a.mp3", b"\xff\xfb\x90") == []
    assert media_problems("a.pdf", b"%PDF-1.7\n") == []
    assert media_problems("a.csv", b"nombre,cargo\nAna,fiscal\n") == []
    assert media_problems("a.csv", b"\xff\xfe") and media_problems("a.csv", b"a,b\n\x00")

    def office(names: dict[str, bytes]) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for entry, data in names.items():
                archive.writestr(entry, data)
        return buffer.getvalue()

    docx = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
    assert media_problems("a.docx", office(docx)) == []
    assert media_problems("a.xlsx", office(docx)), "a Word file named .xlsx"
    macros = media_problems("a.docx", office({**docx, "word/vbaProject.bin": b"\x00"}))
    assert macros and "macros" in macros[0][1]
    assert media_problems("a.odt", office({"mimetype": b"application/vnd.oasis.opendocument.text"})) == []


def test_a_disguised_download_is_refused(blocks_copy: Path) -> None:
    (blocks_copy / "media/referral-form.pdf").write_bytes(b"<html><script>alert(1)</script></html>")
    assert any("media/referral-form.pdf: is not a PDF document" in p for p in problems(blocks_copy))


def test_video_size_limit_is_its_own(blocks_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from spotlight_pack import source_files

    monkeypatch.setattr(source_files, "DEFAULT_SOURCE_LIMITS", source_files.SourceLimits(max_av_size=5000))
    found = problems(blocks_copy)
    assert any("media/first-call.webm: is 12,393 bytes, more than the limit of 5,000 for a av file" in p for p in found)
    assert not any("first-call.jpg" in p for p in found), "images keep the media limit"


SCENARIO_BROKEN = [
    (
        "scenario.yaml",
        "        to: safe\n      - id: ask-proof",
        "        to: nowhere\n      - id: ask-proof",
        "scenario.yaml:11: choice 'ask-safety' of scene 'call' leads nowhere: no scene 'nowhere' (a dead choice)",
    ),
    (
        "scenario.yaml",
        "        to: harmful-end",
        "        to: call",
        "scenario.yaml:35: scene 'harmful-end' cannot be reached",
    ),
    (
        "scenario.yaml",
        "        to: good-end\n",
        "        to: doubt\n",
        "scenario.yaml:31: scene 'good-end' cannot be reached",
    ),
    ("scenario.yaml", "start: call", "start: lobby", "scenario.yaml:4: start must name one of the scenes"),
    ("scenario.yaml", "    outcome: harmful", "    outcome: bad", "scenario.yaml:36: outcome must be one of"),
    (
        "scenario.yaml",
        "        text: {es: Insistir en las pruebas, en: Insist on proof}\n",
        "",
        "scenario.yaml:25: 'scenes.doubt.choices.0.text' is missing",
    ),
    (
        "scenario.yaml",
        "      - id: apologise",
        "      - id: insist",
        "scenario.yaml:28: choice id 'insist' is used twice",
    ),
]


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    SCENARIO_BROKEN,
    ids=[case[3].split(": ", 1)[-1][:40] for case in SCENARIO_BROKEN],
)
def test_scenario_graph_is_proven(blocks_copy: Path, name: str, old: str, new: str, expected: str) -> None:
    edit(blocks_copy, f"{SCENARIO}/{name}", old, new)
    found = problems(blocks_copy)
    assert any(expected in problem for problem in found), found


def test_a_scenario_that_never_ends_is_reported(blocks_copy: Path) -> None:
    """A loop with no way out: every scene reachable, every choice leads somewhere, and yet no ending."""
    edit(blocks_copy, f"{SCENARIO}/scenario.yaml", "        to: harmful-end\n", "        to: doubt\n")
    edit(blocks_copy, f"{SCENARIO}/scenario.yaml", "        to: safe\n  good-end", "        to: doubt\n  good-end")
    found = problems(blocks_copy)
    assert any("scenario.yaml:23: from scene 'doubt' no ending can be reached" in p for p in found), found


def test_scenario_texts_in_every_language(blocks_copy: Path) -> None:
    (blocks_copy / SCENARIO / "safe.en.md").unlink()
    (blocks_copy / SCENARIO / "lobby.es.md").write_text("¿Quién?\n", encoding="utf-8")
    found = problems(blocks_copy)
    assert any("scenario.yaml: scene 'safe' has no text in 'en': add safe.en.md" in p for p in found), found
    assert any("lobby.es.md: no scene 'lobby' in scenario.yaml" in p for p in found), found


def test_only_the_block_code_a_course_uses_is_bundled() -> None:
    assert block_scripts(load_course(MINI)) == ()
    mini = render_package(load_course(MINI), "en", "scorm12")
    assert b"blockKinds" not in mini["spotlight/player.js"] and b".tablist" not in mini["spotlight/player.css"]
    course = load_course(BLOCKS)
    scripts = block_scripts(course)
    assert scripts[0] == "blocks/engine.js" and "blocks/tabs.js" in scripts and "blocks/scenario.js" in scripts
    files = render_package(course, "es", "scorm12")
    assert "media/first-call.es.vtt" in files and "media/first-call.en.vtt" not in files
    assert "media/interview.es.txt" in files and "media/referral-form.pdf" in files


def test_only_stateful_blocks_change_the_saved_state_layout() -> None:
    """The layout hash (what a saved state is checked against) covers the blocks that keep state
    (reflections, scenarios) and nothing else, so existing courses keep their learners' progress."""
    from spotlight_pack.render import _entries, _layout

    for path, changes in ((MINI, False), (BLOCKS, True)):
        course = load_course(path)
        entries = _entries(course, "en")
        quizzes = course.quizzes()
        assert (_layout(entries, quizzes, "en") != _layout(entries, quizzes, "")) is changes, path.name


def test_package_size_warning_names_the_biggest_files(blocks_copy: Path) -> None:
    with (blocks_copy / "course.yaml").open("a", encoding="utf-8") as file:
        file.write("max_package_size: 70 KB\n")
    found = [str(problem) for problem in check_and_lint(blocks_copy)]
    assert any(
        "course.yaml: warning: the 'es' packages would be about 77 KB, more than max_package_size (70 KB)" in p
        and "biggest files: media/first-call.webm (12 KB)" in p
        and p.endswith("[package-size]")
        for p in found
    ), found
    edit(blocks_copy, "course.yaml", "max_package_size: 70 KB", "max_package_size: 50 MB")
    assert not any("package-size" in str(problem) for problem in check_and_lint(blocks_copy))


def test_preview_site_serves_languages_ranges_and_problems(blocks_copy: Path) -> None:
    """The preview without a browser: each language under its prefix, byte ranges of media, check's
    problems in place of the course once a source breaks, a new version after every change."""
    from spotlight_pack.preview import PreviewSite

    site = PreviewSite(blocks_copy)
    assert site.answer("/") == (302, "/es/index.html", b"")
    status, kind, page = site.answer("/en/index.html")
    assert status == 200 and b"Preview: nothing is recorded" in page and b'data-preview-version="1"' in page
    status, kind, video = site.answer("/en/media/first-call.webm")
    assert status == 200 and kind == "video/webm" and video == (blocks_copy / "media/first-call.webm").read_bytes()
    assert site.answer("/en/media/first-call.es.vtt")[0] == 404, "captions only in their own language"
    assert site.answer("/en/../course.yaml")[0] == 404 and site.answer("/de/index.html")[0] == 404
    assert site.refresh() is False
    edit(blocks_copy, PRACTICE_EN, "::: tab DIF", "::: tabb DIF")
    assert site.refresh() is True and site.version == 2
    status, _, page = site.answer("/en/index.html")
    assert status == 200 and b"The course has problems" in page and b"unknown block &#x27;::: tabb&#x27;" in page
    assert b"01-practice.en.md:20:" in page


def test_preview_answers_byte_ranges(blocks_copy: Path) -> None:
    """Chromium seeks in a video only when the server answers ranges (206)."""
    import http.client
    import http.server
    import threading

    from spotlight_pack.preview import PreviewSite, make_handler

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(PreviewSite(blocks_copy)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    video = (blocks_copy / "media/first-call.webm").read_bytes()
    try:
        for header, status, body in [
            ("bytes=0-99", 206, video[:100]),
            ("bytes=100-", 206, video[100:]),
            ("bytes=-10", 206, video[-10:]),
            ("bytes=999999-", 416, b""),
        ]:
            connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
            connection.request("GET", "/en/media/first-call.webm", headers={"Range": header})
            answer = connection.getresponse()
            assert (answer.status, answer.read()) == (status, body), header
            connection.close()
    finally:
        server.shutdown()
        server.server_close()


def test_blocks_inside_scenes_count_as_the_pages_blocks(blocks_copy: Path) -> None:
    for lang in ("es", "en"):
        scene = blocks_copy / SCENARIO / f"call.{lang}.md"
        scene.write_text(
            scene.read_text(encoding="utf-8") + "\n:::: tabs\n::: tab A\nuno\n:::\n::: tab B\ndos\n:::\n::::\n",
            encoding="utf-8",
        )
    course = load_course(blocks_copy)
    page = course.modules[2].pages[0]
    assert [block.kind for block in page.blocks_in("en")] == ["tab", "tab", "tabs", "scenario"]
    assert "blocks/tabs.js" in block_scripts(course)
    scene = blocks_copy / SCENARIO / "call.en.md"
    scene.write_text(scene.read_text(encoding="utf-8").split(":::: tabs")[0], encoding="utf-8")
    assert any("the scenes have other blocks in 'en' than in 'es'" in p for p in problems(blocks_copy))


def test_two_reflections_of_a_page_need_two_ids(blocks_copy: Path) -> None:
    page = blocks_copy / PRACTICE_EN
    page.write_text(page.read_text(encoding="utf-8") + "\n::: reflection first-words\nAgain?\n:::\n", encoding="utf-8")
    assert any(
        f"{PRACTICE_EN}:35: the reflection id 'first-words' is already used on this page (line 31)" in p
        for p in problems(blocks_copy)
    )


def test_a_check_is_the_assessment_engines_form_in_its_page() -> None:
    """The check's questions are read by the quiz reader and put in the page as the quiz engine's own
    form; the player's data names the page the check is on; it is never scored."""
    import json
    import re

    course = load_course(BLOCKS)
    check_quiz = next(quiz for quiz in course.quizzes() if quiz.id == "activities-first-check")
    assert not check_quiz.scored and check_quiz.feedback.value == "immediate" and check_quiz.attempts is None
    assert [q.id for q in check_quiz.questions] == ["chk-first", "chk-who"]
    assert [q.type.value for q in check_quiz.questions] == ["single", "truefalse"]
    from spotlight_pack.study_time import estimate

    assert [part.questions for part in estimate(course, "en").parts] == [0, 2, 0], "checks count in study time"
    for lang, title in (("en", "Check what you know"), ("es", "Compruebe lo que sabe")):
        html = render_package(course, lang, "scorm2004")["index.html"].decode()
        section = html[html.index('<section class="page" id="page-activities--practice"'):]
        section = section[: section.index("</section>\n")]
        check_html = section[section.index('<div class="check"'): section.index('<div class="reflection"')]
        assert f">{title}</h3>" in check_html and 'role="group" aria-labelledby=' in check_html
        assert '<form class="quiz" data-quiz="activities-first-check" novalidate>' in check_html
        assert check_html.count('<fieldset class="question"') == 2 and "data-scored" not in check_html
        assert "<spotlight-quiz" not in html
        data = json.loads(re.search(r'id="spotlight-data"[^>]*>(.*?)</script>', html, re.S).group(1))
        (quiz,) = data["quizzes"]
        assert quiz["page"] == "activities/practice" and quiz["scored"] is False
        assert data["quizScript"] == "spotlight/quiz.js"
        assert "activities-first-check" not in [page["id"] for page in data["pages"]], "a check is no page of its own"


def test_a_check_needs_no_other_block(tmp_path: Path) -> None:
    """A course whose one block is a check bundles no block engine (the quiz engine runs it) but the
    check's style, and its form works as any quiz's."""
    course_dir = tmp_path / "mini"
    shutil.copytree(MINI, course_dir)
    shutil.copy(BLOCKS / CHECK_FILE, course_dir / "modules/02-practice/steps.check.yaml")
    for lang in ("es", "en"):
        page = course_dir / f"modules/02-practice/01-steps.{lang}.md"
        page.write_text(page.read_text(encoding="utf-8") + "\n::: check steps\n:::\n", encoding="utf-8")
    course = load_course(course_dir)
    assert block_scripts(course) == ()
    files = render_package(course, "en", "scorm12")
    assert b"blockKinds" not in files["spotlight/player.js"] and b".check-title" in files["spotlight/player.css"]
    assert b'data-quiz="practice-steps"' in files["index.html"]
    assert [quiz.id for quiz in course.quizzes()] == ["basics-quiz", "practice-steps", "assessment"]


def test_a_check_belongs_to_one_page_and_every_check_file_to_a_page(blocks_copy: Path) -> None:
    folder = blocks_copy / "modules/02-activities"
    for lang in ("es", "en"):
        (folder / f"02-again.{lang}.md").write_text("# Again\n\n::: check first-check\n:::\n", encoding="utf-8")
    (folder / "unused.check.yaml").write_text((blocks_copy / CHECK_FILE).read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "Bad Name.check.yaml").write_text("title: {es: a, en: b}\n", encoding="utf-8")
    found = problems(blocks_copy)
    assert any(
        "02-again.en.md:3: check 'first-check' is on page 'practice' already: each page needs checks of its own" in p
        for p in found
    ), found
    assert any("unused.check.yaml: no page of this module has '::: check unused'" in p for p in found), found
    assert any("Bad Name.check.yaml: a check's questions are in ID.check.yaml" in p for p in found), found


def test_a_checks_quiz_id_may_not_repeat_another_quiz(blocks_copy: Path) -> None:
    """Module 'activities' with check 'x-quiz' and module 'activities-x' with a quiz.yaml would both be
    quiz 'activities-x-quiz' (their saved answers would mix)."""
    folder = blocks_copy / "modules/02-activities"
    (folder / "first-check.check.yaml").rename(folder / "x-quiz.check.yaml")
    for lang in ("es", "en"):
        edit(blocks_copy, f"modules/02-activities/01-practice.{lang}.md", "::: check first-check", "::: check x-quiz")
    other = blocks_copy / "modules/04-activities-x"
    other.mkdir()
    (other / "module.yaml").write_text("title: {es: Otro, en: Other}\n", encoding="utf-8")
    quiz = (folder / "x-quiz.check.yaml").read_text(encoding="utf-8").replace("id: chk-", "id: other-")
    (other / "quiz.yaml").write_text(quiz, encoding="utf-8")
    found = problems(blocks_copy)
    assert any(
        "04-activities-x/quiz.yaml: its quiz id 'activities-x-quiz' (module id, '-', check id or 'quiz') is also "
        "that of" in p and "x-quiz.check.yaml: rename the check" in p
        for p in found
    ), found
