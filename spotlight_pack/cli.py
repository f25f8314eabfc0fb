"""``spotlight-pack``: build, check, validate, inspect and preview e-learning packages.

The command line only calls the library's public functions; every error it expects is printed as one
clear line and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import dataclasses
import functools
import http.server
import io
import json
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .build import DEFAULT_OUT, build, load_courses, resolve_sources
from .build import package_bytes as build_package_bytes
from .errors import SourceError, SpotlightError
from .formats import FORMATS
from .lint import check_and_lint
from .validate import inspect as inspect_package
from .validate import validate as validate_package

F = TypeVar("F", bound=Callable[..., Any])
CONFIG_FILE = "spotlight-pack.toml"


def _friendly(command: F) -> F:
    """Turn the library's expected errors into one line on stderr and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SourceError as error:
            for problem in error.problems:
                click.echo(str(problem), err=True)
            click.echo(f"{len(error.problems)} problem(s) found; nothing was built.", err=True)
            sys.exit(1)
        except (SpotlightError, OSError) as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="spotlight-pack")
def main() -> None:
    """Compile courses written as plain files into packages any LMS imports.

    \b
    Typical session:
      spotlight-pack check course_sources/first-contact-care
      spotlight-pack build course_sources/first-contact-care --format scorm12 --lang es
      spotlight-pack validate dist/first-contact-care-1.0.0-scorm12-es.zip
      spotlight-pack inspect dist/first-contact-care-1.0.0-scorm12-es.zip
    """


def _load_settings(
    config: Path | None, endpoint: str | None, key: str | None, secret: str | None, homepage: str | None
) -> dict[str, str]:
    """xAPI settings from ``spotlight-pack.toml`` (section [xapi]) overridden by command-line options."""
    settings: dict[str, str] = {}
    path = config or (Path(CONFIG_FILE) if Path(CONFIG_FILE).is_file() else None)
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise click.ClickException(f"{path}: {error}") from None
        except OSError as error:
            raise click.ClickException(f"{path}: {error.strerror}") from None
        section = data.get("xapi", {})
        if not isinstance(section, dict):
            raise click.ClickException(f"{path}: [xapi] must be a table")
        for name in ("endpoint", "key", "secret", "homepage"):
            if name in section:
                settings[f"lrs_{name}" if name != "homepage" else "actor_homepage"] = str(section[name])
    for name, value in (
        ("lrs_endpoint", endpoint),
        ("lrs_key", key),
        ("lrs_secret", secret),
        ("actor_homepage", homepage),
    ):
        if value:
            settings[name] = value
    return settings


@main.command("build")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(list(FORMATS)),
    help="Package format; repeat for several. Default: every format.",
)
@click.option(
    "--lang",
    "languages",
    multiple=True,
    metavar="LANG",
    help="Course language (es, en, …); repeat for several. Default: every language of each course.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_OUT,
    show_default=True,
    help="Folder the zips are written to.",
)
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    help=f"Settings file (default: ./{CONFIG_FILE} if present), section [xapi]: endpoint, key, secret, homepage.",
)
@click.option(
    "--lrs-endpoint",
    help="scorm12-xapi: xAPI endpoint the package sends statements to, e.g. https://lrs.example.org/xAPI/",
)
@click.option("--lrs-key", help="scorm12-xapi: key of a WRITE-ONLY LRS credential (scope statements/write).")
@click.option("--lrs-secret", help="scorm12-xapi: secret of that credential.")
@click.option("--actor-homepage", help="scorm12-xapi: homePage of the learner accounts (default: the LMS's origin).")
@click.option("--strict", is_flag=True, help="Build nothing if the assessment lint has warnings (for CI).")
@_friendly
def build_command(
    sources: tuple[Path, ...],
    formats: tuple[str, ...],
    languages: tuple[str, ...],
    out: Path,
    config: Path | None,
    lrs_endpoint: str | None,
    lrs_key: str | None,
    lrs_secret: str | None,
    actor_homepage: str | None,
    strict: bool,
) -> None:
    """Build packages from course folders into OUT.

    With no SOURCE, builds every course under course_sources/. Zips are named
    <course-id>-<version>-<format>-<lang>.zip; the same sources always give byte-identical zips. Nothing
    is written unless every package builds and validates.

    \b
    Examples:
      spotlight-pack build                                   # everything into dist/
      spotlight-pack build course_sources/first-contact-care --format scorm12 --lang es
      spotlight-pack build --format scorm12-xapi --lrs-endpoint https://lrs.example.org/xAPI/ \\
          --lrs-key KEY --lrs-secret SECRET
      spotlight-pack build --strict                          # CI: lint warnings fail the build

    The assessment lint runs first: its warnings never stop a build, unless --strict.
    """
    settings = _load_settings(config, lrs_endpoint, lrs_key, lrs_secret, actor_homepage)
    _lint_before_build(sources, strict)
    bar: Any = None

    def advance(done: int, total: int) -> None:
        nonlocal bar
        if bar is None and total > 1 and sys.stderr.isatty():
            bar = click.progressbar(length=total, label="Building packages", file=sys.stderr, show_pos=True)
            bar.__enter__()
        if bar is not None:
            bar.update(1)

    try:
        written = build(list(sources) or None, formats or None, languages or None, out, settings, advance)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    for path in written:
        click.echo(str(path))
    click.echo(f"{len(written)} package(s) written to {out}/", err=True)


