# The two commands of the quick start: `make chat` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first and pinned: a plain resolve could pull a multi-GB CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[test]"
	touch $@

.PHONY: install chat test
install: $(VENV)/.installed

chat: $(VENV)/.installed
	$(VENV)/bin/cdsbot chat

test: $(VENV)/.installed
	$(PY) -m pytest
