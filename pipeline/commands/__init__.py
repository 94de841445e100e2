"""The `postmortem` sub-commands, one module per group. Each module defines plain functions that parse
options, call the library, render and exit; `pipeline/cli.py` alone builds the typer app and registers
them, so any module here imports on its own and none imports the CLI back.
"""
