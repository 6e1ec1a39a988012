# Thüringen Open Data & Transparency Portal
#
#   make run     the whole portal with harvested demo content at http://localhost:5000
#   make test    the whole test suite against its own, isolated real services
#   make test-unit  the tests that need no service, in seconds (starts nothing)
#
# Everything is done by scripts/stack.py (standard library only); see README.md.
PYTHON ?= python3
STACK  := $(PYTHON) scripts/stack.py
# A second test stack beside the first: make test TEST_PROFILE=test2 (ports +200)
TEST_PROFILE ?= test

.PHONY: run start stop status logs test test-unit test-keep lint reset benchmark screenshots help

run:  ## install what is missing, start every service, set up the portal and its demo content
	$(STACK) --profile run up

start:  ## start the services of `make run` (no install, no demo)
	$(STACK) --profile run start

stop:  ## stop the services of `make run`
	$(STACK) --profile run stop

status:  ## show every service of `make run`; exits 1 when one is down
	$(STACK) --profile run status

logs:  ## follow the logs of `make run`
	tail -n 20 -F var/run/log/*.log

test:  ## the whole suite on fresh, isolated services (other ports, database, Solr core)
	$(STACK) --profile $(TEST_PROFILE) test $(PYTEST_ARGS)

test-unit:  ## the tests that need no service (tests/unit, not marked `stack`); starts nothing
	$(STACK) test-unit $(PYTEST_ARGS)

lint:  ## ruff: lint and import order (also the first step of `make test`)
	$(STACK) lint

test-keep:  ## like `make test`, but leave the test services running for debugging
	$(STACK) --profile $(TEST_PROFILE) test --keep $(PYTEST_ARGS)

# A benchmark of tests/benchmarks/ (docs/benchmarks.md), e.g.
#   make benchmark BENCH=harvest BENCH_ARGS="--size 10000 --memory-sizes 10000,50000"
BENCH ?= harvest
BENCH_ARGS ?=
benchmark:  ## run tests/benchmarks/$(BENCH)_benchmark.py $(BENCH_ARGS) (harvest: on its own stack, profile bench)
	.venv/bin/python tests/benchmarks/$(BENCH)_benchmark.py $(BENCH_ARGS)

# The README's screenshots of the home page and a search, from the portal of `make run`
# (start it first), e.g. make screenshots SCREENSHOT_ARGS="--query Wasser"
SCREENSHOT_ARGS ?=
screenshots:  ## docs/images/home.png and search.png of the running `make run` portal
	.venv/bin/python scripts/screenshots.py $(SCREENSHOT_ARGS)

reset:  ## stop `make run` and delete all its data (database, index, logs, secrets)
	$(STACK) --profile run stop
	rm -rf var/run

help:
	@grep -E '^[a-z-]+:.*## ' Makefile | sed 's/:.*## /\t/'
