"""`python -m mirror record` and `python -m mirror drift`, exercised offline.

Inside `python -m mirror run` the mirror answers at the live API's URL, so recording
from it must give back the snapshot it serves (a round trip), and the drift report
against it must find nothing; against a doctored copy of the snapshot it must find
exactly the doctoring. The comparison rules are also checked without the mirror.
"""

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mirror import CATALOG_DIR, snapshot
from mirror.drift import BREAKS, INFO, compare, href_pattern
from mirror.record import jsonb_order

ROOT = Path(__file__).resolve().parents[2]
CATALOG = snapshot.read(CATALOG_DIR)


def mirror_command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mirror", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def doctored_catalog(tmp_path: Path, change) -> Path:
    """A copy of mirror/catalog with ``change(items_by_collection)`` applied to its items."""
    copy_dir = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, copy_dir)
    items = {path.stem: json.loads(path.read_text()) for path in (copy_dir / "items").glob("*.json")}
    change(items)
    for name, document in items.items():
        snapshot.dump(copy_dir / "items" / f"{name}.json", document)
    return copy_dir


def feature(items: dict, collection: str, item_id: str) -> dict:
    return next(f for f in items[collection]["features"] if f["id"] == item_id)


def rename_asset(item: dict, old: str, new: str) -> None:
    item["assets"] = {new if key == old else key: value for key, value in item["assets"].items()}


