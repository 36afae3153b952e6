"""The MkDocs hook of the site: the pages of one language build, taken from the
repository's own files, and each page's twin in the other language.

- Pages: the README of the language (index), the tutorials of notebooks/toc.yml
  (their executed copies, read from extra.executed), and guides/<lang>/*.md.
  They are staged in a temporary folder with their relative links rewritten:
  a link to a tutorial (.md or .ipynb), a guide or a README leads to its page
  (links within a Markdown page stay file links, so `mkdocs build --strict`
  checks them), a link into the other language leads to the page of its build,
  a link to the published site (site_url) becomes relative, and a link to any
  other file of the repository leads to that file on GitHub.
- The navigation follows notebooks/toc.yml.
- Material's language selector (overrides/partials/alternate.html) points at
  the page's twin: the tutorial of the same number in toc.yml, the guide of the
  same file name (or of the pair that toc.yml's `guides` names), the other
  README. A page without a twin is a warning, so a strict build fails.
- Each tutorial page gets a Binder link (extra.binder, the notebook of the
  repository) and a download link (a copy of the committed notebook, without
  outputs, next to the page); overrides/main.html shows them, and the banner.
"""

from __future__ import annotations

import logging
import posixpath
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "fr")
OTHER = {"en": "fr", "fr": "en"}
README = {"en": "README.md", "fr": "README.fr.md"}
PREFIX = {"en": "", "fr": "fr/"}  # where each build sits in the published site
AGAINST = ("mirror", "live")

log = logging.getLogger("mkdocs.hooks.canelevation")


@dataclass(frozen=True)
class SitePage:
    key: str  # the same for a page and its twin: "index", "tutorial-01", "guide-qgis.md" (the English name)
    lang: str
    source: str  # repository path of the source, posix
    doc: str  # path inside the language build: "index.md", "01-discover-collections.ipynb"
    title: str | None = None

    @property
    def url(self) -> str:
        """Where the page is in the whole site (English at the root, French under fr/)."""
        stem = posixpath.splitext(self.doc)[0]
        return PREFIX[self.lang] + ("" if stem == "index" else stem + "/")

    @property
    def is_tutorial(self) -> bool:
        return self.key.startswith("tutorial-")


def site_pages(root: Path = ROOT) -> list[SitePage]:
    """Every page of both builds, from notebooks/toc.yml, guides/ and the READMEs."""
    pages = [SitePage("index", lang, README[lang], "index.md") for lang in LANGUAGES]
    for entry in yaml.safe_load((root / "notebooks" / "toc.yml").read_text(encoding="utf-8"))["tutorials"]:
        for lang in LANGUAGES:
            source = f"notebooks/{entry[lang]['path']}"
            pages.append(
                SitePage(f"tutorial-{entry['number']}", lang, source, posixpath.basename(source), entry[lang]["title"])
            )
    english_name = {pair["fr"]: pair["en"] for pair in guide_pairs(root)}
    for lang in LANGUAGES:
        for guide in sorted((root / "guides" / lang).glob("*.md")):
            key = f"guide-{english_name.get(guide.name, guide.name) if lang == 'fr' else guide.name}"
            pages.append(SitePage(key, lang, f"guides/{lang}/{guide.name}", f"guides/{guide.name}"))
    return pages


def guide_pairs(root: Path = ROOT) -> list[dict[str, str]]:
    """The guides whose English and French files have different names ({"en": ..., "fr": ...}),
    from the `guides` list of notebooks/toc.yml; the other guides pair by file name."""
    toc = yaml.safe_load((root / "notebooks" / "toc.yml").read_text(encoding="utf-8")) or {}
    return list(toc.get("guides") or [])


def twin_of(page: SitePage, pages: list[SitePage]) -> SitePage | None:
    return next((other for other in pages if other.key == page.key and other.lang != page.lang), None)


def cells_of(path: Path) -> list[tuple]:
    return [
        (cell.cell_type, cell.source, cell.get("metadata", {}).get("tags", []))
        for cell in nbformat.read(path, as_version=4).cells
    ]


def is_current(source: Path, executed: Path) -> bool:
    """An executed copy of exactly the committed notebook (same cells, sources and tags)."""
    return executed.is_file() and cells_of(executed) == cells_of(source)


def relative_url(to_url: str, from_url: str) -> str:
    """The link from the page at from_url to the page at to_url (both site URLs of a folder)."""
    link = posixpath.relpath(to_url or ".", from_url or ".")
    return "./" if link == "." else link + "/"


# Links in the pages' Markdown (README, guides, the notebooks' Markdown cells).

