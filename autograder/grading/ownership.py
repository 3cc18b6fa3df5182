"""Files the grader writes as root are handed back to the course folder's owner.

The sandboxed grader must run as root (each kernel gets its own uid), so an instructor runs
it with sudo. Without this, ``autograded/``, the journal and ``reports/`` would belong to
root, and the instructor's own ``report`` or ``nbgrader autograde --force`` would then fail
with PermissionError.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path


def owner_of(folder: Path) -> tuple[int, int]:
    """(uid, gid) of a folder, not following a link."""
    info = os.lstat(folder)
    return info.st_uid, info.st_gid


def hand_back(paths: Iterable[Path], owner: tuple[int, int]) -> int:
    """Give every file and folder under ``paths`` to ``owner``; return how many changed.

    Only when running as root and the owner is not root; links are changed themselves, never
    followed. Paths that do not exist are skipped.
    """
    if os.geteuid() != 0 or owner[0] == 0:
        return 0
    changed = 0
    stack = [Path(p) for p in paths]
    while stack:
        path = stack.pop()
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if (info.st_uid, info.st_gid) != owner:
            os.lchown(path, *owner)
            changed += 1
        if stat.S_ISDIR(info.st_mode):
            try:
                stack.extend(Path(entry.path) for entry in os.scandir(path))
            except OSError:
                continue
    return changed
