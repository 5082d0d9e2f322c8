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

# The main job on the bundled sample portal: validate the rules, then screen everything that
# would be published. The sample keeps two drafts with deliberate problems, so the expected
# outcome is "blocked" (exit 1), with every finding listed and redacted.
demo: $(BIN)/baomi
	$(BIN)/baomi rules check
	@$(BIN)/baomi check; status=$$?; \
	if [ $$status -eq 1 ]; then \
		echo "demo: blocked as expected: the drafts in content/drafts/ carry the problems above."; \
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
