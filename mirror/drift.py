"""python -m mirror drift: how the live API differs from the mirror's catalog snapshot.

Reads the live collection listing and, by id, every item of the snapshot, compares them
with the snapshot and prints a markdown report (--out FILE writes it there too).

Exit status 1 only for drift in what the tutorials rely on (BREAKS below), 2 if the API
could not be read, 0 otherwise. What the tutorials rely on:
- each elevation collection of the snapshot (those with items) is still listed;
- each item of the snapshot still exists, fetched by id;
- none of its asset keys is gone or renamed (the tutorials open assets by key: dtm, dsm, ...);
- none of its property keys is gone (datetime, proj:epsg, proj:transform, proj:shape, ...);
- its asset hrefs keep their pattern, e.g. {bucket}/{collection}/{id}-dtm.tif (the mirror
  serves files by it and the tutorials' prose shows it).
Reported but never failing (INFO): collections added, or removed among the others; a
different listing order of the elevation collections; asset or property keys added.
"""

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from mirror import ASSET_ROOT, CATALOG_DIR, STAC_ROOT, snapshot
from mirror.live import LiveError, StacApi, fetch, through_mirror

BREAKS, INFO = "BREAKS", "INFO"
SHOWN_IDS = 6  # item ids listed per finding before "and N more"


@dataclass(frozen=True)
class Finding:
    severity: str  # BREAKS or INFO
    section: str  # "collections" or a collection id
    text: str
    items: tuple[str, ...] = ()  # the items it was seen in, if any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, help="also write the markdown report to this file")
    parser.add_argument("--catalog", type=Path, default=CATALOG_DIR,
                        help="the snapshot to compare with (default: mirror/catalog)")


def main(args: argparse.Namespace) -> int:
    api = StacApi(STAC_ROOT)
    try:
        reference = snapshot.read(args.catalog)
        live, missing = fetch(api, reference.item_ids(), log=_say)
    except LiveError as error:
        text = f"# Drift report\n\nThe API could not be read, so nothing was compared: {error}\n"
        _emit(text, args.out)
        return 2
    findings = compare(live, reference, missing)
    _emit(report(findings, reference, api.root, args.catalog), args.out)
    return 1 if any(f.severity == BREAKS for f in findings) else 0


def compare(live: snapshot.Snapshot, mirror: snapshot.Snapshot,
            missing: dict[str, list[str]] | None = None) -> list[Finding]:
    findings = compare_collections(live.collection_ids(), mirror.collection_ids(), set(mirror.items))
    for collection_id, mirror_items in mirror.items.items():
        gone = (missing or {}).get(collection_id, [])
        if gone:
            findings.append(Finding(BREAKS, collection_id, "no longer found by id (404)", tuple(gone)))
        live_items = {item["id"]: item for item in live.items.get(collection_id, [])}
        per_finding = defaultdict(list)
        for item in mirror_items:
            if item["id"] in live_items:
                for severity, text in compare_item(collection_id, live_items[item["id"]], item):
                    per_finding[(severity, text)].append(item["id"])
        findings += [Finding(severity, collection_id, text, tuple(ids))
                     for (severity, text), ids in per_finding.items()]
    return findings


def compare_collections(live_ids: list[str], mirror_ids: list[str], used: set[str]) -> list[Finding]:
    findings = []
    for collection_id in mirror_ids:
        if collection_id not in live_ids:
            severity = BREAKS if collection_id in used else INFO
            findings.append(Finding(severity, "collections", f"`{collection_id}` is no longer listed"))
    added = [collection_id for collection_id in live_ids if collection_id not in mirror_ids]
    if added:
        findings.append(Finding(INFO, "collections", f"listed now and not in the snapshot: "
                                                     f"{', '.join(f'`{c}`' for c in added)}"))
    live_order = [c for c in live_ids if c in used]
    mirror_order = [c for c in mirror_ids if c in used and c in live_ids]
    if live_order != mirror_order:
        findings.append(Finding(INFO, "collections", "the elevation collections are listed in another order: "
                                                     f"{', '.join(live_order)} (snapshot: {', '.join(mirror_order)})"))
    return findings


