"""The rendered bilingual site: `make site` (offline, through the mirror) or
`make site LIVE=1` (against the live API).

    python -m mirror run -- python -m site_builder --out _site
    python -m site_builder --live --out _site

Tutorials (from notebooks/toc.yml) are executed with nbclient, in memory, in
their own folder (the notebooks on disk are never written), and rendered with
nbconvert's `lab` template: plots are inline PNG images. Guides (guides/en and
guides/fr, when present) are rendered with markdown-it-py. Every page gets a
top bar with a link to its language's index and a language switch to the same
page in the other language; pages built through the mirror also get a banner
saying that the figures come from synthetic elevations.

Layout of the output:

    index.html                      links both languages
    en/index.html, fr/index.html    tutorials and guides of that language
    en/<notebook stem>.html         one page per tutorial (fr: the French stem)
    en/guides/<guide stem>.html     one page per guide (same file name in fr/guides/)
"""

from site_builder.build import build, load_site_plan  # noqa: F401
from site_builder.check import check_site  # noqa: F401
