"""Secrets and contact data -> placeholders, before anything is drafted, rendered or sent to a model.

Patterns are data (`pipeline/data/redaction.yaml`). Secrets become `[REDACTED:<kind>]` and are never
restored; e-mail addresses and phone numbers become `[EMAIL-1]`-style placeholders that `restore`
can put back in the author's local output. The same file lists prompt-injection phrases: a message
that matches is `suspect` (see models.ChatMessage).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.models import ChatMessage, Incident, TimelineEvent

@dataclass(frozen=True)
class Pattern:
    kind: str
    klass: str
    regex: re.Pattern[str]


@dataclass
class Redactor:
    """Replaces matches consistently: the same e-mail gets the same placeholder everywhere."""

    redact_ips: bool = False
    keep_lines: bool = False  # pad a multi-line secret's placeholder with its newlines, so line numbers hold
    contacts: dict[str, str] = field(default_factory=dict)  # placeholder -> original, for consistent placeholders

    def redact(self, text: str) -> str:
        secrets, contacts, network, _ = compiled_patterns()
        for pattern in secrets:
            text = pattern.regex.sub(lambda m, p=pattern: _replace(m, f"[REDACTED:{p.kind}]", self.keep_lines), text)
        for pattern in contacts + (network if self.redact_ips else []):
            text = pattern.regex.sub(lambda m, p=pattern: _replace(m, self._placeholder(p.kind, m)), text)
        return text

    def _placeholder(self, kind: str, match: re.Match[str]) -> str:
        value = match.group("value") if "value" in match.re.groupindex else match.group(0)
        for placeholder, original in self.contacts.items():
            if original == value:
                return placeholder
        count = sum(1 for key in self.contacts if key.startswith(f"[{kind.upper()}-"))
        placeholder = f"[{kind.upper()}-{count + 1}]"
        self.contacts[placeholder] = value
        return placeholder


def _replace(match: re.Match[str], placeholder: str, keep_lines: bool = False) -> str:
    if "value" in match.re.groupindex and match.group("value") is not None:
        start, end = match.span("value")
        whole_start = match.start()
        text = match.group(0)
        padding = "\n" * match.group("value").count("\n") if keep_lines else ""
        return text[: start - whole_start] + placeholder + padding + text[end - whole_start :]
    return placeholder + ("\n" * match.group(0).count("\n") if keep_lines else "")


def compiled_patterns() -> tuple[list[Pattern], list[Pattern], list[Pattern], list[re.Pattern[str]]]:
    """The bundled patterns, then the team's from postmortem.toml `[redaction] patterns`."""
    from pipeline.settings import data_files

    return _compiled_patterns(data_files().redaction)


@lru_cache(maxsize=4)
def _compiled_patterns(
    extra: tuple[Path, ...],
) -> tuple[list[Pattern], list[Pattern], list[Pattern], list[re.Pattern[str]]]:
    from pipeline.datafiles import load_redaction

    data = load_redaction(extra)

    def build(section: str) -> list[Pattern]:
        return [Pattern(item.kind, item.klass, re.compile(item.pattern)) for item in getattr(data, section)]

    injection = [re.compile(pattern) for pattern in data.injection]
    return build("secrets"), build("contact"), build("network"), injection


def is_injection(text: str) -> bool:
    """True when the text tries to instruct a model rather than describe the incident."""
    return any(pattern.search(text) for pattern in compiled_patterns()[3])


def redact_incident(incident: Incident, redactor: Redactor | None = None) -> Incident:
    """A copy of the incident with secrets and contacts replaced and injection attempts marked suspect.

    The locked timeline's hash is kept: it proves which file was used, not what is shown.
    """
    redactor = redactor or Redactor()
    events = [
        TimelineEvent.model_construct(**{**event.__dict__, "text": redactor.redact(event.text)})
        for event in incident.timeline.events
    ]
    timeline = incident.timeline.model_copy(update={"events": events})
    chat = None
    if incident.chat is not None:
        messages = [
            ChatMessage.model_construct(
                **{**message.__dict__, "text": redactor.redact(message.text),
                   "suspect": message.suspect or is_injection(message.text)}
            )
            for message in incident.chat.messages
        ]
        chat = incident.chat.model_copy(update={"messages": messages})
    return incident.model_copy(update={"timeline": timeline, "chat": chat})
