"""Prompts are data: `pipeline/prompts/*.j2` (also reachable as the top-level `prompts/` symlink).

Templates render in a sandbox with StrictUndefined, so a missing variable is an error rather than an
empty hole in a prompt. Evidence enters only through the `untrusted` filter (one JSON object per line,
angle brackets escaped), never as instructions. Each prompt's hash goes into the draft's metadata so a
reviewer can tell which wording produced a draft.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from pipeline.errors import ConfigError

SYSTEM_TEMPLATE = "system.j2"


@dataclass(frozen=True)
class RenderedPrompt:
    """What one model call sends: the shared system text and the task's user text."""

    name: str
    system: str
    user: str
    sha256: str


def prompt_names() -> list[str]:
    """Task prompts shipped with the package (the shared system prompt is not a task)."""
    files = resources.files("pipeline").joinpath("prompts")
    return sorted(
        entry.name[:-3]
        for entry in files.iterdir()
        if entry.name.endswith(".j2") and entry.name != SYSTEM_TEMPLATE and not entry.name.endswith("_system.j2")
    )


@cache
def prompt_source(name: str) -> str:
    """A template's text, read through importlib.resources so it works from an installed wheel."""
    entry = resources.files("pipeline").joinpath("prompts", name)
    if not entry.is_file():
        raise ConfigError(f"prompts/{name}", "prompt template not found in the installed package")
    return entry.read_text(encoding="utf-8")


def prompt_hash(name: str, system: str = SYSTEM_TEMPLATE) -> str:
    """Version hash of a task prompt: SHA-256 of the system and task templates and the verifier's rule
    sentences they state, first 12 hex digits."""
    from pipeline.drafting.verify import prompt_rules

    parts = [prompt_source(system), prompt_source(f"{name}.j2"), *prompt_rules()]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:12]


def untrusted(value: Any) -> str:
    """One JSON value with `<`, `>` and `&` escaped, so pasted text cannot close a delimiter block."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@lru_cache(maxsize=1)
def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        undefined=StrictUndefined, keep_trailing_newline=False, trim_blocks=True, lstrip_blocks=True
    )
    env.filters["untrusted"] = untrusted
    return env


def render_prompt(name: str, *, system_template: str = SYSTEM_TEMPLATE, **context: Any) -> RenderedPrompt:
    """Render a system prompt (the drafting one unless another is named) and the task prompt `name`.

    A missing variable is a ConfigError.
    """
    from pipeline.datafiles import summary_word_limit
    from pipeline.drafting.verify import prompt_rules

    env = _environment()
    context.setdefault("verifier_rules", list(prompt_rules()))  # one contract: the rules the verifier applies
    context.setdefault("summary_words", summary_word_limit())  # the rubric's limit, which trims and scores too
    try:
        system = env.from_string(prompt_source(system_template)).render(**context)
        user = env.from_string(prompt_source(f"{name}.j2")).render(**context)
    except TemplateError as exc:
        raise ConfigError(
            f"prompts/{name}.j2", f"prompt template error: {exc}", line=getattr(exc, "lineno", None)
        ) from exc
    return RenderedPrompt(
        name=name, system=system.strip(), user=user.strip(), sha256=prompt_hash(name, system_template)
    )
