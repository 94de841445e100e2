"""The pydantic nouns every stage shares: ingest -> facts -> draft -> verify -> render.

Evidence IDs are the contract between stages: `T3` is the third row of the locked timeline, `C12` the
twelfth chat message. A claim in a draft cites those IDs, and code (not a model) checks they exist.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

NOT_ESTABLISHED = "Not established by the recorded evidence."
EVIDENCE_ID = r"[TC][0-9]+"
"""An evidence ID: T<n> (row n of the locked timeline) or C<n> (chat message n)."""
CITATION_RE = re.compile(rf"\[({EVIDENCE_ID})\]")
"""A citation in a draft's text, `[T3]` or `[C12]`; group 1 is the evidence ID."""


class Strict(BaseModel):
    """Base: unknown keys are errors, so a misspelled field never passes silently."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


# ---------------------------------------------------------------- timeline


class TimelineEvent(Strict):
    id: str = Field(description="Stable evidence ID, T1..Tn in timeline order.")
    time: datetime = Field(description="When it happened, timezone-aware UTC.")
    text: str = Field(description="The event as the scribe wrote it.")
    raw_time: str = Field(description="The time cell exactly as written in the file.")
    line: int = Field(description="1-based line (or record number) in the source file.")


class LockedTimeline(Strict):
    path: str
    format: Literal["markdown", "csv", "json"]
    events: list[TimelineEvent]
    sha256: str = Field(description="SHA-256 of the normalized events (see pipeline.ingest.lock).")
    lock_status: Literal["locked", "unlocked"] = "unlocked"


# ---------------------------------------------------------------- chat


class ChatMessage(Strict):
    id: str = Field(description="Stable evidence ID, C1..Cn in chat order.")
    time: datetime | None = Field(description="Timezone-aware UTC, or None when the source has no time.")
    author: str
    text: str
    line: int = Field(description="1-based line in the source file (or file:line for Slack exports).")
    source: str = Field(default="", description="File the message came from (Slack exports span files).")
    kind: Literal["message", "bot", "join", "edit", "system"] = "message"
    thread_of: str | None = Field(default=None, description="ID of the thread's parent message, if a reply.")
    edited: bool = False
    suspect: bool = Field(
        default=False,
        description="Text tries to instruct a model (prompt injection); never the only evidence of a claim.",
    )


class ChatLog(Strict):
    path: str
    format: str
    messages: list[ChatMessage]
    sources: list[str] = Field(
        default_factory=list,
        description="The chat sources merged into this log (channel, call transcripts); empty for one source.",
    )


MessageClass = Literal[
    "hypothesis",
    "confirmed_cause",
    "refutation",
    "mitigation_step",
    "status_update",
    "impact_statement",
    "role_assignment",
    "decision",
    "action_proposal",
    "question",
    "noise",
]
"""What one chat message does for the incident record (evals/messages/README.md defines each class)."""


class Classification(Strict):
    """The message classifier's reading of one chat message (pipeline/classify.py)."""

    message_id: str = Field(description="The ChatMessage's evidence ID (C<n>).")
    label: MessageClass
    confidence: float = Field(description="The model's probability for `label`, 0..1.")
    runner_up: MessageClass
    runner_up_confidence: float
    confident: bool = Field(
        description="confidence reached the threshold in pipeline/data/classifier.yaml: safe to draft from."
    )


# ---------------------------------------------------------------- incident


class Person(Strict):
    name: str
    roles: list[str] = Field(default_factory=list, description="IC, OL, CL, Scribe, SME ...")
    handles: list[str] = Field(
        default_factory=list, description="Chat handles that stand for this person (rosa, @rlima)."
    )


class SourcesMeta(Strict):
    """`[sources]` in incident.toml: what the chat sources cannot say about themselves."""

    call_started: dt.datetime | dt.time | str | None = Field(
        default=None,
        description="When the recorded call began; places the cue offsets of .vtt/.srt transcripts without a header.",
    )


