# The two commands of the README; both set everything up first (scripts/setup is idempotent).
.PHONY: setup parity test

setup:
	@bash scripts/setup

# Parity of the lesson example on every runtime that can run here (native is the reference). ARGS="--json r.json" etc.
parity: setup
	.venv/bin/python -m crosscheck $(ARGS)

# The whole suite, browser tests included. PYTEST_ARGS="-k wire" etc.; PYTEST_WORKERS=0 for a serial run.
# Two pytest-xdist workers by default: faster than serial on this 2-core machine (docs/testing.md).
PYTEST_WORKERS ?= 2
test: setup
	.venv/bin/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)
