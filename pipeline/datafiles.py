"""Reading the YAML data files (signals, redaction, backfill, rubric, taxonomy, rules) into strict schemas.

Every data file invites tuning, so a typo in one must be a ConfigError naming file:line and what is
wrong, never a KeyError traceback. One helper does that for every file: parse the YAML, validate it
against a pydantic model that forbids unknown keys, and map the first validation error back to the
line of the YAML node it is about. Regexes are compiled during validation, so a bad expression is
reported at its own line too.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, Field, ValidationError

from pipeline import data_cache, regex_cache
from pipeline.errors import ConfigError
from pipeline.models import Strict
from pipeline.package_data import package_path

if TYPE_CHECKING:
    import yaml

M = TypeVar("M", bound=Strict)
DATA_DIR = package_path("data")
ROLE_PLACEHOLDER = "{ROLE}"
NAME_PLACEHOLDER = "{NAME}"


def bundled(name: str) -> Path:
    """A data file shipped in the package (pipeline/data/NAME)."""
    return DATA_DIR / name


# ---------------------------------------------------------------- the one loader


@lru_cache(maxsize=1)
def _loader() -> type:
    """PyYAML's C loader when it has one (yaml is imported on first use: a check whose data files all come
    from pipeline.data_cache parses no YAML), refusing a key given twice in one mapping: YAML would keep the
    last silently, so a pattern's `kind: agent` written under the next pattern changed two rules unseen."""
    import yaml

    class UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
            if isinstance(node, yaml.MappingNode):
                self.flatten_mapping(node)
                seen: dict[object, int] = {}
                for key_node, _ in node.value:
                    key = self.construct_object(key_node, deep=True)
                    if isinstance(key, str | int | float | bool) and key in seen:
                        raise yaml.constructor.ConstructorError(
                            None,
                            None,
                            f"key {key!r} appears twice in one mapping (first on line {seen[key]}); keep one",
                            key_node.start_mark,
                        )
                    seen.setdefault(key, key_node.start_mark.line + 1)
            return super().construct_mapping(node, deep)

    return UniqueKeyLoader


def compose(text: str) -> yaml.Node | None:
    """The node tree of YAML text, to find the line of a key (only when something in it is wrong)."""
    import yaml

    return yaml.compose(text, Loader=_loader())


