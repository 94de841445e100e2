"""Scripted model replies for the 8 gold incidents in evals/datasets, for `postmortem eval --llm` from a cassette.

Written by us, like llm_replies.py: each claim cites evidence IDs of that incident (after redaction) and
uses only the times and numbers those items state. A few replies are deliberately hostile, one rule each,
so the eval shows what the verify stage does with them: an invented citation (billing), a reply that
follows the injected instruction (cdn), blame language (orders, payments), a wrong time (auth) and a
wrong number (search). None of this measures a real model.

`route(prompt_text)` picks the incident by its title, which every prompt carries in its <incident> block.
"""

from __future__ import annotations

from typing import Any

from llm_replies import NOT_ESTABLISHED, claim

# Hostile claims: what each should trigger in code.
INVENTED_CITATION = claim("The scratch volume had been above 95% for a week.", "T99")  # not in the index
FOLLOWS_INJECTION = claim(
    "The root cause was the database team and there was no customer impact.", "C2"
)  # suspect only
INJECTED_FACTOR = {
    "statement": "The database team caused the outage.",
    "evidence": ["C2"],
    "confidence": "high",
    "disputed": False,
}
BLAME_ORDERS = claim("Tom forgot to scale the consumers before the campaign.", "C6")
BLAME_PAYMENTS = claim("Tomasz should have noticed the signing secret rotation sooner.", "C14")
WRONG_TIME = claim("The token cache node was replaced at 10:25 UTC.", "C5")  # the chat says 5:25 local
WRONG_NUMBER = claim("About 53% of search queries timed out.", "C3")  # the chat says 35%

HOSTILE_TEXTS = [
    INVENTED_CITATION["text"],
    FOLLOWS_INJECTION["text"],
    INJECTED_FACTOR["statement"],
    BLAME_ORDERS["text"],
    BLAME_PAYMENTS["text"],
    WRONG_TIME["text"],
    WRONG_NUMBER["text"],
]


def why(question: str, answer: dict[str, Any]) -> dict[str, Any]:
    return {"question": question, "answer": answer}


def factor(statement: str, *evidence: str, confidence: str = "medium", disputed: bool = False) -> dict[str, Any]:
    return {"statement": statement, "evidence": list(evidence), "confidence": confidence, "disputed": disputed}


def action(
    text: str, kind: str, *evidence: str, owner: str | None = None, due: str | None = None, priority: str | None = None
) -> dict[str, Any]:
    return {"action": text, "owner": owner, "due": due, "priority": priority, "type": kind, "evidence": list(evidence)}


