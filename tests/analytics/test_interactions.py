"""Item analysis of every cmi.interaction type, on statements written by hand after the xAPI
spec (1.0.3 Data 2.4.4.1.1 and Appendix C): response syntax ``[,]`` ``[.]`` ``[:]``, the
characterstring parameters ``{case_matters=..}`` ``{order_matters=..}`` ``{lang=..}``, and
correct-response patterns that are absent (a survey) or list alternatives."""

from __future__ import annotations

import pytest

from lrs.analytics.interactions import REGISTRY, interaction_for
from lrs.analytics.interactions import patterns as syntax
from lrs.analytics.report import Aggregator

V = "http://adlnet.gov/expapi/verbs/"
T = "http://adlnet.gov/expapi/activities/"
COURSE = "http://authoring.example/courses/safety"
QUIZ = f"{COURSE}/final"


def course_started(who: str) -> dict:
    return {"actor": {"mbox": f"mailto:{who}@example.org", "name": who.title()}, "verb": {"id": V + "initialized"},
            "object": {"id": COURSE, "definition": {"type": T + "course", "name": {"en-US": "Safety"}}},
            "timestamp": "2026-05-01T09:00:00Z"}


def answer(who: str, question: str, definition: dict, response: str, success: bool | None = None,
           minute: int = 1) -> dict:
    result: dict = {"response": response}
    if success is not None:
        result["success"] = success
    return {"actor": {"mbox": f"mailto:{who}@example.org", "name": who.title()}, "verb": {"id": V + "answered"},
            "object": {"id": f"{COURSE}/q/{question}",
                       "definition": {"type": T + "cmi.interaction", **definition}},
            "context": {"contextActivities": {"parent": [{"id": QUIZ}], "grouping": [{"id": COURSE}]}},
            "result": result, "timestamp": f"2026-05-01T09:{minute:02d}:00Z"}


def analyse(definition: dict, responses: list[tuple[str, str, bool | None]], **report: object) -> dict:
    """The item row of one question answered by (learner, response, success) first answers."""
    statements = [course_started(who) for who, _, _ in responses]
    statements += [answer(who, "q", definition, response, success) for who, response, success in responses]
    # A later answer never counts: item analysis reads first answers only.
    statements += [answer(who, "q", definition, "zzz", False, minute=30) for who, _, _ in responses]
    (course,) = Aggregator().add_all(statements).report(**report)["courses"]
    (item,) = course["items"]
    return item


def test_the_registry_knows_every_type_of_the_spec() -> None:
    assert set(REGISTRY) == {"true-false", "choice", "fill-in", "long-fill-in", "matching", "performance",
                             "sequencing", "likert", "numeric", "other"}
    assert interaction_for({"interactionType": "hotspot"}) is REGISTRY["other"]
    assert interaction_for({}) is REGISTRY["other"]


def test_patterns_read_the_spec_syntax() -> None:
    parsed = syntax.parse("{case_matters=true}{order_matters=false}{lang=es}Fiscalía[,]{lang=en}Police")
    assert parsed == syntax.Pattern(("Fiscalía", "Police"), case_matters=True, order_matters=False)
    assert syntax.parse("{order_matters=false}{case_matters=true}a") == syntax.Pattern(("a",), True, False)
    assert syntax.parse("{lang=en}To store and provide access to learning experiences.").items == (
        "To store and provide access to learning experiences.",)
    assert syntax.parse("{colour=red}x").items == ("{colour=red}x",), "unknown parameters are text"
    assert syntax.numeric_range("4[:]") == syntax.Range(4, None)
    assert syntax.numeric_range("[:]4") == syntax.Range(None, 4)
    assert syntax.numeric_range("3.5[:]5") == syntax.Range(3.5, 5)
    assert syntax.numeric_range("7") == syntax.Range(7, 7)
    assert syntax.numeric_range("x[:]4") is None and syntax.numeric_range("four") is None
    assert 976 in syntax.Range(4, None) and 3 not in syntax.Range(4, None)
    assert syntax.pairs("ben[.]3[,]chris[.]2") == (("ben", "3"), ("chris", "2"))
    assert syntax.number("4,5") == 4.5 and syntax.number("inf") is None


CHOICES = [{"id": c, "description": {"en-US": f"Option {c.upper()}", "es-MX": f"Opción {c.upper()}"}}
           for c in ("a", "b", "c", "d")]


