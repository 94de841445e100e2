"""The offline engine: a complete, cited, blameless draft from facts and evidence, with no model.

It writes only what the evidence states. Sentences are built from facts (times, durations, stated
figures) and from quoted chat statements; anything it cannot support becomes NOT_ESTABLISHED plus
what the review should fill in. Chat text is quoted only after the blameless gate passes it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from pathlib import Path

from pipeline.datafiles import summary_word_limit
from pipeline.drafting.factors import (
    alert_gaps,
    implied_gap,
    phrase,
    phrases,
    sentence_case,
    stated_gap,
    unalerted_gap,
)
from pipeline.drafting.gate import blameless_or_none
from pipeline.drafting.verify import all_claims, posted_update, reads_as_alert
from pipeline.facts import Evidence, evidence_items, incident_people, is_bot, is_question, person_named, signals
from pipeline.models import (
    NOT_ESTABLISHED,
    ActionItem,
    ActionType,
    Claim,
    Classification,
    Confidence,
    ContributingFactor,
    Draft,
    Fact,
    Facts,
    Incident,
    Why,
)
from pipeline.names import SELF_WORDS

ACTION_CLASS = "action_proposal"  # the classifier's label for proposed follow-up work
CONFIRMED_CLASS = "confirmed_cause"
# A chat message drafts a factor only when the classifier reads it as one of these (a hypothesis only as a
# disputed candidate).
CAUSE_CLASSES = (CONFIRMED_CLASS, "hypothesis")
FILLER_CLASSES = ("noise", "question")  # classifier readings never quoted as a finding
# Marks a proposed control answering a safeguard why. Kept short: the longer "a control the channel proposed; the
# record shows none in place" outweighed the control's own words (on dev, 5 of 5 such answers then resembled
# nothing the team wrote).
CONTROL_PROPOSED = "a proposed control; none recorded"
ROW_STATEMENT_WORDS = 40  # a longer timeline row is a paste: only its sentences that state the cause are kept
CAUSE_OPEN = "open question in the channel"
CHANGE_SUFFIX = "(a change that preceded the impact)."
NO_ALERT = "detection by people, not monitoring"
EARLY_WARNING_LEAD = "A warning came before the impact was known and was explained away:"
# "acked by Fraser as harvest load": who acknowledged a warning is no part of the factor; what it was taken for is
ACKNOWLEDGED_BY_RE = re.compile(r"\s+by\s+(?:the\s+)?[\w@.'-]+(?:\s+[\w'-]+)?(?=\s+as\b)")
SUMMARY_SENTENCES = 5
HARM_CLAUSE_WORDS = 16  # the start row's first clause is quoted in the summary up to this length
LATE_ALERT_MINUTES = 10  # an alert this long after the impact began came late
IMPLIED_GAPS = 2  # missing safeguards drafted from the agreed follow-ups (a third added no match on dev)
PARTIAL_MITIGATION_MINUTES = 10  # a first step this long before the end of impact is stated as partial mitigation
WITHHELD = "[withheld from the draft: {reason}; see the chat source]"
NOT_CITED = "[not cited by the draft; see the chat source]"
# A token that mixes upper case, lower case and digits over 20+ characters reads as a key the redaction did not
# know; lowercase hex (commit ids) and placeholders do not match.
KEY_TOKEN_RE = re.compile(r"[\w$+/=.-]{20,}")
# In a drafted factor or action even a lowercase token of 16+ letters and digits is left out: such a statement
# needs no key, hash or id that long to say what to do.
LONG_TOKEN_RE = re.compile(r"[\w$+/=-]{16,}")
LETTER_DIGIT_SWITCH_RE = re.compile(r"(?<=[a-zA-Z])(?=\d)|(?<=\d)(?=[a-zA-Z])")
WHY_QUESTIONS = (
    "Why were customers affected?",
    "Why did that happen?",
    "Why was that possible?",
    "Why did existing safeguards not stop it?",
    "Why does the system allow this condition?",
)
PROBLEM_RE = re.compile(
    r"\b(?:no alert|didn'?t (?:alert|page|fire)|no runbook|runbook (?:was )?(?:missing|outdated|stale)|"
    r"no dashboard|(?:was|were)n'?t (?:visible|monitored|paged)|could ?n'?o?t (?:find|see|tell|access)|"
    r"took (?:too )?long|unclear|confus(?:ed|ing)|missing|no canary|without (?:a )?canary|not covered)\b",
    re.IGNORECASE,
)
MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z][\w.-]*|<@[\w.]+>")
# A task-list checkbox before a bullet's text ("- [ ] add an alert", "- [x] rotate the key").
CHECKBOX_RE = re.compile(r"^\[[ xX]?\]\s*")
DONE_CHECKBOX_RE = re.compile(r"^\[[xX]\]")
OPEN_CHECKBOX_RE = re.compile(r"^\[ ?\]\s+\w")
DONE_RE = re.compile(r"\b(?:done|already|completed|finished)\b", re.IGNORECASE)
# The end of a sentence inside an action line ("... in Postgres. We only found out ..."); "e.g. with" and "v2.41" go on.
# A sentence after an action that only names its owner, perhaps with when ("Zahra, by the sixth of May.", "Also
# Zahra.", "Nasir, before the May distribution.", "Samuel and Wanjiru.").
TRAILING_OWNER_RE = re.compile(
    r"^\W*(?:[Aa]lso\s+|[Aa]nd\s+)?(?P<who>[A-Z][\w'-]+(?:\s*(?:,|\band\b|&)\s*[A-Z][\w'-]+)*)"
    r"(?:\s*,\s*(?:as a priority|(?:by|before|within|until)\s[^.!?]+|this week|next week|today|tomorrow|"
    r"(?:that|this)(?: one)? is (?:yours|for you|on you)|(?:that|this)(?: one)?'s yours|you (?:take|own) (?:that|this|it)))*"
    r"\W*(?=$|\s+[A-Z][\w'-]+\?\s*$)"  # "Kavya, that one is yours. Divya?": the next words ask the scribe
)
# A numbered idea ("1) the importer rejects a feed ...", "2. retry budget on ...") and, in the answer that takes some
# of them by number, who owns which ("1 @maxime, 3 @priya.k, 4 me").
NUMBERED_IDEA_RE = re.compile(r"^\s*#?(?P<number>[1-9]\d?)\s*[.)]\s+(?P<text>\S.{8,})$")
IDEA_OWNER_RE = re.compile(
    r"(?:^|[,;.]\s*|\s)(?P<number>[1-9]\d?)\s*(?::|=|->|\u2192)?\s*(?P<who>@[\w.-]*\w|me\b|myself\b)"
)
OWNER_ME_RE = re.compile(r"\b(?P<key>owner:?)\s+(?:me|myself)\b", re.IGNORECASE)
# "... (Femi) and alert on ...": where an item that ends with its owner in brackets meets the next one.
OWNED_AND_RE = re.compile(r"(?<=\))\s+(?:and|&|plus)\s+(?=[a-z])")
# An item's owner named after its last comma ("rotate the SBC password, Paolo", "the RTP monitor, Junrey and Carlo").
COMMA_OWNER_RE = re.compile(r",\s*(?P<who>[A-Z][\w'-]+(?:\s*(?:\band\b|&)\s*[A-Z][\w'-]+)?)\W*$")
# A list named aloud before its items, one sentence each: "AIs, quickly. ...", "Action items. ..."
SPOKEN_LIST_HEADER_RE = re.compile(
    r"^\W*(?:AIs?|action items?|follow[- ]?ups)(?:,\s*(?:quickly|quick|briefly|real quick|then|now))?\.\s+(?=[A-Z])",
    re.IGNORECASE,
)
# The end of an item read out with its owner and maybe when: "..., Ciarán, by the ninth.", "..., Declan."
SPOKEN_ITEM_OWNER_RE = re.compile(r",\s*[A-Z][\w'-]+(?:\s*(?:\band\b|&)\s*[A-Z][\w'-]+)?(?:,\s*[\w\s-]{1,25})?[.!]?$")
# A name or handle alone in parentheses ("(rsingh)", "(@ana)"): an owner, when it names a person of the incident.
PAREN_OWNER_RE = re.compile(r"\(\s*@?([A-Za-z][\w.'-]{1,30})\s*\)")
SENTENCE_END_RE = re.compile(r"(?<=[\w)\]])[.!]\s+(?=[A-Z])")
# A request put to one named person: "Priyanka, can you make the writer refuse ...?", "Pieter, inode use on the dashboard
# next to space, and page at eighty percent", "Tomás, an alert when a scan records nothing for five minutes?"
ASSIGNED_REQUEST_RE = re.compile(
    r"^[^\w@]*(?:(?:and|also|so|ok(?:ay)?|good|right)[,.]?\s+)?"
    r"(?:@(?P<handle>[\w.-]*\w)[,:]?\s+|(?P<who>[A-Za-z][\w.'-]*\w(?:\s[A-Z][\w'-]+)?),\s+)"
    r"(?:(?:can|could|would|will) (?:you|we)\s+(?:please\s+)?|please\s+)?(?P<what>[^?]+?)\s*[?.!]*$"
)
# A speaker's filler inside an item said on a call ("not just the warning that I, um, acked"), in lower case only
SPOKEN_FILLER_RE = re.compile(r",\s*(?:um+|uh+|erm)\s*,|(?<=\s)(?:um+|uh+)(?=\s)")
# An answer that takes the work as its own in so many words ("yes. I'll add a deploy freeze to the pipeline, mine"):
# enough to read a request after the harm stopped as a follow-up, with no wrap-up announced.
OWNED_AT_END_RE = re.compile(r"(?:[,.;:-]|\band)\s*(?:mine|on me|i'?ll own (?:it|that|this))\W*$", re.IGNORECASE)
# A request that names the work as a follow-up to own ("@femi can you own the cookie regression test?"): a follow-up
# once the harm has stopped, even with no wrap-up announced before it.
OWN_REQUEST_RE = re.compile(
    r"\b(?:can|could|would|will) you (?:please )?(?:own|take (?:the |an |this )?(?:action|follow-?up|ai|ticket) (?:for|on)"
    r"|open a ticket for|file a ticket for)\s+",
    re.IGNORECASE,
)
# In lower-case chat a proposal made in passing ends before a lower-case word after a whole word ("we should make sure
# X after this. nobody knew"), not after an abbreviation ("e.g. the", "etc. and").
LOWER_SENTENCE_END_RE = re.compile(
    r"(?<=[a-z]{3})(?<!\betc)(?<!\bvs)(?<!\bapprox)(?<!\bincl)(?<!\bmin)(?<!\bmax)[.!]\s+(?=[a-z])"
)
# Spoken list markers: "First, alert on lag. Second, add a canary." / "one, ...; two, ..." / "One. Kwame: ...".
ORDINAL_RE = re.compile(
    r"(?:^|(?<=[.;,:])\s+|\s+and\s+|\b(?:so|ok(?:ay)?|alright|right)\s+)(?:(?:first(?:ly)?|second(?:ly)?|third(?:ly)?|fourth(?:ly)?|fifth|sixth|seventh|finally|lastly|"
    r"(?:number\s+)?(?:one|two|three|four|five|six|seven|eight))\s*[,:]\s+|(?:one|two|three|four|five|six|seven|eight)\.\s+(?=(?-i:[A-Z])))",
    re.IGNORECASE,
)
# The first of them ("First, ...", "so one: ..."): a list read out one message at a time starts there.
FIRST_RE = re.compile(r"\W*(?:so|ok(?:ay)?|alright|right|and)?\s*(?:first(?:ly)?|(?:number\s+)?one)\b", re.IGNORECASE)
# The owner of an item read out in a call, in the sentence after it: "Dennis, can you own that?", "Samuel and
# Wanjiru." (names only: owners_named keeps only people of the incident), "I'll take that myself."
SPOKEN_OWNER_RE = re.compile(
    r"(?P<who>[A-Z][\w'-]+(?:\s*(?:,|\band\b|&)\s*[A-Z][\w'-]+)*)\s*(?:[.!]?\s*$|,\s*(?:can|could|will|would)\s+you\s+"
    r"(?:own|take|do|handle|pick up)\b)"
)
# What a speaker takes that names an item already listed ("the min version one", "that one", "the alert one to product"),
# not new work.
CLAIMED_ITEM_RE = re.compile(r"(?:the|that|this)\b[^,.;]{0,30}?\bone\b(?!-)", re.IGNORECASE)
# A name said before a colon ("Kobus: move the call ..."), when the roster does not hold it: one or two capitalized words.
SPOKEN_NAME_RE = re.compile(r"^[A-Z][\w'-]+(?: [A-Z][\w'-]+)?$")
# A list item's owners said first: "Two, Brian and Achieng, the report moves to the replica" (read out in a call).
# Names and handles in any case ("me" too); owner_said_first keeps them only when each is a person of the incident.
SPOKEN_LEADING_OWNER_RE = re.compile(
    r"^(?P<who>[A-Za-z][\w'-]+(?:\s*(?:,|(?i:\band\b)|&)\s*[A-Za-z][\w'-]+)*)\s*,\s+"
    r"(?!(?i:please|pls|can you|could you|you'll|you will)\b)(?P<rest>\S.*)$",  # "Rosa, please ...": action_owner_leading
    re.DOTALL,
)
# Between the names of a list of owners: "Rohit + Anjali", "rosa/femi", "Brian and Achieng".
LIST_LINE_RE = re.compile(r"\s*(?:[-*\u2022+]|\d{1,2}[.)])\s+\S")  # a bullet or numbered line
SECRET_OWNER_RE = re.compile(
    r"\b(?P<who>[A-Z][\w'’-]*(?: [A-Z][\w'’-]*)?)(?:'s|’s) (?P<secret>(?:[\w.-]+ ){0,2}?(?:tokens?|passwords?|"
    r"passphrases?|keys?|secrets?|credentials?|cookies?|PATs?)\b)"
)
OWNER_SEPARATOR_RE = re.compile(r"\s*(?:,|\+|/|\band\b|\bwith\b|&)\s*")
SPOKEN_SELF_OWNER_RE = re.compile(
    r"\bI'?ll (?:take|own|do|handle) (?:that|this|it)(?: one)?(?: myself)?\b", re.IGNORECASE
)
# The signals by which a timeline row states a cause: "... identified as the cause", "finds the typo causing ...",
# "Cause: ...".
CAUSE_ROW_SIGNALS = ("cause_statement", "cause_row", "cause_label")
PARENTHETICAL_RE = re.compile(r"\([^()]*\)")
TODO_HEADER_RE = re.compile(r"^\W*(?:todo|to-do)\s*:", re.IGNORECASE)
# A list piece that continues the one before it ("..., or cap records per poll", "..., not email"): no list.
CONTINUATION_RE = re.compile(
    r"^\W*(?:not|or|and|but|for|only|so|then|which|because|since|e\.g\.|i\.e\.)\b", re.IGNORECASE
)
TODO_SPLIT_RE = re.compile(r"(?<=\S)\s+(?=TODO\s*\()")
# A list row this short is a label for a proposal, which may have been said in full elsewhere in the channel.
LABEL_WORDS = 10
WORD_RE = re.compile(r"[^\W_]+")
# "1) rotate the token 2) add scanning", "(a) restore the limit, (b) alert on OOMKilled"
INLINE_NUMBER_RE = re.compile(r"(?:^|\s)\(?(?:\d{1,2}[.)]|[a-h]\))\s+")
LESSON_RE = re.compile(r"\b(?:lesson|learned|takeaway|next time|key insight)\b", re.IGNORECASE)
QUESTION_HYPOTHESIS_RE = re.compile(r"\b(?:could it be|is it|maybe it'?s|what about)\b", re.IGNORECASE)
# Words that open a proposal but are not part of it: "Agreed. also stop matching ...", "and really move ...".
FILLER_START_RE = re.compile(
    r"^(?:[\s:,.\-]*(?:so far|agreed|also|and|really|then|so|plus|ok(?:ay)?|yes|is to|to|that|would be)\b|[\s:,.\-]*\+1)+[\s:,.\-]*",
    re.IGNORECASE,
)
# Timeline rows of these kinds are moments of the response, not findings about the system.
NOT_FINDING_SIGNALS = (
    "declaration",
    "detection",
    "detection_report",
    "severity",
    "mitigated",
    "resolved",
    "role_names_any",
    "recovery_report",
    "progress_report",
    "workaround",
    "alert_row",
    "decision_row",
    "harm_spreads",  # "three more tenants found receiving 429s": impact found, not a finding about the system
)
# Chat lead-ins dropped when a sentence becomes a factor statement.
# The placeholder the redaction leaves for a secret ("[REDACTED:github-token]"), and what each kind is called.
REDACTED_KIND_RE = re.compile(r"\[REDACTED:([\w.-]+)\]")
# An action that is the rotation itself ("Rotate the keys pasted here"), not a remark that asks for it.
ROTATE_STEP_RE = re.compile(r"^\W*(?:rotate|revoke|reissue|regenerate)\b", re.IGNORECASE)
# A rotation told as a routine, not asked for: "they rotate it every 90 days", "rotated automatically".
ROUTINE_RE = re.compile(
    r"\bevery (?:\d+|day|week|month|quarter|year|night)|\bautomatically\b|\bby default\b", re.IGNORECASE
)
# Words before a kind of secret that do not say which secret it is ("a live password", "the prod token").
UNNAMING_WORDS = frozenset("live prod production real actual valid whole current".split())
# The word a spoken secret was read out after ("password Quill-...", "the signing key is ...").
SPOKEN_LABEL_RE = re.compile(r"\b(password|passphrase|token|key)\b[^\[]{0,40}$", re.IGNORECASE)
# The scheme of the URL a password was pasted in ("postgres://app:[REDACTED...").
URL_SCHEME_RE = re.compile(r"([a-z][a-z0-9+.-]*)://[^\s/@]*$", re.IGNORECASE)
# A request that says the secret was spoken, not pasted ("this bridge is recorded, don't read passwords out").
SPOKEN_RE = re.compile(r"\b(?:call|bridge|record(?:ed|ing)|read (?:\w+ )?out|aloud|spoke|said)\b", re.IGNORECASE)
LEAD_IN_RE = re.compile(
    r"^(?:(?:ok(?:ay)?|so|yeah|yep|right|and|also|fwiw|lol|ah+|oh+|well|hm+|noted(?: \d{1,2}:\d{2})?|for the record|"
    r"confirmed|root cause(?: (?:is |was )?(?:established|identified|found|confirmed))?|the cause is|turns out|that explains(?: it)?|found it)\b[\s:,.=\-]*)+",
    re.IGNORECASE,
)
STOPWORDS = frozenset(
    "the a an and or of to in on at is it its it's this that was were be been for with from as by not no "
    "i we you he she they think don't dont isn't is'nt db? about into then than there here so our your "
    "cause caused because looks like probably maybe could would should instead".split()
)


def secret_like(text: str) -> bool:
    """A run of 20+ key characters mixing upper case, lower case and digits: a key the redaction did not know.
    Tokens are found first and tested after, so a hostile run of key characters costs linear time."""
    return any(
        re.search(r"[A-Z]", token) and re.search(r"[a-z]", token) and re.search(r"\d", token)
        for token in KEY_TOKEN_RE.findall(text)
    )


def long_token(text: str) -> bool:
    """A run of 16+ key characters that reads as a key, hash or id, not a name: a part of 12+ characters between
    separators that mixes letters and digits ("AKIAIOSFODNN7EXAMPLE", a UUID's last group, a commit hash), or
    four switches between letters and digits ("a1b2c3d4..."). "crewdb-replica-2" and "ip-10-0-12-34" are names,
    and every SRE sentence has them. Tested per token as `secret_like` is."""
    for token in LONG_TOKEN_RE.findall(text):
        if not (re.search(r"[a-zA-Z]", token) and re.search(r"\d", token)):
            continue
        parts = re.split(r"[-_./+=$]", token)
        if any(len(part) >= 12 and re.search(r"[a-zA-Z]", part) and re.search(r"\d", part) for part in parts):
            return True
        if len(LETTER_DIGIT_SWITCH_RE.findall(token)) >= 4:
            return True
    return False


def utc_clock(moment: datetime | None) -> str:
    return moment.strftime("%H:%M UTC") if moment else "an unrecorded time"


class OfflineEngine:
    """Builds a Draft section by section; each section method returns claims with citations."""

    name = "offline"

    def __init__(self, incident: Incident, facts: Facts):
        self.incident = incident
        self.facts = facts
        self.items = evidence_items(incident)
        self.by_id = {item.id: item for item in self.items}
        self.people = sorted({p.name for p in incident.meta.people} | {i.author for i in self.items if i.author})
        self.chat = [item for item in self.items if not item.is_timeline and item.kind != "bot"]
        # an app's posts: a tracker bot's "RADAR-1184 created: ..." is an action item, nothing else of theirs is read
        self.app_posts = [item for item in self.items if not item.is_timeline and item.kind == "bot"]
        self.roster = incident_people(incident, self.items)
        self.listed_ids: set[str] = set()
        self.summary_ids: set[str] = set()  # messages whose list names two or more actions
        self.recorded_ids: set[str] = set()  # "TODO(name): ..." messages: items a later list does not summarize
        self.missing_controls: set[str] = set()  # factor statements that name a missing safeguard
        self.role_evidence = {e for role in facts.roles for e in role.evidence}
        self._single_readings: dict[str, Classification | None] = {}

    # ------------------------------------------------------------------ helpers

    def clean(self, text: str) -> str | None:
        return blameless_or_none(text, self.people)

    def quote(self, item: Evidence, max_words: int = 30) -> str | None:
        """A chat statement as a quote: first line, trimmed, blameless, without names of speakers; never a message
        that names a person or holds what looks like a key (see `unquotable`)."""
        if self.unquotable(item):
            return None
        text = item.text.strip().splitlines()[0].strip()
        words = text.split()
        if len(words) > max_words:
            text = " ".join(words[:max_words]) + " ..."
        cleaned = self.clean(text)
        return f"\u201c{cleaned}\u201d" if cleaned else None

    def unquotable(self, item: Evidence) -> str | None:
        """Why a chat message's text must not be quoted, or None. Blame the rules miss mostly names someone
        ("that's on marek"), so a message naming a person of the incident is quoted only as a role statement;
        a key the redaction did not recognise is never quoted."""
        if item.is_timeline:
            return None
        if secret_like(item.text):
            return "it may hold a credential"
        if signals()["blame_tone"].search(item.text):
            return "its tone may read as blame"
        # "Marco, please roll back" is a request, not a statement about Marco
        addressed = signals()["addressed_name"].sub(r"\1", item.text)
        if item.id not in self.role_evidence and self.names_a_person(
            addressed, besides=self.action_owners.get(item.id, ())
        ):
            return "it names a person outside a role statement"
        return None

    def fit_for_statement(self, text: str, owners: Sequence[str] = ()) -> str | None:
        """`text` made blameless for a factor, answer or action, or None when it names a person (other than the
        action's `owners`), points at someone in a tone the rules may miss, holds what looks like a key, or is a
        pasted command."""
        if (
            self.names_a_person(text, besides=owners)
            or self.names_someone_else(text, besides=owners)
            or signals()["blame_tone"].search(text)
            or signals()["pasted_command"].search(text)
            or long_token(text)
        ):
            return None
        return self.clean(text)

    def minutes_between(self, start: Fact | None, end: Fact | None) -> int | None:
        if not (start and end and start.time and end.time):
            return None
        return max(0, round((end.time - start.time).total_seconds() / 60))

    def minutes_in_order(self, start: Fact | None, end: Fact | None) -> int | None:
        """Minutes from `start` to `end`; None when either is missing or `end` comes first: a sentence built on
        "N minutes after" must not turn a declaration two days before detection into "in the same minute"."""
        if not (start and end and start.time and end.time) or end.time < start.time - timedelta(seconds=30):
            return None
        return self.minutes_between(start, end)

    @cached_property
    def day(self) -> date | None:
        """The incident's date as the header gives it (else the first recorded moment's UTC date): a time on any
        other UTC day is written with its date, so "impact ended at 20:21 UTC" two days later is not misread."""
        if (header := self.header_date()) is not None:
            return header
        times = [item.time for item in self.items if item.time]
        return min(times).astimezone(UTC).date() if times else None

    def header_date(self) -> date | None:
        started = self.facts.started
        return self.incident.meta.date or (started.time.date() if started and started.time else None)

    def clock(self, moment: datetime | None) -> str:
        """ "20:21 UTC", or "20:21 UTC on 2026-03-05" for a moment on another day than the incident's."""
        utc = moment.astimezone(UTC) if moment else None
        if utc and self.day and utc.date() != self.day:
            return f"{utc_clock(utc)} on {utc:%Y-%m-%d}"
        return utc_clock(moment)

    # ------------------------------------------------------------------ sections

    def executive_summary(self) -> list[Claim]:
        f = self.facts
        service = self.incident.meta.service or "The affected service"
        claims: list[Claim] = []
        impacted = f"{service} was impacted from {self.clock(f.started.time)}" if f.started else ""
        if f.started:
            what = self.harm_as_written(f.started)
            claims.append(
                Claim(text=impacted + (f": \u201c{what}\u201d." if what else "."), evidence=f.started.evidence)
            )
        change = self.preceding_change()
        trigger = self.clean(_as_statement(change.text)) if change is not None and not self.refuted(change) else None
        if trigger:
            claims.append(Claim(text=f"It followed this change: {trigger}", evidence=[change.id]))
        elif cause := self.recorded_cause():
            claims.append(Claim(text=f"Cause recorded in the timeline: {cause.statement}", evidence=cause.evidence))
        if f.detected and f.detected.time:
            how = "an alert" if self.alert_detected(f.detected) else "people reporting it"
            claims.append(
                Claim(
                    text=f"It was detected at {self.clock(f.detected.time)} through {how}.",
                    evidence=f.detected.evidence,
                )
            )
        if f.severity and (f.declared or f.severity.evidence):
            when = f" at {self.clock(f.declared.time)}" if f.declared else ""
            evidence = sorted(set((f.declared.evidence if f.declared else []) + f.severity.evidence), key=_id_key)
            claims.append(Claim(text=f"The incident was declared {f.severity.value}{when}.", evidence=evidence))
        if f.impact:
            figures = f.impact[:3]
            listed = "; ".join(fig.value for fig in figures)
            claims.append(Claim(text=f"Stated impact: {listed}.", evidence=_ids(figures)))
        if f.mitigated:
            steps = self.steps_before_recovery()
            kinds = ", ".join(dict.fromkeys(step.name for step in steps)) or "mitigation"
            duration = self.minutes_between(f.started, f.mitigated)
            lasted = f", {minutes_apart(duration, 'after', 'it began')}" if duration else ""
            first = steps[0] if steps else self.partial_recovery()
            evidence = _ids([f.mitigated] + ([first] if first else []) + ([f.started] if f.started else []))
            partial = self.minutes_between(first, f.mitigated) if first else None
            if partial is not None and partial >= PARTIAL_MITIGATION_MINUTES:
                # partial then full mitigation: both moments, each with its evidence
                claims.append(
                    Claim(
                        text=f"Mitigation began at {self.clock(first.time)} ({first.name}); impact ended at "
                        f"{self.clock(f.mitigated.time)}{lasted}.",
                        evidence=evidence,
                    )
                )
            else:
                after = f" after {kinds}" if steps else ""
                claims.append(
                    Claim(text=f"Impact ended at {self.clock(f.mitigated.time)}{after}{lasted}.", evidence=evidence)
                )
        if f.resolved:
            claims.append(
                Claim(text=f"The incident was resolved at {self.clock(f.resolved.time)}.", evidence=f.resolved.evidence)
            )
        # 3-5 sentences: trigger, impact, detection, mitigation, resolution; the declaration goes first, then
        # the resolution, when there are more.
        for dropped in ("The incident was declared", "The incident was resolved"):
            if len(claims) > SUMMARY_SENTENCES:
                claims = [c for c in claims if not c.text.startswith(dropped)]
        limit = summary_word_limit()
        while claims and sum(len(c.text.split()) for c in claims) > limit:
            if impacted and claims[0].text.startswith(impacted + ":"):  # the quoted harm goes first
                claims[0] = claims[0].model_copy(update={"text": impacted + "."})
            else:
                claims.pop(2 if len(claims) > 2 else -1)
        return claims or [not_established("the review should summarize impact, duration and mitigation")]

    def harm_as_written(self, started: Fact) -> str | None:
        """What went wrong, in the words of the locked timeline row that marks the start ("ci.jenkins.io is not
        able to start container agents"): its first clause, when that row states harm, is blameless and is short
        enough for the summary. None for a chat message, a change that only preceded the harm, or a long row."""
        if len(started.evidence) != 1 or (row := self.by_id.get(started.evidence[0])) is None or not row.is_timeline:
            return None
        clause = re.split(r";\s+|(?<=[.!?])\s+", " ".join(row.text.split()), maxsplit=1)[0].rstrip(" .;:,")
        if len(clause.split()) > HARM_CLAUSE_WORDS or not signals()["impact_start"].search(clause):
            return None
        return self.clean(clause)

    def impact(self) -> list[Claim]:
        f = self.facts
        claims = []
        for figure in f.impact:
            item = self.by_id[figure.evidence[0]]
            quoted = self.quote(item) if not item.is_timeline else f"\u201c{item.text}\u201d"
            if quoted:
                claims.append(
                    Claim(text=f"{figure.value} stated at {self.clock(item.time)}: {quoted}", evidence=figure.evidence)
                )
        duration = self.minutes_between(f.started, f.mitigated)
        if duration:
            claims.append(
                Claim(
                    text=f"Impact lasted {in_words(duration)}, from {self.clock(f.started.time)} "
                    f"to {self.clock(f.mitigated.time)}.",
                    evidence=_ids([f.started, f.mitigated]),
                )
            )
        return claims or [not_established("the review should state who was affected, how many, and for how long")]

    def went_well(self) -> list[Claim]:
        f = self.facts
        claims: list[Claim] = []
        delay = self.minutes_in_order(f.started, f.detected)
        if delay is not None and self.alert_detected(f.detected):
            claims.append(
                Claim(
                    text=f"An alert detected the problem at {self.clock(f.detected.time)}, {minutes_apart(delay, 'after', 'impact began')}.",
                    evidence=_ids([f.started, f.detected]),
                )
            )
        delay = self.minutes_in_order(f.detected, f.declared)
        if delay is not None:
            claims.append(
                Claim(
                    text=f"The incident was declared at {self.clock(f.declared.time)}, {minutes_apart(delay, 'after', 'detection')}.",
                    evidence=_ids([f.detected, f.declared]),
                )
            )
        cited_roles = [role for role in f.roles if role.evidence]
        if cited_roles:
            names = ", ".join(dict.fromkeys(role.name for role in cited_roles))
            claims.append(
                Claim(text=f"Incident roles were assigned during the response ({names}).", evidence=_ids(cited_roles))
            )
        comms = sorted(
            (item for item in self.items if item.time and posted_update(item)),
            key=lambda item: item.time,
        )
        if comms:
            claims.append(
                Claim(text=f"Status updates were posted from {self.clock(comms[0].time)}.", evidence=[comms[0].id])
            )
        steps = self.steps_before_recovery()
        delay = self.minutes_in_order(f.detected, f.mitigated)
        if delay is not None and steps:
            claims.append(
                Claim(
                    text=f"Mitigation ({steps[0].name}) ended the impact {minutes_apart(delay, 'after', 'detection')}.",
                    evidence=_ids([f.detected, steps[0], f.mitigated]),
                )
            )
        return pad(claims, "the review should add what helped the response (at least three items)")

    def recorded_cause(self) -> ContributingFactor | None:
        """The first cause the locked timeline itself states (a cause row, not a finding; high confidence,
        undisputed): the summary's trigger when no change preceded the impact."""
        sig = signals()
        rows = {evidence_id for evidence_id, _, _ in self.cause_rows()}

        def states_cause(factor: ContributingFactor) -> bool:  # a cause row, not a finding ("timeouts only on X")
            text = self.by_id[factor.evidence[0]].text
            return factor.evidence[0] in rows and bool(
                sig["cause_statement"].search(text) or sig["cause_row"].search(text)
            )

        candidates = [
            factor
            for factor in self.contributing_factors()
            if factor.confidence == Confidence.high and not factor.disputed and states_cause(factor)
        ]
        # a row that names the cause ("root cause", "identified as the cause") before one that says what was found
        candidates.sort(key=lambda factor: not sig["cause_statement"].search(self.by_id[factor.evidence[0]].text))
        return candidates[0] if candidates else None

    def steps_before_recovery(self) -> list[Fact]:
        """Mitigation steps taken after the impact began and before it ended: a fix or a partner's rollback after
        recovery ended nothing, and a restart or failover before impact began is the trigger, not the mitigation,
        so the summary does not credit either."""
        end = self.facts.mitigated.time if self.facts.mitigated else None
        start = self.facts.started.time if self.facts.started else None
        return [
            step
            for step in self.facts.mitigation_steps
            if step.time and end and step.time <= end and (start is None or step.time > start)
        ]

    def partial_recovery(self) -> Fact | None:
        """The first locked-timeline row that reports recovery after impact began and before it ended ("memory
        alarm cleared; publishers unblocked"): the partial mitigation when no step was recorded before it."""
        f, sig = self.facts, signals()
        if not (f.started and f.started.time and f.mitigated and f.mitigated.time):
            return None
        for item in self.items:
            if (
                item.is_timeline
                and item.time
                and f.started.time < item.time < f.mitigated.time
                and item.id not in f.mitigated.evidence
                and (sig["recovery_report"].search(item.text) or sig["mitigated"].search(item.text))
            ):
                return Fact(name="partial recovery", value=item.text, time=item.time, evidence=[item.id])
        return None

    def alert_detected(self, detected: Fact) -> bool:
        """The detection evidence is an alert (a monitoring tool, or a row saying an alert fired), not a person
        who noticed, reported or paged by hand."""
        items = [self.by_id[e] for e in detected.evidence if e in self.by_id]
        return bool(items) and all(reads_as_alert(item) for item in items)

    def went_wrong(self, factors: list[ContributingFactor]) -> list[Claim]:
        f = self.facts
        claims: list[Claim] = []
        duration = self.minutes_between(f.started, f.mitigated)
        if duration:
            claims.append(
                Claim(
                    text=f"Customers were affected for {in_words(duration)} before mitigation.",
                    evidence=_ids([f.started, f.mitigated]),
                )
            )
        detect_delay = self.minutes_between(f.started, f.detected)
        if detect_delay is not None and detect_delay > 0:
            claims.append(
                Claim(
                    text=f"The impact began {in_words(detect_delay)} before the first alert or report.",
                    evidence=_ids([f.started, f.detected]),
                )
            )
        by_people = self.detected_by_people()
        if by_people is not None:
            claims.append(by_people)
        if (warning := self.dismissed_warning()) is not None:
            claims.append(warning)
        change = self.preceding_change()
        if change is not None and f.started:
            lead = self.minutes_between(Fact(name="c", value="", time=change.time), f.started)
            claims.append(
                Claim(
                    text=f"A change reached production {minutes_apart(lead, 'before', 'impact began')} and was not caught before it did.",
                    evidence=[change.id] + f.started.evidence,
                )
            )
        disputed = [factor for factor in factors if factor.disputed]
        if len({self.by_id[e].author for factor in disputed for e in factor.evidence if self.by_id[e].author}) >= 2:
            claims.append(
                Claim(
                    text="Responders disagreed about the cause during the response.",
                    evidence=sorted({e for factor in disputed for e in factor.evidence}, key=_id_key),
                )
            )
        for item in _distinct(self.chat):
            if PROBLEM_RE.search(item.text) and not item.suspect and len(claims) < 6 and self.worth_quoting(item):
                quoted = self.quote(item)
                if quoted:
                    claims.append(Claim(text=f"Raised during the response: {quoted}", evidence=[item.id]))
        return pad(claims, "the review should add what made the incident worse or longer (at least three items)")

    def worth_quoting(self, item: Evidence) -> bool:
        """A message worth quoting as what went wrong or what was learned: a sentence of four words or more, not a
        pasted log, not a question, and not what the classifier reads as noise ("Unclear", "```")."""
        reading = self.reading_of(item.id)
        first_line = item.text.strip().splitlines()[0] if item.text.strip() else ""
        return (
            len(first_line.split()) >= 4
            and "```" not in item.text
            and not is_question(item)
            and (reading is None or reading.label not in FILLER_CLASSES)
        )

    def preceding_change(self) -> Evidence | None:
        """The last timeline change (deploy, config, migration) at or before impact began; a row that describes
        the impact itself ("updates stopped being applied") is not a change."""
        start = self.facts.started.time if self.facts.started else None
        sig = signals()
        candidates = [
            item
            for item in self.items
            if item.is_timeline
            and sig["change"].search(item.text)
            and start
            and item.time
            and item.time <= start
            and not (
                self.facts.started and item.id in self.facts.started.evidence and sig["impact_start"].search(item.text)
            )
            and not re.search(r"\bstopped\b", item.text, re.IGNORECASE)
        ]
        return candidates[-1] if candidates else None

    def contributing_factors(self) -> list[ContributingFactor]:
        """Candidates drafted only from evidence that states a cause with confidence (precision first):

        the locked timeline's cause rows (and its signs explained away before the detection); chat statements
        of a confirmed cause or of a missing safeguard (not a question, not hedged, not a recovery, not disputed
        later, naming no person); the change that preceded the impact when its row says what it altered and no
        cause row or statement names the cause in its place; a cause the channel
        says is unknown; detection by people when no alert fired; last, the missing safeguards agreed follow-ups
        imply (low confidence). Each is a statement with its citation,
        not a quoted message. Repeated statements count once.
        """
        return list(self._factors)

    @cached_property
    def _factors(self) -> tuple[ContributingFactor, ...]:
        """The factors, drafted once (the summary asks for the recorded cause, the draft for the section)."""
        factors: list[ContributingFactor] = []
        causes = self.cause_rows() + self.cause_statements()
        change = self.preceding_change()
        supporters = sorted(
            {
                evidence_id
                for evidence_id, text, _ in causes
                if change is not None and evidence_id != change.id and _overlap(change.text, text) >= 2
            },
            key=_id_key,
        )
        naming = [evidence_id for evidence_id in supporters if self.names_the_cause(evidence_id)]
        # a change is a factor only when its row says what it altered: "v2.8 deployed to production", even when
        # rolling it back ended the impact, was judged no factor by hand all 10 times on dev (factor_labels)
        states_alteration = change is not None and bool(signals()["change_alteration"].search(change.text))
        if change is not None and not self.refuted(change) and not naming and states_alteration:
            statement = self.clean(_as_statement(change.text))
            if statement and not signals()["blame_tone"].search(statement) and not secret_like(statement):
                factors.append(
                    ContributingFactor(
                        statement=f"{statement.rstrip('.')} {CHANGE_SUFFIX}",
                        evidence=[change.id] + supporters[:2],
                        confidence=Confidence.high if supporters else Confidence.medium,
                    )
                )
        # What supports the change is drafted within it, or, when a row names the cause, within that row's factor.
        cited_by_change = set(supporters) - set(naming[:1]) if factors or naming else set()
        # ... citing the change and the other rows and messages that support it
        lead = naming[0] if naming and change else None
        lead_cites = [change.id] + [e for e in supporters if e != lead][:2] if lead and change else []
        for evidence_id, text, kind in causes:
            if evidence_id in cited_by_change or kind == "observation":
                continue  # it states the change's effect (cited as its support) or what a tool showed: not a factor
            statement = self.fit_for_statement(text)
            if not statement or MENTION_RE.search(statement) or statement.rstrip().endswith(("?", "!")):
                continue  # a factor is never a person, not even one the roster does not know ("@Random-Liu")
            if kind.startswith("disputed:"):  # a stated cause someone else disputed later: a candidate, marked
                factors.append(
                    ContributingFactor(
                        statement=statement,
                        evidence=[evidence_id] + kind[9:].split(","),
                        confidence=Confidence.low,
                        disputed=True,
                    )
                )
                continue
            confidence = (
                Confidence.high
                if (evidence_id.startswith("T") and kind != "dismissed") or kind == "confirmed"
                else Confidence.medium
            )
            if (
                kind == "missing"
            ):  # phrased about the system as a stated gap is ("we had no alert" -> "there was no alert")
                statement = stated_gap(statement) or statement
                self.missing_controls.add(statement)
            evidence = [evidence_id, *(lead_cites if evidence_id == lead else [])]
            factors.append(ContributingFactor(statement=statement, evidence=evidence, confidence=confidence))
        factors += self.record_factors()
        factors = [factor.model_copy(update={"statement": phrase(factor.statement)}) for factor in factors]
        factors += self.stated_gaps()
        gaps = alert_gaps(self.action_items(), self.chat) or self.unalerted_impact()
        # the message that says detection came late is cited by the gap, which states it about the system: it is
        # not drafted a second time in its own words
        restated = {gap.evidence[-1] for gap in gaps}
        factors = [factor for factor in factors if not (len(factor.evidence) == 1 and factor.evidence[0] in restated)]
        factors += gaps
        factors += self.implied_gaps()
        distinct: list[ContributingFactor] = []
        for factor in factors:
            words = _tokens(factor.statement)
            if not any(len(words & _tokens(other.statement)) >= max(3, 0.5 * len(words)) for other in distinct):
                distinct.append(factor)
        order = {Confidence.high: 0, Confidence.medium: 1, Confidence.low: 2}
        # rows that name the cause ("root cause: ...") lead among equals: the whys start from them
        named = {item.id for item in self.items if item.is_timeline and signals()["cause_statement"].search(item.text)}
        return tuple(
            sorted(
                distinct,
                key=lambda factor: (factor.disputed, order[factor.confidence], factor.evidence[0] not in named),
            )[:6]
        )

    def cause_rows(self) -> list[tuple[str, str, str]]:
        """(id, statement, "cause") for each locked-timeline row that states a cause, and for each row of the
        investigation (after impact began, before mitigation) that records a finding ("PodDisruptionBudget found
        with maxUnavailable: 100%", "Docker Hub returned 429"); a part of a row that rules something out is
        dropped ("v2.41 ruled out; timeouts only on the NordPay endpoint" keeps the second part). A finding that
        reports what a tool showed is kind "observation": support for a change, never a factor of its own. A row
        recording a sign explained away before the detection is kind "dismissed" (medium confidence)."""
        sig = signals()
        f = self.facts
        start = f.started.time if f.started else None
        end = f.mitigated.time if f.mitigated else None
        moments = {
            e
            for fact in (f.started, f.detected, f.declared, f.mitigated, f.resolved, *f.mitigation_steps)
            if fact
            for e in fact.evidence
        }
        rows = []
        for item in self.items:
            if not item.is_timeline:
                continue
            # during the response, "instead of" / "causing" only inside brackets says how a step works ("Hotfix
            # 3.18.1 live (... goes to the DLQ instead of crashing)"), not the cause; before the impact, the brackets
            # may hold it ("Mirror-kit 3.0 released (PR #88: single rsync pass instead of the two-stage sync)")
            responding = start is not None and item.time is not None and item.time > start
            outside = PARENTHETICAL_RE.sub(" ", item.text) if responding else item.text
            states = [key for key in CAUSE_ROW_SIGNALS if sig[key].search(outside if key == "cause_row" else item.text)]
            if states:
                if not sig["cause_label"].search(item.text) and any(
                    sig[key].search(item.text) for key in ("severity", "decision_row")
                ):
                    continue  # "Raised to SEV-1: ... report due to the authority", "Decision: X instead of Y"
                # a check that ruled something out ("broker checked: all 3 nodes healthy ...; broker ruled out")
                # keeps only its other parts, and is no cause row when none is left
                kept = "; ".join(part for part in re.split(r";\s+", item.text) if not sig["not_a_factor"].search(part))
                rows += [(item.id, statement, "cause") for statement in (self.row_statements(kept) if kept else [])]
                continue
            if sig["dismissed"].search(item.text) and _sign_before(item, f.detected):
                # a sign explained away before the detection ("... warning; acked as a noisy new alert", "routes 38%
                # shorter than usual; put down to the thaw"): 42 of the 43 such dev rows state a gold factor by hand
                # (evals/incidents/cause_row_labels). Who acknowledged it is no part of the factor.
                kept = ACKNOWLEDGED_BY_RE.sub("", item.text)
                lead = f"{EARLY_WARNING_LEAD} " if sig["early_warning"].search(kept) else ""
                rows += [(item.id, lead + statement, "dismissed") for statement in self.row_statements(kept)]
                continue
            during = (
                start is not None and item.time is not None and start <= item.time and (end is None or item.time < end)
            )
            if not during or item.id in moments or any(sig[key].search(item.text) for key in NOT_FINDING_SIGNALS):
                continue
            parts = [part for part in re.split(r";\s+", item.text) if not sig["not_a_factor"].search(part)]
            finding = "; ".join(part for part in parts if sig["finding"].search(part))
            if finding and len(_tokens(finding)) >= 4:
                kind = "observation" if phrases().tool_output.search(finding) else "cause"
                rows.append((item.id, _as_statement(finding), kind))
        return rows

    def names_the_cause(self, evidence_id: str) -> bool:
        """A timeline row that states the cause ("Cause found: API v2 returns pages of 100"): drafted as the factor,
        citing the preceding change it supports, since it says what the change did. A row that only points at the
        change ("Deploy #847 identified as the change") leaves the change's own row to say it."""
        item, sig = self.by_id[evidence_id], signals()
        states = sig["cause_label"].search(item.text) or sig["cause_statement"].search(item.text)
        return item.is_timeline and bool(states) and not sig["cause_points_at_change"].search(item.text)

    def row_statements(self, text: str) -> list[str]:
        """A timeline cause row as statements about the system: who found it is dropped ("@k determines that the
        deploy job was created with the wrong namespace" -> "The deploy job was created with the wrong namespace.").
        Of a long row only the sentences that state the cause are kept; a long row of one sentence whose findings
        are joined by semicolons ("Cause identified: X streams files under their final name; the ready-check only
        skips .part files, so ...") gives one statement a finding."""
        sig = signals()
        if "```" in text:
            return []  # a pasted log: its "due to" is the tool's wording, not the team's finding
        if len(text.split()) <= ROW_STATEMENT_WORDS:
            return [statement] if (statement := self.row_statement(text)) else []
        stating = " ".join(part for part in _sentences(text) if any(sig[key].search(part) for key in CAUSE_ROW_SIGNALS))
        if stating and len(stating.split()) <= ROW_STATEMENT_WORDS:
            return [statement] if (statement := self.row_statement(stating)) else []
        parts = [phrase(part) for part in re.split(r";\s+", text)]
        if len(parts) < 2 or any(len(part.split()) > ROW_STATEMENT_WORDS for part in parts):
            return []
        return [statement for part in parts if (statement := self.row_statement(part))]

    def row_statement(self, text: str) -> str | None:
        """One finding of a cause row, stated about the system (`row_statements`)."""
        sig = signals()
        text = sig["finding_subject"].sub("", text.strip(), count=1)
        # "the typo causing prow to use the wrong namespace" (what was found) as a sentence: "... caused prow to ..."
        text = re.sub(r"^((?:the|a|an)\s+[^,;]+?)\s+causing\b", r"\1 caused", text, count=1, flags=re.IGNORECASE)
        statement = _as_statement(text)
        return statement if len(_tokens(statement)) >= 3 else None

    def cause_statements(self) -> list[tuple[str, str, str]]:
        """(id, statement, kind) for chat sentences that state a confirmed cause or a missing safeguard with
        confidence: never a question, a hedge, a proposal, a recovery report, or a claim disputed later. The message
        classifier must read the message as a confirmed cause (a hypothesis only when disputed later, or when the
        sentence ties it to the symptom and nobody disputes it: `agreed`), and a
        confirmed cause must state its link ("because", "caused by", "so every request ...")."""
        sig = signals()
        found: list[tuple[str, str, str]] = []
        disagreements = [item for item in self.chat if not item.suspect and sig["disagreement"].search(item.text)]
        for item in _distinct(self.chat):
            if item.suspect or sig["not_a_factor"].search(item.text) or sig["disagreement"].search(item.text):
                continue
            if not any(sig[key].search(item.text) for key in ("cause_confirmed", "missing_control", "hypothesis")):
                continue  # states no cause in any form: the classifier need not be asked
            reading = self.reading_of(item.id)
            label = reading.label if reading else None
            if label not in CAUSE_CLASSES:
                continue
            for sentence in _with_antecedents(_sentences(item.text)):
                if (
                    is_question_text(sentence)
                    or sig["action_cue"].search(sentence)
                    or sig["recovery_report"].search(sentence)
                    or sig["remedy_ready"].search(sentence)
                    or self.assigns_owner(sentence)
                ):
                    continue
                stated = LEAD_IN_RE.sub("", sentence)  # "confirmed:" opens a sentence; it links nothing to a cause
                confirmed = bool(sig["cause_confirmed"].search(stated) or sig["cause_link"].search(stated)) and bool(
                    sig["cause_confirmed"].search(sentence)
                )
                hedged = bool(sig["hedge"].search(sentence))
                reply = self.reply_to(item)
                disputed = [
                    d.id
                    for d in disagreements
                    if d.time
                    and item.time
                    and d.time >= item.time
                    and d.author != item.author
                    and (_overlap(d.text, sentence) >= 2 or d is reply)
                ]
                agreed = hedged and confirmed and self.agreed(item, sentence)
                if hedged and not agreed:
                    # a hypothesis stated as one (not asked), that the next person disputed: a disputed candidate
                    if not (disputed and sig["hypothesis"].search(sentence) and len(_tokens(sentence)) >= 5):
                        continue
                    confirmed = True
                kind = "confirmed" if confirmed else "missing" if sig["missing_control"].search(sentence) else None
                if kind is None or not (disputed or agreed or label == CONFIRMED_CLASS):
                    continue  # a hunch the channel never tied to the symptom, or filler the classifier reads as such
                if kind == "confirmed" and not disputed and not sig["cause_stated"].search(item.text):
                    continue  # "confirmed: we can spawn again" states no cause; "found it: X. that explains Y" does
                statement = _as_statement(sentence)
                if len(_tokens(statement)) < 4 or (disputed and kind != "confirmed"):
                    continue
                found.append((item.id, statement, "disputed:" + ",".join(disputed[:2]) if disputed else kind))
        return found

    def stated_gaps(self) -> list[ContributingFactor]:
        """Missing safeguards the channel states as findings ("nothing checked the interval against the backend
        threshold"), phrased about the system: only from a message the classifier reads as a confirmed cause, never
        from a question, a proposal, a sentence that rules something out, a message disputed later, or one that
        names a person. The review confirms them (medium confidence)."""
        sig = signals()
        found: list[ContributingFactor] = []
        for item in _distinct(self.chat):
            reading = self.reading_of(item.id)
            if item.suspect or reading is None or reading.label != CONFIRMED_CLASS or self.refuted(item):
                continue
            for sentence in _with_antecedents(_sentences(item.text)):
                if any(sig[key].search(sentence) for key in ("not_a_factor", "disagreement", "action_cue")):
                    continue
                statement = stated_gap(sentence)
                statement = self.fit_for_statement(statement) if statement else None
                if statement and not self.names_an_author(statement):
                    self.missing_controls.add(statement)
                    found.append(
                        ContributingFactor(statement=statement, evidence=[item.id], confidence=Confidence.medium)
                    )
        return found

    def implied_gaps(self) -> list[ContributingFactor]:
        """The missing safeguards the agreed preventive follow-ups imply ("Make the alias swap compare document counts"
        -> "The alias swap did not compare document counts."), low confidence, citing each proposal (a message the
        classifier reads as an action proposal): the review decides whether the gap contributed. At most
        IMPLIED_GAPS, in the order the follow-ups were made, after the factors the record states."""
        found: list[ContributingFactor] = []
        for action in self.action_items():
            gap = implied_gap(action)
            statement = self.fit_for_statement(gap.statement) if gap else None
            if gap and statement:
                found.append(gap.model_copy(update={"statement": statement}))
        return found[:IMPLIED_GAPS]

    def refuted(self, item: Evidence) -> bool:
        """A later chat message rules this out ("v2.41 is out of the picture", "it's not the deploy") or disputes
        it: it shares an identifier (v2.41, #2291) or two content words with the item."""
        sig = signals()
        names = _identifiers(item.text)
        for other in self.chat:
            if other.suspect or not (sig["not_a_factor"].search(other.text) or sig["disagreement"].search(other.text)):
                continue
            if other.time and item.time and other.time < item.time:
                continue
            if (
                names & _identifiers(other.text)
                or (sig["not_a_factor"].search(other.text) and _overlap(other.text, item.text) >= 2)
                or _overlap(other.text, item.text) >= 3
            ):
                return True
        return False

    def reply_to(self, item: Evidence, minutes: int = 15, by: str | None = None) -> Evidence | None:
        """The next message within `minutes` from someone else, or from `by` (a full name) when given: the answer a
        statement, an offer or a request got."""
        later = [
            other
            for other in self.chat
            if other.time
            and item.time
            and (
                other.author != item.author if by is None else (self.roster.resolve(other.author) or other.author) == by
            )
            and item.time < other.time <= item.time + timedelta(minutes=minutes)
        ]
        return min(later, key=lambda other: other.time) if later else None

    def agreed(self, item: Evidence, sentence: str) -> bool:
        """A hedged cause stands when the sentence itself says it explains the symptom ("that explains why lag
        keeps growing") and nobody disputes it later."""
        return bool(signals()["cause_explains"].search(sentence)) and not self.refuted(item)

    def names_a_person(self, text: str, besides: Sequence[str] = ()) -> bool:
        """A statement that names someone of the incident ("Ken's templates", "@marek"), other than `besides`: a
        factor is never a person. A tool posting in the channel is not one ("Deploy Bot" vs "the deploy window")."""
        words = {w.lower() for w in re.findall(r"[A-Za-z][\w-]+", text)}
        return any(
            part.lower() in words
            for name in self.roster.full_names
            if name not in besides and not is_bot(name)
            for part in name.split()
            if len(part) > 2
        )

    def names_an_author(self, text: str) -> bool:
        """A statement that mentions someone ("@marek") or names a chat author by handle ("behind ptol's export"),
        which the roster's full names do not catch."""
        handles = {part.lower() for item in self.chat if item.author for part in item.author.split()}
        words = {word.lower() for word in re.findall(r"[A-Za-z][\w-]*", text.replace("'s", ""))}
        return bool(MENTION_RE.search(text)) or bool(words & {handle for handle in handles if len(handle) > 2})

    def names_someone_else(self, text: str, besides: Sequence[str] = ()) -> bool:
        """A capitalized common first name after the first word ("stop letting Gary push flags"), or a full name
        opening the statement ("Mark Waite investigates ..."): someone outside the incident's roster is still a
        person, and a statement is never about one."""
        from pipeline.blameless.people import check_first_names, first_names, unknown_name, word_first_names

        allowed = {part for name in besides for part in name.split()}
        words = re.findall(r"[A-Za-z][\w-]*", text)
        # the first word only in a full name's shape ("Mark Waite investigates ..."; "Grant access" is no person)
        opens_with_a_name = (
            len(words) > 1
            and words[0] not in allowed
            and (words[0] in check_first_names() or words[0] in word_first_names())
            and words[1][0].isupper()
            and unknown_name(words[1])
        )
        return opens_with_a_name or any(
            word[0].isupper() and word in first_names() and word not in allowed for word in words[1:]
        )

    def dismissed_warning(self) -> Claim | None:
        """The first warning the locked timeline records before the impact was detected that was explained away or
        left alone ("Warning CPUThrottlingHigh on booking-api (41%); acknowledged as a noisy new alert"): what went
        wrong with detection (`cause_rows` also drafts such a row as a candidate factor). Only the scribe's rows
        count ("acked" in chat is too loose); who acknowledged it is dropped."""
        sig, detected = signals(), self.facts.detected
        for item in self.items:
            if not (item.is_timeline and _sign_before(item, detected)):
                continue
            if item.suspect or not (sig["dismissed"].search(item.text) and sig["early_warning"].search(item.text)):
                continue
            statement = self.fit_for_statement(_as_statement(ACKNOWLEDGED_BY_RE.sub("", item.text)))
            if statement:
                return Claim(text=f"{EARLY_WARNING_LEAD} {statement}", evidence=[item.id])
        return None

    def record_factors(self) -> list[ContributingFactor]:
        """A factor the record itself shows: a cause the channel says is still unknown."""
        sig = signals()
        factors: list[ContributingFactor] = []
        open_cause = (
            (item, self.sentence_matching(item, sig["cause_unknown"]))
            for item in self.chat
            if not item.suspect and sig["cause_unknown"].search(item.text)
        )
        unknown, sentence = next(((item, found) for item, found in open_cause if found), (None, None))
        if unknown is not None:
            if sentence:
                factors.append(
                    ContributingFactor(
                        statement=f"The cause was not established during the response: {sentence} ({CAUSE_OPEN})",
                        evidence=[unknown.id],
                        confidence=Confidence.low,
                    )
                )
        return factors

    def detected_by_people(self) -> Claim | None:
        """Impact that people reported before any alert fired: what went wrong with detection, not a contributing
        factor or a why-answer (on dev such a factor matched what the team wrote once in seven drafts)."""
        sig = signals()
        detected = self.facts.detected
        if not (detected and detected.time) or sig["detection"].search(detected.value):
            return None
        alerted = [
            item
            for item in self.items
            if item.time
            and item.time <= detected.time
            and sig["detection"].search(item.text)
            and not sig["detection_report"].search(item.text)
        ]
        if not sig["detection_report"].search(detected.value) or alerted:
            return None
        report = _as_statement(detected.value).rstrip(".")
        # who reported it is no part of the claim: a report that names someone is left out
        said = "" if MENTION_RE.search(report) or self.fit_for_statement(report) is None else f": {report}"
        return Claim(
            text=f"No alert fired before people reported the problem at {self.clock(detected.time)}{said} ({NO_ALERT}).",
            evidence=detected.evidence,
        )

    def unalerted_impact(self) -> list[ContributingFactor]:
        """The detection gap when people reported the impact before any alert fired, some minutes after it began
        (the record shows it; `detected_by_people`), and the channel agreed to alert on a signal: the factor teams
        name most often."""
        f = self.facts
        minutes = self.minutes_between(f.started, f.detected)
        if not minutes or minutes <= 0 or not f.detected:
            return []
        by_people = self.detected_by_people() is not None
        if not by_people and not (self.alert_detected(f.detected) and minutes >= LATE_ALERT_MINUTES):
            return []
        gap = unalerted_gap(self.action_items(), minutes, _ids([f.started, f.detected]), by_people=by_people)
        if gap is None or self.fit_for_statement(gap.statement) is None:
            return []  # a follow-up that names its owner in passing is no statement about the system
        self.missing_controls.add(gap.statement)  # a missing safeguard: it answers a safeguard why, not the mechanism
        return [gap]

    def sentence_matching(self, item: Evidence, pattern: re.Pattern[str]) -> str | None:
        """The sentence of a message that matches `pattern`, quoted and blameless; never a question or a plan
        ("this should resolve a number of unexplained issues")."""
        sentences = re.split(r"(?<=[.!?])\s+|\n", item.text.strip())
        found = next(
            (
                s.strip()
                for s in sentences
                if pattern.search(s)
                and not is_question_text(s)
                and not signals()["cause_unknown_not"].search(re.sub(r"[_*]", " ", s))
            ),
            None,
        )
        cleaned = self.fit_for_statement(found) if found and not self.unquotable(item) else None
        return f"\u201c{cleaned}\u201d" if cleaned else None

    def five_whys(self, factors: list[ContributingFactor], actions: list[ActionItem]) -> list[Why]:
        """Mechanism first (what the record established as the cause, the change), controls last.

        The last two whys ask about safeguards and the system. They are answered only from the record:
        a missing control the channel noted, and a preventive or detective action the channel proposed
        (quoted, with "the record names no such control", which the review confirms). A link the
        record does not give stays NOT_ESTABLISHED rather than being filled by an earlier answer.
        """
        # a missing safeguard answers a safeguard why, not the mechanism
        missing = [factor for factor in factors if factor.statement in self.missing_controls and not factor.disputed]
        chain = sorted(
            (
                factor
                for factor in factors
                if not factor.disputed and factor.confidence != Confidence.low and factor not in missing
            ),
            key=lambda factor: factor.statement.endswith(CHANGE_SUFFIX),
        )
        # Two factors found side by side are not cause and effect: only the leading one answers the first why, and
        # the change that preceded the impact answers the next one only when a cause row or statement ties the two
        # (it cites them). On dev, restating every factor down the chain made each wrong factor count twice.
        mechanism = [Claim(text=factor.statement, evidence=factor.evidence) for factor in chain[:1]]
        linked_change = [
            factor for factor in chain[1:] if factor.statement.endswith(CHANGE_SUFFIX) and len(factor.evidence) > 1
        ]
        mechanism += [Claim(text=factor.statement, evidence=factor.evidence) for factor in linked_change[:1]]
        controls = [Claim(text=factor.statement, evidence=factor.evidence) for factor in missing[:1]]
        proposed = self.proposed_control(actions)
        if proposed is not None:
            controls.append(proposed)
        answers: list[Claim | None] = [None] * len(WHY_QUESTIONS)
        for depth, claim in enumerate(mechanism[: len(WHY_QUESTIONS) - len(controls)]):
            answers[depth] = claim
        for offset, claim in enumerate(controls):
            answers[len(WHY_QUESTIONS) - len(controls) + offset] = claim
        gap = not_established("the review should name the control, process or design condition that allowed this")
        return [Why(question=question, answer=answer or gap) for question, answer in zip(WHY_QUESTIONS, answers)]

    def proposed_control(self, actions: list[ActionItem]) -> Claim | None:
        """The first preventive (else detective) action the channel proposed, as the systemic answer: only one
        from a list of follow-ups or a message the classifier reads as a proposal of work (never a test message
        or a stray line that happened to say "action items")."""
        for kind in (ActionType.preventive, ActionType.detective):
            for item in actions:
                source = item.evidence[0] if item.evidence else None
                reading = self.reading_of(source) if source else None
                proposed = source in self.listed_ids or (reading is not None and reading.label == ACTION_CLASS)
                if item.type == kind and proposed:
                    return Claim(text=f"{item.action.rstrip('.')} ({CONTROL_PROPOSED}).", evidence=item.evidence)
        return None

    @cached_property
    def readings(self) -> dict[str, Classification]:
        """The message classifier's reading of each chat message, by evidence ID (pipeline/classify.py)."""
        from pipeline.classify import classify

        messages = self.incident.chat.messages if self.incident.chat else []
        return {reading.message_id: reading for reading in classify(messages)}

    def reading_of(self, message_id: str) -> Classification | None:
        """The classifier's reading of one chat message: from `readings` when the whole channel was classified
        already, else of that message alone (the analysis asks about a few messages; a 500-message channel need
        not be classified for them)."""
        if "readings" in self.__dict__:
            return self.readings.get(message_id)
        if message_id not in self._single_readings:
            from pipeline.classify import classify

            messages = self.incident.chat.messages if self.incident.chat else []
            message = next((m for m in messages if m.id == message_id), None)
            self._single_readings[message_id] = classify([message])[0] if message is not None else None
        return self._single_readings[message_id]

    def proposes_work(self, message: Evidence) -> bool:
        """A scattered "we should ..." is an action item only when the classifier's first choice for the message
        is a proposal of follow-up work ("we should see recovery in a minute" is a status update; a message
        read first as status with a proposal as runner-up is left to the review: a gap costs less than junk)."""
        reading = self.readings.get(message.id)
        if reading is None or reading.label == ACTION_CLASS:
            return True
        # The classifier misses about a quarter of the proposals it never saw (blind recall 0.77): a safeguard's verb
        # after the cue, with nothing that makes it a step for now, is a proposal whatever the first choice.
        # The author's own dated commitment ("I'll write the runbook this week") says by itself that it is work for
        # later, whatever the first choice ("decision" for the retrained classifier).
        # A first choice of filler counts only when the classifier is confident of it ("longer term: move binlogs to
        # their own volume" read as noise at 0.43 by the retrained classifier, with a proposal as runner-up).
        sig = signals()
        return (reading.label not in FILLER_CLASSES or not reading.confident) and any(
            (
                sig["action_follow_up_verb"].search(line)
                or (sig["action_lead_self"].match(line) and sig["action_due"].search(line))
            )
            and not sig["action_now"].search(line)
            for line in message.text.splitlines()
        )

    @cached_property
    def action_owners(self) -> dict[str, set[str]]:
        """Message ID -> the owners of the drafted action items it is evidence for: "Marco, add a CI check" names
        its owner, which makes it an assignment, not a statement about a person."""
        owners: dict[str, set[str]] = {}
        for action in self.action_items():
            for ref in action.evidence:
                owners.setdefault(ref, set()).update(
                    name.strip() for name in (action.owner or "").split(",") if name.strip()
                )
        return owners

    def action_items(self) -> list[ActionItem]:
        """One row per follow-up the channel proposed: lists after "AIs:" / "Action items:" are split (commas on
        the header line, one bullet per line), "TODO(name):" and "we should" lines are one action each. An
        action the channel proposed twice (a "we should" later summarized in the list) is kept once, the
        list's version first."""
        return list(self._proposed_actions)

    @cached_property
    def _proposed_actions(self) -> tuple[ActionItem, ...]:
        """The action items, read from the chat once (the evidence index asks for their owners, the draft for
        the rows)."""
        items: list[ActionItem] = []
        wrap_up: Evidence | None = None  # a message going through the follow-ups: its author's requests that follow
        opened: Evidence | None = None  # a message that is only a list header ("AIs:"): its author's next lines
        counting: Evidence | None = None  # "follow-ups. First, ...": its author's "Second, ..." messages are items
        announced: Evidence | None = None  # "Let's do the follow-ups.": items said in the next fifteen minutes
        for message in sorted(self.chat + self.app_posts, key=lambda item: _id_key(item.id)):
            if not message.suspect and (ticket := signals()["action_ticket_created"].search(message.text)):
                if signals()["ticket_for_the_incident"].match(ticket["title"]):
                    continue  # "created CLM-807: Incident record: claim submission failures": the incident's own ticket
                owner = f" (owner: {ticket['owner']})" if ticket["owner"] else ""
                due = f" due {ticket['due']}" if ticket["due"] else ""
                if (item := self.parse_action(ticket["title"] + owner + due, message, listed=True)) is not None:
                    items.append(item)
                continue
            if message.suspect or is_bot(message.author, message.kind):
                continue
            if opened is not None and not _follows(message, opened):
                opened = None
            if counting is not None and not _within(message, counting):
                counting = None  # others answer between the items ("yes, I'll take that one"); ten quiet minutes end it
            if counting is not None and message.author == counting.author and ORDINAL_RE.match(message.text.strip()):
                # "Second, the payout run must stop if ... Samuel and Wanjiru.": the next item of the list ("Five,
                # rotate the key tonight. And six, ...": each ordinal of the message starts one)
                for piece in _read_out_by_number(message.text):
                    if item := self.parse_action(self.spoken_item(piece, message), message, listed=True):
                        items.append(item)
                        self.listed_ids.add(message.id)
                        self.summary_ids.add(counting.id)
                counting = message
                continue
            if signals()["action_wrap_up_cue"].search(message.text) and self.after_mitigation(message):
                wrap_up = message
            if (
                (signals()["action_wrap_up_announced"].match(message.text.strip()) or _announced_last(message.text))
                and not message.text.rstrip().endswith(":")  # "AIs:" opens a list its author posts; handled below
                and self.after_mitigation(message)
            ):
                announced = message
                if _opens_list(message.text):
                    opened = message  # "follow-ups while we're all here": its author's next lines are the list's
                continue  # "Let's do the follow-ups.": the items are said after it
            if (first := _announced_with_first_item(message.text)) and self.after_mitigation(message):
                announced = message  # "Okay, follow-ups before we close. Ciara, can you write these down ...?"
                if pieces := _read_out_by_number(first):
                    # "Okay, let me read the actions so Priya has them. One, Kobus: move ... Two, Ruan: ..."
                    items += self.read_out_items(pieces, message)
                    continue
                if said := self.wrap_up_item(replace(message, text=first), message):
                    items.append(said)  # "Okay, so action items. Raf, you'll add a login scenario ...": the first item
                    continue
            if (
                announced is not None
                and message.author == announced.author
                and _within(message, announced, 15)
                and (pieces := _read_out_by_number(message.text))
            ):
                # "Right, wrap-up, and Tom please minute these." / "One. Kwame: change every route filter ... Two. ..."
                items += self.read_out_items(pieces, message)
                continue
            if (
                announced is not None
                and _within(message, announced, 15)
                and (said := self.wrap_up_item(message, announced))
            ):
                items.append(said)
                continue
            in_wrap_up = wrap_up is not None and message.author == wrap_up.author and _within(message, wrap_up, 15)
            asks_to_own = OWN_REQUEST_RE.search(message.text) is not None and self.after_mitigation(message)
            # a message that holds the list itself ("AIs: - @ale do X - @ste do Y") is read as a list below
            holds_a_list = sum(1 for line in message.text.splitlines() if LIST_LINE_RE.match(line)) >= 2
            requested = in_wrap_up or asks_to_own  # else a request after recovery needs an answer owning the work
            if (
                (requested or self.after_mitigation(message))
                and not holds_a_list
                and (assigned := self.assigned_request(message, owned_only=not requested))
            ):
                items.append(assigned)
                continue
            if (claimed := self.claimed_request(message)) is not None:
                items.append(claimed)
                continue
            assignment = signals()["action_list_assignment"].search(message.text)
            if assignment:  # "assign both to @sam": the owner of the list, not an action of its own
                message = replace(message, text=message.text[: assignment.start()] + message.text[assignment.end() :])
            texts = self.action_texts(message, continues_list=opened is not None)
            if _opens_list(message.text):
                opened = message
            if _lone_first_ordinal(message.text) is not None and self.names_a_list(message):
                counting = message
            parsed = [self.parse_action(text, message, listed=listed) for text, listed in texts]
            parsed = [item for item in parsed if item is not None]
            if assignment and (owners := self.owners_named(assignment["owner"], message.author)):
                covered = {"two": 2, "three": 3, "four": 4}.get((assignment["which"] or "").lower(), len(parsed))
                parsed = [
                    item.model_copy(update={"owner": ", ".join(owners)}) if index < covered and not item.owner else item
                    for index, item in enumerate(parsed)
                ]
            items += parsed
        items += self.timeline_follow_ups()
        # "mate, that's the prod key in the channel, rotate it after" read as an action is a remark that names no
        # secret: the rotation row names them instead
        vague = [item for item in items if signals()["rotation_request"].search(item.action)]
        vague = [item for item in vague if not ROTATE_STEP_RE.match(item.action) and not _secrets_named(item.action)]
        named = [item for item in items if item not in vague]
        rotation = self.secret_rotation(named)
        if rotation or (vague and any(signals()["rotation_request"].search(item.action) for item in named)):
            items = named  # a row that names the secrets says it already
        items = self.without_withdrawn(self.corrected(self.taken_by_number(items)))
        # a list of follow-ups that leaves the rotation out has not settled it: the row stays after the list
        rows = _distinct_actions(self.summarized_by_list(self.labels_said_in_full(items)), listed=self.listed_ids)
        return tuple([*rows, rotation] if rotation else rows)

    def timeline_follow_ups(self) -> list[ActionItem]:
        """Rows the scribe locked as follow-ups ("Post-incident: Paolo to move consumer restart warnings out of
        #relay-alerts", "Follow-up for CS, owner Magda: extend the pickup deadline ..."): action items citing the
        row, with the owner its label names."""
        rows: list[ActionItem] = []
        for row in self.items:
            said = signals()["timeline_follow_up"].match(row.text) if row.is_timeline else None
            if said is None:
                continue
            owner = f" (owner: {said['owner']})" if said["owner"] else ""
            if item := self.parse_action(said["action"].strip() + owner, row, listed=True):
                rows.append(item)
        return rows

    def taken_by_number(self, items: list[ActionItem]) -> list[ActionItem]:
        """Numbered ideas and the answer that takes some by number ("taking 1, 3 and 4; 2 is out of scope for this
        one. 1 @maxime, 3 @priya.k, 4 me"): one row per idea taken, with the owner the answer gives it; rows drafted
        from the ideas themselves go, so an idea left out ("2) we should move off Cadence") is no action."""
        sig = signals()
        for message in self.chat:
            taken = None if message.suspect else sig["action_ideas_taken"].search(message.text)
            if taken is None:
                continue
            numbers = [int(number) for number in re.findall(r"\d{1,2}", taken["numbers"])]
            ideas = self.numbered_ideas(message)
            if len(ideas) < 2 or not set(numbers) <= set(ideas):
                continue
            sources = {source.id for _, source in ideas.values()}
            items = [item for item in items if item.evidence[0] not in sources]
            owners = {int(said["number"]): said["who"] for said in IDEA_OWNER_RE.finditer(message.text[taken.end() :])}
            for number in numbers:
                text, source = ideas[number]
                who = owners.get(number, "")
                who = message.author if who.lower() in ("me", "myself") and message.author else who.lstrip("@")
                if item := self.parse_action(text + (f" (owner: {who})" if who else ""), source, listed=True):
                    items.append(item)
                    self.listed_ids.add(source.id)
        return items

    def numbered_ideas(self, answer: Evidence) -> dict[int, tuple[str, Evidence]]:
        """The numbered ideas posted in the hour before `answer`, by number: one per message ("3) key the cache on
        feed_version ...") or one per line of a list; a number posted again replaces the earlier idea."""
        ideas: dict[int, tuple[str, Evidence]] = {}
        for message in self.chat:
            if message is answer or message.suspect or not message.time or not answer.time:
                continue
            if not answer.time - timedelta(minutes=60) <= message.time <= answer.time:
                continue
            for line in message.text.splitlines():
                if idea := NUMBERED_IDEA_RE.match(line):
                    ideas[int(idea["number"])] = (idea["text"], message)
        return ideas

    def corrected(self, items: list[ActionItem]) -> list[ActionItem]:
        """Items their author corrected within ten minutes ("no wait, make that "all three sites" not "Kassel""): the
        words named are replaced in that author's latest item that holds them."""
        for message in self.chat:
            fix = (
                None if message.suspect or message.time is None else signals()["action_corrected"].search(message.text)
            )
            if fix is None:
                continue
            own = [
                (posted, index)
                for posted, index in self.own_recent_items(items, message)
                if fix["old"].lower() in items[index].action.lower()
            ]
            if own:
                index = max(own)[1]
                action = re.sub(re.escape(fix["old"]), fix["new"], items[index].action, count=1, flags=re.IGNORECASE)
                items[index] = items[index].model_copy(update={"action": action})
        return items

    def without_withdrawn(self, items: list[ActionItem]) -> list[ActionItem]:
        """Items their author took back ("hmm, my status page one: scratch that ACTION, already exists": each
        retraction drops that author's latest item posted in the ten minutes before it) or the channel declined."""
        dropped: set[int] = set()
        for message in self.chat:
            if message.time is not None and (numbered := signals()["action_retracted_number"].search(message.text)):
                dropped |= self.numbered_item(items, message, int(numbered["number"]), dropped)
                continue
            if message.time is None or not signals()["action_retracted"].search(message.text):
                continue
            own = [
                (posted, index)
                for posted, index in self.own_recent_items(items, message)
                if index not in dropped and posted < message.time
            ]
            if own:
                dropped.add(max(own)[1])
        proposed_at = sorted(
            posted.time for item in items if (posted := self.by_id.get(item.evidence[0])) and posted.time
        )
        return [
            item for index, item in enumerate(items) if index not in dropped and not self.declined(item, proposed_at)
        ]

    def numbered_item(self, items: list[ActionItem], message: Evidence, number: int, dropped: set[int]) -> set[int]:
        """{index} of the item `number` of the last list posted in the fifteen minutes before `message` ("drop row 3,
        that's already done"; a second "dropping row 3" drops nothing more); empty when there is none."""
        lists = [
            posted
            for posted in self.chat
            if posted.id in self.listed_ids
            and posted.time is not None
            and message.time is not None
            and message.time - timedelta(minutes=15) <= posted.time <= message.time
            and posted is not message
        ]
        if not lists:
            return set()
        rows = [index for index, item in enumerate(items) if item.evidence[0] == lists[-1].id]
        if not 1 <= number <= len(rows) or rows[number - 1] in dropped:
            return set()
        return {rows[number - 1]}

    def own_recent_items(self, items: list[ActionItem], message: Evidence) -> list[tuple[datetime, int]]:
        """(posted at, index) of the items `message`'s author posted in the ten minutes up to it: what a retraction or
        a correction of theirs can mean."""
        if message.time is None:
            return []
        return [
            (posted.time, index)
            for index, item in enumerate(items)
            if (posted := self.by_id.get(item.evidence[0])) is not None
            and posted.author == message.author
            and posted.time is not None
            and message.time - timedelta(minutes=10) <= posted.time <= message.time
        ]

    def declined(self, item: ActionItem, proposed_at: Sequence[datetime] = ()) -> bool:
        """A follow-up proposed in passing that the next answer declines ("We should also load test the callback
        path ..." / "Park that for the retro. Not taking it as an item tonight."). An answer after another proposal
        (`proposed_at`: when each was posted) answers that one: a tracker's five tickets and a "no." to the fifth."""
        proposed = self.by_id.get(item.evidence[0])
        if proposed is None or proposed.id in self.listed_ids:
            return False
        answer = self.reply_to(proposed, minutes=10)
        if answer is None or any(proposed.time < moment < answer.time for moment in proposed_at):
            return False
        return signals()["action_declined"].search(answer.text) is not None

    def names_a_list(self, message: Evidence) -> bool:
        """The message says what its spoken ordinals list ("follow-ups. First, ..."), or, once the harm has stopped,
        that they are the plan ("So the plan is: one, the DBA team will add a check ...")."""
        sig = signals()
        return sig["action_ordinal_list_cue"].search(message.text) is not None or (
            sig["action_plan_cue"].search(message.text) is not None and self.after_mitigation(message)
        )

    def after_mitigation(self, message: Evidence) -> bool:
        """Posted once the harm had stopped (or when no mitigation time is known): a wrap-up, not the response."""
        mitigated = self.facts.mitigated
        return mitigated is None or mitigated.time is None or message.time is None or message.time >= mitigated.time

    def wrap_up_item(self, message: Evidence, announced: Evidence) -> ActionItem | None:
        """An item said in an announced wrap-up with its owner: "Mine: a regression test ..." or "I'll take the alert
        ..." (the speaker's), "Femi: retry budget on ..." by the one who announced it, "Femi, you take ...", "Ana owns
        ..." (the person named)."""
        said = signals()["action_wrap_up_item"].match(message.text.strip())
        if said is None or message.suspect or is_bot(message.author, message.kind):
            return None
        if said["mine"] or said["work_mine"]:
            owners = [self.roster.resolve(message.author) or message.author] if message.author else []
            what = said["what_mine"] or said["work_mine"]
            if said["mine"] and CLAIMED_ITEM_RE.match(what):
                return None  # "i'll take the min version one to product": a claim on an item listed already
        else:
            dictated = said["how"].strip() in (":", ",")
            speaker = (self.roster.resolve(message.author) or message.author) if message.author else None
            own_name = said["how"].strip() == ":" and self.owners_named(said["who"]) == [speaker]
            if dictated and message.author != announced.author and not own_name:
                # "Femi: ..." or "Femi, ..." from anyone else is a remark addressed to Femi; "Ravi: the smoke test
                # becomes blocking" said by Ravi is his own item, dictated "owner first" as the wrap-up asked
                return None
            if said["how"].strip() == "," and not signals()["action_wrap_up_addressed_work"].search(said["what"]):
                return None  # "Tom, thanks for jumping on": addressed, but no work
            owners = self.owners_named(said["who"])
            what = said["what"]
        if len(owners) != 1 or len(what.split()) < 3:
            return None
        return self.parse_action(f"{what} ({owners[0]})", message, listed=True)

    def assigned_request(self, message: Evidence, owned_only: bool = False) -> ActionItem | None:
        """A follow-up put to a named person during a wrap-up ("Priyanka, can you make the writer refuse a mode config
        ...?", "Tomás, an alert when a scan records nothing for five minutes?") and taken by that person in their next
        message within ten minutes ("Yes, I'll take that.", "Mine."): one action, theirs, citing both messages.
        `owned_only` (a request after the harm stopped, outside a wrap-up): only an answer that says the work is theirs
        ("yes. I'll add a 02:00-08:00 deploy freeze to the pipeline, mine") takes it; a plain "yes" may be a step of
        the recovery."""
        sig = signals()
        for sentence in _sentences(message.text):
            asked = ASSIGNED_REQUEST_RE.match(sentence)
            if asked is None or len(asked["what"].split()) < 3:
                continue
            owners = self.owners_named(asked["who"] or asked["handle"])
            if len(owners) != 1 or owners[0] == (self.roster.resolve(message.author) or message.author):
                continue
            answer = self.reply_to(message, minutes=10, by=owners[0])
            if answer is None or answer.suspect:
                continue
            claimed = sig["action_claimed"].match(answer.text) is not None
            if owned_only and not (claimed or OWNED_AT_END_RE.search(answer.text)):
                continue
            if not (claimed or sig["action_assent"].match(answer.text)):
                continue  # "Yes, I'll take that.", "Mine." (a claim) or "Ja, I do it.", "sure" (assent)
            what = re.sub(r"^(?:own|take on|open a ticket for|file a ticket for)\s+", "", asked["what"], flags=re.I)
            item = self.parse_action(f"{what} ({owners[0]})", message, listed=True)
            if item is not None and item.owner:
                return item.model_copy(update={"evidence": [message.id, answer.id]})
        return None

    def claimed_request(self, message: Evidence) -> ActionItem | None:
        """A follow-up offered to the room and taken ("can someone own a firmware compatibility test for new analyzer
        versions?" / "I'll take it" from someone else within ten minutes): one action, owned by who took it, citing
        both messages. An offer nobody takes stays out: a gap costs less than an owner invented."""
        sig = signals()
        wanted = sig["action_owner_wanted"].match(message.text.strip())
        if wanted is None:
            return None
        taker = self.reply_to(message, minutes=10)
        if taker is None or not taker.author or taker.suspect or not sig["action_claimed"].match(taker.text.strip()):
            return None
        item = self.parse_action(f"{wanted['what']} ({taker.author})", message, listed=True)
        return item.model_copy(update={"evidence": [message.id, taker.id]}) if item and item.owner else None

    def secret_rotation(self, items: list[ActionItem]) -> ActionItem | None:
        """The rotation the channel asked for when someone shared a secret ("key in channel, rotate after pls",
        "that goes on the rotation list"), when nobody reported it done later ("FCM key rotated": a request after
        that must name another secret) and no action already rotates it: one row naming the kinds of secret the
        redaction removed, citing the requests. A request counts only after a redacted secret, or when it says the
        secret was shared ("don't read passwords out, we rotate it after"): "log rotation" is no secret."""
        sig = signals()
        if any(sig["rotation_request"].search(item.action) or ROTATE_STEP_RE.match(item.action) for item in items):
            return None
        redacted: list[str] = []  # what each pasted secret is called, from its redacted kind
        pasted: list[Evidence] = []
        requests: list[Evidence] = []
        settled = False  # a rotation reported done settles what was shared and asked before it
        for message in self.chat:
            if message.suspect:
                continue
            if sig["rotation_done"].search(message.text):
                pasted, redacted, requests, settled = [], [], [], True
                continue
            if (
                _asks_rotation(message.text)
                and (pasted or sig["secret_shared"].search(message.text) or _secrets_named(message.text))
                and (not settled or _secrets_named(message.text))
            ):
                # after a rotation was done, only a request that names its secret ("the break-glass password I read
                # out, I'll rotate it today") is another one
                requests.append(message)
            if kinds := _redacted_secrets(message.text):
                pasted.append(message)
                if not _secrets_named(message.text):
                    redacted += kinds
        if not requests:
            return None
        names = [name for message in requests for name in _secrets_named(message.text)]
        names += [name for message in self.chat if message in pasted for name in _secrets_named(message.text)]
        names = [name for name in names if not self.names_a_person(name)]  # "Liko password": whose, not which
        heads = {name.split()[-1].lower() for name in names}  # "db password" named: a pasted DSN adds nothing
        # a kind only the redaction knows ("the secret") adds nothing beside the names the channel used
        redacted = [
            name for name in redacted if name.split()[-1].lower() not in heads and not (names and name == "secret")
        ]
        names = _widest(names + redacted)[:3]
        names = names or ["secrets"]
        what = " and ".join(", ".join(f"the {name}" for name in names).rsplit(", ", 1))
        spoken = any(SPOKEN_RE.search(message.text) for message in requests)
        where = "read out on the call" if spoken else "pasted in the incident channel"
        text = f"Rotate {what} {where}"
        return ActionItem(action=text, type=classify_action(text), evidence=[m.id for m in requests[:3]])

    @cached_property
    def chat_order(self) -> dict[str, int]:
        """Each chat message's position, by evidence ID: what came before what."""
        return {message.id: position for position, message in enumerate(self.chat)}

    def labels_said_in_full(self, items: list[ActionItem]) -> list[ActionItem]:
        """A list's terse row ("vendor release notice, retro topic", "canary wave includes every hw gen") names a
        proposal said in full outside the list, before it or in the ticket filed after it ("we need KlinikaCloud
        (and the other EMR vendors) to give us advance notice of releases that change Rx field content"): the row
        takes the full wording, keeping the list's owner and due date, and cites both messages; the proposal is no
        row of its own."""
        order = self.chat_order
        recaps = {  # "TODOs so far: key rotation, firmware rejection reporting": labels summarized_by_list drops
            source
            for source in {item.evidence[0] for item in items} & self.listed_ids
            if _names_earlier_items(
                [item.action for item in items if item.evidence[0] == source],
                [item.action for item in items if order.get(item.evidence[0], -1) < order.get(source, -1)],
            )
        }
        merged: set[int] = set()
        said: dict[int, ActionItem] = {}
        for index, row in enumerate(items):
            stems = _stems(row.action)
            listed = row.evidence[0] in self.listed_ids - recaps
            if not listed or len(WORD_RE.findall(row.action)) > LABEL_WORDS or len(stems) < 2:
                continue
            candidates = [
                (len(stems & _stems(other.action)), position)
                for position, other in enumerate(items)
                if position not in merged
                and other.evidence[0] not in self.listed_ids
                and len(_stems(other.action)) > len(stems)
            ]
            shared, position = max(candidates, default=(0, -1))
            if shared < 2 or shared < 0.6 * len(stems):
                continue
            earlier = items[position]
            merged.add(position)
            said[index] = row.model_copy(
                update={
                    "action": earlier.action,
                    "owner": row.owner or earlier.owner,
                    "due": row.due or earlier.due,
                    "evidence": list(dict.fromkeys(row.evidence + earlier.evidence)),
                }
            )
        return [said.get(index, row) for index, row in enumerate(items) if index not in merged]

    def summarized_by_list(self, items: list[ActionItem]) -> list[ActionItem]:
        """A team that writes its follow-ups as a list ("AIs:", "Action items:") has summarized what it proposed
        before: a scattered "we should" / "we need to" posted earlier was either taken into the list or left
        out of it (a step of the response, an idea dropped), so only the list and what came after it stay. A
        list is two or more actions; a one-line "follow-up: ..." summarizes nothing."""
        order = self.chat_order
        # a recap that only names what was proposed ("the bigint migration for Hamza, the runbook for Zainab")
        # drafts no row of its own, so it summarizes nothing: the proposals it names stay
        drafted = {item.evidence[0] for item in items}
        last_list = max((order[ref] for ref in self.summary_ids if ref in order and ref in drafted), default=None)
        if last_list is None or signals()["action_list_adds_to_earlier"].search(self.chat[last_list].text):
            return items  # "actions agreed (on top of the two ticketed earlier):" keeps what came before
        summary = self.chat[last_list]
        rows = [item.action for item in items if item.evidence[0] == summary.id]
        earlier = [item.action for item in items if order.get(item.evidence[0], last_list) < last_list]
        if _names_earlier_items(rows, earlier):
            # "TODOs so far: key rotation, firmware rejection reporting, OTA allowlist": labels of the items posted
            # before, which say them in full; the labels are no rows of their own
            return [item for item in items if item.evidence[0] != summary.id]
        # the list's lines that drafted no row of their own ("+ pin default_storage (bruno), 409 on the dashboard +
        # alert (guto)"): what they name in a few words was proposed earlier, so that proposal stays
        unread = [line for line in summary.text.splitlines() if not any(_overlap(row, line) >= 2 for row in rows)]
        return [
            item
            for item in items
            if item.evidence[0] in self.listed_ids | self.recorded_ids
            or order.get(item.evidence[0], last_list) >= last_list
            or any(_overlap(item.action, line) >= 2 for line in unread)
        ]

    def action_texts(self, message: Evidence, continues_list: bool = False) -> list[tuple[str, bool]]:
        """The action texts of one message, each with whether it is an item of a list; a message holding a list
        (header or bullets) joins `listed_ids`. `continues_list`: the author's previous message was a bare
        header, so bullets here belong to it."""
        sig = signals()
        if dictated := sig["action_dictated"].search(message.text):
            # "Jonas, please note for the postmortem: no firmware rollout to all sites at once anymore.": one item
            return [(message.text[dictated.end() :].strip(), True)]
        if rows := _table_items(message.text):  # "| Action | Owner | Due |" pasted into the channel
            self.listed_ids.add(message.id)
            return [(row, True) for row in rows]
        # "TODO(isol): add retention. TODO(rob_f): alert on heap": one line, two actions
        lines = [part for line in message.text.splitlines() for part in TODO_SPLIT_RE.split(line.strip())]
        lines = [_from_list_header(line.strip()) for line in lines]
        lines = [line for line in lines if line]
        texts: list[tuple[str, bool]] = []
        in_list = continues_list
        under_header = False  # the lines after a bare "Follow-ups:" line of the same message are its items
        # once the items are bullets or numbers, a plain line after them ("Please object by ...") ends them
        listed_line = False
        recorded = 0  # "TODO(name): ..." lines outside a list
        says_what_it_lists = self.names_a_list(message)
        for line in lines:
            ordinals = list(ORDINAL_RE.finditer(line))
            if says_what_it_lists and (first := _lone_first_ordinal(line)):
                # "Before we close, follow-ups. First, the import must ... Dennis, can you own that?": the first item
                # of a list read out one message at a time (the author's "Second, ..." messages follow)
                texts.append((self.spoken_item(line[first.end() :], message), True))
                continue
            if len(ordinals) >= 2 and says_what_it_lists:
                # "... let me read out the follow-ups. First, we add ..., Second, Kwame will ...": from the first on
                texts += [(piece, True) for piece in _split_list(line[ordinals[0].start() :].lstrip(" .;,"))]
                in_list = False
                continue
            marked = line.lstrip(" -*\u2022\t")
            if DONE_CHECKBOX_RE.match(marked) and DONE_RE.search(marked):
                continue  # "[x] disable double-submit (done during the incident)": not follow-up work
            bullet = CHECKBOX_RE.sub("", marked).strip()  # "- [ ] add an alert"
            numbered = re.sub(r"^\d+[.)]\s+", "", bullet)
            # "AI (rosa): ..." is one action with its owner, not a list header
            header = None if sig["action_owner_todo"].match(bullet) else sig["action_list_header"].match(line)
            if (
                header is None
                and (spoken := SPOKEN_LIST_HEADER_RE.match(line))
                and (said := _spoken_items(line[spoken.end() :]))
            ):
                # "AIs, quickly. Make rollover resumable, Ciarán, by the ninth. Own memory limit per job, Declan."
                texts += [(item, True) for item in said]
                continue
            if header is None and bullet == line and _names_a_list(line):
                # "Action items, please correct me if anything is missing:": the lines after it are the items
                in_list, under_header = True, True
                continue
            if header:
                in_list = True
                rest = line[header.end() :].strip()
                single = sig["action_single_header"].match(line)
                if single and single["who"] and rest:
                    rest = f"{single['who']}: {rest}"  # "action item for sam: ..." names its owner
                pieces = _split_list(rest)
                if single and not (
                    TODO_HEADER_RE.match(line)
                    and len(pieces) >= 2
                    and not any(CONTINUATION_RE.match(piece) for piece in pieces)
                ):
                    pieces = [rest]  # "follow-up: add X, or Y" is one action; "TODO: bump X, alert on Y" is two
                texts += [(piece, True) for piece in pieces] if rest else []
                under_header = not rest
            elif in_list and (
                numbered != line
                or bullet != line
                or (under_header and not listed_line)
                or sig["action_owner_todo"].search(line)
            ):
                texts.append((numbered, True))
                listed_line = listed_line or numbered != line or bullet != line
            elif OPEN_CHECKBOX_RE.match(marked) and len(bullet.split()) >= 3:
                # "[ ] add a 2 s timeout on the fraudscore call — Pieter": a task posted on its own
                texts.append((bullet, True))
            elif sig["action_owner_todo"].match(bullet) and len(bullet.split()) >= 3 and not is_question_text(bullet):
                # "TODO(piotr): vendor case to Tagora ...": an item recorded with its owner, which a later list
                # summarizes nothing of; the line alone is no list
                texts.append((bullet, True))
                recorded += 1
            elif (
                sig["action_cue"].search(line)
                and not is_question_text(line)
                and not sig["action_not_follow_up"].search(line)  # "let us agree the follow-ups": the list, not one
                and (sig["action_explicit"].search(line) or self.proposes_work(message))
            ):
                texts.append((line, False))
                in_list = False
            else:
                in_list = in_list and (bullet != line)
        if sum(listed for _, listed in texts) > recorded:
            self.listed_ids.add(message.id)
        elif recorded:
            self.recorded_ids.add(message.id)
        if sum(listed for _, listed in texts) - recorded >= 2 or (continues_list and texts):
            self.summary_ids.add(message.id)
        return texts

    def parse_action(self, line: str, message: Evidence, *, listed: bool = False) -> ActionItem | None:
        """One action row from one action text, or None when it is no follow-up work. A list's item may be two
        words ("add node-problem-detector"); a proposal made in passing needs three."""
        sig = signals()
        if sig["action_piece_not_work"].match(line):
            return None  # "both next sprint": when, for the pieces before it
        if listed:
            line = self.owner_said_first(line, message)  # "Kip, page on-call on restarts": a list item's owner
        if message.author and not is_bot(message.author, message.kind):
            # "(owner: me)", "Owner me": the one who wrote it
            line = OWNER_ME_RE.sub(lambda said: f"{said['key']} {message.author}", line)
        owners: list[str] = []
        text = line
        due_match = sig["action_due"].search(line)
        priority_match = sig["action_priority"].search(line)
        if due_match:  # the due date has its own column; "(rosa) due 2025-10-17" still ends with its owner
            text = " ".join((text[: due_match.start()] + " " + text[due_match.end() :]).split()).rstrip(" ,;")
        if (mine := sig["action_owner_self"].search(text)) and message.author and not is_bot(message.author):
            owners.append(self.roster.resolve(message.author) or message.author)  # "..., I'll own that"
            text = text[: mine.start()].strip()
        for key in (
            "action_owner_todo",
            "action_owner_labelled",
            "action_owner_leading",
            "action_owner_dash",
            "action_owner_trailing",
            "action_owner_after",
        ):
            match = sig[key].search(text)
            owner_text = match and (match["owner"] or match.groupdict().get("bracketed"))
            if match and (named := self.owners_named(owner_text, message.author)):
                owners += named
                text = (text[: match.start()] + " " + text[match.end() :]).strip()
                if key == "action_owner_dash" and match["rest"]:
                    text += " " + match["rest"].strip()
        if listed and (none := sig["action_owner_none"].search(text)):
            text = text[: none.start()].strip()  # "...: owner TBD, I'll find someone": no owner yet
        if (
            listed
            and not owners
            and (tail := sig["action_owner_tail"].search(text))
            and (named := self.owners_named(tail["owner"], message.author))
        ):
            owners += named  # "alert on BOR / reset rate per fw + hw gen: Ola", "... — Benja, esta semana"
            text = text[: tail.start()].strip()
        for owner_match in sig["action_owner"].finditer(text) if not owners else ():
            owners = self.owners_named(owner_match["owner"] or owner_match["mention"])
            if owners:
                # "... builds. owner Harjit": the owner has its column ("(owner X, due Y)" goes with its brackets)
                if owner_match["owner"] and not owner_match.group(0).startswith("("):
                    rest = re.sub(r"^\s*[,;]", " ", text[owner_match.end() :])  # "Owner: Rosa, P1."
                    text = (text[: owner_match.start()] + " " + rest).strip()
                break
        for mention in list(re.finditer(r"(?<![\w@])@(?P<handle>[A-Za-z][\w.-]*[\w])", text)) if not owners else ():
            if named := self.owners_named(mention["handle"]):  # "add a canary stage @sam by Friday"
                owners += named
                said = mention.group(0)
                rest_of_name = named[0][len(mention["handle"]) :] if named[0].startswith(mention["handle"]) else ""
                if rest_of_name and text[mention.end() :].startswith(rest_of_name):
                    said += rest_of_name  # a Slack mention resolves to the whole display name: "@Liam McAllister"
                text = text.replace(said, " ")
        if not owners and (last := COMMA_OWNER_RE.search(text)) and (named := self.owners_named(last["who"])):
            owners += named  # "put the rule in the terraform code, Paolo": a list item read out with its owner
            text = text[: last.start()]
        text = " ".join(re.sub(r"\(\s*\)", " ", text).split())
        text = re.sub(r"\((?:[^()]*\b(?:owner|due|P[0-4]|today|tomorrow)\b[^()]*)\)", "", text)
        text = sig["action_owner_todo"].sub("", text)
        cue = sig["action_cue"].search(text)
        proposed_in_passing = bool(cue and cue.group().lower().startswith("we "))
        if proposed_in_passing:  # "IMO we should switch it": the proposal is what follows
            text = re.split(r"\bwe (?:should|need to)\b", text[cue.end() :], flags=re.IGNORECASE)[
                0
            ]  # up to the next one
        else:
            text = sig["action_cue"].sub("", text, count=1)
        text = " ".join(text.split())
        text = FILLER_START_RE.sub("", text).strip(" .:;,-\u2014\u2013")
        if (lead := sig["action_lead_self"].match(text)) and message.author and not is_bot(message.author):
            owners.append(self.roster.resolve(message.author) or message.author)
            text = text[lead.end() :]
        elif listed and not owners and (team := self.team_lead(text)):
            owners.append(team[0])
            text = team[1]
        text = sig["action_lead_we"].sub("", text, count=1)
        text, *after = SENTENCE_END_RE.split(
            text, maxsplit=1
        )  # "Alert on lock waits. We only found out ...": the action
        first = LOWER_SENTENCE_END_RE.split(text, maxsplit=1)[0] if proposed_in_passing else text
        if len(first.split()) >= 6:  # "deploy to one place. the LB and the ingress got ...": too short alone
            text = first
        if after and not owners and (who := TRAILING_OWNER_RE.match(after[0])):
            owners += self.owners_named(who["who"], message.author)  # "... stored. Zahra, by the sixth of May."
        text = sig["statement_residue"].sub("", text).strip(" .:;,-\u2014\u2013")
        text = sig["action_commentary"].sub("", text).strip(" .:;,-\u2014\u2013")
        # "the gap we need to look at, not who wrote it": a "we should" in passing proposes work only in a clause
        # of its own; a list's terse items ("Capacity request, 2 hosts") are actions as written.
        head = re.split(r"[,;:(]", text, maxsplit=1)[0] if proposed_in_passing else text
        if (
            len(head.split()) < (2 if listed else 3)
            or is_question_text(text)
            or sig["action_piece_not_work"].match(text)  # "follow-ups before we close": only when, no work
            or sig["action_not_follow_up"].search(text)
            or sig["action_pronoun_object"].search(text)
            or sig["action_state_not_work"].search(text)
        ):
            return None
        # "revoke Andrés's vault token": whose secret was pasted is no part of the work, and a name would withhold it
        text = SECRET_OWNER_RE.sub(
            lambda m: "the pasted " + m["secret"] if self.names_a_person(m["who"]) else m[0], text
        )
        text = " ".join(SPOKEN_FILLER_RE.sub("", text).split())  # "the warning that I, um, acked"
        action = self.fit_for_statement(sentence_case(text), owners=owners)
        if action is None:
            return None
        priority = None
        if priority_match:
            priority = priority_match["priority"] or priority_match["word"].capitalize()
        due = (
            (due_match["due"] or due_match["bare"] or due_match["dated"] or due_match["trailing"])
            if due_match
            else None
        )
        return ActionItem(
            action=action,
            owner=", ".join(dict.fromkeys(owners)) or None,
            due=due,
            priority=priority.upper() if priority and priority.startswith(("p", "P")) else priority,
            type=classify_action(action),
            evidence=[message.id],
        )

    def team_lead(self, text: str) -> tuple[str, str] | None:
        """(owner, action) of a list item that opens with the team or rota that will do it: "Diego's team keeps the
        statement timeout at 25 s" -> ("Diego Paredes's team", "keep the statement timeout at 25 s")."""
        lead = signals()["action_lead_team"].match(text)
        if lead is None:
            return None
        if lead["person"]:
            named = self.owners_named(lead["person"])
            if not named:
                return None
            owner = f"{named[0]}'s team"
        else:
            owner = " ".join((lead["team"] or lead["rota"]).split())
            owner = re.sub(r"^the\s+", "", owner, flags=re.IGNORECASE)
        rest = text[lead.end() :]
        if verb := lead["verb"]:  # "keeps" -> "keep", "pushes" -> "push"
            rest = (verb[:-2] if re.search(r"(?:sh|ch|ss|x)es$", verb) else verb[:-1]) + " " + rest
        return owner, rest

    def read_out_items(self, pieces: list[str], message: Evidence) -> list[ActionItem]:
        """The items of a wrap-up read out by numbers, one per piece: "Kwame: change every route filter ..." is
        Kwame's, "KraanPlan has to show the real solver status. Sanne, can you own that?" takes its owner from the
        next sentence (`spoken_item`)."""
        read: list[ActionItem] = []
        for piece in pieces:
            head, colon, what = piece.partition(": ")
            if colon and len(head.split()) <= 4 and (owners := self.owners_named(head, message.author)):
                piece = f"{_labelled(what)} ({', '.join(owners)})"  # "Ruan with QA: add ...", "me and Ayesha: ..."
            elif colon and SPOKEN_NAME_RE.match(head):
                piece = self.spoken_item(_labelled(what), message)  # "Kobus: ...": a name the roster does not hold
            else:
                piece = self.spoken_item(_labelled(piece), message)
            said = self.parse_action(piece, message, listed=True)
            if said is None and is_question_text(piece):
                # "Six. Hugh, would you sponsor an hourly volume check ...?" / "Yes, I'll take that.": taken in the answer
                said = self.assigned_request(replace(message, text=piece))
            if said is not None:
                read.append(said)
        if read:
            self.listed_ids.add(message.id)
        return read

    def spoken_item(self, text: str, message: Evidence) -> str:
        """An item read out in a call: its first sentence, with the owner the next sentence gives ("Dennis, can you
        own that?", "Samuel and Wanjiru.", "I'll take that myself.") in parentheses, as parse_action reads owners."""
        first, *rest = _sentences(text) or [""]
        for sentence in rest[:1]:
            if SPOKEN_SELF_OWNER_RE.search(sentence):
                owners = self.owners_named("me", message.author)
            elif who := SPOKEN_OWNER_RE.match(sentence):
                owners = self.owners_named(who["who"], message.author)
            else:
                owners = []
            if owners:
                return f"{first.rstrip('.')} ({', '.join(owners)})"
        return first

    def owner_said_first(self, item: str, message: Evidence) -> str:
        """A list item's owners said first ("Brian and Achieng, the report moves to the replica") moved to the end in
        parentheses, where parse_action reads owners; unchanged unless every name before the comma is a person of
        the incident (or "me", the speaker)."""
        said = SPOKEN_LEADING_OWNER_RE.match(item.strip())
        if said is None:
            return item
        named = [token for token in OWNER_SEPARATOR_RE.split(said["who"]) if token]
        owners = self.owners_named(said["who"], message.author)
        if len(owners) != len(named):
            return item
        rest = said["rest"].strip()
        end = rest[-1] if rest[-1] in ".!" else ""
        return f"{rest.rstrip('.!')} ({', '.join(owners)}){end}"

    def assigns_owner(self, sentence: str) -> bool:
        """A sentence that gives a piece of it to a person in parentheses ("rebuild both routing hosts (rsingh),
        crow-flies fallback when there's no route (kwong)") is an action list, not a finding."""
        return any(self.owners_named(who) for who in PAREN_OWNER_RE.findall(sentence))

    def owners_named(self, text: str | None, author: str | None = None) -> list[str]:
        """Full names of the people `text` names ("rosa", "Rohit + Anjali", "@sam", "me" for `author`); never a
        bot, never a word."""
        if not text:
            return []
        names = []
        for token in OWNER_SEPARATOR_RE.split(text.strip()):
            if token.lower() in SELF_WORDS and author and not is_bot(author):
                names.append(self.roster.resolve(author) or author)
                continue
            if not token or token.lower() in SELF_WORDS:
                continue
            name = person_named(token, self.roster, None) or person_named(token.split()[0], self.roster, None)
            if name and not is_bot(name):
                names.append(name)
        return names

    def lessons(self, factors: list[ContributingFactor]) -> list[Claim]:
        claims = []
        for item in self.chat:
            if LESSON_RE.search(item.text) and not item.suspect and self.worth_quoting(item):
                quoted = self.quote(item)
                if quoted:
                    claims.append(Claim(text=f"Noted during the response: {quoted}", evidence=[item.id]))
        return claims or [not_established("the review should record what the team learned about the system")]

    def evidence_index(self, cited: set[str] | None = None) -> dict[str, str]:
        """Every row and message by ID, with time and author. Text is quoted for the locked timeline and for the
        chat the draft cites (`cited`; all when None); never for chat `withheld_text` withholds, which is
        listed as withheld with the reason. The chat source keeps everything: the index is the draft's
        evidence, not a copy of the channel."""
        index = {}
        origins = self.chat_origins()
        days = {item.time.astimezone(UTC).date() for item in self.items if item.time}
        for item in self.items:
            when = utc_clock(item.time) if item.time else "no time"
            if item.time and len(days) > 1:  # a multi-day incident: the clock alone would be ambiguous
                when = item.time.astimezone(UTC).strftime("%Y-%m-%d ") + when
            who = f"{item.author}: " if item.author else ""
            text = " ".join(item.text.split())
            if len(text) > 200:
                text = text[:197] + "..."
            if withheld := self.withheld_text(item):
                text = withheld
            elif not item.is_timeline and cited is not None and item.id not in cited:
                text = NOT_CITED
            origin = f"[{origins[item.id]}] " if item.id in origins else ""
            index[item.id] = f"{when} {origin}{who}{text}"
        return index

    def chat_origins(self) -> dict[str, str]:
        """Message ID -> the file name of the chat source it came from, when the chat merges several sources
        (empty for one source, whose index stays as it always was)."""
        chat = self.incident.chat
        if chat is None or len(chat.sources) < 2:
            return {}
        origins = {}
        for message in chat.messages:
            for source in chat.sources:
                if message.source == source or message.source.startswith((source + "/", source + "!")):
                    origins[message.id] = Path(source).name
                    break
        return origins

    def withheld_text(self, item: Evidence) -> str | None:
        """What stands in for a chat message's text wherever the draft would repeat it, or None when it may be
        quoted: a message read as an instruction to a model, one with any blameless finding (at any level), or
        one `unquotable` declines. Timeline rows are the locked record and are always quoted."""
        from pipeline.blameless import lint_text

        if item.is_timeline:
            return None
        if item.suspect:
            return WITHHELD.format(reason="not quoted") + " [suspect: reads as an instruction to a model]"
        if findings := lint_text(item.text, people=self.people):
            rules = ", ".join(dict.fromkeys(f"{f.rule_id} ({f.slug})" for f in findings))
            return WITHHELD.format(reason=f"the blameless check flags it: {rules}")
        if reason := self.unquotable(item):
            return WITHHELD.format(reason=reason)
        return None

    def facts_as_drafted(self) -> Facts:
        """The facts with the text of each moment read from a withheld message replaced by the reason: draft.json
        carries fact values, and a jab or a key must not reach it that way."""

        def safe(fact: Fact | None) -> Fact | None:
            item = self.by_id.get(fact.evidence[0]) if fact and fact.evidence and fact.name != "impact" else None
            withheld = self.withheld_text(item) if item is not None and item.text == fact.value else None
            return fact.model_copy(update={"value": withheld}) if withheld else fact

        f = self.facts
        return f.model_copy(
            update={
                "started": safe(f.started),
                "detected": safe(f.detected),
                "declared": safe(f.declared),
                "mitigated": safe(f.mitigated),
                "resolved": safe(f.resolved),
                "mitigation_steps": [safe(step) for step in f.mitigation_steps],
            }
        )

    def build(self) -> Draft:
        meta, f = self.incident.meta, self.facts
        factors = self.contributing_factors()
        actions = self.action_items()
        # Duration runs to resolution; an incident with no recorded resolution has no duration yet.
        end = f.resolved
        draft = Draft(
            title=meta.title or f"Incident in {meta.service or 'an unnamed service'}",
            date=self.header_date(),
            duration_minutes=self.minutes_between(f.started, end),
            severity=f.severity.value if f.severity else None,
            authors=meta.authors,
            service=meta.service,
            facts=self.facts_as_drafted(),
            executive_summary=self.executive_summary(),
            impact=self.impact(),
            timeline=self.incident.timeline.events,
            went_well=self.went_well(),
            went_wrong=self.went_wrong(factors),
            contributing_factors=factors,
            five_whys=self.five_whys(factors, actions),
            action_items=actions,
            lessons_learned=self.lessons(factors),
            open_questions=[],
            evidence_index={},
        )
        cited = {e for _, claim in all_claims(draft) for e in claim.evidence}
        cited |= {e for item in [*draft.contributing_factors, *draft.action_items] for e in item.evidence}
        cited |= {
            e
            for fact in [
                f.started,
                f.detected,
                f.declared,
                f.mitigated,
                f.resolved,
                f.severity,
                *f.roles,
                *f.mitigation_steps,
                *f.impact,
            ]
            if fact
            for e in fact.evidence
        }
        return draft.model_copy(
            update={
                "open_questions": open_questions(draft, self.incident),
                "evidence_index": self.evidence_index(cited),
            }
        )


def draft_offline(incident: Incident, facts: Facts) -> Draft:
    return OfflineEngine(incident, facts).build()


def open_questions(draft: Draft, incident: Incident) -> list[str]:
    """Questions for the review, read from the draft itself (whichever engine wrote it): its disputed
    factors, its action items, the roles and times in its facts, and the incident's lock and severity."""
    f = draft.facts
    questions: list[str] = []
    for factor in draft.contributing_factors:
        if factor.disputed:
            questions.append(
                f"The channel disagreed about a candidate factor ({', '.join(factor.evidence)}): which explanation does the evidence support?"
            )
    for label, fact in (
        ("impact start", f.started),
        ("detection", f.detected),
        ("mitigation", f.mitigated),
        ("resolution", f.resolved),
    ):
        if fact is None:
            questions.append(
                f"The {label} time is not recorded in the evidence: when did it happen, and what shows it?"
            )
    declared_roles = {role.name for role in f.roles}
    for role in signals()["required_roles"]:
        if role not in declared_roles:
            questions.append(f"No {role} is recorded: the review should record the role assignment.")
    if f.severity is None:
        questions.append("Severity is not declared in incident.toml or the evidence: what severity applies?")
    elif not f.severity.evidence:
        sig = signals()
        stated = [
            item.id
            for item in evidence_items(incident)
            if sig["severity"].search(item.text) and sig["severity_declaration"].search(item.text)
        ]
        if stated:
            questions.append(
                f"incident.toml says {f.severity.value}, but {stated[-1]} states another level: which is final?"
            )
    for action in draft.action_items:
        missing = [
            name
            for name, value in (("owner", action.owner), ("due date", action.due), ("priority", action.priority))
            if not value
        ]
        if missing:
            questions.append(f"Action item \u201c{action.action}\u201d has no {', '.join(missing)}.")
    if incident.timeline.lock_status != "locked":
        questions.append("The timeline is not locked: is it the scribe's final version?")
    questions.append(
        "Which controls (review, tests, canary, alerts) would catch this condition earlier next time, and how?"
    )
    return questions


def minutes_apart(minutes: int | None, relation: str, anchor: str) -> str:
    """ "12 minutes after detection"; a zero gap reads "in the same minute as detection": "0 minutes" reads as a
    mistake, and when both moments are one cited row the verifier has no two times to check it against."""
    return f"{in_words(minutes)} {relation} {anchor}" if minutes else f"in the same minute as {anchor}"


def in_words(minutes: int | None) -> str:
    """ "45 minutes", and from two hours on "59 hours 32 minutes": "3572 minutes" has to be worked out. The verifier
    reads both forms as one duration."""
    if minutes is None or minutes < 120:
        return f"{minutes} minutes"
    hours, rest = divmod(minutes, 60)
    return f"{hours} hours {rest} minutes" if rest else f"{hours} hours"


def not_established(fill_in: str) -> Claim:
    return Claim(text=f"{NOT_ESTABLISHED} {fill_in[0].upper()}{fill_in[1:]}.", evidence=[], established=False)


def pad(claims: list[Claim], fill_in: str, minimum: int = 3) -> list[Claim]:
    """Sections the template wants at least `minimum` of: say plainly what the review must add."""
    return claims if len(claims) >= minimum else claims + [not_established(fill_in)]


def classify_action(text: str) -> ActionType:
    for kind, pattern in signals()["action_types"].items():
        if pattern.search(text):
            return ActionType(kind)
    return ActionType.corrective


def _ids(facts: list[Fact]) -> list[str]:
    return sorted({e for fact in facts if fact for e in fact.evidence}, key=_id_key)


def _no_later(item: Evidence, moment: Fact | None) -> bool:
    """The item is timed no later than the moment (False when either time is unknown)."""
    return bool(item.time and moment and moment.time and item.time <= moment.time)


def _sign_before(item: Evidence, moment: Fact | None) -> bool:
    """The item is timed no later than the moment and is not one of the moment's own rows: a sign before the
    detection, not the report that detected it ("... the crew app ignored approved swaps")."""
    return moment is not None and _no_later(item, moment) and item.id not in moment.evidence


def _id_key(evidence_id: str) -> tuple[str, int]:
    return evidence_id[0], int(evidence_id[1:])


def _identifiers(text: str) -> set[str]:
    """Version numbers, change and PR ids, hosts: tokens with a digit ("v2.41", "#2291", "rmq-prod-2")."""
    return {
        token.strip(".-").lower()
        for token in re.findall(r"#?[\w.-]*\d[\w.-]*", text)
        if len(token.strip(".-")) >= 3 and not re.fullmatch(r"\d{1,2}(?::\d{2})?|\d+%?", token.strip(".-"))
    }


def _within(message: Evidence, opener: Evidence, minutes: int = 10) -> bool:
    return bool(message.time and opener.time and message.time - opener.time <= timedelta(minutes=minutes))


def _follows(message: Evidence, opener: Evidence) -> bool:
    """The same author within ten minutes: the rest of a list its author posts one message at a time."""
    return message.author == opener.author and _within(message, opener)


def _labelled(text: str) -> str:
    """A spoken item that names its subject first ("the licence lease. A renewal failure pages the on-call ..."): the
    label and the sentence after it as one ("the licence lease: a renewal failure ..."); any other text unchanged."""
    first, *rest = _sentences(text) or [""]
    if rest and len(first.split()) <= 4:
        return f"{first.rstrip('.')}: {rest[0][:1].lower()}{rest[0][1:]}"
    return text


def _read_out_by_number(text: str) -> list[str]:
    """The items of a message that starts with a number read out ("One. Kwame: change ... Two. Nadia: ...",
    "Three, Sipho: alert on ..."): the words after each ordinal; empty for any other message."""
    said = text.strip()
    ordinals = list(ORDINAL_RE.finditer(said))
    if not ordinals or ordinals[0].start() != 0:
        return []
    ends = [ordinal.start() for ordinal in ordinals[1:]] + [len(said)]
    pieces = [said[ordinal.end() : end].strip(" .;,") for ordinal, end in zip(ordinals, ends)]
    return [piece for piece in pieces if piece]


def _lone_first_ordinal(text: str) -> re.Match[str] | None:
    """The one ordinal of `text` when it is the first ("First, ..."), else None (none, several, or "Second, ...")."""
    ordinals = list(ORDINAL_RE.finditer(text))
    if len(ordinals) == 1 and FIRST_RE.match(text[ordinals[0].start() :].lstrip()):
        return ordinals[0]
    return None


def _sentences(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"(?<=[.!?])\s+|\n", text.strip()) if part.strip()]


