"""The rendered bilingual site (website/, MkDocs Material with mkdocs-jupyter), read
as a reader would.

- The real site is built once per module through the mirror (the suite runs inside
  it), from the executions that tests/test_notebooks_under_faults.py left in
  .mirror-cache/executed (a notebook whose copy is missing or stale is executed
  here, once). Every tutorial, guide and README has a page in both languages; the
  language selector of each page leads to its twin; every page carries the
  synthetic-terrain banner; no check cell shows; each tutorial page has a Binder
  link and a download link; every relative link leads to a file of the site.
- Headless Chromium, over a local HTTP server, opens a tutorial page and sees its
  figures, follows the language selector to the French twin, and finds the French
  page with a French search term in the French build's search.
- A tiny site (tests/tiny_tutorials.py: one tutorial pair with a plot and a check
  cell, a guide pair, READMEs) is built against no network at all; broken copies
  of it show each check failing.
- The front doors: the READMEs link the site at its one address (site_url), and
  Binder opens a landing notebook per language.
"""

from __future__ import annotations

import base64
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
import yaml

from tiny_tutorials import CHECK_MARK, EN_PATH, FR_PATH, SITE_URL, write_site_tree
from website.build import OFFLINE_EXECUTED, SiteError, build, is_current

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "fr")
OTHER = {"en": "fr", "fr": "en"}
README = {"en": "README.md", "fr": "README.fr.md"}
BANNER = {"en": "synthetic elevations", "fr": "altitudes synthétiques"}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WEBSITE_CONFIG = yaml.load(
    re.sub(r"!ENV \[[^,\]]+, *([^\]]+)\]", r"\1", (ROOT / "website" / "mkdocs.yml").read_text()), Loader=yaml.BaseLoader
)


# What the site must have, read here from toc.yml, guides/ and the READMEs (not from website/).


def expected_pages(root: Path = ROOT) -> dict[str, dict[str, str]]:
    """{page key: {lang: path of its index.html in the site}}."""
    prefix = {"en": "", "fr": "fr/"}
    pages = {"index": {lang: f"{prefix[lang]}index.html" for lang in LANGUAGES}}
    for entry in yaml.safe_load((root / "notebooks" / "toc.yml").read_text())["tutorials"]:
        pages[f"tutorial {entry['number']}"] = {
            lang: f"{prefix[lang]}{Path(entry[lang]['path']).stem}/index.html" for lang in LANGUAGES
        }
    # Guides pair by file name, or as the `guides` list of toc.yml pairs two names.
    pairs = yaml.safe_load((root / "notebooks" / "toc.yml").read_text()).get("guides") or []
    english = {pair["fr"]: pair["en"] for pair in pairs}
    french = {pair["en"]: pair["fr"] for pair in pairs}
    names = {
        english.get(path.name, path.name) if lang == "fr" else path.name
        for lang in LANGUAGES
        for path in (root / "guides" / lang).glob("*.md")
    }
    for name in sorted(names):
        stems = {"en": Path(name).stem, "fr": Path(french.get(name, name)).stem}
        pages[f"guide {name}"] = {lang: f"{prefix[lang]}guides/{stems[lang]}/index.html" for lang in LANGUAGES}
    return pages


def tutorial_sources(root: Path = ROOT) -> dict[str, Path]:
    """{site path of a tutorial page: its committed notebook}."""
    sources = {}
    for entry in yaml.safe_load((root / "notebooks" / "toc.yml").read_text())["tutorials"]:
        for lang in LANGUAGES:
            notebook = root / "notebooks" / entry[lang]["path"]
            sources[expected_pages(root)[f"tutorial {entry['number']}"][lang]] = notebook
    return sources


