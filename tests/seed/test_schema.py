"""The Table Schemas: what each column allows, and rewriting the packages' copies."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from service.seed import TABLES, read_package, write_schemas
from service.seed.schema import CHECK_ROLES, IN_FOI_ANSWER
from service.taxonomy import CODES
from tests.conftest import SEED_DIR


def field(table: str, name: str) -> dict[str, Any]:
    [spec] = [f for f in TABLES[table]["fields"] if f["name"] == name]
    return dict(spec)


def test_constraints_are_listed_only_when_a_column_has_them() -> None:
    assert field("cases", "in_foi_answer")["constraints"] == {
        "required": True,
        "enum": list(IN_FOI_ANSWER),
    }
    assert field("figures", "year") == {
        "name": "year",
        "type": "integer",
        "description": "Calendar year the count refers to; empty means the whole period.",
        "constraints": {"minimum": 1990},
    }
    assert "constraints" not in field("figures", "note")
    assert field("check_terms", "role")["constraints"] == {
        "required": True,
        "enum": list(CHECK_ROLES),
    }


def test_dimension_columns_take_the_taxonomy_codes() -> None:
    for dimension in ("staff_type", "outcome", "platform", "allegation", "rank"):
        assert field("figures", dimension)["constraints"] == {"enum": list(CODES[dimension])}


def test_reading_columns_say_whose_reading_they_hold() -> None:
    assert (
        field("figures", "min")["description"] == "Lowest count consistent with as published here."
    )
    assert field("figure_reports", "max")["description"] == (
        "Highest count consistent with this source gave; empty means no ceiling."
    )


def test_write_schemas_rewrites_only_stale_descriptors(
    package_copy: Callable[..., Path],
) -> None:
    stale, current = package_copy(name="stale"), package_copy(SEED_DIR / "met-2014")
    path = stale / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["resources"][0]["schema"] = {"fields": []}
    descriptor["resources"].append({"name": "extra", "path": "extra.csv", "schema": {}})
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    before = (current / "datapackage.json").read_bytes()

    assert write_schemas([stale, current]) == [path]
    rewritten = json.loads(path.read_text(encoding="utf-8"))
    assert rewritten["resources"][0]["schema"] == TABLES["figures"]
    assert rewritten["resources"][-1] == {"name": "extra", "path": "extra.csv", "schema": {}}
    assert (current / "datapackage.json").read_bytes() == before
    assert write_schemas([stale]) == []


def test_a_rewritten_package_reads_again(package_copy: Callable[..., Path]) -> None:
    copy = package_copy()
    path = copy / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["resources"][2]["schema"]["fields"][0]["description"] = "Old words."
    path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert write_schemas([copy]) == [path]
    assert read_package(copy).disclosure.id == "met-2013"
