"""`postmortem export actions` against loopback fakes of GitHub and Jira: create, re-run, update, 422, dry run.

No real tracker was used: tracker_fakes.py imitates the two REST APIs on 127.0.0.1.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from canary_data import rand
from tracker_fakes import FakeServer, FakeState, GitHubHandler, JiraHandler
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.export.plan import MARKER_RE
from pipeline.export.trackers import adf_text
from support import EXAMPLES, REPO_ROOT, cassette_recorder

runner = CliRunner()
EXAMPLE_NAMES = ("checkout-api", "search-cert-expiry")
GITHUB_TOKEN = "ghp_" + rand(36)  # a canary: must never appear in any output
JIRA_TOKEN = "ATATT" + rand(40)
JIRA_EMAIL = "bot@example.com"
PEOPLE = {
    "Marco Rossi": ("marco-r", "acc-marco"),
    "Dana Kim": ("dkim", "acc-dana"),
    "Omar Haddad": ("omar", "acc-omar"),
}
CASSETTES = REPO_ROOT / "tests" / "cassettes"
CASSETTE_PORT = 18765
_drafts: dict[str, dict] = {}


def draft_json(name: str, directory: Path) -> Path:
    """draft.json of a bundled example, as `postmortem draft --format json` writes it (made once per run)."""
    if name not in _drafts:
        result = runner.invoke(app, ["draft", str(EXAMPLES / name), "--no-similar", "--format", "json"])
        assert result.exit_code == 0, result.output
        _drafts[name] = json.loads(result.stdout)
    path = directory / f"{name}.json"
    path.write_text(json.dumps(_drafts[name]))
    return path


def write_settings(github_url: str = "", jira_url: str = "", people: dict = PEOPLE) -> None:
    """postmortem.toml in the working directory (each test runs in a fresh one)."""
    lines = []
    for name, (login, account) in people.items():
        lines += [f'[people."{name}"]', f'github = "{login}"', f'jira = "{account}"', ""]
    lines += ["[export.github]", 'repo = "acme/checkout"', f'api_url = "{github_url or "http://127.0.0.1:9"}"', ""]
    lines += ["[export.jira]", f'url = "{jira_url or "http://127.0.0.1:9"}"', 'project = "OPS"']
    Path("postmortem.toml").write_text("\n".join(lines) + "\n")


@pytest.fixture
def credentials(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", GITHUB_TOKEN)
    monkeypatch.setenv("JIRA_EMAIL", JIRA_EMAIL)
    monkeypatch.setenv("JIRA_API_TOKEN", JIRA_TOKEN)


@pytest.fixture
def github():
    state = FakeState(credential=GITHUB_TOKEN, users={"marco-r", "dkim", "omar"})
    with FakeServer(GitHubHandler, state) as server:
        write_settings(github_url=server.url)
        yield server


@pytest.fixture
def jira():
    state = FakeState(credential=f"{JIRA_EMAIL}:{JIRA_TOKEN}", users={"acc-marco", "acc-dana", "acc-omar"})
    with FakeServer(JiraHandler, state) as server:
        write_settings(jira_url=server.url)
        yield server


def export(*args: str):
    return runner.invoke(app, ["export", "actions", *args])


def assert_no_token(*texts: str) -> None:
    for text in texts:
        assert GITHUB_TOKEN not in text and JIRA_TOKEN not in text


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_github_gets_one_issue_per_action_item_and_a_rerun_changes_nothing(example, github, credentials, tmp_path):
    path = draft_json(example, tmp_path)
    actions = _drafts[example]["action_items"]
    first = export(str(path), "--to", "github")
    assert first.exit_code == 0, first.output
    issues = sorted(github.state.issues.values(), key=lambda issue: issue["number"])
    assert [issue["title"] for issue in issues] == [item["action"] for item in actions]
    for issue, item in zip(issues, actions):
        labels = {label["name"] for label in issue["labels"]}
        assert {"postmortem", f"type: {item['type']}"} <= labels
        assert (f"priority: {item['priority']}" in labels) == bool(item["priority"])
        expected = [PEOPLE[item["owner"]][0]] if item["owner"] in PEOPLE else []
        assert [user["login"] for user in issue["assignees"]] == expected
        assert f"- Due: {item['due'] or 'not set'}" in issue["body"]
        for ref in item["evidence"]:
            assert f"- {ref}: " in issue["body"]
        assert MARKER_RE.search(issue["body"])
    assert len({MARKER_RE.search(issue["body"])["marker"] for issue in issues}) == len(actions)
    assert first.stdout.count("created") == len(actions)

    writes = len(github.state.writes())
    second = export(str(path), "--to", "github")
    assert second.exit_code == 0, second.output
    assert len(github.state.writes()) == writes and len(github.state.issues) == len(actions)
    assert second.stdout.count("unchanged") == len(actions)
    assert_no_token(first.output, second.output, json.dumps(github.state.issues))


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_jira_gets_one_issue_per_action_item_and_a_rerun_changes_nothing(example, jira, credentials, tmp_path):
    path = draft_json(example, tmp_path)
    actions = _drafts[example]["action_items"]
    first = export(str(path), "--to", "jira")
    assert first.exit_code == 0, first.output
    issues = [jira.state.issues[f"OPS-{number}"]["fields"] for number in range(1, len(actions) + 1)]
    assert len(jira.state.issues) == len(actions)
    for fields, item in zip(issues, actions):
        assert fields["summary"] == item["action"] and fields["issuetype"] == {"name": "Task"}
        assert fields.get("duedate") == item["due"]
        assert fields.get("assignee") == ({"accountId": PEOPLE[item["owner"]][1]} if item["owner"] in PEOPLE else None)
        assert f"type-{item['type']}" in fields["labels"]
        text = " ".join(adf_text(fields["description"]))
        assert MARKER_RE.search(text) and all(f"{ref}: " in text for ref in item["evidence"])

    second = export(str(path), "--to", "jira")
    assert second.exit_code == 0, second.output
    assert second.stdout.count("unchanged") == len(actions)
    assert len(jira.state.issues) == len(actions)
    assert len(jira.state.writes()) == len(actions)  # the creates of the first run, nothing since
    assert_no_token(first.output, second.output)


def test_a_changed_action_item_updates_its_issue_and_keeps_labels_people_added(github, credentials, tmp_path):
    path = draft_json("checkout-api", tmp_path)
    assert export(str(path), "--to", "github").exit_code == 0
    github.state.issues["2"]["labels"].append({"name": "team: db"})
    changed = json.loads(path.read_text())
    changed["action_items"][1]["due"] = "2024-06-07"
    path.write_text(json.dumps(changed))
    result = export(str(path), "--to", "github")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("updated") == 1 and result.stdout.count("unchanged") == 3
    assert len(github.state.issues) == 4
    patched = [request for request in github.state.log if request.method == "PATCH"]
    assert [request.path for request in patched] == ["/repos/acme/checkout/issues/2"]
    assert "- Due: 2024-06-07" in github.state.issues["2"]["body"]
    assert "team: db" in {label["name"] for label in github.state.issues["2"]["labels"]}


def test_github_422_names_the_action_item_exit_2(github, credentials, tmp_path):
    write_settings(github_url=github.url, people={"Marco Rossi": ("no-such-user", "x")})
    result = export(str(draft_json("checkout-api", tmp_path)), "--to", "github")
    assert result.exit_code == 2
    assert "Add a CI check that flags changes to db.pool settings" in result.stderr
    assert "HTTP 422" in result.stderr and "assignees" in result.stderr and "Traceback" not in result.output
    assert not github.state.issues


def test_jira_validation_error_names_the_action_item_exit_2(jira, credentials, tmp_path):
    path = draft_json("search-cert-expiry", tmp_path)
    write_settings(jira_url=jira.url, people={"Omar Haddad": ("omar", "acc-unknown")})
    result = export(str(path), "--to", "jira")
    assert result.exit_code == 2
    assert "Alert on certs expiring within 14 days" in result.stderr and "assignee" in result.stderr
    assert_no_token(result.output)


def test_dry_run_prints_the_issues_and_sends_nothing(github, monkeypatch, tmp_path):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    result = export(str(draft_json("checkout-api", tmp_path)), "--to", "github", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("--- would write to GitHub:") == 4
    assert "assignee: marco-r  due: 2024-05-31" in result.stdout
    assert not github.state.log and "nothing was sent" in result.stderr


def test_a_wrong_token_is_refused_without_showing_it(github, monkeypatch, tmp_path):
    wrong = "ghp_" + rand(36)
    monkeypatch.setenv("GITHUB_TOKEN", wrong)
    result = export(str(draft_json("checkout-api", tmp_path)), "--to", "github")
    assert result.exit_code == 2 and "HTTP 401" in result.stderr
    assert wrong not in result.output and GITHUB_TOKEN not in result.output


def test_missing_token_and_settings_are_one_line_errors(monkeypatch, tmp_path):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    path = draft_json("checkout-api", tmp_path)
    write_settings()
    no_token = export(str(path), "--to", "github")
    assert no_token.exit_code == 2 and "GITHUB_TOKEN" in no_token.stderr
    Path("postmortem.toml").write_text('[export.github]\nrepo = "acme/checkout"\nrepository = "x"\n')
    bad_key = export(str(path), "--to", "github")
    assert bad_key.exit_code == 2 and "postmortem.toml:3" in bad_key.stderr and "repository" in bad_key.stderr


def test_a_token_file_is_read_when_the_variable_is_unset(github, monkeypatch, tmp_path):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    token_file = tmp_path / "github-token"
    token_file.write_text(GITHUB_TOKEN + "\n")
    settings = Path("postmortem.toml")
    settings.write_text(
        settings.read_text().replace("[export.github]\n", f'[export.github]\ntoken_file = "{token_file}"\n')
    )
    result = export(str(draft_json("checkout-api", tmp_path)), "--to", "github")
    assert result.exit_code == 0, result.output
    assert len(github.state.issues) == 4


def test_a_file_that_is_not_a_draft_is_an_input_error(tmp_path):
    broken = tmp_path / "draft.json"
    broken.write_text('{"title": "x",\n  "action_items": [}\n')
    result = export(str(broken), "--to", "github", "--dry-run")
    assert result.exit_code == 2 and f"{broken}:2" in result.stderr


def test_cassette_replays_an_export_without_a_server(credentials):
    """Recorded against the GitHub fake on a fixed port (POSTMORTEM_RECORD_CASSETTES=1); replayed with no server."""
    from support import RECORD_CASSETTES

    path = REPO_ROOT / "tests" / "fixtures" / "export" / "checkout-api.draft.json"  # frozen: drafting may change
    write_settings(github_url=f"http://127.0.0.1:{CASSETTE_PORT}")
    cassette = "export_github_checkout.yaml"
    if RECORD_CASSETTES:
        state = FakeState(credential=GITHUB_TOKEN, users={"marco-r", "dkim", "omar"})
        with FakeServer(GitHubHandler, state, port=CASSETTE_PORT), cassette_recorder(CASSETTES).use_cassette(cassette):
            result = export(str(path), "--to", "github")
    else:
        with cassette_recorder(CASSETTES).use_cassette(cassette):
            result = export(str(path), "--to", "github")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("created") == 4
    assert "#4" in result.stdout
    assert_no_token((CASSETTES / cassette).read_text())


def test_a_secret_pasted_into_an_action_item_never_reaches_the_tracker(github, credentials, tmp_path):
    path = draft_json("checkout-api", tmp_path)
    leaky = json.loads(path.read_text())
    password = "Kx9" + rand(12)
    leaky["action_items"][0]["action"] = f"Rotate postgres://checkout:{password}@db-primary.internal:5432/orders"
    path.write_text(json.dumps(leaky))
    result = export(str(path), "--to", "github")
    assert result.exit_code == 0, result.output
    sent = json.dumps([request.body for request in github.state.log])
    assert "db-primary.internal" in sent and password not in sent and password not in result.output


def test_rate_limited_requests_are_retried_after_retry_after(github, credentials, tmp_path):
    github.state.throttle = 2
    result = export(str(draft_json("checkout-api", tmp_path)), "--to", "github")
    assert result.exit_code == 0, result.output
    assert len(github.state.issues) == 4
    assert len(github.state.log) == 2 + 1 + 4  # two refused, then the (empty) listing and four creates


def test_an_unreachable_tracker_is_one_line_exit_2(credentials, tmp_path):
    write_settings(github_url="http://127.0.0.1:9")  # the discard port: nothing listens
    result = export(str(draft_json("checkout-api", tmp_path)), "--to", "github")
    assert result.exit_code == 2 and "cannot reach http://127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.output
    assert_no_token(result.output)
