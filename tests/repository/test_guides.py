"""The desktop guides (guides/en, guides/fr) name only things that exist.

Every address on the two mirrored hosts, every collection id, item id and asset
key a guide writes in a `code` span, is checked against the mirror's catalog
snapshot (mirror/catalog/*.json); every relative link in the guides and in the
two READMEs must lead to a file (and heading) that exists; English and French
guides come in pairs. These tests read files only: they need no running mirror.

Each checker returns a list of problems, one readable sentence each, naming the
file and line. The tests at the bottom feed each checker a broken guide written
in tmp_path and assert that it is reported.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from guide_checks import (
    API_HOST,
    ASSET_HOST,
    ASSET_KEY_SHAPE,
    ATTRIBUTION,
    BUCKET_ROOT,
    GUIDES_DIR,
    ITEM_SHAPES,
    LANGUAGES,
    LINK,
    READMES,
    ROOT,
    URL,
    Catalog,
    check_code_ids,
    check_pairs,
    check_relative_links,
    check_urls,
    code_spans,
    guide_files,
    load_catalog,
    shown,
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_the_catalog_sets_are_read_from_the_snapshot(catalog):
    assert {"mrdem-30", "hrdem-mosaic-1m", "hrdem-mosaic-2m", "hrdem-lidar", "hrdem-arcticdem"} <= catalog.collections
    assert {"dtm", "dsm", "extent", "thumbnail", "hillshade-dtm"} <= catalog.asset_keys
    assert catalog.items["9_2-mosaic-2m"] == "hrdem-mosaic-2m"
    assert all(href.startswith(BUCKET_ROOT) for href in catalog.asset_hrefs)
    assert all(ASSET_KEY_SHAPE.fullmatch(key) for key in catalog.asset_keys), (
        "an asset key in the catalog has a shape the guide check would not recognise"
    )
    assert all(any(s.fullmatch(i) for s in ITEM_SHAPES) for i in catalog.items), (
        "an item id in the catalog has a shape the guide check would not recognise"
    )


def test_guides_come_in_english_and_french_pairs():
    assert check_pairs() == []
    assert {p.name for p in guide_files()} >= {"qgis.md", "arcgis-pro.md", "cheatsheet.md", "aide-memoire.md"}


def test_addresses_in_guides_are_in_the_catalog(catalog):
    assert check_urls(guide_files(), catalog) == []


def test_ids_in_guides_code_spans_are_in_the_catalog(catalog):
    assert check_code_ids(guide_files(), catalog) == []


def test_relative_links_in_guides_and_readmes_resolve():
    assert check_relative_links([*guide_files(), *READMES]) == []


def test_the_guides_name_what_they_are_checked_for(catalog):
    """Guards against the checks passing on nothing: the guides do name API URLs,
    asset hrefs, ids and relative links, so each check above has had work to do."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in guide_files())
    hosts = {urlsplit(m.group(0)).hostname for m in URL.finditer(text)}
    assert {API_HOST, ASSET_HOST} <= hosts
    spans = {span for path in guide_files() for _, span in code_spans(path.read_text(encoding="utf-8"))}
    assert spans & catalog.collections and spans & set(catalog.items) and spans & catalog.asset_keys
    assert LINK.search(text)


# --- each check, seen failing on a broken guide --------------------------------------


def write_guide(root: Path, language: str, name: str, body: str) -> Path:
    path = root / "guides" / language / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def test_an_unknown_collection_id_in_a_code_span_is_reported(tmp_path, catalog):
    guide = write_guide(tmp_path, "en", "qgis.md", "# QGIS\n\nOpen `hrdem-mosaic-2m`,\nthen `hrdem-mosaic-3m`.\n")
    problems = check_code_ids([guide], catalog)
    assert len(problems) == 1 and "qgis.md:4: `hrdem-mosaic-3m` looks like a collection id" in problems[0], problems


def test_unknown_item_ids_asset_keys_and_file_names_are_reported(tmp_path, catalog):
    guide = write_guide(
        tmp_path,
        "fr",
        "qgis.md",
        (
            "Les tuiles `9_2-mosaic-2m` et `9_9-mosaic-2m`, l'élément `mrdem`,\n"
            "le projet `BC-Lower_Mainland_2099-1m`, l'actif `dtm` et non `dtm-cog`,\n"
            "le fichier `9_2-mosaic-2m-dtm.tif` et non `4_8-mosaic-2m-dtm.tif`.\n"
            "Sans rapport : `EPSG:3979`, `-32767`, `/vsicurl/`.\n"
        ),
    )
    problems = check_code_ids([guide], catalog)
    flagged = sorted(re.search(r"`([^`]+)`", p).group(1) for p in problems)
    assert flagged == ["4_8-mosaic-2m-dtm.tif", "9_9-mosaic-2m", "BC-Lower_Mainland_2099-1m", "dtm-cog"], problems


