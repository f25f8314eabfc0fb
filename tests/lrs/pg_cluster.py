"""A private, throwaway PostgreSQL cluster for tests that restart the database or need server
settings of their own (autovacuum off): initdb + pg_ctl from this machine's PostgreSQL on a free
127.0.0.1 port, in a temporary folder removed at the end.

The shared cluster on 127.0.0.1:5432 is never restarted or reconfigured: other test runs use it.
initdb and postgres refuse to run as root, so under root (CI on this machine) they run as the
``postgres`` system user (or ``nobody``) through ``runuser``, in a folder that user owns.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg


class ClusterUnavailable(Exception):
    """This machine cannot run a private cluster (the reason is the message)."""


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise ClusterUnavailable("no initdb: install the PostgreSQL server package (e.g. Debian's postgresql)")


def _run_as() -> str | None:
    """The system user to run the cluster as (None: the current user)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        if shutil.which("runuser"):
            return name
    raise ClusterUnavailable("running as root without a 'postgres' or 'nobody' user and runuser for initdb")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateCluster:
    """One PostgreSQL cluster of our own: ``start()``, ``restart()``, ``stop()``, ``remove()``."""

    def __init__(self, settings: dict[str, str] | None = None) -> None:
        self.bin = _bin_dir()
        self.user = _run_as()
        self.root = Path(tempfile.mkdtemp(prefix="spotlight-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = free_port()
        self.settings = {
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.root),
            "fsync": "off",  # a test cluster: speed over crash safety
            "full_page_writes": "off",
            "max_connections": "80",
            "shared_buffers": "32MB",
            **(settings or {}),
        }
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._pg("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--locale=C", "--no-sync", "--no-instructions")  # fmt: skip
        with open(self.data / "postgresql.conf", "a") as conf:
            for name, value in self.settings.items():
                conf.write(f"{name} = '{value}'\n")
            conf.write(f"port = {self.port}\n")

    def _pg(self, program: str, *args: str, timeout: float = 120) -> None:
        command = [str(self.bin / program), *args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=self.root)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr[-2000:]}\n{log}")

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self, down_for: float = 0.0) -> None:
        """Stop (fast: every connection is dropped), stay down ``down_for`` seconds, start."""
        self.stop("fast")
        time.sleep(down_for)
        self.start()

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
