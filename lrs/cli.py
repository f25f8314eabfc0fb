"""``spotlight-lrs``: serve the LRS and manage its credentials.

A click group (``main``) so more subcommands (report, export, roster, ...) can be added with
``@main.command()``; each takes ``--store URL`` through :data:`store_option`.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from typing import Any

import click

from lrs.auth import SCOPES, create_credential
from lrs.limits import DEFAULT_BODY_IDLE_TIMEOUT, DEFAULT_BODY_TIMEOUT, DEFAULT_MAX_BATCH
from lrs.stores import DEFAULT_STORE_URL, open_store
from lrs.xapi.versions import SUPPORTED, V2

store_option: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--store",
    "store_url",
    envvar="SPOTLIGHT_LRS_STORE",
    default=DEFAULT_STORE_URL,
    show_default=True,
    help="Store URL: sqlite:///path.db, postgresql://..., tinydb:///path.json (env SPOTLIGHT_LRS_STORE).",
)


@click.group()
def main() -> None:
    """Spotlight LRS: an xAPI learning record store."""


@main.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to bind.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1), help="Worker processes.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(min=1),
              help="Threads per worker.")
@click.option("--default-version", type=click.Choice(SUPPORTED), default=V2, show_default=True,
              help="xAPI version declared in answers to requests that name none (About, errors).")
@click.option("--max-body", "max_body", default="10MB", show_default=True, callback=lambda _c, _p, v: _size(v),
              help="Largest request body (bytes, or with KB/MB/GB); larger ones get 413.")
@click.option("--max-batch", default=DEFAULT_MAX_BATCH, show_default=True, type=click.IntRange(min=1),
              help="Most statements in one POST; more get 413.")
@click.option("--read-timeout", default=DEFAULT_BODY_IDLE_TIMEOUT, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds a client may leave its request (headers or body) without a new byte; then 408.")
@click.option("--body-timeout", default=DEFAULT_BODY_TIMEOUT, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds for a whole request body to arrive; then 408.")
@click.option("--cors-origin", "cors_origins", multiple=True, envvar="SPOTLIGHT_LRS_CORS_ORIGINS",
              help="Origin allowed to call the xAPI routes from a browser (repeat; env SPOTLIGHT_LRS_CORS_ORIGINS, "
                   "space-separated). Default: any origin, never with credentials.")
@click.option("--proxy-hops", default=0, show_default=True, type=click.IntRange(min=0),
              help="Reverse proxies in front that set X-Forwarded-For (the client address the failed-login "
                   "back-off counts by).")
def serve(store_url: str, host: str, port: int, workers: int, threads: int, default_version: str, max_body: int,
          max_batch: int, read_timeout: float, body_timeout: float, cors_origins: tuple[str, ...],
          proxy_hops: int) -> None:
    """Run the LRS under gunicorn (a production WSGI server), logging one line per request."""
    from lrs.server import run

    if store_url.split("://", 1)[0].lower() in ("postgresql", "postgres"):
        from lrs.stores.postgres import with_pool_size

        store_url = with_pool_size(store_url, threads)  # a connection per thread, unless the URL says
    open_store(store_url).close()  # fail early, and create the schema once before workers start
    origins = [o for value in cors_origins for o in value.replace(",", " ").split()]
    config = {"STORE_URL": store_url, "DEFAULT_XAPI_VERSION": default_version, "MAX_BODY_BYTES": max_body,
              "MAX_BATCH": max_batch, "BODY_IDLE_TIMEOUT": read_timeout, "BODY_TIMEOUT": body_timeout,
              "CORS_ORIGINS": origins, "PROXY_HOPS": proxy_hops}
    run(config, host, port, workers, threads, read_timeout)


_UNITS = {"": 1, "B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


def _size(value: str | int) -> int:
    """``10MB`` -> bytes (binary units: 1 MB = 1,048,576 bytes)."""
    text = str(value).strip().upper().replace(" ", "")
    number = text.rstrip("KMGB")
    unit = text[len(number):]
    try:
        size = int(float(number) * _UNITS[unit])
    except (ValueError, KeyError):
        raise click.BadParameter(f"{value!r} is not a size such as 10MB or 1048576") from None
    if size < 1:
        raise click.BadParameter("must be at least one byte")
    return size


@main.group()
def credentials() -> None:
    """Create, list and revoke API credentials (HTTP Basic key and secret)."""


@credentials.command("create")
@store_option
@click.option("--scope", "scopes", multiple=True, type=click.Choice(SCOPES), default=["all"],
              show_default=True,
              help="xAPI scope; repeat for several.")
@click.option("--name", default="", help="A label, also the authority's name in statements.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def credentials_create(store_url: str, scopes: tuple[str, ...], name: str, as_json: bool) -> None:
    """Create a credential and print its key and secret (the secret is shown only now)."""
    with open_store(store_url) as store:
        credential, secret = create_credential(store, list(scopes), name=name)
    if as_json:
        click.echo(json.dumps({"key": credential.key, "secret": secret, "scopes": list(credential.scopes),
                               "name": credential.name}))
    else:
        click.echo(f"key:    {credential.key}\nsecret: {secret}\nscopes: {' '.join(credential.scopes)}")


@credentials.command("list")
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def credentials_list(store_url: str, as_json: bool) -> None:
    """List credentials (never their secrets)."""
    with open_store(store_url) as store:
        found = store.list_credentials()
    rows = [
        {"key": c.key, "name": c.name, "scopes": list(c.scopes), "created": c.created, "revoked": c.revoked}
        for c in found
    ]
    if as_json:
        click.echo(json.dumps(rows))
        return
    for row in rows:
        state = "revoked" if row["revoked"] else "active"
        click.echo(f"{row['key']}\t{state}\t{row['created']}\t{' '.join(row['scopes'])}\t{row['name']}")


@credentials.command("revoke")
@store_option
@click.argument("key")
def credentials_revoke(store_url: str, key: str) -> None:
    """Revoke a credential: requests with it get 401 from now on."""
    with open_store(store_url) as store:
        if not store.revoke_credential(key):
            raise click.ClickException(f"no credential with key {key}")
    click.echo(f"revoked {key}")


@main.group()
def learners() -> None:
    """The right to erase: remove everything the LRS holds about one learner."""


_by_option: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--by", default=lambda: getpass.getuser(), show_default="the operating-system user",
    help="Who does this (kept in the erasure record).")


@learners.command("erase")
@store_option
@click.option("--agent", "agent_json", metavar="JSON",
              help='The learner as an xAPI Agent, e.g. \'{"mbox": "mailto:..."}\'.')
@click.option("--account", metavar="NAME", help="The learner's account name (any homePage unless --home-page).")
@click.option("--home-page", metavar="IRI", help="With --account: only the account under this homePage.")
@click.option("--dry-run", is_flag=True, help="Count what would be erased; change nothing.")
@_by_option
@click.option("--json", "as_json", is_flag=True, help="Print the erasure record as JSON.")
def learners_erase(store_url: str, agent_json: str | None, account: str | None, home_page: str | None,
                   dry_run: bool, by: str, as_json: bool) -> None:
    """Erase a learner: every statement naming them (or reaching such a statement through a
    StatementRef), their State and Agent Profile documents, their name and their roster entry,
    in one transaction; an erasure record (when, by whom, how many; no identity) is kept."""
    from lrs.erasure import erase_learner, learner_keys

    if home_page and not account:
        raise click.UsageError("--home-page goes with --account")
    with open_store(store_url) as store:
        try:
            keys = learner_keys(store, agent=agent_json, account=account, home_page=home_page)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        record = erase_learner(store, keys, by=by, dry_run=dry_run)
    _print_erasure(record, dry_run, as_json, f"{len(keys)} identifier(s)")


@learners.command("erasures")
@store_option
def learners_erasures(store_url: str) -> None:
    """List the erasure records (learner erasures and retention runs), oldest first, as JSON lines."""
    from lrs.erasure import erasure_records

    with open_store(store_url) as store:
        for record in erasure_records(store):
            click.echo(record.to_json().decode())


@main.group()
def retention() -> None:
    """Keep data no longer than the programme says."""


@retention.command("apply")
@store_option
@click.option("--older-than", required=True, metavar="DURATION",
              help="Erase what was stored longer ago than this: 730d, 104w, 2y (365 days each), 36h.")
@click.option("--dry-run", is_flag=True, help="Count what would be erased; change nothing.")
@_by_option
@click.option("--json", "as_json", is_flag=True, help="Print the erasure record as JSON.")
def retention_apply(store_url: str, older_than: str, dry_run: bool, by: str, as_json: bool) -> None:
    """Erase statements stored before now minus DURATION, State and Agent Profile documents last
    written before then, agents no remaining statement names and attachments no remaining
    statement declares, in one transaction, and keep an erasure record."""
    from lrs.erasure import apply_retention, parse_duration

    try:
        age = parse_duration(older_than)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--older-than") from None
    with open_store(store_url) as store:
        try:
            record = apply_retention(store, age, by=by, dry_run=dry_run)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--older-than") from None
    _print_erasure(record, dry_run, as_json, f"stored before {record.before}")


def _print_erasure(record: Any, dry_run: bool, as_json: bool, what: str) -> None:
    if as_json:
        click.echo(json.dumps({**json.loads(record.to_json()), "dry_run": dry_run}))
        return
    counts = record.counts
    verb = "would erase" if dry_run else "erased"
    click.echo(f"{verb} ({what}): {counts.statements} statements, {counts.documents} documents, "
               f"{counts.agents} agent names, {counts.attachments} attachments, {counts.keyed_entries} roster entries")
    if not dry_run:
        click.echo(f"erasure record {record.id} at {record.at} by {record.by}")


from lrs.analytics.cli import demo, export, report, roster  # noqa: E402 - analytics commands (issues 6, 12)

main.add_command(roster); main.add_command(report); main.add_command(export); main.add_command(demo)  # noqa: E702
