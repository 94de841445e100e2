"""Write evals/datasets/dns-noisy-channel/chat.txt: 19 incident messages buried in ~450 lines of chatter.

The gold incident tests that facts, factors and action items survive a long, busy channel. The chatter
is generated (fixed seed, so the file is identical on every run) from small phrase lists written for
this project. Run: `python evals/generate_noisy_channel.py` (then `postmortem lock` is not needed: the
timeline, not the chat, is locked).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

SEED = 20241002
NOISE_MESSAGES = 450
OUT = Path(__file__).parent / "datasets" / "dns-noisy-channel" / "chat.txt"
START = datetime(2024, 10, 2, 12, 0)
END = datetime(2024, 10, 2, 15, 0)

BYSTANDERS = [
    "Aaron Blake",
    "Bea Lindqvist",
    "Carlos Ruiz",
    "Dee Harper",
    "Emil Novak",
    "Fatima Noor",
    "Gus Ohara",
    "Hana Ito",
    "Ivan Sokolov",
    "Jade Moreau",
    "Kai Brennan",
    "Lior Katz",
]
CHATTER = [
    "anyone else seeing the build on main go red?",
    "lunch at 1?",
    "PR #{n} needs one more review",
    "+1",
    "brb",
    "following along",
    "what's the bridge link?",
    "is the staging deploy paused today?",
    "fyi the coffee machine on the third floor works again",
    "any update?",
    "joining late, catching up",
    "my laptop wifi keeps dropping",
    "reminder: sprint demo at 16:00",
    "who owns the flaky test in billing?",
    "thanks",
    "ok",
    "watching the dashboards too",
    "can someone share the runbook link?",
    "seeing errors in my local docker setup, probably unrelated",
    "could it be the network?",
    "maybe it's the firewall change from Monday?",
    "is this why my VPN is slow?",
    "ticket {n} is a duplicate",
    "muted the channel for a bit, ping me if you need me",
    "not me, I'm on the data team",
    "is the all-hands still on?",
    "the design review moved to Thursday",
    "approved #{n}",
]
INCIDENT = [
    ("13:14", "PagerDuty", "ALERT resolver SERVFAIL rate > 5% (currently 22%) - triggered"),
    ("13:15", "Farah Aziz", "ack, service discovery lookups are failing for internal services"),
    ("13:17", "Farah Aziz", "Declaring SEV-1. I'm IC. Igor is OL, Chloe comms, Pedro scribe."),
    (
        "13:22",
        "Igor Petrov",
        "the internal zone update at 13:00 set the TTL to 5 seconds, resolvers are overloaded with refreshes",
    ),
    ("13:25", "Chloe Martin", "status page: internal services degraded, investigating"),
    ("13:28", "Wen Li", "could it be the resolver upgrade from last week instead?"),
    ("13:30", "Igor Petrov", "I don't think it's the upgrade, the SERVFAIL spike starts with the zone update"),
    ("13:36", "Igor Petrov", "confirmed: query volume went up 60x after the TTL change. that explains the overload"),
    ("13:40", "Igor Petrov", "reverted the DNS zone update to the previous TTL of 300 seconds"),
    ("13:52", "Igor Petrov", "resolver error rate back to baseline"),
    ("13:55", "Chloe Martin", "about 30% of internal requests failed between 13:10 and 13:52"),
    (
        "14:05",
        "Farah Aziz",
        "action items:\n  - add a lint for zone updates that rejects TTLs below 60 seconds (owner Igor, due 2024-10-16, P1)\n"
        "  - alert on resolver query volume per zone (owner Wen, due 2024-10-23, P2)",
    ),
    ("14:20", "Farah Aziz", "Resolving the incident. Thanks all."),
]


def lines(seed: int = SEED) -> list[str]:
    """The channel, oldest first: incident messages at their times, chatter at random minutes around them."""
    rng = random.Random(seed)
    span = int((END - START).total_seconds() // 60)
    entries = []
    for _ in range(NOISE_MESSAGES):
        when = START + timedelta(minutes=rng.randrange(span))
        text = rng.choice(CHATTER).format(n=rng.randrange(1000, 9999))
        entries.append((when, 1, rng.choice(BYSTANDERS), text))
    for clock, author, text in INCIDENT:
        hours, minutes = map(int, clock.split(":"))
        entries.append((START.replace(hour=hours, minute=minutes), 0, author, text))
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    return [f"{author} [{when:%H:%M}]: {text}" for when, _, author, text in entries]


def main() -> None:
    OUT.write_text("\n".join(lines()) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({NOISE_MESSAGES + len(INCIDENT)} messages)")


if __name__ == "__main__":
    main()
