"""Fixtures of the analytics tests: the generated cohort, loaded into stores once per session."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # for `import cohort`
sys.path.insert(0, str(Path(__file__).parents[1] / "lrs"))  # tests/lrs/conftest.py imports lrs_helpers

from cohort import Cohort, generate  # noqa: E402
from helpers import load  # noqa: E402

from lrs.stores import Store, open_store  # noqa: E402


@pytest.fixture(scope="session")
def cohort() -> Cohort:
    return generate()


@pytest.fixture(scope="session")
def cohort_db(cohort: Cohort, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A sqlite store URL holding the whole cohort (read-only for tests: copy before writing)."""
    path = tmp_path_factory.mktemp("cohort") / "lrs.db"
    url = f"sqlite:///{path}"
    with open_store(url) as store:
        load(store, cohort.statements)
    return url


@pytest.fixture(scope="session")
def roster_file(cohort: Cohort, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("roster") / "roster.csv"
    path.write_text(cohort.roster_csv, encoding="utf-8")
    return path


@pytest.fixture
def cohort_store(cohort_db: str) -> Iterator[Store]:
    with open_store(cohort_db) as store:
        yield store


def _lrs_fixtures():
    """The LRS suite's store fixtures helpers (tests/lrs/conftest.py), loaded under another name."""
    import importlib.util

    path = Path(__file__).parents[1] / "lrs" / "conftest.py"
    spec = importlib.util.spec_from_file_location("lrs_store_fixtures", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_LRS = _lrs_fixtures()
postgres_url = _LRS.postgres_url
STORE_KINDS = _LRS.STORE_KINDS


@pytest.fixture(params=STORE_KINDS)
def any_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store of every kind (PostgreSQL skips unless reachable or required)."""
    return _LRS.make_store_url(request.param, request, tmp_path)


@pytest.fixture(scope="session")
def store_with_roster(cohort_db: str, roster_file: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the cohort store with the roster imported through the CLI."""
    from click.testing import CliRunner

    from lrs.cli import main

    path = tmp_path_factory.mktemp("reported") / "lrs.db"
    shutil.copy(cohort_db.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    result = CliRunner().invoke(main, ["roster", "import", str(roster_file), "--store", url])
    assert result.exit_code == 0, result.output
    return url


@pytest.fixture(scope="session")
def small() -> Cohort:
    """60 learners: for checks that need realistic statements but not the full cohort's figures."""
    return generate(learners=60, seed=3)


@pytest.fixture(scope="session")
def small_db(small: Cohort, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The small cohort in sqlite, with its roster imported."""
    from lrs.analytics.roster import import_roster, read_roster_file

    url = f"sqlite:///{tmp_path_factory.mktemp('small') / 'lrs.db'}"
    with open_store(url) as store:
        load(store, small.statements)
        import_roster(store, read_roster_file(small.roster_csv))
    return url


@pytest.fixture
def small_in_every_store(any_store_url: str, small: Cohort) -> Iterator[str]:
    """The small cohort (60 learners, page blocks included) and its roster in a store of each kind."""
    from lrs.analytics.roster import import_roster, read_roster_file

    with open_store(any_store_url) as store:
        load(store, small.statements)
        import_roster(store, read_roster_file(small.roster_csv))
    yield any_store_url
