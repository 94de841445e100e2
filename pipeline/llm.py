"""The one place that talks to a model: chat (langchain's ChatOpenAI) and embeddings (the openai client),
both against any OpenAI-compatible endpoint.

Why it looks like this:
- Retries have one owner. The openai SDK's own retries are off (`max_retries=0`); tenacity retries
  429, 5xx, timeouts, connection errors and unreadable bodies, honours `Retry-After`, and stops at a
  total deadline. Output that fails the schema gets at most `semantic_retries` more calls, each told
  what was wrong.
- Structured output uses `response_format` `json_schema` with our pydantic model, and we validate the
  reply ourselves, so token usage and the raw reply are known even when validation fails.
- Every logical call counts against `max_calls`; `usage` records tokens, attempts and time per call.
- openai and langchain are imported inside functions: `postmortem check` must not pay 2 s for them.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ValidationError

from pipeline.errors import BudgetExhaustedError, ConfigError, ModelUnavailableError
from pipeline.models import LLMCall, LLMUsage
from pipeline.prompting import RenderedPrompt

T = TypeVar("T", bound=BaseModel)
CONFIG_KEYS = {
    "model",
    "base_url",
    "timeout",
    "deadline",
    "max_attempts",
    "max_calls",
    "semantic_retries",
    "pseudonymize",
    "api_key_env",
}
FENCE_RE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


@dataclass(frozen=True)
class LLMConfig:
    """Model settings after merging flags > environment > postmortem.toml [llm] > defaults."""

    model: str
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 60.0
    deadline: float = 180.0
    max_attempts: int = 4
    max_calls: int = 3
    semantic_retries: int = 2
    pseudonymize: bool = False


def load_llm_config(
    model: str | None = None,
    *,
    base_url: str | None = None,
    max_calls: int | None = None,
    pseudonymize: bool | None = None,
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> LLMConfig | None:
    """The merged config, or None when no model is named anywhere (the draft stays offline)."""
    env = os.environ if environ is None else environ
    from pipeline.settings import config_path

    path = config_file or config_path(env)
    section = _read_llm_section(path) if path is not None else {}
    chosen_model = model or env.get("POSTMORTEM_MODEL") or section.get("model")
    if not chosen_model:
        return None
    api_key = env.get(str(section.get("api_key_env", "OPENAI_API_KEY")))
    url = base_url or env.get("OPENAI_BASE_URL") or section.get("base_url")
    if not api_key and not url:
        raise ConfigError(
            "OPENAI_API_KEY", "no API key for the default OpenAI endpoint; set OPENAI_API_KEY or give --base-url"
        )
    config = LLMConfig(
        model=str(chosen_model),
        base_url=str(url) if url else None,
        api_key=api_key,
        timeout=_number(section, "timeout", 60.0, path),
        deadline=_number(section, "deadline", 180.0, path),
        max_attempts=int(_number(section, "max_attempts", 4, path)),
        max_calls=max_calls if max_calls is not None else int(_number(section, "max_calls", 3, path)),
        semantic_retries=min(2, int(_number(section, "semantic_retries", 2, path))),
        pseudonymize=pseudonymize if pseudonymize is not None else bool(section.get("pseudonymize", False)),
    )
    if config.max_calls < 1:
        raise ConfigError("--max-calls", f"must be at least 1, got {config.max_calls}")
    return config


def resolve_model_config(
    model: str | None,
    *,
    base_url: str | None = None,
    max_calls: int | None = None,
    pseudonymize: bool | None = None,
) -> LLMConfig | None:
    """What every command that can use a model calls: the merged config, or None to stay offline.

    A model comes from `--llm`, `$POSTMORTEM_MODEL` or postmortem.toml `[llm] model`. A flag that only
    means something with a model (`--base-url`, `--max-calls`, `--pseudonymize`) and no model anywhere is
    a ConfigError, so a typo in the model setup is never a silent offline run.
    """
    config = load_llm_config(model, base_url=base_url, max_calls=max_calls, pseudonymize=pseudonymize)
    if config is None:
        for flag, value in (("--base-url", base_url), ("--max-calls", max_calls), ("--pseudonymize", pseudonymize)):
            if value:
                raise ConfigError(flag, f"{flag} needs a model: add --llm MODEL (or set POSTMORTEM_MODEL)")
    return config


def _read_llm_section(path: Path) -> dict[str, Any]:
    from pipeline.settings import key_line, read_config

    section = read_config(path).get("llm", {})
    if not isinstance(section, dict):
        raise ConfigError(path, "[llm] must be a table", line=key_line(path, "llm"))
    if "api_key" in section:
        raise ConfigError(
            path,
            "[llm] api_key does not belong in a file; name the variable with api_key_env",
            line=key_line(path, "llm", "api_key"),
        )
    unknown = sorted(set(section) - CONFIG_KEYS)
    if unknown:
        raise ConfigError(
            path,
            f"[llm] unknown key {unknown[0]!r}; known: {', '.join(sorted(CONFIG_KEYS))}",
            line=key_line(path, "llm", unknown[0]),
        )
    return section


def _number(section: dict[str, Any], key: str, default: float, path: Path | None) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(path or "postmortem.toml", f"[llm] {key} must be a non-negative number, got {value!r}")
    return float(value)


def public_url(url: str | None) -> str | None:
    """The base URL without credentials, for metadata."""
    if not url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


# ---------------------------------------------------------------- retry policy


def retry_after_seconds(exc: BaseException, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait (`Retry-After` as seconds or an HTTP date), if it said."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    value = headers.get("retry-after") if headers is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def model_errors() -> tuple[type[BaseException], ...]:
    """What a model call can fail with that is the server's or the network's doing, not a bug of ours:
    API errors (status, timeout, connection), transport errors, unreadable or invalid replies. Only these
    become ModelUnavailableError (and an offline fallback); anything else is a bug and propagates."""
    import httpx2
    import openai
    from langchain_core.exceptions import OutputParserException

    return (
        openai.APIError,
        httpx2.TransportError,
        ValidationError,
        json.JSONDecodeError,
        OutputParserException,
        ModelUnavailableError,
    )


def is_transient(exc: BaseException) -> bool:
    """Worth another attempt: rate limits, server errors, timeouts, dropped connections, garbled bodies."""
    import openai

    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, json.JSONDecodeError)):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in (408, 409, 429) or exc.status_code >= 500
    return False


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff when the server gives no Retry-After: 0.5, 1, 2, 4 ... capped at 8 s."""
    return min(8.0, 0.5 * 2 ** (attempt - 1))


