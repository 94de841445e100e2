"""Write an EvalReport as `<name>.json`, `<name>.md` and a `<name>.png` chart (matplotlib, imported lazily)."""

from __future__ import annotations

from pathlib import Path

from pipeline.evals.metrics import REMOVED_BY_VERIFY
from pipeline.evals.runner import EvalReport

CHART_METRICS = (
    "fact_accuracy",
    "severity_accuracy",
    "time_accuracy",
    "duration_accuracy",
    "role_recall",
    "role_precision",
    "factor_recall",
    "factor_precision",
    "action_recall",
    "action_precision",
    "junk_rate",
    "leak_free",
    "citation_validity",
    "grounded_claims",
)


def write_report(report: EvalReport, out_dir: Path, name: str = "latest") -> list[Path]:
    """Write the three files atomically-enough (each fully written before the next); returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path, png_path = (out_dir / f"{name}.{ext}" for ext in ("json", "md", "png"))
    json_path.write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
    write_chart(report, png_path)
    md_path.write_text(render_markdown(report, chart=png_path.name), encoding="utf-8")
    return [md_path, json_path, png_path]


def render_markdown(report: EvalReport, chart: str | None = None) -> str:
    s = report.summary
    lines = [
        f"# Eval report: {report.engine} engine" + (f" ({report.model})" if report.model else ""),
        "",
        f"Generated {report.generated_at:%Y-%m-%d %H:%M} UTC over {int(s['incidents'])} gold incidents in "
        f"{report.seconds:.1f} s. Factors and actions are matched to gold by all-MiniLM-L6-v2 cosine >= "
        f"{report.match_threshold}; junk is a drafted factor, 5-whys answer or action item that matches no gold "
        'item ("Not established" is never junk).',
        "",
    ]
    if chart:
        lines += [f"![metrics]({chart})", ""]
    lines += ["## Summary", "", "| metric | value |", "|---|---|"]
    lines += [f"| {key} | {value:g} |" for key, value in s.items()]
    lines += [
        "",
        "## Per incident",
        "",
        "| incident | facts | times | durations | roles R/P | factors R/P | actions R/P | junk | leaks | substance | conformance "
        "| seconds |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report.incidents:
        lines.append(
            f"| {r.name} | {r.fact_accuracy:.2f} | {r.time_accuracy:.2f} | {r.duration_accuracy:.2f} | "
            f"{r.role_recall:.2f}/{r.role_precision:.2f} | {r.factor_recall:.2f}/{r.factor_precision:.2f} | "
            f"{r.action_recall:.2f}/{r.action_precision:.2f} | {len(r.junk)}/{r.drafted} | {len(r.leaks)} | "
            f"{r.substance_score:.1f} | {r.conformance_score:.1f} | {r.seconds:.2f} |"
        )
    if report.engine == "llm":
        lines += ["", "## Removed by verification (LLM engine)", ""]
        removed = [(r.name, w) for r in report.incidents for w in r.warnings if REMOVED_BY_VERIFY in w]
        lines += [f"- {name}: {warning}" for name, warning in removed] or ["- none"]
    refused = [r for r in report.incidents if r.refused]
    if refused:
        lines += ["", "## Refused by the drafter", ""] + [f"- {r.name}: {r.refused}" for r in refused]
    lines += ["", "## Facts that differ from gold", ""]
    wrong = [(r.name, c) for r in report.incidents for c in r.checks if not c.ok]
    lines += [f"- {name}: {c.name} expected {c.expected}, produced {c.produced}" for name, c in wrong] or ["- none"]
    lines += ["", "## Leaks", ""]
    lines += [f"- {r.name}: {', '.join(repr(x) for x in r.leaks)}" for r in report.incidents if r.leaks] or ["- none"]
    lines += ["", "## Matches (for reviewing the semantic matcher)", ""]
    for r in report.incidents:
        for kind, matches in (("factor", r.factor_matches), ("action", r.action_matches)):
            for m in matches:
                verdict = f"matched ({m.similarity:.2f}): {m.draft}" if m.draft else f"missed (best {m.similarity:.2f})"
                lines.append(f'- {r.name} {kind}: "{m.gold}" {verdict}')
    lines += ["", "## Junk (drafted items that match nothing in gold)", ""]
    lines += [f'- {r.name}: "{item}"' for r in report.incidents for item in r.junk] or ["- none"]
    lines += [
        "",
        "## Criterion pass rates (substance and conformance)",
        "",
        "| criterion | ours | human corpus |",
        "|---|---|---|",
    ]
    ref = report.reference.criterion_pass_rates if report.reference else {}
    for cid, rate in report.criterion_pass_rates.items():
        human = ref.get(cid)
        lines.append(f"| {cid} | {rate:.2f} | {'-' if human is None or human != human else f'{human:.2f}'} |")
    if report.reference:
        lines += [
            "",
            "## Our drafts beside human-written postmortems",
            "",
            f"Human corpus: {report.reference.files} files, {report.reference.source}. Human documents are "
            "scored without --incident, so the timeline and faithfulness checks do not apply to them.",
            "",
            "| score | human median | human quartiles | our median | our range |",
            "|---|---|---|---|---|",
        ]
        for kind in ("substance", "conformance"):
            human = getattr(report.reference, kind)
            ours = sorted(getattr(r, f"{kind}_score") for r in report.incidents)
            lines.append(
                f"| {kind} | {human.median:.1f} | {human.p25:.1f}-{human.p75:.1f} | "
                f"{ours[len(ours) // 2]:.1f} | {ours[0]:.1f}-{ours[-1]:.1f} |"
            )
    return "\n".join(lines) + "\n"


def write_chart(report: EvalReport, path: Path) -> None:
    """Left: summary metrics (0..1). Right: substance against conformance, ours beside the human corpus."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    names = [m for m in CHART_METRICS if m in report.summary]
    left.barh(names, [report.summary[m] for m in names], color="#4c72b0")
    left.set_xlim(0, 1)
    left.invert_yaxis()
    left.set_title(f"{report.engine} engine, {len(report.incidents)} gold incidents")
    if report.reference:
        pairs = list(report.reference.by_file.values())
        right.scatter(
            [c for _, c in pairs],
            [s for s, _ in pairs],
            s=12,
            alpha=0.5,
            color="#dd8452",
            label=f"human corpus (n={report.reference.files})",
        )
    right.scatter(
        [r.conformance_score for r in report.incidents],
        [r.substance_score for r in report.incidents],
        s=24,
        color="#4c72b0",
        label=f"our drafts (n={len(report.incidents)})",
    )
    right.set_xlim(0, 100)
    right.set_ylim(0, 100)
    right.set_xlabel("conformance (template form)")
    right.set_ylabel("substance (headline)")
    right.set_title("Substance against conformance")
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