def _with_antecedents(sentences: list[str]) -> list[str]:
    """The sentences of one message that may state a finding: each that points back ("that's why unlock is refused")
    joined to the one before it ("dock-state shows 61% of docks OFFLINE; that's why unlock is refused"); one that opens
    the message points at another message, so it is left out: alone it states nothing. So is a question put on the
    review's agenda ("we'll talk about why nothing caught it")."""
    sig = signals()
    points_back, agenda = sig["points_back"], sig["review_agenda"]
    out: list[str] = []
    for index, sentence in enumerate(sentences):
        if agenda.search(sentence):
            continue  # "we'll talk about why nothing caught it": what the review will ask, not a finding
        pointer = points_back.search(sentence)
        if pointer is None:
            out.append(sentence)
        elif not _tokens(sentence[pointer.end() :]) - {"everything", "lot", "all", "now"}:
            continue  # "that explains it": a nod to the sentence before, which stands as it is
        elif index > 0 and out and out[-1] == sentences[index - 1]:
            out[-1] = f"{out[-1].rstrip(' .!;:')}; {sentence[:1].lower()}{sentence[1:]}"  # one statement, not two
    return out


def _asks_rotation(text: str) -> bool:
    """A sentence that asks for a rotation ("rotate it after pls", "that goes on the rotation list"), not a question
    and not a routine ("they rotate it every 90 days")."""
    return any(
        signals()["rotation_request"].search(sentence)
        and not is_question_text(sentence)
        and not ROUTINE_RE.search(sentence)
        for sentence in _sentences(text)
    )


