"""Each static check passes on a tiny correct tutorial and reports each kind of
breakage, with the file, the cell and what differs."""

import json
from pathlib import Path

import break_probes
import checks
import nbformat
import pytest
import yaml
from break_probes import FAILED
from code_skeleton import skeleton
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output
from tiny_tutorials import (
    EN_PATH,
    FR_PATH,
    SECOND_TOC_ENTRY,
    add_second_tutorial,
    edit_notebook,
    write_pair,
    write_tutorial_tree,
)

BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "broken"


@pytest.fixture
def repo(tmp_path):
    write_tutorial_tree(tmp_path)
    return tmp_path


@pytest.fixture
def en(repo):
    return repo / "notebooks" / EN_PATH


@pytest.fixture
def fr(repo):
    return repo / "notebooks" / FR_PATH


def the_one(problems):
    assert len(problems) == 1, problems
    return problems[0]


def test_every_check_passes_on_the_tiny_tutorial(repo, en, fr):
    notebooks = repo / "notebooks"
    assert checks.check_toc(notebooks) == []
    assert checks.check_twins(en, fr) == []
    assert checks.check_markdown_twins_have_notebooks(notebooks) == []
    for notebook in (en, fr):
        assert checks.check_sync_and_clean(notebook) == []
        assert checks.check_recipe(notebook) == []
        assert checks.check_no_local_code(notebook, repo) == []
        assert checks.check_setup_cell(notebook) == []
        assert checks.check_prose_length(notebook) == []
        assert checks.check_setup_names_keep_their_meaning(notebook) == []
    assert checks.check_no_tls_bypass(repo) == []
    assert checks.check_setup_cells_agree(notebooks) == []


# toc.yml


def test_toc_reports_a_listed_notebook_that_does_not_exist(repo, fr):
    fr.unlink()
    problem = the_one(checks.check_toc(repo / "notebooks"))
    assert f"tutorial 01): {FR_PATH} does not exist" in problem


def test_toc_reports_every_missing_notebook_of_an_empty_notebooks_dir(repo, en, fr):
    for path in (en, fr):
        path.unlink()
    assert len(checks.check_toc(repo / "notebooks")) == 2


def test_toc_reports_a_notebook_it_does_not_list(repo, en):
    extra = en.with_name("02-extra.ipynb")
    extra.write_bytes(en.read_bytes())
    problem = the_one(checks.check_toc(repo / "notebooks"))
    assert "02-extra.ipynb is not listed in" in problem


def test_toc_reports_an_empty_table_of_contents(repo):
    (repo / "notebooks" / "toc.yml").write_text("tutorials: []\n")
    assert "lists no tutorial" in the_one(checks.check_toc(repo / "notebooks"))


def test_toc_reports_a_french_notebook_without_the_fr_suffix(repo, fr):
    toc = repo / "notebooks" / "toc.yml"
    toc.write_text(toc.read_text().replace("01-cercles-fr.ipynb", "01-cercles.ipynb"))
    fr.rename(fr.with_name("01-cercles.ipynb"))
    problem = the_one(checks.check_toc(repo / "notebooks"))
    assert "should be named like fr/01-slug-fr.ipynb" in problem


# French and English twins


def test_twins_report_an_extra_cell(en, fr):
    edit_notebook(fr, lambda nb: nb.cells.insert(1, new_markdown_cell("Note.")))
    problems = checks.check_twins(en, fr)
    assert "4 cells in English, 5 in French" in problems[0]
    assert "cell 1 is code in English, markdown in French" in problems[1]


def test_twins_report_a_different_cell_type(en, fr):
    def code_to_markdown(notebook):
        notebook.cells[1] = new_markdown_cell(notebook.cells[1].source)

    edit_notebook(fr, code_to_markdown)
    problem = the_one(checks.check_twins(en, fr))
    assert "cell 1 is code in English, markdown in French" in problem


def test_twins_report_different_tags(en, fr):
    edit_notebook(fr, lambda nb: nb.cells[1].metadata.update(tags=["hide-input"]))
    problem = the_one(checks.check_twins(en, fr))
    assert "cell 1 is tagged ['setup'] in English, ['hide-input'] in French" in problem