def compare_item(collection_id: str, live: dict, mirror: dict) -> list[tuple[str, str]]:
    found = []
    live_assets, mirror_assets = live.get("assets", {}), mirror.get("assets", {})
    gone = [key for key in mirror_assets if key not in live_assets]
    new = [key for key in live_assets if key not in mirror_assets]
    for key in gone:
        renamed = [other for other in new if live_assets[other].get("href") == mirror_assets[key].get("href")]
        if renamed:
            found.append((BREAKS, f"asset `{key}` is now `{renamed[0]}` (same href)"))
            new.remove(renamed[0])
        else:
            found.append((BREAKS, f"asset `{key}` is gone"))
    found += [(INFO, f"new asset `{key}`") for key in new]
    live_properties, mirror_properties = live.get("properties", {}), mirror.get("properties", {})
    found += [(BREAKS, f"property `{key}` is gone") for key in mirror_properties if key not in live_properties]
    found += [(INFO, f"new property `{key}`") for key in live_properties if key not in mirror_properties]
    for key in mirror_assets.keys() & live_assets.keys():
        was = href_pattern(mirror_assets[key].get("href", ""), collection_id, mirror["id"])
        now = href_pattern(live_assets[key].get("href", ""), collection_id, live["id"])
        if was != now:
            found.append((BREAKS, f"asset `{key}` href pattern changed: `{was}` is now `{now}`"))
    return sorted(found)


def href_pattern(href: str, collection_id: str, item_id: str) -> str:
    """``{bucket}/{collection}/{id}-dtm.tif`` and the like: the href with its variable parts named."""
    candidates = ((f"{ASSET_ROOT}{collection_id}/{item_id}", "{bucket}/{collection}/{id}"),
                  (f"{ASSET_ROOT}{collection_id}/{collection_id}", "{bucket}/{collection}/{collection}"),
                  (f"{ASSET_ROOT}{collection_id}/", "{bucket}/{collection}/"),
                  (ASSET_ROOT, "{bucket}/"))
    # the longest that fits: item `mrdem` of mrdem-30 has hrefs mrdem-30/mrdem-30-dtm.tif
    for prefix, name in sorted(candidates, key=lambda candidate: -len(candidate[0])):
        if href.startswith(prefix):
            return name + href[len(prefix):]
    return href


def report(findings: list[Finding], mirror: snapshot.Snapshot, root: str, catalog: Path) -> str:
    breaking = [f for f in findings if f.severity == BREAKS]
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    source = f"{root} (answered by the offline mirror: MIRROR_RUNNING is set)" if through_mirror() else root
    lines = ["# Drift report: the live STAC API and the mirror's catalog", "",
             f"- API: {source}", f"- Snapshot: `{_shown(catalog)}`", f"- When: {when}", ""]
    if breaking:
        lines += [f"**{len(breaking)} change(s) the tutorials rely on (BREAKS)**: bring the mirror in line "
                  "(`python -m mirror record`, review, commit) and check the tutorials and their prose.", ""]
    else:
        lines += ["**No drift in what the tutorials rely on.**" + (" Other changes are listed below (INFO)."
                                                                      if findings else ""), ""]
    sections = ["collections", *mirror.items]
    counts = {collection: len(items) for collection, items in mirror.items.items()}
    for section in sections:
        title = "Collections" if section == "collections" else f"`{section}` ({counts[section]} items compared)"
        lines += [f"## {title}", ""]
        mine = [f for f in findings if f.section == section]
        lines += [_line(f) for f in sorted(mine, key=lambda f: (f.severity != BREAKS, f.text))] or ["- no drift"]
        lines.append("")
    lines += ["---", "BREAKS: the tutorials rely on it (a listed elevation collection, its items, their asset "
              "keys, property keys and href patterns). INFO: reported only. See `python -m mirror drift --help`.", ""]
    return "\n".join(lines)


def _line(finding: Finding) -> str:
    text = f"- **{finding.severity}** {finding.text}"
    if finding.items:
        shown = ", ".join(f"`{i}`" for i in finding.items[:SHOWN_IDS])
        more = len(finding.items) - SHOWN_IDS
        text += f" in {len(finding.items)} item(s): {shown}" + (f" and {more} more" if more > 0 else "")
    return text


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _emit(text: str, out: Path | None) -> None:
    print(text)
    if out:
        out.write_text(text, encoding="utf-8")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
