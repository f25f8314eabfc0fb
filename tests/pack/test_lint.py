"""The assessment lint end to end: planted flaws are reported at their lines, a well-written course is
silent, warnings never block unless --strict, and a deliberate exception can be silenced."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from spotlight_pack.cli import main
from spotlight_pack.errors import display_path
from spotlight_pack.lint import RULES, check_and_lint

ROOT = Path(__file__).resolve().parents[2]
COURSES = ROOT / "tests" / "fixtures" / "courses"
FLAWED = COURSES / "lint-flawed"
CLEAN = COURSES / "lint-clean"
EXPECT = re.compile(r"#\s*expect:\s*([a-z0-9, -]+)$")
WARNING_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): warning: (?P<message>.+) \[(?P<rule>[a-z0-9-]+)\]$")


def _expected(course: Path) -> set[tuple[str, int, str]]:
    """(file, line, rule) for every '# expect: rule, …' comment in the course's quiz files."""
    found = set()
    for path in sorted(course.rglob("*.yaml")):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = EXPECT.search(text)
            if match:
                for rule_id in match.group(1).split(","):
                    found.add((display_path(path), number, rule_id.strip()))
    return found


def _warnings(output: str) -> set[tuple[str, int, str]]:
    found = set()
    for text in output.splitlines():
        match = WARNING_LINE.match(text)
        if match:
            found.add((match["file"], int(match["line"]), match["rule"]))
    return found


def test_check_prints_each_planted_flaw_at_its_line_and_nothing_else() -> None:
    result = CliRunner().invoke(main, ["check", str(FLAWED)])
    assert result.exit_code == 0, result.output  # warnings never fail without --strict
    expected = _expected(FLAWED)
    assert len(expected) == 15 and {rule for _, _, rule in expected} >= {
        "key-longest", "key-position", "multiple-all-but-one", "truefalse-balance", "negative-stem",
        "feedback-contradicts-key", "all-of-the-above", "none-of-the-above", "key-repeats-stem", "matching-elimination",
    }  # fmt: skip
    assert _warnings(result.output) == expected
    assert "0 problem(s) in 1 course(s)." in result.output and "15 warning(s)" in result.output


def test_strict_check_fails_on_warnings() -> None:
    result = CliRunner().invoke(main, ["check", "--strict", str(FLAWED)])
    assert result.exit_code == 1 and "15 warning(s)" in result.output


def test_a_well_written_assessment_gets_no_warning() -> None:
    result = CliRunner().invoke(main, ["check", "--strict", str(CLEAN)])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    assert check_and_lint(CLEAN) == []


