"""The rendered bilingual site (`make site`): built once per module through the
mirror (the suite runs inside it), then checked: a page per tutorial (toc.yml)
and per guide in both languages, language switches that lead to the
counterpart page, the mirror banner; and one tutorial page opened in headless
Chromium, where a matplotlib plot must be present and loaded.

A tiny site (one tutorial pair with a plot, one guide pair) is built too: its
notebooks must come out of the build byte-identical, and broken copies of it
show each check failing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from site_builder import build, check_site, load_site_plan
from site_builder.build import LANGUAGES, SiteError
from tiny_tutorials import write_tutorial_tree

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
NO_CHROMIUM = (
    f"{CHROMIUM} is missing: `make test` installs it (apt-get install -y chromium, as root); "
    "or install Debian's chromium package yourself"
)
OTHER = {"en": "fr", "fr": "en"}


# The site, built once per session.

def fingerprints(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    """The real site, built through the mirror (the suite runs inside it)."""
    out = tmp_path_factory.mktemp("site") / "_site"
    problems = build(out, live=False)
    return {"out": out, "problems": problems}


def expected_pages(root: Path = ROOT) -> dict[str, dict[str, str]]:
    """{page key: {lang: site path}}, read here from toc.yml and guides/ (not from the builder)."""
    pages: dict[str, dict[str, str]] = {}
    toc = yaml.safe_load((root / "notebooks" / "toc.yml").read_text())
    for entry in toc["tutorials"]:
        pages[f"tutorial {entry['number']}"] = {
            lang: f"{lang}/{Path(entry[lang]['path']).stem}.html" for lang in LANGUAGES
        }
    names = {path.name for lang in LANGUAGES for path in (root / "guides" / lang).glob("*.md")}
    for name in sorted(names):
        pages[f"guide {name}"] = {lang: f"{lang}/guides/{Path(name).stem}.html" for lang in LANGUAGES}
    return pages


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.switches: list[dict] = []
        self.images: list[str] = []  # src of every <img>, in document order
        self.banner_text = ""
        self._in_banner = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "a" and "lang-switch" in classes:
            self.switches.append(attributes)
        if tag == "img":
            self.images.append(attributes.get("src") or "")
        if "mirror-banner" in classes:
            self._in_banner += 1
        elif self._in_banner and tag == "div":
            self._in_banner += 1

    def handle_endtag(self, tag):
        if self._in_banner and tag == "div":
            self._in_banner -= 1

    def handle_data(self, data):
        if self._in_banner:
            self.banner_text += data


def links_of(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def switch_target(site: Path, page: str) -> str:
    [switch] = links_of(site / page).switches
    return os.path.normpath(os.path.join(os.path.dirname(page), switch["href"]))


@pytest.mark.mirror
def test_the_build_passes_its_own_checks(built_site):
    assert built_site["problems"] == []


@pytest.mark.mirror
def test_every_tutorial_and_guide_has_a_page_in_both_languages(built_site):
    pages = expected_pages()
    assert any(key.startswith("tutorial") for key in pages)
    missing = [f"{key}: {path}" for key, paths in pages.items() for path in paths.values()
               if not (built_site["out"] / path).is_file()]
    assert not missing, "pages missing from the site:\n" + "\n".join(missing)
    for lang in LANGUAGES:
        assert (built_site["out"] / lang / "index.html").is_file()
    assert (built_site["out"] / "index.html").is_file()


@pytest.mark.mirror
def test_every_language_switch_leads_to_the_counterpart(built_site):
    site = built_site["out"]
    wrong = []
    for key, paths in expected_pages().items():
        for lang in LANGUAGES:
            target = switch_target(site, paths[lang])
            if target != paths[OTHER[lang]] or not (site / target).is_file():
                wrong.append(f"{key}: {paths[lang]} switches to {target}, expected {paths[OTHER[lang]]}")
    for lang in LANGUAGES:
        target = switch_target(site, f"{lang}/index.html")
        if target != f"{OTHER[lang]}/index.html":
            wrong.append(f"{lang}/index.html switches to {target}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.mirror
def test_tutorial_pages_say_their_figures_are_synthetic(built_site):
    for key, paths in expected_pages().items():
        if key.startswith("tutorial"):
            assert "synthetic elevations" in links_of(built_site["out"] / paths["en"]).banner_text
            assert "altitudes synthétiques" in links_of(built_site["out"] / paths["fr"]).banner_text


# Headless Chromium: a page with a matplotlib plot, opened and photographed.

def is_matplotlib_png(src: str) -> bool:
    """A data: PNG whose text chunk says matplotlib made it ("Software: Matplotlib ...")."""
    if not src.startswith("data:image/png;base64,"):
        return False
    head = base64.b64decode(src.split(",", 1)[1][:2000])  # 1,500 bytes: the text chunks come first
    return b"Matplotlib" in head


def first_page_with_a_plot(site: Path, root: Path = ROOT) -> tuple[Path, int]:
    """(tutorial page, index of its first matplotlib <img>), English pages first."""
    pages = [paths[lang] for lang in LANGUAGES for key, paths in expected_pages(root).items()
             if key.startswith("tutorial")]
    for page in pages:
        if not (site / page).is_file():
            continue
        for index, src in enumerate(links_of(site / page).images):
            if is_matplotlib_png(src):
                return site / page, index
    pytest.fail(f"no tutorial page in {site} has a matplotlib plot (an <img> with a data:image/png "
                "made by matplotlib): the screenshot test needs one")


# Runs in the page: brings the first matplotlib figure's cell to the top of
# the window (cells before it are hidden; the top bar and banner stay), then
# reports every <img>: loaded or not, natural size.
PROBE = """<script>
document.addEventListener("DOMContentLoaded", function () {
  var image = document.querySelectorAll("img")[%(index)d];
  var cell = image && image.closest(".jp-Cell");
  for (var before = cell && cell.previousElementSibling; before; before = before.previousElementSibling) {
    if (before.classList.contains("jp-Cell")) { before.style.display = "none"; }
  }
});
window.addEventListener("load", function () {
  var report = document.createElement("pre");
  report.id = "site-probe";
  report.style.display = "none";  // read from the DOM, kept out of the screenshot
  report.textContent = JSON.stringify(Array.from(document.querySelectorAll("img")).map(function (img) {
    return {complete: img.complete, naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight};
  }));
  document.body.appendChild(report);
});
</script>"""


def chromium(*arguments: str, profile: Path) -> subprocess.CompletedProcess:
    if not Path(CHROMIUM).exists():
        pytest.fail(NO_CHROMIUM)
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}",
        # file:// pages only: no proxy, and every host name fails to resolve, so
        # the CDN scripts of the page (require.js, MathJax, widgets) fail at once.
        "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND",
        *arguments,
    ]
    environment = {name: value for name, value in os.environ.items() if "proxy" not in name.lower()}
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=environment)


def open_in_chromium(page: Path, image_index: int, screenshot: Path, profile: Path) -> list[dict]:
    """Open a probed copy of `page` (next to it, so relative links still resolve):
    screenshot it, and return what the browser says of each <img>."""
    probed = page.with_name(page.stem + ".probe.html")
    probed.write_text(page.read_text(encoding="utf-8").replace(
        "</head>", PROBE % {"index": image_index} + "</head>", 1), encoding="utf-8")
    dom = chromium("--virtual-time-budget=10000", "--dump-dom", probed.as_uri(), profile=profile)
    found = re.search(r'<pre id="site-probe"[^>]*>(.*?)</pre>', dom.stdout, re.DOTALL)
    assert found, f"Chromium did not run the probe on {probed}:\n{dom.stderr[-2000:]}"
    chromium("--window-size=1280,1400", f"--screenshot={screenshot}", probed.as_uri(), profile=profile)
    return json.loads(found.group(1).replace("&quot;", '"'))


def assert_plot_loaded(report: list[dict], image_index: int, page: Path) -> None:
    assert len(report) > image_index, f"{page}: the browser sees {len(report)} images"
    image = report[image_index]
    assert image["complete"] and image["naturalWidth"] > 0 and image["naturalHeight"] > 0, (
        f"{page}: the plot (image {image_index}) did not load in Chromium: {image}")


def assert_not_blank(screenshot: Path) -> None:
    import matplotlib.image

    assert screenshot.is_file(), f"no screenshot at {screenshot}"
    pixels = matplotlib.image.imread(screenshot)
    assert pixels.std() > 0.05, f"{screenshot} is (nearly) blank"


@pytest.mark.mirror
def test_a_tutorial_page_shows_a_plot_in_chromium(built_site, tmp_path):
    page, image_index = first_page_with_a_plot(built_site["out"])
    screenshot = tmp_path / "tutorial-page.png"
    report = open_in_chromium(page, image_index, screenshot, tmp_path / "profile")
    assert_plot_loaded(report, image_index, page)
    assert_not_blank(screenshot)
    print(f"screenshot of {page.name}: {screenshot}")


# The checks on broken input: a tiny site (one tutorial pair, one guide pair),
# built once, then copied and broken in one way per test.

TINY_PLOT_CELL = "import matplotlib.pyplot as plt\n\nplt.plot([1, 3, 2])\nplt.show()"
# A hidden check cell: run by the build (a failing one fails it), never shown on the page.
TINY_CHECK_MARK = "tiny-check-cell-ran"
TINY_CHECK_CELL = f'assert RADIUS_KM == 6371, "RADIUS_KM changed"\nprint("{TINY_CHECK_MARK}")'


def write_tiny_repo(root: Path) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell

    notebooks = write_tutorial_tree(root)
    for path in (notebooks / "en" / "01-circles.ipynb", notebooks / "fr" / "01-cercles-fr.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        notebook.cells.insert(2, new_code_cell(TINY_CHECK_CELL, metadata={"tags": ["check"]}))
        notebook.cells.append(new_code_cell(TINY_PLOT_CELL))
        nbformat.write(notebook, path)
    for lang, title in (("en", "The QGIS guide"), ("fr", "Le guide QGIS")):
        (root / "guides" / lang).mkdir(parents=True)
        (root / "guides" / lang / "qgis.md").write_text(
            f"# {title}\n\n[{OTHER[lang]}](../{OTHER[lang]}/qgis.md)\n")


@pytest.fixture(scope="module")
def tiny_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny-repo")
    write_tiny_repo(root)
    before = fingerprints(root / "notebooks")
    out = root / "_site"
    # live=True: no banner; these notebooks reach no host at all.
    assert build(out, live=True, root=root, log=lambda message: None) == []
    # The notebooks are executed in memory: not a byte changes, no file appears.
    assert fingerprints(root / "notebooks") == before
    return root, out


@pytest.fixture
def tiny(tiny_site, tmp_path):
    """A fresh copy of the tiny repo and its built site, to break."""
    root, _ = tiny_site
    copy = tmp_path / "repo"
    shutil.copytree(root, copy)
    return copy, copy / "_site"


def problems_of(root: Path, site: Path, mirror: bool = False) -> list[str]:
    return check_site(site, load_site_plan(root), mirror=mirror)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_checks_pass_on_the_tiny_site(tiny):
    root, site = tiny
    assert problems_of(root, site) == []
    assert switch_target(site, "en/01-circles.html") == "fr/01-cercles-fr.html"
    assert switch_target(site, "fr/guides/qgis.html") == "en/guides/qgis.html"


def test_a_missing_french_page_is_reported(tiny):
    root, site = tiny
    (site / "fr" / "01-cercles-fr.html").unlink()
    problems = problems_of(root, site)
    assert "missing page: tutorial 01 (French, fr/01-cercles-fr.html)" in problems
    assert ("en/01-circles.html: language switch points to fr/01-cercles-fr.html, which does not exist"
            in problems)


def test_a_wrong_switch_link_is_reported(tiny):
    root, site = tiny
    edit(site / "en" / "01-circles.html", 'class="lang-switch" href="../fr/01-cercles-fr.html"',
         'class="lang-switch" href="../fr/index.html"')
    assert problems_of(root, site) == [
        "en/01-circles.html: language switch points to fr/index.html, expected fr/01-cercles-fr.html"
    ]


def test_a_guide_without_its_french_twin_is_reported(tiny):
    root, site = tiny
    (root / "guides" / "fr" / "qgis.md").unlink()
    problems = problems_of(root, site)
    assert "guide qgis (English, en/guides/qgis.html) has no French counterpart (guides/fr/qgis.md)" in problems


def test_a_page_missing_from_the_index_is_reported(tiny):
    root, site = tiny
    edit(site / "fr" / "index.html", 'href="guides/qgis.html"', 'href="#"')
    assert problems_of(root, site) == ["fr/index.html does not list guide qgis (French, fr/guides/qgis.html)"]


def test_the_banner_must_match_how_the_site_was_built(tiny):
    root, site = tiny
    # Built live: no banner, so a check that expects a mirror build reports both pages.
    assert problems_of(root, site, mirror=True) == [
        "en/01-circles.html: 0 mirror banners, expected 1 (built through the mirror)",
        "fr/01-cercles-fr.html: 0 mirror banners, expected 1 (built through the mirror)",
    ]


def test_check_cells_are_run_but_not_rendered(tiny_site):
    root, site = tiny_site
    for page, before in (("en/01-circles.html", "Earth radius"), ("fr/01-cercles-fr.html", "Rayon de la Terre")):
        text = (site / page).read_text(encoding="utf-8")
        assert "RADIUS_KM changed" not in text and TINY_CHECK_MARK not in text, (
            f"{page} shows the hidden check cell (its code or its output)")
        assert "celltag_check" not in text, f"{page} has a cell tagged 'check'"
        assert before in text  # the cell before it is still there


def test_a_page_showing_a_check_cell_is_reported(tiny):
    root, site = tiny
    page = site / "en" / "01-circles.html"
    edit(page, '<div class="jp-Cell jp-CodeCell', '<div class="jp-Cell jp-CodeCell celltag_check"></div>'
         '<div class="jp-Cell jp-CodeCell')
    assert problems_of(root, site) == ["en/01-circles.html: shows 1 cell(s) tagged 'check', which the site hides"]


def test_a_failing_check_cell_fails_the_build(tiny, tmp_path):
    root, _ = tiny
    for path in (root / "notebooks" / "en" / "01-circles.ipynb", root / "notebooks" / "fr" / "01-cercles-fr.ipynb"):
        edit(path, "RADIUS_KM = 6371", "RADIUS_KM = 6378")
    with pytest.raises(SiteError, match="RADIUS_KM changed"):
        build(tmp_path / "_site", live=True, root=root, log=lambda message: None)


def test_links_between_guides_lead_to_their_pages(tiny_site):
    root, site = tiny_site
    assert '<a href="../../en/guides/qgis.html">en</a>' in (site / "fr" / "guides" / "qgis.html").read_text()


def test_a_page_with_a_plot_is_found_and_renders(tiny, tmp_path):
    root, site = tiny
    page, index = first_page_with_a_plot(site, root)
    assert page == site / "en" / "01-circles.html"
    report = open_in_chromium(page, index, tmp_path / "tiny.png", tmp_path / "profile")
    assert_plot_loaded(report, index, page)
    assert_not_blank(tmp_path / "tiny.png")


def test_a_broken_plot_fails_the_browser_check(tiny, tmp_path):
    root, site = tiny
    page = site / "en" / "01-circles.html"
    index = next(i for i, src in enumerate(links_of(page).images) if is_matplotlib_png(src))
    text = page.read_text(encoding="utf-8")
    src = links_of(page).images[index]
    not_a_png = "data:image/png;base64," + base64.b64encode(b"not a PNG at all").decode()
    page.write_text(text.replace(src, not_a_png), encoding="utf-8")
    report = open_in_chromium(page, index, tmp_path / "broken.png", tmp_path / "profile")
    with pytest.raises(AssertionError, match="did not load in Chromium"):
        assert_plot_loaded(report, index, page)


def test_a_site_without_plots_fails_clearly(tiny):
    root, site = tiny
    for page in ("en/01-circles.html", "fr/01-cercles-fr.html"):
        text = (site / page).read_text(encoding="utf-8")
        (site / page).write_text(re.sub(r'<img[^>]*src="data:image/png[^"]*"[^>]*>', "", text), encoding="utf-8")
    with pytest.raises(pytest.fail.Exception, match="no tutorial page .* has a matplotlib plot"):
        first_page_with_a_plot(site, root)
