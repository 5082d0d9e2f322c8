# Two commands a newcomer needs (README): `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean

$(BIN)/baomi: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The main job on the bundled sample portal: validate the rules, screen everything that would be
# published, and verify the leaders' sign-offs in this repository's history. The sample keeps two
# drafts with deliberate problems and no sign-off, so the expected outcome of both steps is
# "blocked" (exit 1), with every finding listed and redacted and every cleared page named.
demo: $(BIN)/baomi
	$(BIN)/baomi rules check
	@$(BIN)/baomi check; status=$$?; \
	if [ $$status -ne 1 ]; then exit $$status; fi
	@$(BIN)/baomi status; status=$$?; \
	if [ $$status -eq 1 ]; then \
		echo "demo: as designed, every page is cleared except the two drafts in content/drafts/."; \
	else exit $$status; fi

lint: $(BIN)/baomi
	$(BIN)/ruff check screen tests bench
	$(BIN)/ruff format --check screen tests bench
	$(BIN)/mypy screen

test: lint
	$(BIN)/pytest

bench: $(BIN)/baomi
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) site .pytest_cache .mypy_cache .ruff_cache
