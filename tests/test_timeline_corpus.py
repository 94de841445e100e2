"""Opt-in: real public postmortems (../shared/corpus) either load or fail with one InputError on a line.

The corpus is read in place and never copied into the repository; the test skips when it is absent.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.ingest.lock import timeline_sha256
from pipeline.ingest.timeline import load_timeline

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "postmortems"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present"),
]


def test_real_postmortems_load_or_fail_cleanly() -> None:
    loaded, failed = 0, 0
    for path in sorted(CORPUS.glob("*.md")):
        try:
            timeline = load_timeline(path, day=date(2024, 1, 1), tz="UTC")
        except InputError as error:
            failed += 1
            assert str(error).startswith(f"error: {path}")
            if "no timeline table found" not in error.reason:
                assert error.line is not None, str(error)
        else:
            loaded += 1
            assert timeline.sha256 == timeline_sha256(timeline.events)
            assert all(event.time.utcoffset().total_seconds() == 0 for event in timeline.events)
            assert [e.line for e in timeline.events] == sorted(e.line for e in timeline.events)
    assert loaded > 0 and failed > 0
