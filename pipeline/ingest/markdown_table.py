"""Find GitHub-flavoured markdown tables in a document, keeping each row's source line.

Timelines are usually a `| Time | Event |` table inside a longer page (headings, notes, a metadata table
above it), so this only finds tables; choosing the right one is the caller's job. Rules followed (GFM):
a header row, then a delimiter row with the same number of cells (`|---|:---:|`); `\\|` is a literal pipe
inside a cell (also inside inline code); leading and trailing pipes are optional. Simplification: a table
ends at the first blank line or line without a pipe, and tables inside fenced code blocks are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

DELIMITER_CELL_RE = re.compile(r"^\s*:?-+:?\s*$")
FENCE_RE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


@dataclass
class TableRow:
    line: int
    cells: list[str]


@dataclass
class Table:
    header: TableRow
    rows: list[TableRow] = field(default_factory=list)


def split_row(line: str) -> list[str]:
    """Split one table line into stripped cells; `\\|` becomes a literal `|` inside its cell."""
    text = line.strip()
    cells: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and text[index + 1 : index + 2] == "|":
            current.append("|")
            index += 2
            continue
        if char == "|":
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    cells.append("".join(current))
    if text.startswith("|"):
        cells = cells[1:]
    if len(cells) > 1 and text.endswith("|") and not text.endswith("\\|"):
        cells = cells[:-1]
    return [cell.strip() for cell in cells]


def is_delimiter_row(line: str) -> bool:
    if "-" not in line:
        return False
    return all(DELIMITER_CELL_RE.match(cell) for cell in split_row(line))


def find_tables(text: str) -> list[Table]:
    """Every table in `text`, in document order, with 1-based line numbers."""
    lines = text.split("\n")
    tables: list[Table] = []
    fence: str | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        fence_match = FENCE_RE.match(line)
        if fence_match:
            marker = fence_match.group(1)
            if fence is None:
                fence = marker[0] * 3
            elif marker.startswith(fence):
                fence = None
            index += 1
            continue
        if fence is not None or "|" not in line or index + 1 >= len(lines):
            index += 1
            continue
        header = split_row(line)
        if not is_delimiter_row(lines[index + 1]) or len(split_row(lines[index + 1])) != len(header):
            index += 1
            continue
        table = Table(header=TableRow(line=index + 1, cells=header))
        index += 2
        while index < len(lines) and lines[index].strip() and "|" in lines[index]:
            table.rows.append(TableRow(line=index + 1, cells=split_row(lines[index])))
            index += 1
        tables.append(table)
    return tables
