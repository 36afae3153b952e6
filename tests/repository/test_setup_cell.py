"""The setup cell's helpers do what the tutorials say, run from the cell's own code, with no network."""

import ast

import checks
import numpy as np
import pytest
from pystac_client.exceptions import APIError
from rasterio.errors import RasterioIOError, WarpOperationError

FIRST_TUTORIAL = checks.read_toc()[0]
SETUPS = {language: getattr(FIRST_TUTORIAL, language) for language in checks.LANGUAGES}


def setup_function_named(name, language, **namespace):
    """One function of the setup cell, defined alone in `namespace` (which holds what it uses)."""
    _, source = checks.setup_cell(SETUPS[language])
    [node] = [node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef) and node.name == name]
    exec(ast.unparse(node), namespace)
    return namespace[name]


class Clock:
    def __init__(self):
        self.waits = []

    def sleep(self, seconds):
        self.waits.append(seconds)


def flaky(failures):
    """A read that raises each of `failures` in turn, then answers 42; it counts its calls."""

    def read(*args, **kwargs):
        read.calls += 1
        if read.calls <= len(failures):
            raise failures[read.calls - 1]
        return 42

    read.calls = 0
    return read


def retrier(language):
    clock = Clock()
    errors = {"RasterioIOError": RasterioIOError, "WarpOperationError": WarpOperationError, "APIError": APIError}
    return setup_function_named("with_retries", language, time=clock, **errors), clock


@pytest.mark.parametrize("language", checks.LANGUAGES)
@pytest.mark.parametrize(
    "failure",
    [RasterioIOError("TIFFReadEncodedTile() failed"), WarpOperationError("Chunk and warp failed"), APIError("reset")],
    ids=lambda error: type(error).__name__,
)
def test_with_retries_reads_again_after_a_network_failure(language, failure):
    with_retries, clock = retrier(language)
    read = flaky([failure, failure])
    assert with_retries(read, "href") == 42
    assert read.calls == 3 and clock.waits == [1, 2]


@pytest.mark.parametrize("language", checks.LANGUAGES)
def test_with_retries_gives_up_after_its_tries_with_the_last_failure(language):
    with_retries, clock = retrier(language)
    read = flaky([RasterioIOError(f"try {n}") for n in range(1, 10)])
    with pytest.raises(RasterioIOError, match="try 4"):
        with_retries(read, tries=4)
    assert read.calls == 4 and clock.waits == [1, 2, 4]


@pytest.mark.parametrize("language", checks.LANGUAGES)
def test_with_retries_does_not_repeat_a_mistake(language):
    with_retries, clock = retrier(language)
    read = flaky([ValueError("not a window")])
    with pytest.raises(ValueError, match="not a window"):
        with_retries(read)
    assert read.calls == 1 and clock.waits == []


@pytest.mark.parametrize("language", checks.LANGUAGES)
def test_hillshade_of_flat_ground_and_of_a_slope_facing_the_light(language):
    hillshade = setup_function_named("hillshade", language, np=np)
    flat = hillshade(np.full((5, 5), 100.0), resolution=2)
    # gdaldem hillshade: 1 + 254 * sin(altitude) on flat ground, about 181 for 45 degrees
    assert np.allclose(flat.compressed(), 1 + 254 * np.sin(np.radians(45)))
    assert flat.mask[0].all() and not flat.mask[2, 2]  # a border pixel lacks neighbours
    rows, cols = np.mgrid[0:5, 0:5]
    facing_northwest = hillshade(100.0 + rows + cols, resolution=1)  # rises to the south-east
    assert facing_northwest[2, 2] > flat[2, 2]
