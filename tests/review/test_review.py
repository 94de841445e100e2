"""The reviewer's page without a browser: analysis, rendering, decisions on the file, the server's gate."""

from __future__ import annotations

import http.client
import json
import re
import threading

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.review.analysis import analyse, appendix_evidence
from pipeline.review.decisions import (
    ReviewConflict,
    accept,
    edit,
    keep,
    log_path,
    read_decisions,
    reject,
    remove,
    undo,
)
from pipeline.review.html import marked_html
from pipeline.review.page import render_review_page
from pipeline.review.server import ReviewServer
from review.review_support import BLAME, drafted_incident

runner = CliRunner()


@pytest.fixture
def reviewed(tmp_path):
    return drafted_incident(tmp_path)


def blame_finding(doc):
    return next(f for f in doc.findings if f.match.startswith("Dave"))


def test_the_page_marks_the_blame_in_place_and_links_each_citation_to_its_evidence(reviewed):
    folder, draft = reviewed
    doc = analyse(draft, incident=folder)
    finding = blame_finding(doc)
    assert finding.section == "What Went Wrong" and finding.evidence == ["T1"] and finding.rewrite
    html = render_review_page(doc, token="tok")
    assert re.search(rf'<mark class="finding level-\w+" id="finding-{finding.index}"[^>]*>Dave forgot</mark>', html)
    assert '<a class="cite" href="#ev-T1" data-evidence="T1">[T1]</a>' in html
    evidence = re.search(r'<article class="evidence" id="ev-C11".*?</article>', html, re.S).group(0)
    assert "Marco Rossi" in evidence and "2024-05-14 12:13 UTC" in evidence and "db.pool.max_connections" in evidence
    # the header's "`[T3]` is row 3" explains citations inside code: it is not a link
    assert "<code>[T3]</code>" in html


def test_hostile_chat_and_draft_text_are_escaped_never_markup(reviewed):
    folder, draft = reviewed
    draft.write_text(
        draft.read_text(encoding="utf-8")
        + '\n<script>alert(1)</script> [x](javascript:alert(2)) <img onerror="x"> ![seen](https://example.com/p.png)\n',
        encoding="utf-8",
    )
    html = render_review_page(analyse(draft, incident=folder), token="tok")
    body = html.split("<body", 1)[1]
    assert "<script>" not in body.replace('<script src="/static/review.js?token=tok"></script>', "")
    assert "<img" not in body and 'href="javascript:' not in body
    assert "&lt;script&gt;window.__pwned" in body and "onerror=&#34;window.__pwned" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_citation_that_resolves_nowhere_says_so():
    html = marked_html("- Impact began. [T9] and `[T2]`\n", [])
    assert 'data-evidence="T9"' in html and 'data-evidence="T2"' not in html


def test_without_an_incident_the_evidence_comes_from_the_drafts_appendix(reviewed):
    _, draft = reviewed
    evidence = appendix_evidence(draft.read_text(encoding="utf-8"))
    assert evidence["C11"].author == "Marco Rossi" and evidence["C11"].text.startswith("found it: deploy #847")
    assert evidence["T1"].author is None and evidence["T1"].time.strftime("%H:%M") == "11:52"


def test_todo_lists_not_established_answers_and_open_questions(reviewed):
    folder, draft = reviewed
    todos = analyse(draft, incident=folder).todos
    assert {t.kind for t in todos} == {"not-established", "question"}
    assert any(t.section == "5 Whys" for t in todos)
    assert all(t.section.startswith("Open Questions") for t in todos if t.kind == "question")


def test_accept_writes_the_rewrite_and_undo_restores_the_file_byte_for_byte(reviewed):
    folder, draft = reviewed
    original = draft.read_text(encoding="utf-8")
    doc = analyse(draft, incident=folder)
    finding = blame_finding(doc)
    made = accept(doc, finding.key, doc.version)
    written = draft.read_text(encoding="utf-8")
    assert finding.rewrite in written and BLAME not in written
    [record] = read_decisions(log_path(draft))
    assert record.id == made.id and record.decision == "accept" and record.engine == "offline"
    assert record.item.section == "What Went Wrong" and record.evidence == ["T1"]
    undo(analyse(draft, incident=folder), made.id, analyse(draft, incident=folder).version)
    assert draft.read_text(encoding="utf-8") == original
    assert [d.decision for d in read_decisions(log_path(draft))] == ["accept", "undo"]


