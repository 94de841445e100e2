"""postmortem-pipeline: blameless postmortem drafts from a locked timeline and incident chat."""


def __getattr__(name: str) -> str:
    """`pipeline.__version__`, read from the installed metadata on first use: importlib.metadata's
    search of the installed distributions is the slowest step of `postmortem check`'s start-up."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("postmortem-pipeline")
    except PackageNotFoundError:  # running from a source tree without an install
        return "0.0.0"
