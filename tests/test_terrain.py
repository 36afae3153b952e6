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
    cx, cy, radius = terrain.COVERAGE_HOLES[0]
    xs, ys = centres(cx - 50, cy + 50, 50, 50, 2)
    dtm, dsm = terrain.surface_models(xs, ys)
    assert (dtm == terrain.NODATA).all() and (dsm == terrain.NODATA).all()
