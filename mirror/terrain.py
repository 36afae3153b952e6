"""Synthetic but plausible terrain, as a function of EPSG:3979 coordinates.

Everything is defined on global lattices, so a window computed on its own
matches its neighbours exactly: tiles 8_2 and 9_2 meet without a seam, and the
1 m and 2 m mosaics agree. East of the grid's central meridian (x > 0, Ottawa):
a river valley near 44 m, a rolling plain south of it, hills rising to about
220 m north of it, forest canopy and a town of block buildings. West of it
(Metro Vancouver): a city on ground rising from 5 m to about 110 m, with parks,
and benches rising east of Pitt Meadows; it changes between LiDAR surveys
(``epoch``). North of y = 2,000 km (Ulukhaktok): tundra on a coast, with lakes,
the sea and stereo-matching voids as nodata. It is not Canada's real relief.
"""

import numpy as np

NODATA = -32767.0
LATTICE_M = 8.0  # smooth fields are computed on this global lattice, then interpolated
QUANTUM_M = 1 / 64  # heights are multiples of this: exact in float32 and compressible
RIVER_LEVEL_M = 44.0
RIVER_Y_M = -168_500.0
DOWNTOWN = (1_509_000.0, -171_500.0)
# What changed on the ground between surveys (Metro Vancouver, synthetic): (x, y, half-width, year it
# appears, change of the DTM, change of the DSM), in metres. A survey of ``epoch`` shows every change of
# a year up to its own. Each change lies inside a build block (build.BLOCKS) where two surveys have data.
CHANGES = [
    # CITY, between the City of Vancouver's 2013 survey and BC Lower Mainland 2016, 650 to 700 m from
    # City Hall (-1978389, 473528):
    (-1_978_000.0, 473_000.0, 30.0, 2014, 0.0, 20.0),  # a building
    (-1_978_900.0, 474_000.0, 40.0, 2015, 3.0, 3.0),  # a filled lot
    # MAPLE, between BC Lower Mainland 2016 and FHIMP 2023 (no other survey has data there), about 600 m
    # from the Maple Ridge point (-1946503, 453453):
    (-1_946_100.0, 453_900.0, 25.0, 2018, 0.0, 28.0),  # a tower
    (-1_946_950.0, 453_000.0, 90.0, 2021, -6.0, -6.0),  # an excavation
]
# North of this (EPSG:3979 y), the Arctic landscape: tundra around Ulukhaktok, whose coast runs
# south-west of this point.
ARCTIC_Y_M = 2_000_000.0
ARCTIC_COAST = (-803_500.0, 2_509_500.0)
# Gaps in coverage (centre x, centre y, radius), all outside the Ottawa AOI.
COVERAGE_HOLES = [(1_522_528.0, -187_392.0, 800.0), (1_497_700.0, -184_000.0, 500.0)]


def surface_models(
    xs: np.ndarray, ys: np.ndarray, epoch: int | None = None, lattice_m: float = LATTICE_M
) -> tuple[np.ndarray, np.ndarray]:
    """DTM and DSM (float32, metres, nodata -32767) at pixel centres ``xs`` (columns) and ``ys`` (rows),
    as surveyed in year ``epoch`` (None: as today). A coarser ``lattice_m`` is cheaper and smoother:
    for overviews and 30 m pixels."""
    fields = _landscape(xs, ys)
    ground, canopy, town = _smooth_fields(xs, ys, fields, lattice_m)
    above = np.where(town > 0.5, _buildings(xs, ys), canopy)
    dtm_change, dsm_change = _changes(xs, ys, epoch)
    hole = _holes(xs, ys) | ~np.isfinite(ground)
    bias = _survey_bias(epoch) if fields is _coast_fields else 0.0  # Ottawa's mosaic tiles meet without a step
    return _finish(ground + dtm_change + bias, hole), _finish(ground + above + dsm_change + bias, hole)


def _landscape(xs, ys):
    if ys.mean() > ARCTIC_Y_M:
        return _arctic_fields
    return _coast_fields if xs.mean() < 0 else _ottawa_fields


def _changes(xs, ys, epoch):
    dtm = np.zeros((ys.size, xs.size), dtype=np.float32)
    dsm = np.zeros_like(dtm)
    for cx, cy, half, year, dtm_delta, dsm_delta in CHANGES:
        if epoch is not None and epoch < year:
            continue
        inside = (np.abs(ys - cy) < half)[:, None] & (np.abs(xs - cx) < half)[None, :]
        dtm[inside] += dtm_delta
        dsm[inside] += dsm_delta
    return dtm, dsm


