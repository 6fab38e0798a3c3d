# The two commands of the quick start: `make chat` and `make test`.
# Everything is installed from requirements.lock (a pip constraints file pinning the whole
# resolved dependency set), with the pip that ships with Python: see the README.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install -q -c requirements.lock
# The project is installed as a normal (not editable) package; any change to its files reinstalls it.
SOURCES := $(shell find bot knowledge index -type f -not -name '*.pyc' -not -path '*__pycache__*' 2>/dev/null)

$(VENV)/.deps: pyproject.toml requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) ".[test]"
	touch $@

$(VENV)/.installed: $(VENV)/.deps $(SOURCES)
	$(PIP) --no-deps --force-reinstall .
	touch $@

.PHONY: install chat test lock vectors
install: $(VENV)/.installed

chat: $(VENV)/.installed
	$(VENV)/bin/cdsbot chat

test: $(VENV)/.installed
	$(PY) -m pytest

# Re-resolve the dependency set from pyproject.toml into requirements.lock (in a throw-away venv).
lock:
	rm -rf .lock-venv && python3 -m venv .lock-venv
	.lock-venv/bin/python -m pip install -q ".[test,bench]"
	{ echo "# The full resolved dependency set, used as pip constraints (-c). Regenerate: make lock"; \
	  .lock-venv/bin/python -m pip freeze --all --exclude-editable | grep -v -i -E '^(cdsbot|pip|setuptools|wheel)( @|==)'; \
	} | sed -E 's/^torch==([0-9.]+)\+cpu$$/torch==\1/' > requirements.lock
	rm -rf .lock-venv

# Re-embed the bundled corpus into knowledge/bundled_vectors.npz (after chunking or corpus changes).
vectors: $(VENV)/.installed
	rm -rf .vectors-data
	CDSBOT_BUNDLED_VECTORS=off $(VENV)/bin/cdsbot --data-dir .vectors-data export-vectors knowledge/bundled_vectors.npz
	rm -rf .vectors-data
