"""Offline extraction: a note's lines -> NoteRecord fields, each with the source lines it came from.

Nothing is guessed: a field is filled only from a labelled field, a heading the note gives (synonyms in
`pipeline/data/backfill.yaml`), or a date or severity written in the note; otherwise it stays
"Not recorded in source". The order of evidence for each field is documented on its function.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from pipeline.backfill.dates import FoundDate, earlier, find_dates, find_yearless_days, settle, slash_order, zone_order
from pipeline.backfill.reading import NoteText
from pipeline.models import NoteField, NoteItem, NoteTimelineRow, SourceSpan

MAX_SUMMARY_WORDS = 120
MAX_ITEM_CHARS = 400
MAX_ITEMS = 40
MAX_ACTION_LINE_WORDS = 45  # an unmarked line under "next steps:" longer than this is prose, not one action
_OPENING_PROSE_LINES = 8  # a blog post names the incident's day in its opening paragraph
PUBLICATION_WINDOW_DAYS = 120  # a post about an incident is published within weeks of it
_DATE_SEARCH_LINES = 25  # a date in the note's opening lines is taken as the incident date

_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+|~{3,}|\^{3,}|\"{3,})\s*$")  # markdown, and reStructuredText's underlines
_BOLD_LINE = re.compile(r"^\s*(?:[-*+]\s+)?(?:\*\*|__)([^*_]{2,80}?):?(?:\*\*|__)\s*:?\s*$")  # "- **Review actions**:"
_CAPS_LINE = re.compile(r"^\s*([A-Z][A-Z0-9 &/'-]{2,60}):?\s*$")
_LABEL_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z /'-]{1,40}):\s*$")
_FIELD = re.compile(
    r"^[\s>*+:-]*(?:\*\*|__)?\s*([A-Za-z][A-Za-z _/-]{0,30}?)\s*(?::\s*(?:\*\*|__)|(?:\*\*|__)\s*:|:)\s*(.*\S)?\s*$"
)
_LIST_ITEM = re.compile(  # "#." numbers in rst, "a." letters; a bare "[ ] item" is a list item too
    r"^(\s*)(?:(?:[-*+•]|\d{1,3}[.)]|[a-z][.)]|#\.)\s+(?:\[[ xX]\]\s+)?|\[[ xX]\]\s+)(.*)$"
)
_CHECKBOX = re.compile(r"^\s*[-*+]\s+\[[ xX]\]\s+(.+)$")
# "- [x] restart worker (done during the incident)": the response itself, not a follow-up
_DONE_IN_INCIDENT = re.compile(
    r"\b(?:done|performed|fixed|applied) (?:during|in) the (?:incident|outage)\b", re.IGNORECASE
)
_TABLE_ROW = re.compile(r"^\s*\|(.+)\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_KEY_VALUE = re.compile(r"^\s*[A-Za-z_][A-Za-z _-]{0,30}:(?:\s|$)(?!//)")
_URL = re.compile(r"\b(?:https?://|www\.)\S+|(?<![\w.-])[\w.-]+\.(?:com|org|io|net|dev)/\S*")
_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()]*\)")  # no nested brackets: linear on "[[[[..." input
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")
_TOML_FIELD = re.compile(r'^\s*([A-Za-z_][\w-]*)\s*=\s*"(.*)"\s*$')
_CONTINUES_PROSE = re.compile(  # a line that carries on the one before it rather than naming a new action
    r"^(?:additionally|also|furthermore|moreover|however|most importantly|in addition|this|these|that|it|they)\b",
    re.IGNORECASE,
)
_SUBJECT_TAGS = re.compile(
    r"^(?:\[\s*(?:(?:sev|p|s)[- ]?\d|resolved|update[d]?|incident|post-?mortem|fyi|closed|draft|urgent|outage|"
    r"[A-Z][A-Z0-9]+-\d+)\s*\]\s*)+(?=\S)",
    re.IGNORECASE,
)
_NO_ITEM = re.compile(  # an export's placeholder where the follow-ups would be
    r"^\W*(?:no comments? added|none(?: yet| so far)?|n/?a|tbd|tbc|nothing|nothing to do|no (?:action items?|actions?|follow[- ]?ups?))"
    r"\W*$",
    re.IGNORECASE,
)
_ACTION_COLUMN = re.compile(r"^(?:action|description|item|task|what|follow|remediation|todo|to do)")
_HEADER_CELL = re.compile(r"[a-z#/ .()-]{0,30}")  # a table header cell: a few words, no digits
_TITLE_LEAD = re.compile(
    r"^(?:incident|post-?mortem|outage|incident report|incident summary|post[- ]incident review|pir|rca|root cause analysis|"
    r"retro(?:spective)?)\b"
    r"(?:\s*(?:report|review))?(?:\s*[:#–—-]\s*|\s+(?=\d))(?P<rest>.+)$",
    re.IGNORECASE,
)
_TIME = (
    r"(?:(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?)[ T,]*)?\d{1,2}:\d{2}(?::\d{2})?"
    r"(?:\s?[AaPp]\.?[Mm]\.?)?(?:\s?(?:UTC|GMT|Z|[A-Z]{2,4}|[+-]\d{2}:?\d{2}))?"
)
_TIMELINE_LINE = re.compile(
    r"^[\s>*+•-]*(?:\*\*|__)?\s*(?P<time>" + _TIME + r")(?:\*\*|__)?\s*[-–—:|)]*\s*(?P<text>.*)$"
)


@dataclass(frozen=True)
class Rules:
    sections: dict[str, tuple[str, ...]]
    fields: dict[str, tuple[str, ...]]
    placeholder_titles: frozenset[str]
    title_above_labels: tuple[str, ...]
    severity_patterns: tuple[re.Pattern[str], ...]
    structured_keys: dict[str, tuple[str, ...]]
    incident_lists: tuple[str, ...]
    known_services: tuple[str, ...]
    action_leads: tuple[re.Pattern[str], ...]
    action_sentences: tuple[re.Pattern[str], ...]
    action_sentence_followers: tuple[re.Pattern[str], ...]
    action_intents: tuple[re.Pattern[str], ...]


RULES_FILE = "backfill.yaml"  # in pipeline/data (pipeline.datafiles.bundled)


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    """backfill.yaml, validated (a typo is a ConfigError at its file:line) and compiled."""
    from pipeline.datafiles import BackfillFile, bundled, load_yaml_model

    data = load_yaml_model(bundled(RULES_FILE), BackfillFile)
    return Rules(
        sections={name: tuple(words) for name, words in data.sections.items()},
        fields={name: tuple(words) for name, words in data.fields.items()},
        placeholder_titles=frozenset(t.lower() for t in data.placeholder_titles),
        title_above_labels=tuple(data.title_above_labels),
        severity_patterns=tuple(re.compile(p, re.IGNORECASE) for p in data.severity_patterns),
        structured_keys={name: tuple(keys) for name, keys in data.structured_keys.items()},
        incident_lists=tuple(data.incident_lists),
        known_services=tuple(data.known_services),
        action_leads=tuple(re.compile(p, re.IGNORECASE) for p in data.action_leads),
        action_sentences=tuple(re.compile(p, re.IGNORECASE) for p in data.action_sentences),
        action_sentence_followers=tuple(re.compile(p, re.IGNORECASE) for p in data.action_sentence_followers),
        action_intents=tuple(re.compile(p, re.IGNORECASE) for p in data.action_intents),
    )


@dataclass
class Section:
    heading: str
    level: int
    heading_index: int  # index into NoteText.lines; -1 for the text before the first heading
    body: list[int] = field(default_factory=list)  # line indexes of the body
    kind: str | None = None


@dataclass
class Extracted:
    """The extracted fields of one note, each with its provenance."""

    title: NoteField
    date: NoteField
    severity: NoteField
    services: list[NoteItem]
    summary: NoteField
    impact: NoteField
    timeline: list[NoteTimelineRow]
    contributing_factors: list[NoteItem]
    action_items: list[NoteItem]
    lessons: list[NoteItem]
    date_precision: str | None = None  # day, month or quarter; None when the note gives no date
    date_source: str | None = None  # "file name" when the date was read from the file name only
    warnings: list[str] = field(default_factory=list)
    lines: SourceSpan | None = None  # the incident's own lines when the file holds several incidents


def plain(text: str) -> str:
    """Markdown inline markup removed: links keep their text, emphasis and code marks go."""
    return re.sub(r"\s+", " ", _EMPHASIS.sub("", _LINK.sub(r"\1", text))).strip()


_ADDS_TO_ACTION = re.compile(r"^(?:additionally|also|in addition|furthermore|moreover)\b", re.IGNORECASE)
_EXPLAINS_ACTION = re.compile(r"^(?:this|that|it|these|those)\b", re.IGNORECASE)
_TAKEN = re.compile(r"\b(?:taken|done|completed|performed)$")


def classify(heading: str, names: dict[str, tuple[str, ...]]) -> str | None:
    """The section (or field) a heading names, by synonym; None when it names none."""
    words = re.sub(r"^[\d.)\s]+", "", plain(heading).lower()).strip(" :.-")
    kind = _named(words, names)
    if kind == "action_items" and _TAKEN.search(words) and words not in names[kind]:
        return None  # "Action taken", "Actions performed": work already done, not follow-ups
    if kind == "lessons":  # "Lessons / next steps", "Learnings and action items": the items are follow-ups
        parts = re.split(r"\s*(?:/|&|\+|,|\band\b)\s*", words)[1:]
        if any(_named(part, names) == "action_items" for part in parts):
            return "action_items"
    return kind


def _named(words: str, names: dict[str, tuple[str, ...]]) -> str | None:
    """The first kind with a synonym that `words` equals or starts with (followed by a word boundary)."""
    for kind, pattern in _synonym_patterns(names):
        if pattern.match(words):
            return kind
    return None


_PATTERNS_BY_TABLE: dict[int, tuple[dict[str, tuple[str, ...]], list[tuple[str, re.Pattern[str]]]]] = {}


def _synonym_patterns(names: dict[str, tuple[str, ...]]) -> list[tuple[str, re.Pattern[str]]]:
    """One compiled alternation per kind, built once per synonym table (the rules are loaded once): headings
    are classified thousands of times in a corpus run."""
    cached = _PATTERNS_BY_TABLE.get(id(names))
    if cached is None or cached[0] is not names:
        compiled = [
            (kind, re.compile("|".join(re.escape(s) + r"(?:\b(?![-'])|$)" for s in synonyms)))
            for kind, synonyms in names.items()
            if synonyms
        ]
        cached = _PATTERNS_BY_TABLE[id(names)] = (names, compiled)
    return cached[1]


class Extractor:
    """Runs over one NoteText; every helper returns values with the source lines they came from."""

    def __init__(self, note: NoteText, slash_order: str | None = None, *, digest_entry: bool = False) -> None:
        self.note = note
        self.slash_order = slash_order  # a digest's convention for 03/04/2021, from all of its incidents
        self.digest_entry = digest_entry  # one incident of several in the file: its leading date is no title
        self.rules = load_rules()
        self.lines = note.lines
        self.fields = self._fields()
        self.sections = self._sections()

    def span(self, first: int, last: int | None = None) -> SourceSpan:
        numbers = self.note.numbers
        return SourceSpan(start=numbers[first], end=numbers[last if last is not None else first])

    def item(self, text: str, first: int, last: int | None = None) -> NoteItem:
        return NoteItem(text=_clip(text), lines=self.span(first, last))

    def run(self) -> Extracted:
        title = self.title()
        day, precision, warnings = self.date(title)
        return Extracted(
            title=title,
            date=day,
            date_precision=precision,
            date_source="file name" if day.recorded and day.lines is None else None,
            warnings=warnings,
            severity=self.severity(),
            services=self.services(),
            summary=self.summary(),
            impact=self.impact(),
            timeline=self.timeline(),
            contributing_factors=self.items("contributing_factors"),
            action_items=self.action_items(),
            lessons=self.items("lessons"),
        )

    # -- structure

    def _fields(self) -> dict[str, tuple[str, int]]:
        """`Key: value` labels in front matter, a header block, or bold list labels near the top."""
        found: dict[str, tuple[str, int]] = {}
        toml_block = False
        for index, line in enumerate(self.lines[:80]):
            if line.strip() == "+++":  # TOML front matter (Hugo, Zola): key = "value"
                toml_block = not toml_block
                continue
            if toml_block:
                line = _TOML_FIELD.sub(r"\1: \2", line)
            row = _TABLE_ROW.match(line)
            cells = [plain(cell) for cell in row.group(1).split("|")] if row else []
            if len(cells) == 2 and all(cells) and ":" not in cells[0]:
                line = f"{cells[0]}: {cells[1]}"  # a properties table: | Severity | Sev 2 |
            label_above = plain(self.lines[index - 1]).lower() if index else ""
            kind = next((k for k, synonyms in self.rules.fields.items() if label_above in synonyms), None)
            if kind and kind not in found and line.strip() and not _KEY_VALUE.match(line):
                found[kind] = (plain(line), index)  # a bare label line, its value below ("IMPACT TIME" in PDFs)
                continue
            for part in re.split(
                r"\s+[·|]\s+|\s+/\s+(?=[A-Za-z][\w ]{0,20}:)|\s{3,}(?=[A-Za-z][\w ]{0,20}:)", line
            ):  # "Severity: SEV2 · Service: db"
                match = _FIELD.match(part)
                if not match or not match.group(2) or part.lstrip().startswith("#"):
                    continue
                label = plain(match.group(1)).lower()
                kind = next((kind for kind, synonyms in self.rules.fields.items() if label in synonyms), None)
                if kind == "date" and not re.search(r"\d", match.group(2)):
                    continue  # "Reported: by a customer" is no date; a later "Date:" line may be
                if kind and (kind not in found or (kind == "date" and earlier(match.group(2), found[kind][0]))):
                    found[kind] = (plain(match.group(2)), index)  # "Reported: 5 March" above "Started: 4 March"
        return found

    def _front_matter_end(self) -> int:
        """Index of the closing `---` of YAML front matter, or -1 when the note has none."""
        if self.lines and self.lines[0].strip() == "---":
            for index in range(1, min(len(self.lines), 200)):
                if self.lines[index].strip() in {"---", "..."}:
                    return index
        return -1

    def _sections(self) -> list[Section]:
        sections = [Section(heading="", level=0, heading_index=-1)]
        in_code = False
        front_matter_end = self._front_matter_end()
        for index, line in enumerate(self.lines):
            if index <= front_matter_end:
                continue
            fence = line.strip()
            if fence.startswith(("```", "~~~")) and not (len(fence) > 6 and fence.endswith(fence[:3])):
                # "```text```" on one line is inline code, not a fence; "```bash" opens a block but never closes one
                in_code = bool(fence.strip("`~")) if in_code else True
            is_underline = _SETEXT.match(line) and index > 0 and self._setext_level(index - 1) is not None
            if is_underline and not in_code:
                continue
            heading = None if in_code else self._heading(index)
            if heading is not None:
                level, text = heading
                titled = level == 1 and re.match(r"^[^:]{1,40}:\s+\S+\s+\S", text)  # "# Incident summary: queue down"
                kind = None if titled else classify(text, self.rules.sections)
                sections.append(Section(heading=text, level=level, heading_index=index, kind=kind))
            else:
                sections[-1].body.append(index)
        return sections

    def _setext_level(self, index: int) -> int | None:
        line = self.lines[index]
        overlined = (
            index > 0 and _SETEXT.match(self.lines[index - 1]) is not None
        )  # an rst title: "===" above and below
        if (
            index + 1 >= len(self.lines)
            or not line.strip()
            or _LIST_ITEM.match(line)
            or (_KEY_VALUE.match(line) and not overlined)
        ):
            return None
        underline = _SETEXT.match(self.lines[index + 1])
        if not underline or _TABLE_RULE.match(line):
            return None
        return {"=": 1, "-": 2}.get(underline.group(1)[0], 3)

    def _heading(self, index: int) -> tuple[int, str] | None:
        line = self.lines[index]
        atx = _ATX.match(line)
        if atx:
            return len(atx.group(1)), plain(atx.group(2))
        level = self._setext_level(index)
        if level is not None:
            return level, plain(line)
        bold = _BOLD_LINE.match(line) or _CAPS_LINE.match(line) or _LABEL_LINE.match(line)
        if bold and classify(bold.group(1), self.rules.sections):
            return 3, plain(bold.group(1))
        bare = plain(line).lower().rstrip("?:. ")
        names = [part for part in re.split(r"\s*(?:/|&|\band\b)\s*", bare) if part]  # "Lessons / next steps"
        if names and all(any(name in synonyms for synonyms in self.rules.sections.values()) for name in names):
            return 3, plain(line)  # a plain line that is exactly a section name (text exported from PDF)
        if (
            re.search(r":\s*$|\s[-\u2013\u2014]\s*$", line)  # "What I want to do next:", "Next steps -"
            and len(bare.split()) <= 12
            and any(p.search(bare) for p in self.rules.action_leads)
        ):
            return 3, "Action items"  # "What I want to do next:" introduces the follow-ups
        return None

    def section_lines(self, kind: str) -> list[int]:
        """Body line indexes of every section of `kind`, with the subsections nested under it."""
        indexes: list[int] = []
        sections = self.sections
        for position, section in enumerate(sections):
            if section.kind != kind:
                continue
            indexes.extend(section.body)
            skipped_level = 0  # inside a "### Immediate actions" subsection of follow-ups: work already done
            for nested in sections[position + 1 :]:
                if nested.level <= section.level:
                    break
                if nested.kind is not None and nested.kind != kind:
                    break
                if skipped_level and nested.level > skipped_level:
                    continue
                skipped_level = nested.level if kind == "action_items" and _DONE_WORK.search(nested.heading) else 0
                if skipped_level:
                    continue
                indexes.append(nested.heading_index)
                indexes.extend(nested.body)
        return list(dict.fromkeys(indexes))  # a nested section of the same kind is listed once

    # -- fields

    def title(self) -> NoteField:
        """The note's title without its list number, `[tag]`s, quotes or a trailing `(12 July 2021)` date."""
        found = self._title()
        if not found.recorded:
            return found
        text = re.sub(r"^\d{1,2}[.)]\s+", "", found.value.strip())
        text = _SUBJECT_TAGS.sub("", text)  # "[SEV1] [RESOLVED] checkout down" (an e-mail subject)
        text = re.sub(
            r"\s*\(([^()]*)\)[\s.]*$",
            lambda m: (
                ""
                if find_dates(m.group(1), in_title=True) or re.match(rf"{_GRADE}\s*(?:$|[,;])", m.group(1), re.I)
                else m.group(0)
            ),
            text,
        )  # "(12 July 2021)", "(Sev2)", "(P3, service: jenkins)."
        text = re.sub(rf"\s*[,;]\s*{_GRADE}\s*$", "", text, flags=re.IGNORECASE)  # "... reboot loop, SEV3"
        ungraded = _LEADING_GRADE.sub("", text)
        text = ungraded if len(ungraded.split()) >= 2 else text  # "Sev 2 - payments down"
        text = text.strip().strip('"\u201c\u201d').strip()
        dated = find_dates(text, in_title=True) if self.digest_entry else []
        if dated and _leads(text, dated[0]) and re.match(r"\s*[-\u2013\u2014:|,]|\s+[A-Za-z]", text[dated[0].end :]):
            rest = text[dated[0].end :].strip(" -\u2013\u2014:|,")
            text = rest if len(rest.split()) >= 2 else text  # a digest's "2019-12-02 - cert expiry on status page"
        elif dated and dated[-1].end == len(text) and _TITLE_THEN_DATE.search(text[: dated[-1].start]):
            text = text[: dated[-1].start].rstrip(" -\u2013\u2014")  # a digest's "gate scanners down -- 10/27/2020"
        return NoteField(value=text or found.value, lines=found.lines)

    def _title(self) -> NoteField:
        """A `title:` field, a line above a `Status:` label, the first level-1 heading, or the first heading naming no section."""
        if "title" in self.fields:
            value, index = self.fields["title"]
            if value.lower() not in self.rules.placeholder_titles:
                return NoteField(value=value, lines=self.span(index))
        for index, line in enumerate(self.lines[1:80], start=1):
            label = _FIELD.match(line)
            above = self.lines[index - 1].strip()
            before = self.lines[index - 2] if index >= 2 else ""
            known_field = _KEY_VALUE.match(above) and (
                _KEY_VALUE.match(before)
                or any(plain(above.split(":", 1)[0]).lower() in labels for labels in self.rules.fields.values())
            )
            if label and plain(label.group(1)).lower() in self.rules.title_above_labels and above and not known_field:
                first = index - 1
                wrapped = first > 0 and above[:1].islower() and self.lines[first - 1].strip()[:1].isupper()
                if wrapped and not self.lines[first - 1].rstrip().endswith((".", ":")):
                    first -= 1  # a long title wrapped onto a second line ("... fails" / "on earthscope")
                text = " ".join(plain(self.lines[i]) for i in range(first, index))
                return NoteField(value=text, lines=self.span(first, index - 1))
        headings = [s for s in self.sections if s.heading_index >= 0]
        candidates = [s for s in headings if s.level == 1 and s.kind is None] or headings[:1]
        for section in [c for c in candidates if c.kind is None][:1]:
            text = section.heading.strip()
            annotation = text.startswith("[") and text.endswith("]")  # "[Text extracted from PDF]", "[Draft]"
            if text and not annotation and text.lower() not in self.rules.placeholder_titles:
                return NoteField(value=text, lines=self.span(section.heading_index))
        return self._first_line_title()

    def _first_line_title(self) -> NoteField:
        """`INCIDENT <date> <title>` or `Postmortem: <title>` first, else a short first line standing alone."""
        filled = [i for i, line in enumerate(self.lines) if line.strip()]
        while filled and self._is_preamble(filled[0]):
            filled = filled[1:]  # a header block of `source: ...` lines or a `# [converted from PDF]` note
        if filled and not self.note.is_chat:
            lead = _TITLE_LEAD.match(plain(self.lines[filled[0]]))
            if lead:
                rest = lead.group("rest")
                dates = find_dates(rest, in_title=True)
                if dates and _leads(rest, dates[0]):
                    rest = rest[dates[0].end :]
                rest = rest.strip(" -–—:|")
                if rest and len(rest.split()) <= 20:
                    return NoteField(value=rest, lines=self.span(filled[0]))
        if self.note.is_chat or len(filled) < 2 or self._heading(filled[0]) is not None:
            return NoteField()
        first = filled[0]
        text = plain(self.lines[first])
        dated = find_dates(text, in_title=True)
        rest = text[dated[0].end :].strip(" -\u2013\u2014:|,") if dated and _leads(text, dated[0]) else ""
        text = rest if len(rest.split()) >= 2 else text  # "2020-11-03 -- postgres primary out of disk"
        stands_alone = first + 1 < len(self.lines) and (
            not self.lines[first + 1].strip() or self._heading(first + 1) is not None
        )  # a blank line or a section heading ("Overview") below it
        second = plain(self.lines[first + 1]) if first + 1 < len(self.lines) else ""
        second_field = _FIELD.match(second)
        metadata_below = (
            (bool(second) and len(second.split()) <= 10 and bool(find_dates(second)) and not second.endswith("."))
            or bool(re.fullmatch(rf"{_GRADE}\W*", second, re.IGNORECASE) and not second.isdigit())
            or bool(  # "SEV-1"
                # or a known field below it: "priority: high"
                second_field
                and any(plain(second_field.group(1)).lower() in labels for labels in self.rules.fields.values())
            )
        )
        stands_alone = stands_alone or metadata_below  # "ldap replication broke" above "04/05/2020, P3, ldap"
        rest = (
            _NOTE_KIND_SUFFIX.sub("", _FIRST_LINE_ASIDE.sub("", text)) if len(text) <= 300 else text
        )  # "(typed live)"
        bare = rest if len(rest.split()) >= 2 else text
        if (
            stands_alone
            and len(bare.split()) <= 15
            and not bare.endswith((".", ",", ";"))
            and not _KEY_VALUE.match(bare)
        ):
            return NoteField(value=bare, lines=self.span(first))
        if stands_alone and re.match(r"^(incident|post-?mortem|outage)( report)?:\s+\S", text, re.IGNORECASE):
            return NoteField(value=text, lines=self.span(first))
        return NoteField()

    def _is_preamble(self, index: int) -> bool:
        """A line before the note's own text: a line of a `Key: value` header block, or a `# [annotation]` heading."""
        line = self.lines[index]
        heading = _ATX.match(line)
        if heading:
            text = plain(heading.group(2))
            return text.startswith("[") and text.endswith("]")
        if not _KEY_VALUE.match(line) or _TITLE_LEAD.match(plain(line)) or len(line.split()) > 12:
            return False
        neighbours = self.lines[max(index - 1, 0) : index] + self.lines[index + 1 : index + 2]
        return any(_KEY_VALUE.match(other) for other in neighbours)  # a block of them, not "Incident: <title>"

    def date(self, title: NoteField) -> tuple[NoteField, str | None, list[str]]:
        """The day the incident began, with its precision (day, month, quarter) and any warnings.

        A date field, else a date in the title, the timeline, the summary, or the note's opening lines; a
        month or quarter is narrowed to a day of it written later in those places. A slashed date whose
        order the note does not settle is reported, not guessed; the file name is the last resort.
        """
        order = self.slash_order or slash_order(self.lines) or zone_order(self.lines)
        by_name = [f for f in find_dates(self.note.name.replace("_", " "), in_title=True) if not f.ambiguous]
        known = {  # days and months written unambiguously, the file name's too: they settle a 03/04/2021
            f.value
            for f in [*(f for line in self.lines for f in find_dates(line)), *by_name]
            if f.precision != "quarter" and not f.ambiguous
        }
        sources: list[tuple[list[FoundDate], SourceSpan | None]] = []
        field_index = self.fields["date"][1] if "date" in self.fields else None
        if field_index is not None:
            in_field = find_dates(self.lines[field_index])
            years = [int(f.value[:4]) for line in self.lines for f in find_dates(line)]
            if (
                not in_field and years and not re.search(r"\d{4}", self.lines[field_index])
            ):  # PagerDuty's "IMPACT TIME / Oct 3 at 09:11", the year in the timeline
                in_field = find_yearless_days(self.lines[field_index], Counter(years).most_common(1)[0][0])
            sources.append((in_field, self.span(field_index)))
        if title.recorded:
            written = self._title().value  # as written, with a trailing "(November 2025)" the title drops
            sources.append((find_dates(written, in_title=True), title.lines))
        opening = [
            i
            for i, line in enumerate(self.lines[: _DATE_SEARCH_LINES * 3])
            if line.strip() and not _KEY_VALUE.match(line)
        ]
        later = self.section_lines("summary") + self.section_lines("timeline") + opening[:_DATE_SEARCH_LINES]
        sources += [(find_dates(self.lines[i]), self.span(i)) for i in dict.fromkeys(later) if i != field_index]
        sources = [([settle(f, order, known) for f in dates], span) for dates, span in sources if dates]
        warnings: list[str] = []
        chosen: tuple[FoundDate, SourceSpan] | None = None
        narrowed: tuple[FoundDate, SourceSpan] | None = None
        for dates, span in sources:
            for found in dates:
                if found.ambiguous:
                    where = f" at line {span.start}" if span else ""
                    warning = f"date {found.written!r}{where} is ambiguous ({found.ambiguous[0]} or {found.ambiguous[1]}); not used"
                    if warning not in warnings:
                        warnings.append(warning)
                    continue
                if chosen is None:
                    chosen = (found, span)
                elif chosen[0].precision != "day" and found.precision == "day" and _within(found.value, chosen[0]):
                    if narrowed is None or found.value < narrowed[0].value:
                        narrowed = (found, span)  # the period's earliest day written: when the incident began
            if chosen is not None and chosen[0].precision == "day":
                break
        if chosen is not None and chosen[0].precision != "day" and narrowed is None:
            period = chosen[0]  # "notes 11/2021" then "Nov 8: gateway 503s": a day of the period, its year implied
            days = [
                (found, self.span(i))
                for i in dict.fromkeys(later)
                for found in find_yearless_days(self.lines[i], int(period.value[:4]))
                if _within(found.value, period)
            ]
            narrowed = min(days, key=lambda pair: pair[0].value, default=None)
        chosen = narrowed or chosen or self._day_under_year_header()
        if chosen is not None and chosen[0].precision == "day":
            chosen = self._reported_before_publication(chosen[0]) or chosen
        if chosen is not None:
            return NoteField(value=chosen[0].value, lines=chosen[1]), chosen[0].precision, warnings
        if by_name:
            return NoteField(value=by_name[0].value), by_name[0].precision, [*warnings, "date taken from the file name"]
        return NoteField(), None, warnings

    def _day_under_year_header(self) -> tuple[FoundDate, SourceSpan] | None:
        """A timeline table whose header names the year (`| Day | Date (2021) | Time |`) and rows `| Dec 15 | ...`: the
        first row's day, in that year."""
        year: int | None = None
        for index in self.section_lines("timeline"):
            line = self.lines[index]
            if not line.lstrip().startswith("|"):  # rows may leave their last cell open
                year = None
                continue
            header_year = _YEAR_IN_HEADER.search(line)
            if header_year:
                year = int(header_year.group(1))
            elif year is not None:
                days = find_yearless_days(line, year)
                if days:
                    return days[0], self.span(index)
        return None

    def _reported_before_publication(self, chosen: FoundDate) -> tuple[FoundDate, SourceSpan] | None:
        """A blog post's front matter (one naming its author) dates the post, not the incident: when `chosen` is the
        post's day and the opening paragraphs name an earlier day ("On August 16, the team was notified"), in the
        weeks before it, the incident began on the earliest such day."""
        block = self._author_front_matter()
        if block is None:
            return None
        start, end = block
        posted = {f.value for line in self.lines[start:end] for f in find_dates(line) if f.precision == "day"}
        if chosen.value not in posted:
            return None
        day = date.fromisoformat(chosen.value)
        opening = [
            i for i in range(end + 1, len(self.lines)) if self.lines[i].strip() and not _ATX.match(self.lines[i])
        ]
        found = [
            (f, self.span(i))
            for i in opening[:_OPENING_PROSE_LINES]
            for text in [_LINK.sub(r"\1", self.lines[i])]  # a link's target names another post's day
            for f in [
                *find_dates(text),
                *(f for year in {day.year, day.year - 1} for f in find_yearless_days(text, year)),
            ]
            if f.precision == "day"
            and not f.ambiguous
            and 0 < (day - date.fromisoformat(f.value)).days <= PUBLICATION_WINDOW_DAYS
        ]
        return min(found, key=lambda pair: pair[0].value, default=None)

    def _author_front_matter(self) -> tuple[int, int] | None:
        """The (opening, closing) line indexes of a `---` or `+++` front matter block near the top naming an author."""
        opening = next((i for i, line in enumerate(self.lines[:6]) if line.strip() in {"---", "+++"}), None)
        if opening is None:
            return None
        fence = self.lines[opening].strip()
        for index in range(opening + 1, min(len(self.lines), opening + 60)):
            if self.lines[index].strip() == fence:
                block = self.lines[opening + 1 : index]
                authored = any(re.match(r"^\s*authors?\s*[:=]", line, re.IGNORECASE) for line in block)
                return (opening, index) if authored else None
        return None

    def severity(self) -> NoteField:
        """A severity field as written, else the first severity the prose states (SEV-2, a P1 outage)."""
        if "severity" in self.fields:
            value, index = self.fields["severity"]
            return NoteField(value=_severity_grade(value)[:40], lines=self.span(index))
        for index, line in enumerate(self.lines):
            for pattern in self.rules.severity_patterns:
                match = pattern.search(line)
                if match:
                    return NoteField(value=match.group(1) if match.groups() else match.group(0), lines=self.span(index))
        return NoteField()

    def services(self) -> list[NoteItem]:
        """A services/product/component field, else known service names and "<name> service" in the note."""
        if "services" not in self.fields:
            return self._named_services()
        value, index = self.fields["services"]
        names = [part.strip(" .") for part in re.split(r"[,;/]|\band\b", value) if part.strip(" .")]
        return [self.item(name, index) for name in names[:10]]

    def _named_services(self) -> list[NoteItem]:
        known = "|".join(re.escape(name) for name in self.rules.known_services)
        pattern = re.compile(rf"\b({known})\b|\b([a-z][\w-]{{2,30}}) service\b", re.IGNORECASE)
        found: dict[str, int] = {}
        for index, line in enumerate(self.lines[:200]):
            for match in pattern.finditer(_URL.sub(" ", line)):
                name = (match.group(1) or match.group(2)).lower()
                if name not in {
                    "the",
                    "our",
                    "this",
                    "that",
                    "a",
                    "customer",
                    "whole",
                    "entire",
                    "web",
                    "each",
                    "every",
                }:
                    found.setdefault(name, index)
        return [self.item(name, index) for name, index in list(found.items())[:10]]

    def summary(self) -> NoteField:
        """The summary section's first paragraph, else the first prose paragraph before other sections."""
        lines = self.section_lines("summary")
        if not lines and self.note.is_chat:
            return NoteField()
        if not lines:
            lines = [
                i
                for s in self.sections
                if s.kind is None and s.level <= 1
                for i in s.body
                if not _KEY_VALUE.match(self.lines[i])
            ]
        return self._paragraph(lines)

    def impact(self) -> NoteField:
        lines = self.section_lines("impact")
        if lines:
            return self._paragraph(lines)
        return NoteField()

    def _paragraph(self, indexes: list[int]) -> NoteField:
        """The first paragraph of prose among `indexes` (not a list, table, heading or field), cut at ~120 words."""
        chosen: list[int] = []
        for index in indexes:
            line = self.lines[index]
            if not line.strip():
                if chosen:
                    break
                continue
            if (
                _LIST_ITEM.match(line)
                or _TABLE_ROW.match(line)
                or _ATX.match(line)
                or line.lstrip().startswith(("```", ">", "<!--"))
            ):
                if chosen:
                    break
                continue
            if chosen and index != chosen[-1] + 1:
                break
            chosen.append(index)
        if not chosen:
            return NoteField()
        words = plain(" ".join(self.lines[i] for i in chosen)).split()
        text = " ".join(words[:MAX_SUMMARY_WORDS]) + (" ..." if len(words) > MAX_SUMMARY_WORDS else "")
        return NoteField(value=text, lines=self.span(chosen[0], chosen[-1]))

    def timeline(self) -> list[NoteTimelineRow]:
        """Rows that start with a time in the timeline section: table rows, list items, lines, or headings."""
        rows: list[NoteTimelineRow] = []
        indexes = self.section_lines("timeline")
        for position, index in enumerate(indexes):
            line = self.lines[index]
            table = _TABLE_ROW.match(line)
            if table and not _TABLE_RULE.match(line):
                cells = [plain(cell) for cell in table.group(1).split("|")]
                if cells and re.fullmatch(_TIME + r"|\d{4}-\d{2}-\d{2}", cells[0]):
                    rows.append(
                        NoteTimelineRow(
                            time=cells[0], text=_clip(" | ".join(c for c in cells[1:] if c)), lines=self.span(index)
                        )
                    )
                continue
            heading = _ATX.match(line)
            match = _TIMELINE_LINE.match(plain(heading.group(2)) if heading else line)
            if not match or not re.search(r"\d:\d{2}", match.group("time")):
                continue
            text, last = plain(match.group("text")), index
            if not text:  # "### 08:52 PM" then the event on the next lines
                following = [i for i in indexes[position + 1 : position + 4] if self.lines[i].strip()]
                next_line = self.lines[following[0]] if following else ""
                if following and not _TIMELINE_LINE.match(next_line) and not _ATX.match(next_line):
                    bullet = _LIST_ITEM.match(next_line)
                    text, last = plain(bullet.group(2) if bullet else next_line), following[0]
            if text:
                rows.append(
                    NoteTimelineRow(time=match.group("time").strip(), text=_clip(text), lines=self.span(index, last))
                )
        return rows[:500]

    def items(self, kind: str) -> list[NoteItem]:
        """List items of the section; a section of prose gives its sentences of the first paragraphs."""
        indexes = self.section_lines(kind)
        found = self._list_items(indexes)
        if found:
            return found[:MAX_ITEMS]
        prose = [i for i in indexes if self.lines[i].strip() and not _ATX.match(self.lines[i])]
        items = []
        for index in prose[:12]:
            for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z])", plain(self.lines[index])):
                if len(sentence.split()) >= 4:
                    items.append(self.item(sentence, index))
        return items[:10]

    def action_items(self) -> list[NoteItem]:
        """List items and table rows of action sections, plus `- [ ]` checkboxes anywhere in the note."""
        indexes = self.section_lines("action_items")
        found = self._list_items(indexes)
        seen = {item.lines.start for item in found}
        column: int | None = None  # the header's "Action" / "Description" column, when the table names one
        for index in indexes:
            table = _TABLE_ROW.match(self.lines[index])
            is_header = index + 1 < len(self.lines) and _TABLE_RULE.match(self.lines[index + 1])
            headers = [plain(cell).lower() for cell in table.group(1).split("|")] if table else []
            first_row = table and not (index > 0 and _TABLE_ROW.match(self.lines[index - 1]))
            if first_row and not is_header and len(headers) > 1:
                is_header = all(_HEADER_CELL.fullmatch(name) for name in headers) and any(
                    _ACTION_COLUMN.match(name) for name in headers
                )  # an HTML export's header row of bold cells, no rule below it: "Action | Owner | Due"
            if table and is_header:
                column = next((i for i, name in enumerate(headers) if _ACTION_COLUMN.match(name)), None)
            elif table and not _TABLE_RULE.match(self.lines[index]):
                cells = [plain(cell) for cell in table.group(1).split("|")]
                if column is not None and column < len(cells) and cells[column]:
                    found.append(self.item(cells[column], index))
                elif any(cells):
                    found.append(self.item(" | ".join(cell for cell in cells if cell), index))
            elif not table:
                column = None
        for index, line in enumerate(self.lines):
            box = _CHECKBOX.match(line)
            if box and self.note.numbers[index] not in seen and index not in indexes:
                found.append(self.item(plain(box.group(1)), index))
        if not found and indexes:
            found = self._plain_line_items(indexes)
            found = found or self._intent_sentences(indexes)  # paragraphs too long to be one action each
        if not found:
            found = self._prose_actions()
        kept = [item for item in found if not _NO_ITEM.match(item.text) and not _DONE_IN_INCIDENT.search(item.text)]
        return kept[:MAX_ITEMS]

    def _plain_line_items(self, indexes: list[int]) -> list[NoteItem]:
        """An action section of short unmarked lines (`next steps:` then one action a line): each line an item."""
        lines = [
            i
            for i in indexes
            if self.lines[i].strip() and not _ATX.match(self.lines[i]) and not _TABLE_ROW.match(self.lines[i])
        ]
        if not lines or any(plain(self.lines[i]).endswith(":") for i in lines):
            return []
        units: list[list[int]] = []  # one action a line; a long line not ending a sentence wraps onto the next
        for i in lines:
            above = self.lines[i - 1]
            wrapped = (
                len(above.split()) >= 8 and not re.search(r"[.!?)]\s*$", above) and self.lines[i].strip()[:1].islower()
            )
            if units and units[-1][-1] == i - 1 and wrapped:
                units[-1].append(i)
            else:
                units.append([i])
        texts = [plain(" ".join(self.lines[i] for i in unit)) for unit in units]
        if any(_CONTINUES_PROSE.match(text) for text in texts[1:]):  # "Additionally, ...": one paragraph, one action
            return [self.item(" ".join(texts), units[0][0], units[-1][-1])]
        if len(units) <= MAX_ITEMS and all(len(text.split()) <= MAX_ACTION_LINE_WORDS for text in texts):
            return [self.item(text.rstrip("."), unit[0], unit[-1]) for text, unit in zip(texts, units)]
        return []

    def _intent_sentences(self, indexes: list[int]) -> list[NoteItem]:
        """An action section written as paragraphs ("We will be introducing rate limiting ..."): each sentence
        saying what the team will do is one action; the rest of the prose is reasoning, not an action."""
        paragraphs: list[list[int]] = []
        for index in indexes:
            line = self.lines[index]
            if not line.strip() or _ATX.match(line) or _TABLE_ROW.match(line) or _LIST_ITEM.match(line):
                continue
            if paragraphs and paragraphs[-1][-1] == index - 1:
                paragraphs[-1].append(index)
            else:
                paragraphs.append([index])
        items = [
            self.item(part, paragraph[0], paragraph[-1])
            for paragraph in paragraphs
            for part in self._intents(plain(" ".join(self.lines[i] for i in paragraph)))
        ]
        return items[:MAX_ITEMS]

    def _intents(self, text: str) -> list[str]:
        """The sentences of a paragraph saying what will be done; "Additionally, ..." after one adds to it, and
        "This will involve ..." after one only explains it."""
        found: list[str] = []
        taken = False  # the sentence before was an action
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text):
            sentence = sentence.strip().rstrip(".")
            if taken and _ADDS_TO_ACTION.match(sentence):
                found[-1] += ". " + sentence
            elif taken and _EXPLAINS_ACTION.match(sentence):
                continue
            elif any(p.search(sentence) for p in self.rules.action_intents):
                found.append(sentence)
                taken = True
            else:
                taken = False
        return found

    def _prose_actions(self) -> list[NoteItem]:
        """Follow-ups written as a sentence ("Remediations included fixing A, B and C."): one item per listed part."""
        items: list[NoteItem] = []
        for index, line in enumerate(self.lines):
            matches = sorted(
                (m for pattern in self.rules.action_sentences for m in pattern.finditer(line)), key=lambda m: m.start()
            )
            for match in matches:
                listed, *after = re.split(r"(?<=[a-z0-9)])\.(?:\s|$)", line[match.end() :], maxsplit=1)
                parts: list[str] = []
                for part in re.split(r",\s*(?:and\s+|as well as\s+)?|;\s*|\s+and\s+(?=[a-z]+ing\b)", listed):
                    if parts and part.startswith("including "):  # "improvements in detection, including better signals"
                        parts[-1] += ", " + part
                    else:
                        parts.append(part)
                items.extend(self.item(part.strip(" ."), index) for part in parts if len(part.split()) >= 2)
                for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z])", after[0]) if after else []:
                    if any(p.search(sentence) for p in self.rules.action_sentence_followers):
                        for part in re.split(r",\s*(?:and|along with)\s+", sentence.strip().rstrip(".")):
                            items.append(
                                self.item(part, index)
                            )  # "... will also be enhanced."; "A, and B, along with C"
        return list({item.text: item for item in items}.values())[:MAX_ITEMS]

    def _list_items(self, indexes: list[int]) -> list[NoteItem]:
        """Top-level list items; deeper bullets and continuation lines join their parent item."""
        items: list[tuple[list[str], int, int]] = []
        top_indent: int | None = None
        previous = -2
        closed = False  # a line of other text ends the last item ("Thanks," below the list)
        for index in indexes:
            line = self.lines[index]
            match = _LIST_ITEM.match(line)
            if match:
                closed = False
                indent = len(match.group(1).expandtabs(4))
                if top_indent is None or indent <= top_indent:
                    top_indent = indent if top_indent is None else top_indent
                    items.append(([match.group(2)], index, index))
                elif items:
                    items[-1][0].append(match.group(2))
                    items[-1] = (items[-1][0], items[-1][1], index)
            elif (
                items
                and not closed
                and line.strip()
                and (index == previous + 1 or line[:1].isspace())  # after a blank line, only an indented one
                and not _ATX.match(line)
                and not _TABLE_ROW.match(line)
            ):
                items[-1][0].append(line.strip())
                items[-1] = (items[-1][0], items[-1][1], index)
            elif line.strip():
                closed = True
            if line.strip():
                previous = index
        return [
            self.item(plain(" ".join(parts)), first, last) for parts, first, last in items if plain(" ".join(parts))
        ]