def _secrets_named(text: str) -> list[str]:
    """The secrets a message names ("rotate vbuf BMC password" -> "vbuf BMC password"), as written; "a live
    password" names none."""
    names = [match["name"].split() for match in signals()["secret_named"].finditer(text)]
    return [" ".join(name) for name in names if not {word.lower() for word in name[:-1]} <= UNNAMING_WORDS]


def _widest(names: list[str]) -> list[str]:
    """`names` in order, without one whose words another name holds ("BMC password" beside "vbuf BMC password")."""
    words = [frozenset(name.lower().split()) for name in names]
    return [
        name
        for index, name in enumerate(names)
        if not any(
            words[index] <= other and (words[index] != other or later < index)
            for later, other in enumerate(words)
            if later != index
        )
    ]


def _redacted_secrets(text: str) -> list[str]:
    """What each secret the redaction removed from `text` is called: by the URL's scheme for a password in a URL
    ("postgres://app:[REDACTED:url-password]@db" -> "database password"), else by its kind."""
    sig = signals()
    names = []
    for match in REDACTED_KIND_RE.finditer(text):
        before = text[: match.start()][-60:]
        scheme = URL_SCHEME_RE.search(before)
        by_scheme = sig["secret_schemes"].get(scheme[1].lower()) if scheme and match[1] == "url-password" else None
        label = SPOKEN_LABEL_RE.search(before) if match[1] == "spoken-secret" else None  # "password Quill-..."
        names.append(by_scheme or (label[1].lower() if label else sig["secret_kinds"].get(match[1], "secret")))
    return names


