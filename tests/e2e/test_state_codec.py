"""The suspend_data codec (runtime/state.js) run in Node: round trips, and the size cap at any course size."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from importlib import resources
from typing import Any

import pytest

STATE_JS = resources.files("spotlight_pack").joinpath("runtime", "state.js").read_text(encoding="utf-8")


def run_codec(calls: str) -> Any:
    """Evaluate ``calls`` (an expression using the codec's functions) in Node and return its JSON value."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("SPOTLIGHT_REQUIRE_BROWSER") == "1":
            pytest.fail("node is missing (SPOTLIGHT_REQUIRE_BROWSER=1)")
        pytest.skip("node is missing")
    script = f"{STATE_JS}\nprocess.stdout.write(JSON.stringify({calls}));"
    done = subprocess.run([node], input=script, capture_output=True, text=True, check=True, timeout=60)
    return json.loads(done.stdout)


def state(pages: int, questions: int, seed: int = 1) -> dict[str, Any]:
    rng = random.Random(seed)
    return {
        "visited": [rng.random() < 0.7 for _ in range(pages)],
        "best": rng.randint(0, 100),
        "answers": [{"mask": rng.randrange(1024), "submitted": rng.random() < 0.5} for _ in range(questions)],
    }


def test_round_trip() -> None:
    original = state(500, 200)
    encoded, decoded = run_codec(
        f"(() => {{ const s = stateEncode({json.dumps(original)}, 'Lay0ut-_', 4096);"
        f" return [s, stateDecode(s, 'Lay0ut-_', 500, 200)]; }})()"
    )
    assert len(encoded) <= 4096
    assert decoded == original


def test_other_layout_or_garbage_is_ignored() -> None:
    encoded = run_codec(f"stateEncode({json.dumps(state(10, 3))}, 'AAAAAAAA', 4096)")
    assert run_codec(f"stateDecode({json.dumps(encoded)}, 'BBBBBBBB', 10, 3)") is None
    assert run_codec("stateDecode('{\"not\": \"ours\"}', 'AAAAAAAA', 10, 3)") is None
    assert run_codec("stateDecode('', 'AAAAAAAA', 10, 3)") is None


@pytest.mark.parametrize(
    ("pages", "questions", "keeps_visited", "keeps_answers"),
    [(500, 200, True, True), (3000, 2000, True, False), (40000, 5000, False, False)],
)
def test_never_longer_than_the_limit(
    pages: int, questions: int, keeps_visited: bool, keeps_answers: bool
) -> None:
    original = state(pages, questions)
    encoded, decoded = run_codec(
        f"(() => {{ const s = stateEncode({json.dumps(original)}, 'L', 4096);"
        f" return [s, stateDecode(s, 'L', {pages}, {questions})]; }})()"
    )
    assert len(encoded) <= 4096
    assert decoded["best"] == original["best"]
    assert (decoded["visited"] == original["visited"]) is keeps_visited
    assert (decoded["answers"] == original["answers"]) is keeps_answers
