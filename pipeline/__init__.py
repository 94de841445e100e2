"""postmortem-pipeline: blameless postmortem drafts from a locked timeline and incident chat."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("postmortem-pipeline")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"