def test_choice_single_and_multiple_with_the_key_marked() -> None:
    single = analyse({"interactionType": "choice", "correctResponsesPattern": ["b"], "choices": CHOICES},
                     [("ana", "b", True), ("bob", "a", False), ("eve", "b", True), ("joe", "d", False)], lang="es")
    options = single["analysis"]["options"]
    assert [(o["id"], o["text"], o["count"], o["key"]) for o in options] == [
        ("a", "Opción A", 1, False), ("b", "Opción B", 2, True), ("c", "Opción C", 0, False),
        ("d", "Opción D", 1, False)]
    assert single["difficulty"] == 0.5 and single["key"] == "Opción B" and not single["analysis"]["multiple"]
    multiple = analyse({"interactionType": "choice", "correctResponsesPattern": ["a[,]c", "c[,]a[,]d"],
                        "choices": CHOICES},
                       [("ana", "a[,]c", True), ("bob", "c[,]a", True), ("eve", "a", False),
                        ("joe", "a[,]b[,]c", False)])
    analysis = multiple["analysis"]
    assert analysis["multiple"]
    assert [o["id"] for o in analysis["options"] if o["key"]] == ["a", "c", "d"], "every choice of a key marked"
    assert {o["id"]: o["count"] for o in analysis["options"]} == {"a": 4, "b": 1, "c": 3, "d": 0}
    combos = {tuple(c["ids"]): (c["count"], c["key"]) for c in analysis["combinations"]}
    assert combos == {("a", "c"): (2, True), ("a",): (1, False), ("a", "b", "c"): (1, False)}
    assert multiple["key"] == "Option A; Option C | Option C; Option A; Option D"


def test_true_false() -> None:
    item = analyse({"interactionType": "true-false", "correctResponsesPattern": ["false"]},
                   [("ana", "false", True), ("bob", "true", False), ("eve", "false", True)], lang="es")
    assert [(o["id"], o["text"], o["count"], o["key"]) for o in item["analysis"]["options"]] == [
        ("true", "Verdadero", 1, False), ("false", "Falso", 2, True)]


def test_fill_in_frequencies_are_normalised_and_follow_case_matters() -> None:
    definition = {"interactionType": "fill-in", "correctResponsesPattern": ["Bob's your uncle"]}
    item = analyse(definition, [("ana", "Bob's your uncle", True), ("bob", "  bob's   YOUR uncle ", True),
                                ("eve", "{lang=en}Bob's your uncle", True), ("joe", "Bob is my uncle", False)])
    answers = {a["text"]: (a["count"], a["key"], a["spellings"]) for a in item["analysis"]["answers"]}
    assert answers == {"Bob's your uncle": (3, True, 2), "Bob is my uncle": (1, False, 1)}
    strict = analyse({"interactionType": "fill-in", "correctResponsesPattern": ["{case_matters=true}Bob"]},
                     [("ana", "Bob", True), ("bob", "bob", False), ("eve", "BOB", False)])
    assert {a["text"]: (a["count"], a["key"]) for a in strict["analysis"]["answers"]} == {
        "Bob": (1, True), "bob": (1, False), "BOB": (1, False)}
    unordered = analyse({"interactionType": "fill-in", "correctResponsesPattern": ["{order_matters=false}red[,]blue"]},
                        [("ana", "blue[,]red", True), ("bob", "Red[,]Blue", True), ("eve", "red[,]green", False)])
    rows = {a["text"]: (a["count"], a["key"]) for a in unordered["analysis"]["answers"]}
    assert rows == {"Red; Blue": (2, True), "red; green": (1, False)}, "ties: first spelling in code-point order"


def test_long_fill_in_lists_open_answers_identities_only_when_asked() -> None:
    definition = {"interactionType": "long-fill-in",
                  "correctResponsesPattern": ["{case_matters=false}{lang=en}To store and provide access to "
                                              "learning experiences."]}
    responses = [("ana", "{lang=en}It stores learning records.", None), ("bob", "", None),
                 ("eve", "Para guardar experiencias de aprendizaje.", None)]
    hidden = analyse(definition, responses)
    assert hidden["type"] == "long-fill-in" and hidden["difficulty"] is None
    assert [a["text"] for a in hidden["analysis"]["answers"]] == [
        "It stores learning records.", "", "Para guardar experiencias de aprendizaje."]
    assert all(set(a) == {"text", "when"} for a in hidden["analysis"]["answers"])
    assert hidden["analysis"]["empty"] == 1
    shown = analyse(definition, responses, show_learners=True)
    assert [(a["learner"], a["name"]) for a in shown["analysis"]["answers"]][0] == ("mbox:mailto:ana@example.org",
                                                                                     "Ana")


def test_numeric_distribution_and_key_ranges() -> None:
    item = analyse({"interactionType": "numeric", "correctResponsesPattern": ["4[:]"]},
                   [("a1", "5", True), ("a2", "976", True), ("a3", "3", False), ("a4", "4", True),
                    ("a5", "cuatro", False), ("a6", "4,5", True)])
    numeric = item["analysis"]
    assert (numeric["numbers"], numeric["unreadable"], numeric["in_key"]) == (5, 1, 4)
    assert (numeric["min"], numeric["max"], numeric["median"]) == (3, 976, 4.5)
    assert numeric["key_ranges"] == [{"min": 4, "max": None, "text": "≥ 4"}] and item["key"] == "≥ 4"
    assert [(b["label"], b["count"], b["key"]) for b in numeric["histogram"]] == [
        ("3", 1, False), ("4", 1, True), ("4.5", 1, True), ("5", 1, True), ("976", 1, True)]
    many = analyse({"interactionType": "numeric", "correctResponsesPattern": ["[:]10", "95[:]100"]},
                   [(f"l{i}", str(i * 7), None) for i in range(15)])
    bars = many["analysis"]["histogram"]
    assert len(bars) == 10 and sum(b["count"] for b in bars) == 15
    assert bars[0]["key"] and not bars[5]["key"] and many["key"] == "≤ 10 | 95–100"