def test_reject_keeps_the_text_and_the_blameless_check_agrees(reviewed):
    folder, draft = reviewed
    doc = analyse(draft, incident=folder)
    finding = blame_finding(doc)
    reject(doc, finding.key, doc.version)
    text = draft.read_text(encoding="utf-8")
    assert f"<!-- blameless-disable {finding.rule_id} -->Dave forgot" in text
    assert not [f for f in analyse(draft, incident=folder).findings if f.match.startswith("Dave")]
    done = runner.invoke(app, ["check", str(draft), "--format", "json"])
    assert "Dave" not in done.stdout
    shown = (
        render_review_page(analyse(draft, incident=folder), token="t").split('<main id="draft"')[1].split("</main>")[0]
    )
    shown = re.sub(r"<[^>]+>", "", shown)  # the text a reader sees (the Edit button's data carries the markdown)
    assert "Dave forgot" in shown and "blameless-disable" not in shown  # the control is for the linter, not the reader


def test_a_decision_on_a_file_changed_since_the_page_loaded_is_refused(reviewed):
    folder, draft = reviewed
    doc = analyse(draft, incident=folder)
    draft.write_text(draft.read_text(encoding="utf-8") + "\nedited by hand\n", encoding="utf-8")
    before = draft.read_text(encoding="utf-8")
    with pytest.raises(ReviewConflict, match="changed on disk"):
        accept(analyse(draft, incident=folder), blame_finding(doc).key, doc.version)
    assert draft.read_text(encoding="utf-8") == before and not log_path(draft).exists()


def test_eval_reviews_reports_acceptance_per_section_and_engine(reviewed, tmp_path):
    folder, draft = reviewed
    doc = analyse(draft, incident=folder)
    accept(doc, blame_finding(doc).key, doc.version)
    second = tmp_path / "second"
    _, other = drafted_incident(second)
    doc = analyse(other, incident=other.parent)
    made = reject(doc, blame_finding(doc).key, doc.version)
    doc = analyse(other, incident=other.parent)
    undo(doc, made.id, doc.version)  # an undone decision counts as none
    doc = analyse(other, incident=other.parent)
    reject(doc, blame_finding(doc).key, doc.version)
    done = runner.invoke(app, ["eval", "--reviews", str(folder), str(second)])
    assert done.exit_code == 0, done.output
    assert "accepted as proposed: 1/2 (50%)" in done.stdout
    assert re.search(r"What Went Wrong\s+1\s+0\s+1\s+50%", done.stdout)
    assert re.search(r"offline\s+1\s+0\s+1\s+50%", done.stdout)


def test_eval_reviews_names_the_bad_line(tmp_path):
    (tmp_path / "review.jsonl").write_text('{"id": "x"}\n', encoding="utf-8")
    done = runner.invoke(app, ["eval", "--reviews", str(tmp_path)])
    assert done.exit_code == 2 and "review.jsonl:1: not a review decision" in done.output


def test_static_html_formats_share_the_templates(reviewed, tmp_path):
    folder, draft = reviewed
    check = runner.invoke(app, ["check", str(draft), "--format", "html"])
    assert check.exit_code == 1 and "<!doctype html>" in check.stdout and "Dave forgot" in check.stdout
    score = runner.invoke(app, ["score", str(draft), "--incident", str(folder), "--format", "html"])
    assert score.exit_code == 0 and 'id="substance-score"' in score.stdout
    out = tmp_path / "draft.html"
    made = runner.invoke(app, ["draft", str(folder), "--format", "html", "--no-similar", "-o", str(out)])
    assert made.exit_code == 0, made.output
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page and "<button" not in page  # static: no script, no actions
    assert '"Segoe UI"' in page.split("</style>")[0]  # the inlined stylesheet is not entity-escaped
    assert 'href="#ev-C11"' in page and 'id="ev-C11"' in page


