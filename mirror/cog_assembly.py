"""A Cloud Optimized GeoTIFF assembled from one GeoTIFF per resolution level, empty tiles left empty.

GDAL's COG and GTiff writers read every pixel of the full-resolution level, even from
a sparse source: for MRDEM-30's 185,220 x 166,668 pixels that alone is a minute. Here
each level is written by GDAL (see ``pyramid.py``), tiled, compressed and sparse; this
module lays their IFDs out the way GDAL lays out a COG (every IFD first, then the tiles
from the coarsest overview to full resolution) and copies the compressed tiles as they
are. Tiles that were never written keep offset 0 and size 0, which GDAL reads as nodata.
"""

import struct
from contextlib import ExitStack
from pathlib import Path

import tifffile

NEW_SUBFILE_TYPE, TILE_OFFSETS, TILE_BYTE_COUNTS = 254, 324, 325
# What GDAL itself writes in an overview's IFD (no georeferencing: it comes from the first IFD).
OVERVIEW_TAGS = {256, 257, 258, 259, 262, 277, 284, 317, 322, 323, 339, 42113}
TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 16: 8, 17: 8, 18: 8}
LONG, LONG8 = 4, 16
HEADER_SIZE = 16  # BigTIFF


def assemble(levels: list[Path], target: Path) -> None:
    """Write ``target`` from ``levels``: full resolution first, then overviews of factor 2, 4, ..."""
    with ExitStack() as stack:
        files = [stack.enter_context(open(path, "rb")) for path in levels]
        pages = [stack.enter_context(tifffile.TiffFile(path)).pages[0] for path in levels]
        ifds = [_entries(page, handle, overview=index > 0) for index, (page, handle) in enumerate(zip(pages, files))]
        tile_counts = [len(page.dataoffsets) for page in pages]
        layout, data_start = _layout(ifds, tile_counts)
        cursor = data_start
        offsets = [None] * len(pages)
        for index in reversed(range(len(pages))):  # the coarsest overview's tiles first
            sizes = pages[index].databytecounts
            level_offsets = []
            for size in sizes:
                level_offsets.append(cursor if size else 0)
                cursor += size
            offsets[index] = level_offsets
        with open(target, "wb") as out:
            out.write(b"II" + struct.pack("<HHHQ", 43, 8, 0, HEADER_SIZE))
            for index, entries in enumerate(ifds):
                entries = dict(entries)
                entries[TILE_OFFSETS] = (LONG8, tile_counts[index], struct.pack(f"<{tile_counts[index]}Q", *offsets[index]))
                entries[TILE_BYTE_COUNTS] = (LONG8, tile_counts[index],
                                             struct.pack(f"<{tile_counts[index]}Q", *pages[index].databytecounts))
                next_ifd = layout[index + 1][0] if index + 1 < len(ifds) else 0
                _write_ifd(out, layout[index], entries, next_ifd)
            assert out.tell() == data_start
            for index in reversed(range(len(pages))):
                source = files[index]
                for offset, size in zip(pages[index].dataoffsets, pages[index].databytecounts):
                    if size:
                        source.seek(offset)
                        out.write(source.read(size))


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
    """Where each IFD and its out-of-line values go; returns [(ifd offset, values offset)], data start."""
    cursor = HEADER_SIZE
    layout = []
    for entries, tiles in zip(ifds, tile_counts):
        count = len(entries) + 2
        ifd_offset = cursor
        cursor += 8 + 20 * count + 8
        values_offset = cursor
        cursor += sum(_padded(len(raw)) for _, _, raw in entries.values() if len(raw) > 8)
        cursor += 2 * _padded(8 * tiles) if 8 * tiles > 8 else 0
        layout.append((ifd_offset, values_offset))
    return layout, cursor


def _write_ifd(out, place, entries, next_ifd):
    ifd_offset, values_offset = place
    assert out.tell() == ifd_offset
    out.write(struct.pack("<Q", len(entries)))
    external = []
    cursor = values_offset
    for code in sorted(entries):
        dtype, count, raw = entries[code]
        if len(raw) > 8:
            field = struct.pack("<Q", cursor)
            external.append(raw + b"\0" * (_padded(len(raw)) - len(raw)))
            cursor += _padded(len(raw))
        else:
            field = raw + b"\0" * (8 - len(raw))
        out.write(struct.pack("<HHQ", code, dtype, count) + field)
    out.write(struct.pack("<Q", next_ifd))
    for raw in external:
        out.write(raw)


def _padded(size: int) -> int:
    return size + (size & 1)
