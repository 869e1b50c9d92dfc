"""Where the bundled rule packs and calendar files live, in a checkout or after `pip install .`."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def bundled(name: str) -> Path:
    """Path of the bundled `rules` or `calendars` directory.

    In a source checkout they sit beside `engine/`; an installed wheel carries them as
    `engine/_data/<name>` (see pyproject.toml).
    """
    beside = _CHECKOUT / name
    if (_CHECKOUT / "pyproject.toml").is_file() and beside.is_dir():
        return beside
    installed = Path(str(resources.files("engine") / "_data" / name))
    if installed.is_dir():
        return installed
    raise FileNotFoundError(f"bundled '{name}' directory not found (looked in {beside} and {installed})")
