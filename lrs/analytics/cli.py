"""``spotlight-lrs roster|report|export``: analysts' commands over the store, no server needed.

Registered on the ``spotlight-lrs`` group at the end of ``lrs/cli.py``. ``--store`` has the
same meaning, default and environment variable (SPOTLIGHT_LRS_STORE) as for ``serve``;
``--from-lrs`` reads any conformant LRS over HTTP instead.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TextIO

import click

from lrs.analytics import render
from lrs.analytics.export import Pseudonymiser
from lrs.analytics.export import export as export_statements
from lrs.analytics.parallel import PARALLEL_FROM
from lrs.analytics.report import GROUP_ATTRIBUTES, aggregate
from lrs.analytics.roster import Roster, RosterError, import_roster, load_roster, read_roster_file
from lrs.analytics.sources import Source, SourceError, remote_statements
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
    file_roster = _read_roster(roster_file) if roster_file else None
    if from_lrs:
        if not key or not secret:
            raise click.UsageError("--from-lrs needs --key and --secret")
        yield Source(file_roster or {}, remote=remote_statements(from_lrs, key, secret, since, until, verb))
        return
    with _opened(store_url) as store:
        roster_rows = file_roster if file_roster is not None else load_roster(store)
        yield Source.of_store(store, store_url, since=since, until=until, verb=verb, jobs=jobs, roster=roster_rows)


def _read_roster(path: Path) -> Roster:
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
def roster_import(store_url: str, csv_file: Path) -> None:
    """Import or update learners from CSV_FILE (columns: docs/analytics.md).

    Nothing is stored when any line is wrong; every wrong line is reported with its number.
    """
    rows = _read_roster(csv_file)
    with _opened(store_url) as store:
        summary = import_roster(store, rows)
    click.echo(f"roster: {summary.added} added, {summary.updated} updated, {summary.unchanged} unchanged")


@click.command()
@_source_options
@click.option("--by", type=click.Choice(GROUP_ATTRIBUTES), help="Compare groups of this roster attribute.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "html"]), default="table",
              show_default=True)
@click.option("--show-learners", is_flag=True, help="Add one row per learner (identities!).")
def report(store_url: str, course: str | None, since: str | None, until: str | None, from_lrs: str | None,
           key: str | None, secret: str | None, roster_file: Path | None, output: Path | None, jobs: int,
           by: str | None, fmt: str, show_learners: bool) -> None:
    """Completion, pass rates, scores, funnels and item analysis per course and module."""
    with _source(store_url, from_lrs, key, secret, since, until, roster_file, jobs) as source:
        try:
            aggregated = aggregate(source, course)
        except SourceError as exc:
            raise click.ClickException(str(exc)) from None
        except BrokenProcessPool as exc:
            raise _worker_failed(exc) from None
    result = aggregated.report(source.roster, by, show_learners)
    if fmt == "html":
        from lrs.dashboard.pages import report_html

        text = report_html(result)
    else:
        text = {"table": render.as_table, "csv": render.as_csv, "json": render.as_json}[fmt](result)
    with _output(output) as out:
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
    click.echo(f"exported {count} statements", err=True)
