"""Files shipped inside the package (rules, data, templates, prompts, the example library).

Every one is found through `importlib.resources`, never relative to a source file or the current
directory, so an installed wheel reads exactly the files a source checkout does. pyproject.toml ships
everything under pipeline/ (one glob), and tests/test_wheel.py checks the built wheel holds every file.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def package_path(*parts: str) -> Path:
    """The on-disk path of a file or folder shipped in the `pipeline` package.

    pip installs packages as plain files, where importlib.resources hands back real paths; jinja2's
    loader, Chroma indexing and file:line errors all need one, so a zipped install is refused clearly.
    """
    root = resources.files("pipeline")
    if not isinstance(root, Path):
        raise RuntimeError(
            f"postmortem-pipeline is imported from {root}, which is not a folder on disk; install it with pip"
        )
    return root.joinpath(*parts)