class IncidentMeta(Strict):
    """What `incident.toml` declares; every field optional."""

    title: str | None = None
    service: str | None = None
    date: dt.date | None = None
    timezone: str | None = None
    severity: str | None = None
    authors: list[str] = Field(default_factory=list)
    people: list[Person] = Field(default_factory=list)
    sources: SourcesMeta = Field(default_factory=SourcesMeta)


class Incident(Strict):
    """Everything ingested for one incident, before any interpretation."""

    meta: IncidentMeta
    timeline: LockedTimeline
    chat: ChatLog | None = None
    directory: str = ""


# ---------------------------------------------------------------- facts and claims


class EvidenceRef(Strict):
    id: str = Field(description="T<n> or C<n>.")
    quote: str = Field(default="", description="The cited text, for reviewers.")


class Fact(Strict):
    """A value established deterministically from evidence (severity, a time, a role)."""

    name: str
    value: str
    time: datetime | None = None
    evidence: list[str] = Field(default_factory=list)


class Facts(Strict):
    severity: Fact | None = None
    roles: list[Fact] = Field(default_factory=list)
    started: Fact | None = None
    detected: Fact | None = None
    declared: Fact | None = None
    mitigated: Fact | None = None
    resolved: Fact | None = None
    mitigation_steps: list[Fact] = Field(default_factory=list)
    impact: list[Fact] = Field(default_factory=list)
    time_to_detect_minutes: int | None = None
    time_to_mitigate_minutes: int | None = None
    time_to_resolve_minutes: int | None = None


class ClaimOrigin(str, Enum):
    """How a sentence of the draft was made, so a reviewer knows which ones code had to change."""

    offline = "offline"
    model = "model"
    model_repaired = "model_repaired"
    fallback = "fallback"


class Claim(Strict):
    """One factual sentence of the draft and the evidence it stands on."""

    text: str
    evidence: list[str] = Field(default_factory=list, description="Evidence IDs; empty only when not established.")
    established: bool = True
    origin: ClaimOrigin = Field(
        default=ClaimOrigin.offline,
        description="offline engine; model as written; model_repaired (the model's sentence failed verification "
        "and was repaired); fallback (the offline text, used because the model's section failed verification).",
    )
    origin_reason: str = Field(
        default="", description="For model_repaired and fallback: the rule that failed (never the quoted blame)."
    )


class Confidence(str, Enum):
    low = "low"
    medium = "medium"
    high = "high"


class ContributingFactor(Strict):
    statement: str
    evidence: list[str] = Field(default_factory=list)
    confidence: Confidence = Confidence.low
    disputed: bool = False


class ActionType(str, Enum):
    detective = "detective"
    preventive = "preventive"
    corrective = "corrective"


class ActionItem(Strict):
    action: str
    owner: str | None = None
    due: str | None = None
    priority: str | None = None
    type: ActionType = ActionType.corrective
    evidence: list[str] = Field(default_factory=list)


class Why(Strict):
    question: str
    answer: Claim


class SimilarIncident(Strict):
    incident_id: str
    title: str
    score: float
    why: str
    date: dt.date | None = None
    severity: str | None = None
    services: list[str] = Field(default_factory=list)
    matched_section: str = Field(default="", description="Section of the past postmortem that matched best.")
    matched_passage: str = Field(default="", description="The passage itself, so a reviewer can check the match.")
    shared_services: list[str] = Field(default_factory=list)
    shared_triggers: list[str] = Field(default_factory=list, description="Trigger categories in both incidents.")
    shared_factors: list[str] = Field(default_factory=list, description="Factor categories in both incidents.")
    recurrence: bool = Field(
        default=False, description="Same service and a shared trigger/factor within the recurrence window."
    )
    source: str = Field(default="", description="File the past postmortem was indexed from.")


class LLMCall(Strict):
    """One logical model call (its transport retries included): what it cost and how it ended."""

    prompt: str
    prompt_sha256: str = Field(description="Version hash of the prompt templates (pipeline.prompting).")
    http_attempts: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = Field(default=0.0, description="Wall time waiting for the model, retries included.")
    outcome: Literal["ok", "invalid", "failed"] = "ok"


