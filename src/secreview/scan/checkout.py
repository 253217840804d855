"""Bringing one repository to a pinned commit on disk, for a scan.

- A git URL is cloned (once; later scans fetch into the same clone) under the scan's work directory and
  checked out detached at the requested ref, or at the remote's default branch.
- A local git checkout is reviewed in place when it is clean and at the requested commit; otherwise the
  commit is exported (`git archive`) to a temporary directory, so what is reviewed is exactly the commit.
  The user's repository is only read.
- A local directory that is not a git checkout is reviewed as found (no commit).

Git never prompts (GIT_TERMINAL_PROMPT=0) and every git command has a time limit.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from secreview.scan.manifest import RepositorySpec

GIT_TIMEOUT = 900  # seconds for one clone or fetch of a large repository


class CheckoutError(RuntimeError):
    """The repository could not be brought to the requested commit (the message says why)."""


@dataclass(frozen=True)
class Checkout:
    path: str  # the tree to review
    commit: str | None  # None: not a git checkout, reviewed as found
    how: str  # "in place", "clone", "export" or "as found"


@contextmanager
def materialise(spec: RepositorySpec, work_dir: str) -> Iterator[Checkout]:
    """The repository's tree at its pinned commit, for the duration of the block."""
    if spec.is_remote:
        yield _clone(spec, work_dir)
        return
    if not os.path.isdir(spec.location):
        raise CheckoutError(f"{spec.location} is not a directory")
    if not _is_git_checkout(spec.location):
        if spec.ref:
            raise CheckoutError(f"{spec.location} is not a git checkout, so ref {spec.ref!r} cannot be used")
        yield Checkout(spec.location, None, "as found")
        return
    commit = _commit_of(spec.location, spec.ref or "HEAD")
    if _commit_of(spec.location, "HEAD") == commit and _is_clean(spec.location):
        yield Checkout(spec.location, commit, "in place")
        return
    export = tempfile.mkdtemp(prefix=f"{_safe(spec.name)}-", dir=_ensure(work_dir, "exports"))
    try:
        _export(spec.location, commit, export)
        yield Checkout(export, commit, "export")
    finally:
        shutil.rmtree(export, ignore_errors=True)


def _clone(spec: RepositorySpec, work_dir: str) -> Checkout:
    key = hashlib.sha256(spec.location.encode()).hexdigest()[:12]
    target = os.path.join(_ensure(work_dir, "clones"), f"{_safe(spec.name)}-{key}")
    if _is_git_checkout(target):
        _git(target, "fetch", "--quiet", "--tags", "--force", "origin", "+refs/heads/*:refs/remotes/origin/*")
    else:
        shutil.rmtree(target, ignore_errors=True)  # a clone interrupted earlier
        _git(None, "clone", "--quiet", "--no-checkout", "--", spec.location, target)
    commit = _commit_of(target, _remote_ref(target, spec.ref))
    _git(target, "checkout", "--quiet", "--force", "--detach", commit)
    _git(target, "clean", "--quiet", "-d", "--force", "-x")
    return Checkout(target, commit, "clone")


def _remote_ref(clone: str, ref: str | None) -> str:
    if ref is None:
        return "refs/remotes/origin/HEAD" if _resolves(clone, "refs/remotes/origin/HEAD") else "HEAD"
    for candidate in (f"refs/remotes/origin/{ref}", f"refs/tags/{ref}", ref):
        if _resolves(clone, candidate):
            return candidate
    raise CheckoutError(f"ref {ref!r} not found in {clone}")


def _export(repository: str, commit: str, target: str) -> None:
    """Write the files of `commit` into `target` (git archive, read by tarfile with its safe filter)."""
    archive = os.path.join(target, ".secreview-export.tar")
    try:
        with open(archive, "wb") as out:
            _run(["git", "-C", repository, "archive", "--format=tar", commit], stdout=out)
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="data")
    except (OSError, tarfile.TarError) as error:
        raise CheckoutError(f"cannot export {commit[:12]} of {repository}: {error}") from None
    finally:
        if os.path.exists(archive):
            os.remove(archive)


def _is_git_checkout(path: str) -> bool:
    return os.path.exists(os.path.join(path, ".git"))


def _is_clean(repository: str) -> bool:
    return not _git(repository, "status", "--porcelain", "--ignore-submodules").strip()


def _resolves(repository: str, ref: str) -> bool:
    try:
        _git(repository, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except CheckoutError:
        return False
    return True


def _commit_of(repository: str, ref: str) -> str:
    try:
        return _git(repository, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except CheckoutError:
        raise CheckoutError(f"ref {ref!r} not found in {repository}") from None


def _git(repository: str | None, *args: str) -> str:
    command = ["git", *(["-C", repository] if repository else []), *args]
    return _run(command, stdout=subprocess.PIPE)


def _run(command: list[str], stdout) -> str:
    environment = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", "LC_ALL": "C"}
    try:
        done = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, env=environment,
                              timeout=GIT_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise CheckoutError(f"{' '.join(command[:4])} ... took over {GIT_TIMEOUT} s") from None
    except OSError as error:
        raise CheckoutError(f"cannot run git: {error.strerror or error}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CheckoutError(f"git {command[3] if command[1] == '-C' else command[1]} failed: "
                            f"{message[-1] if message else f'exit status {done.returncode}'}")
    return done.stdout.decode("utf-8", "replace") if isinstance(done.stdout, bytes) else ""


def _ensure(work_dir: str, part: str) -> str:
    path = Path(work_dir, part)
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:60] or "repository"
