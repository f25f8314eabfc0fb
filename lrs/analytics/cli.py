"""``spotlight-lrs roster|report|export|demo``: analysts' commands over the store, no server needed.

Registered on the ``spotlight-lrs`` group at the end of ``lrs/cli.py``. ``--store`` has the
same meaning, default and environment variable (SPOTLIGHT_LRS_STORE) as for ``serve``;
``--from-lrs`` reads any conformant LRS over HTTP instead.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import json
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TextIO

import click

from lrs.analytics import render
from lrs.analytics.enrolment import COURSE, course_tokens
from lrs.analytics.export import Pseudonymiser, utf8_writer
from lrs.analytics.export import export as export_statements
from lrs.analytics.i18n import LANGUAGES
from lrs.analytics.parallel import PARALLEL_FROM, ChildFailed
from lrs.analytics.report import GROUP_ATTRIBUTES, Aggregator, Window, aggregate
from lrs.analytics.roster import (
    ATTRIBUTES,
    ImportSummary,
    RosterError,
    RosterFile,
    import_roster,
    load_roster,
    read_roster_file,
    unknown_courses,
    write_roster,
)
from lrs.analytics.sources import Source, SourceError, remote_statements
from lrs.analytics.vocab import COURSE_TYPE, pick_language, short_id
from lrs.stores import DEFAULT_STORE_URL, Store, open_store
from lrs.xapi.errors import XAPIError
from lrs.xapi.statements import store_timestamp

PSEUDONYM_KEY_ENV = "SPOTLIGHT_LRS_PSEUDONYM_KEY"

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

#: The same option as ``lrs.cli.store_option`` (defined here too so neither module imports the other).
store_option: Decorator = click.option(
    "--store", "store_url", envvar="SPOTLIGHT_LRS_STORE", default=DEFAULT_STORE_URL, show_default=True,
    help="Store URL: sqlite:///path.db, postgresql://..., tinydb:///path.json (env SPOTLIGHT_LRS_STORE).")


def _source_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Filters and sources shared by report and export."""
    options: list[Decorator] = [
        store_option,
        click.option("--course", help="Course IRI or its last segment (e.g. protection-measures)."),
        click.option("--since", help="Only statements stored after this ISO 8601 time (exclusive)."),
        click.option("--until", help="Only statements stored at or before this ISO 8601 time."),
        click.option("--from-lrs", "from_lrs", metavar="URL",
                     help="Read a remote conformant LRS (its xAPI endpoint) instead of --store."),
        click.option("--key", envvar="SPOTLIGHT_LRS_REMOTE_KEY", help="Remote LRS key (env SPOTLIGHT_LRS_REMOTE_KEY)."),
        click.option("--secret", envvar="SPOTLIGHT_LRS_REMOTE_SECRET",
                     help="Remote LRS secret (env SPOTLIGHT_LRS_REMOTE_SECRET)."),
        click.option("--roster", "roster_file", type=click.Path(dir_okay=False, path_type=Path),
                     help="Roster CSV to use instead of the roster imported in the store."),
        click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write to this file instead of standard output."),
        click.option("--jobs", type=click.IntRange(min=0), default=0, show_default=True,
                     help="Processes reading the store at once; 0: one per CPU for stores of "
                          f"{PARALLEL_FROM:,} statements or more, else one."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _timestamp(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    try:
        return store_timestamp(value, name, "1.0.3")
    except XAPIError as exc:
        raise click.UsageError(f"--{name}: {exc.message}") from None


@contextlib.contextmanager
def _opened(store_url: str) -> Iterator[Store]:
    try:
        store = open_store(store_url)
    except Exception as exc:  # noqa: BLE001 - any driver error becomes one line, not a traceback
        raise click.ClickException(f"cannot open store {store_url}: {exc}") from None
    with store:
        yield store


@contextlib.contextmanager
def _source(store_url: str, from_lrs: str | None, key: str | None, secret: str | None, since: str | None,
            until: str | None, roster_file: Path | None, jobs: int, verb: str | None = None) -> Iterator[Source]:
    """Where a report or an export reads, with its roster."""
    since, until = _timestamp(since, "since"), _timestamp(until, "until")
    file_roster = _read_roster(roster_file).attributes() if roster_file else None
    if from_lrs:
        if not key or not secret:
            raise click.UsageError("--from-lrs needs --key and --secret")
        yield Source(file_roster or {}, remote=remote_statements(from_lrs, key, secret, since, until, verb))
        return
    with _opened(store_url) as store:
        roster_rows = file_roster if file_roster is not None else load_roster(store)
        yield Source.of_store(store, store_url, since=since, until=until, verb=verb, jobs=jobs, roster=roster_rows)


def _read_roster(path: Path) -> RosterFile:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"cannot read {path}: {exc}") from None
    try:
        return read_roster_file(text)
    except RosterError as exc:
        raise click.ClickException(f"{path}: " + str(exc).replace("\n", f"\n{path}: ")) from None


@contextlib.contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    """Standard output, or ``path`` written whole or not at all: the text goes to a temporary
    file beside it, renamed over ``path`` only when the command succeeds."""
    if path is None:
        try:
            yield sys.stdout
            sys.stdout.flush()
        except BrokenPipeError:  # `export | head`: the reader left; stop quietly, as cat does
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(1) from None
        return
    partial = path.with_name(f".{path.name}.partial")
    try:
        handle = partial.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc}") from None
    try:
        with handle:
            yield handle
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _worker_failed(exc: BrokenProcessPool) -> click.ClickException:
    return click.ClickException(f"a worker process stopped unexpectedly ({exc}); if the machine ran out of "
                                "memory, try fewer processes (--jobs 1)")


@click.group()
def roster() -> None:
    """Learner roster: identities mapped to cohort, state, municipality, institution, role."""


@roster.command("import")
@store_option
@click.argument("csv_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="An empty cell clears the attribute (default: keeps it).")
@click.option("--dry-run", is_flag=True, help="Show what would change; store nothing.")
def roster_import(store_url: str, csv_file: Path, replace: bool, dry_run: bool) -> None:
    """Import or update learners from CSV_FILE (columns: docs/analytics.md).

    A column the file does not have keeps what the roster held; a filled cell sets its value; an
    empty cell clears it only with --replace. Nothing is stored when any line is wrong; every
    wrong line is reported with its number. The delimiter may be a comma, a semicolon or a tab.
    """
    rows = _read_roster(csv_file)
    with _opened(store_url) as store:
        summary = import_roster(store, rows, replace=replace, dry_run=dry_run)
        courses = store.activity_ids_of_type(COURSE_TYPE)
    _print_changes(summary, dry_run)
    unknown = unknown_courses(rows.rows.values(), courses)
    if unknown and courses:  # before any statement every course is unknown: nothing to warn about
        click.echo(f"warning: course ids the LRS does not know (yet): {', '.join(unknown)}; known: "
                   f"{', '.join(sorted(short_id(c) for c in courses)) or 'none'}", err=True)


#: Learners added that an import names one by one (a first import adds everyone); every update is shown.
MAX_ADDED_SHOWN = 20


def _print_changes(summary: ImportSummary, dry_run: bool) -> None:
    verb = "would be" if dry_run else ""
    click.echo(f"roster: {len(summary.added)} {verb + ' ' if verb else ''}added, {len(summary.updated)} "
               f"{verb + ' ' if verb else ''}updated, {summary.unchanged} unchanged")
    fields = summary.fields()
    if fields:
        click.echo("fields updated: " + ", ".join(f"{name} ({count})" for name, count in fields.items()))
    for key in summary.added[:MAX_ADDED_SHOWN]:
        click.echo(f"  added    {key}")
    if len(summary.added) > MAX_ADDED_SHOWN:
        click.echo(f"  … and {len(summary.added) - MAX_ADDED_SHOWN} more added (roster list shows everyone)")
    for key, changes in summary.updated.items():
        described = "; ".join(f"{name}: {old or '(empty)'} -> {new or '(empty)'}" for name, old, new in changes)
        click.echo(f"  updated  {key}: {described}")
    if dry_run:
        click.echo("dry run: nothing was stored")


@roster.command("list")
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def roster_list(store_url: str, fmt: str) -> None:
    """Show the stored roster (learners' identities and attributes)."""
    with _opened(store_url) as store:
        rows = load_roster(store)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1, sort_keys=True))
        return
    table = [[key, *(rows[key].get(a, "") for a in ATTRIBUTES)] for key in sorted(rows)]
    click.echo(render._table(["learner", *ATTRIBUTES], table))
    click.echo(f"{len(rows)} learners")


