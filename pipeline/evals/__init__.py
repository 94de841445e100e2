"""Evals: run a drafting engine over gold incidents and measure the drafts against known answers.

Nothing is re-exported here; import from the module that defines it:
    pipeline.evals.gold.load_gold(directory) -> Gold
    pipeline.evals.metrics.evaluate_incident(directory, gold, ...) -> IncidentResult
    pipeline.evals.runner.run_eval(datasets, ...) -> EvalReport
    pipeline.evals.runner.check_thresholds(report, path) -> list[str]
    pipeline.evals.report.write_report(report, out_dir, name="latest") -> list[Path]
"""