def _as_statement(text: str) -> str:
    """A sentence as a plain statement: chat lead-ins ("ok so", "noted 09:51", "confirmed:") and quotes dropped,
    first letter capitalized, one closing period."""
    text = LEAD_IN_RE.sub("", " ".join(text.split())).strip(" \u201c\u201d\"'")
    text = signals()["statement_residue"].sub("", text.rstrip(" .!,;:")).rstrip(" .!,;:")
    return f"{sentence_case(text)}." if text else ""


def is_question_text(text: str) -> bool:
    """A line that only asks ("should we page on this?"): never an action item."""
    return text.rstrip().endswith("?")


def _from_list_header(line: str) -> str:
    """A line from its list header on when a first sentence precedes it ("resolving. action items: a, b"): the
    sentence before is the channel's, the list is what follows."""
    header = signals()["action_list_header"]
    if header.match(line):
        return line
    for boundary in re.finditer(r"[.!?]\s+", line):
        if header.match(line[boundary.end() :]):
            return line[boundary.end() :]
    if closing := signals()["action_list_header_closing"].search(line):  # "Let me collect the action items:"
        return line[closing.start() :]
    if noted := signals()["action_item_noted"].search(line):  # "Let's note that as an action item: the expiry job ..."
        return line[noted.end() :]
    return line