def test_a_bad_asset_href_is_reported(tmp_path, catalog):
    good = "https://canelevation-dem.s3.ca-central-1.amazonaws.com/mrdem-30/mrdem-30-dtm.tif"
    bad = "https://canelevation-dem.s3.ca-central-1.amazonaws.com/hrdem-mosaic-2m/4_8-mosaic-2m-dtm.tif"
    guide = write_guide(
        tmp_path,
        "en",
        "arcgis-pro.md",
        (
            f"Open {good}.\n\n```text\n/vsicurl/{bad}\n```\n\nThe bucket: {BUCKET_ROOT}\n"
            "Elsewhere: https://example.com/mrdem-30-dtm.tif\n"
        ),
    )
    problems = check_urls([guide], catalog)
    assert len(problems) == 1, problems
    assert f"arcgis-pro.md:4: {bad} is not the href of any asset" in problems[0]


def test_bad_stac_api_addresses_are_reported(tmp_path, catalog):
    api = "https://datacube.services.geo.ca/stac/api"
    fine = [
        f"{api}/",
        f"{api}/collections",
        f"{api}/collections/hrdem-lidar",
        f"{api}/collections/hrdem-mosaic-2m/items/9_2-mosaic-2m",
        "https://datacube.services.geo.ca/pgstac/api/collections/mrdem-30/items",
        f"{api}/search?collections=hrdem-mosaic-2m&bbox=-75.85,45.30,-75.60,45.45",
    ]
    broken = [
        f"{api}/collections/hrdem-mosaic-3m",
        f"{api}/collections/hrdem-mosaic-2m/items/9_2-mosaic-1m",
        f"{api}/collections/hrdem-lidar/things",
        f"{api}/search?collections=hrdem-mosaic-3m",
        "https://datacube.services.geo.ca/api/collections",
    ]
    guide = write_guide(tmp_path, "en", "qgis.md", "\n".join(f"- <{url}>" for url in fine + broken) + "\n")
    problems = check_urls([guide], catalog)
    assert [p.split(": ", 1)[1].split(" ", 1)[0] for p in problems] == broken, problems


def test_a_dead_relative_link_or_anchor_is_reported(tmp_path):
    write_guide(tmp_path, "en", "arcgis-pro.md", "# ArcGIS Pro\n\n## 2. Find tiles\n")
    guide = write_guide(
        tmp_path,
        "en",
        "qgis.md",
        (
            "# QGIS\n\n## Footprints can over-claim coverage\n\n"
            "[twin](arcgis-pro.md#2-find-tiles) [here](#footprints-can-over-claim-coverage)\n"
            "[dead](../fr/qgis.md) [dead anchor](arcgis-pro.md#3-missing) [web](https://example.com/x.md)\n"
            "`[not a link](nowhere.md)`\n\n```md\n[not a link either](nowhere.md)\n```\n"
        ),
    )
    problems = check_relative_links([guide])
    assert len(problems) == 2, problems
    assert "qgis.md:6: link ../fr/qgis.md leads to no file" in problems[0]
    assert (
        "qgis.md:6: link arcgis-pro.md#3-missing" in problems[1] and "no heading with anchor #3-missing" in problems[1]
    )


def test_french_anchors_keep_their_accents(tmp_path):
    guide = write_guide(
        tmp_path,
        "fr",
        "qgis.md",
        (
            "# QGIS\n\n### Des emprises trop généreuses\n\n## 5. Enregistrer l'extrait\n\n"
            "[a](#des-emprises-trop-généreuses) [b](#5-enregistrer-lextrait) [c](#des-emprises-trop-genereuses)\n"
        ),
    )
    problems = check_relative_links([guide])
    assert len(problems) == 1 and "#des-emprises-trop-genereuses" in problems[0], problems


