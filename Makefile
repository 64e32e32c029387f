# trustly_nb — every target sets itself up first (a virtual environment in .venv).
# Quick start on a fresh machine:   make lab    (JupyterLab on the notebooks, replay mode)
#                                   make test   (lint, types, the whole test suite)

VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
PORT    ?= 8888
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup lab app demo test lint typecheck pytest browser record check-cassettes fuzz bench constraints clean

$(STAMP): pyproject.toml constraints.txt
	@bash scripts/bootstrap.sh "$(VENV)"
	@touch $(STAMP)

setup: $(STAMP) ## the virtual environment with the project and its dev tools

# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: setup ## JupyterLab on notebooks/ (TRUSTLY_NB_MODE=replay unless you set it)
	@echo "Mode: $${TRUSTLY_NB_MODE:-replay} (set TRUSTLY_NB_MODE=emulator to explore freely)"
	cd notebooks && ../$(VENV)/bin/jupyter lab --port=$(PORT) $(ROOT_FLAG)

app: setup ## the "fix a customer" app in Voila (http://127.0.0.1:8866/; TRUSTLY_NB_MODE=replay unless set)
	$(VENV)/bin/trustly-nb app --port=8866

demo: setup ## run every notebook headless in strict replay mode; executed copies in build/
	$(PY) scripts/run_notebooks.py --out build --strict

test: setup lint typecheck pytest ## what CI runs

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: setup
	$(VENV)/bin/mypy

pytest: setup browser
	@bash scripts/pytest.sh $(PY)

browser: ## Debian's chromium for the browser tests (installed with apt-get when root)
	@bash scripts/ensure-chromium.sh

record: setup ## re-record every notebook's and app's cassette (the real sandbox with credentials, else the emulator)
	$(PY) scripts/run_notebooks.py --record

check-cassettes: setup ## re-record every notebook against the emulator in a temp folder; fail if a shipped cassette differs
	$(PY) scripts/check_cassettes.py

fuzz: setup ## schemathesis against the emulator: 200 examples per operation, positive and negative
	TRUSTLY_NB_FUZZ_EXAMPLES=200 $(PY) -m pytest tests/emulator/test_schemathesis.py -v -p no:cacheprovider

bench: setup ## benchmarks print side-by-side ratios; nothing is asserted
	@for script in benchmarks/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

constraints: ## re-pin exact versions after a deliberate upgrade
	$(VENV)/bin/pip freeze --exclude-editable | grep -vi '^trustly' > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