_FIRST_LINE_ASIDE = re.compile(r"\s*\((?:[^()\s]+\s+){4,}[^()]*\)\s*$")  # "(typed during the call, cleaned up after)"
_NOTE_KIND_SUFFIX = re.compile(  # what kind of document the first line calls itself: " - bridge call notes"
    r"\s+[-\u2013\u2014|:]\s+(?:[\w-]+\s+){0,3}(?:notes|write-?up|post-?mortem|retro(?:spective)?)\s*$", re.IGNORECASE
)
_GRADE = r"(?:sev(?:erity)?[- ]?[0-5]\??|p[0-5]|s[0-5]|[0-5]|critical|major|minor|high|medium|low|moderate|severe)"
_DONE_WORK = re.compile(r"^(?:immediate|already)\b|\b(?:taken|done|completed|performed)\W*$", re.IGNORECASE)
_YEAR_IN_HEADER = re.compile(r"\(((?:19|20)\d{2})\)")  # "Date (2021)" in a table's header row
_GRADE_WORD = r"(?:critical|major|minor|high|medium|low|moderate|severe)"
_LEADING_GRADE = re.compile(r"^\[?(?:sev(?:erity)?[- ]?[0-5]|p[0-4])\]?\s*[-\u2013\u2014:|]\s+", re.IGNORECASE)
_GRADE_THEN_NOTE = re.compile(rf"^({_GRADE})\s*[-\u2013\u2014(,;:/]\s*(?!{_GRADE}\W*$)\S", re.IGNORECASE)