def describe(exc: BaseException) -> str:
    status = getattr(exc, "status_code", None)
    name = type(exc).__name__
    text = " ".join(str(exc).split())[:160]
    return f"HTTP {status} ({name}): {text}" if status else f"{name}: {text}"


def retry_options(max_attempts: int, deadline: float, clock: Callable[[], float]) -> dict[str, Any]:
    """The one retry policy for every model request (chat and embeddings), as tenacity arguments:
    transient errors only, `Retry-After` first else exponential backoff, at most `max_attempts` and
    never past `deadline` seconds. The SDK's own retries are off wherever this is used."""
    from tenacity import retry_if_exception

    started = clock()

    def wait(state: Any) -> float:
        exc = state.outcome.exception()
        asked = retry_after_seconds(exc) if exc is not None else None
        return asked if asked is not None else backoff_seconds(state.attempt_number)

    def stop(state: Any) -> bool:
        elapsed = clock() - started
        return state.attempt_number >= max_attempts or elapsed + (state.upcoming_sleep or 0) > deadline

    return {"retry": retry_if_exception(is_transient), "wait": wait, "stop": stop, "reraise": True}


def not_json_reason(content_type: str) -> str | None:
    """What to tell the user when the SDK got a body it could not read as a chat completion."""
    if "html" in content_type:
        return "the endpoint returned HTML, not JSON: is --base-url the API root (for example http://HOST:PORT/v1)?"
    if content_type and "json" not in content_type:
        return f"the endpoint returned {content_type.split(';')[0]}, not JSON: is --base-url the API root?"
    return None