def test_twins_report_different_code_with_a_diff(en, fr):
    def rename_variable(notebook):
        notebook.cells[1].source = notebook.cells[1].source.replace("RADIUS_KM", "RAYON_KM")

    edit_notebook(fr, rename_variable)
    problem = the_one(checks.check_twins(en, fr))
    assert "01-circles.ipynb vs " in problem and "01-cercles-fr.ipynb: cell 1" in problem
    assert "cell 1 has different code" in problem
    assert "-RADIUS_KM = 6371" in problem and "+RAYON_KM = 6371" in problem


def test_twins_accept_translated_comments_strings_and_fstrings():
    english = 'x = f"{n} tiles in {name}"  # count\nlabel = "Elevation (m)"\n'
    french = 'x = f"{name} contient {n} tuiles"  # compte\nlabel = ("Élévation "\n         "(m)")\n'
    assert skeleton(english) == skeleton(french)


def test_twins_keep_magics_whole():
    assert skeleton("%pip install rasterio\n!ls data") == skeleton("%pip install rasterio\n!ls data")
    assert skeleton("%pip install rasterio\n") != skeleton("%pip install rioxarray\n")
    assert skeleton("%%time\nx = 1  # one\n") == skeleton("%%time\nx = 1  # un\n")
    assert skeleton("files = !ls\n") != skeleton("files = !ls -a\n")


def test_twins_tell_a_call_from_grouping_parentheses():
    assert skeleton('print("a")') != skeleton('print "a"')
    assert skeleton('return ("a" "b")') == skeleton('return "a"')


def test_twins_ignore_what_a_formatter_adds_to_a_longer_line():
    english = 'show(dem, title="Ottawa")\nlabel = name + " (m)"\n'
    french = (
        'show(\n    dem,\n    title="Ottawa, au bord de la rivière des Outaouais",\n)\n'
        'label = (\n    name + " (m)"\n)\n'
    )
    assert skeleton(english) == skeleton(french)
    # Still different code: a tuple is not a grouped expression, an argument more is an argument more.
    assert skeleton("x = (a, b)\n") != skeleton("x = (a)\n")
    assert skeleton("show(dem, 1)\n") != skeleton("show(dem)\n")
    assert skeleton("x = (a + b) * c\n") != skeleton("x = a + b * c\n")


# The setup cell


def test_setup_reports_a_tutorial_without_one(en):
    edit_notebook(en, lambda nb: nb.cells[1].metadata.update(tags=[]))
    assert "01-circles.ipynb: no cell is tagged 'setup'" in the_one(checks.check_setup_cell(en))


def test_setup_reports_two(en):
    edit_notebook(en, lambda nb: nb.cells.insert(2, new_code_cell("x = 1", metadata={"tags": ["setup"]})))
    assert "2 cells are tagged 'setup' (cells [1, 2]); one is wanted" in the_one(checks.check_setup_cell(en))


def test_setup_reports_one_that_is_not_the_first_code_cell(en):
    edit_notebook(en, lambda nb: nb.cells.insert(1, new_code_cell("import os")))
    problem = the_one(checks.check_setup_cell(en))
    assert "the 'setup' cell is cell 2, but the first code cell is cell 1" in problem


def test_setup_reports_a_markdown_cell_tagged_setup(en):
    def move_tag(notebook):
        notebook.cells[1].metadata["tags"] = []
        notebook.cells[0].metadata["tags"] = ["setup"]

    edit_notebook(en, move_tag)
    assert "the 'setup' cell 0 is a markdown cell, not code" in the_one(checks.check_setup_cell(en))


def test_setup_cells_agree_across_tutorials_of_a_language_not_across_languages(repo):
    """English and French setup cells differ (comments, strings); within a language they are one."""
    notebooks = repo / "notebooks"
    add_second_tutorial(notebooks)
    en_setup, fr_setup = (checks.setup_cell(notebooks / path)[1] for path in (EN_PATH, FR_PATH))
    assert en_setup != fr_setup
    assert checks.check_setup_cells_agree(notebooks) == []


@pytest.mark.parametrize("drift", ["RADIUS_KM = 6378", "# the standard library, always there"])
def test_setup_cells_that_drift_apart_are_reported_with_a_diff(repo, drift):
    """Code or a mere comment: the setup cell is copied whole, so any difference is drift."""
    notebooks = repo / "notebooks"
    second_en, _ = add_second_tutorial(notebooks)
    original = "RADIUS_KM = 6371" if drift.startswith("RADIUS") else "# the standard library"

    def change(notebook):
        notebook.cells[1].source = notebook.cells[1].source.replace(original, drift)

    edit_notebook(second_en, change)
    problem = the_one(checks.check_setup_cells_agree(notebooks))
    assert "02-spheres.ipynb: the 'setup' cell 1 differs from the one 1 of the 2 en tutorials share" in problem
    assert f"+{drift}" in problem.replace("import math  ", "")
    assert "01-circles.ipynb (setup, as in 1 of 2)" in problem