@roster.command("export")
@store_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
def roster_export(store_url: str, output: Path | None) -> None:
    """Write the stored roster as CSV that `roster import` reads back."""
    with _opened(store_url) as store:
        rows = load_roster(store)
    with _output(output) as out:
        write_roster(rows, out)


def _window(start: str | None, end: str | None) -> Window | None:
    """``--from``/``--to``: a date (the whole day, UTC) or an ISO 8601 time."""

    def moment(value: str | None, name: str, end_of_day: bool) -> float | None:
        if value is None:
            return None
        try:
            if len(value) == 10:
                day = dt.datetime.combine(dt.date.fromisoformat(value), dt.time(), dt.UTC)
                return (day + dt.timedelta(days=1)).timestamp() - 1e-6 if end_of_day else day.timestamp()
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise click.UsageError(f"--{name}: {value!r} is not a date (2026-03-31) or an ISO 8601 time") from None
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)).timestamp()

    window = Window(moment(start, "from", False), moment(end, "to", True))
    return window if window.start is not None or window.end is not None else None


def _filters(values: tuple[str, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for value in values:
        name, sep, wanted = value.partition("=")
        if not sep or name not in GROUP_ATTRIBUTES:
            raise click.UsageError(f"--filter {value!r}: expected ATTRIBUTE=VALUE, ATTRIBUTE one of "
                                   f"{', '.join(GROUP_ATTRIBUTES)}")
        found[name] = wanted
    return found


def _known_courses(source: Source, aggregated: Aggregator | None = None) -> set[str]:
    """Every course IRI the source knows: declared in the store's activity definitions, met in
    the statements read (rule 5 courses too), or named by the roster's enrolments."""
    known = set(source.courses) | (aggregated.known_courses() if aggregated is not None else set())
    known |= {t for attributes in source.roster.values() for t in course_tokens(attributes.get(COURSE))}
    return known


def is_known(wanted: str, known: set[str]) -> bool:
    return any(c == wanted or short_id(c) == wanted for c in known)


def _unknown_course(wanted: str, known: set[str], source: Source, lang: str = "en") -> click.ClickException:
    """``--course`` that names no course in the store: say so, suggest the closest ids or titles,
    and list every known course (id, title, IRI)."""
    titles = {c: pick_language(((source.definitions([c]).get(c) or {}).get("definition") or {}).get("name"), lang)
              for c in known} if source.store is not None else {}
    ids = {short_id(c): c for c in known}
    lowered = wanted.casefold()
    scored = sorted(((difflib.SequenceMatcher(None, lowered, i.casefold()).ratio(), i) for i in ids), reverse=True)
    close = [i for ratio, i in scored if ratio >= 0.6 and ratio >= scored[0][0] - 0.15][:3]
    close += [short_id(c) for c, title in titles.items()
              if title and lowered in title.casefold() and short_id(c) not in close]
    hint = f" Did you mean {' or '.join(close[:3])}?" if close else ""
    listing = "\n".join(f"  {short_id(c):32} {titles.get(c) or ''}\n  {'':32} {c}".rstrip()
                         for c in sorted(known, key=short_id)) or "  (none: the store has no course yet)"
    return click.ClickException(f"no course {wanted!r} in the store.{hint} --course takes a course's id (the last "
                                f"segment of its IRI) or its IRI; known courses:\n{listing}")


@click.command()
@_source_options
@click.option("--by", type=click.Choice(GROUP_ATTRIBUTES), help="Compare groups of this roster attribute.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "html"]), default="table",
              show_default=True)
@click.option("--show-learners", is_flag=True,
              help="Add one row per learner with module progress, and who has not started (identities!).")
@click.option("--submissions", is_flag=True,
              help="Add the open answers (long-fill-in) for tutors: learner, question, answer, time, rubric, "
                   "by group (--by, default cohort; identities!).")
@click.option("--lang", type=click.Choice(LANGUAGES), envvar="SPOTLIGHT_LRS_LANG", default="en", show_default=True,
              help="Language of titles and headings (env SPOTLIGHT_LRS_LANG).")
@click.option("--from", "active_from", metavar="DATE",
              help="Only what learners did from this date or time on (timestamp; a date is a whole day, UTC).")
@click.option("--to", "active_to", metavar="DATE", help="Only what learners did up to this date or time (inclusive).")
@click.option("--filter", "filters", multiple=True, metavar="ATTRIBUTE=VALUE",
              help="Only roster learners with this attribute value (repeatable; e.g. institution=DIF).")
def report(store_url: str, course: str | None, since: str | None, until: str | None, from_lrs: str | None,
           key: str | None, secret: str | None, roster_file: Path | None, output: Path | None, jobs: int,
           by: str | None, fmt: str, show_learners: bool, submissions: bool, lang: str, active_from: str | None,
           active_to: str | None, filters: tuple[str, ...]) -> None:
    """Enrolment, completion, pass rates, scores, funnels, item analysis per course and module."""
    window = _window(active_from, active_to)
    wanted = _filters(filters)
    with _source(store_url, from_lrs, key, secret, since, until, roster_file, jobs) as source:
        try:
            aggregated = aggregate(source, course, window)
        except SourceError as exc:
            raise click.ClickException(str(exc)) from None
        except BrokenProcessPool as exc:
            raise _worker_failed(exc) from None
        try:
            result = aggregated.report(source.roster, by, show_learners, course, lang=lang, filters=wanted,
                                       definitions=source.definitions, submissions=submissions, jobs=source.jobs,
                                       store_url=source.store_url if source.store is not None else "")
        except ChildFailed as exc:
            raise click.ClickException(f"{exc}; run again, or with --jobs 1") from None
        if course is not None and not result["courses"]:
            known = _known_courses(source, aggregated)
            if not is_known(course, known):
                raise _unknown_course(course, known, source, lang)
    del aggregated  # the report holds the figures: free the aggregates before formatting them
    if fmt == "html":
        from lrs.dashboard.pages import report_html

        text: str | bytes = report_html(result)
    else:
        text = {"table": render.as_table, "csv": render.as_csv, "json": render.as_json}[fmt](result)
    del result  # the figures are in the text now: free them before writing it
    with _output(output) as out:
        if isinstance(text, bytes):
            utf8_writer(out)(text)
        else:
            out.write(text if text.endswith("\n") else text + "\n")


@click.command()
@_source_options
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@click.option("--verb", help="Only statements with this verb IRI.")
@click.option("--pseudonymise", is_flag=True,
              help=f"Replace learner identities by a keyed hash (key in env {PSEUDONYM_KEY_ENV}); drop names.")
def export(store_url: str, course: str | None, since: str | None, until: str | None, from_lrs: str | None,
           key: str | None, secret: str | None, roster_file: Path | None, output: Path | None, jobs: int, fmt: str,
           verb: str | None, pseudonymise: bool) -> None:
    """Stream statements as flat CSV (columns: docs/analytics.md) or JSON lines."""
    pseudonymiser = None
    if pseudonymise:
        try:
            pseudonymiser = Pseudonymiser(os.environ.get(PSEUDONYM_KEY_ENV, ""))
        except ValueError as exc:
            raise click.UsageError(f"--pseudonymise: {exc} (set {PSEUDONYM_KEY_ENV})") from None
    with _source(store_url, from_lrs, key, secret, since, until, roster_file, jobs, verb) as source, \
            _output(output) as out:
        try:
            count = export_statements(source, out, fmt, course, pseudonymiser)
        except SourceError as exc:
            raise click.ClickException(str(exc)) from None
        except BrokenProcessPool as exc:
            raise _worker_failed(exc) from None
        if course is not None and count == 0 and not is_known(course, _known_courses(source)):
            raise _unknown_course(course, _known_courses(source), source)
    click.echo(f"exported {count} statements", err=True)


@click.command()
@store_option
@click.option("--learners", type=click.IntRange(1, 100_000), default=600, show_default=True,
              help="How many learners to generate.")
@click.option("--seed", type=int, default=6, show_default=True, help="Random seed (the same seed, the same cohort).")
def demo(store_url: str, learners: int, seed: int) -> None:
    """Fill an empty store with a generated cohort (roster, groups, drop-outs, fails, retakes),
    so the report and the dashboard show a full programme at once."""
    from lrs.analytics.demo import DemoError, fill

    with _opened(store_url) as store:
        try:
            summary = fill(store, learners, seed)
        except DemoError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"demo: {summary.statements:,} statements of {summary.learners} learners in {summary.courses} "
               f"courses; roster: {len(summary.roster.added)} learners")
    click.echo(f"next: spotlight-lrs credentials create --scope all/read --store {store_url}\n"
               f"      spotlight-lrs serve --store {store_url}   # then open http://127.0.0.1:8000/dashboard/\n"
               f"      spotlight-lrs report --store {store_url} --by state --lang es")
