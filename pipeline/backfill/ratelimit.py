"""A client-side limiter for requests and tokens per minute, shared by every concurrent backfill worker.

Requests are spaced evenly, 1% more than 60/rpm seconds apart, rather than allowed in bursts, so a server
that counts over any sliding minute never sees more than `rpm` even when a request reaches it a few
hundred milliseconds late (at exactly 60/rpm, request rpm+1 left one minute after the first and was
refused once per benchmark run); tokens are a bucket refilled continuously at
`tpm`/60 per second. Every HTTP attempt, retries included, passes through `acquire`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

SPACING_MARGIN = 1.01


class RateLimiter:
    def __init__(
        self,
        rpm: float | None = None,
        tpm: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rpm is not None and rpm <= 0 or tpm is not None and tpm <= 0:
            raise ValueError("--rpm and --tpm must be positive")
        self.interval = 60.0 / rpm * SPACING_MARGIN if rpm else 0.0
        self.tpm = tpm
        self.clock = clock
        self.sleep = sleep
        self._next_slot = 0.0
        self._tokens = float(tpm or 0)
        self._refilled = clock()
        self._lock = asyncio.Lock()

    async def acquire(self, tokens: int = 0) -> None:
        """Wait until one more request of about `tokens` tokens fits both limits."""
        async with self._lock:
            now = self.clock()
            wait = max(0.0, self._next_slot - now)
            if self.tpm:
                self._tokens = min(self.tpm, self._tokens + (now - self._refilled) * self.tpm / 60.0)
                self._refilled = now
                needed = min(float(tokens), self.tpm)  # a request bigger than a minute's budget waits a full minute
                if self._tokens < needed:
                    wait = max(wait, (needed - self._tokens) * 60.0 / self.tpm)
            if wait:
                await self.sleep(wait)
            now = self.clock()
            if self.tpm:
                self._tokens = min(self.tpm, self._tokens + (now - self._refilled) * self.tpm / 60.0) - min(
                    float(tokens), self.tpm
                )
                self._refilled = now
            self._next_slot = max(now, self._next_slot) + self.interval
