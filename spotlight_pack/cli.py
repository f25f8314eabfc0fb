"""``spotlight-pack``: build, check, validate, inspect and preview e-learning packages.

The command line only calls the library's public functions; every error it expects is printed as one
clear line and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .build import DEFAULT_OUT, build, default_formats, load_courses, resolve_sources
from .errors import Problem, SourceError, SpotlightError
from .formats import FORMATS
from .formats.common import PackageInfo
from .lint import check_and_lint
from .preview import serve_preview
from .validate import errors as error_problems
from .validate import inspect as inspect_package
from .validate import warnings as warning_problems

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
    notes: list[str] = []
    if not formats:
        chosen, notes = default_formats(settings)
        formats = tuple(chosen)
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
    for note in notes:
        click.echo(f"note: {note}", err=True)
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
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too (for CI of course repositories).")
@_friendly
def check_command(sources: tuple[Path, ...], strict: bool) -> None:
    """Check course folders without building: one line per problem (file:line: message).

    With no SOURCE, checks every course under course_sources/; a folder of courses (such as
    course_sources/) stands for every course in it. Checks YAML and Markdown syntax, ids, that every
    language has every page and text, images and their alt text, links between pages, quiz answer
    keys, size limits, and that no file outside the course folder is used. A course without errors
    then goes through the assessment lint, which reviews every quiz and assessment against
    item-writing guidelines and prints 'file:line: warning: message [rule-id]' (docs/source-format.md,
    "Assessment lint"). Exit status 1 when there are errors (or, with --strict, warnings), 0 otherwise.
    """
    courses = resolve_sources(list(sources) or None)
    problems: list[Problem] = []
    for course in courses:
        found = check_and_lint(course)
        for problem in found:
            click.echo(str(problem))
        problems += found
    failed = [problem for problem in problems if problem.is_error]
    warned = len(problems) - len(failed)
    summary = f"{len(failed)} problem(s) in {len(courses)} course(s)."
    click.echo(summary + (f" {warned} warning(s){' (--strict)' if strict else ''}." if warned else ""), err=True)
    sys.exit(1 if failed or (strict and warned) else 0)


@main.command("validate")
@click.argument("zips", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list (one object per ZIP) for scripts.")
def validate_command(zips: tuple[Path, ...], strict: bool, as_json: bool) -> None:
    """Validate package zips (any SCORM 1.2, SCORM 2004, cmi5 or Tin Can package, ours or not).

    Errors are what stops an import or tracking in a real LMS, or makes the zip unsafe to unpack;
    warnings are bad practice that matters in some LMS (docs/validate.md lists every rule and why).
    Hostile zips (bombs, millions of entries, '..' paths, links) are refused before anything is
    unpacked. Prints one line per problem, ending with its rule id, then one summary line per ZIP.
    Exit status 1 when any ZIP has an error (or, with --strict, a warning), 0 otherwise.

    \b
    Examples:
      spotlight-pack validate dist/*.zip
      spotlight-pack validate --strict --json package.zip
    """
    failed = False
    records = []
    for path in zips:
        info, problems = inspect_package(path)
        errors, warnings = error_problems(problems), warning_problems(problems)
        failed = failed or bool(errors) or (strict and bool(warnings))
        if as_json:
            records.append(_report(path, info, errors, warnings))
            continue
        for problem in problems:
            click.echo(str(problem))
        click.echo(_summary(path, info, errors, warnings, strict))
    if as_json:
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
    sys.exit(1 if failed else 0)


def _summary(path: Path, info: PackageInfo | None, errors: list[Problem], warnings: list[Problem], strict: bool) -> str:
    counted = f"{len(warnings)} warning(s)" if warnings else ""
    if errors:
        return f"{path}: not valid: {len(errors)} error(s)" + (f", {counted}" if counted else "")
    kind = info.format if info else "package"
    if warnings:
        return f"{path}: valid {kind}, with {counted}" + (" (failed: --strict)" if strict else "")
    return f"{path}: valid {kind}"


def _report(path: Path, info: PackageInfo | None, errors: list[Problem], warnings: list[Problem]) -> dict[str, Any]:
    return {
        "zip": str(path),
        "format": info.format if info else None,
        "valid": not errors,
        "errors": [problem.as_dict() for problem in errors],
        "warnings": [problem.as_dict() for problem in warnings],
    }


@main.command("inspect")
@click.argument("zip_path", metavar="ZIP", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of a table.")
def inspect_command(zip_path: Path, as_json: bool) -> None:
    """Describe a package: format, title, version, languages, launch file, SCOs/AUs, mastery score, files, size.

    The mastery score is a percentage for every format. For a scorm12-xapi package it also shows the
    LRS endpoint and whether a credential is inside. Refuses what validate refuses: exit status 1 on
    any error (the problems go to stderr), and no description at all of a zip that is unsafe to unpack.
    """
    info, problems = inspect_package(zip_path)
    errors, warnings = error_problems(problems), warning_problems(problems)
    if as_json:
        record = {**(dataclasses.asdict(info) if info else {}), **_report(zip_path, info, errors, warnings)}
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        sys.exit(1 if errors else 0)
    if info is not None:
        rows = _table(info, errors, warnings)
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            click.echo(f"{label:<{width}}  {value}")
    for problem in problems:
        click.echo(str(problem), err=True)
    sys.exit(1 if errors else 0)


def _table(info: PackageInfo, errors: list[Problem], warnings: list[Problem]) -> list[tuple[str, str]]:
    rows = [
        ("Format", info.format),
        ("Title", info.title),
        ("Identifier", info.identifier),
        ("Version", info.version or "-"),
        ("Languages", ", ".join(info.languages) or "-"),
        ("Launch", ", ".join(info.launch) or "-"),
        ("SCOs/AUs", ", ".join(info.units) or "-"),
        ("Mastery score", f"{info.mastery_score}%" if info.mastery_score is not None else "-"),
        ("Files", str(info.file_count)),
        ("Size", f"{info.size:,} bytes" if info.size is not None else "-"),
    ]
    if info.lrs_endpoint is not None:
        rows.append(("LRS endpoint", info.lrs_endpoint))
        rows.append(
            (
                "LRS credential",
                f"contains a write-only LRS credential (key {info.lrs_credential or '?'}): anyone with this zip "
                "can read it and send statements with it"
                if info.lrs_credential is not None
                else "none in the zip (the launch URL must give auth)",
            )
        )
    if info.study_minutes is not None:
        hours, minutes = divmod(info.study_minutes, 60)
        estimate = f"{hours} h {minutes:02d} min, estimated from the content ({info.study_minutes} min)"
        rows.append(("Study time", estimate))
        rows += [("", f"{part['minutes']:>4} min  {part['title']}") for part in info.study_parts]
    rows += list(info.extra.items())
    if errors:
        valid = f"no: {len(errors)} error(s) (listed below; run validate)"
    elif warnings:
        valid = f"yes, with {len(warnings)} warning(s) (listed below)"
    else:
        valid = "yes"
    rows.append(("Valid", valid))
    return rows


@main.command("preview")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--lang", default=None, help="Language to open first (default: the course's first).")
@click.option("--port", default=8080, show_default=True, help="Port on 127.0.0.1.")
@_friendly
def preview_command(source: Path, lang: str | None, port: int) -> None:
    """Serve a course on http://127.0.0.1:PORT/ to click through it, with no LMS (Ctrl+C stops).

    The page reloads itself when a source file changes, shows check's problems instead of a stale
    course, and switches language from its banner. Nothing is recorded: progress stays in the
    browser. The server answers only with the files it rendered, held in memory: no path, however
    written, reaches the disk.
    """
    [course] = load_courses([source])
    chosen = lang or course.languages[0]
    if chosen not in course.languages:
        raise click.ClickException(f"course {course.id} has no language '{chosen}'")
    order = (chosen, *[other for other in course.languages if other != chosen])
    serve_preview(
        source,
        port,
        languages=order,
        ready=lambda url: click.echo(f"Previewing {course.id} at {url}{chosen}/index.html — Ctrl+C to stop"),
    )


if __name__ == "__main__":
    main()
