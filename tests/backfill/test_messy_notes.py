"""Notes as teams really have them: structured exports read by meaning, dates as people write them, free
text, digests holding several incidents, e-mail, HTML tables and .docx; one record per incident."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.backfill.dates import find_dates, parse_date, settle, slash_order
from pipeline.backfill.extract import extract, extract_all
from pipeline.backfill.reading import read_note
from pipeline.backfill.sources import detect_format
from pipeline.cli import app
from pipeline.models import NoteRecord


def note_file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def records_of(path: Path):
    return extract_all(read_note(path, detect_format(path)))


def line_of(path: Path, number: int) -> str:
    return path.read_text(encoding="utf-8").split("\n")[number - 1]


@pytest.mark.parametrize(
    "text, value, precision",
    [
        ("started 2022-03-09T22:40:00Z", "2022-03-09", "day"),
        ("24-10-2024 - All instances not available", "2024-10-24", "day"),
        ("on 3 March 2022 at noon", "2022-03-03", "day"),
        ("on March 3rd, 2022 at noon", "2022-03-03", "day"),
        ("2022-03 Problem with PCI", "2022-03", "month"),
        ("during March 2022", "2022-03", "month"),
        ("capacity trouble all through Q2 2023", "2023-Q2", "quarter"),
        ("25/12/2021 outage", "2021-12-25", "day"),
    ],
)
def test_dates_as_people_write_them_keep_their_precision(text, value, precision):
    (found,) = find_dates(text)
    assert (found.value, found.precision, found.ambiguous) == (value, precision, None)


def test_a_year_and_month_in_a_title_is_a_month_not_a_day():
    assert [(f.value, f.precision) for f in find_dates("Preprod crash 2021 12", in_title=True)] == [
        ("2021-12", "month")
    ]
    assert find_dates("Preprod crash 2021 12") == []  # only titles are read that loosely


def test_a_slashed_date_is_settled_by_the_note_or_reported_ambiguous():
    (unsure,) = find_dates("03/04/2021")
    assert unsure.ambiguous == ("2021-04-03", "2021-03-04") and parse_date("03/04/2021") is None
    assert settle(unsure, slash_order(["later, on 25/04/2021"]), set()).value == "2021-04-03"
    assert settle(unsure, slash_order(["later, on 04/25/2021"]), set()).value == "2021-03-04"
    assert settle(unsure, None, {"2021-03-04"}).value == "2021-03-04"
    assert settle(unsure, None, set()).ambiguous is not None


def test_an_ambiguous_date_is_reported_not_guessed(tmp_path):
    path = note_file(tmp_path, "note.txt", "Cache outage\n\nOn 03/04/2021 the cache fell over.\n")
    (fields,) = records_of(path)
    assert not fields.date.recorded
    assert any("ambiguous" in warning and "03/04/2021" in warning for warning in fields.warnings)


def test_the_file_name_is_the_last_resort_for_the_date(tmp_path):
    path = note_file(tmp_path, "2020-11-23-mail-relay.txt", "Mail relay queue stuck\n\nThe relay stopped sending.\n")
    fields = extract(read_note(path, "text"))
    assert (fields.date.value, fields.date.lines, fields.date_source) == ("2020-11-23", None, "file name")


def test_a_json_export_is_read_by_meaning_with_provenance_at_each_key(tmp_path):
    data = {
        "key": "OPS-7",
        "fields": {
            "issuetype": {"name": "Incident"},
            "summary": "Logging cluster went read-only",
            "created": "2022-03-09T07:42:18.000+0100",
            "priority": {"name": "P2"},
            "components": [{"name": "logging"}],
            "description": "h2. What happened\nThe hot tier hit the flood-stage watermark.",
        },
        "follow_ups": ["Alert when ILM is disabled", "Capacity alert at 80% disk"],
    }
    path = note_file(tmp_path, "OPS-7.json", json.dumps(data, indent=2))
    (fields,) = records_of(path)
    assert fields.title.value == "Logging cluster went read-only" and '"summary"' in line_of(
        path, fields.title.lines.start
    )
    assert fields.date.value == "2022-03-09" and '"created"' in line_of(path, fields.date.lines.start)
    assert fields.severity.value == "P2" and '"priority"' in line_of(path, fields.severity.lines.start)
    assert [item.text for item in fields.services] == ["logging"]
    assert [item.text for item in fields.action_items] == ["Alert when ILM is disabled", "Capacity alert at 80% disk"]
    assert "Alert when ILM" in line_of(path, fields.action_items[0].lines.start)
    assert "flood-stage" in fields.summary.value


def test_a_list_of_incidents_in_yaml_gives_one_record_each_at_its_lines(tmp_path):
    path = note_file(
        tmp_path,
        "incidents.yaml",
        (
            "incidents:\n"
            "  - title: Queue backlog\n"
            "    started_at: 2021-11-02\n"
            "    sev: 3\n"
            "    remediation:\n"
            "      - task: Alert on consumer lag\n"
            "  - title: DNS outage\n"
            "    detected: 5 March 2022\n"
            "    sev: 1\n"
        ),
    )
    first, second = records_of(path)
    assert (first.title.value, first.date.value, first.severity.value) == ("Queue backlog", "2021-11-02", "3")
    assert [item.text for item in first.action_items] == ["Alert on consumer lag"]
    assert (second.title.value, second.date.value, second.date.lines.start) == ("DNS outage", "2022-03-05", 8)
    assert first.lines.end < second.lines.start


def test_a_csv_file_is_one_incident_per_row_citing_the_row(tmp_path):
    path = note_file(
        tmp_path,
        "log.csv",
        (
            "Opened;Summary;Prio;Component;Next steps\n"
            "23-05-2017 14:10;Message queue disk alarm;P2;rabbitmq;raise disk alert to 30% | lazy audit queue\n"
            "05-06-2017 09:30;Admin panel 500 after deploy;P3;admin-panel;\n"
        ),
    )
    first, second = records_of(path)
    assert (first.title.value, first.date.value, first.severity.value) == (
        "Message queue disk alarm",
        "2017-05-23",
        "P2",
    )
    assert [item.text for item in first.action_items] == ["raise disk alert to 30%", "lazy audit queue"]
    assert (second.date.value, second.title.lines.start) == ("2017-06-05", 3)


def test_a_free_text_note_gives_title_date_severity_services_and_followups(tmp_path):
    path = note_file(
        tmp_path,
        "redis.txt",
        (
            "INCIDENT 2019-07-18 redis failover loop\n"
            "sev2?  sessions service\n"
            "sentinel kept promoting a new primary every few minutes\n"
            "followups: sentinel quorum 2->3, alert on >2 failovers/10min, move sessions to a durable store\n"
        ),
    )
    (fields,) = records_of(path)
    assert (fields.title.value, fields.date.value, fields.severity.value) == (
        "redis failover loop",
        "2019-07-18",
        "sev2",
    )
    assert {"redis", "sessions"} <= {item.text for item in fields.services}
    assert [item.text for item in fields.action_items] == [
        "sentinel quorum 2->3",
        "alert on >2 failovers/10min",
        "move sessions to a durable store",
    ]
    assert all(item.lines.start == 4 for item in fields.action_items)


def test_unmarked_lines_under_next_steps_and_a_lead_in_line_are_action_items(tmp_path):
    path = note_file(
        tmp_path,
        "ci.txt",
        "CI runners starved\n\nQueues grew.\n\nnext steps:\n  raise max nodes\n  dashboard for p95\n",
    )
    assert [item.text for item in records_of(path)[0].action_items] == ["raise max nodes", "dashboard for p95"]
    path = note_file(tmp_path, "mail.txt", "Queue outage\n\nIt broke.\nWhat I want to do next:\n- separate Redis\n")
    assert [item.text for item in records_of(path)[0].action_items] == ["separate Redis"]


def test_a_digest_of_dated_incidents_becomes_one_record_each_with_its_own_lines(tmp_path):
    path = note_file(
        tmp_path,
        "digest.md",
        (
            "# Platform digest - Q3 2021\n\n"
            "## 1. Postgres failover during vacuum (12 July 2021)\n\nSeverity: SEV2 · Service: orders-db\n\n"
            "Follow-ups: tune autovacuum; alert on replication lag\n\n"
            "## 2. Expired certificate on the status page (2021-08-02)\n\nSeverity: SEV3\n\n"
            "## Timeline\n\n- 2021-08-02 10:00 alert fired\n"
        ),
    )
    first, second = records_of(path)
    assert (first.title.value, first.date.value, first.severity.value) == (
        "Postgres failover during vacuum",
        "2021-07-12",
        "SEV2",
    )
    assert [item.text for item in first.services] == ["orders-db"]
    assert [item.text for item in first.action_items] == ["tune autovacuum", "alert on replication lag"]
    assert (second.title.value, second.date.value, second.severity.value) == (
        "Expired certificate on the status page",
        "2021-08-02",
        "SEV3",
    )
    assert (first.lines.start, first.lines.end, second.lines.start) == (3, 8, 9)


def test_a_dated_timeline_is_not_a_digest(tmp_path):
    path = note_file(
        tmp_path, "one.md", "# DB outage\n\n## Timeline\n\n### 2023-07-19\n\n- 10:00 x\n\n### 2023-07-20\n\n- 09:00 y\n"
    )
    assert len(records_of(path)) == 1


def test_an_eml_summary_uses_its_subject_and_keeps_body_lines(tmp_path):
    path = note_file(
        tmp_path,
        "queue.eml",
        (
            "From: a@example.org\nTo: b@example.org\nSubject: Fwd: RE: Job queue Redis out of memory\n"
            "Content-Type: text/plain; charset=utf-8\n\n"
            "Saturday 1 August 2020 the queue Redis ran out of memory. sev2.\n\n"
            "Follow-ups:\n- separate Redis for bulk jobs\n"
        ),
    )
    (fields,) = records_of(path)
    assert fields.title.value == "Job queue Redis out of memory"
    assert fields.date.value == "2020-08-01" and "August 2020" in line_of(path, fields.date.lines.start)
    assert fields.action_items[0].text == "separate Redis for bulk jobs" and fields.action_items[0].lines.start == 9


def test_an_html_export_with_a_properties_table(tmp_path):
    path = note_file(
        tmp_path,
        "page.html",
        (
            "<html><head><title>API gateway TLS outage</title></head><body>\n<h1>API gateway TLS outage</h1>\n"
            "<table>\n<tr><th>Date</th><td>14 Feb 2023</td></tr>\n<tr><th>Severity</th><td>SEV-1</td></tr>\n</table>\n"
            "<h2>Action items</h2>\n<table><tr><th>Action</th><th>Owner</th><th>Due</th></tr>\n"
            "<tr><td>Automate certificate renewal</td><td>Ana</td><td>March</td></tr></table>\n</body></html>\n"
        ),
    )
    (fields,) = records_of(path)
    assert (fields.date.value, fields.severity.value, fields.date.lines.start) == ("2023-02-14", "SEV-1", 4)
    assert [item.text for item in fields.action_items] == ["Automate certificate renewal"]  # the Action column


def test_a_docx_is_read_with_headings(tmp_path):
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = (
        f"<w:document {w}><w:body>"
        '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Billing proration bug</w:t></w:r></w:p>'
        "<w:p><w:r><w:t>Date: 2 May 2022</w:t></w:r></w:p>"
        '<w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr><w:r><w:t>Action items</w:t></w:r></w:p>'
        "<w:p><w:r><w:t>- Add a proration test</w:t></w:r></w:p></w:body></w:document>"
    )
    path = tmp_path / "billing.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", body)
    (fields,) = records_of(path)
    assert (fields.title.value, fields.date.value) == ("Billing proration bug", "2022-05-02")
    assert [item.text for item in fields.action_items] == ["Add a proration test"]


def test_backfill_writes_one_record_per_incident_and_drops_the_ones_a_note_no_longer_has(tmp_path):
    from pipeline.similar.store import LibraryStore, StoreConfig

    notes = tmp_path / "notes"
    notes.mkdir()
    digest = notes / "digest.md"
    digest.write_text(
        "# Digest\n\n- 2021-07-12 DB failover. severity: SEV2. Follow-ups: tune autovacuum\n"
        "- 2021-08-02 Cert expired. severity: SEV3. Follow-ups: automate renewal\n"
        "- 2021-09-21 Rate limiter blocked partners. severity: SEV2. Follow-ups: per-partner limits\n"
    )
    out, store = tmp_path / "out", tmp_path / "library"
    command = ["backfill", str(notes), "--out", str(out), "--index", "--store", str(store), "--no-progress"]
    runner = CliRunner()
    assert runner.invoke(app, command).exit_code == 0
    files = sorted(path.name for path in (out / "records").glob("*.json"))
    assert len(files) == 3
    records = [NoteRecord.model_validate_json((out / "records" / name).read_text()) for name in files]
    assert sorted((r.record_index, r.records_in_file, r.date.value) for r in records) == [
        (1, 3, "2021-07-12"),
        (2, 3, "2021-08-02"),
        (3, 3, "2021-09-21"),
    ]
    assert len({r.note_id for r in records}) == 3 and all(r.lines is not None for r in records)

    def incidents_in_library() -> set[str]:
        collection = LibraryStore.open(StoreConfig(path=store), create=False).collection
        return {meta["incident_id"] for meta in collection.get(include=["metadatas"])["metadatas"]}

    assert incidents_in_library() == {r.note_id for r in records}
    digest.write_text(
        "# DB failover\n\nDate: 2021-07-12\n\n## Summary\n\nThe orders database failed over during a vacuum.\n"
    )
    result = runner.invoke(app, command)
    assert result.exit_code == 0 and "1 written" in result.output
    (left,) = [NoteRecord.model_validate_json(p.read_text()) for p in (out / "records").glob("*.json")]
    assert (left.records_in_file, left.date.value) == (1, "2021-07-12")
    assert len(list((out / "records").glob("*.md"))) == 1
    assert incidents_in_library() == {left.note_id}


def test_an_eml_saying_yesterday_is_dated_from_its_date_header(tmp_path):
    path = note_file(
        tmp_path,
        "late.eml",
        (
            "From: a@example.org\nDate: Sun, 2 Aug 2020 23:47:00 -0300\nSubject: outage yesterday - job queue\n\n"
            "The queue Redis ran out of memory in the afternoon; bulk jobs were flushed.\n"
        ),
    )
    (fields,) = records_of(path)
    assert fields.date.value == "2020-08-01" and fields.date.lines.start == 2
    written = note_file(
        tmp_path,
        "dated.eml",
        "Date: Sun, 2 Aug 2020 23:47:00 -0300\nSubject: outage yesterday\n\nOn 31 July 2020 the queue died.\n",
    )
    assert records_of(written)[0].date.value == "2020-07-31"


def test_an_rst_note_with_an_overlined_title_and_field_list(tmp_path):
    path = note_file(
        tmp_path,
        "split-brain.rst",
        (
            "=====================================\nPostmortem: search cluster split brain\n=====================================\n\n"
            ":Date: 2019-03-04\n:Service: search\n\nAction items\n~~~~~~~~~~~~\n\n* Set minimum_master_nodes to 2\n"
        ),
    )
    (fields,) = records_of(path)
    assert (fields.title.value, fields.date.value, fields.date.lines.start) == (
        "Postmortem: search cluster split brain",
        "2019-03-04",
        5,
    )
    assert [item.text for item in fields.services] == ["search"]
    assert [item.text for item in fields.action_items] == ["Set minimum_master_nodes to 2"]


def test_a_title_after_a_header_block_of_key_value_lines(tmp_path):
    path = note_file(
        tmp_path,
        "export.txt",
        "exported-by: wiki-bot\nspace: OPS\n\n# [converted from PDF]\n\nQueue consumers stalled\nOverview\n"
        "Consumers stopped acking messages.\n",
    )
    record = records_of(path)[0]
    assert record.title.value == "Queue consumers stalled"
    assert line_of(path, record.title.lines.start) == "Queue consumers stalled"


def test_unmarked_action_lines_under_corrective_measures_wrap_and_join_prose(tmp_path):
    path = note_file(
        tmp_path,
        "phish.md",
        "# Phishing mail\n\n## Corrective and Preventative Measures\n\n"
        "Train support staff to verify a caller before resetting any second factor for them.\n"
        "Require a hardware key for every administrator account in the identity provider and\n"
        "rotate the recovery codes.\n",
    )
    assert [item.text for item in records_of(path)[0].action_items] == [
        "Train support staff to verify a caller before resetting any second factor for them",
        "Require a hardware key for every administrator account in the identity provider and rotate the recovery codes",
    ]
    prose = note_file(
        tmp_path,
        "site.md",
        "# Site down\n\n## Corrective and Preventative Measures\n\n"
        "We will move the site to a deploy pipeline with a quick rollback.\n"
        "Additionally, the release checklist gets a smoke test.\n",
    )
    (item,) = records_of(prose)[0].action_items
    assert item.text.startswith("We will move the site") and "smoke test" in item.text
    assert (item.lines.start, item.lines.end) == (5, 6)


@pytest.mark.parametrize(
    "text, value",
    [
        ("Between November 11 and November 15, 2025 ingestion lagged", "2025-11-11"),
        ("Date: January 14-19, 2026", "2026-01-14"),
        ("degraded 30 May to 2 June 2022", "2022-05-30"),
        ("outage 11-15 November 2025", "2025-11-11"),
        ("rolled out 1.2 and 3 March 2022", "2022-03-03"),  # a version number is not the start of a range
    ],
)
def test_a_date_range_gives_its_first_day(text, value):
    assert find_dates(text)[0].value == value


def test_a_bare_label_with_a_yearless_day_below_takes_the_year_of_the_notes_dates(tmp_path):
    path = note_file(
        tmp_path,
        "pd-export.txt",
        "IMPACT TIME\nOct 3 at 09:11 to Oct 3 at 09:34\n\nHub: users cannot start servers\nStatus: Draft\n"
        "Timeline\nOct 2, 2025\n8:00 AM a change was merged\n",
    )
    record = records_of(path)[0]
    assert record.date.value == "2025-10-03" and record.date.lines.start == 2


def test_a_month_in_a_title_is_narrowed_to_the_earliest_day_of_it_in_the_note(tmp_path):
    path = note_file(
        tmp_path,
        "delays.md",
        "Ingestion delays (November 2025)\n=====\n\n## Summary\n\nBy November 14, 2025 ingestion was healthy.\n\n"
        "## Timeline\n\n- November 12, 2025: lag alerts fired\n",
    )
    record = records_of(path)[0]
    assert record.title.value == "Ingestion delays"
    assert record.date.value == "2025-11-12" and line_of(path, record.date.lines.start).endswith("lag alerts fired")


@pytest.mark.parametrize(
    "text, severity",
    [
        ("Queue stalled\n\nseverity: SEV1 (customer facing, revenue)\n\nIt broke.\n", "SEV1"),
        ("Queue stalled\n\nseverity: 2 - High\n\nIt broke.\n", "2 - High"),  # a grade and its name stay as written
        ("Queue stalled\n\nImpact level 3. Internal tooling only.\n", "3"),
        ("Queue stalled\n\nS2. Docs served stale pages.\n", "S2"),
        ("Queue stalled\n\nIt was declared a P1 by the on-call.\n", "P1"),
        ("Queue stalled\n\nThe Amazon S3 outage slowed uploads.\n", None),  # S3 the storage service is no grade
        ("Queue stalled\n\nSeverity: Sev-1 (critical)\n", "Sev-1"),
        ("Queue stalled\n\nIt was an L1 incident.\n", "L1"),
        ("Queue stalled\n\nLevel 2 incident, internal only.\n", "Level 2"),
        ("Queue stalled\n\nSeverity - High\n", "High"),
        ("Queue stalled\n\nP-1, all hands.\n", "P-1"),
    ],
)
def test_severity_grades_as_notes_write_them(tmp_path, text, severity):
    record = records_of(note_file(tmp_path, "note.txt", text))[0]
    assert (record.severity.value if record.severity.recorded else None) == severity


def test_a_first_line_title_drops_a_leading_date_and_subject_tags(tmp_path):
    path = note_file(
        tmp_path, "pg.txt", "2020-11-03 -- postgres primary out of disk\npriority: high\n\nWAL piled up.\n"
    )
    record = records_of(path)[0]
    assert record.title.value == "postgres primary out of disk" and record.date.value == "2020-11-03"
    assert record.severity.value == "high"
    mail = note_file(tmp_path, "sub.txt", "Subject: [SEV1] [RESOLVED] checkout down\n\nThe pool was too small.\n")
    assert records_of(mail)[0].title.value == "checkout down"
    kept = note_file(tmp_path, "tag.txt", "# [dubois:ephemeral] Unable to start servers\n\nIt broke.\n")
    assert records_of(kept)[0].title.value == "[dubois:ephemeral] Unable to start servers"


def test_a_markdown_properties_table_gives_fields_and_an_action_table_its_action_column(tmp_path):
    path = note_file(
        tmp_path,
        "search.md",
        "# Search latency spike\n\n| Field | Value |\n|---|---|\n| Date | 2022-06-09 |\n| Severity | Sev 2 |\n"
        "| Service | search-api |\n\n## Action Items\n| Owner | Action | Status |\n|---|---|---|\n"
        "| @ana | Cap query fan-out at 64 shards | open |\n| @bo | Add latency SLO alert | open |\n",
    )
    record = records_of(path)[0]
    assert record.date.value == "2022-06-09" and record.severity.value == "Sev 2"
    assert [item.text for item in record.services] == ["search-api"]
    assert [item.text for item in record.action_items] == ["Cap query fan-out at 64 shards", "Add latency SLO alert"]
    assert record.action_items[0].lines.start == 12


def test_an_eml_subject_naming_a_section_is_still_the_title_and_a_sign_off_is_no_action(tmp_path):
    path = note_file(
        tmp_path,
        "summary.eml",
        "From: ops@example.com\nSubject: Incident summary: payment webhooks delayed (Sev2)\n"
        "Date: Tue, 14 Sep 2021 18:02:11 +0000\nContent-Type: text/plain; charset=utf-8\n\n"
        "Webhooks were late this morning.\n\nFollow-up actions:\n  * cap retries per merchant\n  * document the restart\n\n"
        "Thanks,\nOps\n",
    )
    record = records_of(path)[0]
    assert record.title.value == "Incident summary: payment webhooks delayed"
    assert record.severity.value == "Sev2" and record.date.value == "2021-09-14"
    assert [item.text for item in record.action_items] == ["cap retries per merchant", "document the restart"]


def test_a_digest_entry_title_drops_its_leading_date_and_grade_but_keeps_its_date(tmp_path):
    path = note_file(
        tmp_path,
        "ops-log.txt",
        "Ops log\n\n* 2020-07-02: VPN concentrator reboot loop, SEV3. AI: upgrade firmware.\n"
        "* 2020-08-19: Build cache corrupted, SEV2. AI: disk alert at 80%.\n",
    )
    first, second = records_of(path)
    assert (first.title.value, first.date.value, first.severity.value) == (
        "VPN concentrator reboot loop",
        "2020-07-02",
        "SEV3",
    )
    assert (second.title.value, second.date.value) == ("Build cache corrupted", "2020-08-19")
    single = note_file(tmp_path, "one.md", "# 2018-04-18, Culler flood\n\nThe culler flooded the hub.\n")
    assert records_of(single)[0].title.value == "2018-04-18, Culler flood"  # a note's own title as written


def test_a_slashed_date_is_settled_by_a_month_the_note_or_its_file_name_writes(tmp_path):
    (unsure,) = find_dates("7/5/2023")
    assert settle(unsure, None, {"2023-07"}).value == "2023-07-05"
    assert settle(unsure, None, {"2023-07", "2023-05"}).ambiguous is not None  # both months written: still unsure
    path = note_file(tmp_path, "2023-07-05-gift-card-phish.md", "# Phishing mail\n\n## Timeline\n\n7/5/2023 a mail\n")
    record = records_of(path)[0]
    assert record.date.value == "2023-07-05" and record.date.lines.start == 5  # cited in the note, not the name
    assert record.date_source is None


def test_the_summary_date_comes_before_the_timelines_lead_up(tmp_path):
    path = note_file(
        tmp_path,
        "downloads.md",
        "# Broken downloads\n\n## Summary\n\nOn 2023-07-20 between 12:17 and 12:30 UTC downloads failed.\n\n"
        "## Timeline\n\n### 2023-07-19\n\n- 17:41 the change was merged\n",
    )
    assert records_of(path)[0].date.value == "2023-07-20"


def test_follow_ups_in_a_prose_summary_are_action_items(tmp_path):
    path = note_file(
        tmp_path,
        "summary.md",
        "# Region outage\n\nA power loss took out one zone.\n\nTo prevent recurrence, Acme plans to add redundancy "
        "for the PLCs, improve load balancing, and isolate the control plane.\n",
    )
    assert [item.text for item in records_of(path)[0].action_items] == [
        "add redundancy for the PLCs",
        "improve load balancing",
        "isolate the control plane",
    ]


def test_servicenow_keys_custom_prefixes_and_keys_that_contain_a_meaning(tmp_path):
    path = note_file(
        tmp_path,
        "INC0012345.json",
        json.dumps(
            {
                "number": "INC0012345",
                "short_description": "Payroll batch failed to post",
                "opened_at": "2019-03-28 07:45:12",
                "priority": "2 - High",
                "cmdb_ci": "payroll-batch",
                "close_notes": "The batch vault credential had expired.",
                "u_follow_up_tasks": "1) alert before credential expiry 2) move batch creds to dynamic secrets",
            },
            indent=2,
        ),
    )
    record = records_of(path)[0]
    assert (record.title.value, record.date.value, record.severity.value) == (
        "Payroll batch failed to post",
        "2019-03-28",
        "2 - High",
    )
    assert [item.text for item in record.services] == ["payroll-batch"]
    assert record.summary.value == "The batch vault credential had expired."
    assert [item.text for item in record.action_items] == [
        "alert before credential expiry",
        "move batch creds to dynamic secrets",
    ]
    assert line_of(path, record.action_items[0].lines.start).lstrip().startswith('"u_follow_up_tasks"')


def test_rst_auto_numbered_lists_and_a_month_written_with_a_slash(tmp_path):
    path = note_file(
        tmp_path,
        "relay.rst",
        "Mail relay down\n===============\n\n:Date: 2018-10-02\n\nFollow-up\n---------\n#. Stage TLS changes\n"
        "#. Add a synthetic send check\n",
    )
    assert [item.text for item in records_of(path)[0].action_items] == [
        "Stage TLS changes",
        "Add a synthetic send check",
    ]
    assert [(f.value, f.precision) for f in find_dates("outage notes 11/2021")] == [("2021-11", "month")]


def test_a_month_or_month_range_is_narrowed_by_a_yearless_day_of_it(tmp_path):
    assert [(f.value, f.precision) for f in find_dates("in February and March 2026")] == [("2026-02", "month")]
    path = note_file(
        tmp_path,
        "outages.md",
        "# Availability incidents in February and March 2026\n\nThree incidents, on February 2, February 9 "
        "and March 5.\n",
    )
    record = records_of(path)[0]
    assert (record.date.value, record.date_precision, record.date.lines.start) == ("2026-02-02", "day", 3)


def test_lessons_and_next_steps_under_one_heading_are_follow_ups(tmp_path):
    path = note_file(
        tmp_path,
        "etl.txt",
        "Nightly ETL missed SLA\n\nThe join spilled to disk.\n\nLessons / next steps\n- partition the upstream table\n"
        "- add a row-count guard\n",
    )
    assert [item.text for item in records_of(path)[0].action_items] == [
        "partition the upstream table",
        "add a row-count guard",
    ]


def test_several_labels_on_one_line_are_read_as_separate_sections(tmp_path):
    path = note_file(
        tmp_path,
        "log.md",
        "# Incident log 2022\n\n### Incident 1: Payments timeout (2022-02-03)\n"
        "Sev: P2. Cause: DB pool exhausted. Follow-up: raise pool, add alert.\n\n"
        "### Incident 2: Login loop (2022-03-11)\nSev: P3. Follow-up: e2e test for login.\n",
    )
    first, second = records_of(path)
    assert (first.severity.value, [item.text for item in first.action_items]) == ("P2", ["raise pool", "add alert"])
    assert first.action_items[0].lines.start == 4
    assert (second.severity.value, [item.text for item in second.action_items]) == ("P3", ["e2e test for login"])


def test_an_exports_placeholder_is_no_action_item(tmp_path):
    path = note_file(
        tmp_path,
        "pd.txt",
        "Hub unreachable\n\nThe hub was down.\n\nAction Items\nNo comments added\n\nTimeline\n10:00 alert\n",
    )
    assert records_of(path)[0].action_items == []


def test_other_teams_severity_1_work_is_not_this_incidents_severity(tmp_path):
    path = note_file(tmp_path, "l4s.md", "# Log4Shell\n\n## Lessons\n\n- Two teams had other severity 1 work.\n")
    assert not records_of(path)[0].severity.recorded


def test_more_tracker_key_spellings_are_read_by_meaning(tmp_path):
    path = note_file(
        tmp_path,
        "tracker.yaml",
        "incident_level: S2\nissue_title: Image uploads failing\nimpact_start: 2023-05-17T08:20:00Z\n"
        "impacted_services: [media-api]\nproblem_statement: Uploads over 5 MB failed with 413.\n"
        "follow_up_actions:\n  - Pin ingress body size explicitly\n",
    )
    record = records_of(path)[0]
    assert (record.title.value, record.date.value, record.severity.value) == (
        "Image uploads failing",
        "2023-05-17",
        "S2",
    )
    assert [item.text for item in record.services] == ["media-api"]
    assert record.summary.value == "Uploads over 5 MB failed with 413."
    assert [(item.text, item.lines.start) for item in record.action_items] == [("Pin ingress body size explicitly", 7)]


def test_a_date_label_without_a_date_does_not_hide_the_next_one(tmp_path):
    path = note_file(tmp_path, "n.txt", "Queue stalled\n\nReported: by a customer\nDate: 2021-05-01\n\nIt broke.\n")
    record = records_of(path)[0]
    assert record.date.value == "2021-05-01" and record.date.lines.start == 4


@pytest.mark.parametrize(
    "text, value",
    [
        ("12-Nov-2022 outage", "2022-11-12"),
        ("2022-Nov-12 outage", "2022-11-12"),
        ("Nov-12-2022 outage", "2022-11-12"),
        ("12/Nov/2022:10:00:01 first 502", "2022-11-12"),
    ],
)
def test_dates_with_month_names_between_dashes(text, value):
    assert find_dates(text)[0].value == value


def test_a_us_or_european_time_zone_settles_a_slashed_date(tmp_path):
    us = note_file(tmp_path, "us.txt", "Queue stalled\n\n3/8/22 9:00 PT: consumers stopped.\n")
    assert records_of(us)[0].date.value == "2022-03-08"
    eu = note_file(tmp_path, "eu.txt", "Queue stalled\n\n3/8/22 9:00 CET: consumers stopped.\n")
    assert records_of(eu)[0].date.value == "2022-08-03"
    both = note_file(tmp_path, "both.txt", "Queue stalled\n\n3/8/22 9:00 PT (18:00 CET): consumers stopped.\n")
    assert not records_of(both)[0].date.recorded  # the zones disagree: still ambiguous, reported


def test_a_date_marked_us_is_month_first(tmp_path):
    path = note_file(tmp_path, "etl.txt", "Nightly ETL missed SLA\nDate: 7/4/2021 (US)\n\nThe join spilled.\n")
    assert records_of(path)[0].date.value == "2021-07-04"


def test_a_record_grading_by_several_keys_takes_the_preferred_one_and_reads_action_objects(tmp_path):
    path = note_file(
        tmp_path,
        "inc.json",
        json.dumps(
            {
                "short_description": "Payroll export failed",
                "opened_at": "2020-06-24 22:41:07",
                "urgency": "2 - Medium",
                "priority": "2 - High",
                "actions": [{"what": "alert on host key mismatch", "who": "hr"}, {"what": "document the re-run"}],
            },
            indent=1,
        ),
    )
    (record,) = records_of(path)
    assert record.severity.value == "2 - High"
    assert "priority" in line_of(path, record.severity.lines.start)
    assert [item.text for item in record.action_items] == ["alert on host key mismatch", "document the re-run"]


def test_a_month_field_and_an_ai_list_heading(tmp_path):
    path = note_file(
        tmp_path,
        "etl.md",
        "---\ntitle: ETL double load\nmonth: 2022-03\n---\n\nThe load ran twice.\n\nAI list\n"
        " 1. make the load idempotent\n 2. reconcile row counts\n",
    )
    (record,) = records_of(path)
    assert (record.date.value, record.date_precision) == ("2022-03", "month")
    assert [item.text for item in record.action_items] == ["make the load idempotent", "reconcile row counts"]


def test_an_html_incident_log_table_is_one_record_per_row_with_its_cells(tmp_path):
    rows = "".join(
        f"<tr><td>{day}</td><td>{title}</td><td>{sev}</td><td><ul><li>{a}</li><li>{b}</li></ul></td></tr>\n"
        for day, title, sev, a, b in [
            ("2024-01-08", "VPC peering deleted", "SEV3", "prevent-destroy on peering", "plan review"),
            ("2024-02-22", "Vault sealed after reboot", "SEV1", "auto-unseal with KMS", "unseal drill"),
        ]
    )
    path = note_file(
        tmp_path,
        "log.html",
        "<html><body>\n<h1>Incident log 2024</h1>\n<table>\n"
        "<tr><th>Date</th><th>Incident</th><th>Sev</th><th>Follow-ups</th></tr>\n" + rows + "</table></body></html>\n",
    )
    records = records_of(path)
    assert [(r.title.value, r.date.value, r.severity.value) for r in records] == [
        ("VPC peering deleted", "2024-01-08", "SEV3"),
        ("Vault sealed after reboot", "2024-02-22", "SEV1"),
    ]
    assert [item.text for item in records[1].action_items] == ["auto-unseal with KMS", "unseal drill"]
    assert "Vault sealed" in line_of(path, records[1].lines.start)


def test_a_table_of_earlier_incidents_in_a_postmortem_is_no_digest(tmp_path):
    path = note_file(
        tmp_path,
        "pm.md",
        "# Queue outage on 2024-03-01\n\n## Summary\n\nThe queue stopped.\n\n## Related incidents\n\n"
        "| Date | Incident |\n| --- | --- |\n| 2023-01-02 | queue full |\n| 2023-05-06 | queue slow |\n",
    )
    assert len(records_of(path)) == 1


def test_a_weekly_mail_settles_yearless_weekdays_by_its_send_date(tmp_path):
    path = note_file(
        tmp_path,
        "weekly.eml",
        "Date: Fri, 10 Nov 2017 16:30:00 -0800\nSubject: Weekly ops update\n\nTwo incidents this week.\n\n"
        "1) Tue 11/07 - Uploads failing\n   Priority: P2 / service: uploads\n   Next steps: move uploader to https\n\n"
        "2) Thu 11/09 - Sign-up page slow\n   Priority: P3 / service: web-signup\n",
    )
    records = records_of(path)
    assert [(r.title.value, r.date.value, r.severity.value) for r in records] == [
        ("Uploads failing", "2017-11-07", "P2"),
        ("Sign-up page slow", "2017-11-09", "P3"),
    ]
    assert [s.text for s in records[0].services] == ["uploads"]
    assert line_of(path, records[1].date.lines.start).startswith("2) Thu 11/09")


def test_a_yearless_day_far_from_the_send_date_or_readable_both_ways_is_left_alone():
    from datetime import date

    from pipeline.backfill.dates import dated_from_sent

    sent = date(2017, 11, 10)
    assert dated_from_sent("Tue 11/07 uploads", sent) == "Tue 2017-11-07 uploads"
    assert dated_from_sent("Mon 1/2 of nodes", sent) == "Mon 1/2 of nodes"
    assert dated_from_sent("Wed 11/10, Fri 11/10", date(2017, 11, 12)) == "Wed 2017-10-11, Fri 2017-11-10"
    assert dated_from_sent("Sun 11/10", date(2017, 11, 12)) == "Sun 11/10"  # neither day was a Sunday


def test_a_fence_with_a_language_opens_a_code_block_but_never_closes_one(tmp_path):
    path = note_file(
        tmp_path,
        "pm.md",
        "# DB overwrite\n\n## Timeline\n\nran:\n```\n```bash\nsqlite3\n```\n\n## Action items\n\n"
        "1. Take regular tested backups\n2. Document escalation\n",
    )
    (record,) = records_of(path)
    assert [item.text for item in record.action_items] == ["Take regular tested backups", "Document escalation"]


def test_future_actions_in_prose_and_a_later_sentence_adding_one_more(tmp_path):
    path = note_file(
        tmp_path,
        "outage.md",
        "# Network outage, June 2019\n\nThe automation was halted. Future actions include hardening the cluster "
        "manager, and extending the fail-static duration. Recovery testing will also be enhanced. "
        "The outage also hit storage.\n",
    )
    (record,) = records_of(path)
    assert [item.text for item in record.action_items] == [
        "hardening the cluster manager",
        "extending the fail-static duration",
        "Recovery testing will also be enhanced",
    ]


def test_a_first_line_title_drops_what_kind_of_notes_they_are_and_an_aside(tmp_path):
    path = note_file(
        tmp_path,
        "bridge.txt",
        "notifications backlog - bridge call notes (typed during the call, cleaned up a bit after the call ended)\n\n"
        "Impact level: 2\n\n02:05 page: lag > 1M\n",
    )
    (record,) = records_of(path)
    assert record.title.value == "notifications backlog"
    path = note_file(tmp_path, "upl.txt", "Uploads failing (S3 bucket policy)\n\nImpact level: 2\n")
    assert records_of(path)[0].title.value == "Uploads failing (S3 bucket policy)"


@pytest.mark.parametrize(
    "text, title, severity",
    [
        ("Sev 2 - payments down\n\nwhen: 2021-04-05\n", "payments down", "Sev 2"),
        ("kafka lag incident (Sev3)\n\nconsumers stalled on 5 Jan 2021\n", "kafka lag incident", "Sev3"),
        ("search slow\nDate: 2022-03-03\nImpact: High\n\nheap too small\n", "search slow", "High"),
        ("db failover\nSEV-1\n\nthe primary died.\n", "db failover", "SEV-1"),
        (
            "RCA: partial outage of image uploads\n\nStarted 8 Feb 2022.\nPriority 2.\n",
            "partial outage of image uploads",
            "Priority 2",
        ),
        ("# [RESOLVED][P2] Login failures\n\nOn 1 May 2021 logins failed.\n", "Login failures", "P2"),
    ],
)
def test_grades_dates_and_lead_words_around_a_first_line_title(tmp_path, text, title, severity):
    (record,) = records_of(note_file(tmp_path, "note.txt", text))
    assert (record.title.value, record.severity.value) == (title, severity)


def test_a_digest_entry_grade_in_parentheses_and_next_steps_with_a_dash(tmp_path):
    path = note_file(
        tmp_path,
        "q3.txt",
        "Q3 2022 summary\n\n- 2022-07-04 Checkout timeouts (P1). Cause: db locks. AI: add index\n"
        "- 2022-08-09 Email delays (P3). Cause: provider. AI: second provider\n",
    )
    assert [(r.title.value, r.severity.value) for r in records_of(path)] == [
        ("Checkout timeouts", "P1"),
        ("Email delays", "P3"),
    ]
    path = note_file(tmp_path, "c.txt", "search slow\nDate: 2022-03-03\n\nNext steps -\n1. tune heap\n2. add shard\n")
    assert [item.text for item in records_of(path)[0].action_items] == ["tune heap", "add shard"]


def test_an_epoch_timestamp_and_a_comma_list_cell_in_structured_notes(tmp_path):
    path = note_file(
        tmp_path,
        "pd.json",
        json.dumps({"title": "Checkout errors", "created_at": 1646865600, "follow_ups": "canary deploys, load test"}),
    )
    (record,) = records_of(path)
    assert record.date.value == "2022-03-09"
    assert [item.text for item in record.action_items] == ["canary deploys", "load test"]
    path = note_file(tmp_path, "n.json", json.dumps({"title": "Disk full", "created_at": "12345", "notes": "x"}))
    assert not records_of(path)[0].date.recorded  # a small number is no timestamp


def test_immediate_actions_under_remediation_are_work_done_not_follow_ups(tmp_path):
    path = note_file(
        tmp_path,
        "pm.md",
        "# SDK bug\n\n## Remediation\n\n### Immediate Actions\n\n- Reverted the change\n\n"
        "### Short-term Improvements\n\n- Compatibility tests\n\n## Lessons learned\n\n- ship slower\n",
    )
    (record,) = records_of(path)
    assert [item.text for item in record.action_items] == ["Compatibility tests"]


def test_an_html_action_table_under_a_header_row_keeps_its_columns(tmp_path):
    path = note_file(
        tmp_path,
        "search.html",
        "<html><body><h1>Search outage</h1><table><tr><td>Date</td><td>2021-08-09</td></tr></table>"
        "<h2>Follow-ups</h2><table><tr><th>Action</th><th>Owner</th></tr><tr><td>Raise heap</td><td>sre</td></tr>"
        "<tr><td>Add shard alert</td><td>sre</td></tr></table></body></html>",
    )
    (record,) = records_of(path)
    assert record.date.value == "2021-08-09"
    assert [item.text for item in record.action_items] == ["Raise heap", "Add shard alert"]


def test_numbered_incident_headings_in_a_digest_drop_their_number_and_date(tmp_path):
    path = note_file(
        tmp_path,
        "ops.md",
        "# Ops incidents 2021\n\n### Incident 1 - 2021-03-04 - API 502s\nSev: P2\n\n"
        "### Incident 2 - 2021-04-05 - Cron skipped\nSev: P4\n",
    )
    assert [(r.title.value, r.date.value) for r in records_of(path)] == [
        ("API 502s", "2021-03-04"),
        ("Cron skipped", "2021-04-05"),
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "Follow-up actions included adding a canary, and fixing the retry.",
        "Improvements includes adding a canary, and fixing the retry.",
    ],
)
def test_a_follow_up_sentence_is_cut_after_the_whole_verb(tmp_path, sentence):
    (record,) = records_of(note_file(tmp_path, "note.md", f"# Outage\n\nThe API failed. {sentence}\n"))
    assert [item.text for item in record.action_items] == ["adding a canary", "fixing the retry"]


def test_of_several_date_fields_the_incident_began_on_the_earliest(tmp_path):
    path = note_file(tmp_path, "disk.txt", "Disk full\n\nReported: 2021-03-05 09:00\nStarted: 2021-03-04 23:10\n")
    (record,) = records_of(path)
    assert record.date.value == "2021-03-04"
    assert line_of(path, record.date.lines.start).startswith("Started")
    path = note_file(
        tmp_path,
        "cdn.json",
        json.dumps({"title": "CDN errors", "created": "2022-11-20T10:00:00Z", "started_at": "2022-11-19T22:00:00Z"}),
    )
    assert records_of(path)[0].date.value == "2022-11-19"


@pytest.mark.parametrize(
    "actions",
    [
        "Next actions:\n1) add alert\n2) warm cache\n",
        "To-do:\n[ ] add alert\n[x] warm cache\n",
        "We need to:\n- add alert\n- warm cache\n",
        "AI (sre): add alert\nAI (app): warm cache\n",
    ],
)
def test_more_ways_of_writing_follow_ups(tmp_path, actions):
    text = "Cache outage\nDate: 2021-01-02\n\nThe cache died.\n\n" + actions
    (record,) = records_of(note_file(tmp_path, "cache.txt", text))
    assert [item.text for item in record.action_items] == ["add alert", "warm cache"]


def test_numbered_headings_with_a_date_field_below_are_a_digest(tmp_path):
    path = note_file(
        tmp_path,
        "review.md",
        "# Ops review March 2021\n\n## 1. Checkout outage\nDate: 2021-03-04\nSeverity: P1\nActions: add canary\n\n"
        "## 2. Login slow\nDate: 2021-03-19\nSeverity: P3\nActions: cache tokens\n",
    )
    records = records_of(path)
    assert [(r.title.value, r.date.value, r.severity.value) for r in records] == [
        ("Checkout outage", "2021-03-04", "P1"),
        ("Login slow", "2021-03-19", "P3"),
    ]
    assert [item.text for item in records[1].action_items] == ["cache tokens"]


def test_graded_lines_opening_with_a_date_are_a_digest_but_a_dated_commit_log_is_not(tmp_path):
    path = note_file(
        tmp_path,
        "month.txt",
        "INCIDENTS THIS MONTH\n\n04.03.2021 Checkout outage - P1 - AI: add canary\n"
        "19.03.2021 Login slow - P3 - AI: cache tokens\n",
    )
    assert [
        (r.title.value, r.date.value, r.severity.value, [a.text for a in r.action_items]) for r in records_of(path)
    ] == [
        ("Checkout outage", "2021-03-04", "P1", ["add canary"]),
        ("Login slow", "2021-03-19", "P3", ["cache tokens"]),
    ]
    path = note_file(
        tmp_path,
        "log.md",
        "# Deck outage 2019-02-08\n\nThe deck broke.\n\n2019-02-07 | 73ab4a8 | Kyle | Deck: add org to links\n"
        "2019-02-06 | acdf2fb | Ben | register help for buildifier\n",
    )
    assert len(records_of(path)) == 1


def test_a_mail_settles_a_named_weekday_and_month_without_a_year_and_a_grade_after_a_sentence(tmp_path):
    path = note_file(
        tmp_path,
        "search.eml",
        "Date: Thu, 16 Sep 2021 10:00:00 +0000\nSubject: search cluster red\n\n"
        "On Tuesday 14 September the search cluster went red. P2.\n",
    )
    (record,) = records_of(path)
    assert (record.date.value, record.severity.value) == ("2021-09-14", "P2")
    from datetime import date

    from pipeline.backfill.dates import dated_from_sent

    assert dated_from_sent("Monday 14 September", date(2021, 9, 16)) == "Monday 14 September"  # not a Monday


def test_digest_entries_without_a_year_take_the_one_year_the_digest_names(tmp_path):
    path = note_file(
        tmp_path,
        "log.txt",
        "2021 incident log\n\nMar 4: checkout outage (P1). todo: add canary\n"
        "Mar 19: login slow (P3). todo: cache tokens\n",
    )
    records = records_of(path)
    assert [(r.title.value, r.date.value, r.severity.value) for r in records] == [
        ("checkout outage", "2021-03-04", "P1"),
        ("login slow", "2021-03-19", "P3"),
    ]
    assert records[1].date.lines.start == 4


def test_yaml_keyed_by_date_is_one_incident_per_day_key(tmp_path):
    path = note_file(
        tmp_path,
        "log.yaml",
        "2023-01-04:\n  what: cache stampede\n  sev: P2\n  followups:\n    - jitter ttl\n"
        "2023-02-10:\n  what: dns outage\n  sev: P1\n",
    )
    records = records_of(path)
    assert [(r.title.value, r.date.value, r.severity.value) for r in records] == [
        ("cache stampede", "2023-01-04", "P2"),
        ("dns outage", "2023-02-10", "P1"),
    ]
    assert line_of(path, records[1].date.lines.start).startswith("2023-02-10")
    assert [item.text for item in records[0].action_items] == ["jitter ttl"]


def test_a_digest_of_numbered_entries_with_the_date_and_grade_after_the_title(tmp_path):
    path = note_file(
        tmp_path,
        "october.txt",
        "Two incidents in October.\n\n"
        "1) Booking site slow -- 10/14/2020 -- P2\n"
        "   Follow-ups: cache the timetable; 2 s timeout on the API call\n\n"
        "2) Gate scanners rejected valid tickets -- 10/27/2020 -- P1\n"
        "   Follow-ups:\n"
        "     a. NTP on the scanners\n"
        "     b. clock skew tolerance on QR validation\n\n"
        "Regards,\nOps Desk\n",
    )
    first, second = records_of(path)
    assert (first.title.value, first.date.value, first.severity.value) == ("Booking site slow", "2020-10-14", "P2")
    assert [item.text for item in first.action_items] == ["cache the timetable", "2 s timeout on the API call"]
    assert (second.title.value, second.date.value, second.severity.value) == (
        "Gate scanners rejected valid tickets",
        "2020-10-27",
        "P1",
    )
    assert [item.text for item in second.action_items] == [
        "NTP on the scanners",
        "clock skew tolerance on QR validation",
    ]


def test_grades_in_an_entry_aside_or_opening_a_line(tmp_path):
    digest = note_file(
        tmp_path,
        "q1.txt",
        "* 2018-01-09 - Jenkins disk full (P3, service: jenkins).\n  todo: cleanup job\n"
        "* 2018-02-27 - Invoices e-mailed twice (P1, service: billing).\n",
    )
    assert [(r.title.value, r.severity.value) for r in records_of(digest)] == [
        ("Jenkins disk full", "P3"),
        ("Invoices e-mailed twice", "P1"),
    ]
    text = note_file(
        tmp_path, "labels.txt", "INCIDENT 2018-10-02 blank labels\nP3   warehouse-labels\n\nprinted nothing.\n"
    )
    assert extract(read_note(text, "text")).severity.value == "P3"


def test_follow_ups_none_gives_no_action_items(tmp_path):
    path = note_file(
        tmp_path, "dhcp.txt", "DHCP scope exhausted\n\nLeases ran out.\n\nFollow-ups: none, the fixes are permanent.\n"
    )
    assert extract(read_note(path, "text")).action_items == []


def test_an_html_action_table_whose_header_row_has_no_th_cells(tmp_path):
    cells = "".join(
        f"<tr><td><p><span>{a}</span></p></td><td><p>{b}</p></td><td>{c}</td></tr>"
        for a, b, c in [
            ("<b>Action</b>", "<b>Owner</b>", "<b>Due</b>"),
            ("Refund the customers", "Support", "2019-12-04"),
            ("Add tests", "Billing", "2019-12-20"),
        ]
    )
    path = note_file(
        tmp_path,
        "review.html",
        f"<html><body><h1>Over-charged</h1><h2>Action items</h2><table>{cells}</table></body></html>",
    )
    assert [item.text for item in extract(read_note(path, "html")).action_items] == [
        "Refund the customers",
        "Add tests",
    ]


def test_a_json_date_object_and_a_remediation_object_holding_its_items(tmp_path):
    data = {
        "record": {
            "headline": "Driver app could not go online",
            "meta": {"detected": {"at": "2023-01-08T21:47:00+01:00", "by": "support tickets"}},
            "analysis": {
                "remediation": {"items": [{"text": "Validate the cell resolution"}, {"text": "Cap candidates"}]}
            },
        }
    }
    path = note_file(tmp_path, "rec.json", json.dumps(data, indent=2))
    (record,) = records_of(path)
    assert record.date.value == "2023-01-08"
    assert line_of(path, record.date.lines.start).strip().startswith('"detected"')
    assert [item.text for item in record.action_items] == ["Validate the cell resolution", "Cap candidates"]


def test_a_forwarded_mail_reads_the_quoted_account_but_a_reply_does_not(tmp_path):
    quoted = (
        "> The partner-api was unreachable on Saturday 30 May 2015 from 07:00.\n"
        ">\n> What I think we need:\n> 1) monitoring for every cert we hold\n> 2) a weekend on-call rota\n"
    )
    head = (
        "From: a@x.example\nTo: b@x.example\nDate: Mon, 1 Jun 2015 08:15:44 +0200\nSubject: {}\n\nsee below. sev1.\n\n"
    )
    forwarded = note_file(tmp_path, "fwd.eml", head.format("Fwd: partner API down") + quoted)
    record = extract(read_note(forwarded, "eml"))
    assert record.date.value == "2015-05-30"
    assert [item.text for item in record.action_items] == [
        "monitoring for every cert we hold",
        "a weekend on-call rota",
    ]
    reply = note_file(tmp_path, "re.eml", head.format("Re: partner API down") + quoted)
    assert extract(read_note(reply, "eml")).action_items == []


@pytest.mark.parametrize(
    "front, opening, day",
    [
        (
            "---\ntitle: Leaked token\nauthors:\n  - ee\ndate: 2024-07-08\n---",
            "On June 28, 2024 we were notified.",
            "2024-06-28",
        ),
        (
            '+++\npath = "blog/2023/09/01/malware"\nauthors = ["adam"]\n+++',
            "## Summary\n\nOn August 16, we were told.",
            "2023-08-16",
        ),
        (
            "---\ntitle: Leaked token\ndate: 2024-07-08\n---",
            "On June 28, 2024 we were notified.",
            "2024-07-08",
        ),  # no author
        (
            "---\nauthors: [ee]\ndate: 2024-07-08\n---",
            "See [the report](2024-06-01-report.md) we posted.",
            "2024-07-08",
        ),
    ],
)
def test_a_blog_posts_date_gives_way_to_the_earlier_day_its_opening_names(tmp_path, front, opening, day):
    path = note_file(tmp_path, "post.md", f"{front}\n\n{opening}\n\nMore text.\n")
    assert extract(read_note(path, "markdown")).date.value == day


def test_prose_follow_up_steps_including_a_list_and_sentences_adding_more(tmp_path):
    path = note_file(
        tmp_path,
        "prose.md",
        "# Outage on June 21, 2022\n\n"
        "The change was reverted. The company outlined several follow-up steps, including improving change "
        "procedures, redesigning the policy statement, and enhancing automation for staggered rollouts. "
        "Validation for input counts has been implemented, and extra checks are being added to the validator.\n",
    )
    assert [item.text for item in extract(read_note(path, "markdown")).action_items] == [
        "improving change procedures",
        "redesigning the policy statement",
        "enhancing automation for staggered rollouts",
        "Validation for input counts has been implemented",
        "extra checks are being added to the validator",
    ]


def test_a_listed_part_including_details_stays_one_action(tmp_path):
    path = note_file(
        tmp_path,
        "detect.md",
        "# Reduced capacity\n\nTo prevent future recurrences, Google is implementing improvements in detection, "
        "including better signals for traffic changes. Done.\n",
    )
    assert [item.text for item in extract(read_note(path, "markdown")).action_items] == [
        "improvements in detection, including better signals for traffic changes"
    ]


def test_an_action_taken_section_is_work_done_and_future_measures_prose_gives_its_intents(tmp_path):
    path = note_file(
        tmp_path,
        "squat.md",
        "# Squatting incident\n\n## Action Taken\n\nThe user's IP address was banned immediately.\n\n"
        "## Future measures\n\nIt should not have been possible for a single user or a single IP address to upload\n"
        "that many packages in such a short period of time, and nobody noticed for a long while. We will be\n"
        "introducing rate limiting on this endpoint. This will limit what a script is able to upload in the\n"
        "future, whoever runs it and from wherever they run it, without slowing down the people who publish.\n\n"
        "We are also looking into disallowing impersonating usernames.\nMany have speculated about the intent.\n",
    )
    (record,) = records_of(path)
    assert [item.text for item in record.action_items] == [
        "We will be introducing rate limiting on this endpoint",
        "We are also looking into disallowing impersonating usernames",
    ]  # "This will limit ..." explains the action before it
    assert line_of(path, record.action_items[0].lines.start).startswith("It should not")


@pytest.mark.parametrize("heading", ["Post-incident actions", "Going forward", "Preventive steps", "Open items"])
def test_more_follow_up_headings(tmp_path, heading):
    path = note_file(
        tmp_path, "n.md", f"# Disk full\n\nThe disk filled up.\n\n## {heading}\n\n- add a disk alert\n- rotate logs\n"
    )
    assert [item.text for item in extract(read_note(path, "markdown")).action_items] == [
        "add a disk alert",
        "rotate logs",
    ]


def test_a_tracker_comment_naming_follow_ups_after_a_sentence_gives_action_items(tmp_path):
    data = {
        "key": "OPS-9",
        "fields": {
            "summary": "Registry refused every pull",
            "created": "2021-09-14T03:12:44.000+0000",
            "priority": {"name": "Highest"},
            "customfield_10420": {"value": "SEV1"},
            "description": "Pulls failed with 401 after the signing key rotated.",
            "comment": {
                "total": 2,
                "comments": [
                    {"created": "2021-09-14T05:33:30", "body": "restarted registry. Actions: none yet"},
                    {
                        "created": "2021-09-16T10:15:00",
                        "body": "PIR done. AI:\n1. reload the cert on change\n2. alert on 401s",
                    },
                ],
            },
        },
    }
    path = note_file(tmp_path, "OPS-9.json", json.dumps(data, indent=2))
    (record,) = records_of(path)
    assert [item.text for item in record.action_items] == ["reload the cert on change", "alert on 401s"]
    start = record.action_items[0].lines.start  # the comment the follow-ups were written in
    assert "PIR done" in "".join(line_of(path, n) for n in (start, start + 1, start + 2))
    assert "restarted" not in "".join(line_of(path, n) for n in (start, start + 1, start + 2))
    assert record.severity.value == "SEV1"  # the team's grade, not the priority


def test_a_list_of_note_objects_is_read_for_their_content(tmp_path):
    data = {
        "incident": {
            "title": "checkout 5xx",
            "created_at": "2023-06-27T14:03:51Z",
            "notes": [
                {"id": "N1", "content": "Pool exhausted, rolled back the client."},
                {"id": "N2", "content": "Resolved. Follow ups: 1) circuit breaker on gateway calls 2) cap pool wait"},
            ],
        }
    }
    path = note_file(tmp_path, "pd.json", json.dumps(data, indent=2))
    (record,) = records_of(path)
    assert [item.text for item in record.action_items] == ["circuit breaker on gateway calls", "cap pool wait"]


def test_a_lone_date_line_in_a_mails_body_is_the_notes_field_but_forwarded_headers_are_not(tmp_path):
    mail = (
        "From: Bot <bot@example.net>\nSubject: Postmortem: search empty\nDate: Fri, 09 Feb 2024 16:20:00 +0000\n\n"
        "Postmortem: search empty\n\nDate: 2024-02-06\nSeverity: SEV1\n\n"
        "---------- Forwarded message ---------\nFrom: Ops <ops@example.net>\nDate: Mon, 01 Jan 2024 09:00\n"
        "Subject: older\n"
    )
    path = note_file(tmp_path, "pm.eml", mail)
    note = read_note(path, detect_format(path))
    assert "Date: 2024-02-06" in note.lines
    assert not any(line.startswith("Date: Mon") for line in note.lines)
    (record,) = records_of(path)
    assert record.date.value == "2024-02-06"


def test_short_description_titles_and_an_impact_grade_before_a_sentence(tmp_path):
    path = note_file(
        tmp_path,
        "snow.txt",
        "Number: INC0318824\nShort description: Ward printers offline\nOpened: 2023-11-28 22:14\n\n"
        "impact: high. release builds could not upload.\n",
    )
    (record,) = records_of(path)
    assert record.title.value == "Ward printers offline"
    assert record.severity.value.lower() == "impact: high"


def test_a_box_ticked_for_work_done_during_the_incident_is_no_follow_up(tmp_path):
    path = note_file(
        tmp_path,
        "boxes.md",
        "## Refunds stuck\n\nDetected: 2024-05-06\n\n- [ ] alert on refunds pending > 2h\n"
        "- [x] restart worker (done during the incident)\n- [x] lock re-acquired on reconnect\n",
    )
    (record,) = records_of(path)
    assert [item.text for item in record.action_items] == [
        "alert on refunds pending > 2h",
        "lock re-acquired on reconnect",
    ]


def test_a_servicenow_api_envelope_gives_its_records_with_display_values(tmp_path):
    record_of = {
        "number": "INC0010023",
        "short_description": "Email delivery delayed for all users",
        "opened_at": "2022-04-12 08:14:00",
        "priority": {"display_value": "2 - High", "value": "2"},
        "cmdb_ci": {"display_value": "exchange-prod", "value": "abc"},
        "work_notes": "2022-04-12 09:00:00 - Jane\n(Work notes)\nFollow ups: add queue alert, page on backlog",
    }
    path = note_file(tmp_path, "snow.json", json.dumps({"result": [record_of, record_of], "count": 2}, indent=2))
    records = records_of(path)
    assert len(records) == 2
    assert records[0].title.value == "Email delivery delayed for all users"
    assert records[0].severity.value == "2 - High"
    assert [item.text for item in records[0].action_items] == ["add queue alert", "page on backlog"]


def test_a_timeline_table_naming_its_year_in_the_header_dates_the_note(tmp_path):
    path = note_file(
        tmp_path,
        "compromise.md",
        "# Suspected account compromise\n\n## Timeline\n\n| Day | Date (2021) | Time | Event |\n|---|---|---|---|\n"
        "| Wed | Dec 15 | 22:40 | Abnormal activity noticed\n| Wed | Dec 16 | 01:10 | Accounts restored\n",
    )
    (record,) = records_of(path)
    assert record.date.value == "2021-12-15"
    assert "Dec 15" in line_of(path, record.date.lines.start)


def test_areas_for_improvement_including_a_list_give_one_action_each(tmp_path):
    path = note_file(
        tmp_path,
        "gce.md",
        "# Disk errors\n\nA review identified several areas for improvement, including enhancing cache retention, "
        "adding a second durability scheme, and improving response procedures.\n",
    )
    (record,) = records_of(path)
    assert [item.text for item in record.action_items] == [
        "enhancing cache retention",
        "adding a second durability scheme",
        "improving response procedures",
    ]


def test_jira_cloud_rich_text_is_read_as_lines(tmp_path):
    def paragraph(text: str) -> dict:
        return {"type": "paragraph", "content": [{"type": "text", "text": text}]}

    description = {
        "type": "doc",
        "version": 1,
        "content": [
            paragraph("Acquirer rejected all NL cards."),
            {"type": "heading", "attrs": {"level": 3}, "content": [{"type": "text", "text": "Follow-ups"}]},
            {
                "type": "bulletList",
                "content": [
                    {"type": "listItem", "content": [paragraph("alert on decline rate per country")]},
                    {"type": "listItem", "content": [paragraph("second acquirer for NL")]},
                ],
            },
        ],
    }
    comment = {
        "created": "2023-03-02T12:00:00",
        "body": {"type": "doc", "content": [paragraph("Rolled back routing.")]},
    }
    data = {
        "key": "PAY-77",
        "fields": {
            "summary": "Card payments declined",
            "created": "2023-03-02T10:00:00",
            "description": description,
            "comment": {"comments": [comment]},
        },
    }
    path = note_file(tmp_path, "PAY-77.json", json.dumps(data, indent=2))
    (record,) = records_of(path)
    assert record.summary.value == "Acquirer rejected all NL cards."
    assert [item.text for item in record.action_items] == [
        "alert on decline rate per country",
        "second acquirer for NL",
    ]
    assert any("Rolled back routing." in row.text for row in record.timeline)


@pytest.mark.parametrize(
    "line", ["follow-ups -> warm cache on deploy, jitter TTLs", "Next time: warm cache on deploy, jitter TTLs"]
)
def test_follow_ups_after_an_arrow_or_next_time(tmp_path, line):
    path = note_file(tmp_path, "stampede.txt", f"cache stampede 2021-04-02\n\nkeys expired together.\n\n{line}\n")
    (record,) = records_of(path)
    assert [item.text for item in record.action_items] == ["warm cache on deploy", "jitter TTLs"]
