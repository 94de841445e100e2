"""Markdown-aware segmentation: which characters of a document are prose, and what context they are in.

The result keeps the document's length: `masked` has the same characters as the text where there is
prose, `BLOCK` (\\x03, not whitespace to `re`) between blocks, table cells and sentences-that-cannot-join, and `HIDDEN` (\\x00)
over code, quotes, URLs, comments and front matter. Soft-wrapped lines are joined by turning the newline
into a space. Because offsets never move, a match in `masked` is a span of the original text, and line
and column come from the original line starts.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from pipeline import regex_cache

BLOCK = "\x03"
HIDDEN = "\x00"
# An IRC line's time and speaker tag ("[22:05] <tess> "), a call transcript's ("[Priya]: ", "**Priya:** "), or a Teams
# line's ("[14:02] Priya Sharma: "): it says who wrote or said the line, not who is blamed in it (the rewrite keeps it
# as the line's label). The IRC tag is markup to Markdown, so hidden in the masked text.
SPEAKER_TIME = r"\[\d{1,2}:\d{2}(?::\d{2})?\]"
# Emoji and pictographic symbols (a character class's body): chat opens a line with one ("🔥 who restarted redis?")
PICTOGRAPHS = "\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d"
SPEAKER_TAG = (
    rf"(?:(?:{SPEAKER_TIME}\s*)?(?:<[\w.@|-]{{1,30}}>|\[[A-Za-z][\w .@'-]{{0,30}}\]:|\*\*[A-Z][\w .'-]{{0,30}}:\*\*)\s+"
    rf"|{SPEAKER_TIME}\s*[A-Z][\w.'-]*(?: [A-Z][\w.'-]*){{0,2}}:\s+)"  # and Teams: "[14:02] Priya Sharma: "
)

_FENCE = regex_cache.compile(r"^ {0,3}(`{3,}(?![^`]*`)|~{3,})")  # a backtick fence's info string has no backtick
_HEADING = regex_cache.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")
_SETEXT = regex_cache.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_THEMATIC = regex_cache.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
# a list item: Markdown's markers, and the bullets, dashes and letters a word processor pastes ("• ", "– ", "a) ", "(1) ")
_LIST = regex_cache.compile(
    r"^([ \t]*)([-*+•◦▪‣●○■–—→➜⇒]|\d{1,9}[.)]|[a-zA-Z]\)|\((?:\d{1,3}|[a-zA-Z])\))([ \t]+(?:\[[ xX]\][ \t]+)?|$)"
)
# A pasted Slack message's header line, "Priya Sharma  10:42 AM" or "rosa [09:14]": the message starts on the next line
_SPEAKER_LINE = regex_cache.compile(
    r"[ \t]*@?[A-Za-z][\w.'-]*(?: [A-Z][\w.'-]*){0,3}[ \t]+\[?\d{1,2}:\d{2}(?::\d{2})?(?:[ \t]*[AaPp]\.?[Mm]\.?)?\]?[ \t]*\Z"
)
_SPEAKER_LINE_ENDS = frozenset("0123456789mM]")
_QUOTE = regex_cache.compile(r"^[ \t]{0,3}(?:>[ \t]?)+")
_TABLE_SEP = regex_cache.compile(r"^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$")
_HTML_BLOCK = regex_cache.compile(
    r"^ {0,3}</?(?:div|table|thead|tbody|tr|td|th|details|summary|p|br|img|hr|pre|section|span|a|ul|ol|li|h[1-6]|sup|sub|style|script)\b",
    re.I,
)
# A link reference definition, `[label]: destination "optional title"`, and nothing else on the line: a transcript's
# speaker tag ("[Priya]: okay, but who approved ...") is prose, not a definition.
_LINK_DEF = regex_cache.compile(
    r"^ {0,3}\[[^\]]+\]:[ \t]*(?:<[^<>\n]*>|\S+)(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*\r?$"
)
_COMMENT = regex_cache.compile(r"<!--(.*?)-->", re.S)
_CONTROL = regex_cache.compile(r"^\s*blameless-(disable|enable|ignore-next|ignore)\b(.*)$", re.S | re.I)
# `blameless-ignore [RULE] ["phrase"]`: one match, named by its rule and (part of) its words.
_IGNORE_ARGS = regex_cache.compile(r'^\s*(BL\d{3}|[a-z][a-z0-9-]+)?\s*(?:"([^"]+)")?\s*$', re.I)
_TIME_ROW = regex_cache.compile(
    r"^[^\w]*+(?:\d{1,9}[.)]\s+)?[^\w]*+(?:\d{4}-\d{2}-\d{2}[T ])?\d{1,2}:\d{2}(?::\d{2})?\b"
)
# A metadata line ("keywords: outage, human error", "**Tags:** ..."): a list of labels, not prose.
_METADATA = regex_cache.compile(
    r"^(?:[-*+][ \t]+)?(?:\*\*)?(?:keywords|tags|labels|categories|topics|aliases)(?:\*\*)?[ \t]*:", re.I
)
_CONTROL_IDS = regex_cache.compile(r"\b(?:BL\d{3}|[a-z][a-z0-9-]+)\b", re.I)

# First non-space characters that can begin a fence, or a thematic break, link definition or HTML block
# (each expression above allows at most three spaces first): lines starting otherwise skip those tests.
_FENCE_LEADS = frozenset("`~")
_MARKUP_LEADS = frozenset("*-_[<")

# a whole backtick run opens, once: linear. It starts with the literal backtick (the check that none comes
# before follows it) so that `re` jumps from backtick to backtick instead of trying every character.
_INLINE_CODE = regex_cache.compile(r"(`(?<!``)`*+)[^\x03]*?(?<!`)\1(?!`)")
_IMAGE = regex_cache.compile(r"!\[[^\[\]\x03]*\]\([^()\x03]*\)")  # no nested brackets: linear on "[[[[..." input
# A raw Slack user mention in pasted chat, after its "<": @U024BE7LH> or @U024BE7LH|priya>
_MENTION = r"@([UW][A-Z0-9]{2,20})(?:\|[^<>\x03]{0,40})?>"
_INLINE_MARKUP = regex_cache.compile(r"\]\(|\]\[|" + _MENTION)  # a link's target, a mention
_SLACK_MENTION = regex_cache.compile("<" + _MENTION)
_LINK = regex_cache.compile(r"\[([^\[\]\x03]*)\](\([^()\x03]*\)|\[[^\[\]\x03]*\])")
_AUTOLINK = regex_cache.compile(r"<(?:https?|ftp|mailto):[^>\x03]*>")
# Alternatives that each begin with a letter let `re` skip ahead by first character.
_URL = regex_cache.compile(r"https?://[^\s<>\x03]+|ftp://[^\s<>\x03]+|www\.[^\s<>\x03]+")
_HTML_TAG = regex_cache.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>\x03]*)?/?>")  # stops at the next "<": linear
_QUOTES = (
    regex_cache.compile(r'"[^"\x03]{1,200}?"'),
    regex_cache.compile(r"“[^”\x03]{1,200}?”"),
    regex_cache.compile(r"‘[^’\x03]{1,200}?’(?!\w)"),
)
_SINGLE_QUOTED = regex_cache.compile(r"'(?=\S)[^'\x03]{1,120}?(?<=\S)'(?![\w'’])")
# A whole run of underscores that is not between two letters or digits (snake_case stays): emphasis.
_EMPHASIS_UNDERSCORES = regex_cache.compile(r"_(?<!__)(?:(?<![^\W_]_)_*|_*(?!\w))")


@dataclass(frozen=True)
class Control:
    """An inline comment control: which rules (empty = all) are off from `start` to `end`."""

    start: int
    end: int
    rules: frozenset[str]


@dataclass(frozen=True)
class OneMatchIgnore:
    """A `blameless-ignore` comment: the first match of `rules` (empty = any rule) between `start` and
    `end` whose words overlap `phrase` (None = any words) is not reported; other matches still are."""

    start: int
    end: int
    rules: frozenset[str]
    phrase: str | None
    comment: int  # where the comment itself starts

    def matches_rule(self, rule_id: str, slug: str) -> bool:
        return not self.rules or rule_id.lower() in self.rules or slug in self.rules

    def phrase_spans(self, lowered: str) -> list[tuple[int, int]]:
        """Where the phrase occurs in the target (case and whitespace runs ignored)."""
        if self.phrase is None:
            return [(self.start, self.end)]
        words = folded(self.phrase).split()
        expression = re.compile(r"\s+".join(re.escape(word) for word in words))
        return [m.span() for m in expression.finditer(lowered, self.start, self.end)]


def ignore_comment(rule_id: str, match: str) -> str:
    """The comment that ignores one finding, for code that writes it (a reviewer's "Reject"): the rule and
    the longest stretch of the matched words that a comment can hold."""
    pieces = re.split(r'"|--', " ".join(match.split()))
    phrase = max(pieces, key=len).strip()
    return f'<!-- blameless-ignore {rule_id} "{phrase}" -->' if phrase else f"<!-- blameless-ignore {rule_id} -->"


def with_ignore_comment(text: str, line: int, rule_id: str, match: str) -> str:
    """`text` with the comment that ignores one finding (its line, rule id and matched words) added at the
    end of the finding's first line, where it applies to that line only."""
    lines = text.split("\n")
    index = line - 1
    lines[index] = lines[index].rstrip() + " " + ignore_comment(rule_id, match)
    return "\n".join(lines)


@dataclass
class Document:
    text: str
    masked: str
    line_starts: list[int]
    line_kinds: list[str]
    line_sections: list[str | None]
    timeline_rows: list[bool]
    controls: list[Control] = field(default_factory=list)
    ignores: list[OneMatchIgnore] = field(default_factory=list)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        index = bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1

    def line_index(self, offset: int) -> int:
        return bisect_right(self.line_starts, offset) - 1

    def contexts(self, offset: int) -> set[str]:
        """Contexts of the line holding `offset`: heading, timeline, action_items."""
        index = self.line_index(offset)
        found: set[str] = set()
        if self.line_kinds[index] == "heading":
            found.add("heading")
        section = self.line_sections[index]
        if section:
            found.add(section)
        if self.timeline_rows[index]:
            found.add("timeline")
        return found

    def suppressed(self, offset: int, rule_id: str, slug: str) -> bool:
        """True when an inline control turns this rule off at this offset."""
        return any(
            c.start <= offset < c.end and (not c.rules or rule_id.lower() in c.rules or slug in c.rules)
            for c in self.controls
        )


def _hide_keeping_newlines(match: re.Match[str]) -> str:
    """Hide a span across lines, keeping its newlines (line numbers must not move)."""
    return "\n".join(HIDDEN * len(part) for part in match.group(0).split("\n"))


def _hide(match: re.Match[str]) -> str:
    return HIDDEN * len(match.group(0))


def folded(text: str) -> str:
    """`text` as the rules read it: lower case, and curly apostrophes as straight ones (a word processor writes
    "didn’t" everywhere), without moving any offset (a few characters, like 'İ', lower-case to two)."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return lowered.replace("’", "'").replace("‘", "'")  # str.replace: 50 times faster than translate on 1 MB


_UNICODE_SPACE = regex_cache.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")  # no-break, thin, ideographic


def markup_in(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] holds a link's target or a raw Slack mention, which the masked text reads as
    spaces: the words around it are checked, but no fix or rewrite may replace it as if it were words."""
    return _INLINE_MARKUP.search(text, start, end) is not None


def _mention_as_handle(match: re.Match[str]) -> str:
    """A Slack mention pasted raw reads as the handle it is: "<@U024BE7LH> forgot ..." as "@U024BE7LH forgot ..."."""
    return " @" + match.group(1) + " " * (len(match.group(0)) - len(match.group(1)) - 2)


def _link_text_only(match: re.Match[str]) -> str:
    """A link reads as its text: "[Dave](https://...) forgot to renew it" is a sentence about Dave. The target
    becomes spaces, not hidden characters, so the words on either side still read as neighbours."""
    text = match.group(1)
    return " " + text + " " * (len(match.group(0)) - len(text) - 1)


# The last masked text per (skip_quotes, skip_blockquotes), with the text it came from: the check, its rewrites
# and --fix each need the same masked text of one file, and segmenting 1 MB takes ~40 ms.
_last_masked: dict[tuple[bool, bool], tuple[str, str]] = {}


def masked_prose(text: str, *, skip_quotes: bool = True, skip_blockquotes: bool = False) -> str:
    """`segment(text).masked`, reused when that very text was just segmented (sections never change it)."""
    last = _last_masked.get((skip_quotes, skip_blockquotes))
    if last is not None and last[0] is text:
        return last[1]
    return segment(text, skip_quotes=skip_quotes, skip_blockquotes=skip_blockquotes).masked


def segment(
    text: str,
    *,
    sections: dict[str, re.Pattern[str]] | None = None,
    skip_quotes: bool = True,
    skip_blockquotes: bool = False,
) -> Document:
    """Mask everything that is not prose and record each line's block kind, section and timeline role."""
    uncommented, controls = _mask_comments(text)
    lines = text.split("\n")
    views = uncommented.split("\n") if controls is not None else lines  # what each line shows
    starts: list[int] = []
    offset = 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    kinds = ["blank"] * len(lines)
    line_sections: list[str | None] = [None] * len(lines)
    timeline_rows = [False] * len(lines)
    section: str | None = None
    sections = sections or {}

    commented = _lines_with_comments(text, starts) if controls is not None else set()
    out: list[str] = []  # the masked document: each line's masked text, then what replaces its newline

    i = _front_matter_end(lines)
    for j in range(i):  # front matter keeps its newlines; the line after it starts a block of its own
        out += (HIDDEN * len(lines[j]), BLOCK if j == i - 1 else "\n")
        kinds[j] = "hidden"
    fence: str | None = None
    previous = "blank"
    in_list = False
    while i < len(lines):
        line = shown = views[i]
        kind = "para"
        if fence is None and line[:1].isalpha() and line[1:2] != ")" and "|" not in line:  # not "a) ..."
            if previous == "quote":  # a lazy continuation: the quoted paragraph goes on without ">"
                kind = "quote"
                shown = HIDDEN * len(line) if skip_blockquotes else line
            elif ":" in line[:16] and _METADATA.match(line):
                kind = "hidden"  # "keywords: outage, human error": a field, not a sentence anyone wrote
        elif fence is not None:
            kind = "hidden"
            if line.strip().startswith(fence) and set(line.strip()) <= {fence[0]}:
                fence = None
        elif not (line.replace(HIDDEN, "").strip() if i in commented else line.strip()):
            kind = "blank"
        elif (lead := line.lstrip(" ")[:1]) in _FENCE_LEADS and (m := _FENCE.match(line)) is not None:
            fence, kind = m.group(1), "hidden"
        elif line.startswith(("    ", "\t")) and in_list and not _LIST.match(line):
            kind = "cont"
        elif line.startswith(("    ", "\t")) and previous in ("blank", "hidden", "code"):
            kind = "code"
        elif lead == "#" and (m := _HEADING.match(line)) is not None:
            kind = "heading"
            shown = " " * m.end() + line[m.end() :]
            section = _classify(line[m.end() :], sections)
        elif previous == "para" and _SETEXT.match(line):
            kind = "hidden"
            kinds[i - 1] = "heading"
            section = _classify(views[i - 1], sections)
            line_sections[i - 1] = section
        elif lead in _MARKUP_LEADS and (_THEMATIC.match(line) or _LINK_DEF.match(line) or _HTML_BLOCK.match(line)):
            kind = "hidden"
        elif "|" in line and (
            _TABLE_SEP.match(line)
            or line.lstrip().startswith("|")
            or _next_is_table_sep(lines, i)
            or previous == "table"
        ):
            kind = "table"
            if _TABLE_SEP.match(line):
                kind = "hidden"
            else:
                shown = _mask_table_row(line)
        elif (m := _QUOTE.match(line)) is not None:
            kind = "quote"
            shown = HIDDEN * len(line) if skip_blockquotes else " " * m.end() + line[m.end() :]
        elif (m := _LIST.match(line)) is not None:
            kind = "item"
            shown = " " * m.end() + line[m.end() :]
        elif previous in ("item", "cont") and line[:1] in (" ", "\t"):
            kind = "cont"
        elif previous == "quote" and line.strip():  # a lazy continuation: the quoted paragraph goes on without ">"
            kind = "quote"
            shown = HIDDEN * len(line) if skip_blockquotes else line
        if kind in ("para", "item") and line.find(":", 0, 24) >= 0 and _METADATA.match(line):
            kind = "hidden"
        if kind in ("hidden", "code"):
            shown = HIDDEN * len(line)
        kinds[i] = kind
        line_sections[i] = section
        if kind in ("table", "item", "para", "cont") and not line[:1].isalpha() and _TIME_ROW.match(line):
            timeline_rows[i] = True
        joins = (
            kind in ("para", "item", "cont", "quote")
            and i + 1 < len(lines)
            and _continues(lines[i + 1], kind)
            and not (line[-1:] in _SPEAKER_LINE_ENDS and _SPEAKER_LINE.match(line))
        )
        out += (shown, " " if joins else BLOCK)
        if kind == "item":
            in_list = True
        elif kind not in ("blank", "cont"):
            in_list = False
        if kind != "blank":
            previous = kind
        elif previous != "code":
            previous = "blank"
        i += 1

    masked = "".join(out)[: len(text)]  # the last line has no newline to replace
    if not masked.isascii():
        masked = _UNICODE_SPACE.sub(" ", masked)  # "Dave\u00a0forgot": a space the rules read as one
    masked = _mask_inline(masked, skip_quotes)
    _last_masked[(skip_quotes, skip_blockquotes)] = (text, masked)
    ignores = _one_match_ignores(controls or [], text, masked)
    controls = _control_ranges([c for c in controls or [] if c[0] != "ignore"], masked, len(text))
    return Document(text, masked, starts, kinds, line_sections, timeline_rows, controls, ignores)


def _lines_with_comments(text: str, starts: list[int]) -> set[int]:
    """Indexes of lines an HTML comment touches (their masked view differs from the text)."""
    touched: set[int] = set()
    for match in _COMMENT.finditer(text):
        first = bisect_right(starts, match.start()) - 1
        last = bisect_right(starts, match.end()) - 1
        touched.update(range(first, last + 1))
    return touched


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(1-based number, line) of the non-blank lines outside front matter, fenced or indented code and
    blockquotes: a cheap pass for questions about a document's prose (its language) that need no `segment`."""
    lines = text.split("\n")
    start = _front_matter_end(lines)
    prose: list[tuple[int, str]] = []
    fence: str | None = None
    for number, line in enumerate(lines[start:], start=start + 1):
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence) and set(stripped) <= {fence[0]}:
                fence = None
        elif (m := _FENCE.match(line)) is not None:
            fence = m.group(1)
        elif stripped and not line.startswith(("    ", "\t")) and not stripped.startswith(">"):
            prose.append((number, line))
    return prose


