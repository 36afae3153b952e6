"""The catalog snapshot's file layout, read and written.

    <catalog>/collections/NN-<id>.json   every collection, NN = position in the live listing
    <catalog>/items/<collection>.json    a FeatureCollection of the items the tutorials use
    <catalog>/PROVENANCE.json            what was recorded from the live API, and what was not

mirror/make_catalog.py writes it from the facts recorded in mirror/LIVE-API.md; ``python -m mirror
record`` from the live API. The mirror serves whatever is there.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Snapshot:
    collections: list[dict]  # in the live API's listing order
    items: dict[str, list[dict]] = field(default_factory=dict)  # collection id -> its items

    def collection_ids(self) -> list[str]:
        return [collection["id"] for collection in self.collections]

    def item_ids(self) -> dict[str, list[str]]:
        return {collection: [item["id"] for item in items] for collection, items in self.items.items()}


def read(catalog: Path) -> Snapshot:
    collections = [_load(path) for path in sorted((catalog / "collections").glob("*.json"))]
    items = {path.stem: _load(path)["features"] for path in sorted((catalog / "items").glob("*.json"))}
    if not collections:
        raise FileNotFoundError(f"no collections in {catalog / 'collections'}: is this a catalog snapshot?")
    return Snapshot(collections, items)


def write(snapshot: Snapshot, catalog: Path, provenance: dict) -> None:
    """Replace the snapshot in ``catalog`` (its old collection and item files go)."""
    collections_dir, items_dir = catalog / "collections", catalog / "items"
    for folder in (collections_dir, items_dir):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.json"):
            old.unlink()
    for index, collection in enumerate(snapshot.collections):
        dump(collections_dir / f"{index:02d}-{collection['id']}.json", collection)
    for collection_id, features in snapshot.items.items():
        dump(items_dir / f"{collection_id}.json", {"type": "FeatureCollection", "features": features})
    dump(catalog / "PROVENANCE.json", provenance)


def dump(path: Path, document) -> None:
    """As make_catalog writes them: one-space indent, UTF-8, a final newline."""
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))
