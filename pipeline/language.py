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
    or two words of `other`. On every other line its first step answers "en", so one pass over the document
    replaces a word split and a set of each line."""
    lines = text.split("\n")
    asked = {number for number, line in enumerate(lines, start=1) if not line.isascii()}
    # never adds or removes a newline, so its lines are the text's; one byte a character (past ASCII: "?", on a
    # line asked already): a document with one emoji is stored four bytes a character otherwise. Every byte but
    # a-z and the newline becomes a space, so the words `split` gives are `_WORD`'s words of an ASCII line.
    letters = text.lower().encode("ascii", "replace").translate(_LETTERS_AND_NEWLINES)
    foreign = _other_ascii_words().__contains__
    counts = (sum(map(foreign, line.split())) for line in letters.split(b"\n"))
    return asked | {number for number, count in enumerate(counts, start=1) if count >= 2}


_LETTERS_AND_NEWLINES = bytes(
    byte if ord("a") <= byte <= ord("z") or byte == ord("\n") else ord(" ") for byte in range(256)
)


@lru_cache(maxsize=1)
def _other_ascii_words() -> frozenset[bytes]:
    """The words of `other` that a lower-cased ASCII line can hold as whole words (a-z only). Counting them
    in each line's split took 22 ms on 1 MB, one trie-shaped expression over the document 27 ms."""
    _, other = _hints()
    return frozenset(word.encode("ascii") for word in other if word.isascii() and word.isalpha() and word.islower())