def test_build_strict_writes_nothing_while_warnings_remain(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    args = ["build", str(FLAWED), "--format", "scorm12", "--lang", "es", "--out", str(out)]
    strict = CliRunner().invoke(main, [*args, "--strict"])
    assert strict.exit_code == 1 and "--strict: nothing was built" in strict.output
    assert "warning: option d of lf-a3 is 'all of the above'" in strict.output
    assert not out.exists() or not any(out.iterdir())
    relaxed = CliRunner().invoke(main, args)
    assert relaxed.exit_code == 0, relaxed.output
    assert "15 assessment lint warning(s)" in relaxed.output
    assert [path.name for path in out.iterdir()] == ["lint-flawed-1.0.0-scorm12-es.zip"]


def test_build_strict_builds_a_clean_course(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    result = CliRunner().invoke(
        main, ["build", str(CLEAN), "--format", "cmi5", "--lang", "en", "--out", str(out), "--strict"]
    )
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output and len(list(out.iterdir())) == 1


def test_errors_keep_their_form_and_come_before_any_lint(tmp_path: Path) -> None:
    broken = tmp_path / "lint-flawed"
    shutil.copytree(FLAWED, broken)
    quiz = broken / "modules" / "01-visitors" / "quiz.yaml"
    quiz.write_text(quiz.read_text(encoding="utf-8").replace("type: single", "type: essay"), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(broken)])
    assert result.exit_code == 1
    expected = r"quiz\.yaml:4: question [\w-]+: type must be one of single, multiple, truefalse, .*\(got 'essay'\)$"
    assert re.search(expected, result.output, re.M)
    assert "warning" not in result.output  # the lint needs a course that loads


def test_an_ignore_comment_silences_only_its_rule_where_it_is(tmp_path: Path) -> None:
    course = tmp_path / "lint-flawed"
    shutil.copytree(FLAWED, course)
    assessment = course / "assessment.yaml"
    text = assessment.read_text(encoding="utf-8")
    silenced = text.index("None of the above}  # lint: ignore[none-of-the-above]")
    silenced_line = text.count("\n", 0, silenced) + 1  # lf-a5, option d: planted and silenced
    item_line = text.count("\n", 0, text.index("  - id: lf-a5\n")) + 2

    def warnings(rule_id: str) -> list[int | None]:
        return [problem.line for problem in check_and_lint(course) if problem.rule == rule_id]

    assert silenced_line not in warnings("none-of-the-above")
    assessment.write_text(text.replace("  # lint: ignore[none-of-the-above]", ""), encoding="utf-8")
    assert silenced_line in warnings("none-of-the-above") and len(warnings("none-of-the-above")) == 2
    # On the question's first line, the comment covers the whole item, and only the rules it names.
    item_scoped = text.replace("  # lint: ignore[none-of-the-above]", "").replace(
        "  - id: lf-a5\n", "  - id: lf-a5  # lint: ignore[none-of-the-above, key-repeats-stem]\n"
    )
    assessment.write_text(item_scoped, encoding="utf-8")
    remaining = warnings("none-of-the-above")
    assert len(remaining) == 1 and remaining[0] is not None and remaining[0] < item_line  # lf-a4's is kept
    assert warnings("key-repeats-stem") == []
    assert warnings("key-longest")  # assessment-wide rules are not silenced by an item comment


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_is_documented_with_its_id(rule_id: str) -> None:
    docs = (ROOT / "docs" / "source-format.md").read_text(encoding="utf-8")
    section = docs.split("## Assessment lint", 1)[-1]
    assert f"`{rule_id}`" in section, f"docs/source-format.md 'Assessment lint' does not document {rule_id}"


# --------------------------------------------------------------------------- banks, read from the sources


def _line_of(text: str, fragment: str) -> int:
    return text.count("\n", 0, text.index(fragment)) + 1


def test_the_lint_judges_every_question_of_every_pool(tmp_path: Path) -> None:
    """Flaws planted in the second and the last pool of the bank are found at their lines: the lint
    reads the whole bank, not one attempt's draw."""
    course = tmp_path / "lint-clean"
    shutil.copytree(CLEAN, course)
    assessment = course / "assessment.yaml"
    text = assessment.read_text(encoding="utf-8")
    planted = text.replace(
        "text: {es: La persona visitante, en: The visitor}",  # lc-a8 (pool 'multi'), option d
        "text: {es: Ninguna de las anteriores, en: None of the above}", 1,
    ).replace(  # lc-a10 (pool 'truefalse'): the key flipped, its feedback left as it was
        "    answer: true\n        feedback_true: {es: Correcto., en: Correct.}\n"
        "        feedback_false: {es: \"No: se guarda un año.\"",
        "    answer: false\n        feedback_true: {es: Correcto., en: Correct.}\n"
        "        feedback_false: {es: \"No: se guarda un año.\"", 1,
    )
    assert planted.count("answer: false") == text.count("answer: false") + 1
    assessment.write_text(planted, encoding="utf-8")
    found = {(problem.line, problem.rule) for problem in check_and_lint(course)}
    assert found == {
        (_line_of(planted, "None of the above}"), "none-of-the-above"),
        (_line_of(planted, "answer: false\n        feedback_true: {es: Correcto.") + 1, "feedback-contradicts-key"),
    }  # fmt: skip


def test_a_bank_too_small_for_its_draw_and_near_identical_attempts(tmp_path: Path) -> None:
    course = tmp_path / "lint-clean"
    shutil.copytree(CLEAN, course)
    assessment = course / "assessment.yaml"
    text = assessment.read_text(encoding="utf-8")
    planted = text.replace("    draw: 3\n", "    draw: 5\n", 1).replace("    draw: 2\n", "    draw: 3\n", 1)
    assessment.write_text(planted, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(course)])
    shown = display_path(assessment)
    lines = result.output.splitlines()
    draw_cases = _line_of(planted, "    draw: 5\n")
    draw_truefalse = _line_of(planted, "    draw: 3\n")
    assert any(line.startswith(f"{shown}:{draw_cases}: warning: pool 'cases' draws 5 of its 6 questions")
               and line.endswith("[bank-too-small]") for line in lines), result.output
    assert any(line.startswith(f"{shown}:{draw_truefalse}: warning: pool 'truefalse' draws 3 of its 4")
               for line in lines), result.output
    overlap = [line for line in lines if line.endswith("[attempts-overlap]")]
    assert len(overlap) == 1 and overlap[0].startswith(f"{shown}:{_line_of(planted, 'pools:')}: warning: two "
                                                       "attempts share on average"), result.output
    assert "pool 'multi'" not in result.output  # 1 of 3: fine
    # One attempt: nothing to remember from, so neither rule speaks.
    assessment.write_text(planted.replace("attempts: 3", "attempts: 1"), encoding="utf-8")
    assert [p.rule for p in check_and_lint(course) if p.rule in ("bank-too-small", "attempts-overlap")] == []
    # --strict fails on them.
    assessment.write_text(planted, encoding="utf-8")
    assert CliRunner().invoke(main, ["check", "--strict", str(course)]).exit_code == 1


def test_the_lint_view_takes_pools_attempts_policy_and_shuffle_from_the_model() -> None:
    from spotlight_pack.lint.view import assessment_views
    from spotlight_pack.sources import load_course

    bank = COURSES / "bank"
    final = next(view for view in assessment_views(load_course(bank), bank) if view.scored)
    assert final.bank is not None and final.bank.attempts == 2 and final.feedback_policy == "after-attempt"
    assert [(pool.id, pool.draw, len(pool.items)) for pool in final.bank.pools] == [("classic", 2, 4), ("types", 7, 7)]
    assert len(final.items) == 11  # every question of every pool
    items = {item.id: item for item in final.items}
    assert items["bank-c1"].shuffle and not items["bank-c2"].shuffle  # shuffle: false kept
    assert items["bank-c1"].feedback["en"].startswith("See [the route]")  # question-level feedback
    assert not items["bank-open"].scored and items["bank-fill"].scored
    assert items["bank-c1"].pool == "classic" and items["bank-open"].pool == "types"


def test_a_matching_item_without_distractors_is_found_at_its_line(tmp_path: Path) -> None:
    course = tmp_path / "bank"
    shutil.copytree(COURSES / "bank", course)
    assessment = course / "assessment.yaml"
    text = assessment.read_text(encoding="utf-8")
    distractors = ("        distractors:\n"
                   "          - {id: blame, text: {es: Buscar culpables, en: Finding someone to blame}}\n")
    assert distractors in text
    assert not [p for p in check_and_lint(course) if p.rule == "matching-elimination"]  # it has one
    assessment.write_text(text.replace(distractors, ""), encoding="utf-8")
    [found] = [p for p in check_and_lint(course) if p.rule == "matching-elimination"]
    assert found.line == _line_of(text, "      - id: bank-match") and "3 sources with 3 targets" in found.message