def test_a_guide_without_its_twin_is_reported(tmp_path):
    guides = tmp_path / "guides"
    write_guide(tmp_path, "en", "qgis.md", f"# QGIS\n\n*[Version française](../fr/qgis.md)*\n\n{ATTRIBUTION['en']}\n")
    write_guide(tmp_path, "fr", "qgis.md", "# QGIS\n\nPas de lien vers l'anglais, ni d'attribution.\n")
    write_guide(
        tmp_path,
        "en",
        "arcgis-pro.md",
        f"# ArcGIS Pro\n\n*[Version française](../fr/arcgis-pro.md)*\n\n{ATTRIBUTION['en']}\n",
    )
    problems = check_pairs(guides)
    assert len(problems) == 3, problems
    assert "arcgis-pro.md has no twin fr/arcgis-pro.md" in problems[0]
    assert "fr/qgis.md does not link to ../en/qgis.md" in problems[1]
    assert "fr/qgis.md lacks the attribution" in problems[2]


# --- the cheatsheet: every recipe's signature, the setup cell's names, commands that parse


CHEATSHEET = {"en": GUIDES_DIR / "en" / "cheatsheet.md", "fr": GUIDES_DIR / "fr" / "aide-memoire.md"}
NOTEBOOKS_DIR = ROOT / "notebooks"
API_DEFAULT = '"https://datacube.services.geo.ca/stac/api/"'  # the cheatsheet says API_URL
BASH = re.compile(r"^```bash[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def tagged_cell(notebook: Path, tag: str) -> str | None:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    found = [cell for cell in cells if tag in cell.get("metadata", {}).get("tags", [])]
    return "".join(found[0]["source"]) if found else None


def signatures(source: str) -> dict[str, str]:
    """{name: "name(arguments)"} of the functions a cell defines at its top level, defaults as
    written in the cell (quotes made double; the API's root as API_URL)."""
    import ast

    def written(node) -> str:
        return ast.get_source_segment(source, node)

    def arguments(args: ast.arguments) -> str:
        positional = args.posonlyargs + args.args
        defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        parts = [
            arg.arg if default is None else f"{arg.arg}={written(default)}"
            for arg, default in zip(positional, defaults)
        ]
        if args.posonlyargs:
            parts.insert(len(args.posonlyargs), "/")
        if args.vararg or args.kwonlyargs:
            parts.append(f"*{args.vararg.arg}" if args.vararg else "*")
        parts += [
            arg.arg if d is None else f"{arg.arg}={written(d)}" for arg, d in zip(args.kwonlyargs, args.kw_defaults)
        ]
        if args.kwarg:
            parts.append(f"**{args.kwarg.arg}")
        return ", ".join(parts)

    return {
        node.name: f"{node.name}({arguments(node.args)})".replace("'", '"').replace(API_DEFAULT, "API_URL")
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef)
    }


def setup_names(source: str) -> list[str]:
    """The names the setup cell defines at its top level (imports aside)."""
    import ast

    names = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names.extend(target.id for target in node.targets if isinstance(target, ast.Name))
    return names


def check_cheatsheet(path: Path, notebooks: list[Path]) -> list[str]:
    """The cheatsheet writes, in `code` spans, the signature of every function of every
    notebook's recipe cell (its _private helpers aside), and the signature
    or name of everything the setup cell defines."""
    spans = {span for _, span in code_spans(path.read_text(encoding="utf-8"))}
    problems = []
    for notebook in notebooks:
        recipe = tagged_cell(notebook, "recipe")
        for name, signature in signatures(recipe or "").items():
            if not name.startswith("_") and signature not in spans:  # a _helper is the recipe's own business
                problems.append(f"{shown(path)} lacks `{signature}`, the recipe of {notebook.name}")
        setup = tagged_cell(notebook, "setup")
        if setup is None:
            continue
        defined = signatures(setup)
        for name in setup_names(setup):
            if defined.get(name, name) not in spans:
                wanted = defined.get(name, name)
                problems.append(f"{shown(path)} lacks `{wanted}`, of the setup cell of {notebook.name}")
    return sorted(set(problems))


def shell_commands(text: str) -> list[str]:
    """The commands of the ```bash blocks, continuation lines joined, comments dropped."""
    commands = []
    for block in BASH.findall(text):
        for line in block.replace("\\\n", " ").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                commands.append(line.strip())
    return commands


def check_stac_client_commands(paths: list[Path]) -> list[str]:
    """Every `stac-client` command is one pystac-client's own parser accepts."""
    import contextlib
    import io
    import shlex

    from pystac_client.cli import parse_args

    problems = []
    for path in paths:
        for command in shell_commands(path.read_text(encoding="utf-8")):
            if not command.startswith("stac-client "):
                continue
            try:
                with contextlib.redirect_stderr(io.StringIO()) as said:
                    parse_args(shlex.split(command)[1:])
            except SystemExit:
                problems.append(f"{shown(path)}: stac-client refuses `{command}`: {said.getvalue().strip()[-200:]}")
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_cheatsheet_has_every_recipe_and_the_setup_cell(language):
    notebooks = sorted((NOTEBOOKS_DIR / language).glob("*.ipynb"))
    assert any(tagged_cell(notebook, "setup") for notebook in notebooks), "no notebook has a setup cell"
    assert check_cheatsheet(CHEATSHEET[language], notebooks) == []


