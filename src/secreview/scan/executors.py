"""Where the repositories of a scan are reviewed: a local process pool, or a Dask cluster.

Both run `work.review_repository` once per repository and yield outcomes as they complete.  A repository
whose review raised (a bug, a lost worker) is tried once more; if that fails too, its outcome records the
error and the scan goes on.  Executors never decide what is stored: the caller does.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import multiprocessing
import traceback
from collections.abc import Iterator, Sequence
from typing import Protocol

from secreview.scan.work import RepositoryJob, RepositoryOutcome, review_repository

ATTEMPTS = 2  # the first try and one retry
DAEMON_HINT = ("Dask workers run as daemon processes by default, and daemon processes cannot start the "
               "per-file worker processes secreview uses to bound time and memory: start the workers with "
               "DASK_DISTRIBUTED__WORKER__DAEMON=False (see docs/scan.md)")


class Executor(Protocol):
    name: str

    def run(self, jobs: Sequence[RepositoryJob]) -> Iterator[RepositoryOutcome]: ...


def _failed(job: RepositoryJob, error: BaseException | str) -> RepositoryOutcome:
    spec = job.spec
    text = error if isinstance(error, str) else "".join(traceback.format_exception_only(error)).strip()
    return RepositoryOutcome(spec.name, spec.location, spec.ref, error=f"review failed twice: {text}",
                             attempts=ATTEMPTS)


def checked_review(job: RepositoryJob) -> RepositoryOutcome:
    """`review_repository`, refusing clearly where it cannot bound its work (a daemonic worker process)."""
    if multiprocessing.current_process().daemon:
        raise RuntimeError(DAEMON_HINT)
    return review_repository(job)


class LocalExecutor:
    """A pool of local processes, one repository per process at a time."""

    name = "local"

    def __init__(self, processes: int) -> None:
        self.processes = max(1, processes)

    def run(self, jobs: Sequence[RepositoryJob]) -> Iterator[RepositoryOutcome]:
        pending = list(jobs)
        for attempt in range(1, ATTEMPTS + 1):
            if not pending:
                return
            retry: list[RepositoryJob] = []
            with concurrent.futures.ProcessPoolExecutor(max_workers=min(self.processes, len(pending))) as pool:
                futures = {pool.submit(checked_review, job): job for job in pending}
                for future in concurrent.futures.as_completed(futures):
                    job = futures[future]
                    try:
                        outcome = future.result()
                    except Exception as error:  # noqa: BLE001 - a bug or a lost process: retried, then recorded
                        if attempt < ATTEMPTS:
                            retry.append(job)
                        else:
                            yield _failed(job, error)
                        continue
                    yield _with_attempts(outcome, attempt)
            pending = retry


class DaskExecutor:
    """A Dask cluster: the scheduler at `address`, or a LocalCluster of `workers` processes when none is given."""

    name = "dask"

    def __init__(self, address: str | None, workers: int) -> None:
        self.address = address
        self.workers = max(1, workers)

    def run(self, jobs: Sequence[RepositoryJob]) -> Iterator[RepositoryOutcome]:
        import dask
        from dask.distributed import Client, LocalCluster, as_completed

        with dask.config.set({"distributed.worker.daemon": False}):
            cluster = None if self.address else LocalCluster(
                n_workers=self.workers, threads_per_worker=1, processes=True, dashboard_address=None)
            try:
                with Client(self.address or cluster) as client:
                    futures = {client.submit(checked_review, job, retries=ATTEMPTS - 1, pure=False): job
                               for job in jobs}
                    for future in as_completed(futures):
                        job = futures[future]
                        try:
                            yield future.result()
                        except Exception as error:  # noqa: BLE001 - retried by Dask already: recorded
                            yield _failed(job, error)
            finally:
                if cluster is not None:
                    cluster.close()


def _with_attempts(outcome: RepositoryOutcome, attempts: int) -> RepositoryOutcome:
    return dataclasses.replace(outcome, attempts=attempts) if attempts != outcome.attempts else outcome
