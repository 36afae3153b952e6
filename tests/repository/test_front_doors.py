"""The front doors: the two READMEs, the licences, CITATION.cff, CONTRIBUTING and the
issue forms, and the Binder links that open each tutorial.

- Every tutorial of notebooks/toc.yml has a row in README.md and in README.fr.md; the
  row links the tutorial's English and French .md twins and opens both notebooks on
  Binder (`urlpath=lab/tree/notebooks/...ipynb`). Every link in a row leads to a file
  that exists and belongs to that row's tutorial, and no row names a tutorial that
  toc.yml does not list.
- The project's own address is written once, in CITATION.cff (`repository-code`);
  every Binder link (badge and deep links) and every GitHub address in the front doors
  use that owner/repo (or name a known third-party repository), all Binder links the
  same ref, and a workflow badge names a workflow that exists.
- README.md and README.fr.md (and CONTRIBUTING.md and CONTRIBUTING.fr.md) link to each
  other at the top.
- LICENSE (Apache-2.0), LICENSE-docs (CC BY 4.0), CITATION.cff (the keys CFF 1.2.0
  requires, the two licences, version and date), CONTRIBUTING in both languages exist;
  each README links to them and quotes the citation of CITATION.cff.
- The issue forms in .github/ISSUE_TEMPLATE parse and have what GitHub requires of an
  issue form (name, description, a body of known field types, unique ids, labels,
  options), with names and labels in both languages; config.yml too.

Each checker takes the repository root (or the template folder) and returns a list of
problems, one sentence each. The tests at the bottom run each checker on a copy of
the front doors in tmp_path, see it pass, break the copy and see the problem reported.
These tests read files only.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from guide_checks import check_relative_links

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("en", "fr")
README = {"en": "README.md", "fr": "README.fr.md"}
CONTRIBUTING = {"en": "CONTRIBUTING.md", "fr": "CONTRIBUTING.fr.md"}
TEMPLATES = Path(".github") / "ISSUE_TEMPLATE"
TWIN_LINK_LINES = 5  # the link to the other language sits at the top
# GitHub repositories the front doors may name besides the project itself.
THIRD_PARTY_REPOS = frozenset({"stac-utils/rustac"})
CITE_HEADING = {"en": "## How to cite", "fr": "## Comment citer"}
FRONT_DOOR_FILES = ("LICENSE", "LICENSE-docs", "CITATION.cff", *CONTRIBUTING.values())

LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?\s*\)")
ROW = re.compile(r"^\|\s*(\d\d)\s*\|.*$", re.MULTILINE)
BINDER = re.compile(
    r"https://mybinder\.org/v2/gh/(?P<owner>[^/\s)]+)/(?P<repo>[^/\s)]+)/(?P<ref>[^/?\s)]+)"
    r"(?:\?urlpath=(?P<urlpath>[^\s)&#]+))?"
)
GITHUB = re.compile(r"https://github\.com/(?P<owner>[A-Za-z0-9_.-]+)/(?P<repo>[A-Za-z0-9_.-]+)(?P<rest>/[^\s)>\"]*)?")
WORKFLOW_BADGE = re.compile(r"/actions/workflows/([^/\s)]+)")

FORM_KEYS = {"name", "description", "title", "labels", "assignees", "body", "projects", "type"}
FIELD_TYPES = {"markdown", "textarea", "input", "dropdown", "checkboxes"}
FIELD_ID = re.compile(r"[A-Za-z0-9_-]+")
CONFIG_KEYS = {"blank_issues_enabled", "contact_links"}


def shown(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return path.name


def read(root: Path, name: str) -> str:
    return (root / name).read_text(encoding="utf-8")


def project_slug(root: Path = ROOT) -> str | None:
    """owner/repo from CITATION.cff's repository-code, or None if it has none."""
    try:
        url = yaml.safe_load(read(root, "CITATION.cff")).get("repository-code", "")
    except (OSError, yaml.YAMLError, AttributeError):
        return None
    match = re.fullmatch(r"https://github\.com/([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)/?", str(url))
    return match.group(1) if match else None


