"""Offline extraction: every field comes from the note with the lines it was read from, or is "Not recorded"."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.backfill.dates import parse_date
from pipeline.backfill.extract import extract
from pipeline.backfill.reading import NoteText, read_note
from pipeline.backfill.sources import detect_format, discover, parse_shard
from pipeline.errors import InputError
from pipeline.models import NOT_RECORDED
from support import REPO_ROOT

NOTES = REPO_ROOT / "tests" / "fixtures" / "backfill" / "notes"


def fields_of(path: Path):
    return extract(read_note(path, detect_format(path)))


def source_lines(path: Path, span) -> str:
    lines = path.read_text(encoding="utf-8").split("\n")
    return "\n".join(lines[span.start - 1 : span.end])


def test_wiki_markdown_gives_every_field_with_lines_that_contain_it():
    path = NOTES / "wiki" / "2019-db-failover.md"
    fields = fields_of(path)
    assert fields.title.value == "Orders database failover stalled checkout"
    assert fields.date.value == "2019-03-14" and "2019-03-14" in source_lines(path, fields.date.lines)
    assert fields.severity.value == "SEV-2"
    assert [item.text for item in fields.services] == ["orders-db", "checkout"]
    assert fields.summary.value.startswith("The orders database primary lost its disk")
    assert (fields.summary.lines.start, fields.summary.lines.end) == (10, 11)
    assert "60% of checkout requests" in source_lines(path, fields.impact.lines)
    assert [(row.time, row.text) for row in fields.timeline][0] == ("09:12", "Disk alarm on orders-db-1")
    assert len(fields.timeline) == 3
    for item in fields.contributing_factors + fields.action_items + fields.lessons:
        assert item.text.split()[0] in source_lines(path, item.lines)
    assert len(fields.contributing_factors) == 2
    assert fields.action_items[0].text.startswith("Add a timeout to the failover lock wait")
    assert len(fields.lessons) == 1


def test_plain_text_note_with_caps_headings_and_a_written_date():
    fields = fields_of(NOTES / "wiki" / "cert-expiry.txt")
    assert fields.title.value == "partner API certificate expired"  # "Incident report: <title>"
    assert fields.date.value == "2021-06-02"
    assert fields.severity.value == "Sev 3"
    assert fields.impact.value == "Partner integrations could not connect for 3 hours."
    assert [item.text for item in fields.action_items] == [
        "Automate certificate renewal for partner-api.",
        "Alert 30 days before any certificate expires.",
    ]


def test_a_one_paragraph_note_keeps_its_summary_and_guesses_nothing_else():
    fields = fields_of(NOTES / "wiki" / "one-paragraph.txt")
    assert fields.summary.value.startswith("The search cluster ran out of heap")
    for missing in (fields.title, fields.date, fields.severity, fields.impact):
        assert missing.value == NOT_RECORDED and missing.lines is None
    assert fields.services == fields.timeline == fields.action_items == []


def test_html_headings_and_list_items_cite_the_lines_of_their_tags():
    path = NOTES / "wiki" / "queue-backlog.html"
    fields = fields_of(path)
    assert fields.title.value == "Queue backlog delayed emails"
    assert fields.date.value == "2020-11-05" and "2020-11-05" in source_lines(path, fields.date.lines)
    factors = fields.contributing_factors
    assert [item.text for item in factors] == [
        "A retry storm from the mailer doubled the load.",
        "Consumers were capped at 4 workers.",
    ]
    assert "retry storm" in source_lines(path, factors[0].lines)
    assert "autoscaling" in source_lines(path, fields.action_items[0].lines)


def test_json_object_fields_cite_the_line_of_their_key():
    path = NOTES / "wiki" / "dns-outage.json"
    fields = fields_of(path)
    assert (fields.title.value, fields.date.value, fields.severity.value) == (
        "Internal DNS resolver outage",
        "2022-01-09",
        "P1",
    )
    assert '"severity"' in source_lines(path, fields.severity.lines)
    assert fields.summary.value.startswith("Internal resolvers stopped answering")
    assert [item.text for item in fields.action_items] == [
        "Validate resolver config in CI",
        "Canary config pushes to one resolver first",
    ]


def test_a_slack_export_is_one_note_dated_by_its_messages_without_a_made_up_summary():
    path = NOTES / "slack-export"
    assert detect_format(path) == "slack-export"
    fields = fields_of(path)
    assert fields.date.value == "2024-05-01"
    assert fields.severity.value == "SEV-2"
    assert fields.title.value == NOT_RECORDED and fields.summary.value == NOT_RECORDED


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Outage on 2019-03-14 at 09:12", date(2019, 3, 14)),
        ("On Tuesday, March 5th, 2019 the queue", date(2019, 3, 5)),
        ("4th of July 2020 was quiet until noon", date(2020, 7, 4)),
        ("Reported 25/12/2021 by support", date(2021, 12, 25)),
        ("Reported 03/04/2021 by support", None),  # day or month first? not guessed
        ("see https://wiki.example.com/2018-01-02-outage for details", None),
        ("Version 2.13.0 shipped", None),
    ],
)
def test_parse_date_takes_unambiguous_dates_only(text, expected):
    assert parse_date(text) == expected


def test_a_date_field_beats_dates_in_the_prose():
    note = NoteText()
    for number, line in enumerate(
        ["# Cache stampede", "", "Date: 2020-02-03", "", "A rerun on 2020-02-10 repeated it."], 1
    ):
        note.add(line, number)
    fields = extract(note)
    assert fields.date.value == "2020-02-03" and fields.date.lines.start == 3


def test_discover_ids_are_relative_and_shards_partition_the_notes():
    sources = discover([NOTES])
    assert all(source.relative.startswith("notes/") for source in sources)
    assert len({source.note_id for source in sources}) == len(sources)
    shards = [{s.note_id for s in sources if s.in_shard((k, 3))} for k in (1, 2, 3)]
    assert set().union(*shards) == {s.note_id for s in sources}
    assert sum(len(shard) for shard in shards) == len(sources)
    assert sum(1 for s in sources if s.format is None) == 1  # scan.pdf: reported, not read


@pytest.mark.parametrize("bad", ["0/2", "3/2", "x", "1/0"])
def test_parse_shard_rejects_what_is_not_k_of_n(bad):
    with pytest.raises(InputError, match="k/N"):
        parse_shard(bad)


def test_unreadable_notes_are_input_errors_with_a_next_step():
    with pytest.raises(InputError) as error:
        read_note(NOTES / "wiki" / "latin1-note.txt", "text")
    assert error.value.line == 1 and "--encoding cp1252" in error.value.hint
    note = read_note(NOTES / "wiki" / "latin1-note.txt", "text", encoding="cp1252")
    assert "café menu service" in note.lines[0]


def test_an_annotation_heading_is_not_a_title_but_the_line_above_status_is():
    note = NoteText()
    lines = [
        "# [Text exported from the incident tool]",
        "",
        "OWNER",
        "Kim",
        "Search latency spike",
        "Status: Reviewed",
        "Overview",
        "Search p99 latency rose to 4 s on 2024-02-02.",
    ]
    for number, line in enumerate(lines, 1):
        note.add(line, number)
    fields = extract(note)
    assert fields.title.value == "Search latency spike" and fields.title.lines.start == 5
    assert fields.summary.value == "Search p99 latency rose to 4 s on 2024-02-02." and fields.date.value == "2024-02-02"


def test_a_zipped_slack_export_is_one_note(tmp_path):
    import zipfile

    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in (NOTES / "slack-export").rglob("*.json"):
            zipped.write(path, path.relative_to(NOTES / "slack-export").as_posix())
    assert detect_format(archive) == "slack-export"
    assert fields_of(archive).severity.value == "SEV-2"
    (tmp_path / "other.zip").write_bytes(b"PK not really a zip")
    assert detect_format(tmp_path / "other.zip") is None


_NOTE_LINES = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "# Title",
                "## Summary",
                "## Timeline",
                "## Action items",
                "---",
                "===",
                "",
                "| 10:00 | x |",
                "|---|---|",
                "- [ ] fix",
                "Date: 2020-01-02",
                "### 08:52 PM",
                "Status: Draft",
                "```",
                "* item",
            ]
        ),
        st.text(max_size=60),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(_NOTE_LINES)
def test_extraction_never_raises_and_every_span_points_into_the_note(lines):
    note = NoteText()
    for number, line in enumerate(lines, 1):
        note.add(line.replace("\n", " ").replace("\r", " "), number)
    fields = extract(note)
    spans = [f.lines for f in (fields.title, fields.date, fields.severity, fields.summary, fields.impact) if f.lines]
    spans += [
        item.lines for item in fields.services + fields.contributing_factors + fields.action_items + fields.lessons
    ]
    spans += [row.lines for row in fields.timeline]
    assert all(1 <= span.start <= span.end <= max(len(lines), 1) for span in spans)


def test_note_ids_keep_the_file_name_and_cut_long_paths_at_a_word():
    from pipeline.backfill.sources import NoteSource

    long = NoteSource(NOTES, "library/2024-02-10-internal-gateway-tls-certificate-expiry.md", "markdown").note_id
    assert long.startswith("2024-02-10-internal-gateway-tls-certificate-expiry-md-") and len(long) <= 69
    assert NoteSource(NOTES, "notes/alpha.md", "markdown").note_id.startswith("notes-alpha-md-")
