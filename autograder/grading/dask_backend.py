"""The grader's side of ``--dask``: submissions execute on a Dask cluster, grades stay here.

``DaskBackend.connect`` starts a ``LocalCluster`` (``local:N``: N worker processes of one
thread each on this machine) or connects to a running scheduler, and registers the
:class:`~.dask_worker.GradingPlugin` (every worker, and any that joins later, starts its
sandbox and kernel fork server). It then asks each worker for its report: course code hash,
sandbox, problems, and says which workers will refuse.

``DaskBackend.execute`` runs in the batch's grading threads, in place of the local kernel
pool: it sends one submission's task (:mod:`.dask_protocol`), waits for the reply, checks it,
then runs here what comes after Execute (IgnorePattern, ClearMetadata, LimitOutput and the
judge, in the batch's judge processes). The batch's single writer then saves the grades and
journals the outcome exactly as in local mode.

A worker that dies while running a task: the scheduler gives the task to another worker
until it has died on ``allowed_failures + 1`` workers (Dask's
``distributed.scheduler.allowed-failures``), then the submission is recorded as
``kernel_died`` (0 points, held for a human). A refused reply (another course code hash, no
sandbox, a reply that does not answer the task) is an ``error``: graded again by the next run.
"""

from __future__ import annotations

import logging
import secrets
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import dask_protocol as protocol
from .dask_worker import GradingPlugin, plugin_report, run_task
from .runner import ExecutionResult, after_execution
from .sandbox import Limits

if TYPE_CHECKING:
    from .batch import Batch
    from .gradebook_writer import GradebookWriter, Prepared

log = logging.getLogger("autograder.grading")

#: Worker deaths a task survives before it is recorded as ``kernel_died`` (local clusters;
#: a remote scheduler uses its own ``distributed.scheduler.allowed-failures``).
ALLOWED_FAILURES = 2
#: Seconds to wait for the first worker of a remote cluster.
WORKER_WAIT = 120


class DaskUnavailable(RuntimeError):
    """No cluster to grade on (Dask not installed, no scheduler, no worker)."""


def _results(prep: Prepared, status: str, detail: str) -> dict[str, ExecutionResult]:
    """Every notebook of ``prep`` unexecuted, with ``status`` (fail-closed: 0 points)."""
    return {job.notebook: ExecutionResult(nb=job.nb, resources=job.resources, status=status,
                                          detail=detail[:300]) for job in prep.jobs}