def toc_tutorials(root: Path = ROOT) -> dict[str, dict[str, str]]:
    """number -> {language: notebook path from the repository root}, from notebooks/toc.yml."""
    toc = yaml.safe_load(read(root, "notebooks/toc.yml")) or {}
    return {
        str(entry["number"]): {language: f"notebooks/{entry[language]['path']}" for language in LANGUAGES}
        for entry in toc.get("tutorials") or []
    }


def binder_url(slug: str, path: str, ref: str = "release") -> str:
    return f"https://mybinder.org/v2/gh/{slug}/{ref}?urlpath=lab/tree/{path}"


# --- the tutorial tables -------------------------------------------------------------


def check_tutorial_rows(root: Path = ROOT) -> list[str]:
    """Each README has one row per tutorial of toc.yml, and only those; a row links the
    tutorial's .md twins in both languages and opens both notebooks on Binder; every
    link in a row leads to an existing file of that tutorial."""
    tutorials = toc_tutorials(root)
    slug = project_slug(root) or "<owner>/<repo>"
    problems = []
    for language in LANGUAGES:
        name = README[language]
        text = read(root, name)
        rows: dict[str, str] = {}
        for match in ROW.finditer(text):
            number, row = match.group(1), match.group(0)
            line = text.count("\n", 0, match.start()) + 1
            where = f"{name}:{line}: row {number}"
            if number in rows:
                problems.append(f"{where} appears twice")
                continue
            rows[number] = row
            if number not in tutorials:
                problems.append(f"{where} names a tutorial that notebooks/toc.yml does not list")
            own = set()
            for path in (tutorials.get(number) or {}).values():
                own |= {path, str(Path(path).with_suffix(".md"))}
            for target in LINK.findall(row):
                if target.startswith("https://mybinder.org/"):
                    binder = BINDER.match(target)
                    urlpath = binder and binder.group("urlpath")
                    if not urlpath or not urlpath.startswith("lab/tree/"):
                        problems.append(f"{where}: Binder link {target} does not open a file (urlpath=lab/tree/...)")
                        continue
                    path = urlpath[len("lab/tree/") :]
                    label = f"Binder link to {path}"
                elif re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target):
                    continue  # another web address
                else:
                    path = (Path(name).parent / target.split("#", 1)[0]).as_posix()
                    label = f"link {target}"
                if not (root / path).is_file():
                    problems.append(f"{where}: {label} leads to no file")
                elif own and path not in own:
                    problems.append(f"{where}: {label} is not tutorial {number}'s")
        for number, paths in tutorials.items():
            if number not in rows:
                problems.append(f"{name}: tutorial {number} of notebooks/toc.yml has no row in the table")
                continue
            links = LINK.findall(rows[number])
            binder_paths = {
                m.group("urlpath")[len("lab/tree/") :]
                for m in map(BINDER.match, links)
                if m and (m.group("urlpath") or "").startswith("lab/tree/")
            }
            local = {(Path(name).parent / t.split("#", 1)[0]).as_posix() for t in links if "://" not in t}
            for side, path in paths.items():
                twin = str(Path(path).with_suffix(".md"))
                if twin not in local:
                    problems.append(f"{name}: row {number} does not link the {side} tutorial ({twin})")
                if path not in binder_paths:
                    problems.append(
                        f"{name}: row {number} has no Binder link opening {path} (expected {binder_url(slug, path)})"
                    )
    return problems


# --- the project's address -----------------------------------------------------------


def front_door_texts(root: Path) -> dict[str, str]:
    """The files that name the project's address: READMEs, CONTRIBUTING, CITATION.cff,
    the issue templates (those that exist; their absence is reported elsewhere)."""
    names = [*README.values(), *CONTRIBUTING.values(), "CITATION.cff"]
    names += [str(p.relative_to(root)) for p in sorted((root / TEMPLATES).glob("*.y*ml"))]
    return {name: read(root, name) for name in names if (root / name).is_file()}


