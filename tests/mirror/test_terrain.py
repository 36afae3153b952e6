"""The synthetic terrain: deterministic, seamless across windows, plausible."""

import numpy as np

from mirror import terrain


def centres(left, top, width, height, res):
    return left + (np.arange(width) + 0.5) * res, top - (np.arange(height) + 0.5) * res


def test_windows_computed_apart_join_without_a_seam():
    xs, ys = centres(1_499_000, -170_000, 400, 300, 2)
    dtm, dsm = terrain.surface_models(xs, ys)
    left_dtm, left_dsm = terrain.surface_models(xs[:150], ys)
    lower_dtm, _ = terrain.surface_models(xs, ys[120:])
    np.testing.assert_array_equal(dtm[:, :150], left_dtm)
    np.testing.assert_array_equal(dsm[:, :150], left_dsm)
    np.testing.assert_array_equal(dtm[120:], lower_dtm)


def test_heights_are_plausible_and_the_surface_is_never_below_the_ground():
    xs, ys = centres(1_505_000, -166_000, 1000, 1000, 4)
    dtm, dsm = terrain.surface_models(xs, ys)
    valid = dtm != terrain.NODATA
    assert valid.all()
    assert 40 < dtm.min() and dtm.max() < 260
    assert (dsm >= dtm).all()
    above = dsm - dtm
    assert (above > 2).mean() > 0.1  # trees and buildings stand out
    assert dtm.dtype == np.float32


def test_coverage_holes_are_nodata_in_both_models():
    cx, cy, _ = terrain.COVERAGE_HOLES[0]
    xs, ys = centres(cx - 50, cy + 50, 50, 50, 2)
    dtm, dsm = terrain.surface_models(xs, ys)
    assert (dtm == terrain.NODATA).all() and (dsm == terrain.NODATA).all()


CITY_HALL_3979 = (-1_978_389, 473_528)


def test_each_change_is_seen_by_the_surveys_of_its_block_and_only_from_its_year():
    from mirror.build import BLOCKS

    blocks = {block.name: block.bounds for block in BLOCKS}
    # (block, survey before, survey after) for each change, in terrain.CHANGES order
    # (mirror/LIVE-API.md F-VAN-MAPLE-OVERLAP: at MAPLE only the 2016 and 2023 surveys have data).
    expected = [("city", 2013, 2016), ("city", 2013, 2016), ("maple", 2016, 2019), ("maple", 2019, 2023)]
    assert len(terrain.CHANGES) == len(expected)
    for (cx, cy, half, year, dtm_delta, dsm_delta), (name, before, after) in zip(terrain.CHANGES, expected):
        left, bottom, right, top = blocks[name]
        assert left + 100 < cx - half and cx + half < right - 100 and bottom + 100 < cy - half and cy + half < top - 100
        assert before < year <= after
        if name == "city":
            assert np.hypot(cx - CITY_HALL_3979[0], cy - CITY_HALL_3979[1]) >= 300
        xs, ys = centres(cx - half + 5, cy + half - 5, 10, 10, 1)
        old_dtm, old_dsm = terrain.surface_models(xs, ys, before)
        new_dtm, new_dsm = terrain.surface_models(xs, ys, after)
        bias = terrain._survey_bias(after) - terrain._survey_bias(before)
        np.testing.assert_allclose(new_dtm - old_dtm, dtm_delta + bias, atol=0.02)
        np.testing.assert_allclose(new_dsm - old_dsm, dsm_delta + bias, atol=0.02)
