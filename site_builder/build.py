"""Build the site: execute the tutorials, render them and the guides, write the
indexes, inject the top bar (home link, language switch) and the mirror banner."""

from __future__ import annotations

import html
import posixpath
import re
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "fr")
KERNEL = "python3"
CELL_TIMEOUT_SECONDS = 600

# Words of the pages, in each language.
WORDS = {
    "en": {
        "language": "English",
        "site": "CanElevation STAC tutorials",
        "tutorials": "Tutorials",
        "guides": "Desktop guides",
        "no_guides": "The desktop guides are not written yet.",
        "switch": "Français",
        "banner": (
            "Built against the offline mirror: the figures, maps and numbers on this page "
            "come from the mirror's <strong>synthetic elevations</strong>, not from "
            "Canada's real relief. Run the notebook against the live API to see real terrain."
        ),
        "index_banner": (
            "This build ran the tutorials against the offline mirror: their figures show "
            "<strong>synthetic elevations</strong>, not Canada's real relief."
        ),
        "intro": (
            "Executable Jupyter tutorials and desktop guides to find and read Canada's "
            "CanElevation digital elevation models through the CCMEO STAC API and Cloud "
            "Optimized GeoTIFFs."
        ),
    },
    "fr": {
        "language": "Français",
        "site": "Tutoriels STAC CanElevation",
        "tutorials": "Tutoriels",
        "guides": "Guides pour logiciels de bureau",
        "no_guides": "Les guides pour logiciels de bureau ne sont pas encore rédigés.",
        "switch": "English",
        "banner": (
            "Construit avec le miroir hors ligne : les figures, cartes et nombres de cette page "
            "proviennent des <strong>altitudes synthétiques</strong> du miroir, et non du relief "
            "réel du Canada. Exécutez le carnet avec l'API en ligne pour voir le vrai terrain."
        ),
        "index_banner": (
            "Cette version du site a exécuté les tutoriels avec le miroir hors ligne : leurs "
            "figures montrent des <strong>altitudes synthétiques</strong>, et non le relief réel du Canada."
        ),
        "intro": (
            "Des tutoriels Jupyter exécutables et des guides pour logiciels de bureau pour trouver "
            "et lire les modèles numériques d'élévation CanElevation du Canada avec l'API STAC du "
            "CCCOT et les GeoTIFF optimisés pour l'infonuagique (COG)."
        ),
    },
}

# The classes the checker (site_builder.check) looks for.
SWITCH_CLASS = "lang-switch"
BANNER_CLASS = "mirror-banner"
# Cells tagged `check` assert what the prose claims: the build runs them (a failing
# one fails it) but leaves them out of the page. nbconvert marks a tagged cell
# with the class celltag_<tag>, which the checker looks for.
CHECK_TAG = "check"
CHECK_CELL_CLASS = f"celltag_{CHECK_TAG}"

TOPBAR_STYLE = (
    "display:flex;justify-content:space-between;align-items:center;gap:1em;"
    "padding:0.5em 1em;background:#26374a;color:#fff;font:15px/1.4 system-ui,sans-serif;"
)
LINK_STYLE = "color:#fff;text-decoration:underline;"
BANNER_STYLE = (
    "padding:0.6em 1em;background:#fff3cd;color:#533f03;border-bottom:2px solid #d4a017;"
    "font:15px/1.4 system-ui,sans-serif;"
)

GUIDE_CSS = """
body { margin: 0; font: 16px/1.6 system-ui, sans-serif; color: #222; }
main { max-width: 52em; margin: 0 auto; padding: 1em 1.5em 3em; }
pre { background: #f5f5f5; padding: 0.8em; overflow-x: auto; }
code { font-family: ui-monospace, monospace; font-size: 0.92em; }
table { border-collapse: collapse; } th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; }
img { max-width: 100%; }
"""


class SiteError(RuntimeError):
    pass


