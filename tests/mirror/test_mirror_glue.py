"""The mirror's proxy glue on its own: STAC GET-to-POST searches, link rewriting, S3 semantics."""

import json

import pytest

from mirror.proxy import s3, stac


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/stac/api/", "/"),
        ("/stac/api", "/"),
        ("/pgstac/api/search", "/search"),
        ("/search", "/search"),
        ("/stac/api/collections/mrdem-30", "/collections/mrdem-30"),
        ("/api", "/"),
        ("/api/", "/"),
        ("/api/collections/mrdem-30", "/collections/mrdem-30"),
        ("/stac/apix", "/stac/apix"),
        ("/apix", "/apix"),
    ],
)
def test_every_prefix_reaches_the_same_server_path(path, expected):
    assert stac.upstream_path(path) == expected


def test_get_search_becomes_the_equivalent_post_body():
    query = {
        "collections": "hrdem-mosaic-2m,hrdem-mosaic-1m",
        "bbox": "-75.85,45.30,-75.60,45.45",
        "limit": "1",
        "datetime": "2020-01-01T00:00:00Z/..",
        "ids": "9_2-mosaic-2m",
        "intersects": json.dumps({"type": "Point", "coordinates": [-75.7, 45.4]}),
        "token": "skip:3",
    }
    assert stac.search_body("/search", query) == {
        "collections": ["hrdem-mosaic-2m", "hrdem-mosaic-1m"],
        "bbox": [-75.85, 45.30, -75.60, 45.45],
        "limit": 1,
        "datetime": "2020-01-01T00:00:00Z/..",
        "ids": ["9_2-mosaic-2m"],
        "intersects": {"type": "Point", "coordinates": [-75.7, 45.4]},
        "skip": 3,
    }
    assert stac.search_body("/collections/mrdem-30/items", {"limit": "5"}) == {"collections": ["mrdem-30"], "limit": 5}


@pytest.mark.parametrize(
    "query, message",
    [
        ({"bbox": "1,2,3"}, "bbox must be 4 or 6"),
        ({"bbox": "a,b,c,d"}, "bbox must be 4 or 6"),
        ({"limit": "ten"}, "limit must be an integer"),
        ({"limit": "-1"}, "must not be negative"),
        ({"intersects": "{not json"}, "not valid GeoJSON"),
        ({"colections": "x"}, "unsupported search parameter"),
    ],
)
def test_bad_get_searches_are_explained(query, message):
    with pytest.raises(stac.BadSearch, match=message):
        stac.search_body("/search", query)


def test_every_get_search_is_translated_even_without_parameters():
    assert stac.is_search_get("/search") and stac.is_search_get("/collections/x/items")
    assert not stac.is_search_get("/collections/x") and not stac.is_search_get("/collections/x/items/i")


def test_links_point_where_the_live_api_points_and_paging_stays_get():
    document = {
        "links": [
            {"rel": "root", "href": "https://datacube.services.geo.ca/stac/api"},
            {
                "rel": "next",
                "href": "https://datacube.services.geo.ca/search",
                "method": "POST",
                "body": {"limit": 1, "skip": 1, "collections": ["c"]},
            },
        ],
        "features": [{"links": [{"rel": "self", "href": "https://datacube.services.geo.ca/collections/c/items/i"}]}],
        "context": {"returned": 1},
    }
    stac.rewrite_links(document, {"collections": "c", "limit": "1"})
    assert document["links"][0]["href"] == "https://datacube.services.geo.ca/pgstac/api/"
    assert document["links"][1] == {
        "rel": "next",
        "method": "GET",
        "href": "https://datacube.services.geo.ca/pgstac/api/search?collections=c&limit=1&token=skip%3A1",
    }
    assert (
        document["features"][0]["links"][0]["href"]
        == "https://datacube.services.geo.ca/pgstac/api/collections/c/items/i"
    )
    assert "context" not in document


def test_paging_links_of_a_collections_items_get_stay_on_that_listing():
    document = {
        "links": [
            {
                "rel": "next",
                "href": "https://datacube.services.geo.ca/search",
                "method": "POST",
                "body": {"limit": 2, "skip": 2, "collections": ["c"]},
            }
        ]
    }
    stac.rewrite_links(document, {"limit": "2"}, "/collections/c/items")
    assert (
        document["links"][0]["href"]
        == "https://datacube.services.geo.ca/pgstac/api/collections/c/items?limit=2&token=skip%3A2"
    )


