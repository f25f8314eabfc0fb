"""The quiz engine's pure parts run in Node against their Python counterparts: the sealed keys, the
fill-in comparison rules, number parsing, and the draw (reproducible, varied, fair)."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from spotlight_pack.questions.fill_in import normalize
from spotlight_pack.render import _seal
from spotlight_pack.sources import load_course

sys.path.insert(0, str(Path(__file__).parent))

import assessment_support as helpers  # noqa: E402

RUNTIME = resources.files("spotlight_pack").joinpath("runtime")
ENGINE = "\n".join(RUNTIME.joinpath(*name.split("/")).read_text(encoding="utf-8")
                   for name in ("quiz.js", "questions/fill-in.js", "questions/numeric.js"))
BANK = Path(__file__).resolve().parents[1] / "fixtures" / "courses" / "bank"


def run(expression: str) -> Any:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("SPOTLIGHT_REQUIRE_BROWSER") == "1":
            pytest.fail("node is missing (SPOTLIGHT_REQUIRE_BROWSER=1)")
        pytest.skip("node is missing")
    script = f"var window = globalThis;\n{ENGINE}\nprocess.stdout.write(JSON.stringify({expression}));"
    done = subprocess.run([node], input=script, capture_output=True, text=True, check=True, timeout=60)
    return json.loads(done.stdout)


def test_sealed_keys_open_in_the_player() -> None:
    value = {"key": ["a", "c"], "feedback": "Ñandú «sí» — 😀 <em>x</em>", "patterns": {"xapi": ["a[,]c"]}}
    sealed = _seal(value, "fcc-a03")
    assert "Ñandú" not in sealed and "a[,]c" not in sealed
    assert run(f"quizUnseal({{id: 'fcc-a03', sealed: {json.dumps(sealed)}}})") == value


def test_fill_in_compares_as_the_loader_checks() -> None:
    typed = ["  Feminicidio ", "FEMINICIDIO", "feminicídio", "Niñez", "ninez", "órden  de   protección", "ß", "Ünica"]
    for case_matters in (False, True):
        for accents_matter in (False, True):
            expected = [normalize(text, case_matters, accents_matter) for text in typed]
            got = run(f"{json.dumps(typed)}.map(t => fillInNormalize(t, {json.dumps(case_matters)},"
                      f" {json.dumps(accents_matter)}))")
            assert got == expected, (case_matters, accents_matter)


@pytest.mark.parametrize(("typed", "value"), [
    ("3", "3"), ("3,50", "3.5"), (" 2.500 ", "2.5"), ("-0", "0"), ("007", "7"), ("\u22124,2", "-4.2"),
    ("1e3", None), ("3.", None), ("12345678901", None), ("1.12345678", None), ("", None), ("tres", None),
])
def test_numbers_learners_type(typed: str, value: str | None) -> None:
    assert run(f"numericValue({json.dumps(typed)})") == value


def test_the_draw_is_reproducible_varied_and_fair() -> None:
    course = load_course(BANK)
    quiz = next(quiz for quiz in course.quizzes() if quiz.id == "assessment")
    offset = sum(len(q.questions) for q in course.quizzes() if q.id != "assessment")
    pools, first = [], offset
    for pool in quiz.pools:
        pools.append({"draw": pool.draw, "questions": list(range(first, first + len(pool.questions)))})
        first += len(pool.questions)
    seeds = random.Random(7).sample(range(1, 2**30), 2000)
    draws = run(f"{json.dumps(seeds)}.map(s => quizDraw({json.dumps({'pools': pools})}, s))")
    ids = [q.id for q in quiz.questions]
    named = [[ids[index - offset] for index in drawn] for drawn in draws]
    assert named[:100] == [helpers.drawn_ids(course, "assessment", seed) for seed in seeds[:100]]  # the reference
    assert all(len(drawn) == 9 and drawn[2:] == ids[4:] for drawn in named)
    classic = Counter(tuple(drawn[:2]) for drawn in named)
    assert len(classic) == 6  # every pair of the four classic questions comes up
    counts = Counter(question for drawn in named for question in drawn[:2])
    assert all(850 <= counts[question] <= 1150 for question in ids[:4]), counts  # each about 2000 × 2/4
    again = run(f"{json.dumps(seeds[:5])}.map(s => quizDraw({json.dumps({'pools': pools})}, s))")
    assert again == draws[:5]


def test_a_rubric_becomes_a_scorm2004_description_within_250_characters() -> None:
    """cmi.interactions.n.description is a localized_string_type of at most 250 characters (SCORM 2004
    RTE 4.2.9.1): the language prefix counts, a long rubric is cut with an ellipsis, a leading '{'
    (which would read as another delimiter) is dropped, and no rubric writes no description."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("SPOTLIGHT_REQUIRE_BROWSER") == "1":
            pytest.fail("node is missing (SPOTLIGHT_REQUIRE_BROWSER=1)")
        pytest.skip("node is missing")
    modules = "\n".join(RUNTIME.joinpath(*name.split("/")).read_text(encoding="utf-8")
                        for name in ("quiz.js", "questions/fill-in.js", "questions/long-fill-in.js"))
    cases = {"short": "Names listening first.", "long": "x" * 300, "brace": "{lang=en}Trick", "none": None}
    script = (
        'var window = globalThis; var document = {documentElement: {lang: "es-MX"}};\n' + modules
        + f"\nvar cases = {json.dumps(cases)}; var out = {{}};\n"
        + "Object.keys(cases).forEach(function (k) {\n"
        + '  out[k] = quizKinds["long-fill-in"].describe({rubric: cases[k]});\n});\n'
        + "process.stdout.write(JSON.stringify(out));"
    )
    done = subprocess.run([node], input=script, capture_output=True, text=True, check=True, timeout=60)
    found = json.loads(done.stdout)
    assert found["short"] == {"scorm2004": "{lang=es-MX}Names listening first."}
    long = found["long"]["scorm2004"]
    assert len(long) == 250 and long.startswith("{lang=es-MX}xxx") and long.endswith("x\u2026")
    assert found["brace"] == {"scorm2004": "{lang=es-MX}lang=en}Trick"}
    assert found["none"] is None
