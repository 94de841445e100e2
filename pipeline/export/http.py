"""The one place export talks HTTP: status codes become TrackerErrors that say what to do, 429/503 wait.

Messages name the tracker, the status and the tracker's own explanation; never a header, never a token.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from pipeline.errors import TrackerError

if TYPE_CHECKING:
    import httpx

RETRY_STATUSES = (429, 502, 503)
MAX_RETRIES = 2
MAX_WAIT_SECONDS = 30.0
TIMEOUT_SECONDS = 30.0


def send(
    client: httpx.Client,
    tracker: str,
    method: str,
    url: str,
    *,
    action: str | None = None,
    hint: str = "",
    **options: Any,
) -> httpx.Response:
    """One request, retried on 429/502/503 after Retry-After (capped); any other failure is a TrackerError."""
    import httpx

    for attempt in range(MAX_RETRIES + 1):
        try:
            response = client.request(method, url, **options)
        except httpx.HTTPError as exc:
            raise TrackerError(
                tracker,
                f"cannot reach {client.base_url or url} ({type(exc).__name__})",
                hint="check the api_url/url in postmortem.toml and the network",
            ) from None
        if response.status_code not in RETRY_STATUSES or attempt == MAX_RETRIES:
            break
        time.sleep(_retry_after(response))
    if response.is_success:
        return response
    raise _failure(tracker, response, action, hint)


def _retry_after(response: httpx.Response) -> float:
    try:
        return min(max(float(response.headers.get("retry-after", "1")), 0.0), MAX_WAIT_SECONDS)
    except ValueError:
        return 1.0


def _failure(tracker: str, response: httpx.Response, action: str | None, hint: str) -> TrackerError:
    status, detail = response.status_code, explanation(response)
    if status == 401:
        return TrackerError(tracker, "the token was refused (HTTP 401)", hint=hint)
    if status == 403:
        return TrackerError(tracker, f"the token may not do this (HTTP 403: {detail})", hint=hint)
    if status in (400, 422) and action is not None:
        return TrackerError(
            tracker,
            f"rejected the issue for action item {action!r} (HTTP {status}: {detail})",
            hint="fix that action item in the draft, or the account in [people] of postmortem.toml, and run "
            "again: issues already written are updated, not duplicated",
        )
    if status == 404:
        return TrackerError(tracker, f"not found (HTTP 404: {detail})", hint=hint)
    return TrackerError(tracker, f"HTTP {status}: {detail}", hint="run again later; nothing is duplicated on re-run")


def explanation(response: httpx.Response) -> str:
    """The tracker's own words: GitHub's message + errors, Jira's errorMessages + errors, else the status text."""
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or "no explanation"
    if not isinstance(body, dict):
        return response.reason_phrase or "no explanation"
    parts = [str(body["message"])] if body.get("message") else []
    parts += [str(message) for message in body.get("errorMessages") or []]
    errors = body.get("errors")
    if isinstance(errors, list):
        for error in errors:
            if isinstance(error, dict):
                parts.append(
                    error.get("message") or f"{error.get('field', '?')} {error.get('code', 'invalid')}".strip()
                )
            else:
                parts.append(str(error))
    elif isinstance(errors, dict):
        parts += [f"{field}: {message}" for field, message in errors.items()]
    return "; ".join(parts)[:500] or response.reason_phrase or "no explanation"
