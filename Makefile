# Two commands a newcomer needs (README): `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean browser catalogs

# Headless Chromium for the page tests, and a CJK font so pages render (Debian packages).
BROWSER_PACKAGES := chromium chromium-driver fonts-wqy-zenhei
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(BIN)/baomi: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The main job on the bundled sample portal: validate the rules, then `baomi publish`: screen
# everything, verify the leaders' sign-offs in this repository's history, build with MkDocs,
# audit the built site and only then put it in site/. The two drafts in content/drafts/ carry
# deliberate problems and no sign-off: they are held back, each reason listed (redacted).
demo: $(BIN)/baomi
	$(BIN)/baomi rules check
	NO_MKDOCS_2_WARNING=1 $(BIN)/baomi publish

lint: $(BIN)/baomi
	$(BIN)/ruff check screen tests bench
	$(BIN)/ruff format --check screen tests bench
	$(BIN)/mypy screen
	$(BIN)/lint-imports

# The message catalogs (screen/i18n.py): collect every `_()` string from the code, merge it into
# the Chinese catalog (new entries are empty until translated; tests/test_i18n.py fails on any),
# and compile the .mo that ships in the package.
CATALOG := screen/locale/zh_CN/LC_MESSAGES/baomi
catalogs: $(BIN)/baomi
	mkdir -p build
	$(BIN)/pybabel -q extract -F babel.cfg -k N_ --no-location --sort-output --project=baomi \
		-o build/baomi.pot screen
	$(BIN)/pybabel -q update -i build/baomi.pot -o $(CATALOG).po -l zh_CN --no-fuzzy-matching \
		--ignore-obsolete
	$(BIN)/pybabel -q compile -i $(CATALOG).po -o $(CATALOG).mo -l zh_CN

browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null \
		|| ! fc-list 2>/dev/null | grep -qi wenquanyi; then \
		$(SUDO) apt-get install -y -q $(BROWSER_PACKAGES) \
		|| { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q $(BROWSER_PACKAGES); }; \
	fi

test: lint browser
	$(BIN)/pytest

bench: $(BIN)/baomi
	$(BIN)/python bench/run.py
	$(BIN)/python bench/incremental.py
	$(BIN)/python bench/entities.py
	$(BIN)/python bench/names.py
	$(BIN)/python bench/signoff_history.py
	$(BIN)/python bench/onboarding.py
	$(BIN)/python bench/publish.py
	$(BIN)/python bench/wording.py
	$(BIN)/python bench/sweep.py
	$(BIN)/python bench/dense.py

clean:
	rm -rf $(VENV) site .pytest_cache .mypy_cache .ruff_cache