def check_project_address(root: Path = ROOT) -> list[str]:
    """Every Binder link and every GitHub address in the front doors uses the owner/repo
    of CITATION.cff (or a known third-party repository); Binder links share one ref;
    workflow badges name existing workflows."""
    slug = project_slug(root)
    if slug is None:
        return ["CITATION.cff has no repository-code of the form https://github.com/<owner>/<repo>"]
    problems, refs = [], set()
    for name, text in front_door_texts(root).items():
        for match in BINDER.finditer(text):
            where = f"{name}:{text.count(chr(10), 0, match.start()) + 1}"
            refs.add(match.group("ref"))
            found = f"{match.group('owner')}/{match.group('repo')}"
            if found != slug:
                problems.append(f"{where}: Binder link to {found}, not {slug} (CITATION.cff)")
        for match in GITHUB.finditer(text):
            where = f"{name}:{text.count(chr(10), 0, match.start()) + 1}"
            found = f"{match.group('owner')}/{match.group('repo')}"
            if found != slug and found not in THIRD_PARTY_REPOS:
                problems.append(
                    f"{where}: GitHub address of {found}, neither {slug} (CITATION.cff) "
                    f"nor a known third-party repository"
                )
            badge = WORKFLOW_BADGE.match(match.group("rest") or "")
            if found == slug and badge and not (root / ".github" / "workflows" / badge.group(1)).is_file():
                problems.append(f"{where}: workflow {badge.group(1)} does not exist in .github/workflows")
    if len(refs) > 1:
        problems.append(f"Binder links use different refs: {', '.join(sorted(refs))}")
    for name in README.values():
        if (root / name).is_file() and "https://mybinder.org/badge_logo.svg" not in read(root, name):
            problems.append(f"{name} has no Binder badge")
    return problems


# --- pairs, licences, citation -------------------------------------------------------


def check_twin_links(root: Path = ROOT) -> list[str]:
    """README.md and README.fr.md, CONTRIBUTING.md and CONTRIBUTING.fr.md link to each
    other in their first lines."""
    problems = []
    for pair in (README, CONTRIBUTING):
        for language, other in (LANGUAGES, LANGUAGES[::-1]):
            path = root / pair[language]
            if not path.is_file():
                continue  # reported by check_front_door_files
            top = "\n".join(read(root, pair[language]).splitlines()[:TWIN_LINK_LINES])
            if f"]({pair[other]})" not in top:
                problems.append(f"{pair[language]} does not link to {pair[other]} in its first {TWIN_LINK_LINES} lines")
    return problems


def check_citation(root: Path = ROOT) -> list[str]:
    """CITATION.cff: the keys CFF 1.2.0 requires and the ones this project promises."""
    try:
        cff = yaml.safe_load(read(root, "CITATION.cff"))
    except yaml.YAMLError as error:
        return [f"CITATION.cff is not valid YAML: {error}"]
    if not isinstance(cff, dict):
        return ["CITATION.cff is not a mapping"]
    problems = []
    if cff.get("cff-version") != "1.2.0":
        problems.append('CITATION.cff: cff-version should be "1.2.0"')
    for key in ("message", "title", "version"):
        if not isinstance(cff.get(key), str) or not cff[key].strip():
            problems.append(f"CITATION.cff: {key} should be a non-empty string")
    authors = cff.get("authors")
    if (
        not isinstance(authors, list)
        or not authors
        or not all(isinstance(a, dict) and (a.get("name") or a.get("family-names")) for a in authors)
    ):
        problems.append("CITATION.cff: authors should list at least one author with a name")
    licences = cff.get("license")
    licences = set(licences) if isinstance(licences, list) else {licences}
    if licences != {"Apache-2.0", "CC-BY-4.0"}:
        problems.append(
            f"CITATION.cff: license should be Apache-2.0 (code) and CC-BY-4.0 (text), "
            f"found {sorted(map(str, licences))}"
        )
    released = cff.get("date-released")
    try:
        dt.date.fromisoformat(released)
    except (TypeError, ValueError):
        problems.append('CITATION.cff: date-released should be a quoted date, "YYYY-MM-DD"')
    if project_slug(root) is None:
        problems.append("CITATION.cff: repository-code should be https://github.com/<owner>/<repo>")
    return problems


