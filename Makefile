# Each target creates .venv on first use and installs the project into it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/shixian audit --events examples/shanghai-2024/events.jsonl examples/linyi-2021/events.jsonl \
		examples/binhai-2017/events.jsonl examples/jiangsu-2018/events.jsonl --as-of 2024-12-31 --fail-on never

test: $(STAMP)
	$(BIN)/python -m pytest -q
	$(BIN)/shixian validate rules
	$(BIN)/shixian test rules

bench: $(STAMP)
	$(BIN)/python bench/calendar_bench.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
