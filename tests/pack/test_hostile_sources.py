"""Course sources from a contributor cannot read the builder's files, exhaust it, or smuggle scripts.

Each case is one member of a family (links out of the course, paths out of it, oversized files, YAML
bombs and deep nesting, active SVG content, disguised images). Through the CLI: ``check`` reports it
as file:line and exits 1; ``build`` exits 1 and leaves ``dist/`` as it was; neither prints a
traceback, and nothing from outside the course folder (the secret file below) ever shows up.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from spotlight_pack import source_files
from spotlight_pack.cli import main

SECRET = "TOP-SECRET-OUTSIDE-THE-COURSE"
WELCOME = "modules/01-basics/01-welcome.en.md"
MODULE_YAML = "modules/01-basics/module.yaml"
IMAGE_LINE = "![Three-step diagram: listen, assess, refer](media/steps.svg)"


def _outside(course: Path) -> Path:
    """A folder beside the course, with files a hostile course would like to read."""
    folder = course.parent / "outside"
    folder.mkdir(exist_ok=True)
    (folder / "secret.txt").write_text(SECRET)
    (folder / "secret.svg").write_text(f'<svg xmlns="http://www.w3.org/2000/svg"><title>{SECRET}</title></svg>')
    (folder / "01-secret.en.md").write_text(f"# {SECRET}\n")
    (folder / "module.yaml").write_text(f"title: {{es: {SECRET}, en: {SECRET}}}\n")
    return folder


def _image(course: Path, src: str) -> None:
    page = course / WELCOME
    page.write_text(page.read_text().replace("(media/steps.svg)", f"({src})"))


def _link(course: Path, relative: str, target: Path) -> None:
    path = course / relative
    if path.exists() or path.is_symlink():
        path.unlink() if not path.is_dir() or path.is_symlink() else _remove_tree(path)
    os.symlink(target, path)


def _remove_tree(path: Path) -> None:
    for child in sorted(path.rglob("*"), reverse=True):
        child.rmdir() if child.is_dir() and not child.is_symlink() else child.unlink()
    path.rmdir()


def _svg(body: str, head: str = "") -> Callable[[Path], None]:
    def write(course: Path) -> None:
        (course / "media" / "steps.svg").write_text(
            f'{head}<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'viewBox="0 0 10 10">\n<rect width="1" height="1"/>\n{body}\n</svg>\n'
        )

    return write


def _yaml(text: str) -> Callable[[Path], None]:
    return lambda course: (course / MODULE_YAML).write_text(text)


def _sparse(course: Path, relative: str, size: int) -> None:
    with open(course / relative, "wb") as handle:
        handle.truncate(size)


def _nested_flow(depth: int) -> str:
    return "title: " + "[" * depth + "]" * depth + "\n"


def _nested_block(depth: int) -> str:
    return "title:\n" + "".join(" " * level + f"k{level}:\n" for level in range(1, depth)) + " " * depth + "x: 1\n"


BILLION_LAUGHS_YAML = (
    "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    + "title: *j\n"
)

# (case id, change to the course, regex that a line of `check` output must match)
CASES: list[tuple[str, Callable[[Path], None], str]] = [
    # ------------------------------------------------------------- links that leave the course
    (
        "media-file-links-to-etc-passwd",
        lambda c: _link(c, "media/steps.svg", Path("/etc/passwd")),
        rf"{WELCOME}:6: image media/steps\.svg is a link to a file outside the course folder",
    ),
    (
        "media-file-links-outside",
        lambda c: _link(c, "media/steps.svg", _outside(c) / "secret.svg"),
        r"image media/steps\.svg is a link to a file outside the course folder",
    ),
    (
        "media-folder-links-outside",
        lambda c: (_outside(c), (_outside(c) / "steps.svg").write_text("<svg/>"), _link(c, "media", _outside(c))),
        r"image media/steps\.svg is a link to a file outside the course folder",
    ),
    (
        "media-file-links-outside-through-dotdot",
        lambda c: _link(c, "media/steps.svg", Path("../../outside/secret.svg")) if _outside(c) else None,
        r"image media/steps\.svg is a link to a file outside",
    ),
    (
        "page-links-outside",
        lambda c: _link(c, "modules/01-basics/01-welcome.en.md", _outside(c) / "01-secret.en.md"),
        r"01-welcome\.en\.md: is a link to a file outside the course folder; it is not read",
    ),
    (
        "module-folder-links-outside",
        lambda c: _link(c, "modules/02-practice", _outside(c)),
        r"modules/02-practice: is a link to a file outside the course folder",
    ),
    (
        "modules-folder-links-outside",
        lambda c: _link(c, "modules", _outside(c)),
        r"mini/modules: is a link to a file outside the course folder",
    ),
    (
        "course-yaml-links-outside",
        lambda c: _link(c, "course.yaml", _outside(c) / "module.yaml"),
        r"course\.yaml: is a link to a file outside the course folder",
    ),
    (
        "module-yaml-links-outside",
        lambda c: _link(c, MODULE_YAML, _outside(c) / "module.yaml"),
        r"module\.yaml: is a link to a file outside the course folder",
    ),
    (
        "assessment-links-to-etc-passwd",
        lambda c: _link(c, "assessment.yaml", Path("/etc/passwd")),
        r"assessment\.yaml: is a link to a file outside the course folder",
    ),
    (
        "media-link-loop",
        lambda c: _link(c, "media/steps.svg", Path("steps.svg")),
        r"image media/steps\.svg is not a regular file",
    ),
    (
        "media-fifo",
        lambda c: ((c / "media/steps.svg").unlink(), os.mkfifo(c / "media/steps.svg")),
        r"image media/steps\.svg is not a regular file",
    ),
    # ------------------------------------------------------------- paths that leave the course
    ("image-dotdot", lambda c: _image(c, "../../outside/secret.svg"), rf"{WELCOME}:6: image \.\./\.\./outside"),
    ("image-media-dotdot", lambda c: _image(c, "media/../../outside/secret.svg"), rf"{WELCOME}:6: image media/\.\./"),
    ("image-absolute", lambda c: _image(c, "/etc/passwd"), rf"{WELCOME}:6: image /etc/passwd must be a file under"),
    ("image-backslashes", lambda c: _image(c, "media\\..\\..\\x.svg"), rf"{WELCOME}:6: image media"),
    ("image-percent-dotdot", lambda c: _image(c, "media/%2e%2e/%2e%2e/x.svg"), rf"{WELCOME}:6: image media/%2e"),
    ("image-dot-segment", lambda c: _image(c, "media/./steps.svg"), rf"{WELCOME}:6: image media/\./steps\.svg"),
    (
        "image-wrong-case-file",
        lambda c: _image(c, "media/Steps.svg"),
        rf"{WELCOME}:6: image media/Steps\.svg does not exist \(there is steps\.svg: names are case-sensitive",
    ),
    # ------------------------------------------------------------- sizes, checked before reading
    (
        "page-2MiB",
        lambda c: _sparse(c, WELCOME, 2 * 1024 * 1024),
        r"01-welcome\.en\.md: is 2,097,152 bytes, more than the limit of 1,048,576 for a page file",
    ),
    (
        "yaml-300KiB",
        lambda c: _sparse(c, MODULE_YAML, 300 * 1024),
        r"module\.yaml: is 307,200 bytes, more than the limit of 262,144 for a yaml file",
    ),
    (
        "media-30MiB",
        lambda c: _sparse(c, "media/steps.svg", 30 * 1024 * 1024),
        r"media/steps\.svg: is 31,457,280 bytes, more than the limit of 20,971,520 for a media file",
    ),
    # ------------------------------------------------------------- YAML that multiplies or nests
    (
        "yaml-billion-laughs",
        _yaml(BILLION_LAUGHS_YAML),
        r"module\.yaml:1: YAML anchor &a is not allowed in course sources",
    ),
    ("yaml-recursive-alias", _yaml("title: &a [*a]\n"), r"module\.yaml:1: YAML anchor &a is not allowed"),
    ("yaml-alias-without-anchor", _yaml("title: *nowhere\n"), r"module\.yaml:1: YAML"),
    ("yaml-merge-key", _yaml("title:\n  <<: *base\n"), r"module\.yaml:2: YAML alias \*base is not allowed"),
    ("yaml-nested-5000-flow", _yaml(_nested_flow(5000)), r"module\.yaml:1: YAML nested more than 32 levels deep"),
    ("yaml-nested-600-block", _yaml(_nested_block(600)), r"module\.yaml:\d+: YAML nested more than 32 levels"),
    (
        "yaml-python-object",
        _yaml('title: !!python/object/apply:os.system ["touch /tmp/owned"]\n'),
        r"module\.yaml:1: YAML tag !!python/object/apply:os\.system is not allowed",
    ),
    ("yaml-python-name", _yaml("title: !!python/name:os.system\n"), r"module\.yaml:1: YAML error: could not determine"),
    ("yaml-custom-tag-mapping", _yaml("title: !include {es: a, en: b}\n"), r"module\.yaml:1: YAML tag !include is not"),
    (
        "yaml-impossible-date",
        _yaml("title: {es: 2024-13-45, en: x}\n"),
        r"module\.yaml:1: YAML value '2024-13-45' is not valid",
    ),
    (
        "yaml-5000-digit-number",
        _yaml("title: {es: " + "9" * 5000 + ", en: x}\n"),
        r"module\.yaml:1: YAML value '9999.*' is not valid",
    ),
    (
        "yaml-not-utf8",
        lambda c: (c / MODULE_YAML).write_bytes(b"title: {es: caf\xe9, en: x}\n"),
        r"module\.yaml: not UTF-8 text",
    ),
    # ------------------------------------------------------------- active content in images
    ("svg-script", _svg("<script>alert(document.cookie)</script>"), r"steps\.svg:3: <script> is active content"),
    (
        "svg-script-in-other-namespace",
        _svg('<h:script xmlns:h="http://www.w3.org/1999/xhtml">x</h:script>'),
        r"steps\.svg:3: <script> is active content",
    ),
    ("svg-onload", _svg('<g onload="alert(1)"/>'), r"steps\.svg:3: event handler onload"),
    ("svg-uppercase-handler", _svg('<g ONCLICK="alert(1)"/>'), r"steps\.svg:3: event handler ONCLICK"),
    ("svg-foreign-object", _svg("<foreignObject><p>x</p></foreignObject>"), r"steps\.svg:3: <foreignObject>"),
    ("svg-javascript-link", _svg('<a href="javascript:alert(1)"><rect/></a>'), r"steps\.svg:3: <a> links to"),
    (
        "svg-javascript-link-obfuscated",
        _svg('<a xlink:href=" jav&#x09;ascript:alert(1)"><rect/></a>'),
        r"steps\.svg:3: <a> links to",
    ),
    ("svg-remote-image", _svg('<image href="https://evil.example/track.png"/>'), r"steps\.svg:3: <image> links to"),
    ("svg-use-external", _svg('<use xlink:href="other.svg#icon"/>'), r"steps\.svg:3: <use> links to"),
    ("svg-data-html", _svg('<a href="data:text/html;base64,PHNjcmlwdD4="><rect/></a>'), r"steps\.svg:3: <a> links"),
    (
        "svg-animate-href",
        _svg('<a href="#x"><set attributeName="href" to="javascript:alert(1)"/></a>'),
        r"steps\.svg:3: .*javascript|steps\.svg:3: <set> animates href",
    ),
    (
        "svg-css-remote-url",
        _svg("<style>rect { fill: url(https://evil.example/x.svg#g) }</style>"),
        r"steps\.svg:3: CSS url\('https://evil",
    ),
    ("svg-css-import", _svg("<style>@import 'https://evil.example/x.css';</style>"), r"steps\.svg:3: CSS @import"),
    (
        "svg-css-escape",
        _svg("<style>rect { fill: u\\72l(https://evil.example/) }</style>"),
        r"steps\.svg:3: CSS escapes",
    ),
    ("svg-style-attribute-url", _svg('<rect style="fill: url(//evil.example/a)"/>'), r"steps\.svg:3: CSS url"),
    ("svg-presentation-url", _svg('<rect cursor="url(https://evil.example/c.cur)"/>'), r"steps\.svg:3: CSS url"),
    (
        "svg-stylesheet-pi",
        _svg("", head='<?xml-stylesheet href="https://evil.example/s.css"?>\n'),
        r"steps\.svg:1: processing instruction <\?xml-stylesheet",
    ),
    (
        "svg-entities",
        _svg("<text>&x;</text>", head='<!DOCTYPE svg [<!ENTITY x "boom">]>\n'),
        r"steps\.svg:1: DOCTYPE with declarations",
    ),
    (
        "svg-external-entity",
        _svg("<text>&x;</text>", head='<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'),
        r"steps\.svg:1: DOCTYPE with declarations",
    ),
    (
        "svg-not-svg",
        lambda c: (c / "media/steps.svg").write_text("<html><script>x</script></html>"),
        r"steps\.svg:1: the root element must be <svg",
    ),
    (
        "png-that-is-html",
        lambda c: ((c / "media/steps.png").write_text("<script>alert(1)</script>"), _image(c, "media/steps.png")),
        r"media/steps\.png: is not a PNG image",
    ),
]


@pytest.mark.parametrize(("case", "change", "expected"), CASES, ids=[case[0] for case in CASES])
def test_hostile_sources_are_reported_never_read_never_built(
    mini_copy: Path, tmp_path: Path, case: str, change: Callable[[Path], None], expected: str
) -> None:
    change(mini_copy)
    runner = CliRunner()
    checked = runner.invoke(main, ["check", str(mini_copy)])
    assert checked.exit_code == 1, checked.output
    assert checked.exception is None or isinstance(checked.exception, SystemExit), checked.exception
    assert any(re.search(expected, line) for line in checked.stdout.splitlines()), checked.output
    assert SECRET not in checked.output and "root:x:0:0" not in checked.output
    out = tmp_path / "dist"
    out.mkdir()
    (out / "earlier.zip").write_bytes(b"an earlier build")
    built = runner.invoke(main, ["build", str(mini_copy), "--format", "scorm12", "--out", str(out)])
    assert built.exit_code == 1 and "nothing was built" in built.output, built.output
    assert built.exception is None or isinstance(built.exception, SystemExit), built.exception
    assert SECRET not in built.output
    assert sorted(path.name for path in out.iterdir()) == ["earlier.zip"], "no zip, partial or whole"


def test_links_inside_the_course_are_fine(tmp_path: Path, mini_copy: Path) -> None:
    """The course folder itself may be a link, and links inside it may point inside it."""
    (mini_copy / "media" / "shared").mkdir()
    (mini_copy / "media" / "steps.svg").rename(mini_copy / "media" / "shared" / "steps.svg")
    os.symlink("shared/steps.svg", mini_copy / "media" / "steps.svg")
    (tmp_path / "links").mkdir()
    linked = tmp_path / "links" / "mini"
    os.symlink(mini_copy, linked)
    result = CliRunner().invoke(
        main, ["build", str(linked), "--format", "scorm12", "--lang", "en", "--out", str(tmp_path / "d")]
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "d" / "mini-1.2.0-scorm12-en.zip") as archive:
        assert archive.read("media/steps.svg").startswith(b"<svg")


def test_a_course_over_its_total_size_is_refused(mini_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The total limit counts every file read; the default is 200 MiB, lowered here to keep the test small."""
    monkeypatch.setattr(source_files, "DEFAULT_SOURCE_LIMITS", source_files.SourceLimits(max_course_size=2000))
    result = CliRunner().invoke(main, ["check", str(mini_copy)])
    assert result.exit_code == 1 and "takes the course past its total limit of 2,000 bytes" in result.output


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000,
        "*" * 50_000 + "a" + "*" * 50_000,
        "![" * 30_000,
        "|a" * 15_000 + "\n" + "|-" * 15_000 + "\n" + "|a" * 15_000,
    ],
    ids=["brackets", "emphasis", "images", "table"],
)
def test_markdown_with_quadratic_cost_is_refused_before_parsing(mini_copy: Path, body: str) -> None:
    """markdown-it takes seconds to minutes on 100,000 unclosed brackets or emphasis markers (its cost
    grows with their square): such a page is refused by counting, before it is parsed."""
    (mini_copy / WELCOME).write_text("# Welcome\n\n" + body + "\n")
    result = CliRunner().invoke(main, ["check", str(mini_copy)])
    assert result.exit_code == 1, result.output
    assert re.search(
        r"01-welcome\.en\.md: holds [\d,]+ Markdown markers .* more than the limit of 20,000", result.stdout
    )


