"""The check's configuration: `--config FILE`, `.postmortem-blameless.yaml`, or pyproject's
`[tool.postmortem.blameless]`. Unknown keys and unknown rule ids are ConfigErrors naming the file and line.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from pipeline.blameless.people import toml_error_line
from pipeline.datafiles import compose, parse_yaml
from pipeline.errors import ConfigError
from pipeline.models import Level, Strict

DEFAULT_FILE = ".postmortem-blameless.yaml"
LevelOrOff = Literal["suggestion", "warning", "error", "off"]


class BlamelessConfig(Strict):
    """What a team can tune without touching rules.yaml."""

    allow: list[str] = Field(default_factory=list, description="Rule ids or slugs never reported.")
    deny: list[str] = Field(default_factory=list, description="When set, only these rules are reported.")
    levels: dict[str, LevelOrOff] = Field(default_factory=dict, description="Per-rule level, or off.")
    people: list[str] = Field(default_factory=list, description="Names to treat as persons.")
    accept: list[str] = Field(default_factory=list, description="Terms never flagged (matched case-insensitively).")
    first_names: bool = Field(default=True, description="Treat common first names as persons.")
    skip_quotes: bool = Field(default=True, description='Skip quoted text (meta-mentions like "human error").')
    skip_blockquotes: bool = Field(default=True, description="Skip > blockquotes (quoted chat is not the author's).")
    min_level: Level = Field(default=Level.suggestion, description="Drop findings below this level.")

    def rule_level(self, rule_id: str, slug: str) -> LevelOrOff | None:
        """The configured level for a rule (by id or slug), or None when not configured."""
        if self._listed(self.allow, rule_id, slug) or (self.deny and not self._listed(self.deny, rule_id, slug)):
            return "off"
        return self.levels.get(rule_id) or self.levels.get(slug) or self.levels.get(rule_id.lower())

    @staticmethod
    def _listed(names: list[str], rule_id: str, slug: str) -> bool:
        lowered = {name.lower() for name in names}
        return rule_id.lower() in lowered or slug in lowered


def load_config(
    path: Path | None = None, *, cwd: Path | None = None, known_rules: set[str] | None = None
) -> BlamelessConfig:
    """Explicit file, else .postmortem-blameless.yaml, else pyproject.toml's section, else defaults."""
    cwd = cwd or Path.cwd()
    if path is None:
        if (cwd / DEFAULT_FILE).is_file():
            path = cwd / DEFAULT_FILE
        elif (cwd / "pyproject.toml").is_file():
            data = _read_toml(cwd / "pyproject.toml")
            section = data.get("tool", {}).get("postmortem", {}).get("blameless")
            return _validate(section, cwd / "pyproject.toml", None, known_rules) if section else BlamelessConfig()
        else:
            return BlamelessConfig()
    if not path.is_file():
        raise ConfigError(path, "config file not found")
    if path.suffix == ".toml":
        data = _read_toml(path)
        section = data.get("tool", {}).get("postmortem", {}).get("blameless", data)
        return _validate(section, path, None, known_rules)
    text = path.read_text(encoding="utf-8")
    return _validate(parse_yaml(text, path) or {}, path, text, known_rules)


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"not valid TOML: {exc}", line=toml_error_line(exc)) from exc


def _key_line(text: str | None, key: str) -> int | None:
    """The line of a top-level key of YAML `text` (parsed again only for an error); None for TOML."""
    import yaml

    root = compose(text) if text is not None else None
    if isinstance(root, yaml.MappingNode):
        for k, _ in root.value:
            if k.value == key:
                return k.start_mark.line + 1
    return None


def _validate(data: object, path: Path, text: str | None, known_rules: set[str] | None) -> BlamelessConfig:
    if not isinstance(data, dict):
        raise ConfigError(path, "expected a mapping of settings")
    try:
        config = BlamelessConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = str(first["loc"][0]) if first["loc"] else ""
        reason = f"unknown key {key!r}" if first["type"] == "extra_forbidden" else f"{key}: {first['msg']}"
        raise ConfigError(path, reason, line=_key_line(text, key)) from exc
    if known_rules is not None:
        for key in ("allow", "deny", "levels"):
            for name in getattr(config, key):
                if name.lower() not in known_rules:
                    raise ConfigError(path, f"{key}: unknown rule {name!r}", line=_key_line(text, key))
    return config
