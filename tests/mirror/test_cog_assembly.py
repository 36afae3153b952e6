"""The mirror's sparse COG writer on its own: levels written apart, assembled into one valid COG."""

import numpy as np
import rasterio
from rasterio.transform import from_origin
from rasterio.windows import Window
from rio_cogeo.cogeo import cog_validate

from mirror.pyramid import Pyramid

NODATA = -32767


def test_a_sparse_pyramid_assembles_into_a_valid_cog_that_reads_back(tmp_path):
    pyramid = Pyramid(tmp_path, "dem", 6000, 4000, from_origin(0, 0, 30, 30), "EPSG:3979", "float32", NODATA)
    assert pyramid.factors == [1, 2, 4, 8, 16]
    coarse = np.linspace(0, 400, 375 * 250, dtype="float32").reshape(250, 375)
    pyramid.paste_down(16, coarse, 0, 0)
    patch = np.arange(1024 * 1024, dtype="float32").reshape(1024, 1024) % 977
    patch[:10, :10] = NODATA
    pyramid.paste_down(1, patch, 1024, 2048, down_to=8)
    target = tmp_path / "dem.tif"
    pyramid.assemble(target)

    valid, errors, _ = cog_validate(str(target), quiet=True)
    assert valid, errors
    assert not list(tmp_path.glob("*.level*.tif"))
    with rasterio.open(target) as cog:
        assert cog.shape == (4000, 6000) and cog.overviews(1) == [2, 4, 8, 16]
        assert np.array_equal(cog.read(1, window=Window(2048, 1024, 1024, 1024)), patch)
        assert (cog.read(1, window=Window(0, 0, 512, 512)) == NODATA).all()  # never written: empty
        halved = cog.read(1, window=Window(2048, 1024, 1024, 1024), out_shape=(512, 512))
        assert halved[0, 0] == NODATA and np.isclose(halved[5, 5], patch[10:12, 10:12].mean())
        assert np.array_equal(cog.read(1, out_shape=(250, 375)), coarse)
    assert target.stat().st_size < 6000 * 4000 * 4 / 10  # empty blocks take no room


def test_a_live_size_1m_tile_with_no_data_is_a_valid_cog_that_takes_no_room(tmp_path):
    pyramid = Pyramid(
        tmp_path, "tile", 500_000, 500_000, from_origin(-2_000_000, 500_000, 1, 1), "EPSG:3979", "float32", NODATA
    )
    target = tmp_path / "tile.tif"
    pyramid.assemble(target)
    valid, errors, _ = cog_validate(str(target), quiet=True)
    assert valid, errors
    with rasterio.open(target) as cog:
        assert cog.shape == (500_000, 500_000) and len(cog.overviews(1)) == 10  # GDAL's default count
        assert (cog.read(1, window=Window(250_000, 250_000, 512, 512)) == NODATA).all()
    # Two tile tables of 977 x 977 entries at full resolution alone, 15 MB of zeros, left as holes.
    assert target.stat().st_size > 15_000_000 and target.stat().st_blocks * 512 < 1_000_000


def test_every_ifd_comes_before_the_tile_tables_as_in_gdals_cogs(tmp_path):
    import tifffile

    pyramid = Pyramid(
        tmp_path, "tile", 250_000, 250_000, from_origin(1_500_000, 0, 2, 2), "EPSG:3979", "float32", NODATA
    )
    pyramid.paste_down(1, np.full((512, 512), 50, dtype="float32"), 81_920, 0)
    target = tmp_path / "tile.tif"
    pyramid.assemble(target)
    with tifffile.TiffFile(target) as tif:
        ifds = [page.offset for page in tif.pages]
        tables = [page.tags[324].valueoffset for page in tif.pages if len(page.dataoffsets) > 1]
    assert len(ifds) == 10 and max(ifds) < min(tables) and max(ifds) < 16_384  # one header read finds every level


def test_a_window_off_the_coarse_grid_still_reaches_the_coarsest_overview(tmp_path):
    pyramid = Pyramid(tmp_path, "dem", 300_000, 1024, from_origin(0, 0, 1, 1), "EPSG:3979", "float32", NODATA)
    assert pyramid.factors[-2:] == [512, 1024]
    block = np.full((512, 512), 8.0, dtype="float32")
    pyramid.paste_down(1, block, 0, 3 * 512)  # one pixel at factor 512, in column 3: odd
    pyramid.paste_down(1, block * 2, 0, 4 * 512)  # its neighbour, in column 4
    target = tmp_path / "dem.tif"
    pyramid.assemble(target)
    with rasterio.open(target, overview_level=len(pyramid.factors) - 2) as coarsest:  # factor 1024
        values = coarsest.read(1)
    # Column 1 at factor 1024 holds columns 2 (empty) and 3 at factor 512; column 2 holds 4 and 5 (empty).
    assert values[0, 1] == 8 and values[0, 2] == 16 and values[0, 0] == NODATA and values[0, 3] == NODATA
