# The two commands: `make run` and `make test`. Both install what they need on a machine that
# has only Python >= 3.11 and pip: uv (from PyPI, into .tools/) and the locked workspace (.venv/).

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
SERVICES := identity dossier docflow reporting gateway banner
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install run test test-fast lint fmt clean bench fuzz faults audit system-packages

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Bytecode compiled once here: where PYTHONDONTWRITEBYTECODE is set (this CI's machines), every
# process would otherwise compile every module it imports again (a service started in 8 s
# instead of 3, and the suite starts services dozens of times).
$(VENV)/.installed: $(UV) uv.lock pyproject.toml */pyproject.toml
	$(UV) sync --frozen --compile-bytecode --python "$$($(PYTHON) -c 'import sys; print(sys.executable)')"
	$(BIN)/python -m compileall -q -j 0 shared/src gateway/src svc-*/src egov_testing.py >/dev/null
	@touch $@

install: $(VENV)/.installed ## Create .venv with every package of the workspace

run: install ## Start NATS, every service and the gateway on http://127.0.0.1:8000
	@mkdir -p var/nats
	@$(BIN)/honcho -f deploy/local/Procfile -d . start $(if $(NATS_URL),$(SERVICES),)

test: install system-packages ## The whole suite (PostgreSQL on 127.0.0.1:5432 when reachable, else SQLite)
	$(BIN)/pytest $(PYTEST_ARGS)

# Debian packages some tests drive: Chromium (the portal's browser tests; Playwright never
# downloads a browser here) and docker-compose (validates deploy/compose.yaml offline). As root
# with apt (CI) the missing ones are installed; elsewhere those tests say they are skipped.
SYSTEM_PACKAGES := chromium:chromium docker-compose:docker-compose
system-packages:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do \
	  command -v "$${pair%%:*}" >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian packages for the tests:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -q --no-install-recommends $$missing >/dev/null 2>&1 \
	  || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends $$missing >/dev/null 2>&1; } \
	  || echo "Could not install$$missing: the tests that need them will be skipped"; \
	else echo "Missing$$missing and not root: the tests that need them will be skipped"; fi

test-fast: install ## Everything but the end-to-end tests that run the platform as processes
	$(BIN)/pytest -m "not e2e" $(PYTEST_ARGS)

lint: install ## ruff, mypy, and the import boundaries (services never import one another)
	$(BIN)/ruff check .
	$(BIN)/mypy shared/src gateway/src svc-identity/src svc-dossier/src svc-docflow/src svc-reporting/src
	$(BIN)/lint-imports

fmt: install
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache

audit: install ## pip-audit over the locked dependencies (needs PyPI's JSON API or OSV), known findings in docs/known-vulnerabilities.toml
	$(BIN)/pytest tests/test_supply_chain.py -rs

bench: install ## Every benchmark (ratios against a baseline measured in the same run) and docs/PERFORMANCE.md
	$(BIN)/python bench/run_all.py

# The fuzzer's long version: schemathesis with EGOV_FUZZ_EXAMPLES valid and as many invalid
# examples per operation (`make test` runs 5, with one fixed seed), a new random seed each run.
# EGOV_FUZZ_SEED=<seed printed by a failure> replays.
EGOV_FUZZ_EXAMPLES ?= 100
fuzz: install ## Schemathesis against every operation of the gateway, with every role
	EGOV_FUZZ_RANDOM=1 EGOV_FUZZ_EXAMPLES=$(EGOV_FUZZ_EXAMPLES) $(BIN)/pytest tests/test_fuzz.py $(PYTEST_ARGS)

# The fault tests' long version: each scenario's load for EGOV_FAULT_LOAD_SECONDS (60 s here;
# `make test` runs 4 s). Needs PostgreSQL's server binaries (initdb, pg_ctl): docs/RELIABILITY.md
EGOV_FAULT_LOAD_SECONDS ?= 60
faults: install ## Fault injection under a long load (each component killed in turn)
	EGOV_FAULT_LOAD_SECONDS=$(EGOV_FAULT_LOAD_SECONDS) $(BIN)/pytest tests/test_faults.py -s $(PYTEST_ARGS)