class PageReader(HTMLParser):
    """What a page shows: its language, the selector's links, the banner, links and images."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lang = None
        self.switches: dict[str, str] = {}  # hreflang -> href of the language selector
        self.links: list[dict] = []  # attributes of every <a href>
        self.sources: list[str] = []  # every src= and <link href>
        self.images: list[str] = []
        self.banner = ""
        self.scripts: list[str] = []  # type= of every <script>
        self._banner_depth = 0

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        classes = attributes.get("class", "").split()
        if tag == "html" and self.lang is None:
            self.lang = attributes.get("lang")
        if tag == "a" and "href" in attributes:
            self.links.append(attributes)
            if "md-select__link" in classes:
                self.switches[attributes.get("hreflang", "")] = attributes["href"]
        if "src" in attributes:
            self.sources.append(attributes["src"])
        if tag == "link" and "href" in attributes:
            self.sources.append(attributes["href"])
        if tag == "img":
            self.images.append(attributes.get("src", ""))
        if tag == "script":
            self.scripts.append(attributes.get("type", ""))
        if "synthetic-terrain" in classes:
            self._banner_depth = 1
        elif self._banner_depth and tag == "div":
            self._banner_depth += 1

    def handle_endtag(self, tag):
        if self._banner_depth and tag == "div":
            self._banner_depth -= 1

    def handle_data(self, data):
        if self._banner_depth:
            self.banner += data


@functools.lru_cache(maxsize=256)
def _read(path: Path, mtime: float) -> PageReader:
    reader = PageReader()
    reader.feed(path.read_text(encoding="utf-8"))
    return reader


def read_page(path: Path) -> PageReader:
    return _read(path, path.stat().st_mtime)


def resolve(page: str, href: str) -> str:
    """The site path a relative href on `page` leads to (a folder means its index.html)."""
    path = href.split("#")[0].split("?")[0]
    target = os.path.normpath(os.path.join(os.path.dirname(page), path))
    if path.endswith("/") or path.rsplit("/", 1)[-1] in ("", ".", ".."):
        target = os.path.normpath(os.path.join(target, "index.html"))
    return target


def check_pages(site: Path, root: Path = ROOT, *, against: str) -> list[str]:
    """Every expected page exists in its language, switches to its twin and carries the
    banner exactly when built against the mirror; tutorial pages hide their check cells
    and have a Binder link and a download link."""
    problems = []
    for key, paths in expected_pages(root).items():
        for lang, path in paths.items():
            if not (site / path).is_file():
                problems.append(f"missing page: {key} ({lang}, {path})")
                continue
            page = read_page(site / path)
            if page.lang != lang:
                problems.append(f"{path}: <html lang={page.lang!r}>, expected {lang!r}")
            for switch_lang in LANGUAGES:
                href = page.switches.get(switch_lang)
                expected = paths[switch_lang]
                if href is None or resolve(path, href) != expected:
                    problems.append(
                        f"{path}: the language selector's {switch_lang} link "
                        f"{href!r} leads to {href and resolve(path, href)}, expected {expected}"
                    )
            if against == "mirror" and BANNER[lang] not in page.banner:
                problems.append(f"{path}: no banner saying {BANNER[lang]!r} (built through the mirror)")
            if against == "live" and page.banner:
                problems.append(f"{path}: a synthetic-terrain banner, but built against the live API")
    for path, notebook in tutorial_sources(root).items():
        if (site / path).is_file():
            problems += check_tutorial_page(site, path, notebook)
    return problems


def check_tutorial_page(site: Path, path: str, notebook: Path) -> list[str]:
    problems = []
    text = (site / path).read_text(encoding="utf-8")
    for cell in nbformat.read(notebook, as_version=4).cells:
        if "check" in cell.get("metadata", {}).get("tags", []):
            first_line = cell.source.strip().splitlines()[0]
            if first_line in text:
                problems.append(f"{path}: shows its check cell ({first_line!r})")
    if "celltag_check" in text:
        problems.append(f"{path}: has a cell tagged 'check'")
    links = read_page(site / path).links
    binder = [link["href"] for link in links if link["href"].startswith("https://mybinder.org/")]
    expected = (
        f"{WEBSITE_CONFIG['extra']['binder']}?urlpath=lab/tree/{notebook.relative_to(notebook.parents[2]).as_posix()}"
    )
    if expected not in binder:
        problems.append(f"{path}: no Binder link {expected} (has {binder})")
    downloads = [resolve(path, link["href"]) for link in links if "download" in link]
    if not downloads:
        problems.append(f"{path}: no download link")
    for download in downloads:
        if not (site / download).is_file():
            problems.append(f"{path}: its download link leads to {download}, which does not exist")
        elif any(cell.get("outputs") for cell in nbformat.read(site / download, as_version=4).cells):
            problems.append(f"{path}: its download ({download}) has outputs; offer the committed notebook")
    return problems


def check_links(site: Path) -> list[str]:
    """Every relative link and source on every page leads to a file of the site (both builds)."""
    problems = []
    for page in sorted(site.rglob("*.html")):
        path = page.relative_to(site).as_posix()
        if path.endswith("404.html"):
            continue  # absolute links to the published address (MkDocs' 404 page)
        reader = read_page(page)
        for href in [link["href"] for link in reader.links] + reader.sources:
            if not href or re.match(r"^([a-z][a-z0-9+.-]*:|#|/)", href, re.IGNORECASE):
                continue
            target = resolve(path, href)
            if not (site / target).is_file():
                problems.append(f"{path}: link {href} leads to {target}, which does not exist")
    return problems


def search_index(site: Path, lang: str) -> dict:
    return json.loads((site / {"en": "", "fr": "fr/"}[lang] / "search" / "search_index.json").read_text())


# The real site, built once through the mirror.


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "_site"
    messages = []
    build(out, executed=OFFLINE_EXECUTED, against="mirror", reuse=True, log=messages.append)
    print("\n".join(messages))
    return out


@pytest.mark.mirror
def test_every_page_is_there_with_its_twin_and_banner(built_site):
    keys = expected_pages()
    assert any(key.startswith("tutorial") for key in keys) and any(key.startswith("guide") for key in keys)
    assert check_pages(built_site, against="mirror") == []


@pytest.mark.mirror
def test_every_relative_link_of_the_site_leads_to_a_file(built_site):
    assert check_links(built_site) == []


@pytest.mark.mirror
def test_each_language_has_its_own_search(built_site):
    for lang in LANGUAGES:
        index = search_index(built_site, lang)
        assert index["config"]["lang"] == [lang]
        titles = {doc["location"].split("#")[0] for doc in index["docs"]}
        for path in tutorial_sources():
            if path.startswith("fr/") == (lang == "fr"):
                assert path.removeprefix("fr/").removesuffix("index.html") in titles, (lang, path)


@pytest.mark.mirror
def test_maps_keep_their_widget_state(built_site):
    """A tutorial whose execution saved widget state (the ipyleaflet maps) ships it in its page."""
    with_maps = []
    for path, notebook in tutorial_sources().items():
        lang = "fr" if path.startswith("fr/") else "en"
        executed = nbformat.read(OFFLINE_EXECUTED / lang / notebook.name, as_version=4)
        if "application/vnd.jupyter.widget-state+json" in executed.metadata.get("widgets", {}):
            with_maps.append(path)
            assert "application/vnd.jupyter.widget-state+json" in read_page(built_site / path).scripts, path
    assert with_maps, "no tutorial saved widget state: tutorial 01 draws ipyleaflet maps"


@pytest.mark.mirror
def test_code_cells_have_copy_buttons(built_site):
    assert "content.code.copy" in WEBSITE_CONFIG["theme"]["features"]  # Markdown code blocks (Material)
    for path in tutorial_sources():
        assert "<clipboard-copy" in (built_site / path).read_text(encoding="utf-8"), path  # notebook cells


# Headless Chromium over the DevTools protocol, on the site served over HTTP.


class Browser:
    """One headless Chromium page, driven over the DevTools protocol."""

    def __init__(self, profile: Path):
        import websocket  # websocket-client

        if not Path(CHROMIUM).exists():
            pytest.skip(
                f"{CHROMIUM} is missing: install Chromium (Debian: apt-get install chromium) to run the browser tests"
            )
        environment = {name: value for name, value in os.environ.items() if "proxy" not in name.lower()}
        self.process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                # Local pages only: every host name fails at once (fonts, CDN scripts of the maps).
                "--no-proxy-server",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                "--window-size=1280,1400",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=environment,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.is_file() and port_file.read_text().strip()):
            assert self.process.poll() is None and time.monotonic() < deadline, "Chromium did not start"
            time.sleep(0.2)
        port = int(port_file.read_text().split()[0])
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        targets = json.load(opener.open(f"http://127.0.0.1:{port}/json/list", timeout=30))
        page = next(target for target in targets if target["type"] == "page")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.next_id = 0

    def send(self, method: str, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.evaluate(expression)
            except RuntimeError as error:
                # A page that navigates while it is asked closes the question: ask again in the new page.
                if "navigated or closed" not in str(error) and "context was destroyed" not in str(error):
                    raise
                value = None
            if value or time.monotonic() > deadline:
                return value
            time.sleep(0.25)

    def open(self, url: str) -> None:
        self.send("Page.navigate", url="about:blank")  # so that opening the same page again waits for it
        assert self.wait_for("location.href === 'about:blank'")
        self.send("Page.navigate", url=url)
        assert self.wait_for(f"location.href === {json.dumps(url)} && document.readyState === 'complete'"), url

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"]))

    def close(self):
        self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=30)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Cache-Control", "no-store")  # a page broken by a test is read as it is now
        super().end_headers()

    def log_message(self, *args):
        pass


def serve(folder: Path):
    """An HTTP server on 127.0.0.1 for `folder` (Material's search needs http://); its root URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


def is_matplotlib_png(src: str) -> bool:
    """A data: PNG whose text chunk says matplotlib made it ("Software: Matplotlib ...")."""
    return src.startswith("data:image/png;base64,") and b"Matplotlib" in base64.b64decode(src[22:][:2000])


def first_page_with_a_plot(site: Path, root: Path = ROOT) -> str:
    for path in tutorial_sources(root):
        if (site / path).is_file() and any(map(is_matplotlib_png, read_page(site / path).images)):
            return path
    pytest.fail(f"no tutorial page in {site} has a matplotlib plot: the browser test needs one")


# Runs in the page: every matplotlib figure, loaded and laid out at a size.
FIGURES = """Array.from(document.querySelectorAll('img[src^="data:image/png"]')).map(function (img) {
  var box = img.getBoundingClientRect();
  return {complete: img.complete, natural: img.naturalWidth, width: box.width, height: box.height};
})"""


def check_figures(browser: Browser, url: str, screenshot: Path) -> list[str]:
    """Open `url`: every figure is loaded and shown; the first one, scrolled into view, is not blank."""
    browser.open(url)
    figures = browser.wait_for(
        f"(function () {{ var f = {FIGURES}; return f.length && f.every(i => i.complete) && f; }})()", timeout=20
    ) or browser.evaluate(FIGURES)
    problems = [
        f"{url}: figure {index} is not shown: {figure}"
        for index, figure in enumerate(figures)
        if not (figure["complete"] and figure["natural"] > 0 and figure["width"] > 0 and figure["height"] > 0)
    ]
    if not figures:
        problems.append(f"{url}: no figure")
    browser.evaluate('document.querySelector(\'img[src^="data:image/png"]\')?.scrollIntoView({block: "center"}) ?? 0')
    browser.screenshot(screenshot)
    import matplotlib.image

    if matplotlib.image.imread(screenshot).std() < 0.05:
        problems.append(f"{url}: the screenshot {screenshot} is (nearly) blank")
    return problems


def follow_language_switch(browser: Browser, url: str, lang: str) -> str:
    """Open `url`, click the language selector's `lang` entry; the path it lands on."""
    browser.open(url)
    # Clicked after the call returns, so the navigation cannot close the call itself.
    browser.evaluate(f"setTimeout(() => document.querySelector('a.md-select__link[hreflang={lang}]').click(), 0)")
    browser.wait_for(
        f"location.href !== {json.dumps(url)} && document.readyState === 'complete'"
        f" && document.documentElement.lang === {json.dumps(lang)}",
        timeout=20,
    )
    return browser.evaluate("location.pathname")


def search(browser: Browser, url: str, term: str) -> list[str]:
    """Open `url`, type `term` in the search box; the paths of the results."""
    browser.open(url)
    browser.evaluate("document.querySelector('[data-md-component=search-query]').focus()")
    browser.send("Input.insertText", text=term)
    results = browser.wait_for(
        "(function () { var r = Array.from(document.querySelectorAll("
        "'.md-search-result__item a')).map(a => new URL(a.href).pathname);"
        " return r.length && r; })()",
        timeout=30,
    )
    return results or []


@pytest.fixture(scope="module")
def served_site(built_site):
    server, url = serve(built_site)
    yield url
    server.shutdown()


@pytest.mark.mirror
def test_a_tutorial_page_shows_its_figures_in_chromium(built_site, served_site, browser, tmp_path):
    page = first_page_with_a_plot(built_site)
    assert check_figures(browser, served_site + page.removesuffix("index.html"), tmp_path / "page.png") == []
    print(f"screenshot of {page}: {tmp_path / 'page.png'}")


@pytest.mark.mirror
def test_the_language_switch_lands_on_the_french_twin(served_site, browser):
    for key, paths in expected_pages().items():
        if key.startswith("tutorial") or key.startswith("guide"):
            landed = follow_language_switch(browser, served_site + paths["en"].removesuffix("index.html"), "fr")
            assert landed == "/" + paths["fr"].removesuffix("index.html"), key
            break


@pytest.mark.mirror
def test_a_french_search_term_finds_the_french_page(served_site, browser):
    results = search(browser, served_site + "fr/", "Franchir")
    assert "/fr/04-entre-tuiles-fr/" in results, results


# The tiny site: built once (no network), then copied and broken in one way per test.


@pytest.fixture(scope="module")
def tiny_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny-repo")
    notebooks = write_site_tree(root)
    before = {path: path.read_bytes() for path in notebooks.rglob("*") if path.is_file()}
    messages = []
    build(root / "_site", executed=root / "executed", against="live", root=root, log=messages.append)
    assert {path: path.read_bytes() for path in notebooks.rglob("*") if path.is_file()} == before, (
        "the build wrote into notebooks/"
    )
    return root, messages


@pytest.fixture
def tiny(tiny_site, tmp_path):
    """A fresh copy of the tiny repository and its built site, to break."""
    copy = tmp_path / "repo"
    shutil.copytree(tiny_site[0], copy)
    return copy, copy / "_site"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_checks_pass_on_the_tiny_site(tiny):
    root, site = tiny
    assert check_pages(site, root, against="live") == []
    assert check_links(site) == []
    assert read_page(site / "fr/guides/qgis/index.html").switches == {"en": "../../../guides/qgis/", "fr": "./"}


def test_links_lead_to_pages_github_or_the_other_language(tiny):
    _, site = tiny
    index = {link["href"] for link in read_page(site / "index.html").links}
    # The published address becomes relative; a file that is no page leads to GitHub.
    assert {"01-circles/", "fr/01-cercles-fr/", "guides/qgis/", "fr/"} <= index
    assert WEBSITE_CONFIG["repo_url"] + "/blob/main/LICENSE" in index
    guide = {link["href"] for link in read_page(site / "fr/guides/qgis/index.html").links}
    assert {"../../01-cercles-fr/", "../../../guides/qgis/"} <= guide


def test_check_cells_run_but_do_not_show(tiny):
    root, site = tiny
    executed = nbformat.read(root / "executed" / "en" / "01-circles.ipynb", as_version=4)
    assert any(CHECK_MARK in str(cell.get("outputs")) for cell in executed.cells)  # it ran
    for page in ("01-circles/index.html", "fr/01-cercles-fr/index.html"):
        text = (site / page).read_text(encoding="utf-8")
        assert CHECK_MARK not in text and "RADIUS_KM changed" not in text, page
    edit(
        site / "01-circles/index.html",
        "</article>",
        '<div class="celltag_check">assert RADIUS_KM == 6371, "RADIUS_KM changed"</div></article>',
    )
    assert check_pages(site, root, against="live") == [
        "01-circles/index.html: shows its check cell ('assert RADIUS_KM == 6371, \"RADIUS_KM changed\"')",
        "01-circles/index.html: has a cell tagged 'check'",
    ]


def test_a_failing_check_cell_fails_the_build(tiny):
    root, site = tiny
    for path in (root / "notebooks" / EN_PATH, root / "notebooks" / FR_PATH):
        edit(path, "RADIUS_KM = 6371", "RADIUS_KM = 6378")
    with pytest.raises(SiteError, match="RADIUS_KM changed"):
        build(site, executed=root / "executed", against="live", root=root, log=lambda message: None)


def test_a_broken_link_fails_the_strict_build(tiny):
    root, site = tiny
    edit(root / "guides" / "en" / "qgis.md", "../fr/qgis.md", "../fr/qgis-typo.md")
    with pytest.raises(SiteError, match=r"(?s)mkdocs build --strict \(en\) failed.*qgis-typo"):
        build(site, executed=root / "executed", against="live", reuse=True, root=root, log=lambda message: None)


def test_a_guide_without_its_twin_fails_the_strict_build(tiny):
    root, site = tiny
    (root / "guides" / "fr" / "qgis.md").unlink()
    edit(root / "README.fr.md", "[QGIS](guides/fr/qgis.md)", "QGIS")
    with pytest.raises(SiteError, match=r"guides/en/qgis\.md has no fr twin"):
        build(site, executed=root / "executed", against="live", reuse=True, root=root, log=lambda message: None)


def test_the_suites_executions_are_rendered_not_run_again(tiny):
    root, site = tiny
    executed = root / "executed" / "en" / "01-circles.ipynb"
    assert is_current(root / "notebooks" / EN_PATH, executed)
    stamp = executed.stat().st_mtime_ns
    messages = []
    build(site, executed=root / "executed", against="live", reuse=True, root=root, log=messages.append)
    assert "site: 2 of 2 notebooks already executed for these sources" in messages
    assert "site: 0 notebooks executed" in " ".join(messages)
    assert executed.stat().st_mtime_ns == stamp
    # A copy that no longer matches its notebook is executed again.
    edit(root / "notebooks" / EN_PATH, "Earth radius", "Radius of the Earth")
    assert not is_current(root / "notebooks" / EN_PATH, executed)
    messages.clear()
    build(site, executed=root / "executed", against="live", reuse=True, root=root, log=messages.append)
    assert "site: 1 of 2 notebooks already executed for these sources" in messages
    assert "Radius of the Earth" in (site / "01-circles/index.html").read_text(encoding="utf-8")


def test_a_stale_execution_fails_the_strict_build(tiny, tmp_path):
    """Built by hand (mkdocs build), the site still refuses an execution of another version."""
    root, _ = tiny
    edit(root / "notebooks" / EN_PATH, "Earth radius", "Radius of the Earth")
    environment = dict(os.environ, SITE_ROOT=str(root), SITE_EXECUTED=str(root / "executed"), SITE_AGAINST="live")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(ROOT / "website" / "en.yml"),
            "--site-dir",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        env=environment,
        cwd=root,
        timeout=300,
    )
    assert result.returncode == 1
    assert "01-circles.ipynb is the execution of another version of notebooks/en/01-circles.ipynb" in result.stderr


