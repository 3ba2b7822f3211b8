"""Where the official contracts live: the repository's own ``specs/`` folder, found from this file.

Why from ``__file__`` and nothing else: a clone of the repository on its own must be able to run its tests, so
the specs are vendored (``specs/README.md`` says what each is, where it came from and its licence) and nothing
looks outside the checkout, not an environment variable, not a sibling folder, not an absolute path.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["REPO_ROOT", "SPECS_DIR", "vendored_spec_dir"]

#: tests/contract_checks/spec_files.py -> the repository root.
REPO_ROOT = Path(__file__).resolve().parents[2]
SPECS_DIR = REPO_ROOT / "specs"


def vendored_spec_dir(package: str, must_hold: str) -> Path:
    """``specs/<package>``, checked to hold ``must_hold``: a missing spec fails the test run, never skips it."""
    folder = SPECS_DIR / package
    if not (folder / must_hold).is_file():
        raise FileNotFoundError(f"{must_hold} is not in {folder}: the repository's specs/ folder is incomplete "
                                "(see specs/README.md)")
    return folder