def _severity_grade(value: str) -> str:
    """`SEV1 (customer facing)` -> `SEV1`: the grade without the note after it; `2 - High` stays as written."""
    bare = re.sub(r"\s*\([^()]*\)\s*$", "", value.strip())  # "Sev-1 (critical)": the note in parentheses goes
    value = bare if re.fullmatch(_GRADE, bare, re.IGNORECASE) else value
    match = _GRADE_THEN_NOTE.match(value.strip())
    return match.group(1) if match else value.rstrip(".")


def _within(day: str, period: FoundDate) -> bool:
    """True when the day `YYYY-MM-DD` falls in the month or quarter `period`."""
    if period.precision == "month":
        return day.startswith(period.value)
    year, quarter = period.value.split("-Q")
    return day[:4] == year and (int(day[5:7]) - 1) // 3 + 1 == int(quarter)


_WEEKDAY = re.compile(  # what may come before an entry's date: its weekday, or its number ("Incident 2 - ")
    r"^(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s*"
    r"|(?:incident|outage|issue)\s*#?\d{1,3}\s*[-\u2013\u2014:|,]?\s*)?$",
    re.IGNORECASE,
)


def _leads(text: str, found: FoundDate) -> bool:
    """The date opens the text, alone or after its weekday (`Tue 2017-11-07 - uploads failing`)."""
    return _WEEKDAY.match(text[: found.start]) is not None


