"""The main job end to end: each bundled example and each chat format gives a complete, cited draft."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from pipeline.drafting import draft_from_directory
from pipeline.ingest.chat import load_chat
from pipeline.models import Draft
from pipeline.render import render_markdown
from support import EXAMPLES

SECTIONS = [
    "Executive Summary",
    "Impact",
    "Timeline",
    "What Went Well",
    "What Went Wrong",
    "Contributing Factors",
    "5 Whys",
    "Action Items",
    "Lessons Learned",
    "Similar Past Incidents",
    "Open Questions for the Review",
    "Appendix: Evidence Index",
]
CITATION = re.compile(r"\[([TC]\d+)\]")
EXAMPLE_DIRS = sorted(p for p in EXAMPLES.iterdir() if (p / "incident.toml").exists())


def draft_of(directory: Path, **options) -> tuple[Draft, str]:
    draft, _ = draft_from_directory(directory, similar=False, **options)
    return draft, render_markdown(draft)


def assert_complete_and_cited(draft: Draft, markdown: str) -> None:
    headings = re.findall(r"^## (.+)$", markdown, flags=re.MULTILINE)
    assert headings == SECTIONS
    cited = set(CITATION.findall(markdown))
    assert cited, "a draft with no citations"
    assert cited <= set(draft.evidence_index), f"unresolved citations: {cited - set(draft.evidence_index)}"
    for claim in draft.executive_summary + draft.impact + draft.went_well + draft.went_wrong:
        assert set(claim.evidence) <= set(draft.evidence_index)
    summary_words = sum(len(claim.text.split()) for claim in draft.executive_summary)
    assert summary_words <= 100
    assert len(draft.five_whys) == 5


@pytest.mark.parametrize("directory", EXAMPLE_DIRS, ids=lambda p: p.name)
def test_every_example_drafts_completely_with_resolving_citations(directory):
    draft, markdown = draft_of(directory)
    assert_complete_and_cited(draft, markdown)
    assert draft.metadata.lock_status == "locked"
    assert len(draft.went_well) >= 3 and len(draft.went_wrong) >= 3


@pytest.mark.parametrize("directory", EXAMPLE_DIRS, ids=lambda p: p.name)
def test_timeline_is_reproduced_verbatim_and_in_order(directory):
    draft, markdown = draft_of(directory)
    table = markdown.split("## Timeline", 1)[1].split("## What Went Well", 1)[0]
    rows = [line for line in table.splitlines() if re.match(r"\| T\d+ \|", line)]
    assert [row.split("|")[1].strip() for row in rows] == [event.id for event in draft.timeline]
    for row, event in zip(rows, draft.timeline):
        cell = row.split(" | ")[3].rstrip(" |").replace("\\", "")
        assert cell == " ".join(event.text.split())


def test_checkout_api_facts():
    draft, markdown = draft_of(EXAMPLES / "checkout-api")
    facts = draft.facts
    assert draft.severity == "SEV-1"
    assert (facts.time_to_detect_minutes, facts.time_to_mitigate_minutes, facts.time_to_resolve_minutes) == (3, 26, 52)
    assert draft.duration_minutes == 52
    roles = {(role.name, role.value) for role in facts.roles}
    assert {("IC", "Priya Raman"), ("OL", "Marco Rossi"), ("CL", "Sam Okafor"), ("Scribe", "Jordan Lee")} <= roles
    assert facts.detected.time.strftime("%H:%M") == "12:01"  # 14:01 Europe/Berlin (CEST)
    assert [step.name for step in facts.mitigation_steps][:1] == ["rollback"]
    assert {"23% of checkout requests", "4,100 orders"} <= {fig.value for fig in facts.impact}
    owned = next(item for item in draft.action_items if item.owner == "Marco Rossi")  # "owner Marco", resolved
    assert (owned.due, owned.priority, owned.type.value) == ("2024-05-31", "P2", "preventive")
    # precision first: the question "could it be the DB primary instead?", refuted at 14:12, is not a factor
    assert not any("primary" in factor.statement for factor in draft.contributing_factors)
    assert draft.contributing_factors[0].confidence.value == "high"
    assert "Priya Raman (IC)" in markdown


def test_checkout_api_draft_carries_no_blame_and_no_secret():
    draft, markdown = draft_of(EXAMPLES / "checkout-api")
    as_json = draft.model_dump_json()
    for text in (markdown, as_json):
        assert "should have caught" not in text
        assert "Kx9fPq2mWz" not in text  # the password pasted into the chat
    # the message that held the password is not cited, so the index lists it without quoting it (redacted or not)
    assert "not cited by the draft" in draft.evidence_index["C12"] and "postgres://" not in markdown


def test_rendered_drafts_pass_the_blameless_check():
    from pipeline.blameless import lint_text
    from pipeline.models import Level

    for directory in EXAMPLE_DIRS:
        _, markdown = draft_of(directory)
        findings = [f for f in lint_text(markdown, path="draft.md") if f.level in (Level.warning, Level.error)]
        assert findings == [], f"{directory.name}: {[(f.line, f.rule_id, f.match) for f in findings]}"


# ---------------------------------------------------------------- every chat format


def write_chat(messages, fmt: str, target: Path) -> Path:
    """Write the example's chat in another format, as a team's tool would have exported it."""

    def local(message):
        return message.time.astimezone(ZONE)

    if fmt == "jsonl":
        path = target / "chat.jsonl"
        path.write_text(
            "".join(json.dumps({"ts": m.time.isoformat(), "user": m.author, "text": m.text}) + "\n" for m in messages)
        )
    elif fmt == "irc":
        path = target / "chat.log"
        lines = []
        for m in messages:
            for part in m.text.splitlines():
                lines.append(f"[{local(m):%H:%M}] <{m.author.replace(' ', '_')}> {part}")
        path.write_text("\n".join(lines) + "\n")
    elif fmt == "slack-paste":
        path = target / "chat.txt"
        path.write_text("".join(f"{m.author} [{local(m):%-I:%M %p}]\n{m.text}\n\n" for m in messages))
    elif fmt == "pagerduty":
        path = target / "chat.txt"
        body = "".join(f"{local(m):%-I:%M %p} {m.author} #inc-checkout\n{m.text}\n" for m in messages)
        path.write_text(f"{local(messages[0]):%b %-d, %Y}\n" + body)
    elif fmt == "slack-export":
        path = target / "chat"
        (path / "inc-checkout").mkdir(parents=True)
        names = sorted({m.author for m in messages})
        users = [{"id": f"U{i:03d}", "name": n.split()[0].lower(), "real_name": n} for i, n in enumerate(names)]
        ids = {u["real_name"]: u["id"] for u in users}
        (path / "users.json").write_text(json.dumps(users))
        (path / "channels.json").write_text(json.dumps([{"id": "C1", "name": "inc-checkout"}]))
        day = [
            {"type": "message", "user": ids[m.author], "text": m.text, "ts": f"{m.time.timestamp():.6f}"}
            for m in messages
        ]
        (path / "inc-checkout" / f"{local(messages[0]):%Y-%m-%d}.json").write_text(json.dumps(day))
    else:
        raise AssertionError(fmt)
    return path


from zoneinfo import ZoneInfo  # noqa: E402

ZONE = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize("fmt", ["jsonl", "irc", "slack-paste", "pagerduty", "slack-export"])
def test_every_chat_format_drafts_the_same_incident(fmt, tmp_path):
    source = EXAMPLES / "checkout-api"
    original = load_chat(source / "chat.txt", day=date(2024, 5, 14), tz="Europe/Berlin")
    for name in ("incident.toml", "timeline.md", "timeline.md.lock.json"):
        shutil.copy(source / name, tmp_path / name)
    chat_path = write_chat(original.messages, fmt, tmp_path)
    draft, markdown = draft_of(tmp_path, chat=chat_path)
    assert draft.metadata.chat_format == fmt
    assert_complete_and_cited(draft, markdown)
    assert draft.severity == "SEV-1" and draft.duration_minutes == 52
    chat_ids = [key for key in draft.evidence_index if key.startswith("C")]
    assert len(chat_ids) >= len(original.messages)
    assert "Kx9fPq2mWz" not in markdown