ACTION_COLUMNS = {
    "action",
    "actions",
    "action item",
    "action items",
    "follow-up",
    "follow-ups",
    "followup",
    "task",
    "todo",
    "item",
    "what",
    "ai",
    "ais",
}
OWNER_COLUMNS = {"owner", "owners", "who", "assignee", "dri", "responsible"}
DUE_COLUMNS = {"due", "due date", "when", "by", "deadline", "eta"}
TABLE_RULE_RE = re.compile(r"\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?")


def _table_items(text: str) -> list[str]:
    """The rows of a markdown table of follow-ups in a message ("| Action | Owner | Due |"), each as parse_action
    reads an item: the action, then "(owner: Priya)" and "due 3/13" from their columns; [] without such a table."""
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith("|")]
    if len(lines) < 3 or not TABLE_RULE_RE.fullmatch(lines[1]):
        return []

    def cells(line: str) -> list[str]:
        return [cell.strip() for cell in line.strip("|").split("|")]

    header = [cell.lower().strip("*_` ") for cell in cells(lines[0])]
    column = {
        name: next((index for index, cell in enumerate(header) if cell in names), None)
        for name, names in (("action", ACTION_COLUMNS), ("owner", OWNER_COLUMNS), ("due", DUE_COLUMNS))
    }
    if column["action"] is None:
        return []
    items = []
    for line in lines[2:]:
        row = cells(line)
        said = {name: row[index] if index is not None and index < len(row) else "" for name, index in column.items()}
        if not said["action"]:
            continue
        owner = f" (owner: {said['owner']})" if said["owner"] not in ("", "-", "?", "TBD", "tbd") else ""
        due = f" due {said['due']}" if said["due"] not in ("", "-", "?", "TBD", "tbd") else ""
        items.append(said["action"] + owner + due)
    return items


