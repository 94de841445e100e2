"""Read one Slack channel through the Web API into a chat JSONL file that `postmortem draft` reads.

conversations.history pages the channel newest first; every message with replies gets its thread from
conversations.replies; authors and `<@U123>` mentions become real names through users.info (looked up
once, kept in the checkpoint). Each page is written as it arrives (pipeline/fetch/journal.py), so a
killed run resumes where it stopped and a re-run appends only what is new.

Rate limits: calls are spaced per method at their tier (pipeline/fetch/limits.py), and a 429 waits
exactly its Retry-After. slack_sdk's own RateLimitErrorRetryHandler adds up to a second of random jitter
to every wait and cannot read a fractional Retry-After, so `exact_retry_after` builds one that does not.

The token: read from SLACK_BOT_TOKEN or a file, handed to slack_sdk (which sends it as an Authorization
header and redacts it from its debug log), and scrubbed from every message this module raises. Errors
are our own sentences, never slack_sdk's exception text (which quotes whole responses).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import ConfigError, PipelineError
from pipeline.fetch.journal import Journal
from pipeline.fetch.limits import Pacer, SlackLimits
from pipeline.redact import redact

if TYPE_CHECKING:
    from slack_sdk import WebClient
    from slack_sdk.http_retry.handler import RetryHandler

TOKEN_ENV = "SLACK_BOT_TOKEN"
DEFAULT_BASE_URL = "https://slack.com/api/"
CHANNEL_ID_RE = re.compile(r"^[CGD][A-Z0-9]{2,}$")
MENTION_RE = re.compile(r"<@([UW][A-Z0-9]+)")
ERROR_CODE_RE = re.compile(r"^[a-z_]+$")  # Slack's error codes: invalid_auth, missing_scope, ...
SETTLE_SECONDS = 60  # history newer than this may still gain a message Slack had not stored yet: not checkpointed
TOKEN_PLACEHOLDER = "[REDACTED:slack token]"
MIN_SCRUBBED_TOKEN = 8  # a shorter "token" (a test's "t") would cut ordinary words apart; Slack's are 50+


class SlackFetchError(PipelineError):
    """A fetch the user can fix: a scope to add, a channel to join, a token to replace, a limit to wait out."""

    def __init__(self, message: str, hint: str = "", code: str = ""):
        self.hint = hint
        self.code = code  # Slack's error code (missing_scope, user_not_found, ...) when Slack gave one
        super().__init__(f"error: {message}")


# ---------------------------------------------------------------- inputs: token, times, channel


def read_token(token_file: Path | None, environ: dict[str, str] | None = None) -> str:
    """The bot token from `token_file`, else from $SLACK_BOT_TOKEN; never from a command-line value."""
    environ = os.environ if environ is None else environ
    if token_file is not None:
        try:
            token = token_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
            raise ConfigError(token_file, f"cannot read the token file: {reason}") from None
        if not token:
            raise ConfigError(token_file, "the token file is empty")
        return token
    token = environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise SlackFetchError(
            "no Slack token",
            hint=f"set {TOKEN_ENV} to the app's Bot User OAuth Token (it starts with xoxb), or pass --token-file PATH",
        )
    return token


def slack_time(value: str, option: str) -> str:
    """`--since`/`--until` as a Slack timestamp: epoch seconds, YYYY-MM-DD (UTC midnight) or ISO 8601
    date-time (UTC when it has no offset)."""
    text = value.strip()
    try:
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            return f"{Decimal(text):f}"
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            moment = datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, InvalidOperation):
        raise ConfigError(
            option, f"cannot read {value!r}; use 2024-05-14, 2024-05-14T09:30:00Z or epoch seconds"
        ) from None
    since_epoch = moment - datetime(1970, 1, 1, tzinfo=UTC)
    seconds = since_epoch.days * 86_400 + since_epoch.seconds
    return f"{seconds}.{since_epoch.microseconds:06d}" if since_epoch.microseconds else str(seconds)


# ---------------------------------------------------------------- retries and errors


def exact_retry_after(max_retries: int, sleep: Callable[[float], None]) -> RetryHandler:
    """A slack_sdk retry handler for 429 that sleeps exactly Retry-After (seconds, fractions allowed).

    slack_sdk is imported here, at first use, so importing this module stays cheap. The handler's
    `waits` lists every wait, for the summary line and the benchmark.
    """
    from slack_sdk.http_retry.handler import RetryHandler

    class ExactRetryAfter(RetryHandler):
        def __init__(self) -> None:
            super().__init__(max_retry_count=max_retries)
            self.waits: list[float] = []

        def _can_retry(self, *, state, request, response=None, error=None) -> bool:  # type: ignore[no-untyped-def]
            if response is None:
                return False
            body = response.body if isinstance(response.body, dict) else {}
            return response.status_code == 429 or body.get("error") == "ratelimited"

        def prepare_for_next_attempt(self, *, state, request, response=None, error=None) -> None:  # type: ignore[no-untyped-def]
            state.next_attempt_requested = True
            delay = _retry_after(response.headers if response is not None else {})
            self.waits.append(delay)
            sleep(delay)
            state.increment_current_attempt()

    return ExactRetryAfter()


def _retry_after(headers: dict[str, Any]) -> float:
    """Retry-After in seconds (slack_sdk hands header values as lists); 1 s when absent or unreadable."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            value = value[0] if isinstance(value, list) and value else value
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return 1.0
    return 1.0


