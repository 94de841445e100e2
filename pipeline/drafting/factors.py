"""The factor stage: which candidate contributing factors a draft states, and how each is phrased.

A factor is a statement about the system with its citation, never a quoted message or a person. Candidates come
from the offline engine (timeline cause rows, confirmed-cause chat sentences, the change before impact); this
module phrases them (drops the framing around a finding, "Cause identified: ..."), phrases a gap the channel states
("Aashish, nothing checked the interval. that's the finding" -> "Nothing checked the interval."), and adds the one
kind of gap the record implies without stating it: a signal nobody was alerted on, when the channel says detection
came late and agreed to alert on that signal. Phrases are data: pipeline/data/factors.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pydantic import field_validator

from pipeline.datafiles import Regex, bundled, load_yaml_model, words_pattern
from pipeline.facts import Evidence
from pipeline.models import ActionItem, ActionType, Confidence, ContributingFactor, Strict


class FactorPhrasesFile(Strict):
    """pipeline/data/factors.yaml: read with file:line errors, like every bundled data file."""

    framing: list[Regex]
    alert_action: Regex
    detection_gap: Regex
    alert_gap: str
    detective_control: Regex
    alert_recipient: Regex
    control_end: Regex
    unalerted_gap: str
    late_alert_gap: str
    stated_gap: Regex
    gap_rewrites: list[tuple[Regex, str]]
    tool_output: Regex
    system_verbs: list[str]
    safeguard_nouns: Regex
    follow_up_verbs: list[str]
    implied_gap_make: str
    implied_gap_add: str
    implied_gap_add_to: str

    @field_validator("alert_gap")
    @classmethod
    def _names_the_signal(cls, value: str) -> str:
        if "{what}" not in value or "{on}" not in value:
            raise ValueError(
                "alert_gap must contain {on} and {what}: the connecting word (on, or when for a condition) and the "
                "signal the follow-up alerts on"
            )
        return value

    @field_validator("unalerted_gap", "late_alert_gap")
    @classmethod
    def _states_the_delay(cls, value: str) -> str:
        if "{minutes}" not in value or "{control}" not in value:
            raise ValueError(
                "unalerted_gap and late_alert_gap must contain {control} and {minutes}: the agreed control, and the delay before the report"
            )
        return value


@dataclass(frozen=True)
class FactorPhrases:
    framing: tuple[re.Pattern[str], ...]
    alert_action: re.Pattern[str]
    detection_gap: re.Pattern[str]
    alert_gap: str
    detective_control: re.Pattern[str]
    alert_recipient: re.Pattern[str]
    control_end: re.Pattern[str]
    unalerted_gap: str
    late_alert_gap: str
    stated_gap: re.Pattern[str]
    gap_rewrites: tuple[tuple[re.Pattern[str], str], ...]
    tool_output: re.Pattern[str]
    implied_gaps: tuple[tuple[re.Pattern[str], str], ...]
    follow_up_tail: re.Pattern[str]
    verb_heads: frozenset[str]  # the first word of every verb a follow-up uses ("fall" of "fall back")
    base_forms: dict[str, str]  # each of them in the third person -> itself ("falls" -> "fall")


# Where one clause of a chat sentence ends and another begins: a semicolon, a dash between spaces, an emoji.
CLAUSE_BREAK_RE = re.compile(r";\s+|\s+[-\u2013\u2014]+\s+|\s*[\u2600-\u27bf\U0001f300-\U0001faff]+\ufe0f?\s*")


# A first word that names a system as written ("v5.3", "fx_rates_daily", "iOS", "pgBouncer"); a hyphen alone does not
# tell a system ("tle-sync") from a word ("card-based"), so such a word is capitalized.
IDENTIFIER_RE = re.compile(r"\S*(?:[\d_./]|\w[A-Z])")


def sentence_case(text: str) -> str:
    """`text` with its first letter capitalized, unless its first word is an identifier, which keeps its case."""
    if not text or IDENTIFIER_RE.match(text.split(maxsplit=1)[0]):
        return text
    return text[0].upper() + text[1:]


@lru_cache(maxsize=1)
def phrases() -> FactorPhrases:
    """pipeline/data/factors.yaml, validated and compiled once."""
    raw = load_yaml_model(bundled("factors.yaml"), FactorPhrasesFile)
    heads = frozenset(verb.split(" ")[0] for verb in raw.follow_up_verbs + raw.system_verbs)
    return FactorPhrases(
        framing=tuple(re.compile(pattern, re.IGNORECASE) for pattern in raw.framing),
        alert_action=re.compile(raw.alert_action, re.IGNORECASE),
        detection_gap=re.compile(raw.detection_gap, re.IGNORECASE),
        alert_gap=raw.alert_gap,
        detective_control=re.compile(raw.detective_control, re.IGNORECASE),
        alert_recipient=re.compile(raw.alert_recipient, re.IGNORECASE),
        control_end=re.compile(raw.control_end, re.IGNORECASE),
        unalerted_gap=raw.unalerted_gap,
        late_alert_gap=raw.late_alert_gap,
        stated_gap=re.compile(raw.stated_gap, re.IGNORECASE),
        gap_rewrites=tuple((re.compile(pattern, re.IGNORECASE), new) for pattern, new in raw.gap_rewrites),
        tool_output=re.compile(raw.tool_output, re.IGNORECASE),
        implied_gaps=_implied_gap_patterns(raw),
        follow_up_tail=re.compile(
            _TAIL.format(verbs=words_pattern(raw.follow_up_verbs + raw.system_verbs)), re.IGNORECASE
        ),
        verb_heads=heads,
        base_forms={_third_person(head): head for head in heads},
    )


def _third_person(verb: str) -> str:
    """ "check" -> "checks", "verify" -> "verifies", "fall back" -> "falls back": the first word inflected."""
    head, _, tail = verb.partition(" ")
    if re.search(r"[^aeiou]y$", head):
        head = head[:-1] + "ies"
    elif re.search(r"(?:s|sh|ch|x|z|o)$", head):
        head += "es"
    else:
        head += "s"
    return f"{head} {tail}".strip()


def _implied_gap_patterns(raw: FactorPhrasesFile) -> tuple[tuple[re.Pattern[str], str], ...]:
    """The follow-up shapes whose missing safeguard a gap states, each with its template: "make X <verb> ...",
    "X <verbs> ..." and "add <safeguard> [to <place>] ..."."""
    base = words_pattern(raw.system_verbs)
    third = words_pattern([_third_person(verb) for verb in raw.system_verbs])
    # a subject holds no verb of being and no bare count: "per-antenna alert is 3 fails in 6h" states a fact, no system
    # step ("... is 3 did not fail" garbled it)
    word = (
        r"(?!(?:the|a|an|to|of|on|in|for|and|or|that|which|when|if|while|once|until|unless|where|so|because|is|are|was"
        r"|were|be|been|has|have|had|\d+)\b)[\w.'/-]+"
    )
    subject = rf"(?P<subject>(?:(?:the|our|its|every|each|all)\s+)?{word}(?:\s+{word}){{0,4}}?)"
    imperative = words_pattern(raw.follow_up_verbs + raw.system_verbs)
    # "make the stock sync alert ...", "the duplicate check compares": the verb-like word is part of a name
    compound = rf"(?!\s+(?:{base}|{third}|alerts?|pages?|jobs?|tests?|checks?|steps?|services?|workers?)\b)"
    stop = r"(?:that|which|so|when|before|after|for|with|on|in|and|to|if|unless|at|across)\b"
    named = rf"(?!{stop}|an?\b|\d+\b)[\w.'/-]+(?:\s+|$)"  # "to edi-submitter", not "to a dependency" or "to Jan 3"
    place = rf"(?P<place>(?:the|our)\s+(?:(?!{stop})[\w.'/-]+(?:\s+|$)){{1,5}}|(?:{named}){{1,2}}(?=(?:{stop})|$))"
    thing = rf"(?P<thing>(?:[\w.'/-]+\s+){{0,4}}?{raw.safeguard_nouns}\b"
    add = r"^(?:add|introduce|put in place|set up|build|create)\s+(?:an?\s+|the\s+|some\s+)?"
    shapes = [
        (rf"^make\s+{subject}\s+(?P<verb>{base})\b{compound}(?P<rest>.*)$", raw.implied_gap_make),
        (rf"^(?!(?:{imperative})\b){subject}\s+(?P<verb>{third})\b{compound}(?P<rest>.*)$", raw.implied_gap_make),
        (rf"{add}{thing}.*?)\s+to\s+{place}(?P<rest>.*)$", raw.implied_gap_add_to),
        (rf"{add}{thing})(?P<rest>.*)$", raw.implied_gap_add),
    ]
    return tuple((re.compile(pattern, re.IGNORECASE), template) for pattern, template in shapes)


def phrase(statement: str) -> str:
    """`statement` without the framing around its finding ("Cause identified: the subkey expired" -> "The subkey
    expired"), first letter capitalized; its numbers, times and names are untouched."""
    text = statement
    for pattern in phrases().framing:
        text = pattern.sub("", text, count=1)
    text = text.strip()
    if not text or len(text.split()) < 3:
        return statement
    return sentence_case(text)


def stated_gap(sentence: str) -> str | None:
    """A sentence that states a missing safeguard ("Aashish, the checklist had no step to turn it back on"), as a
    statement about the system ("The checklist had no step to turn it back on."), or None when it states no gap or
    only asks about one. Its numbers, times and names are untouched."""
    text = " ".join(sentence.split())
    if text.endswith("?"):
        return None
    # of "the push did what it said; nothing checked the interval" only the clause that states the gap, and of
    # "@ana please no 🙏 the tag was pinned and nothing checks tzdata age" only what follows the emoji
    text = "; ".join(part for part in CLAUSE_BREAK_RE.split(text) if phrases().stated_gap.search(part))
    if not text:
        return None
    for pattern in phrases().framing:  # "confirmed: we had no canary" opens with the framing of a finding
        text = pattern.sub("", text, count=1)
    for pattern, replacement in phrases().gap_rewrites:
        text = pattern.sub(replacement, text, count=1).strip()
    text = text.strip(" \u201c\u201d\"'").rstrip(" .!,;:")
    if len(text.split()) < 4 or not phrases().stated_gap.search(text):
        return None
    return f"{sentence_case(text)}."


def _without_recipient(action: str) -> str:
    """The follow-up without whom its alert goes to ("Alert this group when ..." -> "Alert when ...")."""
    return phrases().alert_recipient.sub(r"\g<head> ", action.strip())


def alert_gap(action: ActionItem, stated_by: str) -> ContributingFactor | None:
    """The gap a detective follow-up implies ("Alert on redelivery rate" -> "Nothing alerted on redelivery rate."):
    a low-confidence candidate citing the proposal and the message `stated_by` that says detection came late, or
    None for any other kind of action."""
    if action.type != ActionType.detective or not action.evidence:
        return None
    found = phrases().alert_action.match(_without_recipient(action.action))
    if not found:
        return None
    # "Alert when any sequence is above 75% of max" -> "Nothing alerted when any sequence is above 75% of max."
    statement = phrases().alert_gap.format(what=found["what"].strip().rstrip("."), on="when" if found["when"] else "on")
    evidence = list(dict.fromkeys([action.evidence[0], stated_by]))
    return ContributingFactor(statement=statement, evidence=evidence, confidence=Confidence.low)


# Where a follow-up goes on past the safeguard it adds: "..., and ask the carrier ...", "...; page on it",
# "... instead of warning", "..., with tests", "(OPS-3111, Cian)", and what it is for: "... so config changes hit 5% of
# traffic first" would read as what the missing stage caused.
_TAIL = r"\s*(?:;|\s+so\s+(?:that\s+)?|,?\s+(?:and|or)\s+(?:also\s+)?(?:{verbs})\b|,?\s+(?:and|or|but)\s+(?:doesn't|does not|don't|won't|isn't|never)\b|\s+(?:instead of|rather than)\b|,\s*not\b|,\s*(?:with|plus|including)\b|\s+-\s+|\s*\().*$"


# "... and the autopilot rejects a mismatch": a clause with a subject of its own, no part of what was not done
_NEW_SUBJECT = re.compile(r"(?:^|\s+)and\s+(?:the|a|an)\b")


def implied_gap(action: ActionItem) -> ContributingFactor | None:
    """The missing safeguard a preventive follow-up implies ("Make the signing script fail on an expired key" ->
    "The signing script did not fail on an expired key."), citing the proposal with low confidence; None for a
    follow-up of any other shape (a rotation, a message to a vendor, an alert: see `alert_gap`)."""
    if not action.evidence:
        return None
    text = phrases().follow_up_tail.sub("", " ".join(action.action.split())).rstrip(" .,;:")
    for pattern, template in phrases().implied_gaps:
        found = pattern.match(text)
        if found is None:
            continue
        parts = {key: (value or "").strip() for key, value in found.groupdict().items()}
        rest = parts.get("rest", "")
        if "verb" in parts:  # "checks X and falls back" -> "did not check X and fall back"
            if not parts["verb"].islower():
                return None  # "COMM-LOSS STOPS ...": a name or a shouted word, not the verb
            parts["verb"] = _base_form(parts["verb"])
            if not re.search(r"\b(?:both|between)\b", rest):  # "accept both the old and the new secret": one object
                rest = _NEW_SUBJECT.split(rest)[0]
            rest = _joined_verbs_in_base_form(rest)
            if not rest:
                return None  # "per-tenant bulk send limits and ...": a verb with nothing after it was a noun
        parts["rest"] = f" {rest}" if rest else ""
        parts["was"] = "were" if parts.get("thing", "").endswith("s") else "was"
        statement = re.sub(r"\s+([,.])", r"\1", template.format(**parts))
        if len(statement.split()) < 6:
            return None  # "There was no v7 canary." says too little for the review to weigh
        return ContributingFactor(
            statement=sentence_case(statement), evidence=[action.evidence[0]], confidence=Confidence.low
        )
    return None


def _joined_verbs_in_base_form(rest: str) -> str:
    """ "replica lag and falls back to X" -> "replica lag and fall back to X"; cut before a joined word ending in -s
    that no verb list knows ("... and greys out fixes"), which cannot be turned round safely."""
    pieces, last = [], 0
    for joined in re.finditer(r"\b(?:and|or)\s+(\w+)\b", rest):
        word = joined[1]
        base = _base_form(word)
        if base == word and word.endswith("s") and word.lower() not in phrases().verb_heads:
            return ("".join(pieces) + rest[last : joined.start()]).rstrip(" ,")
        pieces.append(rest[last : joined.start(1)] + base)
        last = joined.end(1)
    return "".join(pieces) + rest[last:]


def _base_form(verb: str) -> str:
    """ "checks" -> "check", "verifies" -> "verify", "falls back" -> "fall back"; a base form stays as it is."""
    head, _, tail = verb.partition(" ")
    return f"{phrases().base_forms.get(head.lower(), head)} {tail}".strip()


def detection_gap_stated(messages: Sequence[Evidence]) -> str | None:
    """The first chat message that says detection came late or from outside the monitoring, by evidence ID."""
    return next((item.id for item in messages if not item.suspect and phrases().detection_gap.search(item.text)), None)


def alert_gaps(actions: list[ActionItem], messages: Sequence[Evidence], limit: int = 1) -> list[ContributingFactor]:
    """Gap factors from agreed detective follow-ups, only when the chat says detection came late (the proposal
    alone is no evidence that its absence contributed)."""
    stated_by = detection_gap_stated(messages)
    if stated_by is None:
        return []
    gaps = [gap for gap in (alert_gap(action, stated_by) for action in actions) if gap is not None]
    return gaps[:limit]


def unalerted_gap(
    actions: list[ActionItem], minutes: int, evidence: list[str], by_people: bool = True
) -> ContributingFactor | None:
    """The detection gap of impact people reported before any alert fired, `minutes` after it began, naming the
    first detective control the channel agreed (cited too; "Alert when any seat has two confirmed orders" -> "There
    was no alert when any seat has two confirmed orders, ..."); None when it agreed none. Medium confidence: the
    record shows the gap; whether the team counts it as a factor is the review's call."""
    for action in actions:
        found = (
            phrases().detective_control.match(_without_recipient(action.action))
            if action.type == ActionType.detective
            else None
        )
        if found and action.evidence:
            control = phrases().control_end.split(found["control"], maxsplit=1)[0].strip().rstrip(".,;")
            if re.match(r"[A-Z][a-z]+\b", control):  # "Replay lag alert" -> "replay lag alert"; "ES disk" stays
                control = control[0].lower() + control[1:]
            template = phrases().unalerted_gap if by_people else phrases().late_alert_gap
            statement = template.format(control=control, minutes=minutes)
            return ContributingFactor(
                statement=statement, evidence=[*evidence, action.evidence[0]], confidence=Confidence.medium
            )
    return None
