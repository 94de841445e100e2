"""Precision, junk and refusals in the eval metrics: filler in a draft costs as much as a missed item."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pipeline.evals.gold import load_gold
from pipeline.evals.metrics import is_placeholder, junk_items, role_precision
from pipeline.evals.runner import run_eval, summarize
from pipeline.models import NOT_ESTABLISHED, ActionItem, ContributingFactor, Fact

DATASETS = Path(__file__).resolve().parents[1] / "evals" / "datasets"
BILLING = DATASETS / "billing-irc-midnight"


def _draft(directory: Path):
    from pipeline.drafting import draft_from_directory

    draft, _ = draft_from_directory(directory, similar=False)
    return draft


def test_filler_lowers_precision_and_counts_as_junk_but_not_established_does_not(tmp_path):
    incident = tmp_path / "billing"
    shutil.copytree(BILLING, incident)
    [clean] = run_eval([incident]).incidents
    gold = load_gold(incident)
    draft = _draft(incident)
    filler = draft.model_copy(
        update={
            "contributing_factors": draft.contributing_factors
            + [ContributingFactor(statement="\u201cvery interesting\u201d")],
            "action_items": draft.action_items
            + [
                ActionItem(action="No, not anymore"),
                ActionItem(action=f"{NOT_ESTABLISHED} The review should name one."),
            ],
        }
    )
    drafted, junk = junk_items(filler, gold)
    base_drafted, base_junk = junk_items(draft, gold)
    assert drafted == base_drafted + 2  # the placeholder is not a drafted item
    assert set(junk) - set(base_junk) == {"\u201cvery interesting\u201d", "No, not anymore"}
    assert is_placeholder(f"{NOT_ESTABLISHED} The review should name one.")
    assert clean.factor_precision <= 1.0 and clean.action_precision == 1.0


def test_role_precision_needs_the_full_name_and_the_right_role(tmp_path):
    gold = load_gold(BILLING)
    draft = _draft(BILLING)
    role, person = next(iter(gold.roles.items()))
    right = draft.facts.model_copy(update={"roles": [Fact(name=role, value=person)]})
    handle = draft.facts.model_copy(update={"roles": [Fact(name=role, value=person.split()[0].lower())]})
    wrong = draft.facts.model_copy(update={"roles": [Fact(name=role, value="taking")]})
    assert role_precision(draft.model_copy(update={"facts": right}), gold) == 1.0
    assert role_precision(draft.model_copy(update={"facts": handle}), gold) == 0.0
    assert role_precision(draft.model_copy(update={"facts": wrong}), gold) == 0.0


def test_a_refused_bundle_scores_zero_and_is_counted_not_a_crash(tmp_path):
    incident = tmp_path / "broken"
    shutil.copytree(BILLING, incident)
    chat = next(p for p in incident.iterdir() if p.name.startswith("chat"))
    chat.write_bytes(b"\xff\xfe\x00 not text")
    report = run_eval([incident])
    [result] = report.incidents
    assert result.refused and result.fact_accuracy == 0.0 and result.factor_precision == 0.0
    assert report.summary["refused"] == 1 and summarize(report.incidents)["junk_rate"] == 0.0
    assert json.loads(report.model_dump_json())["incidents"][0]["refused"] == result.refused


def test_a_severity_nobody_stated_matches_a_draft_that_states_none() -> None:
    """Gold says null or "Not established" when the team stated no severity; a draft with none is then right."""
    from pipeline.evals.metrics import _norm_sev

    assert _norm_sev(None) == _norm_sev("Not established") == _norm_sev("not recorded") == ""
    assert _norm_sev("SEV-2") == _norm_sev("sev2") != _norm_sev(None)