def test_the_stac_client_commands_of_the_cheatsheet_and_the_quick_start_parse():
    paths = [*CHEATSHEET.values(), *sorted(NOTEBOOKS_DIR.glob("*/00-*.md"))]
    commands = [c for path in paths for c in shell_commands(path.read_text(encoding="utf-8"))]
    assert sum(command.startswith("stac-client ") for command in commands) >= 8, commands
    assert check_stac_client_commands(paths) == []


def test_guides_named_differently_pair_through_toc_yml(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "toc.yml").write_text("guides:\n  - en: cheatsheet.md\n    fr: aide-memoire.md\n")
    english = f"# Cheatsheet\n\n*[Français](../fr/aide-memoire.md)*\n\n{ATTRIBUTION['en']}\n"
    french = f"# Aide-mémoire\n\n*[English](../en/cheatsheet.md)*\n\n{ATTRIBUTION['fr']}\n"
    write_guide(tmp_path, "en", "cheatsheet.md", english)
    write_guide(tmp_path, "fr", "aide-memoire.md", french)
    assert check_pairs(tmp_path / "guides") == []
    (tmp_path / "guides" / "fr" / "aide-memoire.md").rename(tmp_path / "guides" / "fr" / "memo.md")
    problems = check_pairs(tmp_path / "guides")
    assert len(problems) == 2, problems
    assert "en/cheatsheet.md has no twin fr/aide-memoire.md" in problems[0]
    assert "fr/memo.md has no twin en/memo.md" in problems[1]


def test_a_cheatsheet_without_a_recipe_or_with_a_stale_signature_is_reported(tmp_path):
    notebook = tmp_path / "00-x.ipynb"
    setup = (
        "API_URL = 'https://datacube.services.geo.ca/stac/api/'\n\n"
        "def show_dem(dem, title, cmap='terrain'):\n    pass\n"
    )
    recipe = (
        "import os\n\ndef quick_dtm(bbox, path, resolution=10):\n    pass\n\n"
        "def read_dem(aoi, max_bytes=1.2e9, api_url='https://datacube.services.geo.ca/stac/api/'):\n    pass\n\n"
        "def _helper(x):\n    pass\n"
    )
    notebook.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "code", "metadata": {"tags": ["setup"]}, "source": setup},
                    {"cell_type": "code", "metadata": {"tags": ["recipe"]}, "source": recipe},
                ]
            }
        )
    )
    good = write_guide(
        tmp_path,
        "en",
        "cheatsheet.md",
        '`API_URL`, `show_dem(dem, title, cmap="terrain")`, `quick_dtm(bbox, path, resolution=10)`,'
        " `read_dem(aoi, max_bytes=1.2e9, api_url=API_URL)`\n",
    )
    assert check_cheatsheet(good, [notebook]) == []
    stale = write_guide(tmp_path, "en", "cheatsheet.md", "`API_URL`, `show_dem(dem, title)`, `quick_dtm(bbox, path)`\n")
    problems = check_cheatsheet(stale, [notebook])
    assert [re.search(r"`([^`]+)`", p).group(1) for p in problems] == [
        "quick_dtm(bbox, path, resolution=10)",
        "read_dem(aoi, max_bytes=1.2e9, api_url=API_URL)",
        'show_dem(dem, title, cmap="terrain")',
    ], problems


def test_a_stac_client_command_with_a_wrong_option_is_reported(tmp_path):
    guide = write_guide(
        tmp_path,
        "en",
        "cheatsheet.md",
        (
            "```bash\nstac-client search https://datacube.services.geo.ca/stac/api/ \\\n"
            "  --collections hrdem-mosaic-2m --bbox -75.73 45.40 -75.67 45.44\n"
            "stac-client search https://datacube.services.geo.ca/stac/api/"
            " --collections hrdem-mosaic-2m --box 1 2 3 4\n"
            "stac-client search https://datacube.services.geo.ca/stac/api/ --bbox -75.73 45.40 -75.67\n```\n"
        ),
    )
    problems = check_stac_client_commands([guide])
    assert len(problems) == 2 and "--box" in problems[0] and "--bbox -75.73 45.40 -75.67`" in problems[1], problems