def test_setup_cells_name_the_one_tutorial_that_differs_from_the_others(repo):
    """With three tutorials, the code two share is the reference, even when the odd one comes first."""
    notebooks = repo / "notebooks"
    add_second_tutorial(notebooks)
    toc = notebooks / "toc.yml"
    toc.write_text(toc.read_text() + SECOND_TOC_ENTRY.replace("02", "03").replace("spheres", "cones"))
    for first, third in ((EN_PATH, "en/03-cones.ipynb"), (FR_PATH, "fr/03-cones-fr.ipynb")):
        write_pair(nbformat.read(notebooks / first, as_version=4), notebooks / third)
    assert checks.check_toc(notebooks) == [] and checks.check_setup_cells_agree(notebooks) == []
    edit_notebook(notebooks / EN_PATH, lambda nb: nb.cells[1].update(source="import math\nRADIUS_KM = 6000"))
    problem = the_one(checks.check_setup_cells_agree(notebooks))
    assert f"notebooks/{EN_PATH}: the 'setup' cell 1 differs from the one 2 of the 3 en tutorials share" in problem
    assert "02-spheres.ipynb (setup, as in 2 of 3)" in problem and "+RADIUS_KM = 6000" in problem


def test_a_later_cell_may_repeat_a_setup_name_unchanged_whatever_its_comments(en):
    edit_notebook(
        en, lambda nb: nb.cells[3].update(source="RADIUS_KM = 6371  # as in the setup cell\n" + nb.cells[3].source)
    )
    assert checks.check_setup_names_keep_their_meaning(en) == []


@pytest.mark.parametrize("redefinition", ["RADIUS_KM = 6378", "def RADIUS_KM():\n    return 6371"])
def test_a_later_cell_that_gives_a_setup_name_another_meaning_is_reported(en, redefinition):
    edit_notebook(en, lambda nb: nb.cells[3].update(source=redefinition + "\n" + nb.cells[3].source))
    problem = the_one(checks.check_setup_names_keep_their_meaning(en))
    assert "01-circles.ipynb: cell 3 defines `RADIUS_KM` differently from the setup cell" in problem
    assert "-RADIUS_KM = 6371" in problem


# Prose length


def test_prose_words_counts_markdown_only():
    """As the project's count does: front matter, fenced blocks (code cells, code examples),
    <details> blocks and jupytext's +++ markers are left out."""
    text = (
        "---\njupytext:\n  text_representation: {}\n---\n\n"
        "# Title here\n\nL'API répond : 4 050 km², EPSG:3979 and re-read.\n\n"
        "```{code-cell} ipython3\n:tags: [check]\nassert one == two\n```\n\n"
        '+++ {"tags": []}\n\n'
        "```python\nprint('not prose')\n```\n\n"
        "<details><summary>Going deeper: many words</summary>\n\nNot counted at all.\n</details>\n\nEnd.\n"
    )
    # Title, here, L'API, répond, 4, 050, km², EPSG, 3979, and, re-read, End
    assert checks.prose_words(text) == 12


def test_prose_length_reports_a_tutorial_over_the_limit_and_not_one_at_it(en):
    def prose_of(words):
        def change(notebook):
            notebook.cells[2].source = "## Recipe\n\n" + " ".join(["word"] * (words - 1))

        return change

    title_words = checks.prose_words("# Circles\n\nYou will compute the circumference of the Earth.")
    edit_notebook(en, prose_of(checks.MAX_PROSE_WORDS - title_words))
    assert checks.check_prose_length(en) == []
    edit_notebook(en, lambda nb: nb.cells[2].update(source=nb.cells[2].source + " more"))
    problem = the_one(checks.check_prose_length(en))
    assert "01-circles.ipynb: 2,301 words of prose, over the 2,300 a tutorial may have" in problem


def test_prose_length_leaves_out_details_blocks_and_code_examples(en):
    long_note = "<details><summary>Solution</summary>\n\n" + "word " * 3_000 + "\n</details>"
    example = "```python\n" + "x = 1\n" * 3_000 + "```"
    edit_notebook(en, lambda nb: nb.cells.insert(2, new_markdown_cell(long_note + "\n\n" + example)))
    assert checks.check_prose_length(en) == []
    edit_notebook(en, lambda nb: nb.cells[2].update(source=nb.cells[2].source.replace("<details>", "<div>")))
    assert "3,0" in the_one(checks.check_prose_length(en))