def _clip(text: str) -> str:
    return text if len(text) <= MAX_ITEM_CHARS else text[: MAX_ITEM_CHARS - 3].rstrip() + "..."


def extract(note: NoteText) -> Extracted:
    """The note as one incident (the first, when it holds several)."""
    return extract_all(note)[0]


def extract_all(note: NoteText) -> list[Extracted]:
    """One Extracted per incident in the note, each with its own line range when there are several."""
    parts = split_incidents(note)
    if len(parts) == 1:
        return [Extractor(expand_inline_sections(note)).run()]
    results = []
    order = slash_order(note.lines)
    for part in parts:
        extracted = Extractor(expand_inline_sections(part), order, digest_entry=True).run()
        extracted.lines = SourceSpan(start=min(part.numbers), end=max(part.numbers))
        results.append(extracted)
    return results


_NEXT_LABEL = re.compile(r"(?<=[a-z0-9)][.;])\s+(?=[A-Za-z][A-Za-z /'-]{1,30}:\s)")  # a sentence, then "Cause: ..."
_INLINE_LABEL = re.compile(  # "AI (sre): add alert": an owner in parentheses after the label
    r"^(?P<indent>[\s>*+-]*)(?:\*\*|__)?\s*(?P<label>[A-Za-z][A-Za-z /'-]{0,30}?)\s*(?:\([^()]{1,30}\)\s*)?"
    r"(?::\s*(?:\*\*|__)|(?:\*\*|__)\s*:|:|\s*(?:->|=>|\u2192))\s*(?P<rest>\S.*)$"  # "follow-ups -> a, b" too
)


