"""Static checks over the tutorials, as plain functions.

Each check returns a list of problems, one readable sentence each, naming the
file, the cell (0-based index, as nbformat counts) and what is wrong. An empty
list means the check passes.
"""

from __future__ import annotations

import ast
import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat
import yaml
from code_skeleton import render, skeleton

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
LANGUAGES = ("en", "fr")
RECIPE_TAG = "recipe"
CHECK_TAG = "check"  # hidden cells that assert what the prose claims (the site leaves them out)
MIN_CHECK_CELLS = 2
MARKDOWN_FORMAT = "md:myst"  # as in jupytext.toml

# Where the TLS check looks, and what it leaves alone: the fixtures hold
# deliberately broken examples, and this module spells out what it looks for.
SCANNED_DIRS = ("notebooks", "guides", "mirror", "tests")
NOT_SCANNED = ("tests/fixtures", "tests/support/checks.py")
LARGEST_SCANNED_FILE = 20_000_000  # bytes; bigger files are data, not code

TLS_BYPASSES = {
    "verify=False": re.compile(r"\bverify\s*=\s*False\b"),
    "GDAL_HTTP_UNSAFESSL": re.compile(r"GDAL_HTTP_UNSAFESSL"),
    "CURL_CA_BUNDLE set to empty": re.compile(r"CURL_CA_BUNDLE['\"]?\]?\s*[=:,]\s*(?:\"\"|''|$)", re.MULTILINE),
    "ssl._create_unverified_context": re.compile(r"_create_unverified_context"),
    "check_hostname = False": re.compile(r"\bcheck_hostname\s*=\s*False\b"),
    "CERT_NONE": re.compile(r"\bCERT_NONE\b"),
}

SYS_PATH_CHANGES = re.compile(
    r"\bsys\s*\.\s*path\s*(?:\.\s*(?:append|insert|extend|remove|pop|clear)\b|\+=|=(?!=)|\[)"
    r"|\bsite\s*\.\s*addsitedir\b"
    r"|PYTHONPATH['\"\]]*\s*[=,:]"
)
LOCAL_CODE_MAGICS = re.compile(r"^\s*%(?:run|load|loadpy)\b", re.MULTILINE)


@dataclass(frozen=True)
class Tutorial:
    number: str
    en: Path
    fr: Path


def lines_diff(left: list[str], right: list[str], left_name: str, right_name: str, limit: int = 40) -> str:
    """A unified diff of two cells' lines, one line of context, cut at ``limit`` lines."""
    diff = difflib.unified_diff(left, right, left_name, right_name, lineterm="", n=1)
    return "\n".join(list(diff)[:limit])