# ---------------------------------------------------------------- the clients


class ChatModel:
    """Structured calls to one model with retries, a call budget and usage accounting.

    `sleep`/`asleep` are injectable so tests can assert on Retry-After waits without waiting (by default
    `time.sleep`/`asyncio.sleep`, looked up at each retry).
    """

    def __init__(
        self,
        config: LLMConfig,
        *,
        sleep: Callable[[float], None] | None = None,
        asleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.monotonic,
        throttle: Callable[[int], Awaitable[None]] | None = None,
    ):
        self.config = config
        self.throttle = throttle  # awaited before every async HTTP attempt with its estimated tokens (rate limits)
        self.sleep = sleep
        self.asleep = asleep
        self.clock = clock
        self.usage = LLMUsage(model=config.model, base_url=public_url(config.base_url))
        self._sync_model: Any = None
        self._last_invalid: tuple[str, str] = ("", "no reply")
        self._last_content_type = ""
        self._retry_started = clock()
        self._async_chat: Any = None
        self.secrets_in_replies: list[str] = []  # kinds of secrets found (and replaced) in the model's replies

    @property
    def calls_left(self) -> int:
        return self.config.max_calls - self.usage.calls

    def _chat_openai(self, http_async_client: Any = None) -> Any:
        import httpx2
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            model=self.config.model,
            base_url=self.config.base_url,
            api_key=self.config.api_key or "not-needed",
            temperature=0,
            max_retries=0,
            timeout=self.config.timeout,
            use_responses_api=False,
            http_client=None
            if http_async_client
            else httpx2.Client(timeout=self.config.timeout, event_hooks={"response": [self._note_content_type]}),
            http_async_client=http_async_client,
        )

    def _note_content_type(self, response: Any) -> None:
        """Remember what the endpoint said it returned: an HTML page means --base-url is not the API root."""
        self._last_content_type = response.headers.get("content-type", "")

    async def _anote_content_type(self, response: Any) -> None:
        self._note_content_type(response)

    def structured(self, prompt: RenderedPrompt, schema: type[T]) -> T:
        """Ask for `schema` with `prompt`; ModelUnavailableError when no valid answer comes back."""
        if self._sync_model is None:
            self._sync_model = self._chat_openai()
        runnable = self._sync_model.bind(response_format=response_format(schema))
        messages = initial_messages(prompt)
        for semantic_attempt in range(self.config.semantic_retries + 1):
            record = self._start_call(prompt)
            started = self.clock()
            try:
                reply = self._retrying()(self._attempt(record, lambda: runnable.invoke(messages)))
            except model_errors() as exc:
                raise self._failed(record, started, exc) from exc
            result = self._finish(record, started, reply, schema, messages, semantic_attempt)
            if result is not None:
                return result
        raise self._invalid_exhausted(record)

    async def astructured(self, prompt: RenderedPrompt, schema: type[T]) -> T:
        """Async `structured`, with an HTTP client of its own (a client must not outlive its event loop)."""
        import httpx2

        hooks = {"response": [self._anote_content_type]}
        async with httpx2.AsyncClient(timeout=self.config.timeout, event_hooks=hooks) as http_client:
            self._async_chat = self._chat_openai(http_async_client=http_client)
            runnable = self._async_chat.bind(response_format=response_format(schema))
            messages = initial_messages(prompt)
            for semantic_attempt in range(self.config.semantic_retries + 1):
                record = self._start_call(prompt)
                started = self.clock()
                try:
                    tokens = estimated_tokens(messages)
                    reply = await self._aretrying()(self._aattempt(record, lambda: runnable.ainvoke(messages), tokens))
                except model_errors() as exc:
                    raise self._failed(record, started, exc) from exc
                result = self._finish(record, started, reply, schema, messages, semantic_attempt)
                if result is not None:
                    return result
        raise self._invalid_exhausted(record)

    # -- one logical call

    def _start_call(self, prompt: RenderedPrompt) -> LLMCall:
        if self.calls_left <= 0:
            raise BudgetExhaustedError(f"the call budget (--max-calls {self.config.max_calls}) is spent")
        record = LLMCall(prompt=prompt.name, prompt_sha256=prompt.sha256)
        self.usage.calls += 1
        self.usage.call_log.append(record)
        self.usage.prompt_hashes[prompt.name] = prompt.sha256
        return record

    def _attempt(self, record: LLMCall, send: Callable[[], Any]) -> Callable[[], Any]:
        def attempt() -> Any:
            self._cap_timeout(self._sync_model.root_client)
            record.http_attempts += 1
            self.usage.http_attempts += 1
            self._last_content_type = ""
            with self._not_json_is_unavailable():
                return send()

        return attempt

    def _aattempt(
        self, record: LLMCall, send: Callable[[], Awaitable[Any]], tokens: int = 0
    ) -> Callable[[], Awaitable[Any]]:
        async def attempt() -> Any:
            if self.throttle is not None:
                await self.throttle(tokens)
            self._cap_timeout(self._async_chat.root_async_client)
            record.http_attempts += 1
            self.usage.http_attempts += 1
            self._last_content_type = ""
            with self._not_json_is_unavailable():
                return await send()

        return attempt

    @contextmanager
    def _not_json_is_unavailable(self) -> Iterator[None]:
        """The SDK fails with AttributeError/TypeError on a body that is not a chat completion (an HTML
        login page, a proxy's error text). That is the endpoint's doing when the reply was not JSON; with
        a JSON reply the same error is a bug of ours, and propagates."""
        try:
            yield
        except (AttributeError, TypeError) as exc:
            reason = not_json_reason(self._last_content_type)
            if reason is None:
                raise
            raise ModelUnavailableError(reason) from exc

    def _retry_options(self) -> dict[str, Any]:
        self._retry_started = self.clock()  # the deadline that caps each attempt's timeout starts here too
        return retry_options(self.config.max_attempts, self.config.deadline, self.clock)

    def _cap_timeout(self, client: Any) -> None:
        """No attempt may outlast the deadline: its HTTP timeout is what is left of it (at most `timeout`)."""
        remaining = self.config.deadline - (self.clock() - self._retry_started)
        client.timeout = max(0.1, min(self.config.timeout, remaining))

    def _retrying(self) -> Any:
        from tenacity import Retrying

        return Retrying(sleep=time.sleep if self.sleep is None else self.sleep, **self._retry_options())

    def _aretrying(self) -> Any:
        from tenacity import AsyncRetrying

        return AsyncRetrying(sleep=asyncio.sleep if self.asleep is None else self.asleep, **self._retry_options())

    def _failed(self, record: LLMCall, started: float, exc: BaseException) -> ModelUnavailableError:
        record.outcome = "failed"
        self._add_time(record, started)
        if isinstance(exc, ModelUnavailableError):
            return exc
        attempts = record.http_attempts
        return ModelUnavailableError(f"{describe(exc)} after {attempts} attempt{'s' * (attempts != 1)}", attempts)

    def _finish(
        self, record: LLMCall, started: float, reply: Any, schema: type[T], messages: list[Any], semantic_attempt: int
    ) -> T | None:
        """Validate one reply; on failure, append the feedback turn and return None (the caller retries)."""
        from langchain_core.messages import AIMessage, HumanMessage

        self._add_time(record, started)
        usage = getattr(reply, "usage_metadata", None) or {}
        record.input_tokens = int(usage.get("input_tokens", 0))
        record.output_tokens = int(usage.get("output_tokens", 0))
        self.usage.input_tokens += record.input_tokens
        self.usage.output_tokens += record.output_tokens
        content = reply.content if isinstance(reply.content, str) else json.dumps(reply.content)
        content = self._redacted_reply(content)
        try:
            return schema.model_validate_json(strip_fences(content))
        except ValidationError as exc:
            record.outcome = "invalid"
            self._last_invalid = (content, validation_feedback(exc))
            messages.append(AIMessage(content=content))
            messages.append(HumanMessage(content=retry_instruction(messages, validation_feedback(exc))))
            return None

    def _redacted_reply(self, content: str) -> str:
        """The reply with any secret the model emitted replaced; the kinds are kept for a warning."""
        from pipeline.secrets import redact_json_text

        redacted, kinds = redact_json_text(content)
        self.secrets_in_replies += kinds
        return redacted

    def _invalid_exhausted(self, record: LLMCall) -> ModelUnavailableError:
        content, feedback = self._last_invalid
        return ModelUnavailableError(
            f"the reply to {record.prompt!r} did not match the schema after "
            f"{self.config.semantic_retries + 1} calls ({feedback})",
            record.http_attempts,
            content,
        )

    def _add_time(self, record: LLMCall, started: float) -> None:
        seconds = self.clock() - started
        record.seconds = round(record.seconds + seconds, 4)
        self.usage.model_seconds = round(self.usage.model_seconds + seconds, 4)


