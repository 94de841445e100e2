"""Run a backfill: every note in the shard through read -> redact -> extract -> check -> record -> index.

Notes run concurrently (`--concurrency`), each in its own task; CPU work goes to threads and model calls
share one rate limiter. A note is marked done in the manifest only once its record files are written and,
with --index, its chunks are in the library, so a killed run resumes exactly where it stopped.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.backfill.extract import RULES_FILE, Extracted, extract_all
from pipeline.backfill.manifest import Manifest
from pipeline.backfill.reading import NoteText, read_note
from pipeline.backfill.sources import NoteSource, discover
from pipeline.errors import InputError, PipelineError
from pipeline.ingest.files import regular_files_inside, require_regular
from pipeline.models import Finding, NoteRecord, blocking_findings
from pipeline.output import write_atomic
from pipeline.redact import Redactor, redact
from pipeline.secrets import redact_json_text

if TYPE_CHECKING:
    from pipeline.llm import LLMConfig
    from pipeline.similar.documents import LibraryDocument
    from pipeline.similar.store import StoreConfig

RECORDS_DIR = "records"
CHUNKS_PER_NOTE = 2  # a record embeds as 2.3 chunks on average (1,005 for the 434 notes of the shared corpus)


@dataclass
class BackfillOptions:
    out: Path
    index: bool = False
    store: StoreConfig | None = None
    concurrency: int = 4
    shard: tuple[int, int] | None = None
    encoding: str | None = None
    llm: LLMConfig | None = None
    rpm: float | None = None
    tpm: float | None = None
    show_progress: bool = False
    index_batch: int = 32

    def fingerprint(self) -> str:
        """What a record depends on besides the note: the extraction mode and the heading rules."""
        from pipeline.datafiles import bundled

        rules = hashlib.sha256(bundled(RULES_FILE).read_bytes()).hexdigest()[:12]
        mode = f"llm:{self.llm.model}" if self.llm else "offline"
        return f"{mode}|rules:{rules}|encoding:{self.encoding or 'utf-8'}"


@dataclass
class BackfillSummary:
    found: int = 0
    in_shard: int = 0
    processed: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    chunks_added: int = 0
    chunks_removed: int = 0
    notes_with_blame: int = 0
    llm_calls: int = 0
    llm_tokens: int = 0
    seconds: float = 0.0

    def failures_by_reason(self) -> Counter[str]:
        return Counter(reason_kind(reason) for _, reason in self.failed)


def reason_kind(reason: str) -> str:
    """A failure reason without its particulars (sizes, names, line numbers), for the summary's counts."""
    kind = re.sub(r"^line \d+: ", "", reason.split(";")[0])
    kind = re.sub(r"\([^)]*\)|'[^']*'|\"[^\"]*\"|(?<![\w-])\d+(\.\d+)?(?![\w-])", "#", kind)
    return re.sub(r"\s+", " ", kind).strip()[:80]


def content_sha256(source: NoteSource) -> str:
    """SHA-256 of the note's bytes; for a Slack export, of every file in it with its relative path."""
    digest = hashlib.sha256()
    if source.path.is_dir():
        for path in regular_files_inside(source.path, sorted(source.path.rglob("*"))):
            digest.update(path.relative_to(source.path).as_posix().encode() + b"\0")
            _update_from_file(digest, path)
            digest.update(b"\0")
    else:
        _update_from_file(digest, source.path)
    return digest.hexdigest()


def _update_from_file(digest: hashlib._Hash, path: Path) -> None:
    """Hash a file in 1 MB blocks: a huge file is refused by size later, never loaded whole just to hash it."""
    require_regular(path, what="note")  # a FIFO would block open(), /dev/zero would never end
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)


def redact_note(note: NoteText) -> NoteText:
    """Secrets and contact details out before anything is written, embedded or sent; line numbers kept."""
    return dataclasses.replace(note, lines=Redactor().redact(note.text).split("\n"))


def lint_note(note: NoteText, source: str) -> list[Finding]:
    """Blameless findings with lines mapped back to the note's source lines."""
    from pipeline.blameless.linter import lint_text

    findings = lint_text(note.text, path=source)
    last = len(note.numbers)
    return [
        finding.model_copy(
            update={
                "line": note.numbers[min(finding.line, last) - 1],
                "end_line": note.numbers[min(finding.end_line, last) - 1],
            }
        )
        for finding in findings
    ]