def expand_inline_sections(note: NoteText) -> NoteText:
    """`followups: a, b, c` and `**Root cause:** text` lines become a heading and its body (same source line).

    An action label's comma or semicolon list becomes one item each, so free-text notes give action items.
    """
    rules = load_rules()
    expanded = dataclasses.replace(note, lines=[], numbers=[], splits=[])
    first = next((i for i, line in enumerate(note.lines) if line.strip()), -1)
    for line, number in ((part, n) for whole, n in zip(note.lines, note.numbers) for part in _labelled(whole, rules)):
        if first >= 0 and line == note.lines[first] and _TITLE_LEAD.match(plain(line)):
            first = -1
            expanded.add(line, number)  # "RCA: partial outage of uploads" opening the note is its title
            continue
        match = _INLINE_LABEL.match(line)
        kind = classify(match.group("label"), rules.sections) if match and "://" not in match.group("label") else None
        label = plain(match.group("label")).lower() if match else ""
        rest = match.group("rest").strip() if match else ""
        graded = kind == "impact" and re.match(  # "Impact: High", "impact: high. release builds failed"
            rf"{_GRADE_WORD}(?:[.;]\s|[.\s]*$)", rest, re.IGNORECASE
        )
        if kind is None or graded or any(label in labels for labels in rules.fields.values()):
            expanded.add(line, number)
            continue
        expanded.add(f"### {plain(match.group('label'))}", number)
        if kind == "action_items":
            parts = split_actions(rest)
            for part in parts if not _NO_ITEM.match(parts[0]) else []:  # "Follow-ups: none, the fixes are permanent."
                expanded.add(f"- {part}", number)
            expanded.add("", number)
        else:
            expanded.add(rest, number)
    return expanded


