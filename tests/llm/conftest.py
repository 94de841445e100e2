"""Fixtures for the LLM engine: a loopback OpenAI-compatible server, a model with a recording sleep."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from llm_replies import GOOD_ANALYSIS, GOOD_NARRATIVE  # noqa: E402
from llm_server import FakeOpenAIServer, Reply  # noqa: E402

from pipeline.llm import ChatModel, LLMConfig  # noqa: E402


@pytest.fixture(autouse=True)
def no_real_provider(monkeypatch, tmp_path):
    """No test reaches a real provider or reads a developer's postmortem.toml or LangSmith settings."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "POSTMORTEM_MODEL", "LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server():
    with FakeOpenAIServer({"narrative": Reply(GOOD_NARRATIVE), "analysis": Reply(GOOD_ANALYSIS)}) as running:
        yield running


class Sleeps(list):
    """Records every wait the retry policy asks for, instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_model(server, sleeps):
    """ChatModel against the loopback server; keyword arguments override LLMConfig fields."""

    def make(**overrides) -> ChatModel:
        options = {
            "model": "test-model",
            "base_url": server.base_url,
            "api_key": "test-key",
            "timeout": 2.0,
            **overrides,
        }
        return ChatModel(LLMConfig(**options), sleep=sleeps)

    return make