class LLMUsage(Strict):
    """What the LLM engine spent on a draft, and whether it had to fall back to the offline draft."""

    model: str
    base_url: str | None = None
    calls: int = 0
    http_attempts: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    model_seconds: float = 0.0
    prompt_hashes: dict[str, str] = Field(default_factory=dict)
    call_log: list[LLMCall] = Field(default_factory=list)
    fallback: bool = Field(default=False, description="True when the draft is the offline engine's, not the model's.")
    fallback_reason: str = ""


class DraftMetadata(Strict):
    generator: str = "postmortem-pipeline"
    version: str = ""
    engine: str = "offline"
    timeline_sha256: str = ""
    lock_status: str = "unlocked"
    chat_format: str | None = None
    generated_at: datetime | None = None
    warnings: list[str] = Field(default_factory=list)
    llm: LLMUsage | None = Field(default=None, description="Model usage when the LLM engine drafted.")


class Draft(Strict):
    """The whole postmortem as data; draft.md is this rendered through templates/postmortem.md.j2."""

    CLAIM_SECTIONS: ClassVar[tuple[str, ...]] = (
        "executive_summary",
        "impact",
        "went_well",
        "went_wrong",
        "lessons_learned",
    )
    """The sections that are lists of claims: each sentence cites evidence, and code verifies it."""

    title: str
    date: dt.date | None = None
    duration_minutes: int | None = None
    severity: str | None = None
    status: str = "Draft"
    authors: list[str] = Field(default_factory=list)
    service: str | None = None
    facts: Facts
    executive_summary: list[Claim]
    impact: list[Claim]
    timeline: list[TimelineEvent]
    went_well: list[Claim]
    went_wrong: list[Claim]
    contributing_factors: list[ContributingFactor]
    five_whys: list[Why]
    action_items: list[ActionItem]
    lessons_learned: list[Claim]
    similar_incidents: list[SimilarIncident] = Field(default_factory=list)
    similar_source: str = Field(default="", description="Which incident library the similar incidents came from.")
    open_questions: list[str]
    evidence_index: dict[str, str] = Field(description="Every evidence ID to its one-line text.")
    header_notes: list[str] = Field(
        default_factory=list,
        description="What the reader must know before trusting the draft: times read as UTC, text not checked.",
    )
    metadata: DraftMetadata = Field(default_factory=DraftMetadata)


# ---------------------------------------------------------------- blameless check


class Level(str, Enum):
    """A finding's level, declared in rank order: the one place that says error outranks warning."""

    suggestion = "suggestion"
    warning = "warning"
    error = "error"

    @property
    def rank(self) -> int:
        """0 for suggestion, 1 for warning, 2 for error: compare levels by this, never by name."""
        return list(Level).index(self)

    @property
    def blocks(self) -> bool:
        """Warning or worse: text with such a finding blames someone and may not pass as blameless."""
        return self.rank >= Level.warning.rank


def blocking_findings(findings: Iterable[Finding]) -> list[Finding]:
    """The findings at warning level or above: what the drafting gate, the rewrites, the rubric and the
    backfill report all count as blame."""
    return [finding for finding in findings if finding.level.blocks]


class FindingRewrite(Strict):
    """The sentence a finding sits in, rewritten. "safe" rewrites keep the meaning by construction and are
    what `check --fix` writes; "review" rewrites may change a claim, so only a person applies them."""

    safety: Literal["safe", "review"]
    original: str
    text: str


class Finding(Strict):
    """One blameless-check diagnostic; every output format renders a list of these."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    rule_id: str
    slug: str
    level: Level
    message: str
    match: str
    suggestion: str = ""
    fix: str | None = Field(default=None, description="Replacement text when the rewrite is safe to apply.")
    help_url: str = ""
    rewrite: FindingRewrite | None = Field(default=None, description="The finding's sentence, rewritten.")


# ---------------------------------------------------------------- backfill

NOT_RECORDED = "Not recorded in source"


class SourceSpan(Strict):
    """1-based, inclusive line range in the note's source file: where a field was read from."""

    start: int
    end: int


