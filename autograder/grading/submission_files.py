"""A submitted folder, looked at and copied without trusting it.

A student controls every entry of ``submitted/<student>/<assignment>/`` (through the
exchange): links, FIFOs, devices. Nothing here follows a link or blocks on a special file.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

from ..exchange import REFUSED_FILE
from ..judging.extraction import read_regular


def _nofollow(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK)


def unsafe_entries(folder: Path) -> list[str]:
    """Entries of a submission that are neither regular files nor real directories."""
    bad = []
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        if path.is_symlink() or not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
            bad.append(str(path.relative_to(folder)))
    return bad


def refused_at_collect(submitted: Path) -> list[str]:
    """What collect refused in this submission (its record), read without following links."""
    text = read_regular(submitted / REFUSED_FILE)
    if text is None:
        exists = os.path.lexists(submitted / REFUSED_FILE)
        return ["(an unreadable collect record)"] if exists else []
    try:
        data = json.loads(text)
    except ValueError:
        return ["(an unreadable collect record)"]
    items = data.get("refused") if isinstance(data, dict) else None
    return [str(i)[:120] for i in items[:20]] if isinstance(items, list) else []


def safe_copy(submitted: Path, target: Path) -> Path:
    """The submission's regular files only, copied to ``target`` without following links."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for path in sorted(submitted.rglob("*")):
        rel = path.relative_to(submitted)
        info = path.lstat()
        if stat.S_ISDIR(info.st_mode) and not path.is_symlink():
            (target / rel).mkdir(parents=True, exist_ok=True)
        elif stat.S_ISREG(info.st_mode):
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            with open(path, "rb", opener=_nofollow) as src, open(target / rel, "wb") as dst:
                shutil.copyfileobj(src, dst)
    return target
