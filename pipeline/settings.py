"""postmortem.toml: the team's settings file (./postmortem.toml, else postmortem.toml in the library home).

Besides `[llm]` (read by pipeline.llm), it can point at the team's own data files, added on top of the
bundled ones the way Vale adds styles:

    [blameless]
    rules = ["team-rules.yaml"]        # more blameless rules, same format as the bundled rules.yaml
    allow = ["root cause analysis"]    # phrases the check never reports a match inside
    [signals]
    file = "team-signals.yaml"         # keys here replace or extend pipeline/data/signals.yaml
    [redaction]
    patterns = ["team-redaction.yaml"] # more patterns, appended to pipeline/data/redaction.yaml

Paths are relative to the postmortem.toml that names them. A missing file or an unknown key is a
ConfigError naming postmortem.toml and the line.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError
from pipeline.home import HOME_VARIABLE, library_home

CONFIG_FILE = "postmortem.toml"
# section -> the one key it takes (a path or a list of paths)
DATA_FILE_KEYS = {"blameless": "rules", "signals": "file", "redaction": "patterns"}
# section -> its keys that are settings rather than data files (read by their own functions below)
SETTING_KEYS = {"blameless": ("allow",)}


def config_path(environ: Mapping[str, str] | None = None) -> Path | None:
    """The settings file in effect: ./postmortem.toml, else the library home's postmortem.toml, else none."""
    env = os.environ if environ is None else environ
    home = Path(env[HOME_VARIABLE]).expanduser() if env.get(HOME_VARIABLE) else library_home()
    for candidate in (Path.cwd() / CONFIG_FILE, home / CONFIG_FILE):
        if candidate.is_file():
            return candidate
    return None


def read_config(path: Path) -> dict[str, Any]:
    """The file's tables; unreadable or invalid TOML is a ConfigError (with the line when TOML says it)."""
    try:
        return _parsed(path.resolve(), path.stat().st_mtime_ns)[0]
    except OSError as exc:
        raise ConfigError(path, f"cannot read config: {exc.strerror or exc}") from exc


@lru_cache(maxsize=8)
def _parsed(path: Path, mtime_ns: int) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(path, "cannot read config: not UTF-8 text") from exc
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise ConfigError(path, f"invalid TOML: {exc}", line=int(line.group(1)) if line else None) from exc


def key_line(path: Path, section: str, key: str | None = None) -> int | None:
    """Line of `[section]` (or of `key = ...` inside it): TOML parsers do not keep positions."""
    try:
        lines = _parsed(path.resolve(), path.stat().st_mtime_ns)[1].splitlines()
    except (OSError, ConfigError):
        return None
    header = re.compile(rf"^\s*\[\s*{re.escape(section)}\s*\]")
    start = next((number for number, line in enumerate(lines, 1) if header.match(line)), None)
    if start is None or key is None:
        return start
    for number, line in enumerate(lines[start:], start + 1):
        if line.lstrip().startswith("["):
            break
        if re.match(rf"^\s*{re.escape(key)}\s*=", line):
            return number
    return start


@dataclass(frozen=True)
class DataFiles:
    """The team's own data files named in postmortem.toml, as absolute paths (empty when none)."""

    rules: tuple[Path, ...] = ()
    signals: tuple[Path, ...] = ()
    redaction: tuple[Path, ...] = ()


def data_files(path: Path | None = None) -> DataFiles:
    """What [blameless] rules, [signals] file and [redaction] patterns point at; checked to exist."""
    path = path or config_path()
    if path is None:
        return DataFiles()
    config = read_config(path)
    found: dict[str, tuple[Path, ...]] = {}
    for section, key in DATA_FILE_KEYS.items():
        table = config.get(section, {})
        if not isinstance(table, dict):
            raise ConfigError(path, f"[{section}] must be a table", line=key_line(path, section))
        known = (key, *SETTING_KEYS.get(section, ()))
        unknown = sorted(set(table) - set(known))
        if unknown:
            keys = " or ".join(repr(name) for name in known)
            raise ConfigError(
                path,
                f"[{section}] unknown key {unknown[0]!r}; the key{'s are' if len(known) > 1 else ' is'} {keys}",
                line=key_line(path, section, unknown[0]),
            )
        value = table.get(key, [])
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not all(isinstance(name, str) and name for name in names):
            raise ConfigError(
                path,
                f"[{section}] {key} must be a file name or a list of file names",
                line=key_line(path, section, key),
            )
        files = tuple((path.parent / name).resolve() for name in names)
        for name, file in zip(names, files):
            if not file.is_file():
                raise ConfigError(
                    path,
                    f"[{section}] {key}: {name} not found (paths are relative to {path.name})",
                    line=key_line(path, section, key),
                )
        found[{"blameless": "rules"}.get(section, section)] = files
    return DataFiles(**found)