def _front_matter_end(lines: list[str]) -> int:
    """Number of lines of YAML front matter (0 when there is none)."""
    if not lines or lines[0].strip() != "---":
        return 0
    for index in range(1, min(len(lines), 200)):
        if lines[index].strip() in ("---", "..."):
            return index + 1
    return 0


def _continues(next_line: str, kind: str) -> bool:
    """Is the next line a soft-wrapped continuation of this block?"""
    if next_line[:1].isalpha():  # the common case: no block marker can start with a letter
        return True  # (after a quote, a lazy continuation of the quoted paragraph)
    if not next_line.strip() or _HEADING.match(next_line) or _FENCE.match(next_line):
        return False
    if _LIST.match(next_line) or _TABLE_SEP.match(next_line) or next_line.lstrip().startswith("|"):
        return False
    if _SETEXT.match(next_line) or _THEMATIC.match(next_line) or _HTML_BLOCK.match(next_line):
        return False
    is_quote = _QUOTE.match(next_line) is not None
    return is_quote if kind == "quote" else not is_quote


def _next_is_table_sep(lines: list[str], i: int) -> bool:
    return i + 1 < len(lines) and _TABLE_SEP.match(lines[i + 1]) is not None and "|" in lines[i + 1]


def _mask_table_row(line: str) -> str:
    """Each cell is its own block: unescaped pipes become block boundaries."""
    pieces: list[str] = []
    done = 0
    k = line.find("|")
    while k >= 0:
        if k == 0 or line[k - 1] != "\\":
            pieces += (line[done:k], BLOCK)
            done = k + 1
        k = line.find("|", k + 1)
    pieces.append(line[done:])
    return "".join(pieces)


