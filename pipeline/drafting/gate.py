"""The blameless gate every drafting engine uses: text with blame is rewritten, or kept out of the draft."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.models import blocking_findings


def has_blame(text: str, people: Sequence[str] = ()) -> bool:
    """True when the blameless check finds anything at warning level or above."""
    from pipeline.blameless import lint_text

    return bool(blocking_findings(lint_text(text, people=list(people))))


def blameless_or_none(text: str, people: Sequence[str] = ()) -> str | None:
    """The text itself if clean, else its *safe* grammatical rewrite (the passive voice of the same clause,
    so the cited message still says what it said) if that is clean, else None (the caller leaves it out).
    Review rewrites are never used: they may change what the cited message claims. Text not in English is
    None too: the rules cannot read it, so it cannot be shown to be blameless."""
    from pipeline.language import is_english

    if not is_english(text):
        return None
    if not has_blame(text, people):
        return text
    from pipeline.blameless.rewrite import apply_sentence_rewrites

    rewritten = apply_sentence_rewrites(text, people=list(people), safe_only=True)
    return None if rewritten == text or has_blame(rewritten, people) else rewritten