def check_front_door_files(root: Path = ROOT) -> list[str]:
    """The licence, citation and contributing files exist with the right licences, and
    each README links to them, says which licence covers what and how to cite."""
    problems = [f"{name} is missing" for name in FRONT_DOOR_FILES if not (root / name).is_file()]
    if (root / "LICENSE").is_file() and not re.search(r"Apache License\s+Version 2\.0", read(root, "LICENSE")):
        problems.append("LICENSE is not the Apache License 2.0")
    if (
        root / "LICENSE-docs"
    ).is_file() and "Creative Commons Attribution 4.0 International Public License" not in read(root, "LICENSE-docs"):
        problems.append("LICENSE-docs is not the Creative Commons Attribution 4.0 licence")
    if (root / "CITATION.cff").is_file():
        problems += check_citation(root)
        cff = yaml.safe_load(read(root, "CITATION.cff")) or {}
    else:
        cff = {}
    for language, name in README.items():
        text = read(root, name)
        targets = set(LINK.findall(text))
        for needed in ("LICENSE", "LICENSE-docs", "CITATION.cff", CONTRIBUTING[language]):
            if needed not in targets:
                problems.append(f"{name} does not link to {needed}")
        if "Open Government Licence – Canada" not in text and "Licence du gouvernement ouvert – Canada" not in text:
            problems.append(f"{name} lacks the data attribution (Open Government Licence – Canada)")
        heading = CITE_HEADING[language]
        section = text.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0] if f"\n{heading}\n" in text else None
        if section is None:
            problems.append(f'{name} has no section "{heading}"')
        else:
            for key in ("title", "version"):
                if cff.get(key) and str(cff[key]) not in section:
                    problems.append(f'{name}: "{heading}" does not quote CITATION.cff\'s {key} ({cff[key]})')
    return problems


# --- issue forms ---------------------------------------------------------------------


def bilingual(text) -> bool:
    """An English / French pair, as the forms write their names and labels."""
    return isinstance(text, str) and " / " in text


def check_issue_forms(folder: Path) -> list[str]:
    """Every .yml in the folder parses; config.yml as GitHub's issue chooser config,
    the others as issue forms: GitHub's rules (name, description and body required,
    known top-level keys and field types, unique ids and labels, options, not only
    markdown) and this project's (every field has an id; names, descriptions and
    labels say "English / Français")."""
    problems = []
    forms = sorted(p for p in folder.glob("*.y*ml") if p.stem != "config")
    if not forms:
        problems.append(f"{folder.name} holds no issue form")
    config = folder / "config.yml"
    if config.is_file():
        problems += _check_config(config)
    for path in forms:
        problems += _check_form(path)
    return problems


