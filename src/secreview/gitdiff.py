"""The git edge: what changed in a work tree, asked of `git` (the only module that runs it).

`--diff` with no revision reviews the work since the branch left the default
branch: the merge base of HEAD with origin's default branch (origin/HEAD, else
origin/main, origin/master, main, master).  When HEAD is that merge base (on the
default branch itself, or a branch without commits yet) it reviews uncommitted
work against HEAD.  The work tree is always the new side: staged and unstaged
edits count, and untracked files (not ignored ones) are reviewed as added.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from secreview import changes

_DEFAULT_BRANCHES = ("origin/main", "origin/master", "main", "master")
# Output that does not depend on the user's git configuration (prefixes, colour, external tools).
_DIFF_OPTIONS = ("--no-color", "--no-ext-diff", "--no-textconv", "--find-renames", "--unified=0",
                 "--src-prefix=a/", "--dst-prefix=b/")


# A reviewer only reads: no prompts for credentials, no opportunistic index refresh (which writes).
_READ_ONLY = {"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}


class GitError(Exception):
    """git is missing, this is not a work tree, or a revision does not exist; the message says which."""


@dataclass(frozen=True)
class Base:
    revision: str
    description: str  # for the notes: "the merge base with origin/main (3f2a1b9c)"


def _git(args: list[str], cwd: Path, stdin: bytes | None = None) -> str:
    try:
        completed = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False,
                                   env={**os.environ, **_READ_ONLY})
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH (--diff needs it; --diff - reads a diff from stdin)") \
            from None
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {' '.join(args[:2])} failed: {message[0] if message else completed.returncode}")
    return completed.stdout.decode("utf-8", "surrogateescape")


def toplevel(cwd: Path) -> Path:
    """The root of the work tree holding `cwd`."""
    try:
        return Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    except GitError:
        raise GitError(f"{cwd} is not inside a git work tree (--diff needs one; "
                       "--diff - reads a unified diff from stdin instead)") from None


def is_revision(revision: str, cwd: Path) -> bool:
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], cwd)
    except GitError:
        return False
    return True


def _head(cwd: Path) -> str | None:
    try:
        return _git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], cwd).strip() or None
    except GitError:
        return None


def _empty_tree(cwd: Path) -> str:
    return _git(["hash-object", "-t", "tree", "--stdin"], cwd, stdin=b"").strip()


def default_base(cwd: Path) -> Base:
    head = _head(cwd)
    if head is None:
        return Base(_empty_tree(cwd), "an empty tree (the repository has no commits yet)")
    for branch in _default_branches(cwd):
        try:
            merge_base = _git(["merge-base", "HEAD", branch], cwd).strip()
        except GitError:
            continue
        if merge_base and merge_base != head:
            return Base(merge_base, f"the merge base with {branch} ({merge_base[:10]})")
    return Base("HEAD", f"HEAD ({head[:10]}): uncommitted changes")


def _default_branches(cwd: Path) -> list[str]:
    found = []
    try:
        origin_head = _git(["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"], cwd).strip()
        if origin_head:
            found.append(origin_head)
    except GitError:
        pass
    found.extend(branch for branch in _DEFAULT_BRANCHES if branch not in found and is_revision(branch, cwd))
    return found


def resolve_base(revision: str | None, cwd: Path) -> Base:
    """`revision` as given (checked), or the default base."""
    if revision is None:
        return default_base(cwd)
    if ".." in revision:
        raise GitError(f"--diff takes one revision, not a range ({revision!r}): the work tree is the other side")
    if not is_revision(revision, cwd):
        raise GitError(f"--diff {revision}: not a revision in this repository")
    return Base(revision, revision)


def changed_files(base: Base, cwd: Path) -> list[changes.FileChange]:
    """Files changed in the work tree since `base`, untracked files included as added; paths from the top."""
    top = toplevel(cwd)
    found = changes.parse(_git(["diff", *_DIFF_OPTIONS, base.revision, "--"], top))
    known = {change.path for change in found}
    for path in _git(["ls-files", "--others", "--exclude-standard", "-z"], top).split("\0"):
        if path and path not in known:
            found.append(changes.FileChange(path=path, status=changes.ADDED))
    return found
