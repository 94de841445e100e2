"""Markdown -> HTML for the reviewer's page, with findings and citations marked where they stand.

Marks are private-use characters inserted into the markdown source (offsets of findings are offsets of
the source), rendered by markdown-it with raw HTML off (a `<script>` in the draft is text), then turned
into fixed tags. Nothing from the draft ever becomes markup: markdown-it escapes it, and the only tags
added are ours, built from validated ids. Blameless control comments (a reviewer's Reject) are dropped
from the rendered text; the linter still reads them in the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from pipeline.review.analysis import CONTROL_COMMENT, DraftedItem, ReviewFinding, citations

FINDING_OPEN, FINDING_MID, FINDING_CLOSE, CITE_OPEN, CITE_CLOSE = "\ue000", "\ue001", "\ue002", "\ue003", "\ue004"
ITEM_MARK = "\ue005"
_MARKS = re.compile("[\ue000-\ue005]")
_ITEM_TAG = re.compile(f"{ITEM_MARK}(\\d+){FINDING_MID}")
_FINDING_TAG = re.compile(f"{FINDING_OPEN}(\\d+)-(error|warning|suggestion){FINDING_MID}")
_CITE_TAG = re.compile(f"{CITE_OPEN}([TC]\\d+){CITE_CLOSE}")


@lru_cache(maxsize=1)
def _renderer():
    from markdown_it import MarkdownIt

    # No images: a static page has no Content-Security-Policy, and an image from elsewhere would report
    # that the page was opened (the served page could not load one anyway: every request needs the token).
    return (
        MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
        .enable("table")
        .disable("image")
    )


def markdown_to_html(markdown: str) -> str:
    """Plain markdown -> HTML: raw HTML escaped, unsafe link schemes (javascript:, data:) refused, no images."""
    return _renderer().render(markdown)


def marked_html(
    text: str,
    findings: list[ReviewFinding],
    items: list[DraftedItem] = (),
    item_tools: Callable[[DraftedItem], str] | None = None,
) -> str:
    """The draft as HTML, each finding inside `<mark class="finding">`, each citation a link, and after each
    drafted item the markup `item_tools` returns for it (the page's Keep / Remove buttons)."""
    text = _MARKS.sub("\ufffd", text)  # the draft's own private-use characters cannot pose as marks
    # (start, end, rank, text): at one offset a closing mark comes before an opening one
    edits: list[tuple[int, int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for finding in findings:
        if any(s < finding.end and finding.start < e for s, e in taken):
            continue  # overlapping findings: the first is marked, every one is listed in the panel
        taken.append((finding.start, finding.end))
        edits.append((finding.start, finding.start, 1, f"{FINDING_OPEN}{finding.index}-{finding.level}{FINDING_MID}"))
        edits.append((finding.end, finding.end, 0, FINDING_CLOSE))
    if item_tools is not None:
        edits += [(item.anchor, item.anchor, 1, f"{ITEM_MARK}{item.index}{FINDING_MID}") for item in items]
    for comment in CONTROL_COMMENT.finditer(text):
        edits.append((comment.start(), comment.end(), 2, ""))
    for cite in citations(text):
        if not any(s < cite.end() and cite.start() < e and not s <= cite.start() < cite.end() <= e for s, e in taken):
            edits.append((cite.start(), cite.end(), 2, f"{CITE_OPEN}{cite.group(1)}{CITE_CLOSE}"))
    pieces, position = [], 0
    for start, end, _, insert in sorted(edits):
        if start < position:
            continue  # a comment holding a citation: the comment goes, the citation with it
        pieces += [text[position:start], insert]
        position = end
    text = "".join([*pieces, text[position:]])
    html = markdown_to_html(text)
    html = _FINDING_TAG.sub(
        lambda m: (
            f'<mark class="finding level-{m.group(2)}" id="finding-{m.group(1)}" data-finding="{m.group(1)}" tabindex="0">'
        ),
        html,
    )
    html = html.replace(FINDING_CLOSE, "</mark>")
    if item_tools is not None:
        by_index = {item.index: item for item in items}
        html = _ITEM_TAG.sub(lambda m: item_tools(by_index[int(m.group(1))]), html)
    html = _CITE_TAG.sub(
        lambda m: f'<a class="cite" href="#ev-{m.group(1)}" data-evidence="{m.group(1)}">[{m.group(1)}]</a>', html
    )
    return _MARKS.sub("", html)