ERROR_HINTS = {
    "invalid_auth": ("Slack refused the token (invalid_auth)", "check SLACK_BOT_TOKEN or the token file"),
    "not_authed": ("no token reached Slack (not_authed)", "check SLACK_BOT_TOKEN or the token file"),
    "token_revoked": ("the token was revoked", "reinstall the app and use its new Bot User OAuth Token"),
    "account_inactive": ("the token's app or user is deactivated", "reinstall the app"),
    "channel_not_found": (
        "channel {channel} not found",
        "use the channel ID (channel details -> bottom), and /invite the app to a private channel",
    ),
    "not_in_channel": ("the app is not a member of {channel}", "in the channel, type /invite @your-app"),
    "ratelimited": (
        "Slack still rate-limits {method} after {retries} waits",
        "run the same command later: what was fetched is kept and the fetch resumes",
    ),
}


def api_error(response: Any, method: str, channel: str, retries: int) -> SlackFetchError:
    """One clear sentence for a failed call; a missing scope names the scopes to add."""
    data = response.data if hasattr(response, "data") and isinstance(response.data, dict) else {}
    status = getattr(response, "status_code", 200)
    code = "ratelimited" if status == 429 else str(data.get("error") or "")
    if not ERROR_CODE_RE.match(code):  # not a Slack answer (a proxy's error page, say): its status says enough
        return SlackFetchError(
            f"{method} failed: HTTP {status}, not a Slack API answer",
            hint="Slack or a proxy between is failing; run the same command later and the fetch resumes",
            code=f"HTTP {status}",
        )
    if code == "missing_scope":
        needed = str(data.get("needed") or "?")
        return SlackFetchError(
            f"the Slack token lacks the scope {needed} needed by {method}",
            hint=f"add {needed} under OAuth & Permissions -> Bot Token Scopes, reinstall the app, "
            "and use the new token (docs/slack.md lists every scope)",
            code=code,
        )
    message, hint = ERROR_HINTS.get(code, (f"{method} failed: {code}", "see docs/slack.md"))
    return SlackFetchError(message.format(channel=channel, method=method, retries=retries), hint=hint, code=code)


# ---------------------------------------------------------------- the fetch


@dataclass
class FetchReport:
    """What a run did: for the summary line, the tests and the benchmark."""

    written: int = 0
    already: int = 0
    calls: dict[str, int] = field(default_factory=dict)
    rate_limit_waits: list[float] = field(default_factory=list)
    pacing_wait: float = 0.0

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


