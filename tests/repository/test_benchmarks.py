"""The benchmark's arithmetic: unique bytes are the union of the byte ranges read, per file."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from full_read_ottawa import ASSET_HOST, read_log


def test_unique_bytes_count_each_byte_of_a_file_once(tmp_path):
    entries = [
        {"host": ASSET_HOST, "path": "/a.tif", "range": "bytes=0-16383", "bytes": 16384},
        {"host": ASSET_HOST, "path": "/a.tif", "range": "bytes=8192-24575", "bytes": 16384},  # half again
        {"host": ASSET_HOST, "path": "/b.tif", "range": "bytes=0-16383", "bytes": 16384},  # another file
        {"host": ASSET_HOST, "path": "/a.tif", "range": "bytes=0-16383", "bytes": 8192},  # an answer cut short
        {"host": "datacube.services.geo.ca", "path": "/stac/api/search", "range": None, "bytes": 5000},
    ]
    log = tmp_path / "requests.jsonl"
    log.write_text("\n".join(json.dumps(entry) for entry in entries) + "\n")
    result = read_log(log)
    assert result["requests"] == 5 and result["bytes"] == 16384 * 3 + 8192 + 5000
    assert result["bucket_bytes"] == 16384 * 3 + 8192
    assert result["unique_bytes"] == 24576 + 16384


def test_growth_boxes_keep_the_centre_and_multiply_the_area():
    from run_notebooks import AOI_03, GROWTH, REGION_08, ground_km2, growth_box

    one = ground_km2(AOI_03)
    for factor in GROWTH:
        bounds = growth_box(factor)
        assert abs(ground_km2(bounds) / one - factor) < 0.01 * factor
        assert abs((bounds[0] + bounds[2]) - (REGION_08[0] + REGION_08[2])) < 1e-9
        assert REGION_08[0] <= bounds[0] and bounds[2] <= REGION_08[2] + 1e-9


def test_growth_runs_the_scaling_recipe_without_its_closing_example():
    import ast

    from run_notebooks import SCALING, recipe_alone

    tree = ast.parse(recipe_alone(SCALING))
    assert "region_statistics" in {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert not isinstance(tree.body[-1], ast.Expr)