# Markdown twin, outputs, execution counts


def test_sync_reports_a_notebook_edited_without_its_markdown_twin(en):
    def change_radius(notebook):
        notebook.cells[1].source = notebook.cells[1].source.replace("6371", "6378")

    edit_notebook(en, change_radius, also_markdown_twin=False)
    problem = the_one(checks.check_sync_and_clean(en))
    assert "01-circles.md are out of sync" in problem and "cell 1 differs" in problem
    assert "-RADIUS_KM = 6378" in problem and "+RADIUS_KM = 6371" in problem


def test_sync_reports_a_cell_added_to_the_notebook_only(en):
    edit_notebook(en, lambda nb: nb.cells.insert(1, new_code_cell("y = 2")), also_markdown_twin=False)
    problem = the_one(checks.check_sync_and_clean(en))
    assert "5 cells in the .ipynb, 4 in the .md; they part at cell 1" in problem


def test_sync_reports_a_tag_changed_in_the_notebook_only(en):
    edit_notebook(en, lambda nb: nb.cells[3].metadata.update(tags=[]), also_markdown_twin=False)
    problem = the_one(checks.check_sync_and_clean(en))
    assert "cell 3 is tagged [] in the .ipynb, ['recipe'] in the .md" in problem


def test_sync_reports_a_missing_markdown_twin(en):
    en.with_suffix(".md").unlink()
    assert "has no markdown twin 01-circles.md" in the_one(checks.check_sync_and_clean(en))


def test_sync_reports_a_markdown_twin_without_notebook(repo, en):
    en.unlink()
    problem = the_one(checks.check_markdown_twins_have_notebooks(repo / "notebooks"))
    assert "01-circles.md has no notebook 01-circles.ipynb beside it" in problem


def test_clean_reports_outputs_and_execution_counts(en):
    def run_cell(notebook):
        notebook.cells[1].execution_count = 4
        notebook.cells[1].outputs = [new_output("stream", name="stdout", text="Earth radius: 6371 km\n")]

    edit_notebook(en, run_cell)
    problems = checks.check_sync_and_clean(en)
    assert len(problems) == 2, problems
    assert "cell 1 has 1 output(s)" in problems[0]
    assert "cell 1 has execution_count 4" in problems[1]


def test_clean_reports_saved_widget_state(en):
    edit_notebook(en, lambda nb: nb.metadata.update(widgets={"state": {}}))
    assert "saved widget state" in the_one(checks.check_sync_and_clean(en))


# The recipe cell


def test_recipe_reports_a_notebook_without_one(en):
    edit_notebook(en, lambda nb: nb.cells[3].metadata.update(tags=[]))
    assert "no cell is tagged 'recipe'" in the_one(checks.check_recipe(en))


def test_recipe_reports_two(en):
    edit_notebook(en, lambda nb: nb.cells[1].metadata.update(tags=["recipe"]))
    assert "2 cells are tagged 'recipe' (cells [1, 3])" in the_one(checks.check_recipe(en))


def test_recipe_reports_one_that_is_not_the_last_code_cell(en):
    edit_notebook(en, lambda nb: nb.cells.append(new_code_cell("print('done')")))
    problem = the_one(checks.check_recipe(en))
    assert "the 'recipe' cell is cell 3, but the last code cell is cell 4" in problem


def test_recipe_reports_a_markdown_cell_tagged_recipe(en):
    def move_tag(notebook):
        notebook.cells[3].metadata["tags"] = []
        notebook.cells[2].metadata["tags"] = ["recipe"]

    edit_notebook(en, move_tag)
    assert "cell 2 is a markdown cell, not code" in the_one(checks.check_recipe(en))


