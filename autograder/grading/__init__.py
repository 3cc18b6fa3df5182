"""Parallel, sandboxed, resumable autograding built on nbgrader's own machinery.

``python -m autograder grade ASSIGNMENT`` and ``python -m autograder report ASSIGNMENT``
(:mod:`.cli`). One module per job:

* :mod:`.course` - the course's nbgrader config, folders and submissions;
* :mod:`.sandbox` - which mechanism isolates student code (bubblewrap, setpriv) and limits;
* :mod:`.kernel_boot` - what runs inside the sandbox: preload modules, start ipykernel;
* :mod:`.zygote` - the fork server: kernels forked, already loaded, into their sandboxes;
* :mod:`.pool` - warm kernels started ahead, each used once;
* :mod:`.runner` - one notebook through nbgrader's Execute in one warm kernel;
* :mod:`.gradebook_writer` - the single writer: nbgrader's sanitize and save steps;
* :mod:`.submission_files` - a submitted folder looked at and copied without trusting it;
* :mod:`.sanitizing` - a notebook read once and nbgrader's sanitize steps made once;
* :mod:`.gradebook_rows` - the writer's gradebook rows, many submissions per transaction;
* :mod:`.speedups` - result-neutral caches for nbgrader in the grading process;
* :mod:`.outcomes` - the outcome of each submission and the resumable journal;
* :mod:`.batch` - the parallel run with its progress bar;
* :mod:`.dask_backend`, :mod:`.dask_worker`, :mod:`.dask_protocol` - ``--dask``: the
  notebooks execute on a Dask cluster's sandboxed workers, grades stay here (imports Dask
  only then);
* :mod:`.report` - the per-question CSV and the HTML class report.

Nothing here is imported by ``import autograder``: the checks stay light in a kernel.
"""

import sys as _sys

# jsonschema (under nbformat) imports rfc3987_syntax, which builds ~35 Earley parsers at import
# (2 s of CPU, in the grader, the zygote and each worker) for the "iri" string formats that no
# notebook, nbgrader or Jupyter schema uses. Without it jsonschema simply does not check that
# format (python-jsonschema/jsonschema#1428). Only the grading processes are affected.
_sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
