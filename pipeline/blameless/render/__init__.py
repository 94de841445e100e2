"""Output formats for findings. Each renderer only formats a list of models.Finding."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.blameless.render.github import render_github
from pipeline.blameless.render.json import render_json
from pipeline.blameless.render.sarif import render_sarif
from pipeline.blameless.render.text import render_text
from pipeline.models import Finding


def render_html(findings: list[Finding]) -> str:
    """A static HTML page (CI artifacts, e-mail) from the reviewer's page's templates; jinja2 loads only here."""
    from pipeline.review.page import render_findings_html

    return render_findings_html(findings)


RENDERERS: dict[str, Callable[[list[Finding]], str]] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
    "html": render_html,
}

__all__ = ["RENDERERS", "render_github", "render_html", "render_json", "render_sarif", "render_text"]