class DaskBackend:
    """Executes prepared submissions on a Dask cluster (see the module's docstring)."""

    def __init__(self, address: str, *, assignment: str, limits: Limits,
                 preload: tuple[str, ...], mechanism: str = "auto", fork: bool = True,
                 security: Any = None, allowed_failures: int = ALLOWED_FAILURES) -> None:
        self.address = address
        self.assignment = assignment
        self.limits = limits
        self.plugin = GradingPlugin(assignment, limits, preload, mechanism, fork)
        self.security = security
        self.allowed_failures = allowed_failures
        self.client: Any = None
        self.cluster: Any = None
        self.reports: dict[str, dict[str, Any]] = {}
        self.slots = 1
        self.code_hash = protocol.course_code_hash()
        self._futures: set[Any] = set()
        self._lock = threading.Lock()
        self._stopping = False

    # -- the cluster -----------------------------------------------------------------------

    def connect(self) -> None:
        """Start or reach the cluster, set every worker up; raise DaskUnavailable."""
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise DaskUnavailable("Dask is not installed: pip install '.[scale]'") from None
        try:
            if self.address.startswith("local:"):
                n = int(self.address.split(":", 1)[1])
                if n < 1:
                    raise ValueError
                with dask.config.set({"distributed.scheduler.allowed-failures":
                                      self.allowed_failures}):
                    self.cluster = LocalCluster(n_workers=n, threads_per_worker=1,
                                                processes=True, dashboard_address=None,
                                                host="127.0.0.1", silence_logs=logging.ERROR,
                                                security=self.security)
                self.client = Client(self.cluster, security=self.security)
            else:
                self.client = Client(self.address, security=self.security,
                                     timeout=WORKER_WAIT)
                self.client.wait_for_workers(1, timeout=WORKER_WAIT)
        except ValueError:
            raise DaskUnavailable(f"--dask local:N needs a number N >= 1, not "
                                  f"{self.address!r}") from None
        except (OSError, TimeoutError) as exc:
            self.close()
            raise DaskUnavailable(f"no Dask cluster at {self.address}: {exc}") from None
        self.client.register_plugin(self.plugin)
        self.reports = self.client.run(plugin_report, assignment=self.assignment)
        workers = self.client.scheduler_info(n_workers=-1).get("workers", {})
        self.slots = max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))
        for address, report in sorted(self.reports.items()):
            log.info("dask worker %s: pid %s on %s, %s", address, report.get("pid"),
                     report.get("host"), self._verdict(report))

    def _verdict(self, report: dict[str, Any]) -> str:
        if report.get("problem"):
            return f"refuses tasks: {report['problem']}"
        if report.get("code_hash") != self.code_hash:
            return (f"refuses tasks: course code {str(report.get('code_hash'))[:12]} is not "
                    f"the grader's {self.code_hash[:12]}")
        return f"ready ({report.get('sandbox')})"

    def describe(self) -> str:
        """One line per worker for the instructor, before grading starts."""
        return "\n".join(f"  {address}: {self._verdict(report)}"
                         for address, report in sorted(self.reports.items()))

    def usable(self) -> int:
        """Workers that will run tasks (same course code, sandbox ready)."""
        return sum(1 for r in self.reports.values()
                   if not r.get("problem") and r.get("code_hash") == self.code_hash)

    def worker_pids(self) -> dict[str, int]:
        """Each worker's process id (the operator's, and the tests', handle on it)."""
        return {a: int(r["pid"]) for a, r in self.reports.items() if r.get("pid")}

    # -- the batch's side ------------------------------------------------------------------

    def open(self, batch: Batch, writer: GradebookWriter) -> None:
        """Take the batch's steps, config and provided files (read once, here)."""
        from nbgrader.preprocessors import Execute

        steps = list(writer.execute_steps)
        at = next((i for i, s in enumerate(steps) if issubclass(s, Execute)), None)
        if at is None:
            raise DaskUnavailable("the course's autograde steps have no Execute")
        self._before, self._after = steps[:at], steps[at + 1:]
        self._config = batch._exec_config
        self._settings = protocol.execute_settings(self._config)
        self._judges = batch.judges
        self._provided = _read_provided(batch._source_dir, batch._protected)
        self._stopping = False

    def execute(self, prep: Prepared) -> dict[str, ExecutionResult]:
        """One submission on the cluster; its results judged here (see the module)."""
        from distributed import KilledWorker

        for job in prep.jobs:  # steps a course put before Execute run here
            for step in self._before:
                job.nb, job.resources = step(config=self._config)(job.nb, job.resources)
        data, sent = protocol.make_task(prep, limits=self.limits, settings=self._settings,
                                        provided=self._provided, code_hash=self.code_hash)
        key = f"grade-{self.assignment}-{secrets.token_hex(8)}"
        wait = 2 * (self.limits.notebook_timeout + 120) * max(1, len(prep.jobs)) + 600
        with self._lock:
            if self._stopping:
                return _results(prep, "error", "the batch was interrupted")
            future = self.client.submit(run_task, data, key=key, pure=False)
            self._futures.add(future)
        try:
            reply = future.result(timeout=wait)
        except KilledWorker as exc:
            log.error("%s: every worker that ran it died: %s", prep.student, exc)
            return _results(prep, "kernel_died", "the Dask worker running it died "
                            f"{self.allowed_failures + 1} times")
        except Exception as exc:  # noqa: BLE001 - cancelled, timed out, lost: fail closed
            log.error("%s: no reply from the cluster: %s: %s", prep.student,
                      type(exc).__name__, exc)
            return _results(prep, "error", f"no reply from the Dask cluster: "
                            f"{type(exc).__name__}: {exc}")
        finally:
            with self._lock:
                self._futures.discard(future)
            future.release()
        try:
            results = protocol.read_reply(reply, sent, prep.jobs)
        except protocol.Refused as exc:
            log.error("%s: reply refused: %s", prep.student, exc)
            return _results(prep, "error", f"refused: {exc}")
        for result in results.values():
            after_execution(result, self._after, config=self._config, judge_pool=self._judges)
        return results

    def stop(self) -> None:
        """Cancel what is still queued or running on the cluster."""
        with self._lock:
            self._stopping = True
            futures = list(self._futures)
        if futures and self.client is not None:
            try:
                self.client.cancel(futures, force=True)
            except Exception:  # noqa: BLE001 - the client may be gone already
                log.exception("cancelling the cluster's tasks failed")

    def close(self) -> None:
        """Tear the workers' grading down; close a local cluster (idempotent)."""
        client, cluster = self.client, self.cluster
        self.client = self.cluster = None
        if client is not None:
            try:
                if cluster is None:  # a shared cluster: free its kernels for others
                    client.unregister_worker_plugin(self.plugin.name)
            except Exception:  # noqa: BLE001 - best effort on the way out
                log.exception("removing the grading plugin failed")
            client.close()
        if cluster is not None:
            cluster.close()


