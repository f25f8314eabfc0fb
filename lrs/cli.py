"""``spotlight-lrs``: serve the LRS and manage its credentials.

A click group (``main``) so more subcommands (report, export, roster, ...) can be added with
``@main.command()``; each takes ``--store URL`` through :data:`store_option`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from lrs.auth import SCOPES, create_credential
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
def serve(store_url: str, host: str, port: int, workers: int, threads: int, default_version: str) -> None:
    """Run the LRS under gunicorn (a production WSGI server), logging one line per request."""
    from lrs.server import run

    open_store(store_url).close()  # fail early, and create the schema once before workers start
    run({"STORE_URL": store_url, "DEFAULT_XAPI_VERSION": default_version}, host, port, workers, threads)


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


from lrs.analytics.cli import demo, export, report, roster  # noqa: E402 - analytics commands (issues 6, 12)

main.add_command(roster); main.add_command(report); main.add_command(export); main.add_command(demo)  # noqa: E702
