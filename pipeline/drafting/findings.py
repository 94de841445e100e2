"""A recorded cause split into the findings it states: one finding, one contributing factor (issue 11, Build 4).

A timeline row or a chat sentence often records several findings at once ("Cause identified: the upload cap cut the
file; the importer loaded the partial feed without checks"). Drafted whole, such a statement reads as a quote and
stands for none of its findings; split, each finding is a factor of its own with the same citation. The words that
open and join findings are data (`finding_lead_in`, `finding_joint` in pipeline/data/signals.yaml).
"""

from __future__ import annotations

from pipeline.facts import signals

MIN_FINDING_WORDS = 4  # a shorter part ("the test pods") is no finding of its own: it stays joined to the one before


def split_findings(statement: str) -> list[str]:
    """The findings `statement` holds: the mechanism, then each missing safeguard it names, without the lead-in that
    announced them ("Cause identified:") and without a part that rules something out ("release traffic alone ruled
    out"). A statement that names no safeguard beside its mechanism comes back whole."""
    sig = signals()
    text = sig["finding_lead_in"].sub("", statement.strip(), count=1)
    spans: list[tuple[int, int]] = []  # where each finding starts and ends in `text`
    start = 0
    for joint in [*sig["finding_joint"].finditer(text), None]:
        end = joint.start() if joint else len(text)
        if spans and len(text[start:end].split()) < MIN_FINDING_WORDS:
            spans[-1] = (spans[-1][0], end)  # "wrong with the nodes and the test pods" stays one finding
        else:
            spans.append((start, end))
        start = joint.end() if joint else end
    parts = [text[begin:end].strip(" ,;.") for begin, end in spans]
    kept = [part for part in parts if part and not sig["not_a_factor"].search(part)]
    # A missing safeguard beside the mechanism ("...; notify-mailer had no alert on provider rejects") is a finding
    # of its own. The mechanism's clauses stay one statement: split into clauses, it drafted more wrong factors than
    # right ones on the held-out incidents (factor precision 0.75 whole, 0.61 split, same recall).
    safeguards = [part for part in kept if sig["missing_control"].search(part)]
    if not safeguards and len(kept) == len(parts):
        return [text.strip(" ,;.")] if kept else []
    mechanism = "; ".join(part for part in kept if part not in safeguards)
    return ([mechanism] if mechanism else []) + safeguards
