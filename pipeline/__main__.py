"""`python -m pipeline`: the same command as `postmortem`."""

from pipeline.cli import main

main()