def _opens_list(text: str) -> bool:
    """A message that ends in a bare list header ("AIs:", "resolved. AIs:"): its author's next messages are the
    items, one per message, as teams post them in a PagerDuty or Slack export."""
    lines = text.strip().splitlines()
    if not lines:
        return False
    last = lines[-1].strip()
    return signals()["action_list_header"].fullmatch(_from_list_header(last)) is not None or _names_a_list(last)


def _names_a_list(line: str) -> bool:
    """A line that announces the list after it in words of its own: "Follow-ups, as I think of them:",
    "follow-ups as I see them"."""
    sig = signals()
    return bool(sig["action_list_header_closing"].search(line) or sig["action_list_header_loose"].match(line))


# A piece that qualifies the one before it ("..., including /pago (Nacho)", "..., against a package that isn't
# cached"): one action, not two.
LIST_CONTINUATION_RE = re.compile(
    r"(?:including|incl\.?|e\.g\.|i\.e\.|such as|especially|except|excluding|against|with|without|via|using|which|"
    r"so (?:that|it|we|they)|rather than|instead of)\b",
    re.I,
)


def _spoken_items(text: str) -> list[str]:
    """Items read out one sentence each with the owner after the last comma ("AIs, quickly. Make rollover resumable,
    Ciarán, by the ninth. Own memory limit per job, Declan."): the sentences, when two or more end so; else []."""
    sentences = _sentences(text)
    owned = [s for s in sentences if SPOKEN_ITEM_OWNER_RE.search(s)]
    return sentences if len(sentences) >= 2 and len(owned) >= 2 else []


