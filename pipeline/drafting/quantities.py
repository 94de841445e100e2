"""Numbers and times as tokens (value + unit), so the verifier compares quantities, not substrings.

"9%" is the percentage 9, not a piece of "91%"; "09:12:00 UTC" is one clock with seconds, not "12:00 UTC";
"within 2 minutes" is a duration of 120 s, unrelated to "20%". Identifiers that contain digits (deploy
#847, v42, SEV-1, T3, dns-01, x509, 5xx, p99) are not quantities and are skipped. The unit words are data
(`pipeline/data/verifier.yaml`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any, Literal

import yaml

from pipeline.package_data import package_path

CONTRACT_FILE = package_path("data", "verifier.yaml")
Kind = Literal["clock", "date", "duration", "percent", "number"]
DAY = 86400


@dataclass(frozen=True)
class Quantity:
    """One reading of a token. `value` is seconds since midnight (clock, UTC when `utc`), seconds (duration),
    the number itself (percent, number) or the proleptic ordinal (date); `resolution` is the step the text
    states it in (a clock without seconds: 60; "4.5 minutes": 6 s), in the same unit as `value`."""

    kind: Kind
    value: Fraction
    resolution: Fraction = Fraction(1)
    utc: bool = False


# "25:00" is not a time of day: a claim that writes one is supported by nothing.
NO_SUCH_CLOCK = Quantity("clock", Fraction(-1))


@dataclass(frozen=True)
class Token:
    """A quantity as written, with every reading the text allows ("30s": 30 seconds, or the count 30)."""

    text: str
    readings: tuple[Quantity, ...]

    @property
    def kind(self) -> Kind:
        return self.readings[0].kind


@lru_cache(maxsize=1)
def contract() -> dict[str, Any]:
    """verifier.yaml: unit vocabulary and the rule sentences the prompt states."""
    return yaml.safe_load(CONTRACT_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _duration_units() -> dict[str, Fraction]:
    units: dict[str, Fraction] = {}
    for seconds, names in contract()["units"]["duration"].items():
        for name in names:
            units[name.lower()] = Fraction(str(seconds))
    return units


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _scanner() -> re.Pattern[str]:
    units = contract()["units"]
    duration_unit = _alternation(list(_duration_units()))
    percent = _alternation(units["percent"])
    utc = _alternation(units["utc"])
    magnitude = _alternation(list(units["magnitude"]))
    number = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    part = rf"(?:{number})[\s-]?(?:{duration_unit})(?![a-z%])"  # "5 s", "5s", "a 5-second TTL"
    return re.compile(
        rf"""
        (?P<date>(?<![\w.:/])\d{{4}}-\d{{2}}-\d{{2}})(?:[T\s](?=\d{{1,2}}:\d{{2}}))?
        | (?P<clock>(?:(?<![\w.:])|(?<=\dT))\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?:\.\d+)?(?![\d:]))
          (?:\s?(?P<ampm>[ap]\.?m\.?)(?![a-z]))?
          (?:\s?(?P<zone>(?:{utc})(?![a-z])|[+-]\d{{2}}:?\d{{2}}(?!\d)))?
        | (?P<duration>(?<![\w.:]){part}(?:\s(?:and\s)?{part})*)
        | (?P<percent>(?<![\w.:])(?:{number})\s?(?:{percent})(?![a-z]))
        | (?P<version>\d+(?:\.\d+){{2,}})
        | (?P<number>(?<![\w.])(?:{number})(?P<magnitude>{magnitude})?(?![\w:]|\.\d))
        | (?P<identifier>[A-Za-z_#@$][\w#@$.-]*\d[\w.-]*|\d[\w.]*[A-Za-z_][\w-]*)
        """,
        re.VERBOSE | re.IGNORECASE,
    )


def tokens(text: str) -> list[Token]:
    """Every quantity in `text`, left to right; identifiers and evidence IDs are skipped."""
    found: list[Token] = []
    for match in _scanner().finditer(text):
        if match["date"]:
            found.append(Token(match["date"], (_date(match["date"]),)))
        elif match["clock"]:
            reading = _clock(match["clock"], match["ampm"], match["zone"])
            found.append(Token(match.group(0).strip(), (reading or NO_SUCH_CLOCK,)))
        elif match["duration"]:
            found += _duration_tokens(match["duration"])
        elif match["percent"]:
            digits = re.match(r"[\d,.]+", match["percent"]).group(0)
            found.append(Token(match["percent"], (Quantity("percent", _number(digits), _step(digits)),)))
        elif match["number"]:
            digits = match.group("number")[: len(match.group("number")) - len(match["magnitude"] or "")]
            scale = Fraction(contract()["units"]["magnitude"].get(match["magnitude"] or "", 1))
            found.append(Token(match["number"], (Quantity("number", _number(digits) * scale, _step(digits) * scale),)))
    return found


def _number(digits: str) -> Fraction:
    return Fraction(digits.replace(",", ""))


def _step(digits: str) -> Fraction:
    """The resolution a number is written with: 1 for "23", 1/10 for "4.5"."""
    decimals = digits.split(".")[1] if "." in digits else ""
    return Fraction(1, 10 ** len(decimals))


def _date(text: str) -> Quantity:
    from datetime import date

    return Quantity("date", Fraction(date.fromisoformat(text).toordinal()))


def _clock(text: str, ampm: str | None, zone: str | None) -> Quantity | None:
    parts = [int(float(p)) for p in text.split(":")]
    hours, minutes, seconds = parts[0], parts[1], parts[2] if len(parts) > 2 else 0
    if ampm:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if ampm.lower().startswith("p") else 0)
    if hours > 23 or minutes > 59 or seconds > 59:
        return None
    value = hours * 3600 + minutes * 60 + seconds
    utc = False
    if zone:
        utc = True
        offset = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", zone)
        if offset:
            sign = 1 if offset[1] == "+" else -1
            value = (value - sign * (int(offset[2]) * 3600 + int(offset[3]) * 60)) % DAY
    return Quantity("clock", Fraction(value), Fraction(1 if len(parts) > 2 else 60), utc)


def _duration_tokens(text: str) -> list[Token]:
    """ "1h 5m", "90 seconds", "4.5 minutes": one duration in seconds per run of parts with falling units
    ("1h 5m" is 65 minutes; "30s 30s" is two durations), at the resolution of the run's last part."""
    units = _duration_units()
    runs: list[list[tuple[str, str, str]]] = []
    for part in re.finditer(r"(\d[\d,]*(?:\.\d+)?)[\s-]?([a-z]+)", text, re.IGNORECASE):
        digits, unit = part.group(1), part.group(2)
        if runs and units[runs[-1][-1][1].lower()] > units[unit.lower()]:
            runs[-1].append((digits, unit, part.group(0)))
        else:
            runs.append([(digits, unit, part.group(0))])
    found = []
    for run in runs:
        total = sum((_number(digits) * units[unit.lower()] for digits, unit, _ in run), Fraction(0))
        digits, unit, written = run[-1]
        readings = [Quantity("duration", total, _step(digits) * units[unit.lower()])]
        if len(run) == 1 and re.fullmatch(r"\d[\d,]*s", written):  # "500s" is HTTP 500s as often as seconds
            readings.append(Quantity("number", _number(digits)))
        found.append(Token(" ".join(written for _, _, written in run), tuple(readings)))
    return found


# ---------------------------------------------------------------- the duration rule


def visible_minutes(start_seconds: int, end_seconds: int) -> int:
    """The difference a reader computes from HH:MM alone (seconds dropped from both times)."""
    return abs(end_seconds // 60 - start_seconds // 60)


def duration_supported(stated: Quantity, start_seconds: int, end_seconds: int) -> bool:
    """The duration rule: a stated duration is accepted when rounding some value between the second-exact
    difference of two times and their HH:MM difference (what the model sees) gives the stated figure.

    `stated` is N units at the resolution it is written in (integers: half a unit either way, "4.5
    minutes": 3 s either way). 09:47:30 -> 09:52:00 is 4.5 minutes exactly and 5 from HH:MM, so "4
    minutes", "4.5 minutes", "5 minutes" and "270 seconds" pass; "6 minutes" and "3 minutes" do not.
    """
    exact = Fraction(abs(end_seconds - start_seconds))
    visible = Fraction(visible_minutes(start_seconds, end_seconds) * 60)
    low, high = min(exact, visible), max(exact, visible)
    half = stated.resolution / 2
    return low - half <= stated.value <= high + half
