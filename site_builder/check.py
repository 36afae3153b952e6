"""Check a built site against its plan: every tutorial and guide has a page in
both languages, every language switch leads to the counterpart page (which
exists and switches back), the indexes list every page, tutorial pages
carry the mirror banner exactly when built through the mirror, and no page
shows a hidden `check` cell."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from site_builder.build import BANNER_CLASS, CHECK_CELL_CLASS, LANGUAGES, SWITCH_CLASS, Page, SitePlan

LANGUAGE_NAMES = {"en": "English", "fr": "French"}


@dataclass
class PageFacts:
    lang: str | None = None
    title: str = ""
    links: list[dict[str, str]] = field(default_factory=list)  # attributes of every <a href>
    banners: int = 0
    check_cells: int = 0


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.facts = PageFacts()
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        classes = attributes.get("class", "").split()
        if tag == "html" and self.facts.lang is None:
            self.facts.lang = attributes.get("lang")
        elif tag == "title":
            self._in_title = True
        elif tag == "a" and "href" in attributes:
            self.facts.links.append(attributes)
        if BANNER_CLASS in classes:
            self.facts.banners += 1
        if CHECK_CELL_CLASS in classes:
            self.facts.check_cells += 1

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.facts.title += data


def read_page(path: Path) -> PageFacts:
    reader = _Reader()
    reader.feed(path.read_text(encoding="utf-8"))
    return reader.facts


def resolve(page_path: str, href: str) -> str:
    """The site-relative path an href on page_path leads to (anchor dropped)."""
    target = href.split("#", 1)[0]
    return posixpath.normpath(posixpath.join(posixpath.dirname(page_path), target))


def describe(page: Page) -> str:
    name = page.key.replace("tutorial-", "tutorial ").replace("guide-", "guide ")
    return f"{name} ({LANGUAGE_NAMES[page.lang]}, {page.path})"


def check_switch(site: Path, path: str, facts: PageFacts, expected: str, other: str) -> list[str]:
    switches = [link for link in facts.links if SWITCH_CLASS in link.get("class", "").split()]
    if len(switches) != 1:
        return [f"{path}: {len(switches)} language switches, expected 1"]
    [switch] = switches
    problems = []
    target = resolve(path, switch["href"])
    if target != expected:
        problems.append(f"{path}: language switch points to {target}, expected {expected}")
    elif not (site / target).is_file():
        problems.append(f"{path}: language switch points to {target}, which does not exist")
    if switch.get("hreflang") != other:
        problems.append(f"{path}: language switch has hreflang={switch.get('hreflang')!r}, expected {other!r}")
    return problems


def check_site(site: Path, plan: SitePlan, *, mirror: bool) -> list[str]:
    """Every problem with the built site in `site`, as readable lines (empty: all good)."""
    problems = []
    paths = {page.path for page in plan.pages}

    for page in plan.pages:
        file = site / page.path
        if not file.is_file():
            problems.append(f"missing page: {describe(page)}")
            continue
        facts = read_page(file)
        counterpart = plan.counterpart(page)
        if facts.lang != page.lang:
            problems.append(f"{page.path}: <html lang={facts.lang!r}>, expected {page.lang!r}")
        if page.title not in facts.title:
            problems.append(f"{page.path}: title {facts.title.strip()!r} does not name {page.title!r}")
        if counterpart is None:
            other = "fr" if page.lang == "en" else "en"
            problems.append(f"{describe(page)} has no {LANGUAGE_NAMES[other]} counterpart"
                            + (f" (guides/{other}/{page.source.name})" if page.kind == "guide" else " in toc.yml"))
        else:
            problems += check_switch(site, page.path, facts, counterpart.path, counterpart.lang)
        if page.kind == "tutorial":
            if facts.check_cells:
                problems.append(f"{page.path}: shows {facts.check_cells} cell(s) tagged 'check', "
                                "which the site hides")
            if mirror and facts.banners != 1:
                problems.append(f"{page.path}: {facts.banners} mirror banners, expected 1 (built through the mirror)")
            if not mirror and facts.banners:
                problems.append(f"{page.path}: has a mirror banner, but was built against the live API")

    for lang in LANGUAGES:
        index = f"{lang}/index.html"
        other = "fr" if lang == "en" else "en"
        if not (site / index).is_file():
            problems.append(f"missing page: {index}")
            continue
        facts = read_page(site / index)
        problems += check_switch(site, index, facts, f"{other}/index.html", other)
        listed = {resolve(index, link["href"]) for link in facts.links}
        for page in plan.pages:
            if page.lang == lang and page.path not in listed:
                problems.append(f"{index} does not list {describe(page)}")
        for target in sorted(listed):
            if (target.endswith(".html") and target.startswith(f"{lang}/") and target not in paths
                    and target != index):
                problems.append(f"{index} links to {target}, which is not a page of the site")

    if not (site / "index.html").is_file():
        problems.append("missing page: index.html")
    else:
        listed = {resolve("index.html", link["href"]) for link in read_page(site / "index.html").links}
        for lang in LANGUAGES:
            if f"{lang}/index.html" not in listed:
                problems.append(f"index.html does not link to {lang}/index.html")
    return problems