# Nothing local


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("from mirror import catalog", "imports 'mirror'"),
        ("import tests.checks as checks", "imports 'tests'"),
        ("import numpy as np\nimport helpers", "line 2: imports 'helpers'"),
        ("from . import helpers", "relative import"),
        ("import importlib\nmod = importlib.import_module('mirror.serve')", "imports 'mirror'"),
        ("import sys\nsys.path.insert(0, '../..')", "changes the import path"),
        ("import sys\nsys.path.append('..')", "changes the import path"),
        ("import sys\nsys.path += ['..']", "changes the import path"),
        ("import os\nos.environ['PYTHONPATH'] = '..'", "changes the import path"),
        ("%run helpers.py", "%run runs a local file"),
        ("%pip install rasterio\nfrom mirror import catalog", "imports 'mirror'"),
    ],
)
def test_local_code_is_reported(repo, en, code, expected):
    (repo / "mirror").mkdir()
    (repo / "tests").mkdir()
    (en.parent / "helpers.py").write_text("RADIUS_KM = 6371\n")
    edit_notebook(en, lambda nb: nb.cells.insert(1, new_code_cell(code)))
    problem = the_one(checks.check_no_local_code(en, repo))
    assert "01-circles.ipynb: cell 1" in problem and expected in problem


def test_public_libraries_and_lookalike_names_are_fine(repo, en):
    (repo / "mirror").mkdir()
    code = "import numpy as np\nfrom pystac_client import Client\nmirror = np.flip\nprint(sys.path)"
    edit_notebook(en, lambda nb: nb.cells.insert(1, new_code_cell(code)))
    assert checks.check_no_local_code(en, repo) == []


# TLS verification


