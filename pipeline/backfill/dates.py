"""Dates the way people write them in incident notes, each with its precision.

ISO (`2022-03-09`, `2022-03-09T22:40:00Z`), `2022/03/09`, day-first `24-10-2024` and `24.10.2024`, slashed
`03/04/2021` (day or month first: settled by the other dates of the same note, else reported as
ambiguous), `3 March 2022`, `March 3rd, 2022`, a month alone (`2022-03`, `March 2022`, `2021 12` in a
title) and a quarter (`Q2 2023`). A day is written `YYYY-MM-DD`, a month `YYYY-MM`, a quarter `YYYY-Qn`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

Precision = Literal["day", "month", "quarter"]

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_URL = re.compile(r"\b(?:https?://|www\.)\S+|(?<![\w.-])[\w.-]+\.(?:com|org|io|net|dev)/\S*")

# (pattern, kind); kinds: ymd, month_name_day, day_month_name, dmy (day first, - or .), slash (ambiguous
# order), ym (a month), month_name_year (a month), quarter, year_space_month (a month; titles only).
_ORDINAL = r"(?:st|nd|rd|th)?"
_UNTIL = r"\s*(?:-|\u2013|\u2014|to|and|until|through|thru)\s*"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?<![\d.])" + _YEAR + r"[-/.](?P<mnum>\d{1,2})[-/.](?P<day>\d{1,2})(?![\d])"), "ymd"),
    (  # a range gives its first day: "November 11 and November 15, 2025", "May 30 - June 2, 2022"
        re.compile(
            r"\b"
            + _MONTH
            + r"\s+(?P<day>\d{1,2})"
            + _ORDINAL
            + _UNTIL
            + r"(?:"
            + _MONTH.replace("month", "month2")
            + r"\s+)?\d{1,2}"
            + _ORDINAL
            + r",?\s+"
            + _YEAR
            + r"\b",
            re.IGNORECASE,
        ),
        "month_name_day",
    ),
    (  # "11-15 November 2025", "30 May to 2 June 2022"
        re.compile(
            r"(?<![\d.:/-])(?P<day>\d{1,2})"
            + _ORDINAL
            + r"(?:\s+(?:of\s+)?"
            + _MONTH.replace("month", "month_first")
            + r")?"
            + _UNTIL
            + r"\d{1,2}"
            + _ORDINAL
            + r"\s+(?:of\s+)?"
            + _MONTH
            + r",?\s+"
            + _YEAR
            + r"\b",
            re.IGNORECASE,
        ),
        "day_month_name",
    ),
    (
        re.compile(r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+" + _YEAR + r"\b", re.IGNORECASE),
        "month_name_day",
    ),
    (
        re.compile(
            r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+" + _YEAR + r"\b", re.IGNORECASE
        ),
        "day_month_name",
    ),
    (re.compile(r"(?<![\d.:/-])(?P<day>\d{1,2})[-.](?P<mnum>\d{1,2})[-.]" + _YEAR + r"(?![\d])"), "dmy"),
    (  # "12-Nov-2022", "12/Nov/2022": logs and Oracle-style exports
        re.compile(r"(?<![\d.:/-])(?P<day>\d{1,2})[-/]" + _MONTH + r"[-/]" + _YEAR + r"(?![\d])", re.IGNORECASE),
        "day_month_name",
    ),
    (re.compile(r"(?<![\d.])" + _YEAR + r"-" + _MONTH + r"-(?P<day>\d{1,2})(?![\d])", re.IGNORECASE), "month_name_day"),
    (re.compile(r"\b" + _MONTH + r"-(?P<day>\d{1,2})-" + _YEAR + r"(?![\d])", re.IGNORECASE), "month_name_day"),
    (re.compile(r"(?<![\d.:/-])(?P<mnum>\d{1,2})-(?P<day>1[3-9]|2\d|3[01])-" + _YEAR + r"(?![\d])"), "ymd"),
    (re.compile(r"(?<![\d/])(?P<first>\d{1,2})/(?P<second>\d{1,2})/(?P<year>(?:19|20)?\d{2})(?![\d/])"), "slash"),
    (re.compile(r"(?<![\d.:/-])(?P<first>\d{1,2})-(?P<second>\d{1,2})-(?P<year>\d{2})(?![\d-])"), "slash"),
    (re.compile(r"(?<![\d/.-])" + _YEAR + r"-(?P<mnum>0[1-9]|1[0-2])(?![\d]|-\d)"), "ym"),
    (re.compile(r"(?<![\d/.-])(?P<mnum>0?[1-9]|1[0-2])/" + _YEAR + r"(?![\d/])"), "ym"),  # "outage notes 11/2021"
    (  # "February and March 2026", "Sep-Oct 2021": the first month
        re.compile(
            r"\b" + _MONTH.replace("month", "month_first") + _UNTIL + _MONTH + r",?\s+" + _YEAR + r"\b", re.IGNORECASE
        ),
        "month_name_year",
    ),
    (re.compile(r"\b" + _MONTH + r",?\s+" + _YEAR + r"\b", re.IGNORECASE), "month_name_year"),
    (
        re.compile(
            r"\bQ(?P<quarter>[1-4])[\s/-]*"
            + _YEAR
            + r"\b|\b"
            + _YEAR.replace("year", "year2")
            + r"[\s/-]*Q(?P<quarter2>[1-4])\b",
            re.IGNORECASE,
        ),
        "quarter",
    ),
]
_YEAR_SPACE_MONTH = re.compile(r"(?<![\d-])" + _YEAR + r"\s+(?P<mnum>0?[1-9]|1[0-2])(?![\d:.])")


@dataclass(frozen=True)
class FoundDate:
    """One date written in a text: where it starts, its value, its precision, and whether its order is unsure."""

    start: int
    end: int
    value: str  # YYYY-MM-DD, YYYY-MM or YYYY-Qn
    precision: Precision
    ambiguous: tuple[str, str] | None = None  # (day first, month first) when both are valid days
    written: str = ""


def _day(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _full_year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def find_dates(text: str, *, in_title: bool = False) -> list[FoundDate]:
    """Every date in `text`, left to right, overlapping matches resolved by the earlier and more precise one."""
    return list(_find_dates(text, in_title))


@lru_cache(maxsize=8192)
def _find_dates(text: str, in_title: bool) -> tuple[FoundDate, ...]:
    """Cached: extraction asks about the same lines several times (the date, its settling, digest entries)."""
    text = _URL.sub(lambda m: " " * len(m.group(0)), text)
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    patterns = _PATTERNS + ([(_YEAR_SPACE_MONTH, "ym")] if in_title else [])
    for pattern, kind in patterns:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            result = _convert(match, kind)
            if result is not None:
                value, precision, ambiguous = result
                found.append(FoundDate(match.start(), match.end(), value, precision, ambiguous, match.group(0)))
                taken.append((match.start(), match.end()))
    return tuple(sorted(found, key=lambda item: item.start))


def _convert(match: re.Match[str], kind: str) -> tuple[str, Precision, tuple[str, str] | None] | None:
    parts = match.groupdict()
    if kind == "quarter":
        quarter = parts.get("quarter") or parts.get("quarter2")
        year = parts.get("year") or parts.get("year2")
        return f"{year}-Q{quarter}", "quarter", None
    year = _full_year(parts["year"])
    if kind in {"ym", "month_name_year"}:
        name = parts.get("month_first") or parts.get("month")
        month = int(parts["mnum"]) if parts.get("mnum") else MONTHS[name.lower().rstrip(".")]
        return f"{year:04d}-{month:02d}", "month", None
    if kind in {"month_name_day", "day_month_name"}:
        name = parts.get("month_first") or parts["month"]  # "30 May to 2 June 2022" begins in May
        value = _day(year, MONTHS[name.lower().rstrip(".")], int(parts["day"]))
    elif kind in {"ymd", "dmy"}:
        value = _day(year, int(parts["mnum"]), int(parts["day"]))
    else:  # slash: day or month first?
        first, second = int(parts["first"]), int(parts["second"])
        day_first, month_first = _day(year, second, first), _day(year, first, second)
        if day_first and month_first and day_first != month_first:
            return day_first, "day", (day_first, month_first)
        value = day_first or month_first
    return (value, "day", None) if value else None


_MONTH_DAY = re.compile(
    r"\b"
    + _MONTH
    + r"\s+(?P<day>\d{1,2})"
    + _ORDINAL
    + r"(?!\d|:\d)|(?<![\d.:/-])(?P<day2>\d{1,2})"
    + _ORDINAL
    + r"\s+(?:of\s+)?"
    + _MONTH.replace("month", "month2")
    + r"\b",
    re.IGNORECASE,
)


def first_day(text: str) -> str | None:
    """The first day written unambiguously in `text` (YYYY-MM-DD), or None."""
    return next((f.value for f in find_dates(text) if f.precision == "day" and not f.ambiguous), None)


def earlier(text: str, than: str) -> bool:
    """True when `text` writes a day before the first day `than` writes (a note's `Started:` below its
    `Reported:`): of several date fields, the incident began on the earliest."""
    day, other = first_day(text), first_day(than)
    return day is not None and other is not None and day < other


def find_yearless_days(text: str, year: int) -> list[FoundDate]:
    """Days written without a year (`Oct 3 at 09:11`, `3rd of March`) in the year the note's other dates give."""
    found = []
    for match in _MONTH_DAY.finditer(_URL.sub(lambda m: " " * len(m.group(0)), text)):
        name = match.group("month") or match.group("month2")
        value = _day(year, MONTHS[name.lower().rstrip(".")], int(match.group("day") or match.group("day2")))
        if value:
            found.append(FoundDate(match.start(), match.end(), value, "day", None, match.group(0)))
    return found