def _labelled(line: str, rules: Rules) -> list[str]:
    """`Sev: P2. Cause: pool exhausted. Follow-up: raise pool` -> one line per known label (same source line)."""
    pieces = _NEXT_LABEL.split(line)
    if len(pieces) == 1:
        return [line]
    lines = [pieces[0]]
    for piece in pieces[1:]:
        label = plain(piece.split(":", 1)[0]).lower()
        known = classify(label, rules.sections) or any(label in labels for labels in rules.fields.values())
        if known:
            lines.append(piece)
        else:
            lines[-1] += " " + piece
    return lines


def split_actions(text: str) -> list[str]:
    """`a, b, c` or `a; b` or `1) a 2) b` as separate actions; one sentence stays one action."""
    numbered = [p.strip(" ,;") for p in re.split(r"(?:^|\s)\(?\d{1,2}[.)]\s+", text) if p.strip(" ,;")]
    if len(numbered) > 1:
        return numbered
    separator = ";" if ";" in text else ","
    parts = [p.strip(" .") for p in re.split(rf"{separator}\s*(?:and\s+)?", text) if p.strip(" .")]
    return parts if all(len(p.split()) <= 14 for p in parts) else [text.strip()]


_TIME_AFTER = re.compile(r"^[T\W]{0,3}\d{1,2}:\d{2}")