def test_rustac_links_without_its_prefix_keep_their_path():
    # rustac's OpenAPI document is at /api on its side, which the live host answers as a STAC root
    assert stac.public_href("https://datacube.services.geo.ca/api") == "https://datacube.services.geo.ca/pgstac/api/api"
    assert (
        stac.public_href("https://datacube.services.geo.ca/stac/api/") == "https://datacube.services.geo.ca/pgstac/api/"
    )
    assert stac.public_href("https://example.org/stac/api") == "https://example.org/stac/api"


def item(item_id, when):
    return {"id": item_id, "properties": {"datetime": when}}


def test_newest_first_is_pgstacs_default_order():
    items = [
        item("a", "2016-09-12T12:00:00Z"),
        item("b", "2023-08-13T12:00:00Z"),
        item("c", "2016-09-12T12:00:00Z"),
        item("d", "2013-02-19T12:00:00+00:00"),
        {"id": "e", "properties": {"datetime": None, "start_datetime": "2020-01-01T00:00:00Z"}},
    ]
    assert [i["id"] for i in stac.newest_first(items)] == ["b", "e", "c", "a", "d"]


def test_a_page_gets_its_slice_of_the_sorted_matches_unless_sortby_was_sent():
    matches = [item(str(n), f"20{10 + n}-01-01T12:00:00Z") for n in range(5)]  # oldest first
    page = {"features": matches[2:4]}  # rustac's second page of two, in the snapshot's order
    assert [f["id"] for f in stac.sort_page(page, matches, {"skip": 2, "limit": 2})["features"]] == ["2", "1"]
    first = {"features": matches[:2]}
    assert [f["id"] for f in stac.sort_page(first, matches, {"limit": 2})["features"]] == ["4", "3"]
    explicit = {"features": matches[:2]}
    assert (
        stac.sort_page(explicit, matches, {"sortby": [{"field": "id", "direction": "asc"}]})["features"] == matches[:2]
    )


@pytest.fixture
def bucket(tmp_path):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "f.tif").write_bytes(bytes(range(256)) * 4)
    return tmp_path


def test_s3_range_head_and_whole_object(bucket):
    whole = s3.answer(bucket, "GET", "/c/f.tif", None)
    assert whole.status == 200 and len(whole.body) == 1024 and whole.headers["Content-Length"] == "1024"
    part = s3.answer(bucket, "GET", "/c/f.tif", "bytes=10-19")
    assert part.status == 206 and part.body == bytes(range(10, 20))
    assert part.headers["Content-Range"] == "bytes 10-19/1024"
    tail = s3.answer(bucket, "GET", "/c/f.tif", "bytes=-4")
    assert tail.body == bytes(range(252, 256)) and tail.headers["Content-Range"] == "bytes 1020-1023/1024"
    head = s3.answer(bucket, "HEAD", "/c/f.tif", None)
    assert head.status == 200 and head.body == b"" and head.headers["Content-Length"] == "1024"
    assert whole.headers["ETag"].startswith('"') and whole.headers["Accept-Ranges"] == "bytes"


def test_s3_errors(bucket):
    beyond = s3.answer(bucket, "GET", "/c/f.tif", "bytes=5000-")
    assert beyond.status == 416 and beyond.headers["Content-Range"] == "bytes */1024"
    missing = s3.answer(bucket, "GET", "/c/nope.tif", None)
    assert (
        missing.status == 404 and b"<Code>NoSuchKey</Code>" in missing.body and b"<Key>c/nope.tif</Key>" in missing.body
    )
    escape = s3.answer(bucket, "GET", "/../etc/passwd", None)
    assert escape.status == 404
    assert s3.answer(bucket, "PUT", "/c/f.tif", None).status == 405


def test_s3_multipart_etag(tmp_path, monkeypatch):
    monkeypatch.setattr(s3, "PART_SIZE", 100)
    (tmp_path / "big").write_bytes(b"x" * 250)
    assert s3.etag(tmp_path / "big").endswith('-3"')


def test_collections_are_listed_in_the_snapshot_order():
    document = {"collections": [{"id": "a"}, {"id": "b"}, {"id": "c"}]}
    stac.reorder_collections(document, ["c", "a", "b"])
    assert [c["id"] for c in document["collections"]] == ["c", "a", "b"]
