"""The hand-labelled backfill gold sample (evals/backfill/gold.yaml) is well formed, and its title hashing works.

The gold file holds no corpus text (titles are hashes), so its shape is checked everywhere; the checks that
need the corpus itself skip when ../shared/corpus is absent.
"""

from __future__ import annotations

import hashlib
import importlib.util
import random
import re
from datetime import date
from types import ModuleType

import pytest
import yaml

from support import REPO_ROOT, SHARED

GOLD_DIR = REPO_ROOT / "evals" / "backfill"
CORPUS = SHARED / "corpus"
SHA1_HEX = re.compile(r"[0-9a-f]{40}")
SAMPLE_PLAN = (("postmortems", 26), ("notes-icco", 10), ("chat", 4))


@pytest.fixture(scope="module")
def normalize() -> ModuleType:
    spec = importlib.util.spec_from_file_location("backfill_normalize", GOLD_DIR / "normalize.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gold() -> list[dict]:
    return yaml.safe_load((GOLD_DIR / "gold.yaml").read_text(encoding="utf-8"))


def _is_iso_date(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def test_gold_has_enough_distinct_entries(gold: list[dict]) -> None:
    paths = [entry["path"] for entry in gold]
    assert len(gold) >= 30
    assert len(paths) == len(set(paths)), "duplicated paths"


def test_gold_fields_are_well_formed(gold: list[dict]) -> None:
    for entry in gold:
        where = entry["path"]
        assert set(entry) >= {"path", "title_sha1", "title_words", "date", "filename_date", "severity", "note"}, where
        assert entry["title_sha1"] is None or SHA1_HEX.fullmatch(entry["title_sha1"]), where
        if entry["title_sha1"] is None:
            assert entry["title_words"] is None, where
        else:
            assert isinstance(entry["title_words"], int) and entry["title_words"] > 0, where
        for field in ("date", "filename_date"):
            assert entry[field] is None or _is_iso_date(entry[field]), (where, field)
        assert entry["severity"] is None or (isinstance(entry["severity"], str) and entry["severity"].strip()), where
        for alternative in entry.get("date_alt", []):
            assert alternative is None or _is_iso_date(alternative), where
            assert alternative != entry["date"], where
        for alternative in entry.get("title_alt_sha1", []):
            assert alternative is None or SHA1_HEX.fullmatch(alternative), where
            assert alternative != entry["title_sha1"], where


def test_normalize_title_lowercases_and_collapses_non_alphanumeric_runs(normalize: ModuleType) -> None:
    assert normalize.normalize_title("## Disk *FULL* on db-01!") == "disk full on db 01"
    assert normalize.normalize_title("  [api:prod]  --  Outage_2024/05/14  ") == "api prod outage 2024 05 14"
    assert normalize.normalize_title("Perte de données à Zürich") == "perte de données à zürich"
    assert normalize.normalize_title("*** --- ***") == ""


def test_title_sha1_hashes_the_normalized_title(normalize: ModuleType) -> None:
    expected = hashlib.sha1(b"cache stampede after deploy").hexdigest()
    assert normalize.title_sha1("Cache stampede, after `deploy`") == expected
    assert normalize.title_sha1("CACHE STAMPEDE AFTER DEPLOY.") == expected
    assert normalize.title_sha1("Cache stampede before deploy") != expected


@pytest.mark.corpus
def test_gold_paths_exist_in_the_shared_corpus(gold: list[dict]) -> None:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    missing = [entry["path"] for entry in gold if not (CORPUS / entry["path"]).is_file()]
    assert missing == []


@pytest.mark.corpus
def test_gold_paths_are_the_documented_seeded_draw(gold: list[dict]) -> None:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    rng = random.Random(7)
    drawn: list[str] = []
    for folder, count in SAMPLE_PLAN:
        files = sorted(path.relative_to(CORPUS).as_posix() for path in (CORPUS / folder).glob("*.md"))
        drawn += rng.sample(files, count)
    assert [entry["path"] for entry in gold] == drawn
