"""The catalog snapshot is valid STAC (core schemas bundled with pystac, checked offline)."""

import json
from pathlib import Path

import pytest
from pystac.validation import validate_dict

CATALOG = Path(__file__).resolve().parents[2] / "mirror" / "catalog"
# pystac bundles the core schemas of STAC 1.1.0 only; the live items say 1.0.0, whose core
# rules for items and collections are the same. The projection fields are checked in test_mirror.
SCHEMA_VERSION = "1.1.0"


def items():
    for path in sorted((CATALOG / "items").glob("*.json")):
        yield from json.loads(path.read_text())["features"]


def as_validated(document):
    link = {"rel": "collection", "href": "https://datacube.services.geo.ca/pgstac/api/collections/x"}
    return dict(
        document,
        stac_version=SCHEMA_VERSION,
        stac_extensions=[],
        links=[link] if document.get("type") == "Feature" else [],
    )


def test_every_item_is_valid_stac():
    count = 0
    for item in items():
        validate_dict(as_validated(item), extensions=[])
        count += 1
    assert count > 100


def test_every_collection_is_valid_stac():
    paths = sorted((CATALOG / "collections").glob("*.json"))
    for path in paths:
        validate_dict(as_validated(json.loads(path.read_text())), extensions=[])
    assert len(paths) == 32


def test_an_item_without_datetime_is_refused():
    item = next(items())
    broken = dict(item, properties={k: v for k, v in item["properties"].items() if k != "datetime"})
    with pytest.raises(Exception, match="datetime"):
        validate_dict(as_validated(broken), extensions=[])
