"""The class-administration subcommands: ``roster import`` and ``export``.

Registered on ``python -m autograder`` by :mod:`.cli`; each parser sets ``run`` to its
command function, which returns the exit status.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_REFUSED = 0, 2


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``roster`` and ``export`` to the subcommands `sub`."""
    roster = sub.add_parser("roster", help="import a class list into the gradebook",
                            description="Manage the gradebook's students.")
    roster_sub = roster.add_subparsers(dest="roster_command", required=True)
    imp = roster_sub.add_parser(
        "import", help="create or update students from a CSV",
        description="Create or update gradebook students from a CSV with a header row: id "
        "(the hub login), first_name, last_name, email and optionally lms_user_id. Nothing "
        "is deleted.")
    imp.add_argument("file", metavar="FILE.csv")
    imp.add_argument("--course", default=".", metavar="DIR",
                     help="the course directory (default: the current one)")
    imp.set_defaults(run=cmd_roster_import)

    export = sub.add_parser(
        "export", help="grades as an LMS gradebook CSV",
        description="Per-question and total grades of one or every assignment, with due "
        "dates and late penalties as nbgrader recorded them, as a Canvas-style gradebook CSV.")
    which = export.add_mutually_exclusive_group(required=True)
    which.add_argument("assignment", nargs="?", help="the assignment to export")
    which.add_argument("--all", action="store_true", help="every assignment of the gradebook")
    export.add_argument("--format", default="canvas", choices=["canvas"],
                        help="the LMS format (default: %(default)s)")
    export.add_argument("-o", "--output", required=True, metavar="FILE.csv")
    export.add_argument("--course", default=".", metavar="DIR",
                        help="the course directory (default: the current one)")
    export.set_defaults(run=cmd_export)


def _gradebook(course_dir: str) -> tuple[str, str] | None:
    """(db_url, course_id) of the course, or None (with a message) when it has no gradebook."""
    from .course import Course

    course = Course.open(course_dir)
    url = course.db_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        print(f"No gradebook at {url.removeprefix('sqlite:///')}: run 'nbgrader "
              "generate_assignment ASSIGNMENT' in the course folder first.", file=sys.stderr)
        return None
    return url, course.course_id


def cmd_roster_import(args: argparse.Namespace) -> int:
    """``roster import FILE.csv``."""
    from .roster import RosterError, import_roster

    found = _gradebook(args.course)
    if found is None:
        return EXIT_REFUSED
    try:
        result = import_roster(*found, args.file)
    except (RosterError, OSError) as exc:
        print(f"Roster not imported: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"Roster {args.file}: {result.summary()}.")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """``export ASSIGNMENT|--all --format canvas -o FILE.csv``."""
    from .lms_export import export

    found = _gradebook(args.course)
    if found is None:
        return EXIT_REFUSED
    try:
        rows = export(*found, None if args.all else [args.assignment], args.output,
                      fmt=args.format)
    except KeyError as exc:
        print(f"Not exported: {exc.args[0]}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"{args.output}: {rows} students, {args.format} gradebook CSV.")
    return EXIT_OK