@dataclass
class Page:
    key: str  # the same for a page and its counterpart: "tutorial-01", "guide-qgis"
    kind: str  # "tutorial" or "guide"
    lang: str
    source: Path
    path: str  # relative to the site root, posix: "en/01-discover-collections.html"
    title: str


@dataclass
class SitePlan:
    """Every page the site must have, from notebooks/toc.yml and guides/."""

    pages: list[Page] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # sources without a counterpart

    def counterpart(self, page: Page) -> Page | None:
        for other in self.pages:
            if other.key == page.key and other.lang != page.lang:
                return other
        return None

    def of_kind(self, kind: str, lang: str) -> list[Page]:
        return [page for page in self.pages if page.kind == kind and page.lang == lang]


def load_site_plan(root: Path = ROOT) -> SitePlan:
    plan = SitePlan()
    toc = yaml.safe_load((root / "notebooks" / "toc.yml").read_text())
    for entry in toc.get("tutorials") or []:
        number = str(entry["number"])
        for lang in LANGUAGES:
            if lang not in entry:
                plan.problems.append(f"toc.yml: tutorial {number} has no {lang} entry")
                continue
            source = root / "notebooks" / entry[lang]["path"]
            plan.pages.append(Page(
                key=f"tutorial-{number}", kind="tutorial", lang=lang, source=source,
                path=f"{lang}/{source.stem}.html", title=entry[lang]["title"],
            ))
    guides = {lang: sorted((root / "guides" / lang).glob("*.md")) for lang in LANGUAGES}
    for lang in LANGUAGES:
        other = "fr" if lang == "en" else "en"
        for source in guides[lang]:
            plan.pages.append(Page(
                key=f"guide-{source.stem}", kind="guide", lang=lang, source=source,
                path=f"{lang}/guides/{source.stem}.html", title=markdown_title(source),
            ))
            if not (root / "guides" / other / source.name).exists():
                plan.problems.append(
                    f"guides/{lang}/{source.name} has no counterpart guides/{other}/{source.name}"
                )
    return plan


def markdown_title(source: Path) -> str:
    for line in strip_front_matter(source.read_text(encoding="utf-8")).splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return source.stem


def strip_front_matter(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[end + 5:]
    return text


# Links between pages.

def relative_url(from_page: str, to_page: str) -> str:
    return posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")


_MARKDOWN_LINK = re.compile(r"(\]\(\s*)([^)\s]+)(\s*\))")


def rewrite_links(markdown: str, source: Path, page: Page, by_source: dict[Path, Page], root: Path) -> str:
    """Point relative markdown links to a tutorial or guide at its page on the site,
    and links to the READMEs at the index of their language."""
    readmes = {(root / "README.md").resolve(): "en/index.html", (root / "README.fr.md").resolve(): "fr/index.html"}

    def replace(match: re.Match) -> str:
        target = match.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#|^/", target, re.IGNORECASE):
            return match.group(0)
        path, _, anchor = target.partition("#")
        resolved = (source.parent / path).resolve()
        for candidate in (resolved, resolved.with_suffix(".ipynb")):
            if candidate in by_source or candidate in readmes:
                site_path = by_source[candidate].path if candidate in by_source else readmes[candidate]
                url = relative_url(page.path, site_path)
                return match.group(1) + url + ("#" + anchor if anchor else "") + match.group(3)
        return match.group(0)

    return _MARKDOWN_LINK.sub(replace, markdown)


# Decoration of every page: top bar, language switch, banner.

def topbar(page_path: str, lang: str, counterpart_path: str, key: str) -> str:
    other = "fr" if lang == "en" else "en"
    words = WORDS[lang]
    home = relative_url(page_path, f"{lang}/index.html")
    switch = relative_url(page_path, counterpart_path)
    return (
        f'<nav class="site-topbar" data-page="{html.escape(key)}" style="{TOPBAR_STYLE}">'
        f'<a href="{home}" style="{LINK_STYLE}">{words["site"]}</a>'
        f'<a class="{SWITCH_CLASS}" href="{switch}" hreflang="{other}" lang="{other}" '
        f'style="{LINK_STYLE}font-weight:bold;">{WORDS[other]["language"]}</a>'
        "</nav>"
    )


def banner(text: str) -> str:
    return f'<div class="{BANNER_CLASS}" role="note" style="{BANNER_STYLE}">{text}</div>'


def decorate(document: str, *, lang: str, top: str, head_extra: str = "") -> str:
    """Set <html lang>, add head_extra at the end of <head> and `top` right after <body>."""
    document, count = re.subn(r"<html[^>]*>", f'<html lang="{lang}">', document, count=1)
    if not count:
        raise SiteError("page has no <html> tag")
    document = document.replace("</head>", head_extra + "</head>", 1)
    document, count = re.subn(r"(<body[^>]*>)", lambda m: m.group(1) + top, document, count=1)
    if not count:
        raise SiteError("page has no <body> tag")
    return document


def alternate_link(page_path: str, counterpart: Page) -> str:
    return (f'<link rel="alternate" hreflang="{counterpart.lang}" '
            f'href="{relative_url(page_path, counterpart.path)}"/>')


def simple_page(*, lang: str, title: str, body: str, top: str, css: str = GUIDE_CSS) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head><meta charset="utf-8"/>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
        f"<title>{html.escape(title)}</title><style>{css}</style></head>\n"
        f"<body>{top}<main>\n{body}\n</main></body>\n</html>\n"
    )


