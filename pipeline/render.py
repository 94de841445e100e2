"""Draft -> markdown (jinja2 template, replaceable with --template) or JSON (the Draft model as is)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, select_autoescape

from pipeline.errors import ConfigError
from pipeline.models import Claim, Draft, NoteRecord
from pipeline.package_data import package_path

TEMPLATES = package_path("templates")
INLINE_SPECIALS = re.compile(r"([\\`*_\[\]<>|])")


def escape_inline(text: str) -> str:
    """Escape markdown specials in chat-derived text so it renders as written (and keeps tables intact)."""
    return INLINE_SPECIALS.sub(r"\\\1", " ".join(str(text).split()))


def escape_cell(text: str) -> str:
    return escape_inline(text)


def cite(claim: Claim | list[str]) -> str:
    ids = claim.evidence if isinstance(claim, Claim) else claim
    return " ".join(f"[{evidence_id}]" for evidence_id in ids)


@lru_cache(maxsize=8)
def template_environment(directory: Path) -> Environment:
    """The jinja2 environment every markdown output uses: strict variables, markdown-escaping filters.

    One per template folder, so a template is parsed once however many drafts or records are rendered.
    """
    env = Environment(
        loader=FileSystemLoader(str(directory)),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=()),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = escape_inline
    env.filters["cell"] = escape_cell
    env.filters["cite"] = cite
    env.filters["hhmm"] = lambda moment: moment.strftime("%Y-%m-%d %H:%M UTC")
    return env


def render_markdown(draft: Draft, template: Path | None = None) -> str:
    directory, name = (template.parent, template.name) if template else (TEMPLATES, "postmortem.md.j2")
    if template is not None and not template.is_file():
        raise ConfigError(template, "template not found")
    try:
        return template_environment(directory).get_template(name).render(draft=draft)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        raise ConfigError(template or TEMPLATES / name, f"template error: {exc}", line=line) from exc


def render_note_markdown(record: NoteRecord) -> str:
    """A backfilled note in our postmortem layout, every value citing its source lines."""
    return template_environment(TEMPLATES).get_template("note_record.md.j2").render(record=record)


def render_json(draft: Draft) -> str:
    return draft.model_dump_json(indent=2) + "\n"