def test_the_banner_must_match_how_the_site_was_built(tiny):
    root, site = tiny
    problems = check_pages(site, root, against="mirror")
    assert len(problems) == 6 and all("no banner saying" in problem for problem in problems), problems


def test_a_wrong_language_switch_is_reported(tiny):
    root, site = tiny
    edit(site / "01-circles/index.html", 'href="../fr/01-cercles-fr/" hreflang="fr"', 'href="../fr/" hreflang="fr"')
    assert check_pages(site, root, against="live") == [
        "01-circles/index.html: the language selector's fr link '../fr/' leads to fr/index.html, "
        "expected fr/01-cercles-fr/index.html"
    ]


def test_a_missing_page_and_a_broken_cross_language_link_are_reported(tiny):
    root, site = tiny
    shutil.rmtree(site / "fr" / "01-cercles-fr")
    assert "missing page: tutorial 01 (fr, fr/01-cercles-fr/index.html)" in check_pages(site, root, against="live")
    assert (
        "01-circles/index.html: link ../fr/01-cercles-fr/ leads to fr/01-cercles-fr/index.html, which does not exist"
    ) in check_links(site)


def test_tiny_figures_show_and_a_broken_one_is_reported(tiny, browser, tmp_path):
    root, site = tiny
    server, url = serve(site)
    try:
        assert first_page_with_a_plot(site, root) == "01-circles/index.html"
        assert check_figures(browser, url + "01-circles/", tmp_path / "tiny.png") == []
        page = site / "01-circles" / "index.html"
        [src] = [src for src in read_page(page).images if is_matplotlib_png(src)]
        not_a_png = "data:image/png;base64," + base64.b64encode(b"not a PNG at all").decode()
        edit(page, src, not_a_png)
        problems = check_figures(browser, url + "01-circles/", tmp_path / "broken.png")
        assert problems and "figure 0 is not shown" in problems[0], problems
    finally:
        server.shutdown()