def _load_mapping(path: Path):
    """The YAML file's mapping and no problem, or None and the problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        return None, f"{path.name} is not valid YAML: {str(error).splitlines()[0]}"
    return (data, None) if isinstance(data, dict) else (None, f"{path.name} is not a mapping")


def _check_config(path: Path) -> list[str]:
    config, error = _load_mapping(path)
    if error:
        return [error]
    problems = [f"{path.name}: unknown key {key}" for key in sorted(set(config) - CONFIG_KEYS)]
    if "blank_issues_enabled" in config and not isinstance(config["blank_issues_enabled"], bool):
        problems.append(f"{path.name}: blank_issues_enabled should be true or false")
    for index, link in enumerate(config.get("contact_links") or []):
        if not isinstance(link, dict) or not all(isinstance(link.get(k), str) for k in ("name", "url", "about")):
            problems.append(f"{path.name}: contact link {index} needs a name, a url and an about")
        elif urlsplit(link["url"]).scheme != "https":
            problems.append(f"{path.name}: contact link {index} url should be https")
        elif not (bilingual(link["name"]) and bilingual(link["about"])):
            problems.append(f"{path.name}: contact link {index} should say its name and about in both languages")
    return problems


def _check_form(path: Path) -> list[str]:
    form, error = _load_mapping(path)
    if error:
        return [error]
    problems = [f"{path.name}: unknown top-level key {key}" for key in sorted(set(form) - FORM_KEYS)]
    for key in ("name", "description"):
        if not isinstance(form.get(key), str) or not form[key].strip():
            problems.append(f"{path.name}: {key} is required (a non-empty string)")
        elif not bilingual(form[key]):
            problems.append(f'{path.name}: {key} should be in English and French ("English / Français")')
    body = form.get("body")
    if not isinstance(body, list) or not body:
        return [*problems, f"{path.name}: body is required (a list of fields)"]
    ids, labels, inputs = set(), set(), 0
    for index, field in enumerate(body):
        where = f"{path.name}: body[{index}]"
        if not isinstance(field, dict) or field.get("type") not in FIELD_TYPES:
            problems.append(f"{where} has no type among {', '.join(sorted(FIELD_TYPES))}")
            continue
        kind, attributes = field["type"], field.get("attributes")
        if not isinstance(attributes, dict):
            problems.append(f"{where} ({kind}) needs attributes")
            continue
        if kind == "markdown":
            if not isinstance(attributes.get("value"), str) or not attributes["value"].strip():
                problems.append(f"{where} (markdown) needs attributes.value")
            continue
        inputs += 1
        field_id = field.get("id")
        if not isinstance(field_id, str) or not FIELD_ID.fullmatch(field_id):
            problems.append(f"{where} ({kind}) needs an id of letters, digits, - and _")
        elif field_id in ids:
            problems.append(f"{where}: id {field_id} is used twice")
        ids.add(field_id)
        label = attributes.get("label")
        if not isinstance(label, str) or not label.strip():
            problems.append(f"{where} ({kind}) needs attributes.label")
        elif label in labels:
            problems.append(f"{where}: label {label!r} is used twice")
        elif not bilingual(label):
            problems.append(f'{where}: label {label!r} should be in English and French ("English / Français")')
        labels.add(label)
        options = attributes.get("options")
        if kind == "dropdown":
            if not isinstance(options, list) or not options or not all(isinstance(o, str) for o in options):
                problems.append(f"{where} (dropdown) needs a list of options")
            elif len(set(options)) != len(options) or "None" in options:
                problems.append(f'{where} (dropdown) options must be unique and not "None"')
        if kind == "checkboxes" and (
            not isinstance(options, list)
            or not options
            or not all(isinstance(o, dict) and isinstance(o.get("label"), str) for o in options)
        ):
            problems.append(f"{where} (checkboxes) needs options, each with a label")
        validations = field.get("validations", {})
        if not isinstance(validations, dict) or not isinstance(validations.get("required", False), bool):
            problems.append(f"{where}: validations.required should be true or false")
    if inputs == 0:
        problems.append(f"{path.name}: body has no field to fill in, only markdown")
    return problems


# --- the real front doors ------------------------------------------------------------


def test_every_tutorial_has_a_row_in_both_readmes_with_working_links():
    assert check_tutorial_rows() == []
    assert len(toc_tutorials()) >= 4


def test_binder_and_github_links_use_the_project_address():
    assert project_slug() is not None
    assert check_project_address() == []


def test_readmes_and_contributing_link_to_their_twins():
    assert check_twin_links() == []


def test_licences_citation_and_contributing_are_in_place():
    assert check_front_door_files() == []


def test_contributing_links_resolve():
    assert check_relative_links([ROOT / name for name in CONTRIBUTING.values()]) == []


def test_contributing_has_the_same_terminology_table_in_both_languages():
    """The table of French terms is copied into both files; they must not drift."""

    def table(name):
        """The rows of the table under the glossary's heading (### Glossary / ### Lexique)."""
        text = read(ROOT, name)
        section = re.split(r"^### (?:Glossary|Lexique).*$", text, flags=re.MULTILINE)[1].split("\n#")[0]
        return [line for line in section.splitlines() if line.startswith("| ") and " | " in line and "---" not in line][
            1:
        ]

    english, french = table(CONTRIBUTING["en"]), table(CONTRIBUTING["fr"])
    assert len(english) >= 15 and english == french


def test_issue_forms_parse_and_are_bilingual():
    assert check_issue_forms(ROOT / TEMPLATES) == []
    assert {p.name for p in (ROOT / TEMPLATES).glob("*.yml")} >= {
        "bug-report.yml",
        "tutorial-request.yml",
        "translation-issue.yml",
        "config.yml",
    }


def test_the_checks_have_links_to_check():
    """Guards against the checks passing on nothing: each README has a row and two
    Binder links per tutorial, and names the project's address."""
    for name in README.values():
        text = read(ROOT, name)
        assert len(ROW.findall(text)) == len(toc_tutorials())
        assert len(BINDER.findall(text)) >= 2 * len(toc_tutorials()) + 1