def split_incidents(note: NoteText) -> list[NoteText]:
    """A digest of several dated incidents (headings or top-level bullets, each with its own date) -> one part each.

    Structured formats say where each incident starts (`note.splits`); for text, a start is a heading or a
    top-level list item that begins with a day, not followed by a time (that is a timeline row), outside a
    timeline section.
    Two or more starts of the same kind split the note; the digest's own preamble belongs to no incident.
    """
    starts = note.splits
    yearless: dict[int, FoundDate] = {}  # an entry's "Mar 4", in the one year its digest names
    if not starts and not note.is_chat and not note.structured:
        rules = load_rules()
        rows = _table_incidents(note, rules)
        if rows:
            return rows
        headings: list[tuple[int, int]] = []  # (level, index)
        bullets: list[int] = []
        dated_lines: list[int] = []
        year = _digest_year(note.lines)
        timeline_level = 0  # inside a timeline section, dated headings and bullets are its days, not incidents
        for index, line in enumerate(note.lines):
            heading = _ATX.match(line)
            bullet = _LIST_ITEM.match(line)
            if heading:
                level = len(heading.group(1))
                if timeline_level and level <= timeline_level:
                    timeline_level = 0
                kind = classify(heading.group(2), rules.sections)
                if kind == "timeline" and not timeline_level:
                    timeline_level = level
                if kind is not None:
                    continue
            if timeline_level:
                continue
            lead = _TITLE_LEAD.match(line.strip())
            text = (
                plain(heading.group(2))
                if heading
                else plain(bullet.group(2))
                if bullet and not bullet.group(1)
                else (line.strip() if lead and line == line.lstrip() else None)
            )
            dated_line = (  # "04.03.2021 Checkout outage - P1", "Mar 4: checkout outage (P1)"
                not text and not bullet and (line[:1].isdigit() or (year is not None and _MONTH_START.match(line)))
            )
            text = text or (line.strip() if dated_line else None)
            if not text:
                continue
            dates = find_dates(text if heading else text[:80], in_title=True)
            if not dates and year is not None:
                dates = [f for f in find_yearless_days(text[:25], year) if _leads(text, f)][:1]
                if dates:
                    yearless[index] = dates[0]
            if heading and not dates and _date_field_below(note.lines, index, rules):
                headings.append((len(heading.group(1)), index))  # "## 1. Checkout outage" above "Date: 2021-03-04"
                continue
            if dated_line and (not dates or dates[0].start > 0 or not _ENTRY_GRADE.search(text)):
                continue  # a dated line is an incident only with its grade: a commit log's lines are not
            if (
                not dates
                or dates[0].precision != "day"
                or (dates[0].start > 25 and not heading and not _TITLE_THEN_DATE.search(text[: dates[0].start]))
                or _TIME_AFTER.match(text[dates[0].end :])
            ):
                continue
            if len(re.findall(r"[A-Za-z]{2,}", text[: dates[0].start] + text[dates[0].end :])) < 2:
                continue  # a bare date heading is a day of a timeline, not an incident
            if heading or lead:
                headings.append((len(heading.group(1)) if heading else 0, index))
            elif dated_line:
                dated_lines.append(index)
            else:
                bullets.append(index)
        levels = Counter(level for level, _ in headings)
        level, count = levels.most_common(1)[0] if levels else (0, 0)
        starts = (
            [index for lvl, index in headings if lvl == level] if count >= 2 else bullets if len(bullets) >= 2 else []
        )
        if not starts and len(dated_lines) >= 2 and not _has_sections(note.lines, rules):
            starts = dated_lines  # a log of one dated line per incident, in a note with no sections of its own
    if len(starts) < 2:
        return [note]
    parts = []
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(note.lines)
        lines, numbers = note.lines[start:end], note.numbers[start:end]
        if not any(line.strip() for line in lines):
            continue
        if start in yearless:  # the entry's own line names its day with the digest's year
            lines = [lines[0].replace(yearless[start].written, yearless[start].value, 1), *lines[1:]]
        if not note.splits:
            lead = _as_heading(lines[0])
            lines, numbers = [*lead, *lines[1:]], [numbers[0]] * len(lead) + numbers[1:]
        parts.append(dataclasses.replace(note, lines=lines, numbers=numbers, splits=[]))
    return parts