def _read_provided(source_dir: Path, rels: frozenset[str]) -> dict[str, bytes]:
    """The assignment's own files (what nbgrader releases beside the notebook), as bytes."""
    out = {}
    for rel in sorted(rels):
        path = source_dir / rel
        if path.is_symlink() or not path.is_file():
            continue
        if path.stat().st_size > protocol.MAX_PROVIDED_BYTES:
            raise DaskUnavailable(f"{path} is larger than the "
                                  f"{protocol.MAX_PROVIDED_BYTES} bytes sent to workers")
        out[rel] = path.read_bytes()
    return out


def connect(args: Any, limits: Limits, preload: tuple[str, ...]) -> DaskBackend | None:
    """The ``--dask`` backend of the grade command, its workers set up; None: refused.

    ``args``: the command's options (``dask``, ``tls_*``, ``assignment``, ``sandbox``,
    ``no_fork``). What it finds is printed for the instructor.
    """
    import sys

    security = None
    if args.tls_ca_file or args.tls_cert or args.tls_key:
        from distributed.security import Security

        security = Security(tls_ca_file=args.tls_ca_file, tls_client_cert=args.tls_cert,
                            tls_client_key=args.tls_key, require_encryption=True)
    address = args.dask
    if address.startswith("tcp://") and not _loopback(address):
        print(f"WARNING: {address} is not encrypted: notebooks, hidden tests and answers "
              "travel in clear. Use tls:// (--tls-ca-file, --tls-cert, --tls-key), or keep the "
              "scheduler on a private network.", file=sys.stderr)
    backend = DaskBackend(address, assignment=args.assignment, limits=limits, preload=preload,
                          mechanism=args.sandbox, fork=not args.no_fork, security=security)
    try:
        backend.connect()
    except DaskUnavailable as exc:
        print(f"Refusing to grade: {exc}", file=sys.stderr)
        return None
    print(f"Dask cluster {address}: {len(backend.reports)} workers, {backend.slots} notebooks "
          f"at a time, {backend.usable()} ready for this course's code:\n" + backend.describe(),
          file=sys.stderr)
    return backend


def _loopback(address: str) -> bool:
    host = address.split("://", 1)[-1].rsplit(":", 1)[0].strip("[]")
    return host in ("127.0.0.1", "localhost", "::1")
