"""The blameless gate every drafting engine uses: text with blame is rewritten, or kept out of the draft."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.models import Level


def has_blame(text: str, people: Sequence[str] = ()) -> bool:
    """True when the blameless check finds anything at warning level or above."""
    from pipeline.blameless import lint_text

    return any(f.level in (Level.warning, Level.error) for f in lint_text(text, people=list(people)))


def blameless_or_none(text: str, people: Sequence[str] = ()) -> str | None:
    """The text itself if clean, its safe rewrite if that is clean, else None (the caller leaves it out).

    Text not in English is None too: the rules cannot read it, so it cannot be shown to be blameless.
    """
    from pipeline.language import is_english

    if not is_english(text):
        return None
    if not has_blame(text, people):
        return text
    from pipeline.blameless.rewrite import rewrite_blameless

    rewritten = rewrite_blameless(text, people=list(people))
    return None if has_blame(rewritten, people) else rewritten