def write_record(directory: Path, record: NoteRecord) -> None:
    from pipeline.render import render_note_markdown

    directory.mkdir(parents=True, exist_ok=True)
    write_atomic(directory / f"{record.note_id}.json", redact_json_text(record.model_dump_json(indent=2))[0] + "\n")
    write_atomic(directory / f"{record.note_id}.md", redact(render_note_markdown(record)))


def record_sections(record: NoteRecord) -> list[tuple[str, str]]:
    """What the library embeds for a note: its record's fields, not the raw note (no headers, no noise)."""
    sections = [
        (name, field.value)
        for name, field in (("Summary", record.summary), ("Impact", record.impact))
        if field.recorded
    ]
    for name, items in (
        ("Contributing factors", record.contributing_factors),
        ("Action items", record.action_items),
        ("Lessons learned", record.lessons),
    ):
        if items:
            sections.append((name, "\n".join(f"- {item.text}" for item in items)))
    if record.timeline:
        sections.append(("Timeline", "\n".join(f"{row.time} {row.text}" for row in record.timeline)))
    return sections


def record_id(note_id: str, index: int) -> str:
    """A record's id: the note's id for its first (usually only) incident, `<note_id>.<n>` for the n-th."""
    return note_id if index == 1 else f"{note_id}.{index}"


def record_files(directory: Path, note_id: str) -> dict[int, list[Path]]:
    """The record files a note has on disk, by record index (from this or an earlier run)."""
    found: dict[int, list[Path]] = {}
    for path in directory.glob(f"{note_id}*"):
        rest = path.name[len(note_id) :]
        match = re.fullmatch(r"(?:\.(\d+))?\.(?:json|md)", rest)
        if match:
            found.setdefault(int(match.group(1) or 1), []).append(path)
    return found


def record_day(record: NoteRecord) -> date | None:
    """The record's date as a day for the library: a month or quarter counts from its first day."""
    if not record.date.recorded:
        return None
    value = record.date.value
    if "-Q" in value:
        year, quarter = value.split("-Q")
        return date(int(year), (int(quarter) - 1) * 3 + 1, 1)
    return date.fromisoformat(value if len(value) == 10 else value + "-01")


def empty_document(incident_id: str, source: str) -> LibraryDocument:
    """A document with no chunks: syncing it removes a record that a note no longer has from the library."""
    from pipeline.similar.documents import LibraryDocument

    return LibraryDocument(incident_id=incident_id, title="", source=source, sections=[])


def library_document(record: NoteRecord) -> LibraryDocument:
    """The record as a similar-incidents library document: its metadata and its fields as sections."""
    from pipeline.similar.documents import LibraryDocument, finish

    title = record.title.value if record.title.recorded else f"Untitled note {Path(record.source).name}"
    document = LibraryDocument(
        incident_id=record.note_id,
        title=title,
        source=record.source,
        date=record_day(record),
        severity=record.severity.value if record.severity.recorded else None,
        services=[item.text.lower() for item in record.services],
        sections=record_sections(record),
    )
    return finish(document)


class Indexer:
    """Batches finished notes into the library; a note is marked done only after its batch is stored."""

    def __init__(self, options: BackfillOptions, manifest: Manifest, summary: BackfillSummary) -> None:
        self.options = options
        self.manifest = manifest
        self.summary = summary
        self.pending: list[tuple[dict[str, Any] | None, LibraryDocument, Any]] = []
        self.store: Any = None
        self.lock = asyncio.Lock()

    async def prepare(self, notes: int) -> None:
        """Before a large batch: pick (and if worth it, build once) the indexing embedder for the whole run.

        Batches of 32 notes are each too small to justify building the int8 model, the whole backfill is not.
        """
        from pipeline.similar.embedders import indexing_embedder_for
        from pipeline.similar.store import StoreConfig

        config = self.options.store or StoreConfig.resolve()
        await asyncio.to_thread(indexing_embedder_for, config.embeddings, notes * CHUNKS_PER_NOTE)

    async def add(self, row: dict[str, Any], documents: list[LibraryDocument], after_done: Any = None) -> None:
        """A note's documents go into one batch together; its row is marked done once they are stored."""
        for position, document in enumerate(documents):
            last = position == len(documents) - 1
            self.pending.append((row if last else None, document, after_done if last else None))
        if len({id(row) for row, _, _ in self.pending if row is not None}) >= self.options.index_batch:
            await self.flush()

    async def flush(self) -> None:
        async with self.lock:
            batch, self.pending = self.pending, []
            if not batch:
                return
            counts = await asyncio.to_thread(self._sync, [document for _, document, _ in batch])
            self.summary.chunks_added += counts.added
            self.summary.chunks_removed += counts.removed
            for row, _, after_done in batch:
                if row is not None:
                    self.manifest.record(**row, indexed=True)
                if after_done is not None:
                    after_done()

    def _sync(self, documents: list[LibraryDocument]) -> Any:
        from pipeline.similar.store import LibraryStore, StoreConfig

        if self.store is None:
            self.store = LibraryStore.open(self.options.store or StoreConfig.resolve(), create=True)
        return self.store.sync(documents)


