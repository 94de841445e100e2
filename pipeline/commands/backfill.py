"""`postmortem backfill SRC... --out DIR`: parse options, run pipeline.backfill, print the summary, exit.

Exit codes: 0 when the batch ran (notes that could not be read are listed with their reason, and the
manifest retries them next run), 2 for bad options or an unusable --out.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from pipeline.commands.common import fail
from pipeline.commands.options import (
    BaseUrl,
    ChromaToken,
    ChromaUrl,
    ReportFormat,
    Store,
)
from pipeline.errors import ConfigError, PipelineError


def backfill(
    sources: Annotated[
        list[Path],
        typer.Argument(
            help="Incident notes: markdown, text, HTML, JSON, YAML, CSV, .eml and .docx files, Slack export folders, or folders of them."
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="Output folder: records/, blameless-report.md, summary.json and the manifest."
        ),
    ],
    index: Annotated[
        bool, typer.Option("--index", help="Also upsert every record into the similar-incidents library.")
    ] = False,
    store: Store = None,
    chroma_url: ChromaUrl = None,
    chroma_token: ChromaToken = None,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=64, help="Notes in flight at once.")] = 4,
    shard: Annotated[
        Optional[str],
        typer.Option(
            "--shard", help="k/N: process only shard k of N (by a hash of each note's path), for N parallel jobs."
        ),
    ] = None,
    encoding: Annotated[
        Optional[str],
        typer.Option(
            "--encoding", help="Decode notes with this encoding instead of UTF-8 (e.g. cp1252 for old wiki exports)."
        ),
    ] = None,
    llm: Annotated[
        Optional[str],
        typer.Option("--llm", help="Extract fields with this model (structured output, provenance checked in code)."),
    ] = None,
    base_url: BaseUrl = None,
    rpm: Annotated[
        Optional[float], typer.Option("--rpm", min=0.1, help="Client-side limit: model requests per minute.")
    ] = None,
    tpm: Annotated[
        Optional[float], typer.Option("--tpm", min=1, help="Client-side limit: model tokens per minute (estimated).")
    ] = None,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="Summary as text or json.")
    ] = ReportFormat.text,
    progress: Annotated[
        Optional[bool],
        typer.Option("--progress/--no-progress", help="Progress bar with ETA (default: when stderr is a terminal)."),
    ] = None,
) -> None:
    """Normalize old incident notes into records, report blame in them, and (with --index) fill the library.

    Resumable: re-running skips unchanged notes, redoes changed or failed ones, and never duplicates a record.
    """
    from pipeline.backfill.report import summary_dict, write_reports
    from pipeline.backfill.runner import BackfillOptions, run_backfill
    from pipeline.backfill.sources import parse_shard
    from pipeline.llm import resolve_model_config

    try:
        options = BackfillOptions(
            out=out,
            index=index,
            concurrency=concurrency,
            encoding=encoding,
            shard=parse_shard(shard) if shard else None,
            store=_store_config(store, chroma_url, chroma_token) if index else None,
            llm=resolve_model_config(llm, base_url=base_url),
            rpm=rpm,
            tpm=tpm,
            show_progress=sys.stderr.isatty() if progress is None else progress,
        )
        if out.exists() and not out.is_dir():
            raise ConfigError("--out", f"{out} exists and is not a folder")
        summary = run_backfill(sources, options)
        report = write_reports(out, summary)
    except PipelineError as error:
        fail(error)
    result = summary_dict(summary)
    if output_format is ReportFormat.json:
        typer.echo(
            json.dumps(
                {**result, "blameless": {k: report[k] for k in ("notes", "notes_with_findings", "notes_blaming")}},
                indent=2,
            )
        )
        return
    typer.echo(render_summary(result, report, out, index))


def _store_config(store: Optional[Path], url: Optional[str], token: Optional[str]):
    from pipeline.similar.store import StoreConfig

    return StoreConfig.resolve(path=store, url=url, token=token)


def render_summary(result: dict, report: dict, out: Path, index: bool) -> str:
    lines = [
        f"backfill: {result['in_shard']} notes ({result['found']} found): {result['processed']} written, "
        f"{result['unchanged']} unchanged, {result['failed']} failed in {result['seconds']:.1f} s",
    ]
    if index:
        lines.append(f"library: {result['chunks_added']} chunks added, {result['chunks_removed']} removed")
    if result["llm_calls"]:
        lines.append(f"model: {result['llm_calls']} calls, {result['llm_tokens']} tokens")
    lines.append(
        f"blameless: {report['notes_blaming']} of {report['notes']} notes blame people "
        f"({report['notes_with_findings']} with any finding); see {out / 'blameless-report.md'}"
    )
    for reason, count in result["failures_by_reason"].items():
        lines.append(f"failed ({count}): {reason}")
    for failure in result["failed_notes"][:20]:
        lines.append(f"  {failure['note']}: {failure['reason']}")
    if len(result["failed_notes"]) > 20:
        lines.append(f"  ... and {len(result['failed_notes']) - 20} more in {out / 'summary.json'}")
    lines.append(f"records: {out / 'records'}/")
    return "\n".join(lines)
