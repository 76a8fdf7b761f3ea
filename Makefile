# cygno-edge: user-facing targets are `make test` and `make demo`.
#   make test   install (scripts/install.sh), then the whole pytest suite, integration tests
#               included, against real local Mosquitto, SeaweedFS and VictoriaMetrics.
#               Extra pytest arguments: make test PYTEST_ARGS='-m "not slow"'
#   make demo   install, then scripts/demo.py (a simulated pedestal + data run end to end).
#               Extra arguments: make demo DEMO_ARGS='--frames 10 --keep'
#   make install / make clean   helpers.
# A failing step makes make exit non-zero (make reports any failure as 2).

PYTHON := .venv/bin/python
PYTEST_ARGS ?=
DEMO_ARGS ?=
# A hung test must not eat the CI budget: no single test may take more than 10 minutes.
PYTEST_TIMEOUT ?= 600

.PHONY: test demo install clean

test: install
	$(PYTHON) -m pytest -q --timeout=$(PYTEST_TIMEOUT) $(PYTEST_ARGS)

demo: install
	$(PYTHON) scripts/demo.py $(DEMO_ARGS)

install:
	bash scripts/install.sh

clean:
	rm -rf .venv .pytest_cache .hypothesis build dist
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
