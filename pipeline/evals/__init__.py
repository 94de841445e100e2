"""Evals: run a drafting engine over gold incidents and measure the drafts against known answers.

Public API:
    load_gold(directory) -> Gold                        (gold.py)
    evaluate_incident(directory, gold, ...) -> IncidentResult   (metrics.py)
    run_eval(datasets, ...) -> EvalReport               (runner.py)
    check_thresholds(report, path) -> list[str]         (runner.py)
    write_report(report, out_dir, name="latest") -> list[Path]  (report.py)
"""
