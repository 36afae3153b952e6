"""What the guides, the READMEs and the cheatsheets are checked for: their addresses and ids
against the catalog snapshot, their relative links, their English and French pairs (used by
tests/repository/test_guides.py and test_front_doors.py)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
CATALOG_DIR = ROOT / "mirror" / "catalog"
GUIDES_DIR = ROOT / "guides"
LANGUAGES = ("en", "fr")
READMES = (ROOT / "README.md", ROOT / "README.fr.md")

API_HOST = "datacube.services.geo.ca"
ASSET_HOST = "canelevation-dem.s3.ca-central-1.amazonaws.com"
# The live API answers under /stac/api and, in the links it emits, /pgstac/api.
API_PREFIXES = ("/stac/api", "/pgstac/api")
# The bucket's root may be named as a place ("the COGs live on ..."); any other
# address on that host must be the href of an asset in the catalog.
BUCKET_ROOT = f"https://{ASSET_HOST}/"

TWIN_LINK_LINES = 5  # the link to the other language sits at the top
ATTRIBUTION = {
    "en": "Contains information licensed under the Open Government Licence – Canada.",
    "fr": "Contient de l'information visée par la Licence du gouvernement ouvert – Canada.",
}

# What in a `code` span is taken for an id (the whole span must match).
COLLECTION_SHAPE = re.compile(r"(?:hrdem|mrdem)-[a-z0-9-]+")
ITEM_SHAPES = (
    re.compile(r"\d+_\d+-mosaic-\d+m"),  # mosaic tiles: 9_2-mosaic-2m
    re.compile(r"arcticdem-\d+_\d+"),  # hrdem-arcticdem: arcticdem-1_5
    re.compile(r"mrdem"),  # the one mrdem-30 item
    re.compile(r"[A-Z][A-Z0-9]+[-_][A-Za-z0-9_-]*-\d+m"),  # hrdem-lidar: BC-Lower_Mainland_2016-1m
)
# Asset keys are short lowercase words built from these stems (dtm, hillshade-dsm,
# dsm-vrt, source-vrt...). A span made only of such stems and hyphens or
# underscores is taken for an asset key, so `dtm-cog` or `hillshade_dtm` is caught.
ASSET_KEY_STEMS = ("dsm", "dtm", "hillshade", "extent", "coverage", "thumbnail", "source", "vrt", "cog")
ASSET_KEY_SHAPE = re.compile(rf"(?:{'|'.join(ASSET_KEY_STEMS)})(?:[-_](?:{'|'.join(ASSET_KEY_STEMS)}))*")
# A file name of an asset, as written in prose: 9_2-mosaic-2m-dtm.tif. Only names
# that start like an item (or mrdem-30) count, so a reader's `ottawa-east-dtm.tif` does not.
ASSET_FILE_SHAPE = re.compile(
    rf"(?:{'|'.join(shape.pattern for shape in ITEM_SHAPES)}|mrdem-30)-"
    r"(?:(?:dsm|dtm|source)(?:_hillshade)?\.(?:tif|vrt)|extent\.geojson|coverage\.gpkg|thumbnail\.png)"
)
# Spans that match a shape above but are not ids, on purpose. Keep it short.
NOT_IDS: frozenset[str] = frozenset()

URL = re.compile(r"https?://[^\s<>()\[\]`'\"]+")
FENCE = re.compile(r"^(?P<fence>```+|~~~+).*?^(?P=fence)[ \t]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)")
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


@dataclass(frozen=True)
class Catalog:
    collections: frozenset[str]
    items: dict[str, str]  # item id -> collection id
    asset_keys: frozenset[str]
    asset_hrefs: frozenset[str]


def load_catalog(catalog_dir: Path = CATALOG_DIR) -> Catalog:
    collections = {
        json.loads(path.read_text(encoding="utf-8"))["id"]
        for path in sorted((catalog_dir / "collections").glob("*.json"))
    }
    items, keys, hrefs = {}, set(), set()
    for path in sorted((catalog_dir / "items").glob("*.json")):
        for item in json.loads(path.read_text(encoding="utf-8"))["features"]:
            items[item["id"]] = item["collection"]
            for key, asset in item["assets"].items():
                keys.add(key)
                hrefs.add(asset["href"])
    return Catalog(frozenset(collections), items, frozenset(keys), frozenset(hrefs))


def guide_files(guides_dir: Path = GUIDES_DIR) -> list[Path]:
    return sorted(path for language in LANGUAGES for path in (guides_dir / language).glob("*.md"))


def shown(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def blank_out(text: str, pattern: re.Pattern) -> str:
    """The text with every match of pattern replaced by spaces (newlines kept), so
    offsets and line numbers stay true."""
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def code_spans(text: str):
    """(line, content) of every inline `code` span outside fenced blocks."""
    prose = blank_out(text, FENCE)
    for match in CODE_SPAN.finditer(prose):
        yield line_of(prose, match.start()), match.group(2).strip()


# --- addresses on the mirrored hosts -------------------------------------------------


def api_url_problem(url: str, catalog: Catalog) -> str | None:
    """Why an address on the API host names nothing the catalog has, or None."""
    parts = urlsplit(url)
    prefix = next((p for p in API_PREFIXES if parts.path == p or parts.path.startswith(p + "/")), None)
    if prefix is None:
        return f"is not under {' or '.join(API_PREFIXES)}"
    rest = [segment for segment in parts.path[len(prefix) :].split("/") if segment]
    for value in parse_qs(parts.query).get("collections", []):
        unknown = [c for c in value.split(",") if c not in catalog.collections]
        if unknown:
            return f"searches unknown collection(s) {', '.join(unknown)}"
    if rest in ([], ["conformance"], ["search"], ["collections"]):
        return None
    shape_ok = rest[0] == "collections" and (len(rest) == 2 or (len(rest) in (3, 4) and rest[2] == "items"))
    if not shape_ok:
        return "has a path the API does not serve (root, search, conformance, collections/<id>[/items[/<id>]])"
    collection = rest[1]
    if collection not in catalog.collections:
        return f"names collection {collection!r}, which is not in the catalog"
    if len(rest) == 4 and catalog.items.get(rest[3]) != collection:
        return f"names item {rest[3]!r}, which the catalog does not hold in collection {collection!r}"
    return None


def check_urls(paths: list[Path], catalog: Catalog) -> list[str]:
    """Addresses on the two mirrored hosts must be known to the catalog."""
    problems = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for match in URL.finditer(text):
            url = match.group(0).rstrip(".,;:!?*_")
            host = urlsplit(url).hostname
            where = f"{shown(path)}:{line_of(text, match.start())}: {url}"
            if host == API_HOST:
                problem = api_url_problem(url, catalog)
                if problem:
                    problems.append(f"{where} {problem}")
            elif host == ASSET_HOST:
                bare = url.split("?", 1)[0].split("#", 1)[0]
                if bare != BUCKET_ROOT and bare not in catalog.asset_hrefs:
                    problems.append(f"{where} is not the href of any asset in the catalog")
    return problems


# --- ids in `code` spans -------------------------------------------------------------


def check_code_ids(paths: list[Path], catalog: Catalog) -> list[str]:
    """Collection ids, item ids, asset keys and asset file names written in `code`
    spans must exist in the catalog."""
    problems = []
    file_names = {href.rsplit("/", 1)[1] for href in catalog.asset_hrefs}
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for line, span in code_spans(text):
            if span in NOT_IDS:
                continue
            where = f"{shown(path)}:{line}: `{span}`"
            if any(shape.fullmatch(span) for shape in ITEM_SHAPES):
                if span not in catalog.items:
                    problems.append(f"{where} looks like an item id but no item has it")
            elif COLLECTION_SHAPE.fullmatch(span):
                if span not in catalog.collections:
                    problems.append(f"{where} looks like a collection id but no collection has it")
            elif ASSET_KEY_SHAPE.fullmatch(span):
                if span not in catalog.asset_keys:
                    problems.append(f"{where} looks like an asset key but no asset has it")
            elif ASSET_FILE_SHAPE.fullmatch(span):
                if span not in file_names:
                    problems.append(f"{where} looks like an asset file name but no asset href ends with it")
    return problems


# --- relative links ------------------------------------------------------------------


def heading_anchors(path: Path) -> set[str]:
    """The anchors GitHub gives a markdown file's headings: lowercase, punctuation
    dropped (letters with accents kept), spaces to hyphens, -1, -2... for repeats."""
    text = blank_out(path.read_text(encoding="utf-8"), FENCE)
    anchors, seen = set(), {}
    for match in HEADING.finditer(text):
        title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", match.group(1))  # links to their text
        slug = re.sub(r"[^\w\- ]", "", title.replace("`", "").lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def check_relative_links(paths: list[Path]) -> list[str]:
    """Every relative link leads to an existing file, and its #anchor (if any) to a
    heading of that file."""
    problems = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        prose = blank_out(blank_out(text, FENCE), CODE_SPAN)
        for match in LINK.finditer(prose):
            target = match.group(1)
            if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target):  # https:, mailto:...
                continue
            where = f"{shown(path)}:{line_of(prose, match.start())}: link {target}"
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            if not linked.exists():
                problems.append(f"{where} leads to no file ({shown(linked)})")
            elif anchor and linked.suffix == ".md" and anchor not in heading_anchors(linked):
                problems.append(f"{where}: {shown(linked)} has no heading with anchor #{anchor}")
    return problems


# --- pairs, twin links, attribution --------------------------------------------------


def guide_twin_names(root: Path = ROOT) -> dict[str, dict[str, str]]:
    """{language: {file name: its twin's file name}} for the guides whose English and French
    files are named differently (the `guides` list of notebooks/toc.yml, which the site reads
    too); the other guides pair by file name."""
    toc = root / "notebooks" / "toc.yml"
    pairs = (yaml.safe_load(toc.read_text(encoding="utf-8")) or {}).get("guides") or [] if toc.exists() else []
    return {
        "en": {pair["en"]: pair["fr"] for pair in pairs},
        "fr": {pair["fr"]: pair["en"] for pair in pairs},
    }


def check_pairs(guides_dir: Path = GUIDES_DIR) -> list[str]:
    """Each guide exists in English and in French, under the same file name or under the
    two names toc.yml pairs, links to its twin at the top, and ends with the data
    attribution in its language."""
    names = {language: {p.name for p in (guides_dir / language).glob("*.md")} for language in LANGUAGES}
    twin_names = guide_twin_names(guides_dir.parent)
    problems = []
    if not any(names.values()):
        problems.append(f"{shown(guides_dir)} holds no guide in {' or '.join(LANGUAGES)}")
    for language, other in (LANGUAGES, LANGUAGES[::-1]):
        for name in sorted(names[language]):
            twin = twin_names[language].get(name, name)
            if twin not in names[other]:
                problems.append(f"{shown(guides_dir / language / name)} has no twin {other}/{twin}")
    for language, other in (LANGUAGES, LANGUAGES[::-1]):
        for name in sorted(names[language]):
            twin = twin_names[language].get(name, name)
            if twin not in names[other]:
                continue
            path = guides_dir / language / name
            text = path.read_text(encoding="utf-8")
            top = "\n".join(text.splitlines()[:TWIN_LINK_LINES])
            if f"](../{other}/{twin})" not in top:
                problems.append(
                    f"{shown(path)} does not link to ../{other}/{twin} in its first {TWIN_LINK_LINES} lines"
                )
            if ATTRIBUTION[language] not in text:
                problems.append(f"{shown(path)} lacks the attribution: {ATTRIBUTION[language]}")
    return problems


# --- the real guides -----------------------------------------------------------------
