"""The rendered bilingual site: MkDocs Material with mkdocs-jupyter.

    make site            # python -m mirror run -- python -m website
    make site LIVE=1     # python -m website --live

python -m website executes each tutorial once (execute.py), then builds the
English site into _site/ and the French one into _site/fr/ with
`mkdocs build --strict` (en.yml and fr.yml, which INHERIT mkdocs.yml). The
hook (hooks.py) makes the pages from the repository's files and points the
language selector at each page's twin; overrides/main.html adds the banner of
an offline build and the Binder and download links of a tutorial.
"""
