"""One unit of a scan: review one repository at its pinned commit and say what was found.

`review_repository` is what every executor runs (a local process or a Dask worker).  Its input and output
are plain, picklable data; paths in the outcome are relative to the repository's root, so the same
commit gives the same outcome wherever it was checked out.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import resource
import sys
import time
from dataclasses import dataclass, field

from secreview import resultcache
from secreview.model import Finding, Location
from secreview.scan.checkout import Checkout, CheckoutError, materialise
from secreview.scan.manifest import RepositorySpec


@dataclass(frozen=True)
class RepositoryJob:
    spec: RepositorySpec
    work_dir: str  # clones and exports live here
    jobs: int = 1  # files reviewed in parallel inside this repository


@dataclass(frozen=True)
class FileRecord:
    path: str  # relative to the repository root
    language: str
    digest: str  # sha256 of the decoded text
    lines: int


@dataclass(frozen=True)
class RepositoryOutcome:
    """What one attempt at one repository gave: findings and files, or the error that stopped it."""

    name: str
    location: str
    ref: str | None
    commit: str | None = None
    checkout: str = ""  # how the tree was obtained (see checkout.Checkout.how)
    files: tuple[FileRecord, ...] = ()
    findings: tuple[dict, ...] = ()  # resultcache.finding_to_data, paths relative to the root
    problems: tuple[tuple[str, str, str], ...] = ()  # (path, kind, detail)
    seconds: float = 0.0
    peak_memory_kib: int = 0  # of the process that ran the review (Linux: ru_maxrss)
    error: str | None = None
    attempts: int = 1
    worker: str = field(default="", compare=False)

    @property
    def failed(self) -> bool:
        return self.error is not None

    def findings_as_model(self) -> tuple[Finding, ...]:
        return tuple(resultcache.finding_from_data(data) for data in self.findings)


def review_repository(job: RepositoryJob) -> RepositoryOutcome:
    """Review `job.spec` at its pinned commit.  A repository that cannot be reviewed gives an outcome with
    `error` set (a clone failure, a missing ref); a bug in secreview itself propagates, so the executor can
    retry it once and then record it."""
    from secreview import cli  # the review pipeline; imported here so a worker pays for it only when used

    spec = job.spec
    started = time.monotonic()
    try:
        with materialise(spec, job.work_dir) as checkout:
            report, reviewed = cli.review_tree(checkout.path, spec.settings, jobs=job.jobs)
            outcome = _outcome(spec, checkout, report, reviewed)
    except CheckoutError as error:
        outcome = RepositoryOutcome(spec.name, spec.location, spec.ref, error=str(error))
    except cli.UsageError as error:  # e.g. a configuration file in the repository that is not valid
        outcome = RepositoryOutcome(spec.name, spec.location, spec.ref, error=f"cannot review: {error}")
    return dataclasses.replace(outcome, seconds=round(time.monotonic() - started, 3),
                               peak_memory_kib=_peak_memory_kib(), worker=f"{os.uname().nodename}:{os.getpid()}")


def _outcome(spec: RepositorySpec, checkout: Checkout, report, reviewed) -> RepositoryOutcome:
    root = checkout.path
    everything = (*report.findings, *report.suppressed)
    return RepositoryOutcome(
        name=spec.name, location=spec.location, ref=spec.ref, commit=checkout.commit, checkout=checkout.how,
        files=tuple(sorted((FileRecord(_relative(source.path, root), source.language,
                                       hashlib.sha256(source.text.encode("utf-8", "surrogatepass")).hexdigest(),
                                       source.text.count("\n") + 1) for source in reviewed),
                           key=lambda record: record.path)),
        findings=tuple(resultcache.finding_to_data(_relative_finding(finding, root)) for finding in everything),
        problems=tuple((_relative(p.path, root), p.kind.value, p.detail) for p in report.problems),
    )


def _relative_finding(finding: Finding, root: str) -> Finding:
    def moved(location: Location) -> Location:
        return dataclasses.replace(location, path=_relative(location.path, root))

    fix = finding.fix
    if fix is not None:
        fix = dataclasses.replace(fix, edits=tuple(dataclasses.replace(e, location=moved(e.location))
                                                   for e in fix.edits))
    return dataclasses.replace(
        finding, location=moved(finding.location), fix=fix,
        trace=tuple(dataclasses.replace(step, location=moved(step.location)) for step in finding.trace))


def _relative(path: str, root: str) -> str:
    if not os.path.isabs(path) and not path.startswith(root):
        return path
    relative = os.path.relpath(path, root)
    return path if relative.startswith("..") else relative.replace(os.sep, "/")


def _peak_memory_kib() -> int:
    """The largest resident size of this process or of a file worker it waited for."""
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return peak // 1024 if sys.platform == "darwin" else peak  # macOS reports bytes, Linux kibibytes