def _classify(heading: str, sections: dict[str, re.Pattern[str]]) -> str | None:
    return next((name for name, regex in sections.items() if regex.search(heading)), None)


_Found = tuple[str, frozenset[str], int, int, str | None]


def _mask_comments(text: str) -> tuple[str, list[_Found] | None]:
    """The text with HTML comments hidden, and their controls as (verb, rule ids, comment start, comment
    end, phrase); None instead of the controls when the text has no comment at all."""
    if "<!--" not in text:
        return text, None
    found: list[_Found] = []
    for match in _COMMENT.finditer(text):
        control = _CONTROL.match(match.group(1))
        if not control:
            continue
        verb = control.group(1).lower()
        if verb == "ignore":
            args = _IGNORE_ARGS.match(control.group(2))
            if args is None:
                continue  # not the documented shape: ignoring nothing beats ignoring the wrong match
            ids = frozenset({args.group(1).lower()}) if args.group(1) else frozenset()
            found.append((verb, ids, match.start(), match.end(), args.group(2)))
        else:
            ids = frozenset(token.lower() for token in _CONTROL_IDS.findall(control.group(2)))
            found.append((verb, ids, match.start(), match.end(), None))
    return _COMMENT.sub(_hide_keeping_newlines, text), found


def _one_match_ignores(found: list[_Found], text: str, masked: str) -> list[OneMatchIgnore]:
    """A trailing `blameless-ignore` targets its own line; one on a line of its own, the next block."""
    ignores = []
    for verb, ids, start, end, phrase in found:
        if verb != "ignore":
            continue
        line_start = text.rfind("\n", 0, start) + 1
        if masked[line_start:start].strip(f" \t{HIDDEN}{BLOCK}"):
            line_end = text.find("\n", end)
            target = (line_start, len(text) if line_end < 0 else line_end)
        else:
            target = (end, _next_block_end(masked, end))
        phrase = " ".join(phrase.split()) if phrase and phrase.strip() else None
        ignores.append(OneMatchIgnore(*target, ids, phrase, start))
    return ignores