def response_format(schema: type[BaseModel]) -> dict[str, Any]:
    """OpenAI `json_schema` response format for a pydantic model (all fields required, no extras)."""
    return {
        "type": "json_schema",
        "json_schema": {"name": schema.__name__, "schema": schema.model_json_schema(), "strict": True},
    }


def initial_messages(prompt: RenderedPrompt) -> list[Any]:
    from langchain_core.messages import HumanMessage, SystemMessage

    from pipeline.secrets import redact_secrets

    return [SystemMessage(content=redact_secrets(prompt.system)), HumanMessage(content=redact_secrets(prompt.user))]


def estimated_tokens(messages: list[Any], reply_allowance: int = 1000) -> int:
    """About 4 characters a token for what is sent, plus room for the reply: what a TPM limit counts."""
    return sum(len(str(getattr(message, "content", message))) for message in messages) // 4 + reply_allowance


def strip_fences(content: str) -> str:
    """Local models often wrap JSON in ``` fences; the JSON inside is what counts."""
    match = FENCE_RE.match(content)
    return match.group(1) if match else content


def validation_feedback(exc: ValidationError, limit: int = 5) -> str:
    """The validation errors in a form a model can act on: `path: message`, a few at most."""
    problems = []
    for error in exc.errors()[:limit]:
        where = ".".join(str(part) for part in error["loc"]) or "(reply)"
        problems.append(f"{where}: {error['msg']}")
    more = len(exc.errors()) - limit
    return "; ".join(problems) + (f"; and {more} more" if more > 0 else "")