LINK = re.compile(r"(\]\(\s*<?)([^)\s>]+)(>?\s*\))")
WEB = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def rewrite_links(
    text: str, page: SitePage, pages: list[SitePage], site_url: str, repo_url: str, root: Path = ROOT
) -> str:
    by_source = {}
    for other in pages:
        by_source[other.source] = other
        if other.is_tutorial:  # a tutorial's MyST twin (.md) is the same tutorial
            by_source[posixpath.splitext(other.source)[0] + ".md"] = other
    by_url = {other.url: other for other in pages}

    def replace(match: re.Match) -> str:
        target = match.group(2)
        path, hash_, anchor = target.partition("#")
        found = None
        if target.startswith(site_url):
            found = by_url.get(path[len(site_url) :])
        elif path and not WEB.match(path) and not path.startswith("/"):
            repo_path = posixpath.normpath(posixpath.join(posixpath.dirname(page.source), path))
            found = by_source.get(repo_path)
            if found is None:
                if repo_path.startswith("..") or not (root / repo_path).exists():
                    return match.group(0)  # a broken link: the strict build or the tests report it
                kind = "tree" if (root / repo_path).is_dir() else "blob"
                return (
                    match.group(1) + f"{repo_url.rstrip('/')}/{kind}/main/{repo_path}{hash_}{anchor}" + match.group(3)
                )
        if found is None:
            return match.group(0)
        if found.lang == page.lang and not page.is_tutorial:
            # A file link between pages of this build: MkDocs resolves it and checks it.
            link = posixpath.relpath(found.doc, posixpath.dirname(page.doc) or ".")
        else:
            link = relative_url(found.url, page.url)
        return match.group(1) + link + hash_ + anchor + match.group(3)

    return LINK.sub(replace, text)


# The hook's events, in the order MkDocs calls them.


def _root(config) -> Path:
    """The repository whose files make the pages (extra.root, relative to the configuration)."""
    return (Path(config.config_file_path).parent / config.extra["root"]).resolve()


def on_config(config):
    lang = config.extra.get("lang")
    if lang not in LANGUAGES:
        raise PluginError(f"extra.lang is {lang!r}; expected one of {LANGUAGES}")
    if config.extra.get("against") not in AGAINST:
        raise PluginError(f"extra.against (SITE_AGAINST) is {config.extra.get('against')!r}; expected one of {AGAINST}")
    pages = [page for page in site_pages(_root(config)) if page.lang == lang]
    words = config.extra["words"]
    config.nav = [
        {words["home"]: "index.md"},
        {words["tutorials"]: [{page.title: page.doc} for page in pages if page.is_tutorial]},
        {words["guides"]: [page.doc for page in pages if page.key.startswith("guide-")]},
    ]
    return config


@event_priority(50)  # before mkdocs-jupyter's on_files, which turns the .ipynb files into pages
def on_files(files, config):
    lang = config.extra["lang"]
    executed = Path(config.config_file_path).parent / config.extra["executed"]
    stage = Path(tempfile.mkdtemp(prefix=f"canelevation-site-{lang}-"))
    config.extra["_stage"] = str(stage)
    root = _root(config)
    site_root = config.site_url.removesuffix(PREFIX[lang])  # the published site, English at its root
    pages = site_pages(root)
    for page in pages:
        if page.lang != lang:
            continue
        target = stage / page.doc
        target.parent.mkdir(parents=True, exist_ok=True)

        def rewrite(text: str, page: SitePage = page) -> str:
            return rewrite_links(text, page, pages, site_root, config.repo_url, root)

        if page.is_tutorial:
            run = executed / lang / page.doc
            if not run.is_file():
                raise PluginError(
                    f"{run} is missing: the site renders executed notebooks; "
                    "build it with `make site` (python -m website), which executes them"
                )
            if not is_current(root / page.source, run):
                log.warning(
                    f"{run} is the execution of another version of {page.source}: execute it again (`make site`)"
                )
            notebook = nbformat.read(run, as_version=4)
            for cell in notebook.cells:
                if cell.cell_type == "markdown":
                    cell.source = rewrite(cell.source)
            nbformat.write(notebook, target)
        else:
            target.write_text(rewrite((root / page.source).read_text(encoding="utf-8")), encoding="utf-8")
        files.append(
            File(page.doc, src_dir=str(stage), dest_dir=config.site_dir, use_directory_urls=config.use_directory_urls)
        )
    return files


def on_page_context(context, page, config, nav):
    lang = config.extra["lang"]
    pages = site_pages(_root(config))
    me = next((p for p in pages if p.lang == lang and p.doc == page.file.src_uri), None)
    if me is None:
        return context
    twin = twin_of(me, pages)
    if twin is None:
        log.warning(f"{me.source} has no {OTHER[lang]} twin: its language switch leads to the {OTHER[lang]} home page")
        twin = next(p for p in pages if p.key == "index" and p.lang == OTHER[lang])
    # The language selector (overrides/partials/alternate.html): links relative to the page.
    context["alternates"] = [
        {**alt, "link": relative_url((me if alt["lang"] == lang else twin).url, me.url)}
        for alt in config.extra["alternate"]
    ]
    if me.is_tutorial:
        context["tutorial_links"] = {
            "binder": f"{config.extra['binder']}?urlpath=lab/tree/{me.source}",
            "download": posixpath.basename(me.source),
        }
    return context


def on_post_build(config):
    """The committed notebooks (no outputs) next to their pages, for the download links."""
    root = _root(config)
    for page in site_pages(root):
        if page.lang == config.extra["lang"] and page.is_tutorial:
            shutil.copyfile(root / page.source, Path(config.site_dir) / posixpath.basename(page.source))
    shutil.rmtree(config.extra.pop("_stage"), ignore_errors=True)