# Tutorials.

def execute_notebook(source: Path, by_source: dict[Path, Page], page: Page, root: Path):
    """The executed copy of a notebook (in memory; the file on disk is only read)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = rewrite_links(cell.source, source, page, by_source, root)
    client = NotebookClient(
        notebook,
        kernel_name=KERNEL,
        timeout=CELL_TIMEOUT_SECONDS,
        resources={"metadata": {"path": str(source.parent)}},  # as nbval runs it
    )
    try:
        client.execute()
    except CellExecutionError as error:
        raise SiteError(f"{source}: a cell failed:\n{error}") from None
    return notebook


def render_tutorial(notebook, page: Page) -> str:
    """The executed notebook as HTML, without its `check` cells (code and outputs)."""
    import copy

    from nbconvert import HTMLExporter

    shown = copy.copy(notebook)
    shown.cells = [cell for cell in notebook.cells
                   if CHECK_TAG not in cell.get("metadata", {}).get("tags", [])]
    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(shown, resources={"metadata": {"name": page.title}})
    return body


# Guides.

def render_guide(page: Page, by_source: dict[Path, Page], root: Path) -> str:
    """The guide's HTML, headings with GitHub's anchors (so `#section` links work)."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.anchors import anchors_plugin

    text = strip_front_matter(page.source.read_text(encoding="utf-8"))
    text = rewrite_links(text, page.source, page, by_source, root)  # tutorials, guides, READMEs
    renderer = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(anchors_plugin, max_level=6)
    return renderer.render(text)


def copy_guide_assets(root: Path, out: Path) -> None:
    """Images and other files next to the guides, at the same relative place."""
    for lang in LANGUAGES:
        folder = root / "guides" / lang
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix != ".md":
                target = out / lang / "guides" / path.relative_to(folder)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)


# Indexes.

