# Bilingual CanElevation STAC tutorials: the commands people run.
#   make venv        create or update .venv (and the mirror's proxy env) from the pins
#   make lab         JupyterLab on notebooks/, against the live API
#   make lab OFFLINE=1   the same, answered by the offline mirror (workshop mode)
#   make check       the static checks, in about a minute: no mirror, no network, no browser
#   make test        the whole suite, offline, through the mirror
#   make test-live   every notebook against the live API (needs internet)
#   make mirror      build the mirror's assets (cached)
#   make site        the rendered bilingual site in _site/, notebooks run through the mirror
#   make site LIVE=1     the same, notebooks run against the live API (needs internet)

PYTHON ?= python3
# mitmproxy 11.0.2 (mirror/requirements-proxy.txt) needs Brotli 1.1.0, which has no wheel
# for Python 3.14: on 3.14, point this at a 3.11 to 3.13 interpreter.
PROXY_PYTHON ?= $(PYTHON)
VENV := .venv
PROXY_VENV := .venv-proxy
PY := $(VENV)/bin/python
OFFLINE ?=
LIVE ?=
PYTEST_ARGS ?=
# uv installs the pins in about half the time pip takes (45 s against 89 s here, 2026-12-02); pip installs uv.
# It compiles what it installs: where PYTHONDONTWRITEBYTECODE is set, nothing imported is cached otherwise.
UV_VERSION := 0.13.8
UV_INSTALL = $(VENV)/bin/uv pip install --quiet --compile-bytecode

.PHONY: venv lab check test test-live mirror sync format clean site suite-tutorials suite-rest

# The Python versions the pins have wheels for (on Linux, Windows and recent macOS).
python_in = @$(1) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 11) <= v <= (3, $(2)) else \
	"$(3): its pinned packages have wheels for Python 3.11 to 3.$(2), not " + sys.version.split()[0] + ": run make with $(4)=python3.X")'

venv: $(VENV)/.installed $(PROXY_VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-test.txt
	$(call python_in,$(PYTHON),14,$(VENV),PYTHON)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv==$(UV_VERSION)
	$(UV_INSTALL) --python $(PY) -r requirements-test.txt
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (CanElevation)" >/dev/null
	touch $@

$(PROXY_VENV)/.installed: mirror/requirements-proxy.txt | $(VENV)/.installed
	$(call python_in,$(PROXY_PYTHON),13,$(PROXY_VENV),PROXY_PYTHON)
	test -x $(PROXY_VENV)/bin/python || $(PROXY_PYTHON) -m venv $(PROXY_VENV)
	$(UV_INSTALL) --python $(PROXY_VENV)/bin/python -r mirror/requirements-proxy.txt
	touch $@

# The build needs only .venv: `make test` runs it while the proxy's environment installs.
mirror: $(VENV)/.installed
	$(PY) -m mirror build

ifeq ($(OFFLINE),)
lab: venv
	$(VENV)/bin/jupyter lab notebooks/
else
lab: venv
	$(PY) -m mirror run -- $(VENV)/bin/jupyter lab notebooks/
endif

# The static checks: no mirror, no network, no browser; all run, and any failure fails.
# Lint and format (ruff, pyproject.toml), then the checks over the files (twins, sync, no outputs, links, no TLS bypass, the pins,
# the workflows with zizmor and GitHub's workflow schema).
CHECKS := $(addprefix tests/repository/,test_checks.py test_checks_catch_breakage.py test_front_doors.py \
	test_guides.py test_environments.py test_workflows.py test_setup_cell.py) tests/mirror/test_catalog.py \
	tests/tutorials/test_recipes.py
check: $(VENV)/.installed
	@status=0; \
	$(VENV)/bin/ruff check . || status=1; \
	$(VENV)/bin/ruff format --check . || status=1; \
	$(PY) -m pytest -q -m "not mirror" $(CHECKS) $(PYTEST_ARGS) || status=1; \
	exit $$status

# Headless Chromium photographs a page of the site in the suite (tests/site/test_site.py).
/usr/bin/chromium:
	@[ "$$(id -u)" = 0 ] || { echo "chromium is missing: run 'sudo apt-get install chromium' (Debian)" >&2; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

# Inside the mirror, the whole suite is two pytest runs at once, each mostly one core's work: the tests that
# execute the tutorials (and the site that renders those executions), and all the others.
# With PYTEST_ARGS, one pytest run with those arguments.
test: $(VENV)/.installed /usr/bin/chromium
	$(MAKE) --no-print-directory -j2 $(PROXY_VENV)/.installed mirror
	rm -f .mirror-cache/test-requests.jsonl
	$(PY) -m mirror run --log .mirror-cache/test-requests.jsonl -- \
		$(if $(PYTEST_ARGS),$(PY) -m pytest $(PYTEST_ARGS),$(MAKE) --no-print-directory -j2 --output-sync=target suite-tutorials suite-rest)

suite-tutorials:
	$(PY) -m pytest tests/tutorials tests/site

suite-rest:
	$(PY) -m pytest tests/mirror tests/repository

test-live: venv
	$(PY) -m pytest --live $(PYTEST_ARGS)

# MkDocs Material (website/): executes every tutorial once, then mkdocs build --strict per language.
site: venv
	$(if $(LIVE),$(PY) -m website --live,$(PY) -m mirror run -- $(PY) -m website) --out _site

sync: $(VENV)/.installed
	$(VENV)/bin/jupytext --sync notebooks/en/*.ipynb notebooks/fr/*.ipynb

# ruff formats the .py files and the .ipynb; jupytext carries the notebooks' changes into
# their .md twins. The first sync brings each .ipynb up to a newer .md before ruff touches it.
format: $(VENV)/.installed
	$(VENV)/bin/jupytext --sync notebooks/en/*.ipynb notebooks/fr/*.ipynb
	$(VENV)/bin/ruff format .
	$(VENV)/bin/jupytext --sync notebooks/en/*.ipynb notebooks/fr/*.ipynb

clean:
	rm -rf $(VENV) $(PROXY_VENV) .mirror-cache _site
