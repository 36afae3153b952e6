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
