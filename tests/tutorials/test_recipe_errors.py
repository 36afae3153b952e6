"""Bad input gets a plain explanation, in the reader's language, from the recipes themselves.

Each recipe cell is run on its own (as a reader pastes it), then its function is called
with the inputs people really get wrong.
"""

import json
from functools import partial
from pathlib import Path

import pandas as pd
import pytest
import shapely
from checks import run_recipe
from shapely.geometry import box

pytestmark = pytest.mark.mirror

ROOT = Path(__file__).resolve().parents[2]
SEARCH = {"en": ROOT / "notebooks/en/02-search-by-aoi.ipynb", "fr": ROOT / "notebooks/fr/02-recherche-par-zoi-fr.ipynb"}
READ = {
    "en": ROOT / "notebooks/en/03-read-cog-windows.ipynb",
    "fr": ROOT / "notebooks/fr/03-lire-fenetres-cog-fr.ipynb",
}
ACROSS = {"en": ROOT / "notebooks/en/04-across-tiles.ipynb", "fr": ROOT / "notebooks/fr/04-entre-tuiles-fr.ipynb"}
DTM_9_2 = "https://canelevation-dem.s3.ca-central-1.amazonaws.com/hrdem-mosaic-2m/9_2-mosaic-2m-dtm.tif"
OTTAWA = box(-75.85, 45.30, -75.60, 45.45)


def recipe(notebook: Path) -> dict:
    return run_recipe(notebook)


@pytest.fixture(scope="module", params=["en", "fr"])
def language(request):
    return request.param


@pytest.fixture(scope="module")
def search_aoi(language):
    return recipe(SEARCH[language])["search_aoi"]


@pytest.fixture(scope="module")
def read_dem(language):
    return recipe(READ[language])["read_dem"]


@pytest.fixture(scope="module")
def read_dem_04(language):
    return recipe(ACROSS[language])["read_dem"]


# What the message must say, in each language.
SAYS = {
    "outside": {"en": "outside Canada", "fr": "hors du Canada"},
    "sea": {"en": "at sea", "fr": "en mer"},
    "swapped": {"en": "longitude first", "fr": "longitude d'abord"},
    "no_crs": {"en": "no CRS", "fr": "aucun SCR"},
    "not_degrees": {"en": "not in degrees", "fr": "pas en degrés"},
    "empty": {"en": "empty", "fr": "vide"},
    "unreadable": {"en": "cannot be read", "fr": "illisible"},
    "misses": {"en": "No item of hrdem-lidar intersects", "fr": "Aucun élément de hrdem-lidar ne recoupe"},
    "too_large": {
        "en": "more than max_bytes.*Ask for resolution=16",
        "fr": "plus que max_bytes.*Demandez resolution=16",
    },
    "too_large_default": {
        "en": "2 GB|more than max_bytes.*Ask for resolution=4",
        "fr": "plus que max_bytes.*Demandez resolution=4",
    },
    "no_data": {"en": "no data", "fr": "aucune donnée"},
    "no_asset": {
        "en": "has no 'dtm' asset; it has: coverage, dsm",
        "fr": "n'a pas d'actif « dtm »; il a : coverage, dsm",
    },
    "bad_asset": {"en": "has no 'dem' asset", "fr": "n'a pas d'actif « dem »"},
    "bad_collection": {"en": "Unknown collection 'hrdem-mosaic-3m'", "fr": "Collection inconnue « hrdem-mosaic-3m »"},
}


def raises_saying(messages, kind, language):
    """A ValueError whose message says messages[kind] in the reader's language."""
    return pytest.raises(ValueError, match=messages[kind][language])


expect = partial(raises_saying, SAYS)


def test_an_aoi_outside_canada(search_aoi, language):
    with expect("outside", language):
        search_aoi(box(2.2, 48.8, 2.5, 48.9), "hrdem-mosaic-2m")  # Paris


def test_an_aoi_at_sea(search_aoi, language):
    with expect("sea", language):
        search_aoi(box(-86.0, 58.0, -85.0, 59.0), "hrdem-lidar")  # Hudson Bay


def test_swapped_longitude_and_latitude(search_aoi, language):
    with expect("swapped", language):
        search_aoi(box(45.30, -75.85, 45.45, -75.60), "hrdem-mosaic-2m")


def test_projected_coordinates_without_a_declared_crs(search_aoi, language):
    with expect("not_degrees", language):
        search_aoi(box(1498068, -186524, 1522103, -164429), "hrdem-mosaic-2m")


def test_metres_are_refused_before_densifying(search_aoi, language, tmp_path, monkeypatch):
    """Metres given as degrees are refused before the AOI is densified: every 0.01 "degree",
    the Ottawa box in metres would become about 9 million vertices."""
    import geopandas as gpd

    def densify(*args, **kwargs):
        raise AssertionError("the AOI was densified before its degrees were checked")

    monkeypatch.setattr(gpd.GeoSeries, "segmentize", densify)
    monkeypatch.setattr(gpd.GeoDataFrame, "segmentize", densify, raising=False)
    monkeypatch.setattr(shapely, "segmentize", densify)
    metres = box(1498068, -186524, 1522103, -164429)
    path = tmp_path / "metres-as-degrees.geojson"
    gpd.GeoDataFrame(geometry=[metres], crs="EPSG:4326").to_file(path)  # a CRS declared wrongly
    for aoi in (metres, gpd.GeoSeries([metres], crs="EPSG:4326"), str(path)):
        with expect("not_degrees", language):
            search_aoi(aoi, "hrdem-mosaic-2m")


def test_a_file_without_a_crs(search_aoi, language, tmp_path):
    import geopandas as gpd

    path = tmp_path / "no-crs.shp"
    gpd.GeoDataFrame(geometry=[box(1498068, -186524, 1522103, -164429)]).to_file(path)
    with expect("no_crs", language):
        search_aoi(str(path), "hrdem-mosaic-2m")


def test_an_empty_geojson(search_aoi, language, tmp_path):
    path = tmp_path / "empty.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with expect("empty", language):
        search_aoi(str(path), "hrdem-mosaic-2m")


