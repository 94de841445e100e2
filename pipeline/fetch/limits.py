"""Slack's per-method rate-limit tiers as data (pipeline/data/slack.yaml), and the pacer that keeps to them.

Pacing spaces the calls of each method at its tier's rate instead of bursting into 429s: Slack answers a
burst with Retry-After waits that cost more than the spacing would have. A tier of 0 turns pacing off for
that tier (the loopback test server). The clock and sleep are injected so tests and the benchmark can
count waits without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from pipeline.models import Strict

Kind = Literal["message", "bot", "join", "edit", "system", "skip"]


class SlackLimits(Strict):
    """pipeline/data/slack.yaml, or a team's replacement given with `--limits`."""

    tiers: dict[str, float] = Field(description="Tier name -> requests per minute (0: not paced).")
    methods: dict[str, str] = Field(description="Web API method -> its tier.")
    page_size: int = Field(ge=1, le=999, description="Messages asked for per page.")
    max_rate_limited_retries: int = Field(ge=0, description="429s in a row on one call before giving up.")
    subtypes: dict[str, Kind] = Field(description="Slack message subtype -> chat message kind, or skip.")

    @model_validator(mode="after")
    def _known_tiers(self) -> SlackLimits:
        for method, tier in self.methods.items():
            if tier not in self.tiers:
                raise ValueError(f"methods.{method}: tier {tier!r} is not one of {sorted(self.tiers)}")
        if any(rate < 0 for rate in self.tiers.values()):
            raise ValueError("tiers: a rate cannot be negative")
        return self

    def interval(self, method: str) -> float:
        """Seconds between two calls of `method` (0 when its tier is unpaced or the method is not listed)."""
        rate = self.tiers.get(self.methods.get(method, ""), 0)
        return 60.0 / rate if rate > 0 else 0.0


def load_limits(path: Path | None = None) -> SlackLimits:
    """The bundled limits, or a team's file in their place; a bad file is a ConfigError at its line."""
    from pipeline.datafiles import bundled, load_yaml_model

    return load_yaml_model(path or bundled("slack.yaml"), SlackLimits)


@dataclass
class Pacer:
    """Waits before a call until its method's interval has passed since that method's previous call."""

    limits: SlackLimits
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    waited: float = 0.0
    _last: dict[str, float] = field(default_factory=dict)

    def wait(self, method: str) -> None:
        interval = self.limits.interval(method)
        if interval and method in self._last:
            delay = self._last[method] + interval - self.clock()
            if delay > 0:
                self.sleep(delay)
                self.waited += delay
        self._last[method] = self.clock()