# Against the mirror


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    out = tmp_path_factory.mktemp("recorded")
    result = mirror_command("record", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.mirror
def test_record_writes_the_same_layout(recorded):
    for folder in ("collections", "items"):
        assert sorted(p.name for p in (recorded / folder).glob("*.json")) == sorted(
            p.name for p in (CATALOG_DIR / folder).glob("*.json")
        )


@pytest.mark.mirror
def test_record_round_trip_gives_back_the_snapshot(recorded):
    again = snapshot.read(recorded)
    assert again.collection_ids() == CATALOG.collection_ids()  # listing order kept
    assert again.collections == CATALOG.collections
    assert again.item_ids() == CATALOG.item_ids()
    for collection, items in CATALOG.items.items():
        for before, after in zip(items, again.items[collection]):
            assert list(after["assets"]) == list(jsonb_order(before["assets"]))
            assert after["properties"] == before["properties"]
            assert after == before, f"{collection}/{before['id']} changed in the round trip"


@pytest.mark.mirror
def test_record_provenance_says_what_was_recorded_and_when(recorded):
    provenance = json.loads((recorded / "PROVENANCE.json").read_text())
    assert provenance["recorded"]["through_offline_mirror"] is True
    assert provenance["recorded"]["at"].endswith("Z")
    assert provenance["recorded"]["items"] == {c: len(i) for c, i in CATALOG.items.items()}
    # from the mirror, nothing is verified against the live API, and the file says so
    assert provenance["verified"] == []
    assert provenance["not_verified"][0].startswith("everything: recorded from the offline mirror")


@pytest.mark.mirror
def test_record_writes_nothing_when_an_item_is_gone(tmp_path):
    def add_ghost(items):
        ghost = copy.deepcopy(items["mrdem-30"]["features"][0])
        ghost["id"] = "mrdem-ghost"
        items["mrdem-30"]["features"].append(ghost)

    out = tmp_path / "out"
    result = mirror_command("record", "--catalog", str(doctored_catalog(tmp_path, add_ghost)), "--out", str(out))
    assert result.returncode == 1
    assert "mrdem-30: mrdem-ghost" in result.stderr
    assert not out.exists()


@pytest.mark.mirror
def test_drift_against_the_mirror_finds_nothing(tmp_path):
    out = tmp_path / "drift.md"
    result = mirror_command("drift", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    report = out.read_text()
    assert "**No drift in what the tutorials rely on.**" in report
    assert "BREAKS**" not in report and "INFO**" not in report
    assert report.count("- no drift") == 1 + len(CATALOG.items)


@pytest.mark.mirror
def test_drift_reports_exactly_a_renamed_asset_key(tmp_path):
    catalog = doctored_catalog(
        tmp_path, lambda items: rename_asset(feature(items, "hrdem-mosaic-2m", "9_2-mosaic-2m"), "dtm", "dtm-cog")
    )
    out = tmp_path / "drift.md"
    result = mirror_command("drift", "--catalog", str(catalog), "--out", str(out))
    assert result.returncode == 1, result.stdout + result.stderr
    findings = [line for line in out.read_text().splitlines() if line.startswith("- **")]
    assert findings == ["- **BREAKS** asset `dtm-cog` is now `dtm` (same href) in 1 item(s): `9_2-mosaic-2m`"]


# The comparison rules, without the mirror


def test_the_snapshot_compared_with_itself_has_no_drift():
    assert compare(CATALOG, CATALOG) == []


def test_a_missing_asset_key_breaks_and_a_new_one_is_only_reported():
    live = copy.deepcopy(CATALOG)
    tile = next(i for i in live.items["hrdem-mosaic-2m"] if i["id"] == "8_2-mosaic-2m")
    tile["assets"]["cog-index"] = {"href": "https://example.org/index.json"}
    del tile["assets"]["hillshade-dtm"]
    findings = {(f.severity, f.text, f.items) for f in compare(live, CATALOG)}
    assert findings == {
        (BREAKS, "asset `hillshade-dtm` is gone", ("8_2-mosaic-2m",)),
        (INFO, "new asset `cog-index`", ("8_2-mosaic-2m",)),
    }


def test_a_missing_property_breaks_and_findings_group_the_items():
    live = copy.deepcopy(CATALOG)
    for item in live.items["hrdem-lidar"]:
        del item["properties"]["proj:transform"]
    [finding] = compare(live, CATALOG)
    assert (finding.severity, finding.section, finding.text) == (
        BREAKS,
        "hrdem-lidar",
        "property `proj:transform` is gone",
    )
    assert len(finding.items) == len(CATALOG.items["hrdem-lidar"])


def test_a_changed_href_pattern_breaks():
    live = copy.deepcopy(CATALOG)
    asset = live.items["mrdem-30"][0]["assets"]["dtm"]
    asset["href"] = asset["href"].replace("mrdem-30-dtm.tif", "mrdem-30-dtm-v2.tif")
    [finding] = compare(live, CATALOG)
    assert finding.severity == BREAKS
    assert finding.text == (
        "asset `dtm` href pattern changed: `{bucket}/{collection}/{collection}-dtm.tif` "
        "is now `{bucket}/{collection}/{collection}-dtm-v2.tif`"
    )


def test_collections_gone_or_added():
    live = copy.deepcopy(CATALOG)
    live.collections = [c for c in live.collections if c["id"] not in ("cdem", "hrdem-lidar")]
    live.collections.append({"id": "hrdem-new", "type": "Collection"})
    findings = {(f.severity, f.text) for f in compare(live, CATALOG, missing={"hrdem-lidar": ["x"]})}
    assert (BREAKS, "`hrdem-lidar` is no longer listed") in findings
    assert (INFO, "`cdem` is no longer listed") in findings
    assert (INFO, "listed now and not in the snapshot: `hrdem-new`") in findings
    assert (BREAKS, "no longer found by id (404)") in findings


def test_href_patterns_name_the_variable_parts():
    root = "https://canelevation-dem.s3.ca-central-1.amazonaws.com/"
    assert (
        href_pattern(f"{root}hrdem-mosaic-2m/9_2-mosaic-2m-dtm.tif", "hrdem-mosaic-2m", "9_2-mosaic-2m")
        == "{bucket}/{collection}/{id}-dtm.tif"
    )
    assert (
        href_pattern("https://elsewhere.example/x.tif", "hrdem-mosaic-2m", "9_2-mosaic-2m")
        == "https://elsewhere.example/x.tif"
    )
