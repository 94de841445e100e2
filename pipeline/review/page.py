"""The reviewer's page and the static HTML reports, from the jinja2 templates in pipeline/templates/review/.

One environment with autoescape on for every template: chat, draft and evidence text reach the page only
through `{{ }}`, escaped. The served page links its CSS and JS (the Content-Security-Policy allows
nothing inline); a static report inlines the CSS and carries no script at all.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from pipeline.models import Finding, ReviewDecision
from pipeline.package_data import package_path
from pipeline.review.analysis import DraftedItem, ReviewDocument

STATIC = package_path("review", "static")
STATIC_FILES = {"review.css": "text/css; charset=utf-8", "review.js": "text/javascript; charset=utf-8"}


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(package_path("templates", "review"))),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@lru_cache(maxsize=4)
def static_text(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def _assets(token: str | None) -> dict[str, str | None]:
    if token is None:
        # our own stylesheet, inlined as is: escaping it would turn its quotes into entities inside <style>
        return {"css": Markup(static_text("review.css")), "css_url": None, "js_url": None, "token": None}
    return {
        "css": "",
        "css_url": f"/static/review.css?token={token}",
        "js_url": f"/static/review.js?token={token}",
        "token": token,
    }


def render_review_page(
    doc: ReviewDocument, *, token: str | None = None, decisions: list[ReviewDecision] | None = None
) -> str:
    """The page: interactive (served, with `token`) or static (`draft --format html`: no script, no buttons)."""
    from pipeline.review.html import marked_html

    interactive = token is not None
    if interactive:
        mark_kept(doc, decisions or [])
    draft_html = marked_html(doc.text, doc.findings, doc.items, item_tools if interactive else None)
    return (
        environment()
        .get_template("page.html.j2")
        .render(
            title=f"Review: {doc.path.name}",
            body_class="review" if token else "review static",
            doc=doc,
            draft_html=_markup(draft_html),
            interactive=interactive,
            decisions=decisions or [],
            **_assets(token),
        )
    )


def mark_kept(doc: ReviewDocument, decisions: list[ReviewDecision]) -> None:
    """Note on each drafted item the standing Keep decision on its current text, if any."""
    kept = {(d.item.kind, d.item.text): d.id for d in decisions if d.decision == "accept" and d.item}
    for item in doc.items:
        item.kept = kept.get((item.kind, item.text))


def item_tools(item: DraftedItem) -> str:
    """Keep / Remove after a drafted item, or its kept mark (templates/review/_item.html.j2)."""
    return str(environment().get_template("_item.html.j2").module.item_tools(item))


def render_findings_html(findings: list[Finding]) -> str:
    """`check --format html`: findings grouped by file, one static page."""
    files: dict[str, list[Finding]] = {}
    for finding in findings:
        files.setdefault(finding.file, []).append(finding)
    return (
        environment()
        .get_template("check.html.j2")
        .render(
            title="Blameless check", body_class="report", findings=findings, files=list(files.items()), **_assets(None)
        )
    )


def render_score_html(score) -> str:
    """`score --format html`: the score panel of the reviewer's page, as one static page."""
    return (
        environment()
        .get_template("score.html.j2")
        .render(title=f"Score: {Path(score.file).name}", body_class="report", score=score, **_assets(None))
    )


def render_draft_html(markdown: str, *, incident: Path | None, name: str = "draft.md", engine: str = "offline") -> str:
    """`draft --format html`: the drafted markdown as the reviewer's page, static."""
    from pipeline.review.analysis import analyse

    return render_review_page(analyse(Path(name), incident=incident, text=markdown, engine=engine))


def _markup(html: str) -> Markup:
    """HTML built by pipeline.review.html (markdown-it output with our own tags), passed through unescaped."""
    return Markup(html)  # markdown-it escaped the draft; only fixed tags were added