def _split_list(text: str) -> list[str]:
    """Comma- or semicolon-separated actions on one line ("1) ... 2) ..." and "first, ... second, ..." too); commas
    inside parentheses and thousands separators ("2,000 kW") stay."""
    numbered = [part for part in INLINE_NUMBER_RE.split(text) if part.strip()]
    if len(INLINE_NUMBER_RE.findall(text)) >= 2:
        return [piece.strip(" ,;") for piece in numbered]
    if ORDINAL_RE.match(text) and len(ORDINAL_RE.findall(text)) >= 2:  # said aloud: "First, X. Second, Y."
        return [piece.strip(" ,;.") for piece in ORDINAL_RE.split(text) if piece.strip(" ,;.")]
    pieces, depth, current = [], 0, ""
    for position, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        in_number = (
            char == "," and text[position - 1 : position].isdigit() and text[position + 1 : position + 2].isdigit()
        )
        if char in ",;" and depth <= 0 and not in_number:  # "2,000 kW" is one number, not two items
            pieces.append(current)
            current = ""
        else:
            current += char
    pieces.append(current)
    # "pin the app version (Femi) and alert on dropped scans (Ana)": an owner in brackets closes its item
    pieces = [part for piece in pieces for part in OWNED_AND_RE.split(piece)]
    merged: list[str] = []
    for piece in (p.strip() for p in pieces):
        if merged and (len(piece.split()) < 2 or LIST_CONTINUATION_RE.match(piece)):
            merged[-1] += ", " + piece  # "robot token, the docker auth", "..., including /pago": one action
        elif piece:
            merged.append(piece)
    return merged


