"""Collecting submissions from nbgrader's exchange without following anything a student made.

The exchange's inbound folder is writable by every student. nbgrader's own collect copies a
submission with ``shutil.copytree``, which follows symbolic links (a link to ``source/`` would
be copied in as the solutions) and blocks forever on a FIFO. :class:`SafeCollect` copies
regular files only, opened without following links or blocking, within nbgrader's size
limits, and refuses the rest: links, devices, FIFOs, sockets, oversized files. What it refused
is written to :data:`REFUSED_FILE` in the collected folder, which the class grader reports
as the ``unsafe_files_removed`` flag.

Collecting nothing is said loudly (with the exchange folder it looked in), since a missing
``DFML_EXCHANGE_ROOT`` otherwise looks like an empty class.
"""

from __future__ import annotations

import fnmatch
import json
import os
import stat
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect

#: Written by collect into a submission it had to clean (never taken from a student).
REFUSED_FILE = ".collect_refused.json"
MAX_DEPTH = 16


def _open_regular(path: str) -> int | None:
    """A read descriptor of a regular file at ``path``, never following a link or blocking."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    return fd


def copy_submission(src: str | Path, dest: str | Path, *, ignore: list[str],
                    max_file_bytes: int, max_total_bytes: int) -> list[str]:
    """Copy the regular files of ``src`` into ``dest``; return what was refused (and why).

    ``src`` itself must be a real directory. Entries matching ``ignore`` are skipped as
    nbgrader skips them; links, special files, files over ``max_file_bytes`` and anything
    past ``max_total_bytes`` in all are refused.
    """
    src, dest = Path(src), Path(dest)
    refused: list[str] = []
    info = os.lstat(src)
    if not stat.S_ISDIR(info.st_mode):
        raise ValueError(f"{src} is not a folder (a link or a special file): not collected")
    dest.mkdir(parents=True, exist_ok=True)
    total = 0

    def walk(folder: Path, rel: Path, depth: int) -> None:
        nonlocal total
        if depth > MAX_DEPTH:
            refused.append(f"{rel}/ (nested too deeply)")
            return
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                name = rel / entry.name
                if any(fnmatch.fnmatch(entry.name, pattern) for pattern in ignore):
                    continue
                if entry.name == REFUSED_FILE:
                    refused.append(f"{name} (a name the grader uses)")
                    continue
                mode = entry.stat(follow_symlinks=False).st_mode
                if stat.S_ISDIR(mode):
                    (dest / name).mkdir(exist_ok=True)
                    walk(Path(entry.path), name, depth + 1)
                    continue
                if not stat.S_ISREG(mode):
                    kind = "a link" if stat.S_ISLNK(mode) else "not a regular file"
                    refused.append(f"{name} ({kind})")
                    continue
                fd = _open_regular(entry.path)
                if fd is None:
                    refused.append(f"{name} (not a regular file)")
                    continue
                with os.fdopen(fd, "rb") as fh:
                    size = os.fstat(fh.fileno()).st_size
                    if size > max_file_bytes or total + size > max_total_bytes:
                        refused.append(f"{name} (too large)")
                        continue
                    data = fh.read(max_file_bytes + 1)
                if len(data) > max_file_bytes:
                    refused.append(f"{name} (too large)")
                    continue
                total += len(data)
                (dest / name).write_bytes(data)

    walk(src, Path(), 0)
    if refused:
        (dest / REFUSED_FILE).write_text(json.dumps({"refused": refused}, indent=1) + "\n")
    return refused


class SafeCollect(ExchangeCollect):
    """nbgrader's collect, copying submissions with :func:`copy_submission`."""

    def start(self) -> None:
        """Collect; a missing exchange folder is said plainly (nbgrader would try to make it)."""
        if not os.path.isdir(self.root):
            self.fail(
                f"The exchange folder {self.root} does not exist, so there is nothing to "
                "collect. Set DFML_EXCHANGE_ROOT to the exchange the students submit to (the "
                "same for the instructor, the hub's spawner and the formgrader)."
            )
        return super().start()

    def init_src(self) -> None:
        """Find the submissions; fail loudly when the exchange has none at all."""
        inbound = os.path.join(self.root, self.coursedir.course_id, "inbound")
        if self.coursedir.course_id and not os.path.isdir(inbound):
            self.fail(
                f"The exchange has no inbound folder for '{self.coursedir.course_id}' "
                f"({inbound}): no student has submitted to this exchange. If they did, this "
                "course is looking in the wrong exchange: set DFML_EXCHANGE_ROOT to the "
                "exchange the students use (the same for the instructor, the hub's spawner "
                "and the formgrader)."
            )
        super().init_src()
        if not self.src_records:
            self.fail(
                f"No submissions of '{self.coursedir.assignment_id}' found in the exchange "
                f"folder {self.inbound_path}. If students submitted, this course is looking "
                "in the wrong exchange: set DFML_EXCHANGE_ROOT to the exchange the students "
                "use (the same for the instructor, the hub's spawner and the formgrader)."
            )

    def do_copy(self, src: str, dest: str, log: object = None) -> None:
        """Copy one submission folder without following links (see the module docstring)."""
        refused = copy_submission(
            src, dest, ignore=list(self.coursedir.ignore),
            max_file_bytes=int(self.coursedir.max_file_size) * 1000,
            max_total_bytes=int(self.coursedir.max_dir_size) * 1000,
        )
        for item in refused:
            self.log.warning("Refused in %s: %s", os.path.basename(src), item)
