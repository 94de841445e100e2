"""Tone a rewrite never keeps: sarcasm and slang intensifiers (plain_words.yaml `tone`, `tone_phrases`).

"Love how the query planner settings were optimized and p99 latency was tripled. Truly a gift." reads as
the same sneer with the person taken out; the rewrite is "The query planner settings were optimized and p99
latency was tripled.". Two shapes are removed: a sentence or piece made of nothing but tone ("Truly a
gift.", "love that for us", "pure and simple"), and a tone adjective after a determiner ("the lovely
4-hour outage"). Anything else is left to the rewriter's own checks.
"""

from __future__ import annotations

import re

# Words a piece made only of tone may hold besides the tone words themselves.
_GLUE = frozenset("a an the that this it its for us we our so as what how such really just oh yes yeah again".split())
# A sneer opening a sentence before the facts: "Love how X", "Gotta love how X", "Nothing like X".
_SNEER_OPENER = re.compile(r"^\s*(?:(?:gotta|got to|you gotta|you have to)\s+)?love\s+(?:how|that|it when)\s+", re.I)
_SENTENCES = re.compile(r"(?<=[.!?])\s+")
_PIECES = re.compile(r"(,\s+)")
_DETERMINERS = r"(?:the|a|an|our|their|your|this|that|its|his|her)"


def tone_free(text: str) -> str:
    """`text` without its tone-only sentences and pieces, sneer opener and tone adjectives after a determiner."""
    from pipeline.blameless.sentence import tone_words

    tone = tone_words()
    kept = [s for s in _SENTENCES.split(text.strip()) if s and not _only_tone(s, tone)]
    kept = [_without_tone_pieces(s, tone) for s in kept]
    text = " ".join(s for s in kept if s)
    opener = _SNEER_OPENER.match(text)
    if opener is not None and len(text[opener.end() :].split()) >= 3:
        rest = text[opener.end() :]
        text = rest[:1].upper() + rest[1:]
    adjectives = "|".join(re.escape(word) for word in sorted(tone, key=len, reverse=True))
    return re.sub(rf"\b({_DETERMINERS})\s+(?:{adjectives})\s+(?=\w)", r"\1 ", text, flags=re.I)


def only_tone(text: str) -> bool:
    """Whether every sentence of `text` is nothing but tone ("Real visionaries.", "Chef's kiss."): what `tone_free`
    would leave empty."""
    from pipeline.blameless.sentence import tone_words

    sentences = [s for s in _SENTENCES.split(text.strip()) if s]
    return bool(sentences) and all(_only_tone(s, tone_words()) for s in sentences)


def _only_tone(piece: str, tone: frozenset[str]) -> bool:
    from pipeline.blameless.sentence import plain_word_file

    words = [w.lower() for w in re.findall(r"[A-Za-z']+", piece)]
    if " ".join(words) in {phrase.lower() for phrase in plain_word_file().tone_phrases}:
        return True  # "pure and simple", "as usual"
    return bool(words) and any(w in tone for w in words) and all(w in tone or w in _GLUE for w in words)


def _without_tone_pieces(sentence: str, tone: frozenset[str]) -> str:
    """ "X took down payments-api, love that for us." -> "X took down payments-api.": a trailing piece of tone."""
    parts = _PIECES.split(sentence)
    if len(parts) < 3:
        return sentence
    last = parts[-1]
    end = last[-1] if last[-1:] in ".!?" else ""
    if _only_tone(last, tone):
        return "".join(parts[:-2]).rstrip(" ,") + end
    return sentence