class NoteField(Strict):
    """One extracted value and where it came from; `value` is NOT_RECORDED when the note lacks it."""

    value: str = NOT_RECORDED
    lines: SourceSpan | None = None

    @property
    def recorded(self) -> bool:
        return self.value != NOT_RECORDED


class NoteItem(Strict):
    """One list entry (a factor, an action item, a lesson, a service) with its source lines."""

    text: str
    lines: SourceSpan


class NoteTimelineRow(Strict):
    time: str = Field(description="The time exactly as written in the note (no zone is guessed).")
    text: str
    lines: SourceSpan


class NoteRecord(Strict):
    """An old incident note normalized by `postmortem backfill`; every value carries its provenance."""

    note_id: str = Field(description="Stable id from the note's path relative to its backfill source.")
    source: str = Field(description="Path of the note as given to backfill.")
    format: Literal["markdown", "text", "html", "json", "slack-export", "yaml", "csv", "eml", "docx"]
    content_sha256: str
    extraction: Literal["offline", "llm"] = "offline"
    record_index: int = Field(default=1, ge=1, description="1-based position of this incident in its file.")
    records_in_file: int = Field(default=1, ge=1, description="How many incidents the file holds (a digest, a CSV).")
    lines: SourceSpan | None = Field(default=None, description="The incident's own lines when the file holds several.")
    title: NoteField = Field(default_factory=NoteField)
    date: NoteField = Field(
        default_factory=NoteField,
        description="Incident date: YYYY-MM-DD, or YYYY-MM / YYYY-Qn when the note gives only that.",
    )
    date_precision: Literal["day", "month", "quarter"] | None = Field(
        default=None, description="How precise the date is."
    )
    date_provenance: Literal["note", "file name"] | None = Field(
        default=None, description='"file name" when the note itself gives no date (the last resort).'
    )
    severity: NoteField = Field(default_factory=NoteField)
    services: list[NoteItem] = Field(default_factory=list)
    summary: NoteField = Field(default_factory=NoteField)
    impact: NoteField = Field(default_factory=NoteField)
    timeline: list[NoteTimelineRow] = Field(default_factory=list)
    contributing_factors: list[NoteItem] = Field(default_factory=list)
    action_items: list[NoteItem] = Field(default_factory=list)
    lessons: list[NoteItem] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list, description="Blameless-check findings on the note.")
    warnings: list[str] = Field(default_factory=list, description="What extraction dropped, and why.")


# ---------------------------------------------------------------- review


class ReviewItem(Strict):
    """What a reviewer decided on: a blameless rewrite, or a drafted claim, factor, why, action or lesson."""

    kind: Literal["rewrite", "claim", "factor", "why", "action", "lesson"] = "rewrite"
    section: str = Field(default="", description="The draft's heading the item sits under.")
    line: int
    rule: str = Field(default="", description="Blameless rule id, for a rewrite.")
    text: str = Field(description="The text as drafted.")
    rewrite: str | None = Field(default=None, description="The proposed text (a rewrite), or the reviewer's (an edit).")


class ReviewEdit(Strict):
    """The edit a decision made to the draft, so that Undo can reverse exactly it."""

    offset: int
    before: str
    after: str


class ReviewDecision(Strict):
    """One line of review.jsonl (beside the reviewed draft): append-only, an undo is a decision too."""

    id: str
    time: datetime
    draft: str = Field(description="The reviewed file's name.")
    decision: Literal["accept", "edit", "reject", "undo"] = Field(
        description="accept: a rewrite applied or an item kept as drafted; edit: an item rewritten by the "
        "reviewer; reject: a rewrite declined (the text kept, the check told) or an item removed; undo: a "
        "decision reversed."
    )
    item: ReviewItem | None = None
    evidence: list[str] = Field(default_factory=list, description="Evidence IDs cited where the item stands.")
    engine: str = Field(default="unknown", description="The engine that drafted the item: offline, llm, unknown.")
    undoes: str | None = Field(default=None, description="For an undo: the id of the decision it reverses.")
    edits: list[ReviewEdit] = Field(default_factory=list)