class Backfill:
    def __init__(self, paths: list[Path], options: BackfillOptions) -> None:
        self.paths = paths
        self.options = options
        self.summary = BackfillSummary()
        self.fingerprint = options.fingerprint()
        self.limiter: Any = None
        load_data_files()

    async def run(self) -> BackfillSummary:
        started = time.perf_counter()
        sources = discover(self.paths)
        self.summary.found = len(sources)
        if self.options.shard:
            sources = [source for source in sources if source.in_shard(self.options.shard)]
        self.summary.in_shard = len(sources)
        if self.options.llm and (self.options.rpm or self.options.tpm):
            from pipeline.backfill.ratelimit import RateLimiter

            self.limiter = RateLimiter(self.options.rpm, self.options.tpm)
        manifest = Manifest.open(self.options.out)
        for leftover in (self.options.out / RECORDS_DIR).glob(".*.tmp"):  # from a run that was killed mid-write
            leftover.unlink()
        indexer = Indexer(self.options, manifest, self.summary) if self.options.index else None
        if indexer is not None:
            await indexer.prepare(len(sources))
        gate = asyncio.Semaphore(max(1, self.options.concurrency))
        try:
            with progress_bar(len(sources), self.options.show_progress) as advance:

                async def one(source: NoteSource) -> None:
                    async with gate:
                        await self.process(source, manifest, indexer)
                    advance()

                await asyncio.gather(*(one(source) for source in sources))
                if indexer is not None:
                    await indexer.flush()
        finally:
            manifest.close()
        self.summary.seconds = time.perf_counter() - started
        return self.summary

    async def process(self, source: NoteSource, manifest: Manifest, indexer: Indexer | None) -> None:
        started = time.perf_counter()
        row: dict[str, Any] = {
            "note_id": source.note_id,
            "path": str(source.path),
            "relative": source.relative,
            "fmt": source.format,
            "content_sha256": None,
            "options": self.fingerprint,
        }
        if source.format is None:
            kind = "folder" if source.path.is_dir() else f"file type {source.path.suffix or '(no suffix)'}"
            self._fail(
                manifest,
                row,
                f"unsupported {kind}; backfill reads markdown, text, HTML, JSON, YAML, CSV, e-mail (.eml), .docx and Slack exports",
            )
            return
        try:
            row["content_sha256"] = await asyncio.to_thread(content_sha256, source)
            if manifest.is_current(source.note_id, row["content_sha256"], self.fingerprint, self.options.index):
                self.summary.unchanged += 1
                return
            records, calls, tokens = await self.build(source, row["content_sha256"])
            directory = self.options.out / RECORDS_DIR
            for record in records:
                await asyncio.to_thread(write_record, directory, record)
        except Exception as error:  # noqa: BLE001 (one bad note must never stop a batch of thousands)
            self._fail(manifest, row, _reason(error))
            return
        # Records the note had before (a digest that now holds fewer incidents) go once this run is done;
        # until then their files mark them for removal again if the run is killed.
        stale = {
            index: paths for index, paths in record_files(directory, source.note_id).items() if index > len(records)
        }

        def remove_stale() -> None:
            for path in (path for paths in stale.values() for path in paths):
                path.unlink(missing_ok=True)

        blame = sum(len(blocking_findings(record.findings)) for record in records)
        self.summary.processed += 1
        self.summary.notes_with_blame += bool(blame)
        self.summary.llm_calls += calls
        self.summary.llm_tokens += tokens
        row.update(
            status="done", findings=blame, llm_calls=calls, llm_tokens=tokens, seconds=time.perf_counter() - started
        )
        if indexer is not None:
            documents = [await asyncio.to_thread(library_document, record) for record in records]
            documents += [empty_document(record_id(source.note_id, index), str(source.path)) for index in sorted(stale)]
            await indexer.add(row, documents, remove_stale)
        else:
            manifest.record(**row)
            remove_stale()

    async def build(self, source: NoteSource, digest: str) -> tuple[list[NoteRecord], int, int]:
        """The note's records (one per incident it holds), with the model calls and tokens spent on them."""
        note = await asyncio.to_thread(read_note, source.path, source.format or "text", encoding=self.options.encoding)
        note = redact_note(note)
        if self.options.llm is not None:
            fields, warnings, calls, tokens = await self.llm_fields(source, note)
            incidents = [(fields, warnings)]
        else:
            incidents, calls, tokens = [(found, []) for found in await asyncio.to_thread(extract_all, note)], 0, 0
        findings = await asyncio.to_thread(lint_note, note, str(source.path))
        records = []
        for index, (fields, warnings) in enumerate(incidents, start=1):
            span = fields.lines
            own = [f for f in findings if span is None or span.start <= f.line <= span.end]
            records.append(
                NoteRecord(
                    note_id=record_id(source.note_id, index),
                    source=str(source.path),
                    format=source.format or "text",
                    content_sha256=digest,
                    extraction="llm" if self.options.llm else "offline",
                    record_index=index,
                    records_in_file=len(incidents),
                    lines=span,
                    title=fields.title,
                    date=fields.date,
                    severity=fields.severity,
                    services=fields.services,
                    date_precision=fields.date_precision,
                    date_provenance=("file name" if fields.date_source else "note") if fields.date.recorded else None,
                    summary=fields.summary,
                    impact=fields.impact,
                    timeline=fields.timeline,
                    contributing_factors=fields.contributing_factors,
                    action_items=fields.action_items,
                    lessons=fields.lessons,
                    findings=own,
                    warnings=[*fields.warnings, *warnings],
                )
            )
        return records, calls, tokens

    async def llm_fields(self, source: NoteSource, note: NoteText) -> tuple[Extracted, list[str], int, int]:
        from pipeline.backfill.llm_extract import PROMPT, SYSTEM_PROMPT, NoteExtraction, prompt_lines, verified
        from pipeline.drafting.model_output import secret_warning
        from pipeline.llm import ChatModel
        from pipeline.prompting import render_prompt

        assert self.options.llm is not None
        model = ChatModel(self.options.llm, throttle=self.limiter.acquire if self.limiter else None)
        prompt = render_prompt(PROMPT, system_template=SYSTEM_PROMPT, source=source.relative, lines=prompt_lines(note))
        try:
            extraction = await model.astructured(prompt, NoteExtraction)
        except PipelineError:
            self.summary.llm_calls += model.usage.calls  # a failed note's calls still count against the budget
            self.summary.llm_tokens += model.usage.input_tokens + model.usage.output_tokens
            raise
        fields, warnings = verified(extraction, note)
        warnings += secret_warning(model.secrets_in_replies)
        usage = model.usage
        return fields, warnings, usage.calls, usage.input_tokens + usage.output_tokens

    def _fail(self, manifest: Manifest, row: dict[str, Any], reason: str) -> None:
        self.summary.failed.append((row["relative"], reason))
        manifest.record(**row, status="failed", reason=reason)


