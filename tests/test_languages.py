"""Blame in other languages: `check` and the draft say plainly what the English rules could not read,
and a draft never quotes chat it could not check. English text never loads the detector."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from pipeline.language import language_of, not_english_lines
from support import EXAMPLES


@pytest.mark.parametrize(
    "text, code",
    [
        ("fue culpa suya", "es"),
        ("彼のミスだ", "ja"),
        ("Dave hat den Fehler gemacht, es war seine Schuld", "de"),
        ("the deploy rolled back at 10:42", "en"),
        ("ok", "en"),
        ("lgtm, rolling back now", "en"),
        ("Müller restarted the pods after the alert", "en"),
        ("café is down", "en"),
    ],
)
def test_language_of_short_and_long_lines(text, code):
    assert language_of(text) == code


def test_english_text_does_not_load_the_detector():
    code = (
        "import sys; from pipeline.language import not_english_lines; "
        "not_english_lines('The deploy rolled back.\\nWe paged the on-call engineer at 10:42.'); "
        "print('py3langid' in sys.modules)"
    )
    assert (
        subprocess.run(
            [sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60
        ).stdout.strip()
        == "False"
    )


def test_check_names_the_lines_it_could_not_read(tmp_path):
    doc = tmp_path / "review.md"
    doc.write_text("# Review\n\nThe deploy rolled back.\n\nFue culpa suya, no revisó el despliegue.\n\n彼のミスだ。\n")
    assert not_english_lines(doc.read_text()) == [5, 7]
    result = subprocess.run(
        [sys.executable, "-c", "from pipeline.cli import main; main()", "check", str(doc)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "line(s) 5, 7 are not in English and were not checked" in result.stderr


def test_a_long_document_names_its_unread_lines_and_its_blame_too(tmp_path):
    """Past TWO_PROCESSES_AFTER characters the language question and half the rules run in forked children."""
    from pipeline.blameless.linter import TWO_PROCESSES_AFTER

    filler = "The deploy rolled back at 10:42 and the cache warmed again within the hour.\n\n"
    body = filler * (TWO_PROCESSES_AFTER // len(filler) + 50)
    doc = tmp_path / "long.md"
    doc.write_text(
        "# Review\n\nFue culpa suya, no revisó el despliegue.\n\n" + body + "Dave forgot to drain the node.\n"
    )
    last = doc.read_text().count("\n")
    result = subprocess.run(
        [sys.executable, "-c", "from pipeline.cli import main; main()", "check", str(doc), "--format", "json"],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "line(s) 3 are not in English and were not checked" in result.stderr
    assert [f["line"] for f in json.loads(result.stdout)["findings"]] == [last]


def test_the_draft_does_not_quote_unchecked_chat_and_says_so(tmp_path):
    incident = tmp_path / "incident"
    shutil.copytree(EXAMPLES / "checkout-api", incident)
    with open(incident / "chat.txt", "a", encoding="utf-8") as chat:
        chat.write("Dana Kim [12:40]: fue culpa suya, no revisó el despliegue antes de salir\n")
        chat.write("Dana Kim [12:41]: 彼のミスだ。彼が設定を変えた。\n")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pipeline.cli import main; main()",
            "draft",
            str(incident),
            "--no-similar",
            "--format",
            "json",
            "-o",
            str(tmp_path / "d.json"),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    draft = json.loads((tmp_path / "d.json").read_text())
    text = json.dumps(draft, ensure_ascii=False)
    assert "culpa" not in text and "彼のミス" not in text
    assert any("not in English" in note and "es" in note and "ja" in note for note in draft["header_notes"])


def test_only_prose_lines_are_asked_about_and_english_never_loads_the_detector() -> None:
    """Front matter, fenced and indented code and blockquotes are not read by the rules, so their language is
    not asked; a log line repeating one foreign-looking word ("error") is not a language either."""
    from pipeline import language

    german = "Der Server ist ausgefallen, weil die Festplatte voll war und niemand es bemerkt hat."
    text = (
        "---\nlicense: MIT und Apache\n---\n# Outage\n\n```\n"
        + german
        + "\n```\n\n    "
        + german
        + "\n\n> "
        + german
        + '\n\nOct 10 level=error msg="handler error"\nThe disk filled up at 03:10.\n'
    )
    language._identifier.cache_clear()
    assert language.not_english_lines(text) == []
    assert language._identifier.cache_info().misses == 0
    assert language.not_english_lines(text + "\n" + german + "\n") == [len(text.split("\n")) + 1]


@pytest.mark.parametrize(
    "line, code",
    [
        ("El despliegue fue culpa de Ana, no del sistema.", "es"),
        ("Der Fehler war nicht im Cluster, sondern in der Konfiguration.", "de"),
        ("Le déploiement a échoué à 09:12 et la base est restée en lecture seule.", "fr"),
        ("The error was in the de-dup step, not in la-proxy.", "en"),  # two foreign words, more English ones
        ("Rollback finished at 14:05; error rate back under 1%.", "en"),  # the one-pass case
    ],
)
def test_ascii_lines_take_the_one_pass_rule_and_foreign_lines_are_still_found(line, code) -> None:
    assert language_of(line) == code
    assert not_english_lines(line) == ([] if code == "en" else [1])


def test_the_one_document_scan_asks_about_the_same_lines_as_asking_each_line() -> None:
    """not_english_lines skips lines a document-wide scan shows to be English; asking `is_english` of every
    prose line must give the same answer (repeated, hyphenated, capitalised and non-ASCII words included)."""
    from pipeline.blameless.markdown import prose_lines
    from pipeline.language import is_english

    text = "\n".join(
        [
            "# Incident",
            "error error: the retry loop failed twice.",  # one foreign word twice is one distinct word
            "Der Fehler war nicht im Cluster, sondern in der Konfiguration.",
            "ERROR: DIE Schuld WAR nicht bei uns und das ist klar.",  # upper case, lowered for the scan
            "The error was in the de-dup step, not in la-proxy.",
            "El despliegue fue culpa de Ana, no del sistema.",
            "İstanbul ekibi die war und das ist es.",  # lower-casing 'İ' adds a character before the words
            "Le déploiement a échoué à 09:12 et la base est restée en lecture seule.",
            "    der code war nicht schuld und das ist klar",  # indented code: not asked
            "la la la",
            "Rollback finished at 14:05; error rate back under 1%.",
        ]
    )
    expected = [number for number, line in prose_lines(text) if not is_english(line)]
    assert expected  # the document holds lines in other languages
    assert not_english_lines(text) == expected


def test_the_document_pass_counts_whole_words_of_other_languages_as_the_line_split_does() -> None:
    """_lines_worth_asking counts `other` words for the whole document at once; it must ask exactly the lines
    that are non-ASCII or hold two such words as `_WORD` splits them (at the document's edges, next to
    digits, underscores, apostrophes and tabs; inside longer words they do not count)."""
    from pipeline.language import _WORD, _hints, _lines_worth_asking

    _, other = _hints()
    lines = [
        "de la",  # the document's first characters
        "la2de x_la_ l'erreur de",  # after a digit, between underscores, after an apostrophe
        "delay lady: dessert, ladle",  # inside longer words: none
        "De\tLA!",  # upper case, a tab and punctuation
        "la",
        "de",  # one word a line, twice over two lines: neither line asked
        "Türkçe tek satır",  # not ASCII: asked whatever its words
        "code de la",  # the document's last characters
    ]
    expected = {
        number
        for number, line in enumerate(lines, start=1)
        if not line.isascii() or sum(word in other for word in _WORD.findall(line.lower())) >= 2
    }
    assert expected == {1, 2, 4, 7, 8}
    assert _lines_worth_asking("\n".join(lines)) == expected
