"""The schemas the builder ships are the project's reference schemas, byte for byte."""

from __future__ import annotations

from pathlib import Path

from spotlight_pack.formats.common import SCHEMA_DIR


def test_shipped_schemas_match_the_reference_set(shared_schemas: Path) -> None:
    shipped = {p.relative_to(SCHEMA_DIR).as_posix(): p for p in SCHEMA_DIR.rglob("*.xsd")}
    shipped |= {p.relative_to(SCHEMA_DIR).as_posix(): p for p in SCHEMA_DIR.rglob("*.dtd")}
    reference = {p.relative_to(shared_schemas).as_posix(): p for p in shared_schemas.rglob("*") if p.is_file()}
    reference = {name: path for name, path in reference.items() if name.endswith((".xsd", ".dtd"))}
    assert sorted(shipped) == sorted(reference)
    for name, path in shipped.items():
        assert path.read_bytes() == reference[name].read_bytes(), name