_WEEKDAY_SLASH_DAY = re.compile(
    r"\b(?P<weekday>(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?),?\s+(?P<first>\d{1,2})/(?P<second>\d{1,2})(?![/\d])",
    re.IGNORECASE,
)
_WEEKDAY_NAMED_DAY = re.compile(
    r"\b(?P<weekday>(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?),?\s+"
    r"(?P<rest>(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[A-Za-z]{3,9}\.?|[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?)"
    r"(?![\w,]*\s*,?\s*(?:19|20)\d{2})",
    re.IGNORECASE,
)
SENT_WINDOW_DAYS = 45  # a weekly or monthly mail reports days shortly before it was sent


def dated_from_sent(text: str, sent: date) -> str:
    """`Tue 11/07` in a mail sent on 10 Nov 2017 -> `Tue 2017-11-07`: a weekday's day written without a year is
    settled by the send date when exactly one reading (month or day first) falls in the weeks before it, or
    exactly one of those falls on the weekday written; otherwise it is left as written."""

    def settled(match: re.Match[str]) -> str:
        first, second = int(match.group("first")), int(match.group("second"))
        readings = set()
        for month, day in ((first, second), (second, first)):
            for year in (sent.year, sent.year - 1):
                value = _day(year, month, day)
                if value and 0 <= (sent - date.fromisoformat(value)).days <= SENT_WINDOW_DAYS:
                    readings.add(value)
        weekday = match.group("weekday")[:3].lower()
        named = {value for value in readings if date.fromisoformat(value).strftime("%a").lower() == weekday}
        readings = named or readings  # "Wed 11/10" sent on 12 Nov 2017: 11 Oct was the Wednesday
        if len(readings) != 1:
            return match.group(0)
        return f"{match.group('weekday')} {readings.pop()}"

    def named(match: re.Match[str]) -> str:
        """`Tuesday 14 September` (no year): the year that puts it in the weeks before the send date, on that weekday."""
        written = match.group(0)
        for year in (sent.year, sent.year - 1):
            for found in find_yearless_days(match.group("rest"), year)[:1]:
                day = date.fromisoformat(found.value)
                weekday_fits = day.strftime("%a").lower() == match.group("weekday")[:3].lower()
                if 0 <= (sent - day).days <= SENT_WINDOW_DAYS and weekday_fits and not find_dates(written):
                    return f"{match.group('weekday')} {found.value}"
        return written

    return _WEEKDAY_NAMED_DAY.sub(named, _WEEKDAY_SLASH_DAY.sub(settled, text))