def test_an_invalid_geojson(search_aoi, language, tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')
    with expect("unreadable", language):
        search_aoi(str(path), "hrdem-mosaic-2m")
    assert path.read_text() == '{"type": "FeatureCollection", "features": ['  # the reader's file is untouched


def test_a_good_aoi_still_works(search_aoi):
    assert sorted(item.id for item in search_aoi(OTTAWA, "hrdem-mosaic-2m")) == ["8_2-mosaic-2m", "9_2-mosaic-2m"]


def test_a_read_outside_the_coverage(read_dem, language):
    with expect("misses", language):
        read_dem(box(-86.0, 58.0, -85.0, 59.0), collection="hrdem-lidar")  # Hudson Bay: no LiDAR project


def test_a_read_too_large_for_memory(read_dem, language):
    with expect("too_large", language):
        read_dem(OTTAWA, resolution=2, max_bytes=50e6)


def test_the_default_memory_guard_refuses_the_whole_aoi_at_2_m(read_dem_04, language):
    # 11,048 x 12,019 pixels of float32 (530 MB) peak near 2.4 GB: over a 2 GB Binder session
    with expect("too_large_default", language):
        read_dem_04(OTTAWA)


def test_a_read_over_a_coverage_hole(read_dem, language):
    hole = shapely.Point(-75.62298, 45.24412).buffer(
        0.0004
    )  # inside a gap in the mirror's coverage, south-east of the AOI
    with expect("no_data", language):
        read_dem(hole, resolution=2)


def test_a_northern_tile_without_a_dtm(read_dem_04, language):
    banks_island = box(-119.0, 72.9, -118.7, 73.0)  # tile 4_8: satellite-derived DSM only
    with expect("no_asset", language):
        read_dem_04(banks_island, asset="dtm", resolution=16)


def test_an_unknown_asset(read_dem, language):
    with expect("bad_asset", language):
        read_dem(OTTAWA, asset="dem", resolution=64)


def test_an_unknown_collection(read_dem, language):
    with expect("bad_collection", language):
        read_dem(OTTAWA, collection="hrdem-mosaic-3m")


def test_metres_are_refused_before_any_densify(read_dem, language):
    import time

    start = time.monotonic()
    with expect("not_degrees", language):
        read_dem(box(0, 0, 5e6, 5e6))  # metres: densified at 0.005 it would be millions of vertices
    assert time.monotonic() - start < 1, "the check must come before any densify, transform or request"


def test_swapped_and_outside_canada_and_no_crs(read_dem, language):
    import geopandas as gpd

    with expect("swapped", language):
        read_dem(box(45.30, -75.85, 45.45, -75.60))
    with expect("outside", language):
        read_dem(box(2.2, 48.8, 2.5, 48.9))  # Paris
    with expect("no_crs", language):
        read_dem(gpd.GeoDataFrame(geometry=[OTTAWA]))


def test_the_reader_reads_both_tiles_of_ottawa(read_dem):
    dem = read_dem(OTTAWA, resolution=16)
    assert dem.attrs["items"] == ["8_2-mosaic-2m", "9_2-mosaic-2m"] or sorted(dem.attrs["items"]) == [
        "8_2-mosaic-2m",
        "9_2-mosaic-2m",
    ]
    assert dem.dtype == "float32" and dem.rio.crs.to_epsg() == 3979 and dem.rio.resolution() == (16.0, -16.0)
    assert dem.attrs["coverage"] > 0.99 and dem.notnull().any()  # 8_2's wedge is read, not dropped


def test_the_fallback_keeps_the_best_coverage(read_dem, language):
    import warnings

    partial = box(-75.64, 45.23, -75.60, 45.26)  # in part over a gap in the DTM's coverage
    alone = {}
    for source in [("hrdem-mosaic-2m", "dtm"), ("mrdem-30", "dtm")]:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                alone[source] = read_dem(partial, collection=source[0], asset=source[1], resolution=8).attrs["coverage"]
        except ValueError:
            alone[source] = 0.0
    assert 0 < alone[("hrdem-mosaic-2m", "dtm")] < 0.99, alone
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        best = read_dem(partial, resolution=8, min_coverage=1.0, fallbacks=[("mrdem-30", "dtm")])
    assert best.attrs["coverage"] == max(alone.values()), (best.attrs, alone)
    if best.attrs["coverage"] < 0.99:
        assert any(("%" in str(w.message)) for w in said), [str(w.message) for w in said]


# Tutorial 06: newest_covering_project returns the newest hrdem-lidar item whose `extent` covers the AOI.

LIDAR = {"en": ROOT / "notebooks/en/06-lidar-projects.ipynb", "fr": ROOT / "notebooks/fr/06-projets-lidar-fr.ipynb"}
CITY_HALL = (-123.1139, 49.2613)  # recorded live: BC-Lower_Mainland_2016-1m
MAPLE_RIDGE = (-122.59996, 49.21938)  # recorded live: NRCAN-FHIMP_PICAI_BC_South_West_UTM10_2023-1m
STRAIT_OF_GEORGIA = (-123.40, 49.20)  # inside BC-Lower_Mainland_2016-1m's recorded raster, west of its data
SAYS_06 = {
    "not_a_place": {"en": r"give a \(lon, lat\) point", "fr": r"donnez un point \(lon, lat\)"},
    "swapped": {"en": "give the longitude first", "fr": "donnez la longitude d'abord"},
    "not_degrees": {"en": "is not in degrees", "fr": "n'est pas en degrés"},
    "outside": {"en": "is outside Canada", "fr": "est hors du Canada"},
    "no_survey": {"en": "no LiDAR survey there", "fr": "aucun levé LiDAR n'a été fait à cet endroit"},
    "too_early": {"en": r"dated \.\./2010-12-31 intersects", "fr": r"daté de \.\./2010-12-31 ne recoupe"},
    "over_claim": {
        "en": r"claim the AOI by their footprint, but no extent covers it all: "
        r".*BC-Lower_Mainland_2016-1m \(2016-09-12\): data over 0 %",
        "fr": r"englobent la ZOI par leur emprise, mais aucun actif extent ne la couvre entièrement : "
        r".*BC-Lower_Mainland_2016-1m \(2016-09-12\) : données sur 0 %",
    },
}


@pytest.fixture(scope="module")
def newest_covering_project(language):
    return recipe(LIDAR[language])["newest_covering_project"]


says_06 = partial(raises_saying, SAYS_06)


def test_newest_project_of_something_that_is_not_a_place(newest_covering_project, language):
    with says_06("not_a_place", language):
        newest_covering_project("Vancouver City Hall")
    with says_06("not_a_place", language):
        newest_covering_project((-123.1139, 49.2613, 0))  # three numbers: neither a point nor a box


def test_newest_project_with_latitude_first(newest_covering_project, language):
    with says_06("swapped", language):
        newest_covering_project(tuple(reversed(CITY_HALL)))  # latitude -123: out of range
    with says_06("swapped", language):
        newest_covering_project((45.42, -75.70))  # Ottawa, reversed: in range, but outside Canada


def test_newest_project_in_metres(newest_covering_project, language):
    with says_06("not_degrees", language):
        newest_covering_project((-1978389, 473528))  # City Hall in EPSG:3979


def test_newest_project_outside_canada(newest_covering_project, language):
    with says_06("outside", language):
        newest_covering_project((2.35, 48.85))  # Paris


def test_newest_project_where_no_survey_was_flown(newest_covering_project, language):
    with says_06("no_survey", language):
        newest_covering_project((-86.0, 58.5))  # Hudson Bay


def test_newest_project_before_any_survey(newest_covering_project, language):
    with says_06("too_early", language):
        newest_covering_project(CITY_HALL, datetime="../2010-12-31")


def test_newest_project_where_footprints_over_claim(newest_covering_project, language):
    with says_06("over_claim", language):
        newest_covering_project(STRAIT_OF_GEORGIA)


def test_newest_project_at_city_hall_and_maple_ridge(newest_covering_project):
    assert newest_covering_project(CITY_HALL).id == "BC-Lower_Mainland_2016-1m"
    assert newest_covering_project(MAPLE_RIDGE).id == "NRCAN-FHIMP_PICAI_BC_South_West_UTM10_2023-1m"
    assert (
        newest_covering_project(box(*CITY_HALL, -123.1039, 49.2673)).id == "BC-Lower_Mainland_2016-1m"
    )  # an AOI, as a box


def test_newest_project_at_city_hall_before_2016(newest_covering_project):
    # Offline only: the mirror's 2013 city survey covers City Hall; live, a newer one may exist by then.
    assert newest_covering_project(CITY_HALL, datetime="../2015-12-31").id == "VILLE_VANCOUVER-VILLE_VANCOUVER-1m"


# Tutorial 01: dem_collection_table reads each DEM collection's description.

DISCOVER = {
    "en": ROOT / "notebooks/en/01-discover-collections.ipynb",
    "fr": ROOT / "notebooks/fr/01-decouvrir-collections-fr.ipynb",
}
DEM_IDS = ["hrdem-mosaic-1m", "hrdem-mosaic-2m", "hrdem-lidar", "hrdem-arcticdem", "mrdem-30"]
SAYS_01 = {
    "entire": {"en": "for the entire coverage", "fr": "pour l'ensemble de la couverture"},
    "only_where": {
        "en": "only where LiDAR data coverage exists",
        "fr": "uniquement là où une couverture de données LiDAR existe",
    },
    "named": {"en": "named, no coverage stated", "fr": "nommé, couverture non précisée"},
    "not_named": {"en": "not named", "fr": "non nommé"},
    "none": {"en": "No CanElevation DEM collection", "fr": "Aucune collection de MNE CanElevation"},
    "language": {"en": "choose 'en'", "fr": "choisissez « fr »"},
}


@pytest.fixture(scope="module")
def dem_collection_table(language):
    return recipe(DISCOVER[language])["dem_collection_table"]


def static_catalog(root, collections):
    """A static STAC catalog on disk, with one child collection per (id, description)."""
    links = [{"rel": "root", "href": "./catalog.json"}]
    for collection_id, description in collections:
        (root / collection_id).mkdir()
        (root / collection_id / "collection.json").write_text(
            json.dumps(
                {
                    "type": "Collection",
                    "id": collection_id,
                    "stac_version": "1.0.0",
                    "description": description,
                    "license": "OGL-Canada-2.0",
                    "links": [{"rel": "root", "href": "../catalog.json"}],
                    "extent": {
                        "spatial": {"bbox": [[-141.0, 41.6, -52.6, 83.2]]},
                        "temporal": {"interval": [[None, None]]},
                    },
                }
            )
        )
        links.append({"rel": "child", "href": f"./{collection_id}/collection.json"})
    (root / "catalog.json").write_text(
        json.dumps(
            {
                "type": "Catalog",
                "id": "test",
                "stac_version": "1.0.0",
                "description": "A test catalogue",
                "links": links,
            }
        )
    )
    return str(root / "catalog.json")


def test_the_dem_table_says_what_each_description_says(dem_collection_table, language):
    table = dem_collection_table(language=language)
    assert list(table.index) == DEM_IDS
    pixel, crs, cgvd2013, dtm, dsm = (table.iloc[:, column] for column in range(1, 6))
    assert [None if value is pd.NA else value for value in pixel] == [1, 2, None, None, 30]
    assert list(crs.fillna("none")) == ["EPSG:3979"] * 4 + ["none"]
    assert list(cgvd2013) == [True, True, True, False, False]
    assert dtm["hrdem-mosaic-1m"] == dsm["hrdem-mosaic-1m"] == dsm["hrdem-mosaic-2m"] == SAYS_01["entire"][language]
    assert dtm["hrdem-mosaic-2m"] == SAYS_01["only_where"][language]
    assert dtm["hrdem-lidar"] == dsm["hrdem-lidar"] == dsm["hrdem-arcticdem"] == SAYS_01["named"][language]
    assert dtm["hrdem-arcticdem"] == dtm["mrdem-30"] == dsm["mrdem-30"] == SAYS_01["not_named"][language]


def test_the_dem_table_of_an_api_without_dem_collections(dem_collection_table, language, tmp_path):
    with pytest.raises(ValueError, match=SAYS_01["none"][language]):
        dem_collection_table(api_url=static_catalog(tmp_path, [("landcover", "Land cover / Couverture du sol")]))


def test_a_description_without_its_separator_is_kept_whole_for_both_languages(dem_collection_table, tmp_path):
    text = "Medium resolution digital elevation model - 30 meters (MRDEM-30)."
    table = dem_collection_table(language="en", api_url=static_catalog(tmp_path, [("mrdem-30", text)]))
    assert list(table.index) == ["mrdem-30"]
    assert table.loc["mrdem-30", "description (en)"] == table.loc["mrdem-30", "description (fr)"] == text
    assert table.iloc[0, 1] == 30


def test_the_dem_table_in_an_unknown_language(dem_collection_table, language):
    with pytest.raises(ValueError, match=SAYS_01["language"][language]):
        dem_collection_table(language="de")


# Tutorial 07: read_dem, the shared reader, with fallbacks: the mosaic's DTM, then its DSM, then MRDEM-30's DTM.

NORTH = {"en": ROOT / "notebooks/en/07-north-and-nation.ipynb", "fr": ROOT / "notebooks/fr/07-nord-et-pays-fr.ipynb"}
PARLIAMENT_HILL = (-75.705, 45.419, -75.695, 45.427)  # tile 9_2: a LiDAR DTM at 2 m
NEAR_ULUKHAKTOK = (-117.80, 70.73, -117.76, 70.745)  # tile 4_8: satellite-derived DSM only
NEAR_GILLAM = (-94.72, 56.33, -94.68, 56.35)  # tile 6_4, which the mirror's catalog does not hold
FALLBACKS = [("hrdem-mosaic-2m", "dsm"), ("mrdem-30", "dtm")]
SAYS_NO_DATA_AT_SEA = {"en": "gap in coverage", "fr": "lacune de couverture"}


@pytest.fixture(scope="module")
def north_recipe(language):
    return recipe(NORTH[language])


@pytest.fixture(scope="module")
def north_read_dem(north_recipe):
    return north_recipe["read_dem"]


def source_of(dem):
    return f"{dem.attrs['collection']}/{dem.attrs['asset']}"


def test_north_read_outside_canada(north_read_dem, language):
    with expect("outside", language):
        north_read_dem((2.25, 48.81, 2.42, 48.90), fallbacks=FALLBACKS)  # Paris


def test_north_read_with_latitude_first(north_read_dem, language):
    with expect("swapped", language):
        north_read_dem((45.419, -75.705, 45.427, -75.695), fallbacks=FALLBACKS)


def test_north_read_in_projected_coordinates(north_read_dem, language):
    with expect("not_degrees", language):
        north_read_dem((1509000, -176000, 1510000, -175000), fallbacks=FALLBACKS)


def test_north_read_at_sea(north_read_dem, language):
    with pytest.raises(ValueError, match=SAYS_NO_DATA_AT_SEA[language]):
        north_read_dem((-62.05, 42.50, -62.00, 42.53), fallbacks=FALLBACKS)  # the Atlantic, south of Nova Scotia


def test_north_read_in_ottawa_is_the_mosaic_dtm(north_read_dem):
    dem = north_read_dem(PARLIAMENT_HILL, fallbacks=FALLBACKS)
    assert source_of(dem) == "hrdem-mosaic-2m/dtm" and dem.attrs["coverage"] >= 0.5
    assert (dem.rio.resolution()[0], dem.rio.crs.to_epsg()) == (2, 3979)
    assert dem.dtype == "float32" and float(dem.min()) > -32767


def test_north_read_near_ulukhaktok_is_the_mosaic_dsm(north_read_dem):
    dem = north_read_dem(NEAR_ULUKHAKTOK, fallbacks=FALLBACKS)
    assert source_of(dem) == "hrdem-mosaic-2m/dsm"
    assert dem.attrs["resolution_m"] == 2 and dem.attrs["coverage"] > 0


def test_north_read_near_gillam_falls_back_to_mrdem_offline(north_read_dem):
    # Offline only: the mirror has no mosaic tile at Gillam. Live, a tile may answer there.
    dem = north_read_dem(NEAR_GILLAM, fallbacks=FALLBACKS)
    assert source_of(dem) == "mrdem-30/dtm"
    assert dem.attrs["resolution_m"] == 30 and dem.attrs["coverage"] > 0


def patchy(namespace, monkeypatch, keep):
    """Make the recipe's merge keep data only over the first `keep[file]` share of the rows of each answer,
    as if a source had gaps there. Files not named in `keep` are left whole."""
    import numpy as np

    merge = namespace["merge"]

    def merge_with_gaps(sources, **kwargs):
        dem, transform = merge(sources, **kwargs)
        name = sources[0].name.rsplit("/", 1)[-1]
        share = next((value for key, value in keep.items() if name.endswith(key)), 1)
        rows = round(dem.shape[1] * share)
        mask = np.ma.getmaskarray(dem).copy()
        mask[:, rows:, :] = True
        return np.ma.masked_array(dem.data, mask=mask), transform

    monkeypatch.setitem(namespace, "merge", merge_with_gaps)


def test_north_read_prefers_a_full_dsm_to_a_dtm_with_data_over_1_percent(north_recipe, monkeypatch):
    patchy(north_recipe, monkeypatch, {"mosaic-2m-dtm.tif": 0.01})
    dem = north_recipe["read_dem"](PARLIAMENT_HILL, fallbacks=FALLBACKS)
    assert source_of(dem) == "hrdem-mosaic-2m/dsm" and dem.attrs["coverage"] > 0.9


def test_north_read_keeps_a_dtm_that_covers_enough(north_recipe, monkeypatch):
    patchy(north_recipe, monkeypatch, {"mosaic-2m-dtm.tif": 0.6})
    assert source_of(north_recipe["read_dem"](PARLIAMENT_HILL, fallbacks=FALLBACKS)) == "hrdem-mosaic-2m/dtm"


def test_north_read_below_the_threshold_returns_the_best_coverage(north_recipe, monkeypatch):
    # A coast, say: no source has data over half the AOI. The one that covers most answers.
    patchy(north_recipe, monkeypatch, {"mosaic-2m-dtm.tif": 0.2, "mosaic-2m-dsm.tif": 0.3, "mrdem-30-dtm.tif": 0.45})
    with pytest.warns(UserWarning):
        dem = north_recipe["read_dem"](PARLIAMENT_HILL, fallbacks=FALLBACKS)
    assert source_of(dem) == "mrdem-30/dtm"


def test_north_read_of_an_unknown_collection(north_read_dem):
    with pytest.raises(ValueError, match="hrdem-mosaic-3m"):
        north_read_dem(PARLIAMENT_HILL, fallbacks=[("hrdem-mosaic-3m", "dtm")])


# Tutorial 08: region_statistics loads the mosaic's DTM and DSM with odc-stac and reduces them with Dask.

SCALING = {"en": ROOT / "notebooks/en/08-scaling-up.ipynb", "fr": ROOT / "notebooks/fr/08-passer-a-l-echelle-fr.ipynb"}
SAYS_08 = {
    "outside": {"en": "intersects the area", "fr": "ne recoupe la zone"},
    "no_dtm": {"en": "has no dtm asset", "fr": "n'a pas d'actif dtm"},
    "gap": {"en": "all nodata over this area", "fr": "n'a que des absences de données"},
}
WEST_OF_OTTAWA = (-75.80, 45.36, -75.76, 45.39)


@pytest.fixture(scope="module")
def region_statistics(language):
    return recipe(SCALING[language])["region_statistics"]


def test_region_statistics_outside_canada(region_statistics, language):
    with pytest.raises(ValueError, match=SAYS_08["outside"][language]):
        region_statistics((2.25, 48.81, 2.42, 48.90))  # Paris


def test_region_statistics_on_a_northern_tile_without_a_dtm(region_statistics, language):
    with pytest.raises(ValueError, match=SAYS_08["no_dtm"][language]):
        region_statistics((-119.0, 72.9, -118.7, 73.0))  # Banks Island, tile 4_8


def test_region_statistics_in_a_coverage_gap(region_statistics, language):
    from pyproj import Transformer

    from mirror.terrain import COVERAGE_HOLES

    x, y, radius = COVERAGE_HOLES[0]
    to_lonlat = Transformer.from_crs("EPSG:3979", "EPSG:4326", always_xy=True)
    west, south = to_lonlat.transform(x - radius / 4, y - radius / 4)
    east, north = to_lonlat.transform(x + radius / 4, y + radius / 4)
    with pytest.raises(ValueError, match=SAYS_08["gap"][language]):
        region_statistics((west, south, east, north))


def test_region_statistics_agree_with_a_direct_read(region_statistics):
    import numpy as np
    import rasterio
    from pyproj import Proj
    from rasterio.warp import transform_geom
    from rasterio.windows import from_bounds
    from shapely.geometry import mapping, shape

    statistics = region_statistics(WEST_OF_OTTAWA, resolution=8)
    values = list(statistics.values)
    area = shape(transform_geom("EPSG:4326", "EPSG:3979", mapping(box(*WEST_OF_OTTAWA).segmentize(0.005))))
    with rasterio.open(DTM_9_2, overview_level=1) as src:  # 8 m
        window = from_bounds(*area.bounds, transform=src.transform).round_offsets().round_lengths()
        dtm = src.read(1, window=window, masked=True)
        inside = rasterio.features.geometry_mask([area], dtm.shape, src.window_transform(window), invert=True)
    expected = dtm[inside & ~np.ma.getmaskarray(dtm)]
    assert "9_2-mosaic-2m" in values[0]
    # Area on the ground: EPSG:3979 is conformal, so a pixel's 64 m² are scaled by the projection's
    # areal scale there (about 1.03 west of Ottawa).
    areal_scale = Proj("EPSG:3979").get_factors(*box(*WEST_OF_OTTAWA).centroid.coords[0]).areal_scale
    assert values[2] == pytest.approx(expected.size * 64 / 1e6 / areal_scale, rel=0.02)  # area with data, km²
    assert values[3] == pytest.approx(float(expected.mean()), abs=0.5)  # mean elevation, m
    assert values[5] == pytest.approx(float(expected.min()), abs=1.0) and values[6] == pytest.approx(
        float(expected.max()), abs=1.0
    )
    assert 0 <= values[8] <= 100


# Tutorial 00: quick_dtm(bbox, path, resolution=10) saves the DTM of a box as a COG.
QUICK = {"en": ROOT / "notebooks/en/00-quickstart.ipynb", "fr": ROOT / "notebooks/fr/00-demarrage-rapide-fr.ipynb"}
PARLIAMENT_HILL = (-75.73, 45.40, -75.67, 45.44)
SAYS_00 = {
    "not_numbers": {"en": "must be 4 numbers", "fr": "doit être 4 nombres"},
    "not_degrees": {"en": "not in degrees", "fr": "pas en degrés"},
    "swapped": {"en": "longitude first", "fr": "longitude d'abord"},
    "inverted": {"en": "west must be less than east", "fr": "l'ouest doit être inférieur à l'est"},
    "outside": {"en": "outside Canada", "fr": "hors du Canada"},
    "resolution": {
        "en": "resolution must be a number of metres, 2 or more",
        "fr": "resolution : un nombre de mètres, 2 ou plus",
    },
    "too_large": {
        "en": "more than 25 million: ask for resolution=",
        "fr": "plus que 25 millions : demandez resolution=",
    },
    "no_tile": {"en": "no hrdem-mosaic-2m tile intersects", "fr": "aucune tuile hrdem-mosaic-2m ne recoupe"},
    "no_dtm": {"en": r"\(4_8-mosaic-2m\) have no DTM", "fr": r"\(4_8-mosaic-2m\) sont sans MNT"},
    "no_data": {"en": "has no data in bbox", "fr": "aucune donnée dans bbox"},
}


@pytest.fixture(scope="module")
def quick_dtm(language):
    return recipe(QUICK[language])["quick_dtm"]


says_00 = partial(raises_saying, SAYS_00)


@pytest.mark.parametrize("bbox", [None, "-75.73,45.40,-75.67,45.44", (-75.73, 45.40, -75.67), ("a", 1, 2, 3)])
def test_quick_dtm_of_something_that_is_not_a_bbox(quick_dtm, language, tmp_path, bbox):
    with says_00("not_numbers", language):
        quick_dtm(bbox, tmp_path / "dtm.tif")


def test_quick_dtm_in_metres(quick_dtm, language, tmp_path):
    with says_00("not_degrees", language):
        quick_dtm((1508851, -172906, 1512053, -167173), tmp_path / "dtm.tif")


def test_quick_dtm_with_latitude_first(quick_dtm, language, tmp_path):
    with says_00("swapped", language):
        quick_dtm((45.40, -75.73, 45.44, -75.67), tmp_path / "dtm.tif")


def test_quick_dtm_with_east_before_west(quick_dtm, language, tmp_path):
    with says_00("inverted", language):
        quick_dtm((-75.67, 45.40, -75.73, 45.44), tmp_path / "dtm.tif")


def test_quick_dtm_outside_canada(quick_dtm, language, tmp_path):
    with says_00("outside", language):
        quick_dtm((2.29, 48.85, 2.30, 48.86), tmp_path / "dtm.tif")  # Paris


@pytest.mark.parametrize("resolution", [1, 0, -10, "10", True, None, float("nan")])
def test_quick_dtm_at_a_resolution_finer_than_the_mosaic_or_not_a_number(quick_dtm, language, tmp_path, resolution):
    with says_00("resolution", language):
        quick_dtm(PARLIAMENT_HILL, tmp_path / "dtm.tif", resolution=resolution)


def test_quick_dtm_too_large_for_memory(quick_dtm, language, tmp_path):
    with says_00("too_large", language):
        quick_dtm((-76.5, 45.0, -75.0, 46.0), tmp_path / "dtm.tif", resolution=2)  # about 117 km x 111 km
    assert not (tmp_path / "dtm.tif").exists()


def test_quick_dtm_at_sea(quick_dtm, language, tmp_path):
    with says_00("no_tile", language):
        quick_dtm((-54.9, 42.0, -54.8, 42.1), tmp_path / "dtm.tif")  # south of Newfoundland, beyond every tile


def test_quick_dtm_where_the_mosaic_has_a_dsm_only(quick_dtm, language, tmp_path):
    with says_00("no_dtm", language):
        quick_dtm((-119.0, 72.9, -118.7, 73.0), tmp_path / "dtm.tif", resolution=50)  # Banks Island, tile 4_8


def test_quick_dtm_over_a_coverage_hole(quick_dtm, language, tmp_path):
    # Inside a gap in the mirror's coverage, south-east of the Ottawa AOI (as for tutorial 03's read_dem).
    with says_00("no_data", language):
        quick_dtm((-75.6232, 45.2439, -75.6228, 45.2443), tmp_path / "dtm.tif", resolution=2)


def test_quick_dtm_of_a_good_bbox_saves_a_cog(quick_dtm, tmp_path):
    import rasterio

    saved = quick_dtm(PARLIAMENT_HILL, tmp_path / "dtm.tif", resolution=20)
    with rasterio.open(saved) as dtm:
        assert dtm.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert dtm.crs.to_epsg() == 3979 and dtm.res == (20, 20) and dtm.nodata == -32767
        pixels = dtm.read(1, masked=True)
        assert pixels.count() > 0.9 * pixels.size and 0 < pixels.min() < pixels.max() < 400


# Tutorial 05: read_terrain, the DTM, the nDSM and the slope of an AOI, both models read with read_dem.

TERRAIN = {
    "en": ROOT / "notebooks/en/05-terrain-analysis.ipynb",
    "fr": ROOT / "notebooks/fr/05-analyse-de-terrain-fr.ipynb",
}
WEST_OTTAWA = (-75.768, 45.373, -75.756, 45.381)  # the recipe's own example: tile 9_2 at 1 m
SAYS_05 = {
    "box": {"en": r"\(west, south, east, north\) in degrees", "fr": r"\(ouest, sud, est, nord\) en degrés"},
    "not_a_geometry": {"en": "a shapely geometry or a", "fr": "géométrie shapely ou de rectangle"},
    "no_area": {"en": "has no area", "fr": "n'a pas de surface"},
    "resolution": {"en": "a positive number", "fr": "un nombre positif"},
    "too_large": {
        "en": "half of max_bytes: .*more than max_bytes.*Ask for resolution=16",
        "fr": "moitié de max_bytes : .*plus que max_bytes.*Demandez resolution=16",
    },
}


@pytest.fixture(scope="module")
def read_terrain(language):
    return recipe(TERRAIN[language])["read_terrain"]


says_05 = partial(raises_saying, SAYS_05)


@pytest.mark.parametrize("aoi", [(-75.768, 45.373, -75.756), (-75.768, 45.373, -75.756, 45.381, 0)])
def test_05_terrain_of_a_box_that_is_not_four_numbers(read_terrain, language, aoi):
    with says_05("box", language):
        read_terrain(aoi)


def test_05_terrain_of_a_file_name(read_terrain, language):
    with says_05("not_a_geometry", language):
        read_terrain("ottawa.geojson")  # search_aoi (tutorial 02) reads files; read_terrain takes geometries


@pytest.mark.parametrize(
    "aoi",
    [
        shapely.Point(-75.762, 45.377),
        shapely.LineString([(-75.768, 45.373), (-75.756, 45.381)]),
        (-75.762, 45.373, -75.762, 45.381),  # west == east
        shapely.Polygon(),
    ],
    ids=["point", "line", "flat box", "empty"],
)
def test_05_terrain_of_an_aoi_without_an_area(read_terrain, language, aoi):
    with says_05("no_area", language):
        read_terrain(aoi)


@pytest.mark.parametrize("resolution", [0, -2, "2", True, float("nan")])
def test_05_terrain_at_a_resolution_that_is_not_a_positive_number(read_terrain, language, resolution):
    with says_05("resolution", language):
        read_terrain(WEST_OTTAWA, resolution=resolution)


def test_05_terrain_in_metres_swapped_or_outside_canada_says_what_read_dem_says(read_terrain, language):
    with expect("not_degrees", language):
        read_terrain(box(1506600, -176700, 1507800, -175500))
    with expect("swapped", language):
        read_terrain(box(45.373, -75.768, 45.381, -75.756))
    with expect("outside", language):
        read_terrain(box(2.2, 48.8, 2.5, 48.9))  # Paris


def test_05_terrain_too_large_for_memory_names_a_resolution(read_terrain, language):
    with says_05("too_large", language):
        read_terrain(OTTAWA, collection="hrdem-mosaic-2m", resolution=2, max_bytes=100e6)


def test_05_terrain_where_the_mosaic_has_a_dsm_only(read_terrain, language):
    banks_island = box(-119.0, 72.9, -118.7, 73.0)  # tile 4_8: satellite-derived DSM only
    with expect("no_asset", language):
        read_terrain(banks_island, collection="hrdem-mosaic-2m", resolution=16)


def test_05_terrain_of_a_good_aoi(read_terrain):
    import numpy as np

    terrain = read_terrain(WEST_OTTAWA, resolution=2)  # the 2 m overview of the 1 m mosaic
    assert sorted(terrain.data_vars) == ["dtm", "ndsm", "slope"]
    assert terrain.rio.crs.to_epsg() == 3979 and terrain.rio.resolution() == (2.0, -2.0)
    assert terrain.attrs["items"] == ["9_2-mosaic-1m"] and terrain.attrs["coverage"] > 0.99
    dtm, ndsm, slope = (terrain[name].values for name in ("dtm", "ndsm", "slope"))
    assert dtm.dtype == ndsm.dtype == slope.dtype == np.float32
    assert np.nanmin(ndsm) >= 0 and np.nanmax(ndsm) > 2  # cleaned, and trees or buildings stand there
    assert np.all(np.isnan(ndsm[np.isnan(dtm)])) and 0 <= np.nanmin(slope) and np.nanmax(slope) < 90
    # Horn's slope at one interior pixel, from its 3 x 3 neighbours (as gdaldem slope computes it).
    row, col = (size // 2 for size in dtm.shape)
    z = dtm[row - 1 : row + 2, col - 1 : col + 2].astype("float64")
    dz_dx = ((z[0, 2] + 2 * z[1, 2] + z[2, 2]) - (z[0, 0] + 2 * z[1, 0] + z[2, 0])) / (8 * 2)
    dz_dy = ((z[0, 0] + 2 * z[0, 1] + z[0, 2]) - (z[2, 0] + 2 * z[2, 1] + z[2, 2])) / (8 * 2)
    assert abs(slope[row, col] - np.degrees(np.arctan(np.hypot(dz_dx, dz_dy)))) < 1e-3
    assert np.isnan(slope[0]).all() and np.isnan(slope[:, -1]).all()  # the edges lack a neighbour


# Tutorial 09: watershed(point) and flood_extent(aoi, level_m), both on read_dem and pyflwdir.

WATER = {
    "en": ROOT / "notebooks/en/09-where-water-goes.ipynb",
    "fr": ROOT / "notebooks/fr/09-ou-va-l-eau-fr.ipynb",
}
TRIBUTARY = (-75.7383, 45.4405)  # the notebook's pour point, north of the river (tile 9_2)
DOWNTOWN = (-75.73, 45.415, -75.69, 45.445)  # the recipe's own example, across the river
HOLE = (-75.62298, 45.24412)  # inside a gap in the mirror's coverage (radius 800 m), tile 9_2
SAYS_09 = {
    "point": {"en": r"Give the point as \(longitude, latitude\)", "fr": r"Donnez le point en \(longitude, latitude\)"},
    "outside_dtm": {"en": "is outside the DTM of hrdem-mosaic-2m", "fr": "est hors du MNT de hrdem-mosaic-2m"},
    "no_watershed": {"en": "No watershed at .*no data", "fr": "Aucun bassin versant en .*aucune donnée"},
    "half_side": {"en": "a positive number", "fr": "un nombre positif"},
    "box": {"en": r"\(west, south, east, north\) in degrees", "fr": r"\(ouest, sud, est, nord\) en degrés"},
    "not_a_geometry": {"en": "a shapely geometry or a", "fr": "géométrie shapely ou en rectangle"},
    "no_area": {"en": "has no area", "fr": "n'a pas de surface"},
    "level": {"en": "a water level in metres above CGVD2013, a number", "fr": "un niveau d'eau en mètres .*un nombre"},
    "dry": {"en": "below the ground everywhere in the AOI", "fr": "sous le sol partout dans la ZOI"},
}


@pytest.fixture(scope="module")
def water(language):
    return recipe(WATER[language])


says_09 = partial(raises_saying, SAYS_09)


@pytest.mark.parametrize("point", ["ottawa.geojson", (-75.75, 45.43, 0), [], None, ("a", "b")])
def test_09_watershed_of_something_that_is_not_a_point(water, language, point):
    with says_09("point", language):
        water["watershed"](point)


def test_09_watershed_in_metres_swapped_or_outside_canada(water, language):
    with expect("not_degrees", language):
        water["watershed"]((1506800, -168700))
    with expect("swapped", language):
        water["watershed"]((45.4405, -75.7383))
    with expect("outside", language):
        water["watershed"](shapely.Point(2.35, 48.85))  # Paris


def test_09_watershed_of_a_point_outside_the_dtm(water, language):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # read_dem warns that the square is only partly covered
        with says_09("outside_dtm", language):
            water["watershed"](HOLE)  # the square around it has data, the point itself none


def test_09_watershed_where_the_whole_square_has_no_coverage(water, language):
    with says_09("no_watershed", language):
        water["watershed"](HOLE, half_side_m=300)


@pytest.mark.parametrize("half_side_m", [0, -500, "5000", True])
def test_09_watershed_with_a_half_side_that_is_not_a_positive_number(water, language, half_side_m):
    with says_09("half_side", language):
        water["watershed"](TRIBUTARY, half_side_m=half_side_m)


def test_09_watershed_of_a_good_point(water):
    found = water["watershed"](TRIBUTARY, half_side_m=6000)
    assert len(found) == 1 and found.crs.to_epsg() == 3979 and "9_2-mosaic-2m" in found.attrs["items"]
    row = found.iloc[0]
    assert row["complete"] and 0 < row["area_km2"] < 144 and row["snapped_m"] < 100, row
    # the area is in an equal-area CRS: smaller than the same polygon measured in EPSG:3979 (conformal)
    assert row["area_km2"] < found.area.iloc[0] / 1e6 < 1.04 * row["area_km2"]


@pytest.mark.parametrize("aoi", [(-75.73, 45.415, -75.69), (-75.73, 45.415, -75.69, 45.445, 0)])
def test_09_flood_of_a_box_that_is_not_four_numbers(water, language, aoi):
    with says_09("box", language):
        water["flood_extent"](aoi, 48)


def test_09_flood_of_a_file_name(water, language):
    with says_09("not_a_geometry", language):
        water["flood_extent"]("ottawa.geojson", 48)


@pytest.mark.parametrize(
    "aoi",
    [shapely.Point(-75.71, 45.43), (-75.71, 45.415, -75.71, 45.445), shapely.Polygon()],
    ids=["point", "flat", "empty"],
)
def test_09_flood_of_an_aoi_without_an_area(water, language, aoi):
    with says_09("no_area", language):
        water["flood_extent"](aoi, 48)


@pytest.mark.parametrize("level", ["48", None, True, float("nan")])
def test_09_flood_at_a_level_that_is_not_a_number(water, language, level):
    with says_09("level", language):
        water["flood_extent"](DOWNTOWN, level)


def test_09_flood_at_a_level_below_the_ground_everywhere(water, language):
    with says_09("dry", language):
        water["flood_extent"](DOWNTOWN, 0.0)


def test_09_flood_of_an_aoi_without_coverage(water, language):
    with expect("no_data", language):
        water["flood_extent"](shapely.Point(HOLE).buffer(0.003), 100.0)
    with expect("outside", language):
        water["flood_extent"](box(2.2, 48.8, 2.5, 48.9), 100.0)  # Paris


def test_09_flood_of_a_good_aoi(water):
    import numpy as np

    flood, outlines = water["flood_extent"](DOWNTOWN, 48.0)
    assert flood.rio.crs.to_epsg() == 3979 and flood.rio.resolution() == (8.0, -8.0)
    depth, below = flood["depth"].values, flood["below"].values
    assert np.nanmin(depth) > 0 and np.nanmax(depth) <= 48.0 - flood.attrs["lowest_m"] + 0.01
    assert not (~np.isnan(depth) & ~below).any()  # every flooded cell is below the level
    assert 0 < flood.attrs["flooded_km2"] <= flood.attrs["below_km2"]
    assert list(outlines["area_km2"]) == [flood.attrs["flooded_km2"], flood.attrs["below_km2"]]


# Tutorial 10: relief_map(aoi, ...), the coloured relief of an AOI on an ipyleaflet map, read with read_dem.

WEB_MAP = {
    "en": ROOT / "notebooks/en/10-dem-on-a-web-map.ipynb",
    "fr": ROOT / "notebooks/fr/10-mne-sur-une-carte-web-fr.ipynb",
}
SAYS_10 = {
    "empty": {"en": "The AOI is empty", "fr": "La ZOI est vide"},
    "unreadable": {"en": "cannot be read", "fr": "illisible"},
    "box": {"en": r"\(west, south, east, north\) in degrees", "fr": r"\(ouest, sud, est, nord\) en degrés"},
    "no_tile": {
        "en": "No item of hrdem-mosaic-2m intersects",
        "fr": "Aucun élément de hrdem-mosaic-2m ne recoupe",
    },
}
SOUTH_OF_NEWFOUNDLAND = (-54.9, 42.0, -54.8, 42.1)  # beyond every tile of the mosaic
DOWNTOWN_OTTAWA = (-75.72, 45.41, -75.68, 45.43)


@pytest.fixture(scope="module")
def relief_map(language):
    return recipe(WEB_MAP[language])["relief_map"]


says_10 = partial(raises_saying, SAYS_10)


def test_10_relief_map_of_an_empty_aoi(relief_map, language, tmp_path):
    import geopandas as gpd

    empty_file = tmp_path / "empty.geojson"
    empty_file.write_text('{"type": "FeatureCollection", "features": []}')
    for aoi in (shapely.Polygon(), gpd.GeoDataFrame(geometry=[], crs="EPSG:4326"), empty_file):
        with says_10("empty", language):
            relief_map(aoi)


def test_10_relief_map_of_an_unreadable_aoi(relief_map, language, tmp_path):
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [')
    for aoi in (broken, str(tmp_path / "missing.geojson"), "Ottawa", 42):
        with says_10("unreadable", language):
            relief_map(aoi)


@pytest.mark.parametrize("aoi", [(-75.72, 45.41, -75.68), (-75.72, 45.41, -75.68, 45.43, 0)])
def test_10_relief_map_of_a_box_that_is_not_four_numbers(relief_map, language, aoi):
    with says_10("box", language):
        relief_map(aoi)


def test_10_relief_map_outside_canada_swapped_or_in_metres_says_what_read_dem_says(relief_map, language):
    import geopandas as gpd

    with expect("outside", language):
        relief_map(box(2.2, 48.8, 2.5, 48.9))  # Paris
    with expect("swapped", language):
        relief_map((45.41, -75.72, 45.43, -75.68))
    with expect("not_degrees", language):
        relief_map(box(1506600, -176700, 1507800, -175500))
    with expect("no_crs", language):
        relief_map(gpd.GeoDataFrame(geometry=[box(*DOWNTOWN_OTTAWA)]))


def test_10_relief_map_of_an_aoi_without_coverage(relief_map, language):
    with says_10("no_tile", language):
        relief_map(SOUTH_OF_NEWFOUNDLAND)
    hole = shapely.Point(-75.62298, 45.24412).buffer(0.0004)  # a gap in the mirror's coverage (as for 03)
    with expect("no_data", language):
        relief_map(hole, resolution=2)


def test_10_relief_map_of_a_good_aoi_places_the_relief(relief_map, tmp_path):
    import base64
    import io

    import ipyleaflet
    import matplotlib.image
    import numpy as np

    aoi_file = tmp_path / "downtown.geojson"
    aoi_file.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": '
        + json.dumps(shapely.geometry.mapping(box(*DOWNTOWN_OTTAWA)))
        + "}]}"
    )
    result = relief_map(aoi_file, resolution=8)  # a file works as a box does
    assert isinstance(result, ipyleaflet.Map)
    (relief,) = [layer for layer in result.layers if isinstance(layer, ipyleaflet.ImageOverlay)]
    assert relief.name == "relief" and relief.url.startswith("data:image/png;base64,")
    (south, west), (north, east) = relief.bounds
    west_aoi, south_aoi, east_aoi, north_aoi = DOWNTOWN_OTTAWA
    assert west <= west_aoi and east >= east_aoi and south <= south_aoi and north >= north_aoi
    assert max(west_aoi - west, east - east_aoi, south_aoi - south, north - north_aoi) < 0.002  # cut to the AOI's box
    picture = matplotlib.image.imread(io.BytesIO(base64.b64decode(relief.url.split(",", 1)[1])))
    assert picture.ndim == 3 and picture.shape[2] == 4 and np.mean(picture[..., 3] > 0) > 0.9
    assert len(np.unique(picture[..., :3].reshape(-1, 3), axis=0)) > 50  # a relief, not a flat fill
    (legend,) = [control for control in result.controls if isinstance(control, ipyleaflet.LegendControl)]
    stops = [float(label.removesuffix(" m").replace(",", "").replace(" ", "")) for label in legend.legend]
    assert len(stops) == 6 and stops == sorted(stops, reverse=True) and len(set(np.diff(stops))) == 1


# Tutorial 11: to_datum(aoi, target), the DTM of an AOI (read_dem) converted from CGVD2013 to CGVD28 or to
# ellipsoidal heights with NRCan's grids from PROJ's CDN (offline: the mirror's synthetic grids, same names).

DATUMS = {
    "en": ROOT / "notebooks/en/11-heights-and-datums.ipynb",
    "fr": ROOT / "notebooks/fr/11-altitudes-et-systemes-de-reference-fr.ipynb",
}
PARLIAMENT = (-75.703, 45.421, -75.697, 45.425)  # about 470 m x 440 m of tile 9_2 at 2 m
NO_SUCH_GRID = "ca_nrc_HT2_2010v99.tif"  # a grid name PROJ's CDN does not have
SAYS_11 = {
    "target": {"en": "target is 'CGVD28' or 'ellipsoidal'", "fr": "target vaut « CGVD28 » ou « ellipsoidal »"},
    "grid": {"en": f"PROJ's CDN has no grid {NO_SUCH_GRID}", "fr": f"Le CDN de PROJ n'a pas de grille {NO_SUCH_GRID}"},
    "offline": {
        "en": f"The grid {NO_SUCH_GRID} is not in .* and download=False",
        "fr": f"La grille {NO_SUCH_GRID} n'est pas dans .* et download=False",
    },
}


@pytest.fixture(scope="module")
def to_datum(language):
    return recipe(DATUMS[language])["to_datum"]


says_11 = partial(raises_saying, SAYS_11)


@pytest.mark.parametrize("target", ["CGVD2013", "NAVD88", "cgvd28", None])
def test_11_to_a_datum_it_does_not_know(to_datum, language, target):
    with says_11("target", language):
        to_datum(PARLIAMENT, target=target)


def test_11_with_a_grid_the_cdn_does_not_have(to_datum, language):
    with says_11("grid", language):
        to_datum(PARLIAMENT, target="CGVD28", grids={"CGVD28": NO_SUCH_GRID})


def test_11_with_downloads_off_and_a_grid_not_on_disk(to_datum, language):
    with says_11("offline", language):
        to_datum(PARLIAMENT, target="CGVD28", grids={"CGVD28": NO_SUCH_GRID}, download=False)


def test_11_over_an_aoi_without_coverage(to_datum, language):
    banks_island = box(-119.0, 72.9, -118.7, 73.0)  # tile 4_8: satellite-derived DSM only, no DTM
    with expect("no_asset", language):
        to_datum(banks_island, resolution=16)
    hole = shapely.Point(-75.62298, 45.24412).buffer(0.0004)  # a gap in the mirror's coverage (as for 03)
    with expect("no_data", language):
        to_datum(hole, target="ellipsoidal")


def test_11_the_usual_bad_aois(to_datum, language):
    with expect("not_degrees", language):
        to_datum(box(1509000, -171500, 1512000, -168500))
    with expect("swapped", language):
        to_datum(box(45.421, -75.703, 45.425, -75.697))
    with expect("outside", language):
        to_datum(box(2.2, 48.8, 2.5, 48.9))  # Paris


def test_11_a_good_aoi_agrees_with_pyproj_at_a_point(to_datum):
    import numpy as np
    import pyproj
    from rasterio.crs import CRS

    for target, grid in [("CGVD28", "ca_nrc_HT2_2010v70.tif"), ("ellipsoidal", None)]:
        converted = to_datum(PARLIAMENT, target=target)
        assert converted.attrs["vertical_datum"] == target and converted.attrs["items"] == ["9_2-mosaic-2m"]
        assert converted.rio.crs.to_epsg() == 3979 and converted.dtype == np.float32
        original = to_datum.__globals__["read_dem"](PARLIAMENT)
        assert np.array_equal(np.isnan(converted.values), np.isnan(original.values))  # no pixel lost or made up
        row, col = (size // 2 for size in converted.shape)
        x, y, height = float(converted.x[col]), float(converted.y[row]), float(original.values[row, col])
        source = pyproj.CRS(CRS.from_string("+init=EPSG:3979 +geoidgrids=ca_nrc_CGG2013an83.tif").to_wkt())
        if grid:
            destination = pyproj.CRS(CRS.from_string(f"+init=EPSG:3979 +geoidgrids={grid}").to_wkt())
        else:
            destination = pyproj.CRS("EPSG:3979").to_3d()
        _, _, expected = pyproj.Transformer.from_crs(source, destination, always_xy=True).transform(
            x, y, height, errcheck=True
        )
        assert abs(float(converted.values[row, col]) - expected) < 2e-3, (target, converted.values[row, col], expected)
        assert abs(expected - height) > 1e-3  # the conversion changed the height


def test_11_a_grid_that_misses_the_aoi_is_refused_not_left_as_nan(to_datum, language):
    """A grid on disk that does not cover the AOI (here a small one over Vancouver): GDAL leaves the pixels
    without a height, and to_datum says so rather than return them as NaN."""
    from pathlib import Path

    import numpy as np
    import pyproj
    import rasterio
    from rasterio.transform import from_origin

    path = Path(pyproj.datadir.get_user_data_dir(True)) / "ca_nrc_test_vancouver_only.tif"
    if not path.exists():  # in `python -m mirror run`, PROJ's user folder is the run's own
        with rasterio.open(
            path,
            "w",
            driver="GTiff",
            width=13,
            height=7,
            count=1,
            dtype="float32",
            crs="EPSG:8252",
            transform=from_origin(-123.55, 49.55, 0.1, 0.1),
        ) as grid:
            grid.write(np.full((7, 13), -17.0, dtype="float32"), 1)
            grid.update_tags(AREA_OR_POINT="Point", TYPE="VERTICAL_OFFSET_GEOGRAPHIC_TO_VERTICAL")
    says = {"en": "came out NaN or inf", "fr": "sortis en NaN ou inf"}
    with pytest.raises(ValueError, match=says[language]):
        to_datum(PARLIAMENT, target="CGVD28", grids={"CGVD28": path.name}, download=False)
