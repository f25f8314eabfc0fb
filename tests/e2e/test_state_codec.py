"""The suspend_data codec (runtime/state.js) run in Node: round trips, and the order in which it
drops parts when a state does not fit the limit."""

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
    script = f"var window = globalThis;\n{STATE_JS}\nprocess.stdout.write(JSON.stringify({calls}));"
    done = subprocess.run([node], input=script, capture_output=True, text=True, check=True, timeout=60)
    return json.loads(done.stdout)


def quiz(questions: int, rng: random.Random, text: int = 0) -> dict[str, Any]:
    """A quiz state: every response a 2-digit code, the first ``text`` of them typed text."""
    responses = ["".join(rng.choice("ABCDEFGH") for _ in range(2)) for _ in range(questions)]
    free = [n < text for n in range(questions)]
    for n in range(text):
        responses[n] = "dGV4dA" * 30  # base64url of typed text
    return {
        "seed": rng.randrange(1, 2**30),
        "attempt": rng.randrange(1, 50),
        "submitted": rng.random() < 0.5,
        "right": [rng.random() < 0.5 for _ in range(questions)],
        "checked": [rng.random() < 0.5 for _ in range(questions)],
        "responses": responses,
        "free": free,
    }


def state(pages: int, quizzes: list[dict[str, Any]], seed: int = 1) -> dict[str, Any]:
    rng = random.Random(seed)
    return {"visited": [rng.random() < 0.7 for _ in range(pages)], "best": rng.randint(0, 100), "quizzes": quizzes}


def roundtrip(original: dict[str, Any], pages: int, limit: int) -> tuple[str, dict[str, Any]]:
    return run_codec(
        f"(() => {{ const s = stateEncode({json.dumps(original)}, 'Lay0ut-_', {limit});"
        f" return [s, stateDecode(s, 'Lay0ut-_', {pages})]; }})()"
    )


def test_round_trip_keeps_seeds_attempts_bits_and_responses() -> None:
    rng = random.Random(3)
    original = state(60, [quiz(5, rng), {"seed": 0}, quiz(100, rng, text=3)])
    original["quizzes"][1] = {"seed": 0, "attempt": 0, "submitted": False, "right": [], "checked": [],
                              "responses": [], "free": []}
    encoded, decoded = roundtrip(original, 60, 64000)
    assert encoded.startswith("2.Lay0ut-_.")
    assert decoded["visited"] == original["visited"] and decoded["best"] == original["best"]
    first, untouched, bank = decoded["quizzes"]
    assert untouched is None
    for got, want in ((first, original["quizzes"][0]), (bank, original["quizzes"][2])):
        assert (got["seed"], got["attempt"], got["submitted"]) == (want["seed"], want["attempt"], want["submitted"])
        size = len(want["right"])
        assert run_codec(f"stateDecodeBits({json.dumps(got['right'])}, {size})") == want["right"]
        assert run_codec(f"stateDecodeBits({json.dumps(got['checked'])}, {size})") == want["checked"]
        assert got["responses"] == want["responses"]


def test_typed_text_goes_first_then_responses_then_visited_marks() -> None:
    rng = random.Random(4)
    original = state(60, [quiz(100, rng, text=100)])
    full, _ = roundtrip(original, 60, 64000)
    assert len(full) > 4096
    encoded, decoded = roundtrip(original, 60, 4096)
    assert len(encoded) <= 4096
    assert decoded["visited"] == original["visited"]
    assert all(response == "" for response in decoded["quizzes"][0]["responses"])
    assert decoded["quizzes"][0]["seed"] == original["quizzes"][0]["seed"]

    choice_only = state(60, [quiz(100, rng, text=0)])
    encoded, decoded = roundtrip(choice_only, 60, 200)
    assert len(encoded) <= 200
    assert not any(decoded["quizzes"][0]["responses"])
    assert decoded["quizzes"][0]["attempt"] == choice_only["quizzes"][0]["attempt"]

    encoded, decoded = roundtrip(state(30000, [quiz(100, rng)]), 30000, 4096)
    assert len(encoded) <= 4096 and not any(decoded["visited"])
    assert decoded["best"] is not None and decoded["quizzes"][0]["seed"]


def test_other_layout_version_or_garbage_is_ignored() -> None:
    encoded = run_codec(f"stateEncode({json.dumps(state(10, []))}, 'AAAAAAAA', 4096)")
    assert run_codec(f"stateDecode({json.dumps(encoded)}, 'BBBBBBBB', 10)") is None
    assert run_codec("stateDecode('1.AAAAAAAA.f.80.AB', 'AAAAAAAA', 10)") is None  # format 1: before banks
    assert run_codec("stateDecode('{\"not\": \"ours\"}', 'AAAAAAAA', 10)") is None
    assert run_codec("stateDecode('', 'AAAAAAAA', 10)") is None
    assert run_codec("stateDecode('2.AAAAAAAA.f.80.%%%~', 'AAAAAAAA', 10).quizzes") == [None, None]


def test_text_survives_any_unicode() -> None:
    text = "Escuché a la víctima — «sin juzgar» 😀 [,] {lang=x}"
    assert run_codec(f"stateDecodeText(stateEncodeText({json.dumps(text)}))") == text
    assert run_codec("stateDecodeText('%%%')") is None