def _lint_before_build(sources: tuple[Path, ...], strict: bool) -> None:
    """Lint every course about to be built: with --strict, any warning stops the build before it starts;
    without, one line says how many there are. Courses with errors are left to ``build`` to report."""
    warnings = [
        problem
        for source in resolve_sources(list(sources) or None)
        for problem in check_and_lint(source)
        if problem.severity == "warning"
    ]
    if not warnings:
        return
    if strict:
        for problem in warnings:
            click.echo(str(problem), err=True)
        click.echo(f"{len(warnings)} warning(s) and --strict: nothing was built.", err=True)
        sys.exit(1)
    click.echo(f"{len(warnings)} assessment lint warning(s): 'spotlight-pack check' lists them.", err=True)


@main.command("check")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too (for CI of course repositories).")
def check_command(sources: tuple[Path, ...], strict: bool) -> None:
    """Check course folders without building: one line per problem (file:line: message).

    Checks YAML and Markdown syntax, ids, that every language has every page and text, images and
    their alt text, links between pages, and quiz answer keys. A course without errors then goes
    through the assessment lint, which reviews every quiz and assessment against item-writing
    guidelines and prints 'file:line: warning: message [rule-id]' (docs/source-format.md, "Assessment
    lint"). Exit status 1 when there are errors (or, with --strict, warnings), 0 otherwise.
    """
    errors = warnings = 0
    for source in sources:
        for problem in check_and_lint(source):
            click.echo(str(problem))
            if problem.severity == "warning":
                warnings += 1
            else:
                errors += 1
    click.echo(f"{errors} problem(s) in {len(sources)} course(s).", err=True)
    if warnings:
        click.echo(f"{warnings} warning(s) from the assessment lint{' (--strict)' if strict else ''}.", err=True)
    sys.exit(1 if errors or (strict and warnings) else 0)


@main.command("validate")
@click.argument("zips", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate_command(zips: tuple[Path, ...]) -> None:
    """Validate package zips (any SCORM 1.2, SCORM 2004, cmi5 or Tin Can package, ours or not).

    Checks what LMSs check on import: the manifest at the zip root, its schema, references between its
    parts, that every listed file exists and every file is listed, and safe entry names (no '..',
    absolute or backslash paths, no __MACOSX or ._ entries). Prints one line per problem and exits 1
    if there is any; prints 'ZIP: valid FORMAT' and exits 0 otherwise.
    """
    failed = False
    for path in zips:
        problems = validate_package(path)
        if problems:
            failed = True
            for problem in problems:
                click.echo(str(problem))
        else:
            info, _ = inspect_package(path)
            click.echo(f"{path}: valid {info.format if info else 'package'}")
    sys.exit(1 if failed else 0)


@main.command("inspect")
@click.argument("zip_path", metavar="ZIP", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of a table.")
def inspect_command(zip_path: Path, as_json: bool) -> None:
    """Describe a package: format, title, version, languages, launch file, SCOs/AUs, mastery score, files, size."""
    info, problems = inspect_package(zip_path)
    if info is None:
        for problem in problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    record = dataclasses.asdict(info)
    record["valid"] = not problems
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        rows = [
            ("Format", info.format),
            ("Title", info.title),
            ("Identifier", info.identifier),
            ("Version", info.version or "-"),
            ("Languages", ", ".join(info.languages) or "-"),
            ("Launch", ", ".join(info.launch) or "-"),
            ("SCOs/AUs", ", ".join(info.units) or "-"),
            ("Mastery score", info.mastery_score or "-"),
            ("Files", str(info.file_count)),
            ("Size", f"{info.size:,} bytes" if info.size is not None else "-"),
            *info.extra.items(),
            ("Valid", "yes" if not problems else f"no ({len(problems)} problem(s); run validate)"),
        ]
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            click.echo(f"{label:<{width}}  {value}")
    sys.exit(0)


@main.command("preview")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--lang", default=None, help="Language to preview (default: the course's first).")
@click.option("--port", default=8080, show_default=True, help="Port on 127.0.0.1.")
@_friendly
def preview_command(source: Path, lang: str | None, port: int) -> None:
    """Serve a course on http://127.0.0.1:PORT/ to click through it, with no LMS (Ctrl+C stops)."""
    [course] = load_courses([source])
    chosen = lang or course.languages[0]
    if chosen not in course.languages:
        raise click.ClickException(f"course {course.id} has no language '{chosen}'")
    with tempfile.TemporaryDirectory(prefix="spotlight-preview-") as folder:
        data = build_package_bytes(course, "scorm12", chosen)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            archive.extractall(folder)
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=folder)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        click.echo(f"Previewing {course.id} ({chosen}) at http://127.0.0.1:{port}/index.html — Ctrl+C to stop")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()


if __name__ == "__main__":
    main()
