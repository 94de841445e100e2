"""Secrets and contact data -> placeholders, on every text that enters and every text that leaves.

Secrets are found by `pipeline.secrets` (detect-secrets plus our patterns) and become `[REDACTED:<kind>]`,
never restored; e-mail addresses and phone numbers become `[EMAIL-1]`-style placeholders. Patterns are
data (`pipeline/data/redaction.yaml`). The same file lists prompt-injection phrases: a message that
matches is `suspect` (see models.ChatMessage).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline.models import ChatMessage, Incident, TimelineEvent
from pipeline.secrets import load_redaction_data, redact_secrets


def redact(text: str) -> str:
    """`text` with every secret replaced by `[REDACTED:<kind>]` (line count kept): use on anything that leaves."""
    return redact_secrets(text)


@dataclass(frozen=True)
class Pattern:
    kind: str
    regex: re.Pattern[str]


@dataclass
class Redactor:
    """Secrets, then contacts: the same e-mail gets the same placeholder everywhere."""

    redact_ips: bool = False
    use_library: bool = True  # False only for the benchmark's peer (our patterns without detect-secrets)
    contacts: dict[str, str] = field(default_factory=dict)  # placeholder -> original, for consistent placeholders

    def redact(self, text: str) -> str:
        text = redact_secrets(text, use_library=self.use_library)
        contacts, network, _ = compiled_patterns()
        for pattern in contacts + (network if self.redact_ips else []):
            text = pattern.regex.sub(lambda m, p=pattern: self._placeholder(p.kind, m), text)
        return text

    def _placeholder(self, kind: str, match: re.Match[str]) -> str:
        value = match.group(0)
        for placeholder, original in self.contacts.items():
            if original == value:
                return placeholder
        count = sum(1 for key in self.contacts if key.startswith(f"[{kind.upper()}-"))
        placeholder = f"[{kind.upper()}-{count + 1}]"
        self.contacts[placeholder] = value
        return placeholder


def compiled_patterns() -> tuple[list[Pattern], list[Pattern], list[re.Pattern[str]]]:
    """Contact and network patterns and injection phrases: the bundled ones, then the team's."""
    from pipeline.settings import data_files

    return _compiled_patterns(data_files().redaction)


@lru_cache(maxsize=4)
def _compiled_patterns(extra: tuple[Path, ...]) -> tuple[list[Pattern], list[Pattern], list[re.Pattern[str]]]:
    data = load_redaction_data(extra)[0]

    def build(section: str) -> list[Pattern]:
        return [Pattern(item.kind, re.compile(item.pattern)) for item in getattr(data, section)]

    injection = [re.compile(pattern) for pattern in data.injection]
    return build("contact"), build("network"), injection


def is_injection(text: str) -> bool:
    """True when the text tries to instruct a model rather than describe the incident."""
    return any(pattern.search(text) for pattern in compiled_patterns()[2])


def redact_incident(incident: Incident, redactor: Redactor | None = None) -> Incident:
    """A copy of the incident with secrets and contacts replaced and injection attempts marked suspect.

    incident.toml's free-text fields are redacted too (a title can carry a token). The locked timeline's
    hash is kept: it proves which file was used, not what is shown.
    """
    redactor = redactor or Redactor()
    meta = incident.meta.model_copy(
        update={
            name: redact(value)
            for name in ("title", "service", "severity")
            if isinstance(value := getattr(incident.meta, name), str)
        }
    )
    events = [
        TimelineEvent.model_construct(**{**event.__dict__, "text": redactor.redact(event.text)})
        for event in incident.timeline.events
    ]
    timeline = incident.timeline.model_copy(update={"events": events})
    chat = None
    if incident.chat is not None:
        messages = [
            ChatMessage.model_construct(
                **{
                    **message.__dict__,
                    "text": redactor.redact(message.text),
                    "suspect": message.suspect or is_injection(message.text),
                }
            )
            for message in incident.chat.messages
        ]
        chat = incident.chat.model_copy(update={"messages": messages})
    return incident.model_copy(update={"meta": meta, "timeline": timeline, "chat": chat})