def test_review_refuses_a_missing_draft_with_exit_2(tmp_path):
    done = runner.invoke(app, ["review", str(tmp_path / "nope.md"), "--no-open"])
    assert done.exit_code == 2 and "nope.md" in done.output


@pytest.fixture
def served(reviewed):
    folder, draft = reviewed
    server = ReviewServer(draft, incident=folder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, draft
    server.shutdown()
    server.server_close()


def request(server, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response.status, response.read().decode("utf-8"), dict(response.getheaders())


def test_the_server_listens_on_loopback_and_refuses_requests_without_the_token(served):
    server, _ = served
    assert server.server_address[0] == "127.0.0.1"
    assert request(server, "GET", "/")[0] == 403
    assert request(server, "GET", "/?token=wrong")[0] == 403
    assert request(server, "GET", f"/static/review.js?token=x{server.token}")[0] == 403
    assert request(server, "GET", "/api/similar")[0] == 403
    status, body, headers = request(server, "GET", f"/?token={server.token}")
    assert status == 200 and "Dave forgot" in body
    assert "script-src 'self'" in headers["Content-Security-Policy"] and headers["Referrer-Policy"] == "no-referrer"
    assert request(server, "GET", f"/static/review.js?token={server.token}")[0] == 200
    # another Host (a rebound DNS name) is refused even with the token
    assert request(server, "GET", f"/?token={server.token}", headers={"Host": "evil.example"})[0] == 403


def test_decisions_need_the_token_header_and_json(served):
    server, draft = served
    before = draft.read_text(encoding="utf-8")
    doc = analyse(draft, incident=server.incident)
    body = json.dumps({"action": "accept", "key": blame_finding(doc).key, "version": doc.version})
    assert (
        request(server, "POST", f"/api/decision?token={server.token}", body, {"Content-Type": "application/json"})[0]
        == 403
    )
    form = {"X-Review-Token": server.token, "Content-Type": "application/x-www-form-urlencoded"}
    assert request(server, "POST", "/api/decision", body, form)[0] == 415
    assert draft.read_text(encoding="utf-8") == before
    ok = {"X-Review-Token": server.token, "Content-Type": "application/json"}
    status, answer, _ = request(server, "POST", "/api/decision", body, ok)
    assert status == 200 and json.loads(answer)["ok"] is True
    assert BLAME not in draft.read_text(encoding="utf-8")
    status, answer, _ = request(server, "POST", "/api/decision", body, ok)  # the same decision again: stale
    assert status == 409 and "reload" in json.loads(answer)["error"]


def test_accept_keeps_the_files_crlf_newlines_and_byte_order_mark(reviewed):
    folder, draft = reviewed
    draft.write_bytes(b"\xef\xbb\xbf" + draft.read_text(encoding="utf-8").replace("\n", "\r\n").encode("utf-8"))
    doc = analyse(draft, incident=folder)
    made = accept(doc, blame_finding(doc).key, doc.version)
    raw = draft.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == raw.count(b"\n") and BLAME.encode() not in raw
    doc = analyse(draft, incident=folder)
    undo(doc, made.id, doc.version)
    assert b"Dave forgot" in draft.read_bytes() and draft.read_bytes().count(b"\r\n") == raw.count(b"\r\n")


def test_the_page_never_waits_for_the_sentence_rewriter(reviewed):
    folder, draft = reviewed
    sentence = "The engineer failed to run the migration check."
    draft.write_text(draft.read_text(encoding="utf-8").replace(BLAME, sentence), encoding="utf-8")
    [pending] = [f for f in analyse(draft, incident=folder, sentence_rewrites=False).findings if f.rule_id == "BL002"]
    assert pending.rewrite is None and pending.rewrite_pending
    assert "being prepared" in render_review_page(analyse(draft, incident=folder, sentence_rewrites=False), token="t")
    [ready] = [f for f in analyse(draft, incident=folder).findings if f.rule_id == "BL002"]
    assert ready.rewrite and not ready.rewrite_pending and ready.original.startswith("- The engineer")


@pytest.mark.slow
def test_the_command_prints_its_url_serves_the_page_and_stops_on_ctrl_c(reviewed):
    import signal
    import subprocess
    import sys
    from urllib.parse import urlsplit

    folder, draft = reviewed
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "review", str(draft), "--no-open"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = next(line.split()[-1] for line in process.stdout if line.startswith("open "))
        parts = urlsplit(url)
        assert parts.hostname == "127.0.0.1" and parts.query.startswith("token=")
        connection = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=30)
        connection.request("GET", f"/?{parts.query}")
        response = connection.getresponse()
        assert response.status == 200 and "evidence from the incident folder" in response.read().decode()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        assert "stopped" in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_busy_port_is_a_clear_error(reviewed):
    import socket

    _, draft = reviewed
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        done = runner.invoke(app, ["review", str(draft), "--no-open", "--port", str(busy.getsockname()[1])])
    assert done.exit_code == 2 and "cannot listen on 127.0.0.1" in done.output


def test_drafted_items_are_the_proposals_not_the_timeline_or_the_gaps(reviewed):
    folder, draft = reviewed
    items = analyse(draft, incident=folder).items
    kinds = {item.kind for item in items}
    assert kinds == {"claim", "factor", "why", "action"}
    assert not [i for i in items if "Not established" in i.text or i.section in ("Timeline", "Similar Past Incidents")]
    factor = next(i for i in items if i.kind == "factor")
    assert "Confidence: high." in factor.text and factor.evidence == ["T1", "C11", "T5"]  # its continuation line
    action = next(i for i in items if i.kind == "action")
    assert action.text.startswith("Add a CI check") and action.evidence == ["C21"]


def test_keep_records_without_writing_and_remove_deletes_the_item_until_undone(reviewed):
    folder, draft = reviewed
    original = draft.read_text(encoding="utf-8")
    doc = analyse(draft, incident=folder)
    action = next(i for i in doc.items if i.kind == "action")
    factor = next(i for i in doc.items if i.kind == "factor")
    kept = keep(doc, action.key, doc.version)
    assert draft.read_text(encoding="utf-8") == original
    page = render_review_page(analyse(draft, incident=folder), token="t", decisions=read_decisions(log_path(draft)))
    assert 'class="item-tools kept"' in page and f'data-decision="{kept.id}"' in page
    doc = analyse(draft, incident=folder)
    removed = remove(doc, factor.key, doc.version)
    text = draft.read_text(encoding="utf-8")
    assert "Confidence: high." not in text and "## Contributing Factors" in text
    records = read_decisions(log_path(draft))
    assert [(d.decision, d.item.kind) for d in records] == [("accept", "action"), ("reject", "factor")]
    doc = analyse(draft, incident=folder)
    undo(doc, removed.id, doc.version)
    assert draft.read_text(encoding="utf-8") == original


def test_eval_reviews_counts_kept_and_removed_items_per_kind(reviewed):
    folder, draft = reviewed
    doc = analyse(draft, incident=folder)
    claims = [i for i in doc.items if i.kind == "claim"]
    for item in claims[:3]:
        keep(doc, item.key, doc.version)
    remove(doc, claims[3].key, doc.version)
    done = runner.invoke(app, ["eval", "--reviews", str(folder)])
    assert done.exit_code == 0, done.output
    assert "accepted as proposed: 3/4 (75%)" in done.stdout
    assert re.search(r"claim\s+3\s+0\s+1\s+75%", done.stdout)
    assert re.search(r"Executive Summary\s+3\s+0\s+1\s+75%", done.stdout)


def test_a_draft_that_cannot_be_written_is_refused_on_the_page_and_left_as_it_was(served, monkeypatch):
    import pipeline.output

    def read_only(path, text):
        raise PermissionError(13, "Permission denied")

    server, draft = served
    monkeypatch.setattr(pipeline.output, "write_atomic", read_only)  # as a read-only folder does (tests run as root)
    doc = analyse(draft, incident=server.incident)
    before = draft.read_text(encoding="utf-8")
    body = json.dumps({"action": "remove", "key": doc.items[0].key, "version": doc.version})
    headers = {"X-Review-Token": server.token, "Content-Type": "application/json"}
    status, answer, _ = request(server, "POST", "/api/decision", body, headers)
    assert status == 500 and json.loads(answer)["error"] == "cannot write draft.md: Permission denied"
    assert draft.read_text(encoding="utf-8") == before and not log_path(draft).exists()


def test_a_finding_in_the_locked_timeline_offers_no_rewrite(reviewed):
    folder, draft = reviewed
    text = draft.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| T1 |"))
    draft.write_text(text.replace(row, row[:-2] + ". Dave forgot the canary |"), encoding="utf-8")
    [finding] = [f for f in analyse(draft, incident=folder).findings if f.section == "Timeline"]
    assert finding.quoted and finding.rewrite is None and not finding.rewrite_pending
    assert "change the source, not this copy" in render_review_page(analyse(draft, incident=folder), token="t")


def test_the_browser_opens_only_where_there_is_a_desktop(monkeypatch, capsys):
    import webbrowser

    from pipeline.commands.review import open_browser

    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    open_browser("http://127.0.0.1:1/?token=t")
    assert opened == [] and "open the URL above" in capsys.readouterr().err  # no lynx in the terminal
    monkeypatch.setenv("DISPLAY", ":0")
    open_browser("http://127.0.0.1:1/?token=t")
    assert opened == ["http://127.0.0.1:1/?token=t"]


def test_the_incidents_evidence_is_reloaded_when_its_sources_change_not_when_the_draft_does(reviewed):
    from pipeline.review.analysis import _cached_sources

    folder, draft = reviewed
    doc = analyse(draft, incident=folder)
    loads = _cached_sources.cache_info().misses
    accept(doc, blame_finding(doc).key, doc.version)
    analyse(draft, incident=folder)
    assert _cached_sources.cache_info().misses == loads  # the draft changed, the evidence did not
    chat = folder / "chat.txt"
    chat.write_text(chat.read_text(encoding="utf-8") + "Sam Okafor [14:59]: one more update\n", encoding="utf-8")
    evidence = analyse(draft, incident=folder).evidence
    newest = max((item for item in evidence.values() if item.id.startswith("C")), key=lambda item: int(item.id[1:]))
    assert _cached_sources.cache_info().misses == loads + 1 and newest.text == "one more update"


def test_edit_replaces_the_items_markdown_and_counts_as_decided_not_accepted(reviewed):
    folder, draft = reviewed
    original = draft.read_text(encoding="utf-8")
    doc = analyse(draft, incident=folder)
    item = next(i for i in doc.items if i.kind == "claim")
    assert (
        item.source
        == "- checkout-api was impacted from 11:58 UTC: \u201ccheckout-api 5xx rate began rising above its 0.5% baseline\u201d. [T2]"
    )
    with pytest.raises(ReviewConflict, match="changes nothing"):
        edit(doc, item.key, doc.version, item.source)
    made = edit(doc, item.key, doc.version, "- checkout-api returned 500s from 11:58 UTC. [T2]\r\n")
    text = draft.read_text(encoding="utf-8")
    assert "- checkout-api returned 500s from 11:58 UTC. [T2]\n" in text and item.source not in text
    assert (
        made.item.text
        == "checkout-api was impacted from 11:58 UTC: \u201ccheckout-api 5xx rate began rising above its 0.5% baseline\u201d. [T2]"
    )
    assert made.item.rewrite == "checkout-api returned 500s from 11:58 UTC. [T2]"
    done = runner.invoke(app, ["eval", "--reviews", str(folder)])
    assert "accepted as proposed: 0/1 (0%)" in done.stdout and re.search(r"claim\s+0\s+1\s+0\s+0%", done.stdout)
    doc = analyse(draft, incident=folder)
    undo(doc, made.id, doc.version)
    assert draft.read_text(encoding="utf-8") == original