@dataclass
class SlackFetcher:
    """One channel, one window, one output file; `run()` does the fetch and returns the report."""

    channel: str
    oldest: str
    latest: str
    output: Path
    token: str
    limits: SlackLimits
    base_url: str = DEFAULT_BASE_URL
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], float] = time.time
    refresh: bool = False  # read the whole window's history again, for replies posted later to old threads
    pacing: bool = True  # space calls at their tier's rate (429s are waited out either way)
    report: FetchReport = field(default_factory=FetchReport)

    def run(self) -> FetchReport:
        try:
            return self._run()
        except PipelineError as error:
            raise self._scrubbed(error) from None

    def _run(self) -> FetchReport:
        if Decimal(self.oldest) > Decimal(self.latest):
            raise ConfigError("--since", f"{self.oldest} is after --until {self.latest}")
        self.client = self._client()
        limits = self.limits if self.pacing else self.limits.model_copy(update={"tiers": {}})
        self.pacer = Pacer(limits, sleep=self.sleep)
        self.channel = self._channel_id(self.channel)
        self.journal = Journal(self.output, self.channel)
        self.report.already = len(self.journal.seen)
        self.names = self.journal.state.users
        self.deleted: set[str] = set()
        settled = f"{Decimal(str(self.now())) - SETTLE_SECONDS:f}"
        stretches = [(self.oldest, self.latest)] if self.refresh else self.journal.state.gaps(self.oldest, self.latest)
        for gap_oldest, gap_latest in stretches:
            self._fetch_history(gap_oldest, gap_latest, settled)
        self.report.pacing_wait = self.pacer.waited
        return self.report

    def _client(self) -> WebClient:
        from slack_sdk import WebClient

        self.retry = exact_retry_after(self.limits.max_rate_limited_retries, self.sleep)
        self.report.rate_limit_waits = self.retry.waits
        base_url = self.base_url if self.base_url.endswith("/") else self.base_url + "/"
        return WebClient(token=self.token, base_url=base_url, retry_handlers=[self.retry], timeout=30)

    def _call(self, method: str, **params: Any) -> dict[str, Any]:
        """One Web API call, paced, 429s waited out; any failure becomes a SlackFetchError."""
        from slack_sdk.errors import SlackApiError, SlackClientError

        self.pacer.wait(method)
        self.report.calls[method] = self.report.calls.get(method, 0) + 1
        try:
            response = self.client.api_call(method, http_verb="POST", params=params)
        except SlackApiError as exc:
            raise api_error(exc.response, method, self.channel, self.limits.max_rate_limited_retries) from None
        except (SlackClientError, OSError) as exc:
            reason = getattr(exc, "reason", None) or type(exc).__name__
            raise SlackFetchError(
                f"cannot reach the Slack API at {self.base_url} ({reason})",
                hint="check the network (or --base-url); a rerun resumes where this one stopped",
            ) from None
        return response.data if isinstance(response.data, dict) else {}

    def _pages(self, method: str, key: str, **params: Any) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        """(items, has_more) per page, following response_metadata.next_cursor."""
        cursor = ""
        while True:
            data = self._call(method, limit=self.limits.page_size, **params, **({"cursor": cursor} if cursor else {}))
            items = [item for item in data.get(key) or [] if isinstance(item, dict)]
            cursor = str((data.get("response_metadata") or {}).get("next_cursor") or "")
            more = bool(cursor)  # Slack's last page has an empty next_cursor (has_more is not on every method)
            yield items, more
            if not more:
                return

    def _channel_id(self, channel: str) -> str:
        """A channel ID as given, or `#name`/`name` looked up with conversations.list (channels:read)."""
        if CHANNEL_ID_RE.match(channel):
            return channel
        name = channel.lstrip("#")
        for items, _ in self._pages(
            "conversations.list", "channels", types="public_channel,private_channel", exclude_archived=False
        ):
            for item in items:
                if item.get("name") == name and isinstance(item.get("id"), str):
                    return item["id"]
        raise SlackFetchError(
            f"no channel named #{name} is visible to the app",
            hint="pass the channel ID (channel details -> bottom), or /invite the app to the channel",
        )

    def _fetch_history(self, gap_oldest: str, gap_latest: str, settled: str) -> None:
        """Page one uncovered stretch; after each page and its threads, checkpoint what is complete.

        Slack pages history newest first, so after a page everything from its oldest message up to the
        stretch's end is written; a server paging oldest first is read the other way round. Nothing past
        `settled` is checkpointed.
        """
        state = self.journal.state
        seen_low: Decimal | None = None
        seen_high: Decimal | None = None
        for messages, more in self._pages(
            "conversations.history",
            "messages",
            channel=self.channel,
            oldest=gap_oldest,
            latest=gap_latest,
            inclusive=True,
        ):
            self._write(messages)
            for message in messages:
                latest_reply = message.get("latest_reply")
                ts = message.get("ts")
                if message.get("reply_count") and isinstance(ts, str) and state.threads.get(ts) != latest_reply:
                    self._fetch_thread(ts)
                    state.threads[ts] = str(latest_reply)
            stamps = [Decimal(m["ts"]) for m in messages if isinstance(m.get("ts"), str)]
            if stamps:
                seen_low = min([*stamps, seen_low] if seen_low is not None else stamps)
                seen_high = max([*stamps, seen_high] if seen_high is not None else stamps)
            done = self._done(gap_oldest, gap_latest, more, stamps, seen_low, seen_high)
            if done is not None and Decimal(done[0]) <= min(Decimal(done[1]), Decimal(settled)):
                state.cover(done[0], min(done[1], settled, key=Decimal))
            self.journal.save()

    @staticmethod
    def _done(
        gap_oldest: str,
        gap_latest: str,
        more: bool,
        stamps: list[Decimal],
        seen_low: Decimal | None,
        seen_high: Decimal | None,
    ) -> tuple[str, str] | None:
        """The part of the stretch written completely so far, or None when the page order is unknown."""
        if not more:
            return gap_oldest, gap_latest
        if len(stamps) < 2 or seen_low is None or seen_high is None:
            return None
        if stamps[0] > stamps[-1]:  # newest first (Slack)
            return f"{seen_low:f}", gap_latest
        return gap_oldest, f"{seen_high:f}"

    def _fetch_thread(self, thread_ts: str) -> None:
        for replies, _ in self._pages("conversations.replies", "messages", channel=self.channel, ts=thread_ts):
            self._write([reply for reply in replies if reply.get("ts") != thread_ts])

    def _write(self, messages: list[dict[str, Any]]) -> None:
        records = []
        for event in messages:
            message = self._current(event)
            ts = message.get("ts") if message is not None else None
            if not isinstance(ts, str) or ts in self.journal.seen or not self._in_window(ts):
                continue
            record = self._record(message)
            if record is not None:
                records.append(record)
        self.report.written += self.journal.append(records)

    def _current(self, message: dict[str, Any]) -> dict[str, Any] | None:
        """The message as it reads now. conversations.history already gives edited messages their latest
        text; a server that also lists edit and delete events (as exports do) is read the same way: the
        edit's new version stands in for the original, and a deleted message is left out. History comes
        newest first, so the event arrives before the message it changes."""
        subtype = message.get("subtype")
        if subtype == "message_changed" and isinstance(message.get("message"), dict):
            changed = message["message"]
            return {**changed, "edited": changed.get("edited") or {"ts": message.get("ts")}}
        if subtype == "message_deleted" and isinstance(message.get("deleted_ts"), str):
            self.deleted.add(message["deleted_ts"])
            return None
        return None if message.get("ts") in self.deleted else message

    def _in_window(self, ts: str) -> bool:
        """Checked here too, not only asked of the server: a message outside --since/--until is not written."""
        try:
            return Decimal(self.oldest) <= Decimal(ts) <= Decimal(self.latest)
        except InvalidOperation:
            return False

    # ------------------------------------------------------------ one message -> one JSONL record

    def _record(self, message: dict[str, Any]) -> dict[str, Any] | None:
        subtype = message.get("subtype")
        kind = self.limits.subtypes.get(subtype, "system") if isinstance(subtype, str) else "message"
        if kind == "skip":
            return None
        user = message.get("user") if isinstance(message.get("user"), str) else None
        if kind == "message" and (message.get("app_id") or (user is None and message.get("bot_id"))):
            kind = "bot"  # as the Slack export reader decides (an app posts with its bot user's ID)
        author = self._name(user) if user else _bot_name(message)
        record: dict[str, Any] = {
            "ts": message["ts"],
            "user": self._clean(author),
            "text": self._clean(self._text(message)),
            "kind": kind,
        }
        if user:
            record["user_id"] = user
        thread_ts = message.get("thread_ts")
        if isinstance(thread_ts, str) and thread_ts != message["ts"]:
            record["thread_ts"] = thread_ts
        if message.get("edited"):
            record["edited"] = True  # history already carries the latest text; the mark says it changed
        return record

    def _text(self, message: dict[str, Any]) -> str:
        from pipeline.ingest.chat.slack_export import _attachment_text
        from pipeline.ingest.chat.slack_text import SlackMarkup

        parts = [message.get("text") if isinstance(message.get("text"), str) else ""]
        parts += [_attachment_text(item) for item in message.get("attachments") or [] if isinstance(item, dict)]
        parts += [
            f"[file: {item.get('title') or item.get('name')}]"
            for item in message.get("files") or []
            if isinstance(item, dict) and (item.get("title") or item.get("name"))
        ]
        text = "\n".join(part for part in parts if part)
        for user_id in set(MENTION_RE.findall(text)):
            self._name(user_id)
        return SlackMarkup(self.names, {}).render(text)

    def _name(self, user_id: str) -> str:
        """The user's real name (users.info, once per user); a deleted or unknown user keeps a readable name."""
        if user_id not in self.names:
            try:
                user = self._call("users.info", user=user_id).get("user") or {}
            except SlackFetchError as error:
                if error.code != "user_not_found":
                    raise
                user = {}
            from pipeline.ingest.chat.slack_text import user_names

            self.names[user_id] = user_names([{**user, "id": user_id}]).get(user_id, f"unknown user {user_id}")
        return self.names[user_id]

    def _clean(self, text: str) -> str:
        """Secrets redacted on the way in; the token itself too, should someone have pasted it."""
        if len(self.token) >= MIN_SCRUBBED_TOKEN:
            text = text.replace(self.token, TOKEN_PLACEHOLDER)
        return redact(text)

    def _scrubbed(self, error: PipelineError) -> PipelineError:
        """The error with the token cut out of its text, whatever path put it there."""
        if len(self.token) >= MIN_SCRUBBED_TOKEN and self.token in str(error):
            scrubbed = SlackFetchError(str(error).removeprefix("error: ").replace(self.token, TOKEN_PLACEHOLDER))
            scrubbed.hint = error.hint.replace(self.token, TOKEN_PLACEHOLDER)
            return scrubbed
        return error


