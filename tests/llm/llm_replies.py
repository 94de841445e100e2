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
        claim(
            "checkout-api returned 5xx errors from 11:58 UTC after deploy #847 reduced the DB connection pool from 40 to 20.",
            "T1",
            "T2",
        ),
        claim("The incident was declared SEV-1 at 12:04 UTC.", "T4"),
        claim("About 23% of checkout requests were failing and roughly 4,100 orders failed.", "C14", "C19"),
        claim(
            "A rollback to deploy #846 returned the 5xx rate to baseline at 12:24 UTC, 26 minutes after impact began.",
            "T2",
            "T7",
            "T8",
        ),
    ],
    "impact": [
        claim("About 23% of checkout requests were failing at 12:16 UTC.", "C14"),
        claim("Roughly 4,100 orders failed, based on the order service logs.", "C19"),
        claim("Checkout errors lasted 26 minutes, from 11:58 UTC to 12:24 UTC.", "T2", "T8"),
    ],
    "went_well": [
        claim(
            "The checkout-api 5xx alert fired at 12:01 UTC, 3 minutes after the error rate began rising.", "T2", "T3"
        ),
        claim("Incident roles were assigned when the incident was declared.", "C3"),
        claim("Deploy #847 was identified as the change 12 minutes after the alert.", "T3", "T6"),
        claim("Status page updates were posted from 12:16 UTC.", "C14"),
    ],
    "went_wrong": [
        claim(
            "The change to db.pool.max_connections reached production with no check on connection pool settings.",
            "T1",
            "C21",
        ),
        claim(
            "The pool was pinned at 20/20 with requests waiting up to 30 s, which surfaced as 500 errors.", "T5", "C7"
        ),
        claim("The DB primary was considered as a cause before the pool limit was confirmed.", "C9", "C10", "C11"),
        claim("Impact began 3 minutes before the alert fired.", "T2", "T3"),
    ],
    "lessons_learned": [
        claim("Connection pool size is a production-critical setting that a routine deploy can change.", "T1", "T6"),
    ],
}

