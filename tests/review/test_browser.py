"""The reviewer's page in real headless Chromium (Debian's chromium + chromedriver, driven by selenium).

Skipped, with the command that installs them, when Chromium or its driver is missing; `.ci/run` installs
both. `POSTMORTEM_SCREENSHOTS=1` also saves the page for both bundled examples into docs/review/.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

from pipeline.review.decisions import log_path, read_decisions
from pipeline.review.server import ReviewServer
from review.review_support import BLAME, HOSTILE_CHAT, drafted_incident
from support import REPO_ROOT

# Read at import: the autouse fixture clears POSTMORTEM_* from each test's environment.
SCREENSHOTS = os.environ.get("POSTMORTEM_SCREENSHOTS") == "1"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
HOW = "apt-get install chromium chromium-driver (Debian/Ubuntu), then run pytest tests/review/test_browser.py"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason=f"needs Chromium and chromedriver: {HOW}"),
]
webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium: pip install -e '.[dev]'")

from selenium.common.exceptions import (  # noqa: E402 - only once selenium is known
    NoAlertPresentException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

# Without the background-networking switches Chromium keeps calling home, which a closed network refuses.
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
]


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="review-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def review(tmp_path, browser):
    """A drafted incident served by `postmortem review`'s server, open in the browser."""
    folder, draft = drafted_incident(tmp_path)
    server = ReviewServer(draft, incident=folder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    browser.get(server.url)
    yield browser, server, draft
    server.shutdown()
    server.server_close()


def severe_console_errors(browser) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def _gone(element) -> bool:
    """The old page's element is detached: stale, or (while the new page is mid-load) unknown to the inspector."""
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        return "does not belong to the document" in str(error)
    return False


def click_and_wait_for_reload(browser, element) -> None:
    body = browser.find_element(By.TAG_NAME, "body")
    element.click()
    WebDriverWait(browser, 15).until(lambda _: _gone(body))
    WebDriverWait(browser, 15).until(lambda b: b.execute_script("return document.readyState") == "complete")
    status = browser.find_elements(By.ID, "status")
    assert not status or not status[0].text, status[0].text


def blame_card(browser):
    mark = next(m for m in browser.find_elements(By.CSS_SELECTOR, "mark.finding") if m.text.startswith("Dave"))
    mark.click()
    card = browser.find_element(By.ID, f"card-{mark.get_attribute('data-finding')}")
    assert "selected" in card.get_attribute("class")
    return card


def test_following_a_citation_shows_its_evidence_with_author_and_time(review):
    browser, _, _ = review
    assert severe_console_errors(browser) == []  # the policy lets our own CSS and script load
    browser.find_element(By.CSS_SELECTOR, "a.cite[data-evidence='C11']").click()
    shown = browser.find_element(By.ID, "evidence-view").text
    assert "C11" in shown and "Marco Rossi" in shown and "2024-05-14 12:13 UTC" in shown
    assert "deploy #847 changed db.pool.max_connections from 40 to 20" in shown
    browser.find_element(By.CSS_SELECTOR, "a.cite[data-evidence='T5']").click()
    shown = browser.find_element(By.ID, "evidence-view").text
    assert "timeline row" in shown and "connection pool at 20/20" in shown and "Marco Rossi" not in shown


def test_accept_writes_the_rewrite_into_the_file_and_undo_restores_it(review):
    browser, _, draft = review
    original = draft.read_text(encoding="utf-8")
    card = blame_card(browser)
    rewrite = card.find_element(By.CSS_SELECTOR, ".rewrite ins").text
    click_and_wait_for_reload(browser, card.find_element(By.CSS_SELECTOR, "button.accept"))
    text = draft.read_text(encoding="utf-8")
    assert rewrite in text and BLAME not in text
    assert [d.decision for d in read_decisions(log_path(draft))] == ["accept"]
    decision = browser.find_element(By.CSS_SELECTOR, "#decisions-panel li.decision-accept")
    assert "Dave forgot" in decision.text and rewrite in decision.text
    assert not [m for m in browser.find_elements(By.CSS_SELECTOR, "mark.finding") if m.text.startswith("Dave")]
    click_and_wait_for_reload(browser, decision.find_element(By.CSS_SELECTOR, "button.undo"))
    assert draft.read_text(encoding="utf-8") == original
    assert [d.decision for d in read_decisions(log_path(draft))] == ["accept", "undo"]
    assert blame_card(browser)  # the finding is back, ready for another decision


def test_reject_records_the_decision_and_undo_removes_it(review):
    browser, _, draft = review
    original = draft.read_text(encoding="utf-8")
    card = blame_card(browser)
    rule = card.find_element(By.CSS_SELECTOR, ".rule").text.split()[0]
    click_and_wait_for_reload(browser, card.find_element(By.CSS_SELECTOR, "button.reject"))
    text = draft.read_text(encoding="utf-8")
    assert (
        f"<!-- blameless-disable {rule} -->Dave forgot" in text and "the connection pool size before the deploy" in text
    )
    [decision] = read_decisions(log_path(draft))
    assert decision.decision == "reject" and decision.item.rule == rule and decision.evidence == ["T1"]
    assert decision.item.section == "What Went Wrong" and decision.engine == "offline"
    shown = browser.find_element(By.ID, "draft").text
    assert "Dave forgot" in shown and "blameless-disable" not in shown
    undo = browser.find_element(By.CSS_SELECTOR, "#decisions-panel li.decision-reject button.undo")
    click_and_wait_for_reload(browser, undo)
    assert draft.read_text(encoding="utf-8") == original


def section(markdown: str, heading: str) -> str:
    """The text of one `## ` section of a draft, heading included."""
    start = markdown.index(heading)
    end = markdown.find("\n## ", start + len(heading))
    return markdown[start:] if end == -1 else markdown[start:end]


def test_keep_and_remove_a_drafted_item_then_undo(review):
    browser, _, draft = review
    original = draft.read_text(encoding="utf-8")
    factor = browser.find_element(By.XPATH, "//h2[.='Contributing Factors']/following-sibling::ol[1]/li")
    assert "Confidence: high." in factor.text
    click_and_wait_for_reload(browser, factor.find_element(By.CSS_SELECTOR, "button.keep"))
    factor = browser.find_element(By.XPATH, "//h2[.='Contributing Factors']/following-sibling::ol[1]/li")
    assert factor.find_element(By.CSS_SELECTOR, ".item-tools.kept").text.lower() == "kept"
    assert draft.read_text(encoding="utf-8") == original
    action = browser.find_element(By.XPATH, "//h2[.='Action Items']/following-sibling::table[1]/tbody/tr[1]")
    assert "Add a CI check" in action.text
    click_and_wait_for_reload(browser, action.find_element(By.CSS_SELECTOR, "button.remove"))
    # the row goes; the same proposal may still answer a why (the channel did propose it)
    assert "Add a CI check" not in section(draft.read_text(encoding="utf-8"), "## Action Items")
    assert not [
        row
        for row in browser.find_elements(By.XPATH, "//h2[.='Action Items']/following-sibling::table[1]/tbody/tr")
        if "Add a CI check" in row.text
    ]
    records = read_decisions(log_path(draft))
    assert [(d.decision, d.item.kind) for d in records] == [("accept", "factor"), ("reject", "action")]
    assert records[1].evidence == ["C21"] and records[1].item.section == "Action Items"
    removed = browser.find_element(By.CSS_SELECTOR, "#decisions-panel li.decision-reject.kind-action")
    click_and_wait_for_reload(browser, removed.find_element(By.CSS_SELECTOR, "button.undo"))
    assert draft.read_text(encoding="utf-8") == original
    assert "Add a CI check" in browser.find_element(By.ID, "draft").text


def test_edit_a_drafted_item_in_the_page(review):
    browser, _, draft = review
    item = browser.find_element(By.XPATH, "//h2[.='Executive Summary']/following-sibling::ul[1]/li[1]")
    item.find_element(By.CSS_SELECTOR, "button.edit").click()
    area = item.find_element(By.CSS_SELECTOR, ".item-editor textarea")
    assert (
        area.get_attribute("value")
        == "- checkout-api was impacted from 11:58 UTC: \u201ccheckout-api 5xx rate began rising above its 0.5% baseline\u201d. [T2]"
    )
    area.clear()
    area.send_keys("- checkout-api returned <b>500s</b> from 11:58 UTC. [T2]")
    click_and_wait_for_reload(browser, item.find_element(By.CSS_SELECTOR, ".item-editor button.save"))
    assert "- checkout-api returned <b>500s</b> from 11:58 UTC. [T2]\n" in draft.read_text(encoding="utf-8")
    item = browser.find_element(By.XPATH, "//h2[.='Executive Summary']/following-sibling::ul[1]/li[1]")
    assert item.text.startswith("checkout-api returned <b>500s</b> from 11:58 UTC.")  # markup stays text
    [decision] = read_decisions(log_path(draft))
    assert decision.decision == "edit" and decision.item.rewrite.startswith("checkout-api returned")
    assert "EDITED" in browser.find_element(By.ID, "decisions-panel").text.upper()


def test_a_change_of_the_file_on_disk_shows_on_reload(review):
    browser, _, draft = review
    draft.write_text(draft.read_text(encoding="utf-8") + "\n## Reviewer notes\n\nChecked on disk.\n", encoding="utf-8")
    browser.refresh()
    assert "Checked on disk." in browser.find_element(By.ID, "draft").text


def test_hostile_chat_shows_as_text_and_runs_nothing(review):
    browser, _, _ = review
    hostile = [
        link for link in browser.find_elements(By.CSS_SELECTOR, "a.cite") if link.text in {"[C25]", "[C26]", "[C27]"}
    ]
    assert len(hostile) == 3
    for link, text in zip(hostile, HOSTILE_CHAT):
        link.click()
        shown = browser.find_element(By.ID, "evidence-view").text
        assert text.split(" ")[0] in shown  # the markup itself, as text
    assert browser.execute_script("return window.__pwned === undefined")
    assert (
        browser.find_elements(By.CSS_SELECTOR, "#evidence-view img, #evidence-view script, a[href^='javascript']") == []
    )
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 - reading it is the check


def test_a_wrong_token_gets_no_page(review):
    browser, server, _ = review
    browser.get(server.url.replace("token=", "token=x"))
    assert "missing or wrong token" in browser.find_element(By.TAG_NAME, "body").text
    assert browser.find_elements(By.ID, "draft") == []


@pytest.mark.skipif(not SCREENSHOTS, reason="set POSTMORTEM_SCREENSHOTS=1 to save docs/review/*.png")
@pytest.mark.parametrize("example", ["checkout-api", "search-cert-expiry"])
def test_screenshot_for_the_docs(tmp_path, browser, example):
    folder, draft = drafted_incident(tmp_path, example, hostile=False)
    server = ReviewServer(draft, incident=folder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        browser.get(server.url)
        blame_card(browser)
        mark = browser.find_element(By.CSS_SELECTOR, "mark.finding.selected")
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", mark)
        mark.find_element(By.XPATH, "./ancestor::li").find_element(By.CSS_SELECTOR, "a.cite").click()
        target = REPO_ROOT / "docs" / "review" / f"{example}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        assert browser.save_screenshot(str(target))
        assert Path(target).stat().st_size > 10_000
    finally:
        server.shutdown()
        server.server_close()


def test_similar_incidents_are_searched_on_demand_and_shown_as_text(review, monkeypatch):
    import pipeline.similar.library as library
    from pipeline.models import SimilarIncident

    hostile = SimilarIncident(
        incident_id="PM-1", title='<img src=x onerror="window.__pwned=1">Pool', score=0.8, why="same service"
    )
    monkeypatch.setattr(library, "library_to_search", lambda config: (config, "a test library"))
    monkeypatch.setattr(library, "similar_to_draft", lambda path, **options: [hostile])
    browser, _, _ = review
    browser.find_element(By.ID, "similar-search").click()
    WebDriverWait(browser, 15).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#similar-results li"))
    [item] = browser.find_elements(By.CSS_SELECTOR, "#similar-results li")
    assert item.text.startswith('<img src=x onerror="window.__pwned=1">Pool (PM-1, score 0.8): same service')
    assert browser.find_elements(By.CSS_SELECTOR, "#similar-results img") == []
    assert browser.execute_script("return window.__pwned === undefined")
    assert "from a test library" in browser.find_element(By.ID, "status").text