def test_matching_pairs() -> None:
    definition = {"interactionType": "matching", "correctResponsesPattern": ["ben[.]3[,]chris[.]2"],
                  "source": [{"id": "ben", "description": {"en-US": "Ben"}},
                             {"id": "chris", "description": {"en-US": "Chris"}}],
                  "target": [{"id": "2", "description": {"en-US": "We got Runs"}},
                             {"id": "3", "description": {"en-US": "Duck"}}]}
    item = analyse(definition, [("ana", "ben[.]3[,]chris[.]2", True), ("bob", "ben[.]2[,]chris[.]3", False),
                                ("eve", "chris[.]2", False)])
    pairs = [(p["source_text"], p["target_text"], p["count"], p["key"]) for p in item["analysis"]["pairs"]]
    assert pairs == [("Ben", "We got Runs", 1, False), ("Ben", "Duck", 1, True), ("Chris", "We got Runs", 2, True),
                     ("Chris", "Duck", 1, False)]
    assert item["key"] == "Ben → Duck; Chris → We got Runs"


def test_sequencing_orders_and_positions() -> None:
    definition = {"interactionType": "sequencing", "correctResponsesPattern": ["tim[,]mike[,]ells"],
                  "choices": [{"id": i, "description": {"en-US": i.title()}} for i in ("tim", "ells", "mike")]}
    item = analyse(definition, [("ana", "tim[,]mike[,]ells", True), ("bob", "tim[,]mike[,]ells", True),
                                ("eve", "mike[,]tim[,]ells", False)])
    orders = item["analysis"]["orders"]
    assert [(o["text"], o["count"], o["key"]) for o in orders] == [("Tim → Mike → Ells", 2, True),
                                                                    ("Mike → Tim → Ells", 1, False)]
    positions = {p["id"]: p["counts"] for p in item["analysis"]["positions"]}
    assert positions == {"tim": [2, 1, 0], "ells": [0, 0, 3], "mike": [1, 2, 0]}


def test_likert_is_a_distribution_never_scored() -> None:
    scale = [{"id": f"likert_{i}", "description": {"en-US": text}}
             for i, text in enumerate(("It's OK", "It's Pretty Cool", "It's Damn Cool", "It's Gonna Change the World"))]
    item = analyse({"interactionType": "likert", "scale": scale},
                   [("ana", "likert_3", None), ("bob", "likert_1", None), ("eve", "likert_3", None),
                    ("joe", "likert_9", None)])
    likert = item["analysis"]
    assert [(p["position"], p["count"]) for p in likert["points"]] == [(1, 0), (2, 1), (3, 0), (4, 2)]
    assert likert["unknown"] == 1 and likert["median_position"] == 4
    assert likert["mean_position"] == pytest.approx(10 / 3)
    assert item["difficulty"] is None and item["discrimination"] is None and item["key"] is None
    assert item["flags"] == []


def test_performance_steps_with_the_specs_own_example() -> None:
    definition = {"interactionType": "performance", "correctResponsesPattern": ["pong[.]1:[,]dg[.]:10[,]lunch[.]"],
                  "steps": [{"id": "pong", "description": {"en-US": "Net pong matches won"}},
                            {"id": "dg", "description": {"en-US": "Strokes over par in disc golf at Liberty"}},
                            {"id": "lunch", "description": {"en-US": "Lunch having been eaten"}}]}
    item = analyse(definition, [("ana", "pong[.]3[,]dg[.]8[,]lunch[.]", True),
                                ("bob", "pong[.]0[,]dg[.]12[,]lunch[.]{lang=en}yes", False)])
    steps = {s["id"]: [(a["text"], a["count"], a["key"]) for a in s["answers"]] for s in item["analysis"]["steps"]}
    assert steps == {"pong": [("0", 1, False), ("3", 1, True)], "dg": [("12", 1, False), ("8", 1, True)],
                     "lunch": [("–", 1, True), ("yes", 1, False)]}


def test_other_and_unknown_types_count_responses_as_sent() -> None:
    item = analyse({"interactionType": "other", "correctResponsesPattern": ["(35.937432,-86.868896)"]},
                   [("ana", "(35.937432,-86.868896)", True), ("bob", "(36.1,-86.7)", False),
                    ("eve", " (35.937432,-86.868896) ", True)])
    assert {a["text"]: (a["count"], a["key"]) for a in item["analysis"]["answers"]} == {
        "(35.937432,-86.868896)": (2, True), "(36.1,-86.7)": (1, False)}
    hotspot = analyse({"interactionType": "hotspot"}, [("ana", "x=3", None)])
    assert hotspot["type"] == "other" and hotspot["analysis"]["answers"][0]["text"] == "x=3"


def test_an_empty_pattern_means_no_answer_is_right() -> None:
    item = analyse({"interactionType": "choice", "correctResponsesPattern": [], "choices": CHOICES},
                   [("ana", "a", False), ("bob", "b", False)])
    assert item["key"] == "" and not any(o["key"] for o in item["analysis"]["options"])