def test_deeply_nested_markdown_is_no_traceback(mini_copy: Path) -> None:
    """Nesting is bounded by the parser itself (markdown-it's maxNesting): 100,000 nested quotes and
    list markers are checked, not a crash."""
    (mini_copy / WELCOME).write_text("# Welcome\n\n" + ">" * 100_000 + " x\n\n" + "- " * 50_000 + "x\n")
    result = CliRunner().invoke(main, ["check", str(mini_copy)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


def test_preview_serves_only_the_package(mini_copy: Path, tmp_path: Path) -> None:
    """``preview`` over real HTTP: no request path, however written, reaches a file outside the package."""
    _outside(mini_copy)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "spotlight_pack.cli", "preview", str(mini_copy), "--lang", "en", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=mini_copy,
    )
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/en/index.html", timeout=2) as answer:
                    assert answer.status == 200 and answer.headers["X-Content-Type-Options"] == "nosniff"
                break
            except OSError:
                time.sleep(0.1)
        for path in [
            "/../outside/secret.txt",
            "/../../../../etc/passwd",
            "/%2e%2e/outside/secret.txt",
            "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
            "/media/..%2f..%2foutside%2fsecret.txt",
            "//etc/passwd",
            "/..\\..\\outside\\secret.txt",
            "/%2fetc%2fpasswd",
            "/course.yaml",
            "/modules/01-basics/01-welcome.en.md",
            "/%ff%fe",
            "http://127.0.0.1/../../etc/passwd",
        ] + [f"/en{path}" for path in ("/../course.yaml", "/%2e%2e/course.yaml", "/..%2fcourse.yaml",
                                       "/media/..%2f..%2foutside%2fsecret.txt", "/..\\course.yaml")]:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.putrequest("GET", path, skip_host=False, skip_accept_encoding=True)
            connection.endheaders()
            answer = connection.getresponse()
            body = answer.read().decode("latin-1")
            connection.close()
            assert answer.status == 404, (path, answer.status)
            assert SECRET not in body and "root:x:0:0" not in body
    finally:
        server.terminate()
        server.wait(timeout=10)