def retry_instruction(messages: list[Any], feedback: str) -> str:
    task = re.findall(r"\[task:\w+\]", str(messages[1].content))
    marker = task[0] if task else ""
    return (
        f"{marker} Your reply did not match the response schema: {feedback}. "
        "Reply again with only the corrected JSON object."
    ).strip()


class EmbeddingsClient:
    """`/v1/embeddings` of an OpenAI-compatible server, with the chat client's retry owner: SDK retries
    off, tenacity retries transient errors and honours `Retry-After`, within a deadline.

    A server that gives no usable answer is a ModelUnavailableError (exit 2 with the reason), never a
    config error: a 429 is the server being busy, not the user's setup being wrong.
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_attempts: int = 4,
        deadline: float = 180.0,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        from openai import OpenAI

        self.model = model
        self.base_url = base_url
        self.max_attempts = max_attempts
        self.deadline = deadline
        self.sleep = sleep
        self.clock = clock
        self.client = OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=0)

    def embed(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in input order."""
        from tenacity import Retrying

        attempts = 0

        def attempt() -> Any:
            nonlocal attempts
            attempts += 1
            return self.client.embeddings.create(
                model=self.model,
                input=texts,
                encoding_format="float",  # not every server does base64
            )

        retrying = Retrying(
            sleep=time.sleep if self.sleep is None else self.sleep,
            **retry_options(self.max_attempts, self.deadline, self.clock),
        )
        try:
            response = retrying(attempt)
        except model_errors() as exc:
            where = public_url(self.base_url) or "the OpenAI API"
            raise ModelUnavailableError(
                f"embeddings request to {where} failed: {describe(exc)} after {attempts} attempt{'s' * (attempts != 1)}",
                attempts,
            ) from exc
        return [item.embedding for item in sorted(response.data, key=lambda item: item.index)]