def test_tiny_language_switch_and_search(tiny, browser):
    _, site = tiny
    server, url = serve(site)
    try:
        assert follow_language_switch(browser, url + "01-circles/", "fr") == "/fr/01-cercles-fr/"
        assert follow_language_switch(browser, url + "fr/guides/qgis/", "en") == "/guides/qgis/"
        assert "/fr/01-cercles-fr/" in search(browser, url + "fr/", "circonférence")
        # The English build's search does not know the French page.
        assert "/fr/01-cercles-fr/" not in search(browser, url, "circonférence")
    finally:
        server.shutdown()


# The front doors lead to the site and to Binder's landing pages.

BINDER_LINK = re.compile(r"https://mybinder\.org/v2/gh/[^)\s]+")
LANDING = {"en": "binder/start-here.ipynb", "fr": "binder/commencer-ici.ipynb"}


def check_front_doors(root: Path = ROOT, site_url: str = WEBSITE_CONFIG["site_url"]) -> list[str]:
    """Each README links the site (at site_url, its one address) and every tutorial's page
    there; no other github.io address; the Binder badge opens the landing notebook of the
    README's language, at the ref of website/mkdocs.yml's extra.binder; each landing
    notebook links every tutorial of its language."""
    problems = []
    toc = yaml.safe_load((root / "notebooks" / "toc.yml").read_text())["tutorials"]
    for lang, name in README.items():
        text = (root / name).read_text(encoding="utf-8")
        site_links = set(re.findall(re.escape(site_url) + r"[^)\s>\"]*", text))
        if not site_links:
            problems.append(f"{name} does not link the site ({site_url})")
        for other in re.findall(r"https://[a-z0-9-]+\.github\.io/[^)\s>\"]*", text):
            if not other.startswith(site_url):
                problems.append(f"{name} links {other}, not the site's address {site_url}")
        for entry in toc:
            for page_lang in LANGUAGES:
                page = site_url + ("fr/" if page_lang == "fr" else "") + Path(entry[page_lang]["path"]).stem + "/"
                if page not in site_links:
                    problems.append(f"{name}: tutorial {entry['number']} ({page_lang}) has no link to {page}")
        badge = re.search(r"\[!\[Binder\]\([^)]*\)\]\((https://mybinder\.org/[^)]+)\)", text)
        expected = f"{WEBSITE_CONFIG['extra']['binder']}?urlpath=lab/tree/{LANDING[lang]}"
        if not badge or badge.group(1) != expected:
            problems.append(f"{name}: the Binder badge opens {badge and badge.group(1)}, expected {expected}")
        for link in BINDER_LINK.findall(text):
            if not link.startswith(WEBSITE_CONFIG["extra"]["binder"] + "?"):
                problems.append(f"{name}: Binder link {link} is not at {WEBSITE_CONFIG['extra']['binder']}")
    for lang, landing in LANDING.items():
        if not (root / landing).is_file():
            problems.append(f"{landing} is missing")
            continue
        notebook = nbformat.read(root / landing, as_version=4)
        text = "\n".join(cell.source for cell in notebook.cells)
        for entry in toc:
            target = f"../notebooks/{entry[lang]['path']}"
            if f"]({target})" not in text:
                problems.append(f"{landing}: no link to tutorial {entry['number']} ({target})")
        for target in re.findall(r"\]\((\.\./[^)#]+)", text):
            if not (root / landing).parent.joinpath(target).resolve().is_file():
                problems.append(f"{landing}: link {target} leads to no file")
        if any(cell.get("outputs") for cell in notebook.cells):
            problems.append(f"{landing} has outputs")
    return problems


def test_the_front_doors_lead_to_the_site_and_to_binder_landings():
    assert check_front_doors() == []


def test_broken_front_doors_are_reported(tmp_path):
    for name in (*README.values(), *LANDING.values(), "notebooks/toc.yml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks", dirs_exist_ok=True)
    edit(tmp_path / "README.md", SITE_URL + "01-discover-collections/", SITE_URL + "01-discover/")
    edit(tmp_path / "README.fr.md", "lab/tree/binder/commencer-ici.ipynb", "lab/tree/notebooks/fr")
    notebook = nbformat.read(tmp_path / LANDING["en"], as_version=4)
    notebook.cells[0].source = notebook.cells[0].source.replace(
        "../notebooks/en/08-scaling-up.ipynb", "../notebooks/en/08.ipynb"
    )
    nbformat.write(notebook, tmp_path / LANDING["en"])
    problems = check_front_doors(tmp_path)
    assert any("README.md: tutorial 01 (en) has no link to" in problem for problem in problems), problems
    assert any("README.fr.md: the Binder badge opens" in problem for problem in problems), problems
    assert any("no link to tutorial 08" in problem for problem in problems), problems
    assert any("link ../notebooks/en/08.ipynb leads to no file" in problem for problem in problems), problems