def language_index(plan: SitePlan, lang: str, mirror: bool) -> str:
    words = WORDS[lang]
    path = f"{lang}/index.html"
    other = "fr" if lang == "en" else "en"
    items = []
    for page in plan.of_kind("tutorial", lang):
        items.append(f'<li><a href="{relative_url(path, page.path)}">{html.escape(page.title)}</a></li>')
    guides = [f'<li><a href="{relative_url(path, page.path)}">{html.escape(page.title)}</a></li>'
              for page in plan.of_kind("guide", lang)]
    body = (
        f"<h1>{words['site']}</h1>\n<p>{words['intro']}</p>\n"
        f"<h2 id=\"{words['tutorials'].lower()}\">{words['tutorials']}</h2>\n<ol>\n" + "\n".join(items) + "\n</ol>\n"
        f"<h2>{words['guides']}</h2>\n"
        + ("<ul>\n" + "\n".join(guides) + "\n</ul>" if guides else f"<p>{words['no_guides']}</p>")
    )
    top = topbar(path, lang, f"{other}/index.html", "index") + (banner(words["index_banner"]) if mirror else "")
    return simple_page(lang=lang, title=words["site"], body=body, top=top)


def root_index() -> str:
    links = "\n".join(
        f'<li lang="{lang}"><a href="{lang}/index.html" hreflang="{lang}">{WORDS[lang]["site"]}</a> '
        f'({WORDS[lang]["language"]})</li>'
        for lang in LANGUAGES
    )
    body = f"<h1>CanElevation STAC</h1>\n<ul>\n{links}\n</ul>"
    return simple_page(lang="en", title="CanElevation STAC", body=body, top="")


# The whole site.

def build(out: Path, *, live: bool = False, root: Path = ROOT,
          log=lambda message: print(message, file=sys.stderr, flush=True)) -> list[str]:
    """Build the site into `out` (emptied first); `live`: the notebooks reach the
    live API (no banner), else they run through the mirror (the caller runs
    this inside `python -m mirror run`).

    Raises SiteError if a notebook fails. Returns the problems that
    site_builder.check finds in the built site (a guide without its other
    language is built, its switch leading to the other language's index, and
    reported here).
    """
    from site_builder.check import check_site

    plan = load_site_plan(root)
    for problem in plan.problems:
        log(f"site: warning: {problem}")
    by_source = {page.source.resolve(): page for page in plan.pages}

    if out.exists():
        shutil.rmtree(out)
    for lang in LANGUAGES:
        (out / lang / "guides").mkdir(parents=True, exist_ok=True)

    def tutorial(page: Page) -> float:
        started = time.monotonic()
        notebook = execute_notebook(page.source, by_source, page, root)
        document = render_tutorial(notebook, page)
        counterpart = plan.counterpart(page)
        other = "fr" if page.lang == "en" else "en"
        top = topbar(page.path, page.lang, counterpart.path if counterpart else f"{other}/index.html", page.key)
        if not live:
            top += banner(WORDS[page.lang]["banner"])
        document = decorate(document, lang=page.lang, top=top,
                            head_extra=alternate_link(page.path, counterpart) if counterpart else "")
        (out / page.path).write_text(document, encoding="utf-8")
        seconds = time.monotonic() - started
        log(f"site: {page.path} ({seconds:.0f} s)")
        return seconds

    started = time.monotonic()
    # Two kernels at a time: a notebook spends much of its time waiting on the network.
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(tutorial, [page for page in plan.pages if page.kind == "tutorial"]))

    for page in plan.pages:
        if page.kind != "guide":
            continue
        counterpart = plan.counterpart(page)
        other = "fr" if page.lang == "en" else "en"
        top = topbar(page.path, page.lang, counterpart.path if counterpart else f"{other}/index.html", page.key)
        document = simple_page(lang=page.lang, title=page.title, body=render_guide(page, by_source, root), top=top)
        if counterpart:
            document = decorate(document, lang=page.lang, top="", head_extra=alternate_link(page.path, counterpart))
        (out / page.path).write_text(document, encoding="utf-8")
    copy_guide_assets(root, out)

    for lang in LANGUAGES:
        (out / lang / "index.html").write_text(language_index(plan, lang, mirror=not live), encoding="utf-8")
    (out / "index.html").write_text(root_index(), encoding="utf-8")

    log(f"site: {len(plan.pages)} pages in {out} ({time.monotonic() - started:.0f} s)")
    return check_site(out, plan, mirror=not live)
