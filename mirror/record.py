"""python -m mirror record: refresh the catalog snapshot from the live API.

Where there is internet, this brings the mirror back in line with the live API in one
command: it fetches the collection listing (every collection, in listing order), the
elevation collections the tutorials use (those with an items/<collection>.json file) and,
by id, every item now in the snapshot, then rewrites the snapshot (mirror/catalog/, or
--out DIR) in the same layout, with PROVENANCE.json saying what was recorded and when.
Review the diff before committing it: the generated assets follow the items' grids.

Stored as the API answers, except:
- links are dropped; the mirror's server writes its own (under /pgstac/api/, as live);
- item keys are written in PostgreSQL jsonb order (by length, then bytewise), which is
  the order the live pgstac API answers in, so a recording through the mirror (whose
  server orders keys its own way) gives the same files.
If an item the tutorials use is gone from the API, nothing is written (unless
--drop-missing): the tutorials and their prose need a look first.

After a recording the snapshot is the live one: running mirror/make_catalog.py again
would put back the snapshot written from mirror/LIVE-API.md's facts.
"""

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from mirror import CATALOG_DIR, STAC_ROOT, snapshot
from mirror.live import LiveError, StacApi, fetch, through_mirror

PROVENANCE_ABOUT = ("What in this snapshot was recorded from the live API and what was not. "
                    "Written by `python -m mirror record`.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=CATALOG_DIR,
                        help="write the snapshot here (default: mirror/catalog, replacing it)")
    parser.add_argument("--catalog", type=Path, default=CATALOG_DIR,
                        help="the snapshot whose items to fetch again (default: mirror/catalog)")
    parser.add_argument("--drop-missing", action="store_true",
                        help="write the snapshot even if some of its items are gone from the API")


def main(args: argparse.Namespace) -> int:
    try:
        record(StacApi(STAC_ROOT), args.catalog, args.out, args.drop_missing)
    except (LiveError, MissingItems) as error:
        print(f"mirror record: {error}", file=sys.stderr)
        return 2 if isinstance(error, LiveError) else 1
    return 0


class MissingItems(RuntimeError):
    pass


def record(api: StacApi, catalog: Path, out: Path, drop_missing: bool = False) -> snapshot.Snapshot:
    wanted = snapshot.read(catalog).item_ids()
    recorded, missing = fetch(api, wanted, log=_say)
    if missing and not drop_missing:
        raise MissingItems("these items are gone from the API, so nothing was written (see "
                           f"--drop-missing): {_listing(missing)}")
    recorded = snapshot.Snapshot([without_links(c) for c in recorded.collections],
                                 {c: [jsonb_order(without_links(i)) for i in items]
                                  for c, items in recorded.items.items()})
    when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    snapshot.write(recorded, out, provenance(recorded, missing, api.root, when, through_mirror()))
    _say(f"mirror record: wrote {len(recorded.collections)} collections and "
         f"{sum(map(len, recorded.items.values()))} items to {out} ({api.requests} requests)")
    return recorded


def without_links(document: dict) -> dict:
    """Collections keep an empty `links` (as the snapshot has them); items have none."""
    if document.get("type") == "Collection":
        return {key: ([] if key == "links" else value) for key, value in document.items()}
    return {key: value for key, value in document.items() if key != "links"}


def jsonb_order(value):
    """Keys as PostgreSQL's jsonb keeps them: shorter first, then bytewise."""
    if isinstance(value, dict):
        return {key: jsonb_order(value[key]) for key in sorted(value, key=lambda k: (len(k.encode()), k.encode()))}
    if isinstance(value, list):
        return [jsonb_order(entry) for entry in value]
    return value


def provenance(recorded: snapshot.Snapshot, missing: dict, root: str, when: str, via_mirror: bool) -> dict:
    items = {collection: len(features) for collection, features in recorded.items.items()}
    what = (f"the collection listing ({len(recorded.collections)} collections, in listing order, every "
            f"field as listed); the elevation collections {', '.join(items)} as GET /collections/{{id}} "
            f"answers them; and {sum(items.values())} items ({', '.join(f'{c}: {n}' for c, n in items.items())}), "
            "every field as GET /collections/{collection}/items/{id} answers them")
    source = f"{root} on {when} by `python -m mirror record`"
    not_recorded = [
        "links: dropped when recording; the mirror's server writes its own, under /pgstac/api/ as live",
        "which other items exist live: the snapshot holds only the items the tutorials use "
        "(the ids of the snapshot that was there before the recording)",
    ]
    if missing:
        not_recorded.append(f"items dropped because the API no longer has them: {_listing(missing)}")
    result = {"about": PROVENANCE_ABOUT,
              "recorded": {"from": root, "at": when, "by": "python -m mirror record",
                           "through_offline_mirror": via_mirror,
                           "collections": len(recorded.collections), "items": items},
              "verified": [f"recorded from {source}: {what}"],
              "not_verified": not_recorded}
    if via_mirror:  # a rehearsal: the answers came from this very snapshot, not from Canada
        result["verified"] = []
        result["not_verified"].insert(0, f"everything: recorded from the offline mirror (MIRROR_RUNNING "
                                         f"was set), not the live API, at {source}: {what}")
    return result


def _listing(by_collection: dict[str, list[str]]) -> str:
    return "; ".join(f"{collection}: {', '.join(ids)}" for collection, ids in by_collection.items())


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
