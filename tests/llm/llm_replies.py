"""Scripted model replies for examples/checkout-api (evidence T1-T10, C1-C24; times in UTC).

GOOD_* are what a careful model would answer: every claim cites evidence whose times and numbers it
uses. The fault replies each break one rule, so a test can show what code does about it.
"""

from __future__ import annotations

from typing import Any

NOT_ESTABLISHED = {"text": "Not established by the recorded evidence.", "evidence": [], "established": False}


def claim(text: str, *evidence: str) -> dict[str, Any]:
    return {"text": text, "evidence": list(evidence), "established": True}


GOOD_NARRATIVE: dict[str, Any] = {
    "executive_summary": [
        claim("checkout-api returned 5xx errors from 11:58 UTC after deploy #847 reduced the DB connection pool from 40 to 20.", "T1", "T2"),
        claim("The incident was declared SEV-1 at 12:04 UTC.", "T4"),
        claim("About 23% of checkout requests were failing and roughly 4,100 orders failed.", "C14", "C19"),
        claim("A rollback to deploy #846 returned the 5xx rate to baseline at 12:24 UTC, 26 minutes after impact began.", "T2", "T7", "T8"),
    ],
    "impact": [
        claim("About 23% of checkout requests were failing at 12:16 UTC.", "C14"),
        claim("Roughly 4,100 orders failed, based on the order service logs.", "C19"),
        claim("Checkout errors lasted 26 minutes, from 11:58 UTC to 12:24 UTC.", "T2", "T8"),
    ],
    "went_well": [
        claim("The checkout-api 5xx alert fired at 12:01 UTC, 3 minutes after the error rate began rising.", "T2", "T3"),
        claim("Incident roles were assigned when the incident was declared.", "C3"),
        claim("Deploy #847 was identified as the change 12 minutes after the alert.", "T3", "T6"),
        claim("Status page updates were posted from 12:16 UTC.", "C14"),
    ],
    "went_wrong": [
        claim("The change to db.pool.max_connections reached production with no check on connection pool settings.", "T1", "C21"),
        claim("The pool was pinned at 20/20 with requests waiting up to 30 s, which surfaced as 500 errors.", "T5", "C7"),
        claim("The DB primary was considered as a cause before the pool limit was confirmed.", "C9", "C10", "C11"),
        claim("Impact began 3 minutes before the alert fired.", "T2", "T3"),
    ],
    "lessons_learned": [
        claim("Connection pool size is a production-critical setting that a routine deploy can change.", "T1", "T6"),
    ],
}

GOOD_ANALYSIS: dict[str, Any] = {
    "contributing_factors": [
        {"statement": "Deploy #847 reduced the DB connection pool from 40 to 20 connections.", "evidence": ["T1", "C11"],
         "confidence": "high", "disputed": False},
        {"statement": "Requests waited up to 30 s for a pool connection and the waits surfaced as 500 errors.",
         "evidence": ["T5", "C7"], "confidence": "medium", "disputed": False},
        {"statement": "The DB primary was considered as a cause; the chat reports flat CPU and no replica lag.",
         "evidence": ["C9", "C10"], "confidence": "low", "disputed": True},
    ],
    "five_whys": [
        {"question": "Why were customers affected?", "answer": claim("checkout-api returned 5xx errors from 11:58 UTC.", "T2")},
        {"question": "Why did that happen?", "answer": claim("The DB connection pool was pinned at 20/20 with requests waiting up to 30 s.", "T5")},
        {"question": "Why was the pool saturated?", "answer": claim("Deploy #847 changed db.pool.max_connections from 40 to 20.", "T1")},
        {"question": "Why did existing safeguards not stop it?", "answer": claim("No check flags changes to db.pool settings before production.", "C21")},
        {"question": "Why does the system allow this condition?", "answer": NOT_ESTABLISHED},
    ],
    "action_items": [
        {"action": "Add a CI check that flags changes to db.pool settings", "owner": "Marco", "due": "2024-05-31",
         "priority": "P2", "type": "preventive", "evidence": ["C21"]},
        {"action": "Alert on connection pool saturation above 90% for 5 minutes", "owner": "Dana", "due": None,
         "priority": None, "type": "detective", "evidence": ["C21"]},
        {"action": "Add a canary stage for checkout-api so config changes reach 5% of traffic first", "owner": None,
         "due": None, "priority": None, "type": "preventive", "evidence": ["C22"]},
    ],
}


def narrative_with(section: str, index: int, bad_claim: dict[str, Any]) -> dict[str, Any]:
    """GOOD_NARRATIVE with one claim replaced (its key is `section.index`)."""
    reply = {name: list(claims) for name, claims in GOOD_NARRATIVE.items()}
    reply[section][index] = bad_claim
    return reply


def repair(key: str, repaired: dict[str, Any]) -> dict[str, Any]:
    return {"repaired": [{"key": key, **repaired}]}


INVENTED_CITATION = claim("The database failed over to a replica at 12:05 UTC.", "T99")
WRONG_TIME = claim("The checkout-api 5xx alert fired at 14:01 UTC.", "T3")
WRONG_NUMBER = claim("About 32% of checkout requests were failing.", "C14")
BLAMEFUL = claim("Dave should have caught the pool change in review.", "C15")

# Fake secrets planted in tests/llm/fixtures/leaky-incident/chat.txt; none may leave the machine.
CANARIES = [
    "AKIACANARY0000000000", "sk_live_CANARYcanary0000", "CanaryPw99", "CanaryPass!77",
    "canarytokencanarytoken00", "ghp_CANARYcanaryCANARYcanaryCANARY0000", "oncall-lead@example.com",
]