def _survey_bias(epoch):
    """Each survey sits a few centimetres off the others, as real ones do."""
    return 0.0 if epoch is None else float(np.round((_hash01(np.array([epoch]), 0, 11)[0] - 0.5) * 0.08, 3))


def _finish(values, hole):
    values = np.round(values * np.float32(1 / QUANTUM_M)) * np.float32(QUANTUM_M)
    values[hole] = NODATA
    return values.astype(np.float32, copy=False)


def _smooth_fields(xs, ys, fields, lattice_m=LATTICE_M):
    """Ground, canopy height and town mask on a global lattice, interpolated to the pixel centres."""
    lx = np.arange(np.floor(xs.min() / lattice_m) - 1, np.ceil(xs.max() / lattice_m) + 2) * lattice_m
    ly = np.arange(np.floor(ys.min() / lattice_m) - 1, np.ceil(ys.max() / lattice_m) + 2) * lattice_m
    X, Y = np.meshgrid(lx, ly)
    return tuple(_bilinear(field, lx, ly, xs, ys, lattice_m) for field in fields(X, Y))


def _ottawa_fields(X, Y):
    river_y = RIVER_Y_M + 1500 * np.sin(X / 4000) + 600 * np.sin(X / 1700 + 1)
    north = Y - river_y
    away = np.abs(north)
    relief = _fbm(X, Y, [6400, 3200, 1600, 800, 400, 200, 100, 50, 25], seed=1)
    plain = 62 + 28 * (1 - np.exp(-away / 2500)) + 14 * relief
    hills = 62 + 140 * _smoothstep(north, 300, 5000) * (0.8 + 0.4 * relief) + 20 * relief
    land = np.where(north > 0, hills, plain)
    ground = RIVER_LEVEL_M + (land - RIVER_LEVEL_M) * _smoothstep(away, 380, 700)
    forest = _fbm(X, Y, [1600, 800, 400], seed=2) + 0.25 * _smoothstep(north, 0, 3000)
    trees = np.clip(14 + 6 * _fbm(X, Y, [200, 50], seed=3) + 4 * _fbm(X, Y, [16], seed=4), 2, 32)
    canopy = np.where(forest > 0.15, trees, 0.0) * _smoothstep(away, 400, 420)
    distance_town = np.hypot(X - DOWNTOWN[0], Y - DOWNTOWN[1])
    town = (distance_town < 3800 + 600 * _fbm(X, Y, [1600], seed=5)) & (north < -450)
    return ground, canopy, town.astype(float)


def _coast_fields(X, Y):
    relief = _fbm(X, Y, [3200, 1600, 800, 400, 200, 100, 50, 25], seed=21)
    ground = 5 + 95 * _smoothstep(Y, 468_000, 476_000) * (0.8 + 0.4 * relief) + 12 * relief
    ground = ground + 30 * _smoothstep(X, -1_965_000, -1_945_000)  # the Fraser valley's benches, east of Pitt Meadows
    park = _fbm(X, Y, [1600, 800, 400], seed=22) > 0.35
    trees = np.clip(18 + 8 * _fbm(X, Y, [200, 50], seed=23) + 5 * _fbm(X, Y, [16], seed=24), 3, 45)
    canopy = np.where(park, trees, 0.0)
    return ground, canopy, (~park).astype(float)


def _arctic_fields(X, Y):
    """Tundra on a coast (the sea is NaN: no data, as ArcticDEM masks water), lakes as flat water,
    low ridges inland, no trees, no town."""
    relief = _fbm(X, Y, [6400, 3200, 1600, 800, 400, 200, 100, 50], seed=31)
    inland = (X - ARCTIC_COAST[0]) * 0.6 + (Y - ARCTIC_COAST[1]) * 0.8 + 900 * _fbm(X, Y, [3200, 1600, 800], seed=32)
    ground = 2 + 150 * _smoothstep(inland, 0, 9000) * (0.7 + 0.5 * relief) + 6 * relief
    lakes = (_fbm(X, Y, [1600, 800, 400], seed=33) > 0.42) & (inland > 800)
    ground = np.where(lakes, np.floor(ground / 5) * 5, ground)
    void = _fbm(X, Y, [1200, 600], seed=34) > 0.55  # cloud and shadow gaps in the stereo imagery
    ground = np.where((inland < 0) | void, np.nan, ground)
    return ground, np.zeros_like(X), np.zeros_like(X)