def shown(path: Path) -> str:
    """A path as a reader of the test output wants it: from the repo root."""
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def read_notebook(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def tags_of(cell) -> list[str]:
    return sorted(cell.get("metadata", {}).get("tags", []))


# The table of contents


def read_toc(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Tutorial]:
    toc = yaml.safe_load((notebooks_dir / "toc.yml").read_text()) or {}
    return [
        Tutorial(
            number=str(entry.get("number", "?")),
            en=notebooks_dir / entry["en"]["path"],
            fr=notebooks_dir / entry["fr"]["path"],
        )
        for entry in toc.get("tutorials") or []
    ]


def notebooks_in(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Path]:
    """Every .ipynb under notebooks_dir (checkpoints aside), sorted."""
    return sorted(path for path in notebooks_dir.rglob("*.ipynb") if ".ipynb_checkpoints" not in path.parts)


def check_toc(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[str]:
    """toc.yml lists every notebook, every entry exists, names follow the layout."""
    toc_file = notebooks_dir / "toc.yml"
    if not toc_file.exists():
        return [f"{shown(toc_file)} is missing"]
    toc = yaml.safe_load(toc_file.read_text()) or {}
    entries = toc.get("tutorials") or []
    if not entries:
        return [f"{shown(toc_file)} lists no tutorial"]

    problems = []
    listed = set()
    numbers_seen = set()
    for position, entry in enumerate(entries, start=1):
        number = str(entry.get("number", ""))
        where = f"{shown(toc_file)} entry {position} (tutorial {number or '?'})"
        if not re.fullmatch(r"\d\d", number):
            problems.append(f'{where}: number should be two digits, as a string: "01"')
        if number in numbers_seen:
            problems.append(f"{where}: number {number} is used twice")
        numbers_seen.add(number)
        for language in LANGUAGES:
            side = entry.get(language) or {}
            if not side.get("path") or not side.get("title"):
                problems.append(f"{where}: '{language}' needs a path and a title")
                continue
            path = notebooks_dir / side["path"]
            listed.add(path.resolve())
            suffix = "-fr" if language == "fr" else ""
            pattern = rf"{language}/{re.escape(number)}-[a-z0-9-]+{suffix}\.ipynb"
            if not re.fullmatch(pattern, side["path"]):
                example = f"{language}/{number}-slug{suffix}.ipynb"
                problems.append(f"{where}: {side['path']} should be named like {example}")
            if not path.exists():
                problems.append(f"{where}: {side['path']} does not exist")

    for path in notebooks_in(notebooks_dir):
        if path.resolve() not in listed:
            problems.append(f"{shown(path)} is not listed in {shown(toc_file)}")
    return problems


# French and English twins


def check_twins(en_path: Path, fr_path: Path) -> list[str]:
    """Same cells, in the same order, of the same types, with the same tags and
    the same code once comments and string literals are set aside; cells tagged
    `check` must be identical, comments and strings included.

    Reports the cell count and the first cell that differs, with a diff.
    """
    en, fr = read_notebook(en_path), read_notebook(fr_path)
    pair = f"{shown(en_path)} vs {shown(fr_path)}"
    problems = []
    if len(en.cells) != len(fr.cells):
        problems.append(f"{pair}: {len(en.cells)} cells in English, {len(fr.cells)} in French")

    for index, (en_cell, fr_cell) in enumerate(zip(en.cells, fr.cells)):
        if en_cell.cell_type != fr_cell.cell_type:
            problems.append(f"{pair}: cell {index} is {en_cell.cell_type} in English, {fr_cell.cell_type} in French")
            break
        if tags_of(en_cell) != tags_of(fr_cell):
            problems.append(
                f"{pair}: cell {index} is tagged {tags_of(en_cell)} in English, {tags_of(fr_cell)} in French"
            )
            break
        if en_cell.cell_type == "code" and CHECK_TAG in tags_of(en_cell):
            if en_cell.source.rstrip() != fr_cell.source.rstrip():
                diff = lines_diff(
                    en_cell.source.splitlines(), fr_cell.source.splitlines(), f"en cell {index}", f"fr cell {index}"
                )
                problems.append(
                    f"{pair}: cell {index} is a '{CHECK_TAG}' cell whose code differs between "
                    "the languages (check cells must be identical, comments and strings "
                    "included):\n" + diff
                )
                break
        elif en_cell.cell_type == "code":
            en_code, fr_code = skeleton(en_cell.source), skeleton(fr_cell.source)
            if en_code != fr_code:
                diff = lines_diff(render(en_code), render(fr_code), f"en cell {index}", f"fr cell {index}")
                problems.append(
                    f'{pair}: cell {index} has different code (comments and strings set aside, shown as "…"):\n' + diff
                )
                break
    return problems


# Pairing with the markdown twin, and no outputs


def markdown_twin(ipynb_path: Path) -> Path:
    return ipynb_path.with_suffix(".md")


def check_sync_and_clean(ipynb_path: Path) -> list[str]:
    """The .md twin exists and jupytext reads from it the same cells (types,
    sources, tags) as the .ipynb holds; the .ipynb has no outputs, no
    execution counts and no saved widget state."""
    notebook = read_notebook(ipynb_path)
    problems = []

    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"{shown(ipynb_path)}: cell {index} has {len(cell.outputs)} output(s)")
        if cell.get("execution_count") is not None:
            problems.append(f"{shown(ipynb_path)}: cell {index} has execution_count {cell.execution_count}")
    if "widgets" in notebook.metadata:
        problems.append(f"{shown(ipynb_path)}: notebook metadata holds saved widget state")

    md_path = markdown_twin(ipynb_path)
    if not md_path.exists():
        return [*problems, f"{shown(ipynb_path)} has no markdown twin {md_path.name}"]
    from_markdown = jupytext.read(md_path, fmt=MARKDOWN_FORMAT)
    return problems + _sync_problems(notebook, from_markdown, ipynb_path, md_path)


def _sync_problems(notebook, from_markdown, ipynb_path: Path, md_path: Path) -> list[str]:
    pair = f"{shown(ipynb_path)} and {md_path.name} are out of sync (run jupytext --sync)"
    if len(notebook.cells) != len(from_markdown.cells):
        first = _first_differing_cell(notebook.cells, from_markdown.cells)
        return [
            f"{pair}: {len(notebook.cells)} cells in the .ipynb, "
            f"{len(from_markdown.cells)} in the .md; they part at cell {first}"
        ]
    for index, (cell, md_cell) in enumerate(zip(notebook.cells, from_markdown.cells)):
        if cell.cell_type != md_cell.cell_type:
            return [f"{pair}: cell {index} is {cell.cell_type} in the .ipynb, {md_cell.cell_type} in the .md"]
        if tags_of(cell) != tags_of(md_cell):
            return [f"{pair}: cell {index} is tagged {tags_of(cell)} in the .ipynb, {tags_of(md_cell)} in the .md"]
        if cell.source.rstrip() != md_cell.source.rstrip():
            diff = lines_diff(
                cell.source.splitlines(),
                md_cell.source.splitlines(),
                f"{ipynb_path.name} cell {index}",
                f"{md_path.name} cell {index}",
            )
            return [f"{pair}: cell {index} differs:\n" + diff]
    return []


def _first_differing_cell(cells, other_cells) -> int:
    for index, (cell, other) in enumerate(zip(cells, other_cells)):
        if (cell.cell_type, cell.source.rstrip()) != (other.cell_type, other.source.rstrip()):
            return index
    return min(len(cells), len(other_cells))


def check_markdown_twins_have_notebooks(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[str]:
    return [
        f"{shown(md_path)} has no notebook {md_path.with_suffix('.ipynb').name} beside it"
        for language in LANGUAGES
        for md_path in sorted((notebooks_dir / language).glob("*.md"))
        if not md_path.with_suffix(".ipynb").exists()
    ]


# The recipe cell


def check_recipe(ipynb_path: Path) -> list[str]:
    """Exactly one cell is tagged `recipe`, and it is the last code cell."""
    cells = read_notebook(ipynb_path).cells
    recipes = [i for i, cell in enumerate(cells) if RECIPE_TAG in tags_of(cell)]
    code_cells = [i for i, cell in enumerate(cells) if cell.cell_type == "code"]
    where = shown(ipynb_path)
    if not recipes:
        return [f"{where}: no cell is tagged '{RECIPE_TAG}'"]
    if len(recipes) > 1:
        return [f"{where}: {len(recipes)} cells are tagged '{RECIPE_TAG}' (cells {recipes}); one is wanted"]
    [recipe] = recipes
    if cells[recipe].cell_type != "code":
        return [f"{where}: the '{RECIPE_TAG}' cell {recipe} is a {cells[recipe].cell_type} cell, not code"]
    if recipe != code_cells[-1]:
        return [f"{where}: the '{RECIPE_TAG}' cell is cell {recipe}, but the last code cell is cell {code_cells[-1]}"]
    return []


# Hidden check cells


def check_cells(ipynb_path: Path) -> list[str]:
    """At least MIN_CHECK_CELLS cells are tagged `check`; each is a code cell that
    asserts something (an `assert` statement), and none is also the recipe."""
    cells = read_notebook(ipynb_path).cells
    where = shown(ipynb_path)
    tagged = [i for i, cell in enumerate(cells) if CHECK_TAG in tags_of(cell)]
    problems = []
    if len(tagged) < MIN_CHECK_CELLS:
        problems.append(
            f"{where}: {len(tagged)} cell(s) tagged '{CHECK_TAG}'"
            + (f" (cells {tagged})" if tagged else "")
            + f"; at least {MIN_CHECK_CELLS} are wanted, asserting what the prose claims"
        )
    for index in tagged:
        cell = cells[index]
        if cell.cell_type != "code":
            problems.append(f"{where}: the '{CHECK_TAG}' cell {index} is a {cell.cell_type} cell, not code")
            continue
        if RECIPE_TAG in tags_of(cell):
            problems.append(f"{where}: cell {index} is tagged both '{CHECK_TAG}' and '{RECIPE_TAG}'")
        if not _asserts(cell.source):
            problems.append(f"{where}: the '{CHECK_TAG}' cell {index} has no assert statement")
    return problems


def _asserts(source: str) -> bool:
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return bool(re.search(r"^\s*assert\b", code, re.MULTILINE))
    return any(isinstance(node, ast.Assert) for node in ast.walk(tree))


def recipe_source(ipynb_path: Path) -> str | None:
    for cell in read_notebook(ipynb_path).cells:
        if cell.cell_type == "code" and RECIPE_TAG in tags_of(cell):
            return cell.source
    return None


def run_recipe(ipynb_path: Path, with_example: bool = True) -> dict:
    """The recipe cell run alone in a fresh namespace, from the notebook's folder (recipes may read
    ../../data/aoi, as in the notebook); without its closing example if asked. Returns the namespace."""
    tree = ast.parse(recipe_source(ipynb_path))
    if not with_example and isinstance(tree.body[-1], ast.Expr):
        tree.body.pop()
    namespace: dict = {}
    here = os.getcwd()
    os.chdir(ipynb_path.parent)
    try:
        exec(compile(tree, f"{ipynb_path.name}:recipe", "exec"), namespace)
    finally:
        os.chdir(here)
    return namespace


# Nothing local: every cell can be copied out of the repo


def local_module_names(ipynb_path: Path, repo_root: Path = REPO_ROOT) -> set[str]:
    """Names a notebook could import from the repo: its top-level directories and
    .py files, and the modules and packages beside the notebook or in notebooks/."""
    names = set()
    for folder in {repo_root, repo_root / "notebooks", ipynb_path.parent}:
        for path in folder.iterdir() if folder.is_dir() else []:
            if path.name.startswith((".", "__")):
                continue
            if path.is_dir() and (folder == repo_root or any(path.glob("*.py"))):
                names.add(path.name)
            elif path.suffix == ".py":
                names.add(path.stem)
    return names


def imported_modules(source: str) -> list[tuple[str, int]]:
    """(top-level module name, line) of every import in a cell. Relative imports
    are reported as ".". Magics and shell lines are left out."""
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return [
            (match[1].split(".")[0], code.count("\n", 0, match.start()) + 1)
            for match in re.finditer(r"^\s*(?:from|import)\s+([\w.]+)", code, re.MULTILINE)
        ]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append(("." if node.level else node.module.split(".")[0], node.lineno))
        elif (
            isinstance(node, ast.Call)
            and ast.unparse(node.func) in ("importlib.import_module", "import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.args[0].value.split(".")[0] or ".", node.lineno))
    return found


def check_no_local_code(ipynb_path: Path, repo_root: Path = REPO_ROOT) -> list[str]:
    """No cell imports a module of the repo, runs a local file or changes sys.path."""
    local = local_module_names(ipynb_path, repo_root)
    where = shown(ipynb_path)
    problems = []
    for index, cell in enumerate(read_notebook(ipynb_path).cells):
        if cell.cell_type != "code":
            continue
        for module, line in imported_modules(cell.source):
            if module == ".":
                problems.append(f"{where}: cell {index}, line {line}: relative import")
            elif module in local:
                problems.append(
                    f"{where}: cell {index}, line {line}: imports '{module}', which is part of "
                    "this repository; cells must use public libraries only"
                )
        for match in SYS_PATH_CHANGES.finditer(cell.source):
            line = cell.source.count("\n", 0, match.start()) + 1
            problems.append(f"{where}: cell {index}, line {line}: changes the import path ({match[0]})")
        for match in LOCAL_CODE_MAGICS.finditer(cell.source):
            line = cell.source.count("\n", 0, match.start()) + 1
            problems.append(f"{where}: cell {index}, line {line}: {match[0].strip()} runs a local file")
    return problems


# Never disable TLS verification


def tls_bypasses_in(text: str) -> list[tuple[str, int]]:
    """(what, line number) of every TLS bypass in a text."""
    return sorted(
        (name, text.count("\n", 0, match.start()) + 1)
        for name, pattern in TLS_BYPASSES.items()
        for match in pattern.finditer(text)
    )


def check_no_tls_bypass(repo_root: Path = REPO_ROOT) -> list[str]:
    """No notebook (any cell) and no file in guides/, mirror/ or tests/ turns off
    certificate verification."""
    problems = []
    skipped = {repo_root / part for part in NOT_SCANNED}
    for directory in SCANNED_DIRS:
        for path in sorted((repo_root / directory).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts or ".ipynb_checkpoints" in path.parts:
                continue
            if any(path == skip or skip in path.parents for skip in skipped):
                continue
            problems.extend(_tls_problems_in_file(path))
    return problems


def _tls_problems_in_file(path: Path) -> list[str]:
    if path.suffix == ".ipynb":
        return [
            f"{shown(path)}: cell {index}, line {line}: {what} disables TLS verification"
            for index, cell in enumerate(read_notebook(path).cells)
            for what, line in tls_bypasses_in(cell.source)
        ]
    if path.stat().st_size > LARGEST_SCANNED_FILE:
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return []  # binary files
    return [f"{shown(path)}:{line}: {what} disables TLS verification" for what, line in tls_bypasses_in(text)]


# The setup cell: the same first code cell in every tutorial of a language

SETUP_TAG = "setup"


def setup_cell(ipynb_path: Path) -> tuple[int, str] | None:
    """(index, source) of the first code cell tagged `setup`, or None."""
    for index, cell in enumerate(read_notebook(ipynb_path).cells):
        if cell.cell_type == "code" and SETUP_TAG in tags_of(cell):
            return index, cell.source
    return None


def check_setup_cell(ipynb_path: Path) -> list[str]:
    """Exactly one cell is tagged `setup`; it is a code cell, and the first one."""
    cells = read_notebook(ipynb_path).cells
    where = shown(ipynb_path)
    tagged = [i for i, cell in enumerate(cells) if SETUP_TAG in tags_of(cell)]
    code_cells = [i for i, cell in enumerate(cells) if cell.cell_type == "code"]
    if not tagged:
        return [f"{where}: no cell is tagged '{SETUP_TAG}'; the first code cell should be the setup cell"]
    if len(tagged) > 1:
        return [f"{where}: {len(tagged)} cells are tagged '{SETUP_TAG}' (cells {tagged}); one is wanted"]
    [index] = tagged
    if cells[index].cell_type != "code":
        return [f"{where}: the '{SETUP_TAG}' cell {index} is a {cells[index].cell_type} cell, not code"]
    if index != code_cells[0]:
        return [f"{where}: the '{SETUP_TAG}' cell is cell {index}, but the first code cell is cell {code_cells[0]}"]
    return []


def check_setup_cells_agree(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[str]:
    """In each language, the setup cells of all the tutorials of toc.yml have the same code,
    comments and strings included. The code most of them share is the reference; each
    tutorial that differs from it is reported with a diff. (Tutorials without a setup cell
    are check_setup_cell's to report.)"""
    problems = []
    tutorials = read_toc(notebooks_dir)
    for language in LANGUAGES:
        sources = {}
        for tutorial in tutorials:
            path = getattr(tutorial, language)
            found = setup_cell(path) if path.exists() else None
            if found is not None:
                sources[path] = found
        if len(sources) < 2:
            continue
        texts = [source.rstrip() for _, source in sources.values()]
        # The most common code; on a tie, the first tutorial's (toc.yml's order).
        reference = max(texts, key=lambda text: (texts.count(text), -texts.index(text)))
        holders = [path for path, (_, source) in sources.items() if source.rstrip() == reference]
        for path, (index, source) in sources.items():
            if source.rstrip() == reference:
                continue
            diff = lines_diff(
                reference.splitlines(),
                source.rstrip().splitlines(),
                f"{holders[0].name} (setup, as in {len(holders)} of {len(sources)})",
                f"{path.name} cell {index}",
            )
            problems.append(
                f"{shown(path)}: the '{SETUP_TAG}' cell {index} differs from the one "
                f"{len(holders)} of the {len(sources)} {language} tutorials share "
                f"(every {language} tutorial opens with the same setup cell):\n" + diff
            )
    return problems


def shared_definitions(source: str) -> dict[str, str]:
    """The functions, classes and UPPER_CASE constants a cell defines at its top level, by name,
    as ast.unparse writes them (so comments and layout do not count; docstrings and strings do)."""
    definitions = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            definitions[node.name] = ast.unparse(node)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id.isupper():
                definitions[node.targets[0].id] = ast.unparse(node)
    return definitions


def check_setup_names_keep_their_meaning(ipynb_path: Path) -> list[str]:
    """A later cell (a recipe that must run alone, for example) that defines a name the setup cell
    defines gives it the setup cell's very code: the same name means the same thing everywhere."""
    found = setup_cell(ipynb_path)
    if found is None:
        return []
    setup_index, setup_source = found
    setup = shared_definitions(setup_source)
    problems = []
    for index, cell in enumerate(read_notebook(ipynb_path).cells):
        if cell.cell_type != "code" or index == setup_index:
            continue
        try:
            defined = shared_definitions(cell.source)
        except SyntaxError:
            continue  # magics: the sync and skeleton checks look at those cells
        for name, code in defined.items():
            if name in setup and code != setup[name]:
                diff = lines_diff(
                    setup[name].splitlines(), code.splitlines(), f"setup cell {setup_index}", f"cell {index}"
                )
                problems.append(
                    f"{shown(ipynb_path)}: cell {index} defines `{name}` differently from the setup cell "
                    f"(copy it unchanged, or give the new one its own name):\n" + diff
                )
    return problems


# Prose length

MAX_PROSE_WORDS = 2_300  # per tutorial and language (issue 12)
FRONT_MATTER = re.compile(r"^---\n.*?\n---\n", re.DOTALL)
FENCED_BLOCK = re.compile(r"^(```+|~~~+).*?^\1\s*$", re.DOTALL | re.MULTILINE)  # code cells too
DETAILS_BLOCK = re.compile(r"<details>.*?</details>", re.DOTALL)
CELL_BREAK = re.compile(r"^\+\+\+.*$", re.MULTILINE)  # jupytext's markdown cell separator
WORD = re.compile(r"\w[\w'’-]*")


def prose_words(markdown: str) -> int:
    """Words of prose in a MyST notebook's text: its markdown without the front matter, fenced
    blocks (code cells and code examples) and <details> blocks (the collapsible notes and
    hidden solutions). A word is a run of letters or digits, with inner apostrophes and
    hyphens: "l'API", "re-read" and "EPSG:3979" count 1, 1 and 2."""
    text = FRONT_MATTER.sub("", markdown, count=1)
    text = FENCED_BLOCK.sub("", text)
    text = DETAILS_BLOCK.sub("", text)
    text = CELL_BREAK.sub("", text)
    return len(WORD.findall(text))


def check_prose_length(ipynb_path: Path, limit: int = MAX_PROSE_WORDS) -> list[str]:
    """The tutorial's prose, counted by prose_words on its .md twin (or, without one, on
    the markdown jupytext writes for it), is at most `limit` words."""
    md_path = markdown_twin(ipynb_path)
    if md_path.exists():
        text = md_path.read_text(encoding="utf-8")
    else:
        text = jupytext.writes(read_notebook(ipynb_path), fmt=MARKDOWN_FORMAT)
    words = prose_words(text)
    if words > limit:
        return [
            f"{shown(ipynb_path)}: {words:,} words of prose, over the {limit:,} a tutorial may have "
            "(code blocks and <details> blocks aside): cut, or move internals into a "
            "<details> note"
        ]
    return []
