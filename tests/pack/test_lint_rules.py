"""Each lint rule on small planted examples: it fires on the flaw, stays silent on the fix, and its
threshold follows the assessment's size. Views are built by hand here; tests/pack/test_lint.py runs
the rules on courses the loader reads (banks, draws, attempts and feedback policies from the model)."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import Any

import pytest

from spotlight_pack.errors import Problem
from spotlight_pack.lint import RULES
from spotlight_pack.lint.language import profile_for
from spotlight_pack.lint.rules.bank_draw import expected_overlap
from spotlight_pack.lint.rules.negative_stem import unemphasised_negative
from spotlight_pack.lint.stats import excess, upper_tail
from spotlight_pack.lint.text import content_stems, question_parts
from spotlight_pack.lint.view import AssessmentView, BankView, ItemView, Location, OptionView, PoolView

HERE = Location("quiz.yaml", 1)


def option(option_id: str, text: str | dict[str, str], correct: bool = False, feedback: str | dict[str, str] = "",
           position: int = 1, lang: str = "en") -> OptionView:  # fmt: skip
    texts = text if isinstance(text, dict) else {lang: text}
    feedbacks = feedback if isinstance(feedback, dict) else ({lang: feedback} if feedback else {})
    return OptionView(option_id, texts, correct, feedbacks, Location("quiz.yaml", 10 + position),
                      Location("quiz.yaml", 20 + position), position)  # fmt: skip


def choice(item_id: str, stem: str | dict[str, str], texts: list[str] | list[dict[str, str]], keys: set[int],
           kind: str = "single", feedback: list[str] | None = None, lang: str = "en") -> ItemView:  # fmt: skip
    """An item whose options are ``texts`` in order; ``keys`` are 0-based indexes of the correct ones."""
    options = tuple(
        option("abcdefghij"[index], text, index in keys, (feedback or [""] * len(texts))[index], index + 1, lang)
        for index, text in enumerate(texts)
    )
    stems = stem if isinstance(stem, dict) else {lang: stem}
    return ItemView(item_id, kind, stems, options, {}, HERE, {code: Location("quiz.yaml", 5) for code in stems},
                    "questions", False)  # fmt: skip


def truefalse(item_id: str, answer: bool, feedback_true: str = "", feedback_false: str = "") -> ItemView:
    options = (
        option("true", "True", answer, feedback_true, 1),
        option("false", "False", not answer, feedback_false, 2),
    )
    return ItemView(item_id, "truefalse", {"en": "A statement."}, options, {}, HERE, {"en": HERE}, "questions", False)


def view(
    items: list[ItemView], languages: tuple[str, ...] = ("en",), scored: bool = True, **extra: Any
) -> AssessmentView:
    return AssessmentView("assessment", scored, languages, tuple(items), HERE, Location("quiz.yaml", 3), **extra)


def run(rule_id: str, assessment: AssessmentView) -> list[str]:
    return [finding.message for finding in RULES[rule_id].check(assessment)]


def single(item_id: str, key_at: int, key_length: int, other_length: int, options: int = 4) -> ItemView:
    """A single-choice item with the key at ``key_at`` (0-based) and options of the given lengths."""
    texts = ["x" * (key_length if index == key_at else other_length + index) for index in range(options)]
    return choice(item_id, "Which one?", texts, {key_at})


# --------------------------------------------------------------------------- the exact tests


def test_upper_tail_is_the_binomial_tail_when_probabilities_are_equal() -> None:
    assert upper_tail([0.25] * 5, 5) == pytest.approx(0.25**5)
    assert upper_tail([0.5] * 19, 15) == pytest.approx(sum(math.comb(19, k) for k in range(15, 20)) / 2**19)
    assert upper_tail([0.5, 0.25], 0) == pytest.approx(1.0)


def test_excess_needs_enough_items_a_small_p_value_and_a_real_effect() -> None:
    assert excess(3, [0.25] * 3, min_items=5) is None  # 3 of 3: too few items to judge
    assert excess(3, [0.25] * 5, min_items=5) is None  # 3 of 5: p = 0.10
    found = excess(4, [0.25] * 5, min_items=5)
    assert found is not None and found.p_value == pytest.approx(0.015625)
    assert excess(4, [0.25] * 5, min_items=5, tests=4) is None  # Bonferroni over 4 positions: 0.0625
    assert excess(300, [0.25] * 1000, min_items=5) is None  # significant, but 1.2x chance is no real cue


# --------------------------------------------------------------------------- key length


def test_key_longest_follows_the_assessment_size() -> None:
    three = [single(f"q{n}", n % 4, 60, 20) for n in range(3)]
    assert run("key-longest", view(three)) == []  # a 3-item check is not judged
    five = [single(f"q{n}", n % 4, 60 if n < 4 else 10, 20) for n in range(5)]
    [message] = run("key-longest", view(five))
    assert "4 of 5 single-choice items" in message and "q0, q1, q2, q3" in message
    twenty = [single(f"q{n}", n % 4, 60 if n < 8 else 10, 20) for n in range(20)]  # 8 of 20: p = 0.10
    assert run("key-longest", view(twenty)) == []
    twenty = [single(f"q{n}", n % 4, 60 if n < 10 else 10, 20) for n in range(20)]  # 10 of 20: p = 0.014
    assert "10 of 20" in run("key-longest", view(twenty))[0]


def test_key_shortest_and_ties() -> None:
    items = [single(f"q{n}", n % 4, 5, 20) for n in range(6)]
    assert run("key-shortest", view(items)) and run("key-longest", view(items)) == []
    tied = [choice(f"q{n}", "Which?", ["same length", "same length", "other text!"], {n % 2}) for n in range(8)]
    assert run("key-longest", view(tied)) == []  # a tie for longest is not a cue


def test_key_length_is_judged_in_every_language() -> None:
    items = [
        choice(f"q{n}", {"es": "¿Cuál?", "en": "Which?"},
               [{"es": "una opción bastante más larga que las otras" if i == 0 else f"corta {i}", "en": f"option {i}"}
                for i in range(4)], {0})  # fmt: skip
        for n in range(6)
    ]
    [message] = run("key-longest", view(items, ("es", "en")))
    assert "(es;" in message


# --------------------------------------------------------------------------- key position


def test_key_position_piles_up() -> None:
    spread = [single(f"q{n}", n % 4, 20, 20) for n in range(8)]
    assert run("key-position", view(spread)) == []
    piled = [single(f"q{n}", 1 if n < 6 else 0, 20, 20) for n in range(8)]
    [message] = run("key-position", view(piled))
    assert "option 2 in 6 of 8" in message and "learners always see this order" in message
    shuffled = [
        ItemView(item.id, item.type, item.stem, item.options, {}, HERE, item.stem_at, "questions", True)
        for item in piled
    ]
    assert "shuffled online, but print and review show this order" in run("key-position", view(shuffled))[0]


# --------------------------------------------------------------------------- true/false


@pytest.mark.parametrize(
    ("trues", "falses", "flagged"),
    [(1, 4, True), (0, 4, True), (2, 3, False), (1, 3, False), (0, 3, False), (5, 15, True), (6, 14, False),
     (30, 70, True), (45, 55, False)],
)  # fmt: skip
def test_truefalse_balance(trues: int, falses: int, flagged: bool) -> None:
    items = [truefalse(f"t{n}", True) for n in range(trues)] + [truefalse(f"f{n}", False) for n in range(falses)]
    messages = run("truefalse-balance", view(items))
    assert bool(messages) is flagged
    if flagged:
        assert re.search(rf"{max(trues, falses)} of {trues + falses} true/false keys are", messages[0])


# --------------------------------------------------------------------------- multi-select


def test_multiple_all_but_one() -> None:
    four = [choice(f"m{n}", "Which?", ["a1", "b2", "c3", "d4"], {0, 1, 2}, "multiple") for n in range(3)]
    assert "3 of 3 multi-select items" in run("multiple-all-but-one", view(four))[0]
    three = [choice(f"m{n}", "Which?", ["a1", "b2", "c3"], {0, 1}, "multiple") for n in range(3)]
    assert run("multiple-all-but-one", view(three)) == []  # with 3 options, 2 correct is common by chance (p = 0.08)
    varied = [choice(f"m{n}", "Which?", ["a1", "b2", "c3", "d4"], set(range(n + 1)), "multiple") for n in range(3)]
    assert run("multiple-all-but-one", view(varied)) == []
    assert run("multiple-all-but-one", view(four[:2])) == []  # two items: too few to judge


# --------------------------------------------------------------------------- all / none of the above


@pytest.mark.parametrize(
    ("lang", "text", "rule_id"),
    [("en", "All of the above", "all-of-the-above"), ("en", "all the above options", "all-of-the-above"),
     ("en", "None of the above.", "none-of-the-above"), ("en", "None of these answers", "none-of-the-above"),
     ("es", "Todas las anteriores", "all-of-the-above"), ("es", "Todas las opciones anteriores son correctas",
     "all-of-the-above"), ("es", "Todo lo anterior", "all-of-the-above"), ("es", "Las tres anteriores",
     "all-of-the-above"), ("es", "Ninguna de las anteriores", "none-of-the-above"),
     ("es", "**Ninguna** de las respuestas anteriores", "none-of-the-above"), ("es", "Nada de lo anterior",
     "none-of-the-above")],
)  # fmt: skip
def test_catch_all_options_in_each_language(lang: str, text: str, rule_id: str) -> None:
    item = choice("q1", "Which?", ["One thing", "Another thing", text], {0}, lang=lang)
    [message] = run(rule_id, view([item], (lang,)))
    assert message.startswith("option c of q1 is")


@pytest.mark.parametrize("text", ["Above all, her safety", "Todas las personas anteriores al cambio", "Both"])
def test_ordinary_options_are_not_catch_alls(text: str) -> None:
    item = choice("q1", "Which?", ["One thing", text], {0})
    assert run("all-of-the-above", view([item])) == [] and run("none-of-the-above", view([item])) == []


def test_a_language_without_a_profile_is_skipped_by_language_rules_only() -> None:
    assert profile_for("fr") is None and profile_for("es-MX") is profile_for("es")
    items = [choice(f"q{n}", {"fr": "Laquelle ?"}, [{"fr": "une réponse beaucoup plus longue que les autres"},
             {"fr": "courte"}, {"fr": "Aucune de ces réponses"}], {0}, lang="fr") for n in range(6)]  # fmt: skip
    assert run("none-of-the-above", view(items, ("fr",))) == []
    assert run("key-longest", view(items, ("fr",)))  # the statistics do not need a language


# --------------------------------------------------------------------------- negative stems


@pytest.mark.parametrize(
    ("lang", "stem", "word"),
    [("en", "Which of these is not a risk factor?", "not"), ("en", "All of these apply except:", "except"),
     ("en", "Which action isn't required?", "isn't"), ("es", "¿Cuál de estas acciones no corresponde?", "no"),
     ("es", "Todas son obligaciones, excepto:", "excepto"), ("es", "¿Qué medida es la menos adecuada?", "la menos"),
     ("en", "Ana says she is fine. Which of these is not a risk factor?", "not")],
)  # fmt: skip
def test_negative_stems_without_emphasis(lang: str, stem: str, word: str) -> None:
    profile = profile_for(lang)
    assert profile is not None
    assert unemphasised_negative(stem, profile.negative_words, profile.subordinators) == word


@pytest.mark.parametrize(
    ("lang", "stem"),
    [("en", "Which of these is NOT a risk factor?"), ("en", "Which of these is **not** a risk factor?"),
     ("es", "¿Cuál de estas acciones NO corresponde?"), ("es", "Todas son obligaciones, EXCEPTO:"),
     ("en", "She does not want to report. What should the officer do?"),
     ("en", "If she does not want to report, what should the officer do?"),
     ("es", "Si ella no quiere denunciar, ¿qué debe hacer la policía?"),
     ("es", 'Ella dice "no quiero denunciar". ¿Qué debe hacer la policía?'),
     ("en", "What should the officer do first?")],
)  # fmt: skip
def test_emphasised_or_scenario_negatives_are_fine(lang: str, stem: str) -> None:
    profile = profile_for(lang)
    assert profile is not None
    assert unemphasised_negative(stem, profile.negative_words, profile.subordinators) is None


def test_negative_stem_rule_points_at_the_prompt_of_each_language() -> None:
    item = choice("q1", {"es": "¿Cuál no corresponde?", "en": "Which does NOT apply?"}, [{"es": "a", "en": "a"},
                  {"es": "b", "en": "b"}], {0})  # fmt: skip
    messages = run("negative-stem", view([item], ("es", "en")))
    assert len(messages) == 1 and "('no', es)" in messages[0]
    assert question_parts("Ana llegó. ¿Qué hace? Responda.") == [(10, " ¿Qué hace?"), (21, " Responda.")]


# --------------------------------------------------------------------------- the key repeats the stem


def test_only_the_key_repeats_a_word_of_the_stem() -> None:
    flawed = choice("q1", "What does a safety plan include?", ["A list of safe places in the safety plan",
                    "Her favourite colours", "A court date"], {0})  # fmt: skip
    [message] = run("key-repeats-stem", view([flawed]))
    assert "(en: plan, safety)" in message
    fair = choice("q1", "What does a safety plan include?", ["Safe places, agreed with her", "A plan for the court",
                  "A plan to confront him"], {0})  # fmt: skip
    assert run("key-repeats-stem", view([fair])) == []  # distractors echo the stem too


def test_stemming_and_stop_words_per_language() -> None:
    spanish = profile_for("es")
    assert spanish is not None
    separation = content_stems("la separación reciente", spanish)
    assert set(separation) == set(content_stems("separarse recientemente", spanish))
    assert content_stems("¿Cuál de las siguientes opciones es la correcta?", spanish) == {}
    options = [{"es": "Separarse de él"}, {"es": "Tener empleo"}, {"es": "Vivir cerca"}]
    item = choice("q1", {"es": "¿Qué factor aumenta el riesgo tras la separación?"}, options, {0}, lang="es")
    assert "(es: Separarse)" in run("key-repeats-stem", view([item], ("es",)))[0]


# --------------------------------------------------------------------------- feedback against the key


def test_feedback_that_contradicts_the_key() -> None:
    item = choice("q1", "Which?", ["Right one", "Wrong one", "Other wrong"], {0},
                  feedback=["Incorrect: this is the answer.", "Correct! Well chosen.", "No. Try again."])  # fmt: skip
    messages = run("feedback-contradicts-key", view([item]))
    assert len(messages) == 2
    assert messages[0].startswith("the feedback of option a of q1 is for the key, but it says wrong")
    assert messages[1].startswith("the feedback of option b of q1 is for a wrong answer, but it says right")
    consistent = choice("q1", "Which?", ["Right one", "Wrong one"], {0},
                        feedback=["Correct. It is.", "Not quite: see module 2."])  # fmt: skip
    assert run("feedback-contradicts-key", view([consistent])) == []
    spanish = choice("q1", {"es": "¿Cuál?"}, [{"es": "Sí"}, {"es": "No"}], {1}, lang="es",
                     feedback=[{"es": "¡Correcto!"}, {"es": "No, no es así."}])  # fmt: skip
    assert len(run("feedback-contradicts-key", view([spanish], ("es",)))) == 2


def test_truefalse_feedback_no_can_agree_with_a_false_key() -> None:
    agrees = truefalse("t1", False, feedback_true="Not quite: never.", feedback_false="No, never: it is false.")
    assert run("feedback-contradicts-key", view([agrees])) == []
    contradicts = truefalse("t1", False, feedback_true="Correct, it is true.", feedback_false="Right.")
    [message] = run("feedback-contradicts-key", view([contradicts]))
    assert message.startswith("the feedback for answering 'true' of t1 is for a wrong answer")


# --------------------------------------------------------------------------- no feedback


def test_a_quiz_without_any_feedback() -> None:
    bare = [choice(f"q{n}", "Which?", ["a", "b"], {0}) for n in range(3)]
    [message] = run("no-feedback", view(bare, scored=False))
    assert "no question of this self-check has feedback" in message
    assert run("no-feedback", view(bare, feedback_policy="none")) == []
    some = [*bare, choice("q9", "Which?", ["a", "b"], {0}, feedback=["Yes, a.", ""])]
    assert run("no-feedback", view(some)) == []


def matching(item_id: str, sources: int, targets: int) -> ItemView:
    return replace(choice(item_id, "Match each.", [], set()), type="matching", sources=sources, targets=targets)


def test_matching_with_no_more_targets_than_sources() -> None:
    [found] = run("matching-elimination", view([matching("m1", 3, 3)]))
    assert found.startswith("m1 matches 3 sources with 3 targets: a learner who knows 2 pairs gets the last one")
    assert run("matching-elimination", view([matching("m2", 3, 4)])) == []  # a distractor: nothing is forced
    assert run("matching-elimination", view([matching("m3", 1, 1)])) == []  # one pair: nothing to eliminate
    assert run("matching-elimination", view([choice("c", "Which?", ["a", "b"], {0})])) == []  # not matching


# --------------------------------------------------------------------------- banks and draws


def bank(pools: list[tuple[int, int]], attempts: int | None = None, declared: bool = True) -> BankView:
    return BankView(
        tuple(
            PoolView(f"pool-{index}", draw, tuple(single(f"p{index}-{n}", 0, 20, 20) for n in range(size)), HERE,
                     declared)  # fmt: skip
            for index, (draw, size) in enumerate(pools)
        ),
        attempts,
    )


def test_expected_overlap_between_two_attempts() -> None:
    assert expected_overlap([(5, 5)]) == 1.0
    assert expected_overlap([(5, 10)]) == pytest.approx(0.5)
    assert expected_overlap([(2, 4), (3, 3)]) == pytest.approx((1 + 3) / 5)
    assert expected_overlap([(7, 5)]) == 1.0  # a pool drawing more than it has shows all of it


def test_bank_too_small_for_its_draw() -> None:
    impossible, small = run("bank-too-small", view([], bank=bank([(5, 3), (2, 6), (5, 6)])))
    assert impossible.startswith("pool 'pool-0' draws 5 questions but has 3")
    assert small.startswith("pool 'pool-2' draws 5 of its 6 questions: two attempts share 83% of them")
    assert "at least 10 questions" in small
    assert run("bank-too-small", view([], bank=bank([(5, 10), (1, 3)]))) == []  # twice the draw or more
    one_attempt = run("bank-too-small", view([], bank=bank([(5, 3), (5, 6)], attempts=1)))
    assert len(one_attempt) == 1 and "draws 5 questions but has 3" in one_attempt[0]
    assert run("bank-too-small", view([], scored=False, bank=bank([(5, 6)]))) == []  # a self-check
    assert run("bank-too-small", view([], bank=bank([(10, 10)], declared=False))) == []  # attempts-overlap's case
    assert run("bank-too-small", view([])) == []  # no bank information: nothing to judge


def test_attempts_that_would_be_nearly_identical() -> None:
    [same] = run("attempts-overlap", view([], bank=bank([(10, 10)])))
    assert same.startswith("every attempt shows the same 10 questions")
    [close] = run("attempts-overlap", view([], bank=bank([(4, 5), (6, 8)])))
    assert close.startswith("two attempts share on average 7.7 of their 10 questions (77%)")
    assert run("attempts-overlap", view([], bank=bank([(5, 10), (2, 6)]))) == []
    assert run("attempts-overlap", view([], bank=bank([(10, 10)], attempts=1))) == []  # no retake
    assert run("attempts-overlap", view([], scored=False, bank=bank([(10, 10)]))) == []  # a self-check


@pytest.mark.parametrize(("draw", "size", "flagged"), [
    (2, 4, False), (3, 5, True),  # a small bank: half is fine, 3 of 5 is not
    (20, 40, False), (21, 40, True),  # a large one: the same share, not the same count
    (1, 1, True),  # a pool of one is the same question in every attempt
])
def test_bank_thresholds_are_shares_so_they_follow_the_size(draw: int, size: int, flagged: bool) -> None:
    assessment = view([], bank=bank([(draw, size)]))
    assert bool(run("bank-too-small", assessment)) is flagged
    assert bool(run("attempts-overlap", assessment)) is flagged


def test_pools_of_unscored_questions_repeat_nothing_that_counts() -> None:
    survey = PoolView("survey", 2, tuple(
        replace(single(f"s{n}", 0, 20, 20), type="likert", scored=False) for n in range(2)), HERE)
    scored = bank([(3, 8)])
    with_survey = BankView((*scored.pools, survey), None)
    assert run("bank-too-small", view([], bank=with_survey)) == []
    assert run("attempts-overlap", view([], bank=with_survey)) == []
    mixed = PoolView("mixed", 2, (*survey.items, single("m", 0, 20, 20)), HERE)  # one scored: judged
    assert run("bank-too-small", view([], bank=BankView((*scored.pools, mixed), None)))


def test_a_flat_list_is_told_to_become_a_bank() -> None:
    [flat] = run("attempts-overlap", view([], bank=bank([(6, 6)], declared=False)))
    assert "every attempt shows the same 6 questions" in flat and "make it a bank (pools:" in flat


# --------------------------------------------------------------------------- problems


def test_warnings_print_like_compiler_warnings_and_errors_keep_their_form() -> None:
    assert str(Problem("a.yaml", 3, "bad key")) == "a.yaml:3: bad key"
    assert str(Problem("a.yaml", None, "bad file")) == "a.yaml: bad file"
    warning = Problem("a.yaml", 7, "option d is 'all of the above'", "warning", "all-of-the-above")
    assert str(warning) == "a.yaml:7: warning: option d is 'all of the above' [all-of-the-above]"