# ---------------------------------------------------------------- export actions to a tracker

PEOPLE_KEYS = ("github", "jira")
EXPORT_KEYS = {
    "export": ("postmortem_url",),
    "export.github": ("repo", "api_url", "token_file"),
    "export.jira": ("url", "project", "issue_type", "email", "token_file"),
}


@dataclass(frozen=True)
class ExportSettings:
    """What `postmortem export actions` reads from postmortem.toml:

        [people."Rosa Lima"]
        github = "rosa"                 # GitHub login
        jira = "5b10ac8d82e05b22cc7d4ef5"  # Jira Cloud accountId
        [export]
        postmortem_url = "https://wiki.example.com/postmortems/{date}"  # link in every issue (optional)
        [export.github]
        repo = "acme/checkout"           # api_url = "https://api.github.com", token_file = "..."
        [export.jira]
        url = "https://acme.atlassian.net"
        project = "OPS"                  # issue_type = "Task", email = "...", token_file = "..."

    Tokens are never settings: they come from the environment or the file `token_file` names.
    """

    people: dict[str, dict[str, str]]
    sections: dict[str, dict[str, str]]
    path: Path | None = None

    def value(self, section: str, key: str) -> str | None:
        return self.sections.get(section, {}).get(key)

    def file(self, section: str, key: str) -> Path | None:
        """A path setting, relative to the postmortem.toml that names it."""
        name = self.value(section, key)
        if name is None:
            return None
        file = Path(name).expanduser()
        return file if file.is_absolute() or self.path is None else (self.path.parent / file)


def export_settings(path: Path | None = None) -> ExportSettings:
    """[people] and [export*] from postmortem.toml, checked: unknown keys and non-text values are ConfigErrors."""
    path = path or config_path()
    if path is None:
        return ExportSettings(people={}, sections={})
    config = read_config(path)
    people_table = config.get("people", {})
    if not isinstance(people_table, dict):
        raise ConfigError(path, "[people] must hold one table per person", line=key_line(path, "people"))
    people: dict[str, dict[str, str]] = {}
    for name, accounts in people_table.items():
        section = f'people."{name}"'
        people[name] = _text_table(path, section, accounts, PEOPLE_KEYS, where=key_line(path, section))
    export = config.get("export", {})
    if not isinstance(export, dict):
        raise ConfigError(path, "[export] must be a table", line=key_line(path, "export"))
    sections = {
        "export": _text_table(
            path, "export", {k: v for k, v in export.items() if k not in ("github", "jira")}, EXPORT_KEYS["export"]
        )
    }
    for tracker in ("github", "jira"):
        sections[f"export.{tracker}"] = _text_table(
            path, f"export.{tracker}", export.get(tracker, {}), EXPORT_KEYS[f"export.{tracker}"]
        )
    return ExportSettings(people=people, sections=sections, path=path)


def _text_table(
    path: Path, section: str, table: object, keys: tuple[str, ...], where: int | None = None
) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ConfigError(path, f"[{section}] must be a table", line=where or key_line(path, section))
    for key, value in table.items():
        if key not in keys:
            raise ConfigError(
                path,
                f"[{section}] unknown key {key!r}; known keys: {', '.join(keys)}",
                line=key_line(path, section, key),
            )
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(path, f"[{section}] {key} must be non-empty text", line=key_line(path, section, key))
    return {key: value.strip() for key, value in table.items()}


def allowed_phrases(path: Path | None = None) -> tuple[str, ...]:
    """`[blameless] allow`: phrases (e.g. "root cause analysis") the blameless check never reports a match
    inside. A team's vocabulary is settled once here instead of in a comment on every line."""
    path = path or config_path()
    if path is None:
        return ()
    table = read_config(path).get("blameless", {})
    if not isinstance(table, dict):
        raise ConfigError(path, "[blameless] must be a table", line=key_line(path, "blameless"))
    value = table.get("allow", [])
    if not isinstance(value, list) or not all(isinstance(phrase, str) and phrase.strip() for phrase in value):
        raise ConfigError(
            path,
            '[blameless] allow must be a list of phrases, e.g. allow = ["root cause analysis"]',
            line=key_line(path, "blameless", "allow"),
        )
    return tuple(" ".join(phrase.split()) for phrase in value)
