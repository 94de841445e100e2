"""Title normalization for the backfill gold sample (evals/backfill/gold.yaml).

The gold file stores only a hash of each hand-labelled title, because the corpus text must never be
committed; an eval compares an extracted title with the gold one by hashing it the same way.
"""

from __future__ import annotations

import hashlib
import re

_NON_ALPHANUMERIC_RUN = re.compile(r"[\W_]+")


def normalize_title(text: str) -> str:
    """Lowercase, turn every run of non-alphanumeric characters into one space, strip.

    Alphanumeric is Unicode-aware (letters and digits of any script count, like `str.isalnum`), so
    markdown markup, punctuation and spacing differences do not change the result but words do.
    """
    return _NON_ALPHANUMERIC_RUN.sub(" ", text.lower()).strip()


def title_sha1(text: str) -> str:
    """SHA-1 hex digest of the normalized title (UTF-8), as stored in gold.yaml's `title_sha1`."""
    return hashlib.sha1(normalize_title(text).encode("utf-8")).hexdigest()