def _buildings(xs, ys, block=60.0, margin=12.0):
    """Flat-roofed buildings, one per 60 m block where a hash says so, heights 6 to 45 m."""
    bx = np.floor(xs / block).astype(np.int64)
    by = np.floor(ys / block).astype(np.int64)
    inside_x = (xs - bx * block > margin) & (xs - bx * block < block - margin)
    inside_y = (ys - by * block > margin) & (ys - by * block < block - margin)
    ux, ix = np.unique(bx, return_inverse=True)
    uy, iy = np.unique(by, return_inverse=True)
    chance = _hash01(uy[:, None], ux[None, :], seed=7)
    height = 6 + 39 * _hash01(uy[:, None], ux[None, :], seed=8) ** 3
    built = np.where(chance < 0.7, height, 0.0)
    return built[iy[:, None], ix[None, :]] * (inside_y[:, None] & inside_x[None, :])


def _holes(xs, ys):
    hole = np.zeros((ys.size, xs.size), dtype=bool)
    for cx, cy, radius in COVERAGE_HOLES:
        near_x = np.abs(xs - cx) < radius
        near_y = np.abs(ys - cy) < radius
        if near_x.any() and near_y.any():
            dx = (xs[near_x] - cx) ** 2
            dy = (ys[near_y] - cy) ** 2
            rows, cols = np.nonzero(near_y)[0], np.nonzero(near_x)[0]
            hole[np.ix_(rows, cols)] |= (dy[:, None] + dx[None, :]) < radius**2
    return hole


def _fbm(X, Y, spacings, seed):
    """Value noise summed over octaves (lattice spacings in metres), about -1..1."""
    total = np.zeros_like(X)
    weight_sum = 0.0
    for octave, spacing in enumerate(spacings):
        weight = (spacing / spacings[0]) ** 0.8
        total += weight * _value_noise(X, Y, spacing, seed * 101 + octave)
        weight_sum += weight
    return total / weight_sum


def _value_noise(X, Y, spacing, seed):
    """Value noise on a meshgrid (X varies along rows, Y down columns): the lattice values are
    hashed once per lattice node on the two axes, then gathered."""
    gx, gy = X[0] / spacing, Y[:, 0] / spacing
    ix, iy = np.floor(gx).astype(np.int64), np.floor(gy).astype(np.int64)
    fx, fy = _fade(gx - ix)[None, :], _fade(gy - iy)[:, None]
    nodes_x = np.arange(ix.min(), ix.max() + 2)
    nodes_y = np.arange(iy.min(), iy.max() + 2)
    values = _hash01(nodes_y[:, None], nodes_x[None, :], seed)
    cx, cy = ix - nodes_x[0], iy - nodes_y[0]
    rows0, rows1 = values[cy], values[cy + 1]
    v00, v01 = rows0[:, cx], rows0[:, cx + 1]
    v10, v11 = rows1[:, cx], rows1[:, cx + 1]
    top = v00 + (v01 - v00) * fx
    bottom = v10 + (v11 - v10) * fx
    return 2 * (top + (bottom - top) * fy) - 1


def _hash01(i, j, seed):
    """A deterministic uniform value in [0, 1) for each integer lattice point."""
    h = (
        np.asarray(i, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        ^ np.asarray(j, dtype=np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
        ^ np.uint64((seed * 0x165667B19E3779F9) % (1 << 64))
    )
    h ^= h >> np.uint64(31)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(29)
    return (h >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def _fade(t):
    return t * t * (3 - 2 * t)


def _smoothstep(v, low, high):
    return _fade(np.clip((v - low) / (high - low), 0, 1))


def _bilinear(field, lx, ly, xs, ys, lattice_m=LATTICE_M):
    """Separable bilinear interpolation from the lattice (lx, ly) to pixel centres (xs, ys)."""
    cx = (xs - lx[0]) / lattice_m
    cy = (ys - ly[0]) / lattice_m
    i0, j0 = np.floor(cx).astype(int), np.floor(cy).astype(int)
    wx, wy = (cx - i0).astype(np.float32), (cy - j0).astype(np.float32)
    field = field.astype(np.float32)
    along_x = field[:, i0] * (1 - wx) + field[:, i0 + 1] * wx
    return along_x[j0] * (1 - wy)[:, None] + along_x[j0 + 1] * wy[:, None]