def _reason(error: BaseException) -> str:
    if isinstance(error, InputError):
        where = f"line {error.line}: " if error.line else ""
        hint = f"; {error.hint}" if error.hint else ""
        return f"{where}{error.reason}{hint}"
    if isinstance(error, PipelineError):
        return str(error).removeprefix("error: ")
    if isinstance(error, (OSError, ValueError)):
        return f"{type(error).__name__}: {error}"
    return f"internal error, please report it with this note: {type(error).__name__}: {error}"


class progress_bar:
    """A rich progress bar with ETA on stderr when it is a terminal; a no-op otherwise (CI logs stay clean)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled
        self.progress: Any = None

    def __enter__(self) -> Any:
        if not self.enabled:
            return lambda: None
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("backfill"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        self.progress.start()
        task = self.progress.add_task("notes", total=self.total)
        return lambda: self.progress.advance(task)

    def __exit__(self, *exc_info: object) -> None:
        if self.progress is not None:
            self.progress.stop()


def load_data_files() -> None:
    """Read every data file a note goes through up front: a typo in one is a single ConfigError (exit 2)
    before anything is written, not the same failure reported for each of thousands of notes."""
    from pipeline.backfill.extract import load_rules
    from pipeline.blameless.rules import active_rules
    from pipeline.redact import compiled_patterns

    load_rules()
    active_rules()
    compiled_patterns()


def run_backfill(paths: list[Path], options: BackfillOptions) -> BackfillSummary:
    return asyncio.run(Backfill(paths, options).run())
