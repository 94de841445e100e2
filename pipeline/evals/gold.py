"""`gold.json`: the known answers for one gold incident (written by hand, checked by a strict model)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from pydantic import Field, ValidationError

from pipeline.errors import InputError
from pipeline.models import Strict

KEY_TIMES = ("started", "detected", "declared", "mitigated", "resolved")
DURATIONS = ("time_to_detect_minutes", "time_to_mitigate_minutes", "time_to_resolve_minutes", "duration_minutes")


class Gold(Strict):
    """What a careful reviewer knows about the incident. `None` means "not established" is the right answer."""

    description: str
    hard_cases: list[str] = Field(default_factory=list)
    chat_format: str
    timeline_format: str
    severity: str | None = Field(description='The stated severity; null (or "Not established") when none was stated.')
    times: dict[str, datetime | None] = Field(description=f"UTC times of: {', '.join(KEY_TIMES)}.")
    durations: dict[str, int | None] = Field(description=f"Minutes: {', '.join(DURATIONS)}.")
    roles: dict[str, str] = Field(description="Role (IC, OL, CL, Scribe) to the person's full name.")
    contributing_factors: list[str]
    action_items: list[str]
    forbidden: list[str] = Field(default_factory=list, description="Strings no draft may contain (secrets, blame).")
    forbidden_in_narrative: list[str] = Field(
        default_factory=list,
        description="Strings that may appear only in the evidence index (an injected instruction is kept there, "
        "marked suspect), never in the draft's sections.",
    )


def load_gold(directory: Path) -> Gold:
    """Read `<directory>/gold.json`; a bad file is an InputError naming the file and, when known, the line."""
    from pipeline.ingest.files import read_text

    path = directory / "gold.json"
    text = read_text(path, what="gold.json")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from exc
    try:
        gold = Gold.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(path, f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from exc
    unknown = sorted(set(gold.times) - set(KEY_TIMES)) + sorted(set(gold.durations) - set(DURATIONS))
    if unknown:
        raise InputError(path, f"unknown key {unknown[0]!r}", hint=f"times: {KEY_TIMES}; durations: {DURATIONS}")
    return gold
