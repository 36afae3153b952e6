"""The static checks, over the real tutorials (tests/support/checks.py says what each checks)."""

import checks
import pytest

TUTORIALS = checks.read_toc()
NOTEBOOKS = checks.notebooks_in()


def by_name(path):
    return path.name


def failed(problems):
    return "\n".join(problems)


def test_toc_lists_every_notebook_and_only_existing_ones():
    assert not (problems := checks.check_toc()), failed(problems)


@pytest.mark.parametrize("tutorial", TUTORIALS, ids=lambda tutorial: tutorial.number)
def test_french_and_english_twins_match(tutorial):
    missing = [path.name for path in (tutorial.en, tutorial.fr) if not path.exists()]
    if missing:
        pytest.skip(f"{', '.join(missing)} missing (test_toc reports it)")
    assert not (problems := checks.check_twins(tutorial.en, tutorial.fr)), failed(problems)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=by_name)
def test_notebook_is_in_sync_with_its_markdown_twin_and_has_no_outputs(notebook):
    problems = checks.check_sync_and_clean(notebook)
    hints = []
    if any("output" in p or "execution_count" in p or "widget" in p for p in problems):
        hints.append(f"To clear them: jupyter nbconvert --clear-output --inplace {notebook}")
    if any("out of sync" in p for p in problems):
        markdown = checks.shown(checks.markdown_twin(notebook))
        hints.append(f"If the .md is the newer one: jupytext --sync {markdown}")
    assert not problems, failed(problems + hints)


def test_every_markdown_twin_has_a_notebook():
    assert not (problems := checks.check_markdown_twins_have_notebooks()), failed(problems)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=by_name)
def test_notebook_ends_with_one_recipe_cell(notebook):
    assert not (problems := checks.check_recipe(notebook)), failed(problems)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=by_name)
def test_notebook_uses_no_code_from_the_repository(notebook):
    assert not (problems := checks.check_no_local_code(notebook)), failed(problems)


def test_nothing_disables_tls_verification():
    assert not (problems := checks.check_no_tls_bypass()), failed(problems)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=by_name)
def test_notebook_has_hidden_check_cells(notebook):
    assert not (problems := checks.check_cells(notebook)), failed(problems)


TUTORIAL_NOTEBOOKS = [path for tutorial in TUTORIALS for path in (tutorial.en, tutorial.fr) if path.exists()]


@pytest.mark.parametrize("notebook", TUTORIAL_NOTEBOOKS, ids=by_name)
def test_tutorial_opens_with_one_setup_cell(notebook):
    assert not (problems := checks.check_setup_cell(notebook)), failed(problems)


def test_every_tutorial_of_a_language_has_the_same_setup_cell():
    assert not (problems := checks.check_setup_cells_agree()), failed(problems)


@pytest.mark.parametrize("notebook", TUTORIAL_NOTEBOOKS, ids=by_name)
def test_a_name_of_the_setup_cell_means_the_same_in_every_cell(notebook):
    assert not (problems := checks.check_setup_names_keep_their_meaning(notebook)), failed(problems)


@pytest.mark.parametrize("notebook", TUTORIAL_NOTEBOOKS, ids=by_name)
def test_tutorial_prose_is_short_enough(notebook):
    assert not (problems := checks.check_prose_length(notebook)), failed(problems)