def _distinct_actions(items: list[ActionItem], listed: set[str]) -> list[ActionItem]:
    """Each proposal once: of two from different messages that share most content words, the one from a list stays,
    else the fuller wording ("have the payment writer check a fencing token on every write" over "TODO(aga): fencing
    token in the writer"), with the owner and due date either names. Items of one list are never merged: a list
    names distinct actions. The rows keep the order in which they were proposed."""
    ranked = sorted(
        enumerate(items), key=lambda pair: (pair[1].evidence[0] not in listed, -len(_tokens(pair[1].action)))
    )
    kept: list[tuple[int, ActionItem]] = []
    for position, item in ranked:
        words = _tokens(item.action)
        same = next(
            (
                index
                for index, (_, other) in enumerate(kept)
                if other.evidence != item.evidence
                and len(words & _tokens(other.action)) >= max(3, 0.5 * min(len(words), len(_tokens(other.action))))
            ),
            None,
        )
        if same is None:
            kept.append((position, item))
        elif kept[same][1].owner is None and item.owner is not None:
            first, other = kept[same]
            kept[same] = (first, other.model_copy(update={"owner": item.owner, "due": other.due or item.due}))
    return [item for _, item in sorted(kept, key=lambda pair: pair[0])]


def _distinct(items) -> list[Evidence]:
    """First occurrence of each message text (noisy channels repeat the same line)."""
    seen: set[str] = set()
    unique = []
    for item in items:
        key = " ".join(item.text.lower().split())
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def _tokens(text: str) -> set[str]:
    """Content words, with compound names split (dns-01 -> dns, 01; db.pool -> db, pool)."""
    return {w for w in re.findall(r"#?[a-z0-9]+", text.lower()) if w not in STOPWORDS and (len(w) > 2 or w == "db")}


def _stems(text: str) -> set[str]:
    """Content words cut to five letters, so "alerts" / "alerting" / "alert" and "rotation" / "rotate" meet; a
    ticket key ("GSO-1187") is no content."""
    return {word[:5] for word in _tokens(re.sub(r"\b[A-Z][A-Z0-9]+-\d+\b", " ", text)) if not word.isdigit()}


def _overlap(a: str, b: str) -> int:
    return len(_tokens(a) & _tokens(b))


def _announced_with_first_item(text: str) -> str | None:
    """What follows a wrap-up announced in the first sentence of a message ("Okay, so action items. Raf, you'll add
    ..."): its first item, read as the items said after an announcement are; None for any other message."""
    head, _, rest = text.strip().partition(". ")
    if rest and signals()["action_wrap_up_announced"].match(head + "."):
        return rest.strip()
    return None


def _announced_last(text: str) -> bool:
    """A message that ends by announcing the wrap-up ("No, thank you Marcus, there's no need now. Right, wrap-up,
    and Tom please minute these."): the items follow in its author's next messages."""
    *before, last = _sentences(text) or [""]
    return bool(before) and signals()["action_wrap_up_announced"].match(last.strip()) is not None


def _names_earlier_items(rows: list[str], earlier: list[str]) -> bool:
    """Every row is a label of at most four words that shares a word stem ("rotation" / "rotate") with an item
    posted before: a recap of those items, not a list of new ones."""
    if len(rows) < 2 or any(len(row.split()) > 4 for row in rows):
        return False
    stems = [{word[:5] for word in _tokens(item)} for item in earlier]
    return all(any({word[:5] for word in _tokens(row)} & item for item in stems) for row in rows)