GOOD_ANALYSIS: dict[str, Any] = {
    "contributing_factors": [
        {
            "statement": "Deploy #847 reduced the DB connection pool from 40 to 20 connections.",
            "evidence": ["T1", "C11"],
            "confidence": "high",
            "disputed": False,
        },
        {
            "statement": "Requests waited up to 30 s for a pool connection and the waits surfaced as 500 errors.",
            "evidence": ["T5", "C7"],
            "confidence": "medium",
            "disputed": False,
        },
        {
            "statement": "The DB primary was considered as a cause; the chat reports flat CPU and no replica lag.",
            "evidence": ["C9", "C10"],
            "confidence": "low",
            "disputed": True,
        },
    ],
    "five_whys": [
        {
            "question": "Why were customers affected?",
            "answer": claim("checkout-api returned 5xx errors from 11:58 UTC.", "T2"),
        },
        {
            "question": "Why did that happen?",
            "answer": claim("The DB connection pool was pinned at 20/20 with requests waiting up to 30 s.", "T5"),
        },
        {
            "question": "Why was the pool saturated?",
            "answer": claim("Deploy #847 changed db.pool.max_connections from 40 to 20.", "T1"),
        },
        {
            "question": "Why did existing safeguards not stop it?",
            "answer": claim("No check flags changes to db.pool settings before production.", "C21"),
        },
        {"question": "Why does the system allow this condition?", "answer": NOT_ESTABLISHED},
    ],
    "action_items": [
        {
            "action": "Add a CI check that flags changes to db.pool settings",
            "owner": "Marco",
            "due": "2024-05-31",
            "priority": "P2",
            "type": "preventive",
            "evidence": ["C21"],
        },
        {
            "action": "Alert on connection pool saturation above 90% for 5 minutes",
            "owner": "Dana",
            "due": None,
            "priority": None,
            "type": "detective",
            "evidence": ["C21"],
        },
        {
            "action": "Add a canary stage for checkout-api so config changes reach 5% of traffic first",
            "owner": None,
            "due": None,
            "priority": None,
            "type": "preventive",
            "evidence": ["C22"],
        },
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
    "AKIACANARY0000000000",
    "sk_live_CANARYcanary0000",
    "CanaryPw99",
    "CanaryPass!77",
    "canarytokencanarytoken00",
    "ghp_CANARYcanaryCANARYcanaryCANARY0000",
    "oncall-lead@example.com",
]


# examples/search-cert-expiry (evidence T1-T12, C1-C27 after redaction; the CSV timeline keeps seconds, the
# model sees HH:MM). What an excellent model writes: durations counted from the HH:MM it sees (02:00 ->
# 02:04 is 4 minutes though the lock says 02:00:00 -> 02:04:30), a time with seconds copied whole, figures
# and dates as the chat states them.
SEARCH_NARRATIVE: dict[str, Any] = {
    "executive_summary": [
        claim(
            "The TLS certificate on search-gw.internal expired at 02:00:00 UTC and search-api began failing.",
            "T1",
            "C3",
        ),
        claim(
            "The search-api 5xx alert triggered at 02:04 UTC, 4 minutes after the expiry, and SEV-2 was declared at 02:15 UTC.",
            "T1",
            "T2",
            "T5",
        ),
        claim("About 38% of search requests failed and roughly 12,000 users saw errors.", "C11"),
        claim(
            "A manually issued certificate was rolled out at 02:40 UTC and the error rate was back to baseline at 02:47 UTC, 47 minutes after the expiry.",
            "T1",
            "T9",
            "T10",
        ),
    ],
    "impact": [
        claim("Search requests failed for 47 minutes, from 02:00 UTC to 02:47 UTC.", "T1", "T10"),
        claim("About 38% of search requests failed and roughly 12,000 users saw errors.", "C11"),
        claim("search-api returned 502s for most queries.", "C3"),
    ],
    "went_well": [
        claim("The PagerDuty alert triggered at 02:04 UTC and the page was acknowledged 2 minutes later.", "T2", "T3"),
        claim("Gateway logs showed the expired certificate at 02:11 UTC, 11 minutes after it expired.", "T1", "T4"),
        claim(
            "The OL, Comms and Scribe roles were assigned in the channel right after the declaration.", "C7", "C8", "C9"
        ),
        claim("The status page was updated at 02:18 UTC.", "T6"),
        claim(
            "At 02:31 UTC the IC chose to issue a certificate manually instead of waiting on the renewal automation.",
            "T8",
            "C17",
        ),
    ],
    "went_wrong": [
        claim(
            "The certificate was not renewed: the gateway had recorded no Certificate events since February.",
            "T1",
            "C13",
        ),
        claim("The renewal CronJob's last schedule time was 2024-02-10.", "C14"),
        claim("Nothing warned before the expiry; the first alert came 4 minutes after it.", "T1", "T2"),
        claim(
            "Issuing and rolling out the manual certificate took 9 minutes, from 02:31 UTC to 02:40 UTC.", "T8", "T9"
        ),
        claim(
            "Responders disagreed whether a failed DNS-01 challenge or a renewal job that never ran explained the missed renewal.",
            "C12",
            "C13",
        ),
    ],
    "lessons_learned": [
        claim(
            "Certificate expiry needs a warning well before it happens; the team proposed alerting 14 days ahead.",
            "C24",
        ),
        claim("A renewal job that stops running does not page anyone today.", "C25"),
    ],
}

SEARCH_ANALYSIS: dict[str, Any] = {
    "contributing_factors": [
        {
            "statement": "The TLS certificate on search-gw.internal expired without being renewed by cert-manager.",
            "evidence": ["T1", "T7"],
            "confidence": "high",
            "disputed": False,
        },
        {
            "statement": "The renewal job had not run since February: no Certificate events on the gateway.",
            "evidence": ["C13", "C14"],
            "confidence": "medium",
            "disputed": True,
        },
        {
            "statement": "The ACME DNS-01 challenge may have failed to update the zone.",
            "evidence": ["C12", "C13"],
            "confidence": "low",
            "disputed": True,
        },
        {
            "statement": "No alert warned of the approaching certificate expiry.",
            "evidence": ["T12", "C24"],
            "confidence": "medium",
            "disputed": False,
        },
    ],
    "five_whys": [
        {
            "question": "Why were customers affected?",
            "answer": claim("TLS handshakes to search-gw.internal failed, so search-api returned errors.", "T4", "C4"),
        },
        {
            "question": "Why did the handshakes fail?",
            "answer": claim("The gateway certificate expired at 02:00 UTC.", "T1"),
        },
        {"question": "Why had it expired?", "answer": claim("cert-manager did not renew the certificate.", "T7")},
        {
            "question": "Why did the safeguards not catch it?",
            "answer": claim("The renewal job had not run since February, and its failure pages no one.", "C13", "C25"),
        },
        {
            "question": "Why does the system allow this condition?",
            "answer": claim(
                "No alert watches certificate expiry; one for certificates expiring within 14 days is proposed.", "T12"
            ),
        },
    ],
    "action_items": [
        {
            "action": "Alert on certificates expiring within 14 days",
            "owner": "Omar",
            "due": "2024-03-29",
            "priority": None,
            "type": "detective",
            "evidence": ["C24"],
        },
        {
            "action": "Make a renewal job failure page someone",
            "owner": None,
            "due": None,
            "priority": None,
            "type": "detective",
            "evidence": ["C25"],
        },
        {
            "action": "Add a synthetic check on the gateway TLS handshake",
            "owner": None,
            "due": None,
            "priority": None,
            "type": "detective",
            "evidence": ["C26"],
        },
        {
            "action": "Document manual certificate issuance in the runbook",
            "owner": None,
            "due": None,
            "priority": None,
            "type": "corrective",
            "evidence": ["C27"],
        },
    ],
}


def with_invented_citations(narrative: dict[str, Any], sections: tuple[str, ...]) -> dict[str, Any]:
    """The reply with every claim in `sections` citing IDs 100 past the real ones (T1 -> T101)."""
    shifted = {name: list(claims) for name, claims in narrative.items()}
    for name in sections:
        shifted[name] = [
            {**item, "evidence": [f"{e[0]}{int(e[1:]) + 100}" for e in item["evidence"]]} for item in narrative[name]
        ]
    return shifted