def fixture_lines(name):
    return [line for line in (BROKEN / name).read_text().splitlines() if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("line", fixture_lines("tls_bypasses.txt"))
def test_tls_bypass_is_found(line):
    assert checks.tls_bypasses_in(line), f"not caught: {line}"


@pytest.mark.parametrize("line", fixture_lines("tls_lookalikes.txt"))
def test_tls_lookalike_is_not_reported(line):
    assert checks.tls_bypasses_in(line) == []


def test_tls_bypasses_are_reported_with_file_cell_and_line(repo, en):
    bypass = fixture_lines("tls_bypasses.txt")[0]
    edit_notebook(en, lambda nb: nb.cells.insert(2, new_code_cell(f"import requests\n{bypass}")))
    guide = repo / "guides" / "en" / "qgis.md"
    guide.parent.mkdir(parents=True)
    guide.write_text(f"# QGIS\n\n```python\n{bypass}\n```\n")

    problems = checks.check_no_tls_bypass(repo)
    assert any("01-circles.ipynb: cell 2, line 2" in p for p in problems), problems
    assert any("01-circles.md:" in p for p in problems), problems  # the twin too
    assert any(
        p.endswith(f"qgis.md:4: {checks.tls_bypasses_in(bypass)[0][0]} disables TLS verification") for p in problems
    ), problems


def test_tls_check_leaves_the_fixtures_and_itself_alone(repo):
    bypass = fixture_lines("tls_bypasses.txt")[0]
    for name in ("tests/fixtures/broken/example.py", "tests/support/checks.py", "mirror/proxy.py"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(bypass + "\n")
    problem = the_one(checks.check_no_tls_bypass(repo))
    assert "mirror/proxy.py:1" in problem


# Hidden check cells

CHECK_CELLS = BROKEN / "check-cells"


def with_check_cells(notebook, sources=("assert RADIUS_KM == 6371", "assert 2 * RADIUS_KM > 12_000")):
    for offset, source in enumerate(sources):
        cell = new_code_cell(source)
        cell.metadata["tags"] = [checks.CHECK_TAG]
        notebook.cells.insert(2 + offset, cell)


def test_check_cells_pass_with_two_identical_ones_in_both_twins(en, fr):
    for notebook in (en, fr):
        edit_notebook(notebook, with_check_cells)
        assert checks.check_cells(notebook) == []
        assert checks.check_sync_and_clean(notebook) == []
        assert checks.check_recipe(notebook) == []
    assert checks.check_twins(en, fr) == []


def test_check_cells_report_a_tutorial_without_any(en):
    assert "0 cell(s) tagged 'check'; at least 2 are wanted" in the_one(checks.check_cells(en))


def test_check_cells_report_a_tutorial_with_only_one():
    problem = the_one(checks.check_cells(CHECK_CELLS / "one-check-cell" / "01-circles.ipynb"))
    assert "01-circles.ipynb: 1 cell(s) tagged 'check' (cells [2]); at least 2 are wanted" in problem


def test_check_cells_report_a_markdown_cell_and_a_cell_that_asserts_nothing():
    problems = checks.check_cells(CHECK_CELLS / "asserts-nothing" / "01-circles.ipynb")
    assert len(problems) == 2, problems
    assert "the 'check' cell 2 is a markdown cell, not code" in problems[0]
    assert "the 'check' cell 3 has no assert statement" in problems[1]


def test_twins_report_check_cells_that_differ_even_in_a_string():
    en = CHECK_CELLS / "twins-differ" / "en" / "01-circles.ipynb"
    fr = CHECK_CELLS / "twins-differ" / "fr" / "01-cercles-fr.ipynb"
    assert checks.check_cells(en) == [] and checks.check_cells(fr) == []
    # The same skeleton (only a message differs), which is enough for other code cells ...
    assert skeleton(nbformat.read(en, as_version=4).cells[3].source) == skeleton(
        nbformat.read(fr, as_version=4).cells[3].source
    )
    # ... but not for check cells.
    problem = the_one(checks.check_twins(en, fr))
    assert "cell 3 is a 'check' cell whose code differs between the languages" in problem
    assert "the circumference is about 40,000 km" in problem and "la circonférence" in problem


def test_twins_report_a_check_cell_tagged_in_one_language_only(en, fr):
    edit_notebook(en, with_check_cells)
    edit_notebook(fr, lambda nb: with_check_cells(nb) or nb.cells[3].metadata.update(tags=[]))
    problem = the_one(checks.check_twins(en, fr))
    assert "cell 3 is tagged ['check'] in English, [] in French" in problem


# Each hidden check cell of a tutorial, seen failing on a broken input
# (tests/fixtures/check-breaks/README.md says how a break is written).

BREAKS = Path(__file__).resolve().parents[1] / "fixtures" / "check-breaks"
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def break_files():
    return sorted(BREAKS.glob("*.yaml"))


def first_line(cell) -> str:
    return cell.source.lstrip().splitlines()[0] if cell.source.strip() else ""


@pytest.mark.parametrize("path", list(break_files()), ids=lambda path: path.stem)
def test_every_check_cell_has_a_break(path):
    spec = yaml.safe_load(path.read_text())
    cells = [
        cell
        for cell in nbformat.read(NOTEBOOKS / spec["notebook"], as_version=4).cells
        if checks.CHECK_TAG in checks.tags_of(cell)
    ]
    assert len(spec["breaks"]) == len(cells), (
        f"{spec['notebook']} has {len(cells)} check cells, {path.name} breaks {len(spec['breaks'])}"
    )
    for number, (entry, cell) in enumerate(zip(spec["breaks"], cells), start=1):
        assert entry["cell"] in first_line(cell), (
            f"check cell {number} of {spec['notebook']} starts {first_line(cell)!r}, "
            f"but {path.name} says {entry['cell']!r}"
        )
        assert entry["why"] and entry["break"].strip() and isinstance(entry["rebinds"], list), entry


def test_probes_tell_a_check_that_fails_on_its_break_from_one_that_does_not(tmp_path):
    """break_probes runs each break right after its check cell, in the same kernel, and puts the names back."""
    from nbformat.v4 import new_notebook

    notebook = new_notebook(
        cells=[
            new_code_cell("def with_retries(read, *args, **kwargs):\n    return read(*args, **kwargs)\nx = 1"),
            new_code_cell("assert x == 1", metadata={"tags": ["check"]}),
            new_code_cell("assert x > 0", metadata={"tags": ["check"]}),
            new_code_cell("print('x is', x)"),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    path = tmp_path / "tiny.ipynb"
    nbformat.write(notebook, path)
    breaks = [
        {"cell": "assert x == 1", "why": "x is 2", "rebinds": ["x"], "break": "x = 2"},
        {"cell": "assert x > 0", "why": "not a break at all", "rebinds": ["x"], "break": "x = 5"},
    ]
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump({"notebook": "tiny.ipynb", "breaks": breaks}))
    break_probes.execute(path, tmp_path / "out", tmp_path / "tiny.yaml")

    verdicts = json.loads(break_probes.breaks_file(tmp_path / "out", "tiny.ipynb").read_text())
    assert FAILED in verdicts[0]["said"]
    assert verdicts[1]["said"] == "the check cell passed on the broken input"
    executed = nbformat.read(tmp_path / "out" / "tiny.ipynb", as_version=4)
    assert [cell.source for cell in executed.cells] == [cell.source for cell in notebook.cells]
    assert [cell.execution_count for cell in executed.cells] == [1, 2, 3, 4]
    assert executed.cells[-1].outputs[0].text == "x is 1\n"  # the good input, put back
