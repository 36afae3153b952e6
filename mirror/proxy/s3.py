"""S3 semantics over a folder of files: GET, HEAD, Range (206/416), ETag, NoSuchKey."""

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

PART_SIZE = 8 * 1024 * 1024  # S3 multipart ETags end in "-<number of parts>"

NO_SUCH_KEY = (
    """<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"""
    """<Key>{key}</Key><RequestId>MIRROR</RequestId></Error>"""
)
INVALID_RANGE = (
    """<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>InvalidRange</Code><Message>The requested range is not satisfiable</Message>"""
    """<RangeRequested>{range}</RangeRequested><ActualObjectSize>{size}</ActualObjectSize></Error>"""
)

CONTENT_TYPES = {
    ".tif": "image/tiff",
    ".vrt": "application/xml",
    ".geojson": "application/geo+json",
    ".gpkg": "application/geopackage+sqlite3",
    ".png": "image/png",
}


@dataclass
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def answer(root: Path, method: str, path: str, range_header: str | None) -> Answer:
    key = path.lstrip("/").split("?")[0]
    file = (root / key).resolve()
    if method not in ("GET", "HEAD"):
        return Answer(405, {"Content-Type": "text/plain"}, b"the mirror's bucket is read-only\n")
    if not key or root.resolve() not in file.parents or not file.is_file():
        return Answer(404, {"Content-Type": "application/xml"}, NO_SUCH_KEY.format(key=key).encode())
    size = file.stat().st_size
    headers = {
        "Content-Type": CONTENT_TYPES.get(file.suffix, "application/octet-stream"),
        "Accept-Ranges": "bytes",
        "ETag": etag(file),
        "Last-Modified": "Sun, 24 Mar 2026 18:03:29 GMT",
        "Access-Control-Allow-Origin": "*",
    }
    span = parse_range(range_header, size) if range_header else None
    if span == "unsatisfiable":
        return Answer(
            416,
            {"Content-Type": "application/xml", "Content-Range": f"bytes */{size}"},
            INVALID_RANGE.format(range=range_header, size=size).encode(),
        )
    start, end = span if span else (0, size - 1)
    length = max(end - start + 1, 0)
    headers["Content-Length"] = str(length)
    if span:
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    body = b"" if method == "HEAD" else read(file, start, length)
    return Answer(206 if span else 200, headers, body)


def parse_range(header: str, size: int):
    """(start, end) inclusive for a single ``bytes=`` range; None to ignore it; or "unsatisfiable"."""
    match = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", header)
    if not match or match.group(1) == match.group(2) == "":
        return None  # S3 ignores ranges it cannot parse (and multi-ranges) and sends the whole object
    first, last = match.groups()
    if first == "":
        suffix = int(last)
        if suffix == 0:
            return "unsatisfiable"
        return (max(size - suffix, 0), size - 1)
    start = int(first)
    if start >= size:
        return "unsatisfiable"
    end = min(int(last), size - 1) if last else size - 1
    if end < start:
        return None
    return (start, end)


def read(file: Path, start: int, length: int) -> bytes:
    with open(file, "rb") as handle:
        handle.seek(start)
        return handle.read(length)


_etags: dict[tuple[str, float, int], str] = {}


def etag(file: Path) -> str:
    """An S3-style multipart ETag: md5 of the parts' md5s, then "-<parts>"; cached per file state."""
    stat = file.stat()
    cache_key = (os.fspath(file), stat.st_mtime, stat.st_size)
    if cache_key not in _etags:
        digests = []
        with open(file, "rb") as handle:
            while chunk := handle.read(PART_SIZE):
                digests.append(hashlib.md5(chunk).digest())
        if len(digests) <= 1:
            value = (digests[0] if digests else hashlib.md5(b"").digest()).hex()
        else:
            value = f"{hashlib.md5(b''.join(digests)).hexdigest()}-{len(digests)}"
        _etags[cache_key] = f'"{value}"'
    return _etags[cache_key]
