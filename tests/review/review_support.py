"""An incident folder with a drafted postmortem to review, built in a temporary folder for each test.

The chat gets three hostile messages (a script tag, an onerror attribute, a javascript: link) and the
draft cites them; the draft also gets one sentence that blames a person, so the page has a finding.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from support import EXAMPLES

BLAME = "Dave forgot to check the connection pool size before the deploy."
HOSTILE_CHAT = [
    "<script>window.__pwned = 'script'</script> status check",
    "<img src=x onerror=\"window.__pwned = 'onerror'\"> dashboard",
    "[runbook](javascript:window.__pwned='link') see <a href=\"javascript:window.__pwned='a'\">here</a>",
]


def drafted_incident(
    tmp_path: Path, example: str = "checkout-api", *, blame: bool = True, hostile: bool = True
) -> tuple[Path, Path]:
    """(incident folder, draft.md inside it): the example, hostile chat appended (to a chat.txt), drafted offline."""
    from pipeline.drafting import draft_from_directory
    from pipeline.ingest.incident import load_incident
    from pipeline.render import render_markdown

    folder = tmp_path / example
    shutil.copytree(EXAMPLES / example, folder)
    chat = folder / "chat.txt"
    if hostile and chat.is_file():
        existing = chat.read_text(encoding="utf-8")
        lines = [f"Sam Okafor [14:5{i}]: {text}" for i, text in enumerate(HOSTILE_CHAT, start=1)]
        chat.write_text(existing.rstrip("\n") + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    incident, _ = load_incident(folder)
    cited = [m.id for m in (incident.chat.messages if incident.chat else []) if "__pwned" in m.text]
    draft, _ = draft_from_directory(folder, similar=False)
    text = render_markdown(draft)
    extra = []
    if blame:
        extra.append(f"- {BLAME} [T1]")
    if cited:
        extra.append("- Later messages in the channel. " + " ".join(f"[{c}]" for c in cited))
    if extra:
        text = text.replace("## What Went Wrong\n\n", "## What Went Wrong\n\n" + "\n".join(extra) + "\n", 1)
    path = folder / "draft.md"
    path.write_text(text, encoding="utf-8")
    return folder, path
