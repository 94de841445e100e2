"""Run a function in a forked child while this process goes on: a long check uses a second core this way.

Only where the system can fork and has a second core; elsewhere the function simply runs at once. The result
comes back pickled through a pipe. A child that fails sends nothing, and the function then runs here, so its
error (or its result) is the one a plain call gives.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    """A second core, fork, and no other thread (a child forked beside a thread may inherit a lock it holds)."""
    import threading

    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and threading.active_count() == 1


def in_background(function: Callable[..., T], *args: object) -> Callable[[], T]:
    """Start `function(*args)`; the returned callable waits for and returns its result."""
    if not can_fork():
        value = function(*args)
        return lambda: value
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's coverage is not collected
        try:
            os.close(read_end)
            data = pickle.dumps(function(*args), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
        finally:
            os._exit(0)
    os.close(write_end)

    def result() -> T:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        os.waitpid(child, 0)
        return pickle.loads(data) if data else function(*args)

    return result
