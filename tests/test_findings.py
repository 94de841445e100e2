"""A recorded cause is split into the findings it states (pipeline/drafting/findings.py): the mechanism, and each
missing safeguard beside it."""

from __future__ import annotations

import pytest

from pipeline.drafting.findings import split_findings

CASES = [
    # a missing safeguard beside the mechanism is a finding of its own
    (
        "root cause: PostLark suspended the account; notify-mailer had no alert on provider rejects",
        ["PostLark suspended the account", "notify-mailer had no alert on provider rejects"],
    ),
    (
        "the cap cut the file, and the importer had no size check; the warning went to a log nobody reads",
        ["the cap cut the file; the warning went to a log nobody reads", "the importer had no size check"],
    ),
    # a part that rules something out is no finding
    (
        "Cache key including the signed token identified as the cause; release traffic alone ruled out",
        ["Cache key including the signed token identified as the cause"],
    ),
    # the clauses of one mechanism stay one statement, without the lead-in that announced it
    (
        "Cause identified: the signing subkey expired at 00:00 and the signing script signs with an expired key",
        ["the signing subkey expired at 00:00 and the signing script signs with an expired key"],
    ),
    ("the binlogs filled the data volume; writes blocked", ["the binlogs filled the data volume; writes blocked"]),
    # a short part names no safeguard of its own even when it reads like one
    ("the drain evicted every replica; no PDB", ["the drain evicted every replica; no PDB"]),
    (
        "the cache node is cold and every login falls through to the database",
        ["the cache node is cold and every login falls through to the database"],
    ),
    (
        "Gateway logs showed the rate-limit key was the source IP",
        ["Gateway logs showed the rate-limit key was the source IP"],
    ),
]


@pytest.mark.parametrize(("statement", "findings"), CASES, ids=[f"case-{n}" for n in range(len(CASES))])
def test_split_findings(statement, findings):
    assert split_findings(statement) == findings
