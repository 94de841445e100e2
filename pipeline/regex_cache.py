"""Compiled regular expressions kept between runs, because `postmortem check` starts by compiling ~450.

Python parses and compiles an expression in pure Python (`re._parser`, `re._compiler`) and keeps
nothing between processes: the rules, signals and roster expressions cost about 0.1 s at every start,
a fifth of the check's start-up. `compile` keeps each expression's program (the list of opcodes, plain ints, that
`_sre.compile` takes) in one file in the library home, keyed by the interpreter's version and `_sre`'s
magic number, and builds the Pattern from it directly. A program's opcodes are kept as the bytes of an
array of 32-bit codes, not as a list of ints: marshal then reads the file with a copy instead of making
each of its ~160,000 int objects (7 ms -> 1 ms at every start). The result is the same Pattern `re.compile`
returns (`==` compares the programs; tests/test_regex_cache.py checks it). `_sre` validates a program
before accepting it, and anything unexpected falls back to `re.compile`, so a stale, foreign or broken
cache file costs time, never a different match.
"""

from __future__ import annotations

import atexit
import marshal
import re
import sys
from array import array
from pathlib import Path
from typing import Any

try:
    import _sre
    from re import _compiler, _parser
except ImportError:  # another implementation of Python: no program to keep
    _sre = None

_MAX_ENTRIES = 4000  # past this, a save keeps only the expressions this run used (team rule edits pile up)
_Program = tuple[int, bytes, int, dict[str, int], tuple[str | None, ...]]  # the opcodes as _CODE bytes
_CODE = "I"  # the array type the opcodes are kept in: each fits an unsigned int (`_sre` codes are 32 bits)

_programs: dict[tuple[str, int], _Program] | None = None
_used: set[tuple[str, int]] = set()
_unsaved = False


def compile(source: str, flags: int = 0) -> re.Pattern[str]:  # noqa: A001 (the name re users expect)
    """`re.compile(source, flags)` for a str pattern, from the kept program when there is one."""
    if _sre is None:
        return re.compile(source, flags)
    flags = int(flags)  # a RegexFlag is an int subclass that marshal cannot store
    programs = _load()
    key = (source, flags)
    _used.add(key)
    program = programs.get(key)
    if program is not None:
        try:
            return _build(source, program)
        except Exception:  # noqa: BLE001 (a program this interpreter refuses: compile afresh below)
            pass
    try:
        program = _program(source, flags)
        pattern = _build(source, program)
    except re.error:
        raise
    except Exception:  # noqa: BLE001 (re's internals changed shape: the public path still works)
        return re.compile(source, flags)
    _remember(key, program)
    return pattern


def _build(source: str, program: _Program) -> re.Pattern[str]:
    flags, code, groups, groupindex, indexgroup = program
    return _sre.compile(source, flags, array(_CODE, code).tolist(), groups, groupindex, indexgroup)


def _program(source: str, flags: int) -> _Program:
    """What `re._compiler.compile` hands to `_sre.compile` (the same steps, Python 3.11 to 3.13)."""
    parsed = _parser.parse(source, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (
        int(flags | parsed.state.flags),
        array(_CODE, [int(op) for op in code]).tobytes(),
        parsed.state.groups - 1,
        groupindex,
        tuple(indexgroup),
    )


def cache_path() -> Path:
    """One file per interpreter build and regex engine version, in the library home's cache folder."""
    from pipeline.home import library_home

    tag = f"{sys.implementation.cache_tag}-{sys.version_info.micro}-{getattr(_sre, 'MAGIC', 0)}-{_CODE}"
    return library_home() / "cache" / f"regex-{tag}.marshal"


def _load() -> dict[tuple[str, int], _Program]:
    global _programs
    if _programs is None:
        _programs = {}
        try:
            loaded: Any = marshal.loads(cache_path().read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            loaded = None
        if isinstance(loaded, dict):
            _programs = loaded
    return _programs


def _remember(key: tuple[str, int], program: _Program) -> None:
    global _unsaved
    _load()[key] = program
    if not _unsaved:
        _unsaved = True
        atexit.register(save)


def save() -> None:
    """Write the programs (at exit, when a run compiled something new); a folder we cannot write is fine."""
    global _unsaved
    if not _unsaved or _programs is None:
        return
    _unsaved = False
    programs = _programs
    if len(programs) > _MAX_ENTRIES:
        programs = {key: value for key, value in programs.items() if key in _used}
    from pipeline.output import write_cache_file

    try:
        data = marshal.dumps(programs)
    except ValueError:
        return
    write_cache_file(cache_path(), data)
