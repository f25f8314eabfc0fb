"""The fast JSON paths keep every value xAPI allows, including integers beyond 64 bits."""

from __future__ import annotations

import io
import json

from lrs.analytics.export import write_jsonl
from lrs.stores.base import EXACT_MARK, dump_statement, load_statement

BIG = {"id": "x", "result": {"extensions": {"https://example.org/n": 2**70, "https://example.org/s": "ñ"}}}


def test_load_statement_decodes_what_orjson_refuses() -> None:
    text = json.dumps(BIG)
    assert load_statement(text) == BIG
    assert load_statement(text.encode()) == BIG
    assert load_statement('{"a": 1.5, "b": [true, null]}') == {"a": 1.5, "b": [True, None]}


def test_jsonl_export_writes_big_integers_and_unicode_verbatim() -> None:
    out = io.StringIO()
    assert write_jsonl([(BIG, ""), ({"id": "y"}, "")], out, None) == 2
    lines = out.getvalue().splitlines()
    assert [json.loads(line) for line in lines] == [BIG, {"id": "y"}]
    assert "ñ" in lines[0] and str(2**70) in lines[0]


def test_bodies_written_by_orjson_are_marked_and_the_others_searched() -> None:
    """The mark lets reads skip the search for long digit runs; a body without it (integers past
    64 bits, or written before the mark existed) is searched, so nothing becomes a float."""
    plain = {"id": "p", "result": {"score": {"raw": 2**64 - 1, "scaled": 0.5}}}
    assert dump_statement(plain).startswith(EXACT_MARK)
    assert load_statement(dump_statement(plain)) == plain
    assert not dump_statement(BIG).startswith(EXACT_MARK)
    assert load_statement(dump_statement(BIG)) == BIG
    older = json.dumps(BIG, separators=(",", ":"))  # as stored before the mark: no leading space
    decoded = load_statement(older.encode())
    assert decoded == BIG and type(decoded["result"]["extensions"]["https://example.org/n"]) is int
