"""The LLM engine: the model writes the prose, code decides what may stay.

Work is split into at most three calls (see docs/llm.md): `narrative` (summary, impact, went
well/wrong, lessons), `analysis` (candidate factors, 5 whys, action items) and, only when something
failed verification, one `repair` call for all failed sentences together. Every sentence is then checked
in code: citations exist, times and numbers match the cited evidence, a suspect (injection) message is
never the only support nor the source of the wording, and the blameless check finds nothing. What still
fails is rewritten by the rule-based rewrite or replaced by NOT_ESTABLISHED. The offline draft is built
first: it supplies the timeline, facts, evidence index and open questions, fills any section the model
could not, and is the whole draft (clearly marked) when the model does not answer at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from pipeline.datafiles import summary_word_limit
from pipeline.drafting.gate import blameless_or_none
from pipeline.drafting.model_output import (
    PERSON_OUTSIDE_ROLE,
    introduced_names,
    names_outside_role_statements,
    secret_warning,
)
from pipeline.drafting.offline import draft_offline, pad, utc_clock
from pipeline.drafting.verify import claim_problems
from pipeline.errors import ModelUnavailableError
from pipeline.facts import Evidence, evidence_items, is_bot
from pipeline.language import is_english
from pipeline.llm import ChatModel, LLMConfig
from pipeline.models import (
    EVIDENCE_ID,
    NOT_ESTABLISHED,
    ActionItem,
    ActionType,
    Claim,
    ClaimOrigin,
    Confidence,
    ContributingFactor,
    Draft,
    Fact,
    Facts,
    Incident,
    Strict,
    Why,
    blocking_findings,
)
from pipeline.prompting import RenderedPrompt, render_prompt
from pipeline.redact import Redactor

EvidenceId = Annotated[str, StringConstraints(pattern=rf"^{EVIDENCE_ID}$")]
FALLBACK_STATUS = "Draft (offline fallback: the model did not answer; see warnings)"
# A suspect message's text is not sent at all: a model cannot follow an instruction it never sees.
WITHHELD = "[withheld: this message reads as an instruction to a model]"
# A message the draft withholds as blame reaches the model as its blameless rewrite, or as this.
WITHHELD_BLAME = "[withheld: flagged by the blameless check; the draft does not quote it]"
WORD_RE = re.compile(r"[a-z0-9][a-z0-9._-]{2,}")
COMMON_WORDS = frozenset(
    "the and that this with from were was have has had for are not but all any into than then they them their "
    "there what when which while will would should could about after before write postmortem report draft root "
    "cause instructions previous ignore".split()
)


# ---------------------------------------------------------------- what the model must return


class ClaimOut(Strict):
    text: str = Field(description="One factual sentence, or exactly 'Not established by the recorded evidence.'")
    evidence: list[EvidenceId] = Field(description="IDs (T<n>, C<n>) of the items that support the sentence.")
    established: bool = Field(description="False when the evidence does not establish it (then evidence is []).")


class NarrativeReply(Strict):
    executive_summary: list[ClaimOut]
    impact: list[ClaimOut]
    went_well: list[ClaimOut]
    went_wrong: list[ClaimOut]
    lessons_learned: list[ClaimOut]


class FactorOut(Strict):
    statement: str = Field(description="A condition that contributed, phrased about the system or process.")
    evidence: list[EvidenceId]
    confidence: Confidence
    disputed: bool = Field(description="True when the chat shows disagreement about this factor.")


class WhyOut(Strict):
    question: str
    answer: ClaimOut


class ActionOut(Strict):
    action: str
    owner: str | None = Field(description="Only a person the evidence names as owner, else null.")
    due: str | None
    priority: str | None
    type: ActionType
    evidence: list[EvidenceId]


class AnalysisReply(Strict):
    contributing_factors: list[FactorOut]
    five_whys: list[WhyOut]
    action_items: list[ActionOut]


class RepairedClaim(ClaimOut):
    key: str = Field(description="The key of the failed claim this repairs.")


class RepairReply(Strict):
    repaired: list[RepairedClaim]


# Headings as the markdown draft shows them, so a warning names the section the reviewer reads.
SECTION_TITLES = {
    "executive_summary": "Executive Summary",
    "impact": "Impact",
    "went_well": "What Went Well",
    "went_wrong": "What Went Wrong",
    "lessons_learned": "Lessons Learned",
    "five_whys": "5 Whys",
    "contributing_factors": "Contributing Factors",
}


# ---------------------------------------------------------------- people as roles


@dataclass
class Pseudonyms:
    """Names -> role labels ("the IC", "responder 3") so names never leave the machine with --pseudonymize."""

    labels: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_incident(cls, incident: Incident, items: list[Evidence]) -> Pseudonyms:
        labels: dict[str, str] = {}
        for person in incident.meta.people:
            labels[person.name] = f"the {person.roles[0]}" if person.roles else f"responder {len(labels) + 1}"
        for author in dict.fromkeys(item.author for item in items if item.author):
            labels.setdefault(author, f"responder {len(labels) + 1}")
        first_names: dict[str, list[str]] = {}
        for name in list(labels):
            first_names.setdefault(name.split()[0], []).append(name)
        for first, names in first_names.items():
            if len(names) == 1 and first not in labels:
                labels[first] = labels[names[0]]
        return cls(labels)

    def apply(self, text: str) -> str:
        for name in sorted(self.labels, key=len, reverse=True):
            text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", self.labels[name], text)
        return text

    def name_of(self, label: str) -> str | None:
        full_names = [name for name, value in self.labels.items() if value == label and " " in name]
        return full_names[0] if full_names else None


class NoPseudonyms(Pseudonyms):
    def apply(self, text: str) -> str:
        return text

    def name_of(self, label: str) -> str | None:
        return None


# ---------------------------------------------------------------- the engine


class LLMEngine:
    """One draft: offline skeleton, two model calls, verification, at most one repair call."""

    def __init__(self, incident: Incident, facts: Facts, config: LLMConfig, model: ChatModel | None = None):
        self.incident = incident
        self.facts = facts
        self.config = config
        self.model = model or ChatModel(config)
        self.items = evidence_items(incident)
        self.evidence = {item.id: item for item in self.items}
        self.people = sorted(
            {p.name for p in incident.meta.people}
            | {i.author for i in self.items if i.author and not is_bot(i.author, i.kind)}
        )
        self.pseudonyms = Pseudonyms.for_incident(incident, self.items) if config.pseudonymize else NoPseudonyms()
        self.warnings: list[str] = []
        self.lost: dict[str, str] = {}  # key of a model sentence that could not be kept -> the rule it failed
        self.base_context: dict[str, Any] = {}

    # -- prompts

    def context(self) -> dict[str, Any]:
        """What the prompts see: redacted, optionally pseudonymized, evidence as numbered data, suspect text withheld."""
        redact, hide = Redactor().redact, self.pseudonyms.apply
        meta = self.incident.meta
        incident = {
            "title": hide(redact(meta.title or "")),
            "service": redact(meta.service or ""),
            "severity": meta.severity or "",
            "date": meta.date.isoformat() if meta.date else "",
        }
        facts = [
            {
                "name": fact.name,
                "value": hide(self.sendable(fact.value, fact.evidence)),
                "time": utc_clock(fact.time) if fact.time else None,
                "evidence": fact.evidence,
            }
            for fact in self.fact_list()
        ]
        for name in ("time_to_detect_minutes", "time_to_mitigate_minutes", "time_to_resolve_minutes"):
            value = getattr(self.facts, name)
            if value is not None:
                facts.append({"name": name, "value": str(value), "time": None, "evidence": []})
        evidence = [
            {
                "id": item.id,
                "time": utc_clock(item.time) if item.time else None,
                "who": hide(item.author) if item.author else "timeline",
                "text": WITHHELD if item.suspect else hide(self.sendable(item.text, [item.id])),
                "suspect": item.suspect,
            }
            for item in self.items
        ]
        people = sorted({self.pseudonyms.labels.get(name, name) for name in self.people})
        return {
            "incident": incident,
            "facts": facts,
            "evidence": evidence,
            "people": people,
            "pseudonymized": self.config.pseudonymize,
        }

    def sendable(self, text: str, evidence: list[str]) -> str:
        """Chat text as the draft may quote it: itself, its blameless rewrite, or WITHHELD_BLAME (the
        timeline is the scribe's record and goes as written)."""
        if all(self.evidence[e].is_timeline for e in evidence if e in self.evidence):
            return text
        return blameless_or_none(text, self.people) or WITHHELD_BLAME

    def fact_list(self) -> list[Fact]:
        f = self.facts
        single = [f.severity, f.started, f.detected, f.declared, f.mitigated, f.resolved]
        return [fact for fact in single if fact] + f.roles + f.mitigation_steps + f.impact

    def prompt(self, name: str, **extra: Any) -> RenderedPrompt:
        return render_prompt(name, **{**self.base_context, **extra})

    # -- the draft

    def build(self) -> Draft:
        base = draft_offline(self.incident, self.facts)
        self.base_context = self.context()
        try:
            narrative = self.model.structured(self.prompt("narrative"), NarrativeReply)
        except ModelUnavailableError as exc:
            return self.fallback(base, exc)
        analysis: AnalysisReply | None = None
        try:
            analysis = self.model.structured(self.prompt("analysis"), AnalysisReply)
        except ModelUnavailableError as exc:
            self.warn(f"contributing factors, 5 whys and action items are the offline engine's: {exc.reason}")
        claims = self.collect_claims(narrative, analysis)
        checked = self.verify(claims)
        return self.assemble(base, narrative, analysis, checked)

    def collect_claims(self, narrative: NarrativeReply, analysis: AnalysisReply | None) -> dict[str, Claim]:
        """Every sentence that must be grounded, by key (`went_wrong.2`, `five_whys.0`, `contributing_factors.1`)."""
        claims: dict[str, Claim] = {}
        for section in Draft.CLAIM_SECTIONS:
            for index, out in enumerate(getattr(narrative, section)):
                claims[f"{section}.{index}"] = to_claim(out)
        if analysis is not None:
            for index, why in enumerate(analysis.five_whys[:5]):
                claims[f"five_whys.{index}"] = to_claim(why.answer)
            for index, factor in enumerate(analysis.contributing_factors):
                claims[f"contributing_factors.{index}"] = Claim(text=factor.statement, evidence=list(factor.evidence))
        return claims

    def verify(self, claims: dict[str, Claim]) -> dict[str, Claim | None]:
        """Checked claims by key, each marked with its origin; None marks a claim that could not be kept.

        A repair that passes every check is kept as `model_repaired` with the rule it failed (a warning
        says so); a repair that only says "not established" loses the sentence, like no repair at all.
        """
        problems = {key: self.problems(claim) for key, claim in claims.items()}
        failing = {key: found for key, found in problems.items() if found}
        repaired = self.repair(claims, failing) if failing else {}
        result: dict[str, Claim | None] = {}
        for key, claim in claims.items():
            if key not in failing:
                result[key] = claim.model_copy(update={"origin": ClaimOrigin.model})
                continue
            reason = "; ".join(map(unquoted, failing[key]))
            fixed = repaired.get(key)
            if fixed is not None and introduced_names(claim.text, fixed.text, self.people):
                self.warn(f"{key.split('.')[0]}: a repair named a person the original sentence did not; not used")
                fixed = None
            if fixed is None or not fixed.established or self.problems(fixed):
                fixed = self.rule_rewrite(claim, failing[key])
                reason = f"{reason} (rewritten by rule)" if fixed is not None else reason
            if fixed is None:
                result[key] = None
                self.lost[key] = f"{describe(key)} {reason}"
                self.warn(f"{key.split('.')[0]}: removed a model sentence ({reason})")
                continue
            result[key] = fixed.model_copy(update={"origin": ClaimOrigin.model_repaired, "origin_reason": reason})
            self.warn(f"{describe(key)} in {SECTION_TITLES[key.split('.')[0]]} was repaired: {reason}")
        return result

    def problems(self, claim: Claim) -> list[str]:
        """Everything code can find wrong with one claim (empty: it may stay)."""
        if not claim.established:
            return [] if claim.text.startswith(NOT_ESTABLISHED) else ["marked not established but states something"]
        found = claim_problems(claim, self.evidence)
        if found:
            return found
        cited = [self.evidence[e] for e in claim.evidence]
        if all(item.suspect for item in cited):
            found.append(f"cites only {', '.join(claim.evidence)}, which reads as an instruction to a model")
        echoed = self.echoed_suspect(claim, cited)
        if echoed:
            found.append(f"repeats wording of suspect message {echoed}, which is not in its other evidence")
        found += [f"blameless check: {message}" for message in blame_messages(claim.text, self.people)]
        if names_outside_role_statements(claim.text, self.people):
            found.append(PERSON_OUTSIDE_ROLE)
        if not is_english(claim.text):
            found.append("blameless check: not in English, so the check could not read it")
        return found

    def echoed_suspect(self, claim: Claim, cited: list[Evidence]) -> str | None:
        """A suspect message whose distinctive words the claim repeats, though trusted evidence lacks them."""
        trusted = words(" ".join(item.text for item in cited if not item.suspect))
        claim_words = words(claim.text) - trusted
        for item in self.items:
            if item.suspect and len(claim_words & words(item.text)) >= 2:
                return item.id
        return None

    def repair(self, claims: dict[str, Claim], failing: dict[str, list[str]]) -> dict[str, Claim]:
        """One call for all failed claims, each with the reasons code found."""
        if self.model.calls_left <= 0:
            self.warn(f"{len(failing)} sentence(s) failed verification and the call budget leaves no repair call")
            return {}
        failures = [
            {"key": key, "text": claims[key].text, "evidence": claims[key].evidence, "problems": found}
            for key, found in failing.items()
        ]
        try:
            reply = self.model.structured(self.prompt("repair", failures=failures), RepairReply)
        except ModelUnavailableError as exc:
            self.warn(f"the repair call failed ({exc.reason}); failed sentences were rewritten or removed by code")
            return {}
        return {item.key: to_claim(item) for item in reply.repaired if item.key in failing}

    def rule_rewrite(self, claim: Claim, found: list[str]) -> Claim | None:
        """Blame is the only problem: the rule-based rewrite may save the sentence; anything else may not."""
        if not all(problem.startswith("blameless check:") for problem in found):
            return None
        rewritten = blameless_or_none(claim.text, self.people)
        if rewritten is None:
            return None
        candidate = claim.model_copy(update={"text": rewritten})
        return candidate if not self.problems(candidate) else None

    # -- assembling

    def assemble(
        self, base: Draft, narrative: NarrativeReply, analysis: AnalysisReply | None, checked: dict[str, Claim | None]
    ) -> Draft:
        def section(name: str) -> list[Claim]:
            """The model's section when every sentence in it was kept, else the offline section (marked)."""
            claims = [checked[f"{name}.{i}"] for i in range(len(getattr(narrative, name)))]
            if claims and None not in claims:
                kept = [claim for claim in claims if claim is not None]
                if name == "executive_summary":
                    kept = trim_words([claim for claim in kept if claim.established], summary_word_limit())
                if kept:
                    return kept
            return self.fall_back(name, getattr(base, name), claims)

        update: dict[str, Any] = {
            "executive_summary": section("executive_summary"),
            "impact": section("impact"),
            "went_well": pad(
                section("went_well"), "the review should add what helped the response (at least three items)"
            ),
            "went_wrong": pad(
                section("went_wrong"),
                "the review should add what made the incident worse or longer (at least three items)",
            ),
            "lessons_learned": section("lessons_learned"),
        }
        if analysis is not None:
            update.update(self.analysis_sections(base, analysis, checked))
        usage = self.model.usage.model_copy(deep=True)
        self.warnings += secret_warning(self.model.secrets_in_replies)
        metadata = base.metadata.model_copy(update={"engine": "llm", "llm": usage, "warnings": list(self.warnings)})
        return base.model_copy(update={**update, "metadata": metadata})

    def fall_back(self, name: str, offline: list[Claim], claims: list[Claim | None]) -> list[Claim]:
        """The offline engine's text for a section the model lost, every sentence marked with the reason."""
        lost = [self.lost[f"{name}.{i}"] for i, claim in enumerate(claims) if claim is None]
        reason = "; ".join(lost) if lost else "the model wrote no sentence for it"
        self.warn(f"{SECTION_TITLES[name]} is the offline engine's text: {reason}")
        return [claim.model_copy(update={"origin": ClaimOrigin.fallback, "origin_reason": reason}) for claim in offline]

    def analysis_sections(
        self, base: Draft, analysis: AnalysisReply, checked: dict[str, Claim | None]
    ) -> dict[str, Any]:
        factors = []
        for index, factor in enumerate(analysis.contributing_factors):
            kept = checked.get(f"contributing_factors.{index}")
            if kept is not None:
                factors.append(
                    ContributingFactor(
                        statement=kept.text,
                        evidence=kept.evidence,
                        confidence=factor.confidence,
                        disputed=factor.disputed,
                    )
                )
        answers = [checked.get(f"five_whys.{index}") for index in range(len(analysis.five_whys[:5]))]
        if answers and None not in answers:
            whys = []
            for index, (why, answer) in enumerate(zip(analysis.five_whys, answers)):
                question = blameless_or_none(why.question, self.people)
                if question is None or names_outside_role_statements(question, self.people):
                    question = base.five_whys[min(index, 4)].question
                whys.append(Why(question=question, answer=answer))
            whys += base.five_whys[len(whys) : 5]
        else:
            offline = self.fall_back("five_whys", [why.answer for why in base.five_whys], answers)
            whys = [why.model_copy(update={"answer": answer}) for why, answer in zip(base.five_whys, offline)]
        actions = [item for item in (self.action_item(out) for out in analysis.action_items) if item is not None]
        return {
            "contributing_factors": factors or base.contributing_factors,
            "five_whys": whys,
            "action_items": actions or base.action_items,
        }

    def action_item(self, out: ActionOut) -> ActionItem | None:
        """A proposed action stays only if it is cited, grounded, not from a suspect message, and blameless."""
        action = blameless_or_none(out.action, self.people)
        if action is not None and names_outside_role_statements(action, self.people):
            action = None
        claim = Claim(text=out.action, evidence=list(out.evidence))
        found = [p for p in self.problems(claim) if not p.startswith("blameless check:")]
        if action is None or found:
            self.warn(f"action_items: removed a model action item ({'; '.join(found) or 'blame language'})")
            return None
        owner = self.owner(out.owner)
        return ActionItem(
            action=action, owner=owner, due=out.due, priority=out.priority, type=out.type, evidence=list(out.evidence)
        )

    def owner(self, stated: str | None) -> str | None:
        if not stated:
            return None
        name = self.pseudonyms.name_of(stated) or stated
        if is_bot(name):
            return None
        return name if any(name == person or name == person.split()[0] for person in self.people) else None

    def fallback(self, base: Draft, exc: ModelUnavailableError) -> Draft:
        """The offline draft, marked in its status, metadata and warnings: never a traceback, never nothing."""
        usage = self.model.usage.model_copy(deep=True, update={"fallback": True, "fallback_reason": exc.reason})
        self.warn(f"the model did not produce a draft ({exc.reason}); this is the offline draft")
        metadata = base.metadata.model_copy(update={"engine": "offline", "llm": usage, "warnings": list(self.warnings)})
        return base.model_copy(update={"status": FALLBACK_STATUS, "metadata": metadata})

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def draft_llm(incident: Incident, facts: Facts, *, config: LLMConfig, model: ChatModel | None = None) -> Draft:
    """The ENGINES entry for "llm"; `model` is injectable (tests pass one with a fake sleep)."""
    return LLMEngine(incident, facts, config, model).build()


def to_claim(out: ClaimOut) -> Claim:
    if not out.established:
        text = out.text if out.text.startswith(NOT_ESTABLISHED) else NOT_ESTABLISHED
        return Claim(text=text, evidence=[], established=False)
    return Claim(text=out.text.strip(), evidence=list(dict.fromkeys(out.evidence)))


def describe(key: str) -> str:
    """`went_well.2` -> "sentence 3": how a warning points at one model sentence."""
    section, index = key.rsplit(".", 1)
    noun = {"five_whys": "answer", "contributing_factors": "factor"}.get(section, "sentence")
    return f"{noun} {int(index) + 1}"


def unquoted(problem: str) -> str:
    """A problem as a draft warning may show it: a blameless finding by rule only, never quoting the blame."""
    rule = re.match(r"blameless check: (BL\d{3}) ", problem)
    return f"{rule.group(1)} blame language" if rule else problem


def blame_messages(text: str, people: Iterable[str]) -> list[str]:
    """Warning-or-worse findings of the blameless check, as messages the model can act on."""
    from pipeline.blameless import lint_text

    return [f"{f.rule_id} {f.message}" for f in blocking_findings(lint_text(text, people=list(people)))]


def words(text: str) -> set[str]:
    return {w.strip("._-") for w in WORD_RE.findall(text.lower())} - COMMON_WORDS


def trim_words(claims: list[Claim], limit: int) -> list[Claim]:
    kept: list[Claim] = []
    total = 0
    for claim in claims:
        total += len(claim.text.split())
        if total > limit:
            break
        kept.append(claim)
    return kept
