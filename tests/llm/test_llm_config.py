"""Model configuration: flags > environment > postmortem.toml [llm]; bad config is one clear error."""

from __future__ import annotations

import pytest

from pipeline.errors import ConfigError
from pipeline.llm import load_llm_config, public_url, resolve_model_config

MODEL_VARIABLES = ("POSTMORTEM_MODEL", "OPENAI_BASE_URL", "OPENAI_API_KEY")


def write_config(tmp_path, body: str):
    path = tmp_path / "postmortem.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_no_model_anywhere_means_offline(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in MODEL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert load_llm_config(config_file=None, environ={}) is None
    assert resolve_model_config(None) is None


def test_flags_win_over_environment_and_environment_over_the_file(tmp_path):
    path = write_config(
        tmp_path, '[llm]\nmodel = "from-file"\nbase_url = "http://file/v1"\nmax_calls = 2\ntimeout = 5\n'
    )
    env = {"POSTMORTEM_MODEL": "from-env", "OPENAI_BASE_URL": "http://env/v1", "OPENAI_API_KEY": "k"}
    from_env = load_llm_config(config_file=path, environ=env)
    assert (from_env.model, from_env.base_url, from_env.max_calls, from_env.timeout) == (
        "from-env",
        "http://env/v1",
        2,
        5.0,
    )
    from_flags = load_llm_config("from-flag", base_url="http://flag/v1", max_calls=3, config_file=path, environ=env)
    assert (from_flags.model, from_flags.base_url, from_flags.max_calls) == ("from-flag", "http://flag/v1", 3)
    from_file = load_llm_config(config_file=path, environ={})
    assert (from_file.model, from_file.base_url, from_file.api_key) == ("from-file", "http://file/v1", None)


def test_the_api_key_comes_from_the_environment_and_never_shows_in_repr(tmp_path):
    path = write_config(tmp_path, '[llm]\nmodel = "m"\napi_key_env = "TEAM_LLM_KEY"\n')
    config = load_llm_config(config_file=path, environ={"TEAM_LLM_KEY": "sk-canary-0000"})
    assert config.api_key == "sk-canary-0000" and "sk-canary" not in repr(config)


@pytest.mark.parametrize(
    "body, message",
    [
        ('[llm]\nmodel = "m"\nbase_url = "http://x"\nmodle = "typo"\n', "unknown key 'modle'"),
        ('[llm]\nmodel = "m"\napi_key = "sk-secret"\n', "api_key does not belong in a file"),
        ('[llm]\nmodel = "m"\nbase_url = "http://x"\ntimeout = "fast"\n', "timeout must be a non-negative number"),
        ('[llm\nmodel = "m"\n', "invalid TOML"),
    ],
)
def test_a_bad_config_file_is_a_config_error_naming_the_file(tmp_path, body, message):
    path = write_config(tmp_path, body)
    with pytest.raises(ConfigError, match=message) as caught:
        load_llm_config(config_file=path, environ={})
    assert str(path) in str(caught.value)


def test_the_default_endpoint_without_a_key_is_refused_before_any_request():
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        load_llm_config("gpt-test", config_file=None, environ={})


def test_llm_flags_without_a_model_are_refused(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name in MODEL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="--base-url needs a model"):
        resolve_model_config(None, base_url="http://127.0.0.1:1/v1")


@pytest.mark.parametrize("command", ["draft", "backfill"])
def test_draft_and_backfill_refuse_base_url_without_a_model_with_one_message(command, monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    monkeypatch.chdir(tmp_path)
    for name in MODEL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "notes").mkdir()
    args = {"draft": ["draft", str(tmp_path)], "backfill": ["backfill", str(tmp_path / "notes"), "--out", "out"]}[
        command
    ]
    result = CliRunner().invoke(app, [*args, "--base-url", "http://127.0.0.1:9/v1"])
    assert result.exit_code == 2
    assert "--base-url needs a model: add --llm MODEL (or set POSTMORTEM_MODEL)" in result.output
    assert not (tmp_path / "out").exists()


def test_backfill_takes_the_model_from_postmortem_model_as_draft_does(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from pipeline.backfill import runner
    from pipeline.cli import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("POSTMORTEM_MODEL", "team-model")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    seen = {}

    def fake_run(sources, options):
        seen["llm"] = options.llm
        raise ConfigError("test", "stop here")

    monkeypatch.setattr(runner, "run_backfill", fake_run)
    (tmp_path / "notes").mkdir()
    result = CliRunner().invoke(app, ["backfill", str(tmp_path / "notes"), "--out", "out"])
    assert result.exit_code == 2
    assert seen["llm"].model == "team-model" and seen["llm"].base_url == "http://127.0.0.1:9/v1"


def test_max_calls_below_one_is_refused():
    with pytest.raises(ConfigError, match="--max-calls"):
        load_llm_config("m", base_url="http://x/v1", max_calls=0, config_file=None, environ={})


def test_metadata_never_records_credentials_in_the_base_url():
    assert public_url("https://user:pw@llm.example:8443/v1?key=abc") == "https://llm.example:8443/v1"
