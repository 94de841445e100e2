"""Find secrets in text and replace each with `[REDACTED:<kind>]`: Yelp's detect-secrets plus our patterns.

detect-secrets knows the token formats (AWS, GitHub, GitLab, Slack, Stripe, npm, JWT, Twilio, SendGrid,
Azure, private keys...) and finds keyword assignments and high-entropy strings; `pipeline/data/redaction.yaml`
chooses its plugins and adds only what it misses (passwords containing "@" in connection strings,
`*_PASSWORD=`, `aws configure` output, Authorization headers). detect-secrets costs about 0.2 ms a line
and 0.15 s to import, so a line first passes a cheap candidate test (`candidate` in the yaml) and the
library is imported only when some line needs it. Line count is preserved: a multi-line key block keeps
its newlines after the placeholder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import regex_cache

if TYPE_CHECKING:
    from pipeline.datafiles import RedactionFile

# Characters a token is made of: a value the library reports (sometimes only its prefix, e.g. "ghp") is
# widened to the whole token around it before it is replaced.
_TOKEN_CHAR = re.compile(r"[A-Za-z0-9+/=_~.-]")
_LABEL = re.compile(r"^[A-Za-z_][\w.-]*[:=]")  # "AccountKey=" kept in front of the placeholder


@dataclass(frozen=True)
class SecretPattern:
    kind: str
    regex: re.Pattern[str]


@dataclass(frozen=True)
class Rules:
    candidate_words: re.Pattern[str]
    candidate_shape: re.Pattern[str]
    patterns: tuple[SecretPattern, ...]
    citable: tuple[re.Pattern[str], ...]
    plugins: tuple[dict[str, Any], ...]


@lru_cache(maxsize=4)
def load_redaction_data(extra: tuple[Path, ...]) -> tuple[RedactionFile, RedactionFile]:
    """(the bundled patterns with the team's appended, the team's alone); `extra` is postmortem.toml's
    `[redaction] patterns` (pipeline.settings.data_files)."""
    from pipeline.datafiles import load_redaction

    return load_redaction(extra)


def rules() -> Rules:
    from pipeline.settings import data_files

    return _rules(data_files().redaction)


@lru_cache(maxsize=4)
def _rules(extra: tuple[Path, ...]) -> Rules:
    data, team = load_redaction_data(extra)
    # A team pattern must never be skipped by the prefilter: a line it matches is a candidate too.
    shape = "|".join([data.candidate.shape] + [f"(?:{item.pattern})" for item in team.secrets])
    # regex_cache: compiling these ~25 expressions anew cost every `postmortem check` with a finding ~20 ms
    return Rules(
        candidate_words=regex_cache.compile(data.candidate.words),
        candidate_shape=regex_cache.compile(shape),
        patterns=tuple(SecretPattern(item.kind, regex_cache.compile(item.pattern)) for item in data.secrets),
        citable=tuple(regex_cache.compile(pattern) for pattern in data.library.citable),
        plugins=tuple(plugin.model_dump(exclude_none=True) for plugin in data.library.plugins),
    )


def redact_secrets(text: str, *, use_library: bool = True, prefilter: bool = True, bundled_only: bool = False) -> str:
    """`text` with every secret found replaced by `[REDACTED:<kind>]`; same number of lines.

    `bundled_only` leaves out a team's patterns from postmortem.toml: the timeline lock hashes redacted
    text, and a lock must not break because a team added a pattern. `use_library=False` and
    `prefilter=False` exist for the benchmark and the prefilter's proof.
    """
    if not text.strip():
        return text  # nothing to find, and no reason to load the patterns (a clean `check` prints nothing)
    found_rules = _rules(()) if bundled_only else rules()
    if prefilter and not _is_candidate(text, found_rules):
        return text
    lines = text.split("\n")
    block = found_rules.patterns[0]  # the multi-line key block runs on the whole text
    if "PRIVATE KEY" in text:
        text = block.regex.sub(lambda match: _placeholder(match, block.kind, keep_lines=True), text)
        lines = text.split("\n")
    out = []
    for line in lines:
        if prefilter and not _is_candidate(line, found_rules):
            out.append(line)
            continue
        if use_library:
            line = _redact_with_library(line)
        for pattern in found_rules.patterns[1:]:
            line = pattern.regex.sub(lambda match, kind=pattern.kind: _placeholder(match, kind), line)
        out.append(line)
    return "\n".join(out)


def is_candidate(text: str) -> bool:
    """The cheap prefilter: could any detector here find a secret in `text`? (False: certainly not.)"""
    return _is_candidate(text, rules())


def _is_candidate(text: str, found_rules: Rules) -> bool:
    return bool(found_rules.candidate_words.search(text.lower()) or found_rules.candidate_shape.search(text))


def _placeholder(match: re.Match[str], kind: str, keep_lines: bool = False) -> str:
    if "value" in match.re.groupindex and match.group("value") is not None:
        start, end = match.span("value")
        whole = match.group(0)
        value = match.group("value")
        padding = "\n" * value.count("\n") if keep_lines else ""
        return whole[: start - match.start()] + f"[REDACTED:{kind}]" + padding + whole[end - match.start() :]
    return f"[REDACTED:{kind}]" + ("\n" * match.group(0).count("\n") if keep_lines else "")


def _redact_with_library(line: str) -> str:
    spans = [(*_widen(line, start, end), kind) for start, end, kind in _library_spans(line)]
    for start, end, kind in sorted(_merge(spans), reverse=True):
        line = line[:start] + f"[REDACTED:{kind}]" + line[end:]
    return line


def _library_spans(line: str) -> list[tuple[int, int, str]]:
    """Where in `line` each secret a plugin reports sits.

    detect-secrets reports values, not positions, and some values are short ("p" from a URL password) or
    only a prefix ("ghp"): a pattern plugin's own regexes give the exact place; a keyword or entropy
    value counts only where it stands as a whole token.
    """
    from detect_secrets.plugins.base import RegexBasedDetector
    from detect_secrets.util.code_snippet import get_code_snippet

    context = get_code_snippet(lines=[line], line_number=1)
    spans = []
    for plugin in _plugins():
        values = {
            secret.secret_value
            for secret in plugin.analyze_line(filename="chat.txt", line=line, line_number=1, context=context)
            if secret.secret_value
        }
        values = {value for value in values if "[REDACTED:" not in value}
        if not values:
            continue
        kind = _kind_name(plugin.secret_type)
        if isinstance(plugin, RegexBasedDetector):
            for regex in plugin.denylist:
                for match in regex.finditer(line):
                    group = 1 if match.re.groups else 0
                    if match.group(group) in values:
                        spans.append((*match.span(group), kind))
            continue
        for value in values - {value for value in values if _is_citable(value)}:
            start = line.find(value)
            while start != -1:
                end = start + len(value)
                if _whole_token(line, start, end):
                    spans.append((start, end, kind))
                start = line.find(value, end)
    return spans


def _whole_token(line: str, start: int, end: int) -> bool:
    return (start == 0 or not _TOKEN_CHAR.match(line[start - 1])) and (
        end == len(line) or not _TOKEN_CHAR.match(line[end])
    )


@lru_cache(maxsize=1)
def _plugins() -> tuple[Any, ...]:
    """The detect-secrets plugin instances the yaml names (imported on first use: 0.15 s)."""
    from detect_secrets.settings import get_plugins, transient_settings

    with transient_settings({"plugins_used": list(rules().plugins)}):
        return tuple(get_plugins())


def _is_citable(value: str) -> bool:
    bare = value.strip("'\"")
    return any(pattern.match(bare) for pattern in rules().citable)


def _widen(line: str, start: int, end: int) -> tuple[int, int]:
    """Grow [start, end) to the whole token; keep a leading `name=` label and a sentence's final dot."""
    while start > 0 and _TOKEN_CHAR.match(line[start - 1]):
        start -= 1
    while end < len(line) and _TOKEN_CHAR.match(line[end]):
        end += 1
    while end > start and line[end - 1] == ".":
        end -= 1
    label = _LABEL.match(line[start:end])
    if label and label.end() < end - start:
        start += label.end()
    return start, end


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(spans):
        if merged and start <= merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        else:
            merged.append((start, end, kind))
    return merged


def _kind_name(secret_type: str) -> str:
    """detect-secrets' "GitHub Token" -> "github-token"."""
    return re.sub(r"[^a-z0-9]+", "-", secret_type.lower()).strip("-")


def redact_json_text(content: str) -> tuple[str, list[str]]:
    """A model's reply with secrets replaced inside each JSON string (so the JSON stays valid), and the kinds found.

    A reply that is not JSON is redacted as plain text.
    """
    import json

    kinds: list[str] = []

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            redacted = redact_secrets(value)
            if redacted != value:
                kinds.extend(re.findall(r"\[REDACTED:([\w.-]+)\]", redacted))
            return redacted
        if isinstance(value, list):
            return [clean(item) for item in value]
        if isinstance(value, dict):
            return {key: clean(item) for key, item in value.items()}
        return value

    try:
        data = json.loads(content)
    except ValueError:
        return clean(content), kinds
    cleaned = clean(data)
    indent = 2 if "\n" in content.strip() else None  # a pretty-printed file stays pretty-printed
    return (json.dumps(cleaned, ensure_ascii=False, indent=indent) if kinds else content), kinds
