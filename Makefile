# Each target creates .venv on first use and installs the project into it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test mutate bench bench-calendar bench-check bench-live bench-scale bench-durable bench-ledger bench-web bench-rules bench-store fuzz browser screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

EXAMPLES := examples/shanghai-2024/events.jsonl examples/linyi-2021/events.jsonl \
	examples/binhai-2017/events.jsonl examples/jiangsu-2018/events.jsonl

# The nightly audit over the example logs, recorded in out/audit.sqlite, with an HTML report beside it.
demo: $(STAMP)
	mkdir -p out
	$(BIN)/shixian audit --events $(EXAMPLES) --as-of 2024-12-31 --db out/audit.sqlite --fail-on never
	$(BIN)/shixian audit --events $(EXAMPLES) --as-of 2024-12-31 --db out/audit.sqlite --fail-on never \
		--format html -o out/report.html
	$(BIN)/shixian audit --events examples/ledgers/shanghai-2024/依申请公开登记台账.xlsx --mapping requests \
		--as-of 2024-12-31 --fail-on never -o out/ledger-report.txt
	@echo "state: out/audit.sqlite (shixian history --db out/audit.sqlite); HTML report: out/report.html"
	@echo "the office ledger examples/ledgers/shanghai-2024/依申请公开登记台账.xlsx audited: out/ledger-report.txt"

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q
	$(BIN)/shixian validate rules
	$(BIN)/shixian test rules

# Mutation testing of the clock, verdict and calendar code and of the bundled rule packs' readings (on demand,
# not in CI; long: see bench/RESULTS.md). bench/mutate.py --help for one kind or a subset.
mutate: $(STAMP)
	$(BIN)/python bench/mutate.py

# Screenshots of every workbench page at 1280 and 400 px wide, over the demo's database: out/screenshots/.
screenshots: demo browser
	$(BIN)/python docs/screenshots.py

# The HTML report is tested in a real headless Chromium from Debian's packages.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
		echo "installing Chromium, ChromeDriver and a CJK font (Debian packages) for the browser test"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
			chromium chromium-driver fonts-wqy-microhei >/dev/null; }

bench: bench-calendar bench-check bench-live bench-scale bench-durable bench-ledger

bench-calendar: $(STAMP)
	$(BIN)/python bench/calendar_bench.py

bench-check: $(STAMP)
	$(BIN)/python bench/check_bench.py

bench-live: $(STAMP)
	$(BIN)/python bench/live_bench.py

bench-scale: $(STAMP)
	$(BIN)/python bench/scale_bench.py --events 1000000

bench-scale-10m: $(STAMP)
	$(BIN)/python bench/scale_bench.py --events 10000000 --workers 2 --inputs parquet,jsonl

# The event store: ingest (a 1M-event backfill, a night of 30,000) and the audit of the stored history against the
# same audit from the Parquet file; BASELINE=<checkout of the previous code> also measures its SQLite store.
bench-store: $(STAMP)
	$(BIN)/python bench/store_bench.py --events 1000000 $(if $(BASELINE),--baseline $(BASELINE))

bench-ledger: $(STAMP)
	$(BIN)/python bench/ledger_bench.py --rows 100000

# List pages of the workbench over 500,000 findings (builds out/bench-web.sqlite once).
bench-web: $(STAMP)
	$(BIN)/python bench/web_bench.py --findings 500000

bench-durable: $(STAMP)
	$(BIN)/python bench/durable_bench.py --events 1000000

# Loading 12,000 generated rules with every check, against PyYAML's C loader on the same files.
bench-rules: $(STAMP)
	$(BIN)/python bench/rule_load_bench.py --rules 12000

# The long fuzz run (outside CI): hostile event files, rule files, plans, request bodies and watch input,
# each batch in a child process so that crashes and hangs are counted (about 20 minutes on 2 cores).
fuzz: $(STAMP)
	$(BIN)/python bench/fuzz_run.py --batches 6 --examples 400

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
