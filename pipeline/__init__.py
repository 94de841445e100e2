"""postmortem-pipeline: blameless postmortem drafts from a locked timeline and incident chat."""


def __getattr__(name: str) -> str:
    """`pipeline.__version__`, read from the install's metadata only when asked: importing
    importlib.metadata costs every command (`postmortem check` included) about 20 ms of start-up."""
    if name != "__version__":
        raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("postmortem-pipeline")
    except PackageNotFoundError:  # running from a source tree without an install
        found = "0.0.0"
    globals()["__version__"] = found
    return found