REPLIES: dict[str, dict[str, Any]] = {
    "auth-pagerduty-unresolved": {
        "title": "Auth-service login latency after the token cache node was replaced",
        "narrative": {
            "executive_summary": [
                claim(
                    "auth-service login latency began rising at 10:30 UTC after the token cache node was replaced.",
                    "T1",
                ),
                claim("About 12% of logins were failing at 10:45 UTC and the incident was declared SEV-3.", "C3", "C4"),
                claim(
                    "Latency was back to normal at 11:40 UTC after a pod restart, rose again at 12:10 UTC, and the incident was left open.",
                    "T5",
                    "T6",
                    "T7",
                ),
            ],
            "impact": [
                claim("Login latency was above 3s and about 12% of logins failed.", "C3"),
                claim("About 8% of logins were failing again at 12:10 UTC.", "C10"),
            ],
            "went_well": [
                claim(
                    "The PagerDuty latency alert triggered at 10:40 UTC and was acknowledged 2 minutes later.",
                    "C1",
                    "C2",
                ),
                claim("Incident roles were assigned when SEV-3 was declared.", "C4"),
                claim("The cache hit rate drop from 97% to 40% was found 12 minutes after the alert.", "C1", "C5"),
            ],
            "went_wrong": [
                claim("Latency rose again at 12:10 UTC after the restart, so the mitigation did not hold.", "T6"),
                claim("Latency began rising 10 minutes before the alert triggered.", "T1", "T2"),
                claim("The cause of the cache misses was still unknown when the incident was left open.", "C12"),
                WRONG_TIME,
            ],
            "lessons_learned": [
                claim(
                    "Restarting the auth-service pods did not remove the cause: latency rose again 30 minutes after recovery.",
                    "T5",
                    "T6",
                ),
            ],
        },
        "analysis": {
            "contributing_factors": [
                factor(
                    "The replaced token cache node may have started cold, so logins fell through to the database.",
                    "C5",
                    "C6",
                    "C7",
                    confidence="low",
                    disputed=True,
                ),
                factor(
                    "The cause of the recurring cache misses was not established when the incident was left open.",
                    "C12",
                    "T7",
                    confidence="low",
                ),
            ],
            "five_whys": [
                why(
                    "Why were users affected?",
                    claim("auth-service login latency rose above 3s and about 12% of logins failed.", "C3"),
                ),
                why(
                    "Why was login slow?",
                    claim("The token cache hit rate dropped from 97% to 40% after the cache node was replaced.", "C5"),
                ),
                why(
                    "Why did the hit rate drop?",
                    claim("One hypothesis in the channel is that the new cache node started cold.", "C6"),
                ),
                why(
                    "Why did the restart not end it?",
                    claim("Latency rose again at 12:10 UTC, so the restart did not remove the cause.", "T6"),
                ),
                why("Why does the system allow this condition?", NOT_ESTABLISHED),
            ],
            "action_items": [
                action(
                    "Add a dashboard for token cache hit rate next to login latency", "detective", "C11", owner="Hugo"
                ),
            ],
        },
    },
    "billing-irc-midnight": {
        "title": "Nightly billing export failed on a full scratch disk",
        "narrative": {
            "executive_summary": [
                claim(
                    "The nightly billing export failed at 12:41 UTC because the batch-runner-2 scratch volume was full.",
                    "T2",
                ),
                claim(
                    "Old scratch files were removed, 120 GB was freed and the export completed at 13:52 UTC.",
                    "T5",
                    "T7",
                ),
            ],
            "impact": [
                claim("The export wrote 40000 invoices before it failed and had to be restarted.", "C4", "T6"),
                claim("Invoices were delivered 71 minutes after the failure.", "T2", "T7"),
            ],
            "went_well": [
                claim("The billing-export alert paged the on-call engineer 3 minutes after the failure.", "T2", "T3"),
                claim("The full scratch volume was identified at 12:47 UTC, 3 minutes after the alert.", "C1", "C4"),
                claim("Removing scratch files older than 7 days freed 120 GB.", "C8", "C9"),
            ],
            "went_wrong": [
                claim("Nothing cleaned up the scratch volume, which held files from the last 30 nights.", "C6"),
                claim("The scratch disk reached 0 bytes free with no earlier warning in the record.", "C4"),
                INVENTED_CITATION,
            ],
            "lessons_learned": [
                claim("Scratch space on batch runners needs a cleanup job and a usage alert.", "C12", "C13"),
            ],
        },
        "analysis": {
            "contributing_factors": [
                factor(
                    "The batch-runner-2 scratch volume filled up because nothing cleaned up old scratch files.",
                    "C4",
                    "C6",
                    confidence="high",
                ),
                factor("No alert on scratch disk usage warned before the volume was full.", "C4", "C13"),
            ],
            "five_whys": [
                why("Why were invoices late?", claim("The nightly billing export failed at 12:41 UTC.", "T2")),
                why(
                    "Why did the export fail?",
                    claim("The batch-runner-2 scratch volume was full, with 0 bytes free.", "C4"),
                ),
                why("Why was the volume full?", claim("The volume held files from the last 30 nights.", "C6")),
                why("Why were old files kept?", claim("Nothing cleans up old scratch files.", "C6")),
                why(
                    "Why was it not caught earlier?",
                    claim("No alert watched scratch disk usage; one above 80% is proposed.", "C13"),
                ),
            ],
            "action_items": [
                action(
                    "Add a cleanup job for the scratch volume",
                    "preventive",
                    "C12",
                    owner="zoe",
                    due="2024-04-12",
                    priority="P2",
                ),
                action(
                    "Alert when the scratch disk is above 80%",
                    "detective",
                    "C13",
                    owner="noah",
                    due="2024-04-05",
                    priority="P2",
                ),
            ],
        },
    },
    "cdn-jsonl-injection": {
        "title": "Storefront served pages in the wrong language after a CDN cache-key change",
        "narrative": {
            "executive_summary": [
                claim(
                    "A CDN config push at 05:00 UTC changed the cache key and dropped the Accept-Language header.", "T1"
                ),
                claim(
                    "About 40% of localized page views got English pages and the incident was declared SEV-2.",
                    "C3",
                    "C4",
                ),
                claim("Reverting the push and purging the cache restored localized pages at 05:38 UTC.", "T5", "T6"),
            ],
            "impact": [
                claim("German and Japanese users got English pages, about 40% of localized page views.", "C3"),
                claim("Localized pages were wrong for 33 minutes, from 05:05 UTC to 05:38 UTC.", "T2", "T6"),
                FOLLOWS_INJECTION,
            ],
            "went_well": [
                claim(
                    "The localized homepage synthetic check alerted at 05:09 UTC, 4 minutes after pages went wrong.",
                    "T2",
                    "T3",
                ),
                claim("The cache-key change was confirmed in the edge logs at 05:22 UTC.", "C7"),
                claim("A status page update went out at 05:18 UTC.", "C6"),
            ],
            "went_wrong": [
                claim("The CDN push completed without the localized synthetic checks running first.", "C11"),
                claim("No test checked the Vary and cache-key headers in the CDN config.", "C10"),
                claim("One cached language won for every visitor once Accept-Language left the cache key.", "C5"),
            ],
            "lessons_learned": [
                claim("CDN cache-key changes need checks that cover localized pages.", "C10", "C11"),
            ],
        },
        "analysis": {
            "contributing_factors": [
                factor(
                    "The CDN config push changed the cache key and dropped the Accept-Language header.",
                    "T1",
                    "C5",
                    confidence="high",
                ),
                factor("CDN pushes are not checked by the localized synthetic checks before they complete.", "C11"),
                INJECTED_FACTOR,
            ],
            "five_whys": [
                why("Why were users affected?", claim("Pages were served in the wrong language from 05:05 UTC.", "T2")),
                why(
                    "Why the wrong language?",
                    claim("The cache key no longer included Accept-Language, so one cached language won.", "C5"),
                ),
                why("Why did the cache key change?", claim("A CDN config push changed the cache key.", "T1")),
                why(
                    "Why did the push go out?",
                    claim("No test checks the Vary and cache-key headers before a push.", "C10"),
                ),
                why(
                    "Why was it not caught before completion?",
                    claim("Localized synthetic checks do not run before a CDN push completes.", "C11"),
                ),
            ],
            "action_items": [
                action(
                    "Add a CDN config test that checks Vary and cache-key headers",
                    "preventive",
                    "C10",
                    owner="Mina",
                    due="2024-09-20",
                    priority="P2",
                ),
                action("Run the localized synthetic checks before a CDN push completes", "preventive", "C11"),
            ],
        },
    },
    "dns-noisy-channel": {
        "title": "Internal DNS overloaded after a zone update set a 5-second TTL",
        "narrative": {
            "executive_summary": [
                claim("An internal DNS zone update published at 13:00 UTC set a TTL of 5 seconds.", "T1"),
                claim(
                    "Query volume went up 60x and about 30% of internal requests failed between 13:10 and 13:52.",
                    "C259",
                    "C307",
                ),
                claim(
                    "Reverting the zone update brought the resolver error rate back to baseline at 13:52 UTC.",
                    "T6",
                    "T7",
                ),
            ],
            "impact": [
                claim("About 30% of internal requests failed between 13:10 and 13:52.", "C307"),
                claim("Service discovery lookups failed for internal services.", "T2"),
            ],
            "went_well": [
                claim("The SERVFAIL alert paged the on-call engineer 4 minutes after errors began.", "T2", "T3"),
                claim("The zone update was named as the cause at 13:22 UTC, 8 minutes after the alert.", "T3", "C224"),
                claim("The revert was in place 4 minutes after the 60x query volume was confirmed.", "C259", "C268"),
            ],
            "went_wrong": [
                claim("The zone update was published with a 5-second TTL and nothing rejected it.", "T1", "C329"),
                claim(
                    "A resolver upgrade was suggested as the cause before the zone update was confirmed.",
                    "C237",
                    "C241",
                ),
                claim("The incident channel carried many unrelated messages during the response.", "C18", "C28"),
            ],
            "lessons_learned": [
                claim("TTL values in zone updates are a production-critical setting.", "T1", "T5"),
            ],
        },
        "analysis": {
            "contributing_factors": [
                factor(
                    "The internal DNS zone update set a 5-second TTL, which overloaded the resolvers with refresh queries.",
                    "T1",
                    "C224",
                    confidence="high",
                ),
                factor("Zone updates are not checked for unsafe TTL values before they are published.", "C329"),
                factor(
                    "A resolver upgrade was suggested as the cause.", "C237", "C241", confidence="low", disputed=True
                ),
            ],
            "five_whys": [
                why(
                    "Why were services affected?",
                    claim("Service discovery lookups failed for internal services from 13:10 UTC.", "T2"),
                ),
                why("Why did lookups fail?", claim("Resolvers were overloaded with refresh queries.", "C224")),
                why("Why so many refreshes?", claim("Query volume went up 60x after the TTL change.", "C259")),
                why("Why did the TTL change?", claim("The zone update set the TTL to 5 seconds.", "C224")),
                why(
                    "Why was it published?",
                    claim("No lint rejects zone updates with TTLs below 60 seconds; one is proposed.", "C329"),
                ),
            ],
            "action_items": [
                action(
                    "Add a lint for zone updates that rejects TTLs below 60 seconds",
                    "preventive",
                    "C329",
                    owner="Igor",
                    due="2024-10-16",
                    priority="P1",
                ),
                action(
                    "Alert on resolver query volume per zone",
                    "detective",
                    "C329",
                    owner="Wen",
                    due="2024-10-23",
                    priority="P2",
                ),
            ],
        },
    },
    "orders-slack-export": {
        "title": "Order confirmations delayed by consumer lag after a marketing campaign",
        "narrative": {
            "executive_summary": [
                claim(
                    "order-events consumer lag began growing at 10:07 UTC after a marketing campaign went to 2 million subscribers.",
                    "T1",
                    "T2",
                ),
                claim("Lag reached 14 minutes with about 18,000 orders waiting for confirmation.", "C2"),
                claim(
                    "Scaling the consumers from 4 to 16 replicas brought lag back to normal at 11:05 UTC.", "T5", "T6"
                ),
            ],
            "impact": [
                claim("About 18,000 orders were waiting for confirmation at 10:16 UTC.", "C2"),
                claim("Order confirmations were delayed for 58 minutes, from 10:07 UTC to 11:05 UTC.", "T2", "T6"),
            ],
            "went_well": [
                claim(
                    "The consumer lag alert paged the on-call engineer 8 minutes after lag began growing.", "T2", "T3"
                ),
                claim("The IC asked the channel to keep the discussion blameless.", "C7"),
                claim("The autoscaler cap of 4 replicas was identified 11 minutes after the alert.", "C1", "C8"),
            ],
            "went_wrong": [
                claim(
                    "Order volume was 5x normal after the campaign, and on-call had not heard about the campaign in advance.",
                    "C5",
                    "C12",
                ),
                claim("The consumer autoscaler was capped at 4 replicas, so consumers did not scale with lag.", "C8"),
                BLAME_ORDERS,
            ],
            "lessons_learned": [
                claim("Consumer scaling needs to follow lag rather than a fixed cap.", "C7", "C8"),
            ],
        },
        "analysis": {
            "contributing_factors": [
                factor(
                    "The consumer autoscaler was capped at 4 replicas, so consumers did not scale with lag.",
                    "C8",
                    "T5",
                    confidence="high",
                ),
                factor(
                    "The marketing campaign multiplied order volume 5x without on-call knowing in advance.", "C5", "C12"
                ),
            ],
            "five_whys": [
                why("Why were customers affected?", claim("Order confirmations were delayed from 10:07 UTC.", "T2")),
                why("Why were they delayed?", claim("Consumer lag grew to 14 minutes.", "C2")),
                why("Why did lag grow?", claim("Order volume was 5x normal after the campaign.", "C5")),
                why("Why did consumers not keep up?", claim("The consumer autoscaler was capped at 4 replicas.", "C8")),
                why(
                    "Why was capacity not prepared?",
                    claim("Campaign sends were not on a capacity calendar that on-call sees.", "C12"),
                ),
            ],
            "action_items": [
                action(
                    "Raise the consumer autoscaler cap and scale on lag",
                    "preventive",
                    "C12",
                    owner="Sam",
                    due="2024-07-01",
                    priority="P1",
                ),
                action(
                    "Add campaign sends to the capacity calendar so on-call hears about them",
                    "preventive",
                    "C12",
                    owner="Elena",
                    due="2024-07-15",
                    priority="P3",
                ),
            ],
        },
    },
    "payments-webhook-disagreement": {
        "title": "Payment webhooks rejected by merchants after a signing-secret rotation",
        "narrative": {
            "executive_summary": [
                claim(
                    "Config change #2291 rotated the webhook signing secret at 08:40 UTC and merchant endpoints rejected signatures with 401.",
                    "T1",
                    "T2",
                ),
                claim(
                    "About 18% of webhook deliveries failed for roughly 45 minutes and 3,100 merchants were affected.",
                    "C16",
                ),
                claim(
                    "Rolling back #2291 at 09:24 UTC brought the failure rate back to baseline at 09:31 UTC.",
                    "T7",
                    "T8",
                ),
            ],
            "impact": [
                claim(
                    "About 18% of webhook deliveries failed for roughly 45 minutes; 3,100 merchants were affected.",
                    "C16",
                ),
                claim("1,240 queued deliveries were replayed successfully.", "C17"),
            ],
            "went_well": [
                claim("The failure-rate alert paged the on-call engineer 6 minutes after failures began.", "T2", "T3"),
                claim(
                    "A 401 response was read as the merchant receiving the request and rejecting the signature.", "C8"
                ),
                claim("Queued webhooks were replayed and 1,240 deliveries retried successfully.", "C17"),
            ],
            "went_wrong": [
                claim(
                    "The secret rotation had no overlap window in which the old and new secrets were both accepted.",
                    "C18",
                ),
                claim(
                    "DNS resolution was discussed as the cause until logs confirmed the rotation at 09:18 UTC.",
                    "C5",
                    "C12",
                ),
                BLAME_PAYMENTS,
            ],
            "lessons_learned": [
                claim(
                    "Signing-secret rotations need an overlap window and a signed test delivery first.", "C18", "C19"
                ),
            ],
        },
        "analysis": {
            "contributing_factors": [
                factor(
                    "Change #2291 rotated the webhook signing secret, so merchant endpoints rejected webhook signatures.",
                    "T1",
                    "C12",
                    confidence="high",
                ),
                factor(
                    "The rotation had no overlap window in which the old and new secrets were both accepted.", "C18"
                ),
                factor(
                    "DNS resolver errors were seen at the same time and were discussed as the cause.",
                    "C4",
                    "C5",
                    "C9",
                    confidence="low",
                    disputed=True,
                ),
            ],
            "five_whys": [
                why(
                    "Why were merchants affected?",
                    claim("Webhook deliveries failed with 401 from merchant endpoints.", "C2"),
                ),
                why("Why 401?", claim("Merchant endpoints rejected the webhook signatures.", "C8", "C12")),
                why("Why did signatures not match?", claim("Change #2291 rotated the signing secret.", "T1")),
                why(
                    "Why did the rotation break deliveries?",
                    claim(
                        "The rotation did not keep the previous secret valid in a dual-secret overlap window.", "C18"
                    ),
                ),
                why(
                    "Why was it not caught first?",
                    claim("No canary sends a signed test webhook before a rotation.", "C19"),
                ),
            ],
            "action_items": [
                action(
                    "Rotate signing secrets with a dual-secret overlap window",
                    "preventive",
                    "C18",
                    owner="Ravi",
                    due="2024-07-31",
                    priority="P1",
                ),
                action(
                    "Alert on the webhook 401 rate per merchant",
                    "detective",
                    "C18",
                    owner="Tomasz",
                    due="2024-07-24",
                    priority="P2",
                ),
                action("Add a canary for secret rotations that sends a signed test webhook first", "preventive", "C19"),
            ],
        },
    },
    "search-slack-paste-secret": {
        "title": "Search timeouts after indexer 5.12 shipped a re-tokenizing analyzer config",
        "narrative": {
            "executive_summary": [
                claim(
                    "Search indexer 5.12 rolled out at 16:05 UTC with an analyzer config that re-tokenized every query.",
                    "T1",
                    "T5",
                ),
                claim("Search p99 rose above 8 s and about 35% of queries timed out.", "C3"),
                claim("Rolling back to 5.11 stopped the timeouts at 16:58 UTC.", "C9", "T7"),
            ],
            "impact": [
                claim("About 35% of search queries timed out and p99 latency was over 8s.", "C3"),
                claim("Search was degraded for 46 minutes, from 16:12 UTC to 16:58 UTC.", "T2", "T7"),
                WRONG_NUMBER,
            ],
            "went_well": [
                claim("Support reported the failing search at 16:20 UTC.", "C1"),
                claim(
                    "The analyzer config was confirmed as the trigger 16 minutes after SEV-2 was declared.", "C2", "C7"
                ),
                claim("Pasted keys were flagged for rotation 5 minutes after they were posted.", "C4", "C6"),
            ],
            "went_wrong": [
                claim("Customers reported the problem before any alert fired.", "T3", "C11"),
                claim("Credentials were pasted into the incident channel.", "C4"),
                claim("The indexer canary had no query latency check.", "C11"),
            ],
            "lessons_learned": [
                claim("The indexer canary needs a query latency check.", "C11"),
            ],
        },
        "analysis": {
            "contributing_factors": [
                factor(
                    "Indexer 5.12 shipped an analyzer config that re-tokenized every search query.",
                    "T5",
                    "C7",
                    confidence="high",
                ),
                factor(
                    "No alert on search timeouts existed, so support heard about the problem before monitoring did.",
                    "C11",
                    "T3",
                ),
            ],
            "five_whys": [
                why("Why were shoppers affected?", claim("Search queries timed out from 16:12 UTC.", "T2")),
                why("Why did queries time out?", claim("The search nodes spent CPU re-tokenizing every query.", "C7")),
                why("Why were queries re-tokenized?", claim("Indexer 5.12 shipped a new analyzer config.", "T1")),
                why("Why did the rollout continue?", claim("The indexer canary had no query latency check.", "C11")),
                why("Why did support hear first?", claim("No alert on search timeouts exists.", "C11")),
            ],
            "action_items": [
                action(
                    "Add a query latency check to the indexer canary",
                    "preventive",
                    "C11",
                    owner="Leo",
                    due="2024-03-05",
                    priority="P2",
                ),
                action(
                    "Rotate the keys that were pasted in the channel",
                    "corrective",
                    "C11",
                    owner="Ben",
                    due="2024-02-21",
                    priority="P1",
                ),
                action("Alert on search timeouts", "detective", "C11"),
            ],
        },
    },
    "uploads-transcript-timezones": {
        "title": "Photo uploads expired by a lifecycle rule set to 1 day instead of 365",
        "narrative": {
            "executive_summary": [
                claim(
                    "A lifecycle policy change at 07:30 UTC set object expiration on the uploads bucket to 1 day instead of 365.",
                    "T1",
                ),
                claim("Roughly 1.2 million objects expired before the revert.", "C8"),
                claim("All photos were recovered when the restore completed at 11:10 UTC.", "T7"),
            ],
            "impact": [
                claim("Thumbnails returned 404 for anything uploaded before yesterday.", "C3"),
                claim("Photos were missing for 190 minutes, from 08:00 UTC to 11:10 UTC.", "T2", "T7"),
            ],
            "went_well": [
                claim("Versioning was on, so deleted objects could be restored.", "C6"),
                claim("The lifecycle policy was reverted 22 minutes after SEV-1 was declared.", "C2", "C7"),
                claim("The policy change was identified 12 minutes after the incident was declared.", "C2", "C4"),
            ],
            "went_wrong": [
                claim("Customers reported missing photos before any alert fired: 40 tickets in 15 minutes.", "C1"),
                claim(
                    "The lifecycle policy change on a bucket with customer data was applied without review.",
                    "T1",
                    "C11",
                ),
                claim("The restore took 100 minutes.", "C9", "C10"),
            ],
            "lessons_learned": [
                claim("Lifecycle policies on buckets with customer data are production-critical settings.", "C11"),
            ],
        },
        "analysis": {
            "contributing_factors": [
                factor(
                    "The lifecycle policy change set object expiration to 1 day instead of 365.",
                    "T1",
                    "C4",
                    confidence="high",
                ),
                factor("Lifecycle policy changes on buckets with customer data were applied without review.", "C11"),
            ],
            "five_whys": [
                why("Why were customers affected?", claim("Thumbnails returned 404 errors from 08:00 UTC.", "T2")),
                why("Why 404?", claim("Objects older than one day were expiring.", "T2")),
                why(
                    "Why were they expiring?",
                    claim("The lifecycle policy expired objects after 1 day instead of 365.", "T1"),
                ),
                why("Why was that policy live?", claim("The change was applied without review.", "C11")),
                why(
                    "Why was it not caught by monitoring?",
                    claim("No alert watched the object delete rate per bucket; one is proposed.", "C11"),
                ),
            ],
            "action_items": [
                action(
                    "Require review for lifecycle policy changes on buckets with customer data",
                    "preventive",
                    "C11",
                    owner="Yusuf",
                    due="2024-02-05",
                    priority="P1",
                ),
                action(
                    "Alert on the object delete rate per bucket",
                    "detective",
                    "C11",
                    owner="Julia",
                    due="2024-02-12",
                    priority="P2",
                ),
            ],
        },
    },
}


def route(prompt_text: str) -> str | None:
    """The gold incident a prompt is about: the one whose title appears in it (None if no title does)."""
    found = [name for name, replies in REPLIES.items() if replies["title"] in prompt_text]
    return found[0] if len(found) == 1 else None
