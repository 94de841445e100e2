"""Which texts are not English, so the blameless check (English rules) can say it did not read them.

py3langid classifies a text in well under a millisecond but costs about 0.2 s to load, so it is loaded
only when a text gives a reason: a non-ASCII letter among few English function words, or ASCII words
that read as another language (a small list of common function words in `data/languages.yaml`). Short lines are unsure: an ASCII line
below MIN_LETTERS letters, or any text below MIN_CONFIDENCE, counts as English (the check runs on it as
usual). The detector chooses among the languages the yaml lists, which keeps short lines from being
taken for rare ones.
"""

from __future__ import annotations

import re
from functools import lru_cache

MIN_LETTERS = 8
MIN_CONFIDENCE = 0.8
_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def _hints() -> tuple[frozenset[str], frozenset[str]]:
    from pipeline.datafiles import load_languages

    data = load_languages()
    return frozenset(data.english), frozenset(data.other)


def is_english(text: str) -> bool:
    """False only when `text` is confidently in another language."""
    return language_of(text) == "en"


def language_of(text: str) -> str:
    """ISO 639-1 code of `text`'s language; "en" when it is English, short or unsure."""
    english, other = _hints()
    if text.isascii() and len(other.intersection(_WORD.findall(text.lower()))) < 2:
        return "en"  # the rule below, decided in one pass for the common case (most lines of a long document)
    words = [word.lower() for word in _WORD.findall(text)]
    letters = sum(len(word) for word in words)
    ascii_letters = all(word.isascii() for word in words)  # curly quotes, dashes and emoji are not a language
    if letters < (MIN_LETTERS if ascii_letters else 3):
        return "en"
    foreign = len({word for word in words if word in other})  # distinct: "error ... level=error" is one
    native = sum(word in english for word in words)
    if ascii_letters and (foreign < 2 or foreign <= native):  # one "error" or "de" does not make a language
        return "en"
    # a line of English function words with a name like "José" in it needs no detector (loading it costs more)
    if not ascii_letters and native >= 2 * max(1, foreign):
        return "en"
    code, confidence = _identifier().classify(text)
    return code if confidence >= MIN_CONFIDENCE else "en"


@lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    from pipeline.datafiles import load_languages

    identifier.set_languages(load_languages().detect)
    return identifier


def not_english_lines(text: str) -> list[int]:
    """1-based numbers of the prose lines the English blameless rules cannot read (front matter, fenced or
    indented code and blockquotes are not read by the rules at all, so they are not asked about)."""
    from pipeline.blameless.markdown import prose_lines

    asked = _lines_worth_asking(text)
    return [number for number, line in prose_lines(text) if number in asked and not is_english(line)]


def _lines_worth_asking(text: str) -> set[int]:
    """1-based numbers of the lines `language_of` might not call English: those with a non-ASCII character
    or two words of `other`. On every other line its first step answers "en", so one scan of the document
    replaces a word split and a set of each line."""
    asked = {number for number, line in enumerate(text.split("\n"), start=1) if not line.isascii()}
    # never adds or removes a newline, so counting them gives the line; one byte a character (past ASCII:
    # "?", on a line asked already): a document with one emoji is stored four bytes a character otherwise
    lowered = text.lower().encode("ascii", "replace")
    hits: dict[int, int] = {}
    number, counted = 1, 0
    for hit in _other_words().finditer(lowered):
        number += lowered.count(b"\n", counted, hit.start())
        counted = hit.start()
        hits[number] = hits.get(number, 0) + 1
    return asked | {number for number, count in hits.items() if count >= 2}


@lru_cache(maxsize=1)
def _other_words() -> re.Pattern[bytes]:
    """Any ASCII word of `other` as a whole word of ASCII text, exactly as `_WORD` splits words there (a line
    with any other character is asked anyway). The words are one trie-shaped expression: an alternation of
    all of them tried at every character took twice as long on 1 MB."""
    from pipeline.blameless.triggers import trie_expression

    _, other = _hints()
    words = trie_expression(sorted(word for word in other if word.isascii())).encode("ascii")
    return re.compile(rb"(?<![a-zA-Z])" + words + rb"(?![a-zA-Z])")