def slash_order(texts: list[str]) -> Literal["day_first", "month_first"] | None:
    """The note's own convention for slashed dates: a 24/10/2024 says day first, a 10/24/2024 month first."""
    day_first = month_first = 0
    for text in texts:
        for match in (m for pattern, kind in _PATTERNS if kind == "slash" for m in pattern.finditer(text)):
            first, second = int(match.group("first")), int(match.group("second"))
            day_first += first > 12 >= second
            month_first += second > 12 >= first
    if day_first and not month_first:
        return "day_first"
    if month_first and not day_first:
        return "month_first"
    return None


_US_WRITING = re.compile(r"(?:\b(?:P[SD]?T|E[SD]?T|C[SD]T|M[SD]T|MM/DD(?:/YY(?:YY)?)?)|\(US\))(?!\w)")
_EU_WRITING = re.compile(r"(?:\b(?:BST|CES?T|EES?T|WES?T|GMT\+\d|DD/MM(?:/YY(?:YY)?)?)|\((?:EU|UK)\))(?!\w)")


def zone_order(texts: list[str]) -> Literal["day_first", "month_first"] | None:
    """A weaker hint than the dates themselves: US time zones (PT, EST) go with 3/8/22 month first, European
    ones (CET, BST) with day first; a note naming both, or neither, says nothing."""
    us = any(_US_WRITING.search(text) for text in texts)
    eu = any(_EU_WRITING.search(text) for text in texts)
    return "month_first" if us and not eu else "day_first" if eu and not us else None


def settle(found: FoundDate, order: str | None, known: set[str]) -> FoundDate:
    """An ambiguous slashed date settled by the note's convention, else by a day (or failing that, a month) the
    note writes elsewhere; `known` holds those days and months (`YYYY-MM-DD`, `YYYY-MM`)."""
    if found.ambiguous is None:
        return found
    day_first, month_first = found.ambiguous
    for width in (10, 7) if order is None else ():
        near = {value[:width] for value in known if len(value) >= width}
        if (day_first[:width] in near) != (month_first[:width] in near):
            order = "day_first" if day_first[:width] in near else "month_first"
            break
    if order == "day_first":
        return FoundDate(found.start, found.end, day_first, "day", None, found.written)
    if order == "month_first":
        return FoundDate(found.start, found.end, month_first, "day", None, found.written)
    return found


def parse_date(text: str) -> date | None:
    """The first unambiguous calendar day in `text` (URLs ignored); 03/04/2019 (day or month?) is skipped."""
    for found in find_dates(text):
        if found.precision == "day" and found.ambiguous is None:
            return date.fromisoformat(found.value)
    return None