# --- each check, seen failing on a broken copy ---------------------------------------


@pytest.fixture
def copy(tmp_path) -> Path:
    """The front doors copied to tmp_path, with empty stand-ins for the notebooks of
    toc.yml and their .md twins; the checks all pass on it before it is broken."""
    for name in (*README.values(), *FRONT_DOOR_FILES, "notebooks/toc.yml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / TEMPLATES, tmp_path / TEMPLATES)
    shutil.copytree(ROOT / ".github" / "workflows", tmp_path / ".github" / "workflows")
    for paths in toc_tutorials().values():
        for path in paths.values():
            for suffix in (".ipynb", ".md"):
                stand_in = tmp_path / Path(path).with_suffix(suffix)
                stand_in.parent.mkdir(parents=True, exist_ok=True)
                stand_in.touch()
    for check in (check_tutorial_rows, check_project_address, check_twin_links, check_front_door_files):
        assert check(tmp_path) == [], check.__name__
    assert check_issue_forms(tmp_path / TEMPLATES) == []
    return tmp_path


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def row_of(path: Path, number: str) -> str:
    return next(m.group(0) for m in ROW.finditer(path.read_text(encoding="utf-8")) if m.group(1) == number)


def test_a_tutorial_without_a_row_is_reported(copy):
    readme = copy / "README.fr.md"
    edit(readme, row_of(readme, "02") + "\n", "")
    assert check_tutorial_rows(copy) == ["README.fr.md: tutorial 02 of notebooks/toc.yml has no row in the table"]


def test_a_row_whose_notebook_is_missing_is_reported(copy):
    (copy / "notebooks/en/03-read-cog-windows.md").unlink()
    (copy / "notebooks/fr/01-decouvrir-collections-fr.ipynb").unlink()
    problems = check_tutorial_rows(copy)
    assert len(problems) == 4, problems
    assert all(
        re.search(
            r"row (03: link notebooks/en/03-read-cog-windows.md|01: Binder link to "
            r"notebooks/fr/01-decouvrir-collections-fr.ipynb) leads to no file",
            p,
        )
        for p in problems
    )


def test_a_row_for_a_tutorial_not_in_the_toc_is_reported(copy):
    readme = copy / "README.md"
    extra = row_of(readme, "04").replace("| 04 |", "| 99 |").replace("04-", "99-")
    edit(readme, row_of(readme, "04"), row_of(readme, "04") + "\n" + extra)
    problems = check_tutorial_rows(copy)
    assert (
        problems[0].startswith("README.md:")
        and "row 99 names a tutorial that notebooks/toc.yml does not list" in problems[0]
    )
    assert all("row 99" in p and "leads to no file" in p for p in problems[1:]) and len(problems) == 5, problems


def test_a_row_without_binder_links_or_with_another_tutorials_link_is_reported(copy):
    readme = copy / "README.md"
    row = row_of(readme, "01")
    broken = re.sub(r" \| [^|]*mybinder[^|]* \|$", " | |", row).replace(
        "notebooks/fr/01-decouvrir-collections-fr.md", "notebooks/fr/02-recherche-par-zoi-fr.md"
    )
    edit(readme, row, broken)
    problems = check_tutorial_rows(copy)
    assert len(problems) == 4, problems
    assert "row 01: link notebooks/fr/02-recherche-par-zoi-fr.md is not tutorial 01's" in problems[0]
    assert "row 01 has no Binder link opening notebooks/en/01-discover-collections.ipynb" in problems[1]
    assert "row 01 does not link the fr tutorial (notebooks/fr/01-decouvrir-collections-fr.md)" in problems[2]
    assert "?urlpath=lab/tree/notebooks/fr/01-decouvrir-collections-fr.ipynb)" in problems[3]


def test_another_owner_or_ref_in_a_link_is_reported(copy):
    slug = project_slug(copy)
    edit(
        copy / "README.fr.md",
        f"mybinder.org/v2/gh/{slug}/release?urlpath=lab/tree/notebooks/fr/02",
        "mybinder.org/v2/gh/someone-else/canelevation-stac-tutorials/main?urlpath=lab/tree/notebooks/fr/02",
    )
    edit(
        copy / "CONTRIBUTING.md", f"https://github.com/{slug}/issues", "https://github.com/canelevaton/tutorials/issues"
    )
    edit(copy / "README.md", "actions/workflows/offline.yml/badge.svg", "actions/workflows/tests.yml/badge.svg")
    problems = check_project_address(copy)
    assert len(problems) == 4, problems
    assert re.match(r"README\.md:\d+: workflow tests\.yml does not exist", problems[0])
    assert re.match(
        r"README\.fr\.md:\d+: Binder link to someone-else/canelevation-stac-tutorials, not " + slug, problems[1]
    )
    assert re.match(r"CONTRIBUTING\.md:\d+: GitHub address of canelevaton/tutorials, neither", problems[2])
    assert problems[3] == "Binder links use different refs: main, release"


def test_readmes_that_do_not_link_to_each_other_are_reported(copy):
    edit(copy / "README.fr.md", "*[English version](README.md)*", "*English version: README.md*")
    edit(copy / "CONTRIBUTING.md", "(CONTRIBUTING.fr.md)", "(CONTRIBUTING.md)")
    assert check_twin_links(copy) == [
        "README.fr.md does not link to README.md in its first 5 lines",
        "CONTRIBUTING.md does not link to CONTRIBUTING.fr.md in its first 5 lines",
    ]


def test_missing_licence_files_and_a_broken_citation_are_reported(copy):
    (copy / "LICENSE-docs").unlink()
    (copy / "CONTRIBUTING.fr.md").unlink()
    edit(copy / "CITATION.cff", "  - CC-BY-4.0\n", "")
    edit(copy / "CITATION.cff", 'date-released: "', 'date-released: "in ')
    edit(copy / "CITATION.cff", "version: 0.1.0", "version: 0.2.0")
    edit(copy / "README.md", "](LICENSE-docs)", "](LICENCE-docs)")
    problems = check_front_door_files(copy)
    assert problems == [
        "LICENSE-docs is missing",
        "CONTRIBUTING.fr.md is missing",
        "CITATION.cff: license should be Apache-2.0 (code) and CC-BY-4.0 (text), found ['Apache-2.0']",
        'CITATION.cff: date-released should be a quoted date, "YYYY-MM-DD"',
        "README.md does not link to LICENSE-docs",
        'README.md: "## How to cite" does not quote CITATION.cff\'s version (0.2.0)',
        'README.fr.md: "## Comment citer" does not quote CITATION.cff\'s version (0.2.0)',
    ], problems


def test_a_citation_without_authors_is_reported(copy):
    text = (copy / "CITATION.cff").read_text(encoding="utf-8")
    (copy / "CITATION.cff").write_text(re.sub(r"authors:\n(  - .*\n)+", "", text), encoding="utf-8")
    assert check_citation(copy) == ["CITATION.cff: authors should list at least one author with a name"]


def test_broken_issue_forms_are_reported(copy):
    folder = copy / TEMPLATES
    edit(folder / "bug-report.yml", "    id: file\n", "    id: where\n")
    edit(folder / "bug-report.yml", 'label: "Environment / Environnement"', 'label: "Environment"')
    edit(folder / "translation-issue.yml", "name: ", "nom: ")
    edit(folder / "tutorial-request.yml", "    id: task\n", "    id: the task\n")
    edit(folder / "config.yml", "blank_issues_enabled: true", "blank_issues_enabled: yes please")
    (folder / "broken.yml").write_text("name: Broken\nbody:\n  - type: input\n    attributes: [label\n")
    problems = check_issue_forms(folder)
    assert problems == [
        "config.yml: blank_issues_enabled should be true or false",
        "broken.yml is not valid YAML: while parsing a flow sequence",
        "bug-report.yml: body[2]: id where is used twice",
        "bug-report.yml: body[6]: label 'Environment' should be in English and French (\"English / Français\")",
        "translation-issue.yml: unknown top-level key nom",
        "translation-issue.yml: name is required (a non-empty string)",
        "tutorial-request.yml: body[1] (textarea) needs an id of letters, digits, - and _",
    ], problems
