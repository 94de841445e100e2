"""`python -m pipeline`: the same command as `postmortem`."""

from pipeline.cli import main

if __name__ == "__main__":
    main()