def _control_ranges(found: list[_Found], masked: str, length: int) -> list[Control]:
    """Turn disable/enable/ignore-next comments into suppressed ranges.

    `disable` with no ids turns every rule off; `enable` with no ids turns everything back on;
    `enable BL005` ends only a `disable BL005`.
    """
    ranges: list[Control] = []
    all_since: int | None = None
    since: dict[str, int] = {}
    for verb, ids, start, end, _ in found:
        if verb == "disable":
            if not ids and all_since is None:
                all_since = end
            for rule in ids:
                since.setdefault(rule, end)
        elif verb == "enable":
            closing = ids or frozenset(since)
            for rule in closing:
                if rule in since:
                    ranges.append(Control(since.pop(rule), start, frozenset({rule})))
            if not ids and all_since is not None:
                ranges.append(Control(all_since, start, frozenset()))
                all_since = None
        else:
            ranges.append(Control(end, _next_block_end(masked, end), ids))
    if all_since is not None:
        ranges.append(Control(all_since, length, frozenset()))
    ranges.extend(Control(began, length, frozenset({rule})) for rule, began in since.items())
    return ranges


def _next_block_end(masked: str, offset: int) -> int:
    """End of the first block with prose after `offset` (the target of ignore-next)."""
    i = offset
    while i < len(masked) and masked[i] in (HIDDEN, BLOCK, " ", "\n", "\t"):
        i += 1
    end = masked.find(BLOCK, i)
    return len(masked) if end < 0 else end


