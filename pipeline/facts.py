"""Deterministic facts from the evidence: severity, roles, key moments, mitigation steps, durations, impact.

Every fact carries the evidence IDs it was read from. The phrases this module looks for are data
(`pipeline/data/signals.yaml`); this module only decides which row or message wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.key_times import MEANINGS_WEIGHTS_FILE, WEIGHTS_FILE, rank_key_times
from pipeline.models import Fact, Facts, Incident
from pipeline.names import SELF_WORDS, People, fold

# A person token in a role statement: an @mention of a full name ("@Joris van Dijk", as the Slack reader writes
# mentions), else one word (a handle, "@rosa", "Lena") optionally followed by a capitalized surname.
PERSON_TOKEN = (
    r"(?:@(?-i:[A-Z])[\w'-]*(?:\s+(?:(?-i:[A-Z])[\w'-]*|van|von|de|da|der|del|al|el|di|du|dos|bin|le|la)){0,3}"
    r"|@?[A-Za-z][\w.'-]*(?:\s+(?-i:[A-Z])[\w'-]*)?)"
)
ROLE_CLAUSE_PATTERNS = (
    "role_assigned",
    "role_assigned_reverse",
    "role_parenthesized",
    "role_requested",
    "role_listed",
    "role_listed_reverse",
)
# A mitigation step in the locked timeline this soon before a recovery only the chat reports is when impact ended.
STEP_BEFORE_RECOVERY_MINUTES = 15
# A clock time a message states for its own moment ("mitigated at 09:38", "noted 1:05 mitigated", "9:34 PM").
STATED_CLOCK_RE = re.compile(r"(?<![\d:.])(\d{1,2}):(\d{2})(?![\d:])\s*([AaPp]\.?[Mm]\b)?")
STATED_CLOCK_MINUTES = 90
# A component's failure is the start of impact unless users are reported harmed this soon after it.
USER_FACING_WITHIN_MINUTES = 30
# Words beside that clock that make it the message's own moment.
STATED_MOMENT_RE = re.compile(r"mitigat|resolv|recover|closed|clear|normal|noted|fixed", re.IGNORECASE)
# The last resort reads only short clauses: a role assignment is a few words, a long clause is about something else.
ROLE_CLAUSE_MAX_WORDS = 12
# "Jiwon (hazel)" and "hazel (Jiwon Han)": a name and the chat handle it goes by
NAME_AND_HANDLE_RE = re.compile(
    r"(?<![\w@.'-])(?P<name>[A-Z][\w'-]+(?: [A-Z][\w'-]+)?)\s+\(@?(?P<handle>[\w.-]+)\)"
    r"|(?<![\w@.'-])@?(?P<handle2>[\w.-]+)\s+\((?P<name2>[A-Z][\w'-]+(?: [A-Z][\w'-]+)?)\)"
)
# A clause that is only a name: "Arif" in "Arif, take notes", "@Dewi" in "@Dewi: comms please".
VOCATIVE_RE = re.compile(r"\W*@?[A-Za-z][\w.'-]*(?:\s+(?-i:[A-Z])[\w'-]*)?\s*:?")
# A question that names its addressee last ("Can you drive ops, Dev?"): read as if the name came first.
TRAILING_VOCATIVE_RE = re.compile(
    r"^(?P<body>[^.!?\n]*\b(?:you|u)\b[^.!?\n]*?),\s*(?P<name>@?[A-Za-z][\w.'-]*)\s*(?P<end>[?!.]*)\s*$"
)
# Words that open a question or a request and are also someone's first name somewhere ("Can", "Will", "May"):
# capitalized at the start of "Can you drive ops?", they name nobody.
QUESTION_OPENERS = frozenset("can could would will shall should may might must do does did are is".split())
# A question mark stays with its clause: "tuuli, scribe?" asks the last person named to take the role. A spaced slash
# or bar separates clauses ("IC lchang / OL mofarah"); "go ahead and take IC" is one clause.
CLAUSE_SPLIT_RE = re.compile(r"[.;!]+(?=\s|$)|(?<=\?)(?=\s)|\n|,|\s+[/|]\s+|(?<!ahead)\s+(?:and|&|whilst|while)\s+")


@dataclass(frozen=True)
class Evidence:
    """One timeline row or chat message, as the drafting engines see it."""

    id: str
    time: datetime | None
    text: str
    author: str | None = None
    kind: str = "timeline"
    suspect: bool = False

    @property
    def is_timeline(self) -> bool:
        return self.id.startswith("T")


def signals() -> dict[str, Any]:
    """signals.yaml (and the team's file from postmortem.toml) compiled: strings become case-insensitive
    regexes, maps of strings likewise; `role_names` maps each role to the regex of its words."""
    from pipeline.settings import data_files

    return _compiled_signals(data_files().signals)


@lru_cache(maxsize=4)
def _raw_signals(extra: tuple[Path, ...]) -> dict[str, Any]:
    from pipeline.datafiles import load_signals

    return load_signals(extra)


@lru_cache(maxsize=4)
def _compiled_signals(extra: tuple[Path, ...]) -> dict[str, Any]:
    from pipeline.datafiles import NAME_PLACEHOLDER, ROLE_PLACEHOLDER, words_pattern

    raw = _raw_signals(extra)
    any_role = words_pattern([word for words in raw["roles"].values() for word in words])

    def compile_value(value: Any) -> Any:
        if isinstance(value, str):
            pattern = value.replace(ROLE_PLACEHOLDER, any_role).replace(NAME_PLACEHOLDER, PERSON_TOKEN)
            return re.compile(pattern, re.IGNORECASE)
        if isinstance(value, dict):
            return {key: compile_value(item) for key, item in value.items()}
        return value

    words = ("nicknames", "secret_kinds", "secret_schemes")  # maps of words, not of patterns
    compiled = {key: compile_value(value) for key, value in raw.items() if key not in ("roles", *words)}
    compiled.update({key: raw[key] for key in words})
    compiled["role_names"] = {
        role: re.compile(rf"\b(?:{words_pattern(words)})\b", re.IGNORECASE) for role, words in raw["roles"].items()
    }
    compiled["role_names_any"] = re.compile(rf"\b(?:{any_role})\b")  # case-sensitive: "IC", not "ic"
    return compiled


def person_role_words() -> str:
    """Every role word and person title as one alternation (for the blameless check's roster)."""
    from pipeline.datafiles import words_pattern
    from pipeline.settings import data_files

    raw = _raw_signals(data_files().signals)
    return words_pattern([word for words in raw["roles"].values() for word in words] + raw["person_titles"])


def evidence_items(incident: Incident) -> list[Evidence]:
    """Timeline rows then chat messages; joins and edits are not evidence of anything."""
    items = [Evidence(e.id, e.time, e.text) for e in incident.timeline.events]
    if incident.chat is not None:
        items += [
            Evidence(m.id, m.time, m.text, m.author, m.kind, m.suspect)
            for m in incident.chat.messages
            if m.kind != "join" and m.text.strip()
        ]
    return items


def is_bot(author: str | None, kind: str = "message") -> bool:
    """A tool posting in the channel (PagerDuty, Slackbot, any *bot, any Slack bot or APP message)."""
    return kind == "bot" or bool(author and signals()["bot_author"].search(author.strip()))


def is_question(item: Evidence) -> bool:
    """A chat message that only asks: never evidence that something happened."""
    if item.is_timeline:
        return False
    sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n", item.text.strip()) if s.strip()]
    return bool(sentences) and all(signals()["question_sentence"].search(s) for s in sentences)


def _by_time(items: list[Evidence]) -> list[Evidence]:
    """Timeline rows first at equal times: the locked timeline is the better citation."""
    return sorted(
        (item for item in items if item.time is not None),
        key=lambda item: (item.time, not item.is_timeline),
    )


def _row_fact(row: Evidence, name: str) -> Fact:
    """A key moment read from one row or message, citing it."""
    return Fact(name=name, value=row.text, time=row.time, evidence=[row.id])


def _first(
    items: list[Evidence],
    pattern: re.Pattern[str],
    name: str,
    after: datetime | None = None,
    *,
    statements_only: bool = False,
) -> Fact | None:
    for item in _by_time(items):
        if item.suspect or (after is not None and item.time < after) or (statements_only and is_question(item)):
            continue
        if pattern.search(item.text):
            return _row_fact(item, name)
    return None


def _impact_start(items: list[Evidence]) -> Fact | None:
    """The first row or message that states harm; the words of a setting it changes ("timeout raised from 2s to
    30s") are not harm, so the change that precedes the impact is not mistaken for it, and an alert is not harm:
    it fires after the harm began, at a time it does not state."""
    sig = signals()
    # a signal explained away when it came is a finding for the review, not the harm (nor an alert that ends the
    # search for a user-facing row below)
    ordered = [item for item in _by_time(items) if not item.suspect and not sig["dismissed"].search(item.text)]
    harm = [
        position
        for position, item in enumerate(ordered)
        if sig["impact_start"].search(sig["setting_change"].sub(" ", item.text))
        and not sig["detection"].search(item.text)
        and not sig["investigation"].search(item.text)
        and not _states_no_harm(item)
    ]
    if not harm:
        return None
    first = ordered[harm[0]]
    if not sig["impact_user_facing"].search(first.text) and not sig["impact_marked"].search(first.text):
        # "OSD host went down" at 12:02, "uploads started failing" at 12:07: users were harmed from the second, if
        # that is stated before an alert or a report found the problem.
        for later in ordered[harm[0] + 1 :]:
            if (
                later.time - first.time > timedelta(minutes=USER_FACING_WITHIN_MINUTES)
                or sig["detection"].search(later.text)
                or sig["detection_report"].search(later.text)
            ):
                break
            if sig["impact_user_facing"].search(later.text):
                first = later
                break
    return Fact(name="started", value=first.text, time=first.time, evidence=[first.id])


def _states_no_harm(row: Evidence) -> bool:
    """A row that cannot be the start whatever its words: a signal explained away when it came, a row that denies
    harm ("no failed transactions"), or a statement of the cause or of what someone found out (written when it was
    found, about earlier events)."""
    sig = signals()
    return any(sig[name].search(row.text) for name in ("dismissed", "harm_negated", "cause_label", "discovery"))


def _exposure(timeline: list[Evidence], detected: Fact) -> Fact | None:
    """The last row before detection where a run or launch exposed users to the change ("nightly evaluation ran",
    "presale opened"), when no row states the harm itself: the impact began with it. Not a deploy alone."""
    sig = signals()
    before = [
        row
        for row in _by_time(timeline)
        if detected.time and row.time < detected.time and not row.suspect and sig["exposure"].search(row.text)
    ]
    if not before:
        return None
    row = before[-1]
    return Fact(name="started", value=row.text, time=row.time, evidence=[row.id])


def _minutes(start: Fact | None, end: Fact | None) -> int | None:
    if start is None or end is None or start.time is None or end.time is None:
        return None
    return max(0, round((end.time - start.time).total_seconds() / 60))


def extract_severity(incident: Incident, items: list[Evidence]) -> Fact | None:
    """Severity as declared: the last declared level in the evidence, else incident.toml's."""
    found: Fact | None = None
    sig = signals()
    for item in _by_time(items):
        match = next(
            (
                level
                for level in sig["severity"].finditer(item.text)
                if not sig["severity_denied"].search(item.text[: level.start()])
            ),
            None,
        )
        if match and not item.suspect and sig["severity_declaration"].search(item.text):
            level = match.group(1) or match.group(2)
            value = f"SEV-{level}" if level.isdigit() else level.upper()
            found = Fact(name="severity", value=value, time=item.time, evidence=[item.id])
    declared = incident.meta.severity
    if declared and (found is None or _norm_sev(found.value) != _norm_sev(declared)):
        # incident.toml is the author's final word; the drafting stage asks the review about a mismatch.
        return Fact(name="severity", value=declared, evidence=[])
    return found


def _norm_sev(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


def incident_people(incident: Incident, items: list[Evidence]) -> People:
    """Everyone the incident names in full: incident.toml people, chat authors (Slack authors and mentions
    arrive as real names), then the timeline's authors. An app that only posts ("Kestrel SMS APP") is no person:
    its name in an action ("register the domain with Kestrel") names a vendor, not someone blamed."""
    names = [person.name for person in incident.meta.people] + incident.meta.authors
    humans = {item.author for item in items if item.author and item.kind != "bot"}
    names += [item.author for item in items if item.author in humans]
    handles = {handle: person.name for person in incident.meta.people for handle in person.handles}
    people = People.of(names, signals()["nicknames"], handles)
    stated = _handles_stated(items, people, humans)
    # a one-word author the roster resolves ("hanad" for Hana Dvorakova) is a handle the channel uses, so a row
    # naming it ("hanad took IC") names that person as plainly as a capitalized name does
    own = {author: name for author in humans if " " not in author.strip() and (name := people.resolve(author))}
    spelled = {fold(name) for name in people.full_names}  # "brunomattos" is Bruno Mattos run together: no handle
    extra = {
        handle: name
        for handle, name in (own | stated).items()
        if fold(handle) not in people.handles and fold(handle) not in spelled
    }
    return People.of(names, signals()["nicknames"], handles | extra) if extra else people


def _handles_stated(items: list[Evidence], people: People, authors: set[str]) -> dict[str, str]:
    """Chat handles the channel itself ties to a person ("Jiwon (hazel) is IC", "hazel (Jiwon Han)"): a chat author
    no name fits, written in brackets after (or before) a name that fits exactly one person."""
    unresolved = {fold(author): author for author in authors if people.resolve(author) is None}
    found: dict[str, str] = {}
    for item in items if unresolved else ():
        for match in NAME_AND_HANDLE_RE.finditer(item.text):
            handle, name = (match["handle"], match["name"]) if match["handle"] else (match["handle2"], match["name2"])
            if fold(handle) in unresolved and (full := people.resolve(name)) is not None:
                found.setdefault(unresolved[fold(handle)], full)
    return found


def extract_roles(incident: Incident, items: list[Evidence]) -> list[Fact]:
    """Roles as assigned: role statements in the timeline and chat, merged with incident.toml's people.

    Each statement is read clause by clause; a holder is kept only when it names a person (see
    `person_named`), and handles and first names become full names when exactly one person fits.
    incident.toml gives the full name; a matching statement in the evidence gives the citation.
    """
    sig = signals()
    people = incident_people(incident, items)
    stated: dict[tuple[str, str], list[str]] = {}
    latest: dict[str, str] = {}  # a role changes hands: the last statement names who holds it at the end
    for item in _by_time(items):
        if item.suspect or item.kind == "bot":
            continue
        for role_text, name, last_resort in role_statements(item, people):
            role = _normalize_role(role_text)
            if role is not None and not (last_resort and role in latest):  # the last resort only fills a gap
                stated.setdefault((role, name), [item.id])
                latest[role] = name
    stated = {(role, name): ids for (role, name), ids in stated.items() if _same_person(latest[role], name)}
    facts: list[Fact] = []
    declared = [(_normalize_role(r) or r, person.name) for person in incident.meta.people for r in person.roles]
    declared_roles = {role for role, _ in declared}
    for role, name in declared + sorted(stated, key=lambda key: -len(key[1])):
        if any(f.name == role and _same_person(f.value, name) for f in facts):
            continue
        if role in declared_roles and (role, name) not in declared:
            continue  # incident.toml names this role's holder: the chat's other spellings ("Bia") only cite it
        if people.resolve(name) is None and any(r == role and people.resolve(n) for r, n in stated):
            continue  # "Beatriz you are OL?" then Bia: "yes, OL": a handle no one fits is the named holder's
        evidence = sorted(
            {e for (r, n), ids in stated.items() if r == role and _same_person(name, n) for e in ids},
            key=lambda e: (e[0] != "T", int(e[1:])),
        )
        facts.append(Fact(name=role, value=name, evidence=evidence))
    order = list(sig["role_names"])
    return sorted(facts, key=lambda fact: (order.index(fact.name) if fact.name in order else 9, fact.value))


def role_statements(item: Evidence, people: People) -> list[tuple[str, str, bool]]:
    """(role words, full name, read by the last resort) for every role this row or message assigns."""
    sig = signals()
    if not any(pattern.search(item.text) for pattern in sig["role_names"].values()):
        return []
    if sig["role_message_elsewhere"].search(item.text):
        return []
    author = (people.resolve(item.author) or item.author) if item.author else None
    found: list[tuple[str, str]] = []
    if author and (match := sig["role_ack"].search(item.text)):
        found.append((match["role"], author))
    text = item.text
    if (last := TRAILING_VOCATIVE_RE.match(text)) and person_named(last["name"], people, author):
        text = f"{last['name']}, {last['body']}{last['end']}"
    addressee: str | None = None
    vocative: str | None = None  # the person a clause of only a name addresses ("Arif, take notes")
    unnamed_in_list: list[tuple[str, str]] = []
    last_resort: list[tuple[str, str]] = []
    guesses = not is_bot(item.author, item.kind)  # a tool's message gets no role by the last resort
    declaring = sig["severity"].search(item.text) is not None
    for clause in (part.strip() for part in CLAUSE_SPLIT_RE.split(text)):
        if not clause:
            continue
        called, vocative = vocative, None
        named = False
        before = len(found)
        unnamed: list[tuple[str, str]] = []
        for pattern in ROLE_CLAUSE_PATTERNS:
            for match in sig[pattern].finditer(clause):
                name = person_named(match["name"], people, author)
                if name is not None:
                    found.append((match["role"], name))
                    named = True
                elif pattern == "role_listed" and match["name"][:1].isupper():
                    unnamed.append((match["role"], match["name"]))
            if named:
                break
        if not named and called and (match := sig["role_imperative"].search(clause)):
            found.append((match["role"], called))
        elif not named and addressee and (match := sig["role_addressed"].search(clause)):
            found.append((match["role"], addressee))
        elif not named and author:
            found += [
                (match["role"], author)
                for pattern in ("role_self", "role_self_verb", "role_self_other_language")
                for match in sig[pattern].finditer(clause)
            ]
        if len(found) == before:
            guessed = _one_role_one_person(clause, people, author, called, declaring) if guesses else []
            last_resort += guessed
            unnamed_in_list += [] if guessed else unnamed  # "Taking OL": the author's role, not someone "Taking"
        addressee = _last_person(clause, people, author) or addressee
        if VOCATIVE_RE.fullmatch(clause) and clause.lower() not in SELF_WORDS:
            vocative = person_named(clause.strip("@ \t"), people, author)
    # "Ben is OL, Cy Comms, Dee scribe": in a list that names others, a capitalized word is a name too.
    stated = found + (unnamed_in_list if found else [])
    return [(role, name, False) for role, name in stated] + [(role, name, True) for role, name in last_resort]


def _one_role_one_person(
    clause: str, people: People, author: str | None, called: str | None, declaring: bool = False
) -> list[tuple[str, str]]:
    """The last resort for a clause no role pattern read: one role word and one person of the incident in it
    (signals.yaml `role_clause_*`), or one role word and a first-person word (the author), or one role word and
    `called`, the person just addressed. A hand-over gives the role to its recipient. In a message `declaring` the
    severity, IC with no one named is the author's, in any language ("ok to jest incydent. sev2, biore IC")."""
    sig = signals()
    roles = {role for role, pattern in sig["role_names"].items() if pattern.search(clause)}
    if len(roles) != 1 or len(clause.split()) > ROLE_CLAUSE_MAX_WORDS or sig["role_clause_not_current"].search(clause):
        return []
    role = next(iter(roles))
    if handover := sig["role_clause_handover"].search(clause):
        recipient = called if handover["to"].lower() == "you" else people.resolve(handover["to"])
        return [(role, recipient)] if recipient else []
    persons = {
        name
        for word in re.findall(r"@?[^\W\d_][\w.'-]*", clause)
        if not _normalize_role(word.lstrip("@"))
        and (name := people.resolve(word))
        and name != author
        and _named_plainly(word, name, people)
    }
    if len(persons) == 1:
        return [(role, persons.pop())]
    if persons:
        return []
    if author and sig["role_clause_first_person"].search(clause.lower()):
        return [(role, author)]
    if (
        author
        and declaring
        and role == "IC"
        and not called
        and len(clause.split()) <= 3
        and not sig["role_clause_wanted"].search(clause)
    ):
        return [(role, author)]
    return [(role, called)] if called else []


def person_named(token: str, people: People, author: str | None) -> str | None:
    """The full name a role statement's name token stands for; None when it names nobody ("taking", "how").

    "me"/"myself" is the author; a handle or first name resolves through the incident's people; an
    @mention or a capitalized common first name that resolves to nobody is kept as written.
    """
    from pipeline.blameless.people import first_names

    token = token.strip().rstrip(".,:")
    token = re.sub(r"(?<=\w)['\u2019]s$", "", token)  # "ben's got ops"
    if token.lower() in SELF_WORDS:
        return author
    resolved = people.resolve(token)
    if resolved:
        return resolved
    first = token.lstrip("@").split()[0] if token.lstrip("@") else ""
    if token.startswith("@") and first[:1].isalpha() and first.lower() not in ("here", "channel", "everyone"):
        return token.lstrip("@")
    if (
        first[:1].isupper()
        and first in first_names()
        and not _normalize_role(first)
        and first.lower() not in QUESTION_OPENERS
    ):
        return token
    return None


def _named_plainly(word: str, name: str, people: People) -> bool:
    """A word of a clause names `name` without guessing: capitalized, a mention, a handle, or the first name itself.
    A lower-case word a short form only resembles is a word of the sentence ("tomo comms", Spanish for "I take
    comms", is not Tomás Araya)."""
    plain = fold(word.lstrip("@"))
    return word[:1].isupper() or word.startswith("@") or plain in people.handles or plain == fold(name.split()[0])


def _last_person(clause: str, people: People, author: str | None) -> str | None:
    """The last word (or @mention) of a clause that names someone: who a following "you" means."""
    for word in reversed(re.findall(r"@?[A-Za-z][\w'-]*", clause)):
        if word.lower() in SELF_WORDS or word.lower() == "you":
            continue
        name = person_named(word, people, author)
        if name and name != author:
            return name
    return None


def _same_person(a: str, b: str) -> bool:
    """The same person written two ways: each word of the shorter name starts a word of the longer one ("Wei
    Ling" and "Tan Wei Ling", "Cheryl O" and "Cheryl Ong", "jules 🎧" and "Jules Okonkwo"), its first
    word a whole word."""
    a_parts, b_parts = [fold(w) for w in a.split() if fold(w)], [fold(w) for w in b.split() if fold(w)]
    if not (a_parts and b_parts):
        return False
    short, long = sorted((a_parts, b_parts), key=len)
    if len(short) > 1 and len(short) == len(long):
        return short == long or all(x.startswith(y) or y.startswith(x) for x, y in zip(short, long))
    return short[0] in long and all(any(word.startswith(part) for word in long) for part in short[1:])


def _normalize_role(text: str) -> str | None:
    for role, pattern in signals()["role_names"].items():
        if pattern.search(text.strip()):
            return role
    return None


def extract_facts(incident: Incident) -> Facts:
    items = evidence_items(incident)
    sig = signals()
    timeline = [item for item in items if item.is_timeline]
    started = _impact_start(timeline)
    detected = _detection(timeline, started) or _detection(items, started)
    if started is None and (started := _impact_start(items)) is not None:
        detected = _detection(timeline, None) or _detection(items, None)
    if _earlier(detected, started):
        started = None  # harm first stated after it was detected began earlier, at a time no row states
    if started is None and detected is not None:
        started = _exposure(timeline, detected)
    # No row or message states when impact began: left "not established" for the review, never guessed.
    # The earliest row that opens the incident, in words or as a pager's "Triggered by ... incident #36".
    rows_declaring = [
        fact
        for fact in (
            _first(timeline, sig["declaration"], "declared"),
            _first(timeline, sig["incident_opened"], "declared"),
        )
        if fact is not None and fact.time is not None
    ]
    declared = (
        min(rows_declaring, key=lambda fact: fact.time)
        if rows_declaring
        else _first(items, sig["declaration"], "declared", statements_only=True)
        or _first(items, sig["incident_opened"], "declared")
    )
    steps = mitigation_steps(items)
    # Recovery counts from the first mitigation step on; a step recorded only after the impact ended (a fix
    # deployed later) does not hide the recovery row, so detection bounds it too.
    candidates = [
        moment for moment in (steps[0].time if steps else None, detected.time if detected else None) if moment
    ]
    after_first_step = min(candidates) if candidates else None
    mitigated = _recovery(timeline, after_first_step) or _recovery(items, after_first_step, statements_only=True)
    if mitigated is not None and mitigated.evidence and mitigated.evidence[0] not in {i.id for i in timeline}:
        mitigated = _step_that_recovered(mitigated, steps, timeline) or _at_stated_clock(mitigated, incident)
    first_effect = _first_effect(timeline, detected or started)
    if first_effect and first_effect.time and (mitigated is None or _earlier(first_effect, mitigated)):
        mitigated = first_effect
    if mitigated is None and steps:
        # no row or message states an effect: the last step is the best the record gives (a step that a row
        # says took effect wins over it, even later: "rolled back NB-03 as a test; trucks still without dispatch")
        mitigated = steps[-1].model_copy(update={"name": "mitigated"})
    # A bot's "[RESOLVED]", "alert ... resolved", "not resolved yet" or "the incident stays open" closes nothing.
    closing = [
        item for item in items if not is_bot(item.author, item.kind) and not sig["resolved_not"].search(item.text)
    ]
    resolved = _last([item for item in closing if item.is_timeline], sig["resolved"], "resolved")
    if resolved is None and (said := _last(closing, sig["resolved"], "resolved")) is not None:
        resolved = _at_stated_clock(said, incident)
    ranked = rank_key_times(timeline, [item.time for item in items if not item.is_timeline and item.time])
    if ranked is not None:
        by_gold, by_meaning = ranked[WEIGHTS_FILE], ranked[MEANINGS_WEIGHTS_FILE]
        # A table long enough to rank: the learned rankers choose the start, detection and mitigation rows
        # (docs/key-times.md): the one fitted on the documented meanings the start and the mitigation, the one fitted
        # on the dev gold the detection. A row that says it harmed no one stays out, the rules' start stands. Where
        # the phrase rules found no start, the ranker's row is the start unless it is the detection itself (harm
        # first stated by the alert began earlier, at a time no row states: "not established"). Resolution stays
        # with the rules ("resolved" is said in so many words).
        ranked_start = by_meaning["started"]
        ranked_fact = _row_fact(ranked_start, "started")
        alerted_first = started is None and ranked_start.id in (detected.evidence if detected else [])
        # a start after the first alert or report is no start when that alert stated harm ("[FIRING] servers failed
        # to start" a day before "engineer cannot reach the API server"); one that stated none ("rollout reported
        # complete") or was let go ("auto-resolved; no action taken") detected nothing, and the ranked start stands
        after_detection = started is None and _earlier(detected, ranked_fact) and _stated_harm(detected, timeline)
        # a row that marks the start itself ("... triggering a deploy. **Outage begins.**") stays the start
        marked = started is not None and sig["impact_marked"].search(started.value) is not None
        if not marked and not _states_no_harm(ranked_start) and not alerted_first and not after_detection:
            started = ranked_fact
        detected = _detection_in_order(
            _row_fact(by_gold["detected"], "detected"), detected, started, declared, mitigated
        )
        # A row that states a step took effect ("manual check in place at every gate") stays the mitigation when it
        # comes first: the ranker may prefer the later full recovery, which the documented meaning does not count.
        ranked_mitigation = _ranked_mitigation(by_meaning["mitigated"], detected, resolved)
        if ranked_mitigation is not None and not _earlier(first_effect, ranked_mitigation):
            mitigated = _effect_of_step(ranked_mitigation, timeline)
    mitigated = _past_partial(mitigated, timeline, resolved)
    return Facts(
        severity=extract_severity(incident, items),
        roles=extract_roles(incident, items),
        started=started,
        detected=detected,
        declared=declared,
        mitigated=mitigated,
        resolved=resolved,
        mitigation_steps=steps,
        impact=impact_figures(items),
        time_to_detect_minutes=_minutes(started, detected),
        time_to_mitigate_minutes=_minutes(started, mitigated),
        time_to_resolve_minutes=_minutes(started, resolved),
    )


def _past_partial(mitigated: Fact | None, timeline: list[Evidence], resolved: Fact | None) -> Fact | None:
    """The mitigation, unless a later row says the harm went on ("PR and SC still failing", "three more tenants found
    receiving 429s"): then the first row after that one stating the effect for all ("working in all states"), or,
    when the harm was found spreading, the first rollback after it, since a step that helped some users is no
    mitigation (docs/key-times.md). Unchanged when no such row follows."""
    if mitigated is None or mitigated.time is None:
        return mitigated
    sig = signals()
    later = [
        row
        for row in _by_time(timeline)
        if row.time > mitigated.time and (resolved is None or resolved.time is None or row.time < resolved.time)
    ]
    going_on = next(
        (
            row
            for row in later
            if sig["mitigated_partial"].search(row.text)
            or (sig["harm_spreads"].search(row.text) and sig["impact_start"].search(row.text))
        ),
        None,
    )
    if going_on is None:
        return mitigated
    after = [row for row in later if row.time > going_on.time]
    for row in after:
        if _ALL.search(row.text) and _states_an_effect(row.text):
            return _row_fact(row, "mitigated")
    if sig["harm_spreads"].search(going_on.text):
        # the harm found spreading, then the change undone for everyone: "gateway-config #518 reverted"
        rollback = sig["mitigation_steps"]["rollback"]
        undone = next((row for row in after if rollback.search(row.text)), None)
        if undone is not None:
            return _row_fact(undone, "mitigated")
    return mitigated


def _stated_harm(fact: Fact | None, timeline: list[Evidence]) -> bool:
    """The fact's timeline row states harm and was not let go ("no action taken", "acked as warm-up")."""
    if fact is None:
        return False
    sig = signals()
    rows = [row for row in timeline if row.id in fact.evidence]
    return any(sig["impact_start"].search(row.text) and not sig["dismissed"].search(row.text) for row in rows)


def _earlier(first: Fact | None, second: Fact | None) -> bool:
    """Both moments known, and the first before the second."""
    return (
        first is not None
        and second is not None
        and first.time is not None
        and second.time is not None
        and first.time < second.time
    )


def _ranked_mitigation(row: Evidence, detected: Fact | None, resolved: Fact | None) -> Fact | None:
    """The mitigation row of the ranker fitted on rows labelled by the documented meaning (the first step that
    stopped the harm for everyone): on 16 dev bundles it had not been fitted on, it chose the gold row 9 times,
    the phrase rules 5 (docs/key-times.md). None when that row is not between the detection and the resolution, or
    states an effect for part of the harm only."""
    sig = signals()
    if sig["mitigated_partial"].search(row.text) or sig["mitigation_partial_scope"].search(row.text):
        return None  # "20 of the 26 trucks reconnected": by the documented meaning, not yet for everyone
    if sig["step_failed"].search(row.text):
        return None  # "Engineer reports failure to upgrade ... requiring us to re-create the cluster": nothing stopped
    if _reports_noticing(row.text):
        return None  # "@Katharine wakes up and notices the Slack reports": someone saw the harm; it went on
    fact = _row_fact(row, "mitigated")
    if fact.time is None or _earlier(fact, detected) or _earlier(resolved, fact):
        return None
    return fact


def _effect_of_step(mitigated: Fact, timeline: list[Evidence]) -> Fact:
    """A step row that states no effect ("Template bundle rolled back to v41") gives way to the next row when that
    one, within ten minutes, says the harm stopped for everyone ("iOS push delivery back to normal"): the moment the
    harm stopped is stated there, not at the step."""
    sig = signals()
    rows = _by_time(timeline)
    at = next((index for index, row in enumerate(rows) if row.id in mitigated.evidence), None)
    if (
        at is None
        or at + 1 >= len(rows)
        or any(sig[key].search(rows[at].text) for key in ("mitigated", "mitigation_effect", "mitigated_weak"))
    ):
        return mitigated
    after = rows[at + 1]
    if (
        after.time is None
        or mitigated.time is None
        or after.time - mitigated.time > timedelta(minutes=10)
        or not sig["mitigated"].search(after.text)
        or sig["mitigated_partial"].search(after.text)
        or sig["mitigation_partial_scope"].search(after.text)
    ):
        return mitigated
    return _row_fact(after, "mitigated")


def _reports_noticing(text: str) -> bool:
    """The row says someone noticed or reported the harm, and states no step and no effect ("reports success of the
    cluster recreation; spawns work again" reports an outcome)."""
    sig = signals()
    noticed = sig["detection_report"].search(text) or sig["detection"].search(text)
    if not noticed or sig["outcome_reported"].search(text):
        return False
    stated = [sig[key] for key in ("mitigated", "mitigation_effect", "workaround", "mitigated_weak")]
    return not any(pattern.search(text) for pattern in [*stated, *sig["mitigation_steps"].values()])


def _recovery(items: list[Evidence], after: datetime | None, *, statements_only: bool = False) -> Fact | None:
    """The first report that impact ended; a symptom that stopped ("evictions stopped") counts only when no report
    of the service back to normal follows, a partial recovery ("match rate partially recovered", "login still
    failing") only when no full one follows it."""
    sig = signals()
    full = [item for item in items if not sig["mitigated_partial"].search(item.text)]
    return (
        _first(full, sig["mitigated"], "mitigated", after, statements_only=statements_only)
        or _first(full, sig["mitigated_weak"], "mitigated", after, statements_only=statements_only)
        or _first(items, sig["mitigated"], "mitigated", after, statements_only=statements_only)
    )


# Rows that may quote an effect ("test: old text delivered") without recording one: a finding, a cause, a partial
# effect. A check ("investigation": "verified", "ruled out") rules out only its own part of a row (_states_an_effect).
NOT_AN_EFFECT = (
    "detection",
    "finding",
    "cause_label",
    "cause_statement",
    "cause_row",
    "mitigation_partial_scope",
    "mitigated_partial",
)


def _first_effect(timeline: list[Evidence], found: Fact | None) -> Fact | None:
    """The first timeline row after detection that states a step took effect, even in part ("manual checks in
    place at all gates", "writes flowing"): impact was mitigated then, before the full recovery that follows."""
    if found is None or found.time is None:
        return None
    effects = _by_time([row for row in timeline if _states_an_effect(row.text)])
    rows = [row for index, row in enumerate(effects) if not _done_for_all_later(row, effects[index + 1 :])]
    return _first(rows, signals()["mitigation_effect"], "mitigated", found.time)


def _states_an_effect(text: str) -> bool:
    """The row reports no finding, cause or partial effect, and one part of it states the effect with no check
    beside it: "All 38 groups restored; checksums verified" (the check that followed is another part)."""
    sig = signals()
    if any(sig[key].search(text) for key in NOT_AN_EFFECT):
        return False
    return any(
        sig["mitigation_effect"].search(part) and not sig["investigation"].search(part)
        for part in re.split(r";\s+", text)
    )


_ALL = re.compile(r"\b(?:all|every)\b", re.IGNORECASE)


def _done_for_all_later(row: Evidence, later: list[Evidence]) -> bool:
    """ "12 priority groups restored", then "All 38 affected groups restored": the first took effect for part of
    the harm, since a later row states the same effect for all."""
    if _ALL.search(row.text):
        return False
    effect = signals()["mitigation_effect"].search(row.text)
    word = effect.group(0).lower() if effect else ""
    return any(_ALL.search(other.text) and word in other.text.lower() for other in later)


def _at_stated_clock(moment: Fact, incident: Incident) -> Fact:
    """A chat moment at the clock time its message states ("mitigated at 09:38" posted at 09:40), read in the
    incident's time zone; unchanged when the message states no single clock time up to 90 minutes before it."""
    from pipeline.ingest.times import zone

    clocks = list(STATED_CLOCK_RE.finditer(moment.value))
    if moment.time is None or len(clocks) != 1:
        return moment
    near = moment.value[max(0, clocks[0].start() - 20) : clocks[0].end() + 20]
    if not STATED_MOMENT_RE.search(near):
        return moment  # "resolved; the deploy at 09:10 was the trigger": that clock is another moment's
    hour, minute, half = int(clocks[0][1]), int(clocks[0][2]), (clocks[0][3] or "").lower()[:1]
    if hour > 23 or minute > 59 or (half and not 1 <= hour <= 12):
        return moment
    local = moment.time.astimezone(zone(incident.meta.timezone))
    hours = [hour % 12 + (12 if half == "p" else 0)] if half else ([hour, hour + 12] if hour < 12 else [hour])
    for candidate_hour in hours:
        for day in (0, -1):
            stated = (local + timedelta(days=day)).replace(hour=candidate_hour, minute=minute, second=0, microsecond=0)
            if timedelta(0) <= local - stated <= timedelta(minutes=STATED_CLOCK_MINUTES):
                return moment.model_copy(update={"time": stated.astimezone(moment.time.tzinfo)})
    return moment


def _step_that_recovered(recovery: Fact, steps: list[Fact], timeline: list[Evidence]) -> Fact | None:
    """The locked timeline's last mitigation step shortly before a recovery only the chat reports ("flag set to
    0%" at 13:31, "fees look right again" at 13:33): the row records when impact ended, the chat confirms it."""
    rows = {item.id for item in timeline}
    window = timedelta(minutes=STEP_BEFORE_RECOVERY_MINUTES)
    before = [
        step
        for step in steps
        if step.evidence
        and step.evidence[0] in rows
        and step.time
        and recovery.time
        and recovery.time - window <= step.time <= recovery.time
        and not signals()["mitigated_partial"].search(step.value)
    ]
    return before[-1].model_copy(update={"name": "mitigated"}) if before else None


def _explained_away(text: str) -> bool:
    """A warning explained away that stated no harm before the words that explained it: "WARN: evaluator last
    success 6m ago; read as slow MetHarvest API" (the "slow" is the reading, not the harm), not "pass FAILED; put
    down to rain"."""
    sig = signals()
    dismissal = sig["dismissed"].search(text)
    return dismissal is not None and not sig["impact_start"].search(text[: dismissal.start()])


def says_nothing_detected(text: str) -> bool:
    """A row whose only alert or page is one it says did not come ("below the 10% alert threshold; no page")."""
    sig = signals()
    if not sig["detection_negated"].search(text):
        return False
    rest = sig["detection_negated"].sub(" ", text)
    return not (sig["detection"].search(rest) or sig["detection_report"].search(rest))


def _detection(items: list[Evidence], started: Fact | None) -> Fact | None:
    """The first alert, page or report. A report only counts when it is not the row that describes the impact.

    An alert or report before the first row that states harm, and that states no harm itself (a disk warning at
    90%, a job that "reported success"), did not detect this impact: the first one at or after the start did. One
    that states harm ("login check failed; PagerDuty triggered") did, and the harm began before any row says."""
    sig = signals()
    # a warning that stated no harm and was explained away ("parse warnings above 20; treated as cutover noise")
    # detected nothing; one that stated the harm ("pass FAILED; put down to rain") did, however it was read
    items = [item for item in items if not _explained_away(item.text) and not says_nothing_detected(item.text)]
    candidates = [item for item in items if not (started and item.id in started.evidence)]
    since = started.time if started else None
    if since is not None:
        early_harm = [
            item
            for item in _by_time(items)
            if item.time < since and not item.suspect and sig["impact_start"].search(item.text)
        ]
        if any(sig["detection"].search(item.text) or sig["detection_report"].search(item.text) for item in early_harm):
            since = None
    for after in (since, None) if since else (None,):
        strong = _first(items, sig["detection"], "detected", after)
        weak = _first(candidates, sig["detection_report"], "detected", after)
        found = [fact for fact in (strong, weak) if fact is not None]
        if found:
            return min(found, key=lambda fact: fact.time)
    return None


def _detection_in_order(ranked: Fact, by_rules: Fact | None, started: Fact | None, *later: Fact | None) -> Fact | None:
    """The ranker's detection row, unless it comes before the start (an alert explained away before the harm
    began detected nothing), or after the declaration or the recovery (nobody declares or mitigates an incident
    before it is known: a PagerDuty export repeats the alert's title in every row, and a resolution note read as
    the detection). Then the phrase rules' detection if it fits, else none."""

    def fits(fact: Fact | None) -> bool:
        if fact is None or says_nothing_detected(fact.value):
            return False
        if fact.time and started is not None and started.time and fact.time < started.time:
            return False
        return all(not (fact.time and bound and bound.time) or fact.time <= bound.time for bound in later)

    if fits(ranked) and fits(by_rules) and _earlier(by_rules, ranked) and not _doubtful_detection(by_rules, started):
        return by_rules  # the first alert or report at or after the start is the detection (docs/key-times.md)
    return ranked if fits(ranked) else by_rules if fits(by_rules) else None


def _doubtful_detection(fact: Fact, started: Fact | None) -> bool:
    """A phrase-rule detection that gives way to the ranker's later row: the start row itself, whose alert or page
    words name what broke ("lift alarms no longer create tickets", "the session expired page"), or a signal let go
    when it came ("p99 over threshold; put down to preload traffic and left"), which led nobody to the harm."""
    is_start = started is not None and bool(set(fact.evidence) & set(started.evidence))
    return is_start or bool(signals()["dismissed"].search(fact.value))


def _last(items: list[Evidence], pattern: re.Pattern[str], name: str) -> Fact | None:
    for item in reversed(_by_time(items)):
        if not item.suspect and not is_question(item) and pattern.search(item.text):
            return _row_fact(item, name)
    return None


def mitigation_steps(items: list[Evidence]) -> list[Fact]:
    """Mitigation actions (rollback, failover, restart, flag flip, scale, rebuild, config fix), one per kind and source.

    Timeline rows win; a chat message adds a step only when the timeline has none of that kind.
    """
    steps: list[Fact] = []
    seen_kinds: set[str] = set()
    for source_is_timeline in (True, False):
        for item in _by_time(items):
            if item.is_timeline != source_is_timeline or item.suspect or item.kind == "bot" or is_question(item):
                continue
            if not item.is_timeline and (signals()["hedge"].search(item.text) or "?" in item.text):
                continue  # "could be the consumer restarting?" is a hypothesis, not a step taken
            for kind, pattern in signals()["mitigation_steps"].items():
                if pattern.search(item.text) and (source_is_timeline or kind not in seen_kinds):
                    steps.append(Fact(name=kind, value=item.text, time=item.time, evidence=[item.id]))
                    if source_is_timeline:
                        seen_kinds.add(kind)
                    break
    return sorted(steps, key=lambda fact: (fact.time is None, fact.time))


def impact_figures(items: list[Evidence]) -> list[Fact]:
    """Numbers people stated about impact (error rates, percentages, affected users), with their source."""
    figures: list[Fact] = []
    seen: set[str] = set()
    sig = signals()
    for item in _by_time(items):
        if (
            item.suspect
            or is_question(item)
            or not sig["impact_context"].search(item.text)
            or sig["action_cue"].search(item.text)
            or is_bot(item.author, item.kind)
            or sig["alert_value"].search(item.text)
        ):
            continue
        for match in sig["impact_figure"].finditer(item.text):
            value = match.group(0).strip()
            if sig["impact_not_figure_after"].match(item.text[match.end() :]):
                continue
            if value not in seen:
                seen.add(value)
                figures.append(Fact(name="impact", value=value, time=item.time, evidence=[item.id]))
    return figures
