"""Slack's message markup to plain text: `<@U123>` -> `@Mei Tanaka`, `<url|text>` -> `text (url)`.

Slack stores mentions, channel links and URLs as `<...>` tokens and escapes only `&`, `<` and `>`
(https://api.slack.com/reference/surfaces/formatting#escaping); everything else is literal.
"""

from __future__ import annotations

import re
from typing import Any

TOKEN_RE = re.compile(r"<([^<>\n]*)>")
SPECIAL_MENTIONS = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}


def user_names(users: list[Any]) -> dict[str, str]:
    """Map user IDs to the name people know them by: real name, else display name, else handle."""
    names: dict[str, str] = {}
    for user in users:
        if not isinstance(user, dict) or not isinstance(user.get("id"), str):
            continue
        profile = user.get("profile") if isinstance(user.get("profile"), dict) else {}
        for candidate in (
            profile.get("real_name"),
            user.get("real_name"),
            profile.get("display_name"),
            user.get("name"),
        ):
            if isinstance(candidate, str) and candidate.strip():
                names[user["id"]] = candidate.strip()
                break
    return names


def channel_names(channels: list[Any]) -> dict[str, str]:
    """Map channel IDs to channel names, for `<#C123>` links that carry no label."""
    return {
        channel["id"]: channel["name"]
        for channel in channels
        if isinstance(channel, dict) and isinstance(channel.get("id"), str) and isinstance(channel.get("name"), str)
    }


class SlackMarkup:
    """Renders Slack markup with one export's user and channel names."""

    def __init__(self, users: dict[str, str], channels: dict[str, str]):
        self.users = users
        self.channels = channels
        self._mentions: dict[str, str] = {}  # mentions repeat; URLs mostly do not, so only mentions are kept

    def render(self, text: str) -> str:
        if "<" in text:
            text = TOKEN_RE.sub(self._token, text)
        if "&" in text:
            text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        return text

    def _token(self, match: re.Match[str]) -> str:
        inner = match.group(1)
        rendered = self._mentions.get(inner)
        if rendered is None:
            rendered = self._render_token(inner)
            if inner[:1] in "@#!":
                self._mentions[inner] = rendered
        return rendered

    def _render_token(self, inner: str) -> str:
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            user_id = target[1:]
            return "@" + self.users.get(user_id, label.lstrip("@") or user_id)
        if target.startswith("#"):
            channel_id = target[1:]
            return "#" + (label or self.channels.get(channel_id, channel_id))
        if target.startswith("!"):
            command = target[1:]
            if command in SPECIAL_MENTIONS:
                return SPECIAL_MENTIONS[command]
            return label or "@" + command.partition("^")[0]
        if label:
            return f"{label} ({target})"
        return target
