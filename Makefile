# The two commands of the README; both set everything up first (scripts/setup is idempotent).
.PHONY: setup parity test

setup:
	@bash scripts/setup

# Parity of the lesson example on every runtime that can run here (native is the reference). ARGS="--json r.json" etc.
parity: setup
	.venv/bin/python -m crosscheck $(ARGS)

# The whole suite, browser tests included. PYTEST_ARGS="-k wire" etc.
test: setup
	.venv/bin/python -m pytest $(PYTEST_ARGS)
