"""ChatModel against the loopback server: one retry owner, Retry-After honoured, semantic retries, budget."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from email.utils import format_datetime
from types import SimpleNamespace

import pytest
from llm_server import Reply, rate_limited, server_error
from pydantic import BaseModel

from pipeline.errors import BudgetExhaustedError, ModelUnavailableError
from pipeline.llm import retry_after_seconds
from pipeline.prompting import RenderedPrompt


class Answer(BaseModel):
    answer: str
    count: int


PROMPT = RenderedPrompt(name="probe", system="system text", user="[task:probe] answer please", sha256="abc123abc123")
GOOD = Reply({"answer": "ok", "count": 3})


def test_a_good_reply_is_parsed_and_its_usage_recorded(server, make_model):
    server.script("probe", GOOD)
    model = make_model()
    assert model.structured(PROMPT, Answer) == Answer(answer="ok", count=3)
    usage = model.usage
    assert (usage.calls, usage.http_attempts) == (1, 1)
    assert usage.input_tokens > 0 and usage.output_tokens > 0
    assert usage.prompt_hashes == {"probe": "abc123abc123"}
    body = server.bodies[0]
    assert body["temperature"] == 0 and body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["required"] == ["answer", "count"]


def test_429_waits_exactly_as_long_as_retry_after_says(server, make_model, sleeps):
    server.script("probe", rate_limited("7"), rate_limited("2.5"), GOOD)
    model = make_model(deadline=60)
    assert model.structured(PROMPT, Answer).count == 3
    assert sleeps == [7.0, 2.5]
    assert server.attempts("probe") == 3 and model.usage.http_attempts == 3 and model.usage.calls == 1


def test_retry_after_as_an_http_date_is_understood():
    class Response:
        headers = {"retry-after": format_datetime(datetime(2030, 1, 1, 0, 0, 30, tzinfo=UTC), usegmt=True)}

    class Limited(Exception):
        response = Response()

    now = datetime(2030, 1, 1, tzinfo=UTC).timestamp()
    assert retry_after_seconds(Limited(), now=now) == pytest.approx(30.0)


def test_500s_back_off_exponentially_then_recover(server, make_model, sleeps):
    server.script("probe", server_error(500), server_error(503), GOOD)
    assert make_model().structured(PROMPT, Answer).answer == "ok"
    assert sleeps == [0.5, 1.0] and server.attempts("probe") == 3


def test_500s_past_max_attempts_give_up_with_the_attempt_count(server, make_model, sleeps):
    server.script("probe", *[server_error(500)] * 5)
    with pytest.raises(ModelUnavailableError, match=r"HTTP 500 .* after 3 attempts") as caught:
        make_model(max_attempts=3).structured(PROMPT, Answer)
    assert caught.value.attempts == 3 and server.attempts("probe") == 3 and len(sleeps) == 2


def test_a_retry_after_beyond_the_deadline_stops_at_once_instead_of_waiting(server, make_model, sleeps):
    server.script("probe", rate_limited("120"), GOOD)
    with pytest.raises(ModelUnavailableError, match="429"):
        make_model(deadline=30).structured(PROMPT, Answer)
    assert sleeps == [] and server.attempts("probe") == 1


def test_a_timeout_is_retried(server, make_model, sleeps):
    server.script("probe", Reply({"answer": "late", "count": 1}, delay=0.6), GOOD)
    assert make_model(timeout=0.2).structured(PROMPT, Answer).answer == "ok"
    assert server.attempts("probe") == 2 and sleeps == [0.5]


def test_an_unreadable_response_body_is_retried(server, make_model):
    server.script("probe", Reply(raw_body="<html>bad gateway</html>"), GOOD)
    assert make_model().structured(PROMPT, Answer).answer == "ok"
    assert server.attempts("probe") == 2


def test_401_is_not_retried(server, make_model, sleeps):
    server.script("probe", Reply(status=401, raw_body=json.dumps({"error": {"message": "bad key"}})))
    with pytest.raises(ModelUnavailableError, match="401"):
        make_model().structured(PROMPT, Answer)
    assert server.attempts("probe") == 1 and sleeps == []


@pytest.mark.parametrize(
    "bad, reason",
    [('{"answer": "ok", "count": ', "Invalid JSON"), ('{"answer": "ok"}', "count: Field required")],
    ids=["malformed-json", "schema-invalid"],
)
def test_invalid_output_is_retried_with_the_validation_error_fed_back(server, make_model, bad, reason):
    server.script("probe", Reply(bad), GOOD)
    model = make_model()
    assert model.structured(PROMPT, Answer).count == 3
    assert model.usage.calls == 2 and [c.outcome for c in model.usage.call_log] == ["invalid", "ok"]
    retry_messages = server.bodies[1]["messages"]
    assert retry_messages[2] == {"role": "assistant", "content": bad}
    assert "did not match the response schema" in retry_messages[3]["content"]
    assert reason in retry_messages[3]["content"] and "[task:probe]" in retry_messages[3]["content"]


def test_output_invalid_three_times_gives_up_after_two_semantic_retries(server, make_model):
    server.script("probe", *[Reply('{"answer": 1}')] * 4)
    with pytest.raises(ModelUnavailableError, match="did not match the schema after 3 calls") as caught:
        make_model().structured(PROMPT, Answer)
    assert server.attempts("probe") == 3 and caught.value.last_output == '{"answer": 1}'


def test_json_in_code_fences_is_accepted(server, make_model):
    server.script("probe", Reply('```json\n{"answer": "fenced", "count": 2}\n```'))
    assert make_model().structured(PROMPT, Answer).answer == "fenced"


def test_max_calls_is_enforced_before_a_request_is_sent(server, make_model):
    server.script("probe", GOOD, GOOD)
    model = make_model(max_calls=1)
    model.structured(PROMPT, Answer)
    with pytest.raises(BudgetExhaustedError, match="--max-calls 1"):
        model.structured(PROMPT, Answer)
    assert server.attempts("probe") == 1


def test_async_calls_work_in_two_event_loops_and_honour_retry_after(server, make_model):
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    server.script("probe", rate_limited("4"), GOOD, GOOD)
    model = make_model()
    model.asleep = fake_sleep
    first = asyncio.run(model.astructured(PROMPT, Answer))
    second = asyncio.run(model.astructured(PROMPT, Answer))  # a new loop: no "Event loop is closed"
    assert first.count == second.count == 3
    assert waits == [4.0] and model.usage.http_attempts == 3 and model.usage.calls == 2


def test_a_bug_in_our_code_is_a_traceback_not_a_model_failure(server, make_model, monkeypatch):
    """Only API, transport and validation errors become ModelUnavailableError (and an offline fallback)."""
    model = make_model()

    class Broken:
        root_client = SimpleNamespace(timeout=None)  # the per-attempt deadline sets its timeout

        def bind(self, **kwargs):
            return self

        def invoke(self, messages):
            raise TypeError("a bug in our code")

    monkeypatch.setattr(model, "_chat_openai", lambda *args, **kwargs: Broken())
    with pytest.raises(TypeError, match="a bug in our code"):
        model.structured(PROMPT, Answer)


# ---------------------------------------------------------------- embeddings: the same retry owner


@pytest.fixture
def embeddings_server():
    from embeddings_server import FakeEmbeddingsServer

    with FakeEmbeddingsServer() as running:
        yield running


def test_embeddings_honour_retry_after_with_the_sdk_retries_off(embeddings_server, sleeps):
    from pipeline.llm import EmbeddingsClient

    embeddings_server.faults = [(429, {"Retry-After": "3"}), (503, {})]
    client = EmbeddingsClient("fake-embed", base_url=embeddings_server.base_url, sleep=sleeps)
    assert client.client.max_retries == 0
    vectors = client.embed(["disk full", "certificate expired"])
    assert len(vectors) == 2 and vectors[0] != vectors[1]
    assert sleeps == [3.0, 1.0] and len(embeddings_server.bodies) == 3  # Retry-After, then backoff


def test_embeddings_that_stay_rate_limited_are_model_unavailable_not_a_config_error(embeddings_server, sleeps):
    from pipeline.errors import ConfigError
    from pipeline.llm import EmbeddingsClient

    embeddings_server.faults = [(429, {"Retry-After": "1"})] * 4
    client = EmbeddingsClient("fake-embed", base_url=embeddings_server.base_url, sleep=sleeps)
    with pytest.raises(ModelUnavailableError, match=r"HTTP 429 .* after 4 attempts") as caught:
        client.embed(["disk full"])
    assert not isinstance(caught.value, ConfigError) and len(embeddings_server.bodies) == 4