_TITLE_THEN_DATE = re.compile(r"\w\s+(?:--?|[\u2013\u2014])\s+$")  # "Gate scanners rejected tickets -- 10/27/2020"
_MONTH_START = re.compile(r"[A-Za-z]{3,9}\.?\s+\d")  # a line that may open with "Mar 4"
_ENTRY_GRADE = re.compile(r"\b(?:sev(?:erity)?[- ]?[0-5]|p[0-4])\b", re.IGNORECASE)


def _digest_year(lines: list[str]) -> int | None:
    """The one year a digest's opening lines name ("2021 incident log"), for entries written without one."""
    opening = [line for line in lines if line.strip()][:3]
    years = {int(y) for line in opening for y in re.findall(r"(?<![\d-])((?:19|20)\d{2})(?![\d-])", line)}
    return years.pop() if len(years) == 1 else None


def _date_field_below(lines: list[str], index: int, rules: Rules) -> bool:
    """A `Date: <day>` field among the few lines under heading `index`, before any other heading."""
    for line in lines[index + 1 : index + 5]:
        if _ATX.match(line):
            return False
        match = _FIELD.match(line)
        if match and plain(match.group(1)).lower() in rules.fields["date"] and match.group(2):
            return any(f.precision == "day" and not f.ambiguous for f in find_dates(match.group(2)))
    return False


def _has_sections(lines: list[str], rules: Rules) -> bool:
    """The note names sections of its own (`## Timeline`, a bare `Timeline` line, `Summary:`)."""
    names = {synonym for synonyms in rules.sections.values() for synonym in synonyms}
    for line in lines:
        heading = _ATX.match(line)
        if heading and classify(heading.group(2), rules.sections):
            return True
        if plain(line).lower().strip(" :") in names:
            return True
    return False


def _table_incidents(note: NoteText, rules: Rules) -> list[NoteText]:
    """An incident log kept as a table (`| Date | Incident | Sev | Follow-ups |`, two or more rows each with a day):
    one incident per row, its cells as `Header: value` lines at the row's line, the title cell as its heading.

    Only in a note with no section headings of its own: a postmortem's table of earlier incidents is no digest.
    """
    lines = note.lines
    if any((h := _ATX.match(line)) and classify(h.group(2), rules.sections) for line in lines):
        return []
    for index in range(len(lines) - 1):
        header = _TABLE_ROW.match(lines[index])
        if not header or not _TABLE_RULE.match(lines[index + 1]):
            continue
        names = [plain(cell) for cell in header.group(1).split("|")]
        kinds = [next((k for k, labels in rules.fields.items() if name.lower() in labels), None) for name in names]
        if "date" not in kinds or "title" not in kinds:
            continue
        rows = []
        for row_index in range(index + 2, len(lines)):
            row = _TABLE_ROW.match(lines[row_index])
            if not row:
                break
            rows.append((row_index, [plain(cell) for cell in row.group(1).split("|")]))
        day_column, title_column = kinds.index("date"), kinds.index("title")
        dated = [
            cells
            for _, cells in rows
            if len(cells) == len(names) and any(f.precision == "day" for f in find_dates(cells[day_column]))
        ]
        if len(rows) < 2 or len(dated) < len(rows):
            continue
        parts = []
        for row_index, cells in rows:
            part = dataclasses.replace(note, lines=[], numbers=[], splits=[])
            part.add("# " + cells[title_column], note.numbers[row_index])
            for position, (name, cell) in enumerate(zip(names, cells)):
                if position != title_column and name and cell:
                    part.add(f"{name}: {cell}", note.numbers[row_index])
            parts.append(part)
        return parts
    return []


def _as_heading(line: str) -> list[str]:
    """A digest entry's first line as its incident's heading and body lines.

    `- 2023-01-12 payments 502s. Cause: bad deploy. AI: add canary` -> `# 2023-01-12 payments 502s`,
    `Cause: bad deploy.`, `AI: add canary` (one sentence a line, so each label starts its own line).
    """
    bullet = _LIST_ITEM.match(line)
    if _ATX.match(line) or not (bullet or line[:1].isdigit()):
        return [line if _ATX.match(line) else "# " + line.strip()]
    text = plain(bullet.group(2) if bullet else line)  # a bullet, or a line opening with its date
    head, *rest = re.split(rf"(?<=[a-z0-9)])[.;]\s+|\s+[—–]\s+(?=[A-Z])|{_DASH_BEFORE_FIELD}", text, maxsplit=1)
    sentences = re.split(rf"(?<=[a-z0-9)\]])[.]\s+(?=[A-Za-z])|{_DASH_BEFORE_FIELD}", rest[0]) if rest else []
    return ["# " + head, *sentences]


# " - P1 - AI: add canary": a dash before a grade or a label separates an entry's parts
_DASH_BEFORE_FIELD = rf"\s+(?:--?|[\u2013\u2014])\s+(?=(?i:{_GRADE})\b|[A-Za-z][\w ]{{0,20}}:\s)"