def _mask_inline(masked: str, skip_quotes: bool) -> str:
    """Hide code spans, images, link targets, URLs, inline HTML and (optionally) quoted text."""
    masked = _INLINE_CODE.sub(_hide, masked)
    masked = _IMAGE.sub(_hide, masked)
    masked = _LINK.sub(_link_text_only, masked)
    masked = _SLACK_MENTION.sub(_mention_as_handle, masked)
    masked = _AUTOLINK.sub(_hide, masked)
    masked = _URL.sub(_hide, masked)
    masked = _HTML_TAG.sub(_hide, masked)
    if skip_quotes:
        for pattern in _QUOTES:
            masked = pattern.sub(_hide, masked)
        masked = _hide_single_quoted(masked)
    masked = masked.replace("*", " ").replace("~~", "  ")
    return _EMPHASIS_UNDERSCORES.sub(_spaces, masked)


def _hide_single_quoted(masked: str) -> str:
    """Hide 'quoted' text, but not apostrophes: the opening quote must not follow a letter."""
    pieces: list[str] = []
    done = pos = 0
    while (match := _SINGLE_QUOTED.search(masked, pos)) is not None:
        before = masked[match.start() - 1] if match.start() else " "
        if before.isalnum() or before in "_'’":
            pos = match.start() + 1
            continue
        pieces.append(masked[done : match.start()])
        pieces.append(HIDDEN * (match.end() - match.start()))
        done = pos = match.end()
    pieces.append(masked[done:])
    return "".join(pieces)


def _spaces(match: re.Match[str]) -> str:
    return " " * (match.end() - match.start())