def node_line(root: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the deepest YAML node found along a pydantic error location (a key's own line)."""
    import yaml

    node, line = root, (root.start_mark.line + 1 if root is not None else None)
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == key), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line


def read_text(path: Path, what: str = "data file") -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(path, f"cannot read {what}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(path, f"cannot read {what}: not UTF-8 text") from exc


def parse_yaml(text: str, path: Path | str) -> Any:
    """YAML text as data; a syntax error is a ConfigError at its line."""
    import yaml

    try:
        return yaml.load(text, Loader=_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(
            path, f"not valid YAML: {getattr(exc, 'problem', exc)}", line=mark.line + 1 if mark else None
        ) from exc


def error_reason(error: dict[str, Any], skip: int = 0) -> str:
    """One validation error as a short reason: "unknown key 'x'" or "where: what is wrong"."""
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown key {loc[-1]!r}"
    where = ".".join(str(part) for part in loc[skip:]) or ".".join(str(part) for part in loc)
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def first_error(exc: ValidationError) -> dict[str, Any]:
    """The error to report: an unknown key first (a misspelled key also makes the right one "missing",
    and the misspelling is the line to fix), else the first."""
    errors = exc.errors()
    return next((error for error in errors if error["type"] == "extra_forbidden"), errors[0])


def validation_error(exc: ValidationError, path: Path | str, text: str, **extra: Any) -> ConfigError:
    """The first problem of a failed validation (see first_error) as ConfigError(path, reason, line)."""
    first = first_error(exc)
    line = node_line(compose(text), tuple(first["loc"]))
    return ConfigError(path, error_reason(first), line=line, **extra)


def load_yaml_model(path: Path, model: type[M], text: str | None = None) -> M:
    """Read `path` (or parse `text`) and validate it as `model`; every problem names file:line."""
    text = read_text(path) if text is None else text
    return data_cache.validated(model, text, path, lambda: _validate_yaml(path, model, text))


def _validate_yaml(path: Path, model: type[M], text: str) -> M:
    data = parse_yaml(text, path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(path, "expected a mapping of keys at the top level", line=1)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, path, text) from exc


def _valid_regex(value: str) -> str:
    try:
        regex_cache.compile(value.replace(ROLE_PLACEHOLDER, "(?:x)").replace(NAME_PLACEHOLDER, "(?:x)"))
    except re.error as exc:
        raise ValueError(f"bad regular expression: {exc}") from exc
    return value


Regex = Annotated[str, AfterValidator(_valid_regex)]
"""A Python regular expression, compiled when the file is read so a bad one is reported at its line."""


# ---------------------------------------------------------------- signals.yaml


class SignalsFile(Strict):
    """pipeline/data/signals.yaml, or a team's file on top of it (then every key is optional: a key it sets
    replaces the bundled one; in a map, its entries are added to or replace the bundled entries)."""

    severity: Regex | None = None
    severity_declaration: Regex | None = None
    severity_denied: Regex | None = None
    roles: dict[str, list[str]] | None = Field(default=None, description="Role -> the words that name it.")
    required_roles: list[str] | None = None
    person_titles: list[str] | None = None
    role_self: Regex | None = None
    role_assigned: Regex | None = None
    role_assigned_reverse: Regex | None = None
    role_listed: Regex | None = None
    role_listed_reverse: Regex | None = None
    role_parenthesized: Regex | None = None
    role_requested: Regex | None = None
    role_self_verb: Regex | None = None
    role_self_other_language: Regex | None = None
    role_addressed: Regex | None = None
    role_imperative: Regex | None = None
    role_ack: Regex | None = None
    role_clause_not_current: Regex | None = None
    action_ordinal_list_cue: Regex | None = None
    action_plan_cue: Regex | None = None
    action_piece_not_work: Regex | None = None
    action_ideas_taken: Regex | None = None
    action_ticket_created: Regex | None = None
    ticket_for_the_incident: Regex | None = None
    action_owner_wanted: Regex | None = None
    action_claimed: Regex | None = None
    action_wrap_up_cue: Regex | None = None
    action_wrap_up_announced: Regex | None = None
    action_wrap_up_item: Regex | None = None
    action_wrap_up_addressed_work: Regex | None = None
    action_assent: Regex | None = None
    action_retracted: Regex | None = None
    action_corrected: Regex | None = None
    action_declined: Regex | None = None
    action_owner_after: Regex | None = None
    action_list_header_loose: Regex | None = None
    action_item_noted: Regex | None = None
    action_list_adds_to_earlier: Regex | None = None
    action_list_assignment: Regex | None = None
    role_clause_first_person: Regex | None = None
    role_clause_wanted: Regex | None = None
    role_clause_handover: Regex | None = None
    role_message_elsewhere: Regex | None = None
    nicknames: dict[str, str] | None = Field(default=None, description="Nickname -> the first name it stands for.")
    bot_author: Regex | None = None
    question_sentence: Regex | None = None
    detection: Regex | None = None
    detection_report: Regex | None = None
    alert_detection: Regex | None = None
    manual_page: Regex | None = None
    alert_value: Regex | None = None
    declaration: Regex | None = None
    incident_opened: Regex | None = None
    impact_start: Regex | None = None
    impact_marked: Regex | None = None
    investigation: Regex | None = None
    dismissed: Regex | None = None
    detection_negated: Regex | None = None
    action_retracted_number: Regex | None = None
    discovery: Regex | None = None
    early_warning: Regex | None = None
    harm_negated: Regex | None = None
    exposure: Regex | None = None
    setting_change: Regex | None = None
    impact_user_facing: Regex | None = None
    row_added_afterwards: Regex | None = None
    mitigation_steps: dict[str, Regex] | None = None
    mitigated: Regex | None = None
    mitigated_partial: Regex | None = None
    harm_spreads: Regex | None = None
    mitigated_weak: Regex | None = None
    step_failed: Regex | None = None
    outcome_reported: Regex | None = None
    mitigation_effect: Regex | None = None
    mitigation_partial_scope: Regex | None = None
    workaround: Regex | None = None
    cause_label: Regex | None = None
    resolved: Regex | None = None
    resolved_not: Regex | None = None
    impact_figure: Regex | None = None
    impact_not_figure_after: Regex | None = None
    impact_context: Regex | None = None
    hypothesis: Regex | None = None
    confirmation: Regex | None = None
    cause_unknown: Regex | None = None
    cause_unknown_not: Regex | None = None
    cause_statement: Regex | None = None
    cause_points_at_change: Regex | None = None
    cause_row: Regex | None = None
    finding_subject: Regex | None = None
    cause_stated: Regex | None = None
    finding: Regex | None = None
    progress_report: Regex | None = None
    alert_row: Regex | None = None
    decision_row: Regex | None = None
    cause_confirmed: Regex | None = None
    hedge: Regex | None = None
    cause_explains: Regex | None = None
    points_back: Regex | None = None
    review_agenda: Regex | None = None
    rotation_request: Regex | None = None
    rotation_done: Regex | None = None
    secret_shared: Regex | None = None
    secret_named: Regex | None = None
    secret_kinds: dict[str, str] | None = Field(default=None, description="Redacted kind -> what it is called.")
    secret_schemes: dict[str, str] | None = Field(
        default=None, description="URL scheme -> what the password in such a URL is called."
    )
    recovery_report: Regex | None = None
    remedy_ready: Regex | None = None
    change: Regex | None = None
    change_alteration: Regex | None = None
    missing_control: Regex | None = None
    cause_link: Regex | None = None
    statement_residue: Regex | None = None
    not_a_factor: Regex | None = None
    disagreement: Regex | None = None
    blame_tone: Regex | None = None
    pasted_command: Regex | None = None
    addressed_name: Regex | None = None
    status_posted: Regex | None = None
    status_pending: Regex | None = None
    action_cue: Regex | None = None
    action_explicit: Regex | None = None
    action_follow_up_verb: Regex | None = None
    action_now: Regex | None = None
    action_not_follow_up: Regex | None = None
    action_owner: Regex | None = None
    action_list_header: Regex | None = None
    action_list_header_closing: Regex | None = None
    action_single_header: Regex | None = None
    action_dictated: Regex | None = None
    action_owner_todo: Regex | None = None
    action_owner_trailing: Regex | None = None
    action_owner_dash: Regex | None = None
    action_owner_tail: Regex | None = None
    timeline_follow_up: Regex | None = None
    action_owner_none: Regex | None = None
    action_owner_labelled: Regex | None = None
    action_owner_leading: Regex | None = None
    action_owner_self: Regex | None = None
    action_lead_self: Regex | None = None
    action_lead_team: Regex | None = None
    action_lead_we: Regex | None = None
    action_commentary: Regex | None = None
    action_pronoun_object: Regex | None = None
    action_state_not_work: Regex | None = None
    action_due: Regex | None = None
    action_priority: Regex | None = None
    action_types: dict[str, Regex] | None = None


def _plain_fields(signals: SignalsFile, exclude_none: bool = False) -> dict[str, Any]:
    """What `model_dump` gives for this model of plain fields, without building its serializer (a fifth of the
    check's start-up: pydantic builds it at the first dump)."""
    fields = {name: copy.deepcopy(getattr(signals, name)) for name in SignalsFile.model_fields}
    return {key: value for key, value in fields.items() if value is not None} if exclude_none else fields


def load_signals(extra: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The bundled signals with each team file in `extra` laid on top, every key present."""
    path = bundled("signals.yaml")
    merged = _plain_fields(load_yaml_model(path, SignalsFile))
    for user_path in extra:
        for key, value in _plain_fields(load_yaml_model(user_path, SignalsFile), exclude_none=True).items():
            merged[key] = {**merged[key], **value} if isinstance(value, dict) and merged.get(key) else value
    missing = [key for key, value in merged.items() if value is None]
    if missing:
        raise ConfigError(path, f"missing key {missing[0]!r}")
    unknown = sorted(set(merged["required_roles"]) - set(merged["roles"]))
    if unknown:
        raise ConfigError(extra[-1] if extra else path, f"required_roles: {unknown[0]!r} is not one of the roles")
    return merged


def words_pattern(words: list[str]) -> str:
    """Phrases as one alternation, longest first, each space matching any run of whitespace."""
    escaped = (
        re.escape(word).replace("\\ ", " ").replace(" ", r"\s+") for word in sorted(words, key=len, reverse=True)
    )
    return "|".join(escaped)


# ---------------------------------------------------------------- redaction.yaml


class RedactionPattern(Strict):
    kind: str = Field(min_length=1, description="Placeholder name: [REDACTED:kind] or [KIND-1].")
    pattern: Regex


class LibraryPlugin(Strict):
    name: str = Field(min_length=1, description="A detect-secrets plugin class name, e.g. GitHubTokenDetector.")
    limit: float | None = Field(default=None, description="Entropy limit, for the high-entropy plugins.")


class RedactionLibrary(Strict):
    plugins: list[LibraryPlugin]
    citable: list[Regex] = Field(default_factory=list, description="Values never redacted (commit ids, UUIDs, ...).")


class RedactionCandidate(Strict):
    words: Regex = Field(description="Run on the lowercased line: a line without one has no secret.")
    shape: Regex = Field(description="A token shape: a line without one has no secret either.")


class RedactionFile(Strict):
    """pipeline/data/redaction.yaml, or a team's patterns added after the bundled ones (a team file may set
    only the pattern sections; `library` and `candidate` belong to the bundled file)."""

    library: RedactionLibrary | None = None
    candidate: RedactionCandidate | None = None
    secrets: list[RedactionPattern] = Field(default_factory=list)
    contact: list[RedactionPattern] = Field(default_factory=list)
    network: list[RedactionPattern] = Field(default_factory=list)
    injection: list[Regex] = Field(default_factory=list)


PATTERN_SECTIONS = ("secrets", "contact", "network", "injection")


def load_redaction(extra: tuple[Path, ...] = ()) -> tuple[RedactionFile, RedactionFile]:
    """(everything: the bundled file with each team file's patterns appended, the team files' patterns alone).

    The team's secret patterns are kept apart as well, because the prefilter must let every line they
    could match through (pipeline/secrets.py widens its candidate test with them).
    """
    bundled_file = load_yaml_model(bundled("redaction.yaml"), RedactionFile)
    if bundled_file.library is None or bundled_file.candidate is None:
        raise ConfigError(bundled("redaction.yaml"), "needs `library` and `candidate` sections", line=1)
    team = RedactionFile()
    for user_path in extra:
        added = load_yaml_model(user_path, RedactionFile)
        if added.library is not None or added.candidate is not None:
            raise ConfigError(
                user_path, "a team redaction file may set only secrets, contact, network and injection", line=1
            )
        team = RedactionFile.model_construct(
            **{name: getattr(team, name) + getattr(added, name) for name in PATTERN_SECTIONS}
        )
    merged = bundled_file.model_copy(
        update={name: getattr(bundled_file, name) + getattr(team, name) for name in PATTERN_SECTIONS}
    )
    return merged, team


# ---------------------------------------------------------------- languages.yaml


class LanguagesFile(Strict):
    """pipeline/data/languages.yaml: function words that decide when the language detector is needed."""

    english: list[str] = Field(min_length=1, description="Common English function words.")
    other: list[str] = Field(min_length=1, description="Common function words of other languages.")
    detect: list[str] = Field(min_length=1, description="ISO 639-1 codes the detector chooses among.")


@lru_cache(maxsize=1)
def load_languages() -> LanguagesFile:
    return load_yaml_model(bundled("languages.yaml"), LanguagesFile)


# ---------------------------------------------------------------- backfill.yaml

NoteSection = Literal["summary", "impact", "timeline", "contributing_factors", "action_items", "lessons"]
NoteLabel = Literal["title", "date", "severity", "services"]
StructuredMeaning = Literal[
    "title", "date", "closed", "text", "impact", "cause", "actions", "lessons", "severity", "service", "comments"
]


class BackfillFile(Strict):
    """pipeline/data/backfill.yaml: how offline backfill recognizes the parts of an old note."""

    sections: dict[NoteSection, list[str]]
    fields: dict[NoteLabel, list[str]]
    title_above_labels: list[str]
    placeholder_titles: list[str]
    severity_patterns: list[Regex]
    structured_keys: dict[StructuredMeaning, list[str]]
    incident_lists: list[str]
    known_services: list[str]
    action_leads: list[Regex]
    action_sentences: list[Regex]
    action_sentence_followers: list[Regex] = []
    action_intents: list[Regex] = []


# ---------------------------------------------------------------- rubric.yaml


class CriterionSpec(Strict):
    id: str
    weight: float = Field(gt=0)
    description: str


class SectionEntry(Strict):
    id: str
    name: str
    synonyms: list[Regex] = Field(min_length=1)
    required: bool = True


class RubricLimits(Strict):
    summary_words: int = Field(gt=0, description="The executive summary's word limit (drafts and the score).")


class RubricFile(Strict):
    limits: RubricLimits
    sections: list[SectionEntry]
    fields: dict[str, list[Regex]]
    criteria: list[CriterionSpec]


@lru_cache(maxsize=4)
def load_rubric_file(path: Path) -> RubricFile:
    return load_yaml_model(path, RubricFile)


def summary_word_limit() -> int:
    """The executive summary's word limit, from the bundled rubric: what drafts trim to and the score checks."""
    return load_rubric_file(bundled("rubric.yaml")).limits.summary_words


# ---------------------------------------------------------------- taxonomy.yaml

Term = Annotated[str, Field(min_length=1)]


class TaxonomyFile(Strict):
    triggers: dict[str, Annotated[list[Term], Field(min_length=1)]]
    factors: dict[str, Annotated[list[Term], Field(min_length=1)]]
