"""The nbgrader course: its configuration, folders, gradebook and submissions."""

from __future__ import annotations

import glob
import hashlib
import logging
import os
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_config_path
from traitlets.config import Config
from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

CONFIG_NAME = "nbgrader_config.py"
#: Where the grader keeps its journal and logs, per assignment, inside ``autograded/``
#: (a dot-folder: nbgrader's ``autograded/*/<assignment>`` globs never match it).
STATE_DIR = ".autograder"


def load_config(root: Path) -> Config:
    """nbgrader's configuration as its own commands see it from ``root``.

    System and user Jupyter config directories first, the course folder last (it wins).
    """
    config = Config()
    dirs = [*reversed(jupyter_config_path()), str(root)]
    seen = set()
    for directory in dirs:
        if directory in seen or not os.path.exists(os.path.join(directory, CONFIG_NAME)):
            continue
        seen.add(directory)
        loader = PyFileConfigLoader(
            CONFIG_NAME, path=directory, log=logging.getLogger("autograder.grading")
        )
        try:
            config.merge(loader.load_config())
        except ConfigFileNotFound:
            continue
    return config


@dataclass
class Course:
    """An nbgrader course directory and its configuration."""

    root: Path
    config: Config

    @classmethod
    def open(cls, root: Path | str = ".") -> Course:
        """Load the course rooted at ``root`` (where ``nbgrader_config.py`` lives)."""
        root = Path(root).resolve()
        config = load_config(root)
        config.CourseDirectory.root = str(root)
        return cls(root=root, config=config)

    @cached_property
    def coursedir(self) -> Any:  # nbgrader.coursedir.CourseDirectory (imported lazily: slow)
        """nbgrader's CourseDirectory for this course."""
        from nbgrader.coursedir import CourseDirectory

        return CourseDirectory(config=self.config)

    @property
    def db_url(self) -> str:
        """The gradebook's URL."""
        return self.coursedir.db_url

    @property
    def course_id(self) -> str:
        """The course id nbgrader commands use."""
        return self.coursedir.course_id

    def path(self, step: str, student: str, assignment: str) -> Path:
        """nbgrader's path for a step (``submitted``, ``autograded``...)."""
        cd = self.coursedir
        directory = getattr(cd, f"{step}_directory")
        return Path(cd.format_path(directory, student, assignment))

    def state_dir(self, assignment: str) -> Path:
        """The grader's folder for ``assignment`` (journal, logs)."""
        return Path(
            self.coursedir.format_path(self.coursedir.autograded_directory, STATE_DIR, assignment)
        )

    def students(self, assignment: str, pattern: str = "*") -> list[str]:
        """Students with a submission of ``assignment`` matching the glob ``pattern``."""
        found = glob.glob(str(self.path("submitted", pattern, assignment)))
        out = []
        for path in found:
            student = Path(path).parent.name
            links = Path(path).is_symlink() or Path(path).parent.is_symlink()
            if Path(path).is_dir() and not links and not student.startswith("."):
                out.append(student)
        return sorted(set(out))

    def fingerprint(self, student: str, assignment: str) -> str:
        """A hash of every file of a submission (a resubmission changes it).

        Links and special files are hashed by what they are, never followed.
        """
        base = self.path("submitted", student, assignment)
        digest = hashlib.sha256()
        for path in sorted(base.rglob("*")):
            info = path.lstat()
            digest.update(str(path.relative_to(base)).encode() + b"\0")
            if path.is_symlink():
                digest.update(b"link:" + os.readlink(path).encode())
            elif stat.S_ISREG(info.st_mode):
                with open(path, "rb") as fh:
                    for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                        digest.update(block)
            digest.update(b"\0")
        return digest.hexdigest()
