"""A Cloud Optimized GeoTIFF assembled from one GeoTIFF per resolution level, empty tiles left empty.

GDAL's COG and GTiff writers read every pixel of the full-resolution level, even from
a sparse source: for a live-size 1 m tile (500,000 x 500,000 pixels) that alone is
minutes. Here each level is written by GDAL (see ``pyramid.py``), tiled, compressed and
sparse; this module lays their IFDs out the way GDAL lays out a COG (every IFD first, then
the tile tables, then the tiles from the coarsest overview to full resolution) and copies
the compressed tiles as they are. Tiles that were never written keep offset 0 and size 0,
which GDAL reads as nodata.

The tile tables of a live-size 1 m file hold about a million entries each (7.6 MB), nearly
all zero: their zero pages are left as holes in the file (``sparse_tables``), so they take
no room on disk; a reader sees zeros, as written.
"""

import struct
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import tifffile

NEW_SUBFILE_TYPE, TILE_OFFSETS, TILE_BYTE_COUNTS = 254, 324, 325
# What GDAL itself writes in an overview's IFD (no georeferencing: it comes from the first IFD).
OVERVIEW_TAGS = {256, 257, 258, 259, 262, 277, 284, 317, 322, 323, 339, 42113}
TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 16: 8, 17: 8, 18: 8}
LONG, LONG8 = 4, 16
HEADER_SIZE = 16  # BigTIFF
PAGE = 4096  # a run of this many zero bytes, aligned in the file, is skipped (a hole) rather than written


def assemble(levels: list[Path], target: Path, sparse_tables: bool = True) -> None:
    """Write ``target`` from ``levels``: full resolution first, then overviews of factor 2, 4, ..."""
    with ExitStack() as stack:
        files = [stack.enter_context(open(path, "rb")) for path in levels]
        pages = [stack.enter_context(tifffile.TiffFile(path)).pages[0] for path in levels]
        ifds = [_entries(page, handle, overview=index > 0) for index, (page, handle) in enumerate(zip(pages, files))]
        sources = [np.asarray(page.dataoffsets, dtype=np.uint64) for page in pages]
        sizes = [np.asarray(page.databytecounts, dtype=np.uint64) for page in pages]
        places, tables, data_start = _layout(ifds, [len(level) for level in sizes])
        cursor = data_start
        offsets = [None] * len(pages)
        for index in reversed(range(len(pages))):  # the coarsest overview's tiles first
            ends = cursor + np.cumsum(sizes[index], dtype=np.uint64)
            offsets[index] = np.where(sizes[index] > 0, ends - sizes[index], 0).astype("<u8")
            cursor = int(ends[-1]) if len(ends) else cursor
        with open(target, "wb") as out:
            out.write(b"II" + struct.pack("<HHHQ", 43, 8, 0, HEADER_SIZE))
            for index, entries in enumerate(ifds):
                entries = dict(entries)
                for code, values, place in (
                    (TILE_OFFSETS, offsets[index], tables[index][0]),
                    (TILE_BYTE_COUNTS, sizes[index].astype("<u8"), tables[index][1]),
                ):
                    entries[code] = (LONG8, len(values), values.tobytes() if place is None else place)
                next_ifd = places[index + 1][0] if index + 1 < len(ifds) else 0
                _write_ifd(out, places[index], entries, next_ifd)
            for index in range(len(ifds)):
                for place, values in zip(tables[index], (offsets[index], sizes[index].astype("<u8"))):
                    if place is not None:
                        assert out.tell() == place
                        _write(out, values.tobytes(), sparse_tables)
            assert out.tell() == data_start
            for index in reversed(range(len(pages))):
                source = files[index]
                for tile in np.flatnonzero(sizes[index]):
                    source.seek(int(sources[index][tile]))
                    out.write(source.read(int(sizes[index][tile])))
            assert out.tell() == cursor
            out.truncate(cursor)  # the file ends where it should, even when it ends in a hole


def _entries(page, handle, overview: bool) -> dict:
    """The IFD's tags as raw little-endian values, less the tile tables (rewritten later)."""
    entries = {}
    if overview:
        entries[NEW_SUBFILE_TYPE] = (LONG, 1, struct.pack("<I", 1))
    for tag in page.tags.values():
        if tag.code in (TILE_OFFSETS, TILE_BYTE_COUNTS, NEW_SUBFILE_TYPE):
            continue
        if overview and tag.code not in OVERVIEW_TAGS:
            continue
        handle.seek(tag.valueoffset)
        entries[tag.code] = (int(tag.dtype), tag.count, handle.read(tag.count * TYPE_SIZES[int(tag.dtype)]))
    return entries


def _layout(ifds, tile_counts):
    """Where everything goes: every IFD with its small out-of-line values, then the tile tables of
    every level, then the data. Returns [(ifd offset, values offset)], [(offsets table, sizes table)]
    (None for a table short enough to sit in its IFD entry) and where the data start."""
    cursor = HEADER_SIZE
    places = []
    for entries in ifds:
        count = len(entries) + 2
        ifd_offset = cursor
        cursor += 8 + 20 * count + 8
        places.append((ifd_offset, cursor))
        cursor += sum(_padded(len(raw)) for _, _, raw in entries.values() if len(raw) > 8)
    tables = []
    for tiles in tile_counts:
        if 8 * tiles > 8:
            tables.append((cursor, cursor + 8 * tiles))
            cursor += 16 * tiles
        else:
            tables.append((None, None))
    return places, tables, cursor


def _write_ifd(out, place, entries, next_ifd):
    """One IFD and its small out-of-line values; an entry whose value is an int points at a table
    written elsewhere."""
    ifd_offset, values_offset = place
    assert out.tell() == ifd_offset
    out.write(struct.pack("<Q", len(entries)))
    external = []
    cursor = values_offset
    for code in sorted(entries):
        dtype, count, raw = entries[code]
        if isinstance(raw, int):
            field = struct.pack("<Q", raw)
        elif len(raw) > 8:
            field = struct.pack("<Q", cursor)
            external.append(raw + b"\0" * (_padded(len(raw)) - len(raw)))
            cursor += _padded(len(raw))
        else:
            field = raw + b"\0" * (8 - len(raw))
        out.write(struct.pack("<HHQ", code, dtype, count) + field)
    out.write(struct.pack("<Q", next_ifd))
    for raw in external:
        out.write(raw)


def _write(out, raw: bytes, sparse: bool) -> None:
    """Write ``raw`` at the current position; with ``sparse``, whole zero pages become holes."""
    if not sparse or len(raw) < 2 * PAGE:
        out.write(raw)
        return
    start = out.tell()
    head = -start % PAGE  # up to the first page boundary of the file
    out.write(raw[:head])
    body = np.frombuffer(raw, dtype=np.uint8, offset=head, count=(len(raw) - head) // PAGE * PAGE).reshape(-1, PAGE)
    written = body.any(axis=1)
    index = 0
    while index < len(written):
        run = index
        while run < len(written) and written[run] == written[index]:
            run += 1
        if written[index]:
            out.write(body[index:run].tobytes())
        else:
            out.seek((run - index) * PAGE, 1)
        index = run
    out.write(raw[head + body.size :])


def _padded(size: int) -> int:
    return size + (size & 1)