def is_loopback(url: str) -> bool:
    """True when the API is on this machine (127.0.0.0/8, ::1, localhost): a test server."""
    import ipaddress
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bot_name(message: dict[str, Any]) -> str:
    bot = message.get("bot_profile") if isinstance(message.get("bot_profile"), dict) else {}
    for candidate in (message.get("username"), bot.get("name"), message.get("bot_id")):
        if isinstance(candidate, str) and candidate:
            return candidate
    return "bot"


def fetch_slack(
    channel: str,
    since: str,
    until: str | None,
    output: Path,
    token: str,
    limits: SlackLimits,
    base_url: str = DEFAULT_BASE_URL,
    sleep: Callable[[float], None] = time.sleep,
    refresh: bool = False,
    pacing: bool | None = None,
) -> FetchReport:
    """Fetch `channel` between `since` and `until` (default: now) into `output`; see the module docstring.

    `pacing` None: on, unless `base_url` is on this machine (a test server, not Slack's limits).
    """
    oldest = slack_time(since, "--since")
    latest = slack_time(until, "--until") if until else f"{Decimal(str(time.time())):f}"
    fetcher = SlackFetcher(
        channel,
        oldest,
        latest,
        output,
        token,
        limits,
        base_url=base_url,
        sleep=sleep,
        refresh=refresh,
        pacing=not is_loopback(base_url) if pacing is None else pacing,
    )
    return fetcher.run()
