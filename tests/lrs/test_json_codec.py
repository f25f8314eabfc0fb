"""The fast JSON paths keep every value xAPI allows, including integers beyond 64 bits."""

from __future__ import annotations

import io
import json

from lrs.analytics.export import write_jsonl
from lrs.stores.base import load_statement

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
