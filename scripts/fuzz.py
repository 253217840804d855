"""Fuzz secreview with mutated fixtures: no traceback, no hang, no slow file left unreported.

    python scripts/fuzz.py [--seconds 600] [--seed 1] [--out fuzz-out] [--fixtures tests/fixtures]
        [--file-timeout 5] [--max-cases N] [--keep-limited]

Each case takes a fixture under tests/fixtures, mutates it (byte flips, truncation, one
line repeated a thousand times, deep nesting, a huge literal, an odd encoding or
declared coding) and runs the in-process entry point, `secreview.cli.main(argv)`, in a
forked child on it: as a path, on stdin (`-` with `--language`) or inside a review prompt
(`--prompt`), in one of the formats text, json, sarif, markdown and github, with one or
two jobs.  A case is kept (input, argv, output) under --out when:

- traceback:       an exception escaped `main`;
- internal-error:  a rule or a worker failed on a file (reported, the other findings kept);
- hang:            the run did not end within the hard limit of --file-timeout plus a margin;
- slow-unreported: the run took longer than the file limit allows but no file was
                   reported `limit-exceeded`.

With --keep-limited, cases reported `limit-exceeded` are kept too (to find slow code paths).
The run is seeded (the same seed makes the same cases) and time-boxed; it ends with
counts per outcome, mutation, input mode and format, and exits 1 if any case was kept.
Linux and macOS only (it forks).  Standard library only.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import signal
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LANGUAGES = {".py": "python", ".c": "c", ".h": "c", ".cpp": "cpp", ".cc": "cpp", ".hpp": "cpp"}
FORMATS = ("text", "json", "sarif", "markdown", "github")
MODES = ("path", "stdin", "prompt")
MARGIN = 15.0  # seconds beyond the file limit that starting, reading and reporting may take
KEPT = ("traceback", "internal-error", "hang", "slow-unreported")


@dataclass(frozen=True)
class Case:
    number: int
    fixture: Path
    mutation: str
    mode: str
    format: str
    jobs: int
    data: bytes


# -- mutations: bytes in, bytes out ------------------------------------------------------------

def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data or b"\0")
    for _ in range(rng.randint(1, 16)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(len(data) + 1)]


def repeat_line(data: bytes, rng: random.Random) -> bytes:
    lines = data.splitlines(keepends=True) or [b"\n"]
    at = rng.randrange(len(lines))
    return b"".join(lines[:at] + [lines[at]] * rng.randint(500, 2000) + lines[at:])


_NESTINGS = ((b"(", b")"), (b"[", b"]"), (b"{", b"}"), (b"f(", b")"), (b"-", b""), (b"not ", b""),
             (b"{1:", b"}"), (b"x+", b"0"), (b"*", b"p"), (b"!", b""), (b"--", b""), (b"if x:\n" , b""))


def nest_deeply(data: bytes, rng: random.Random) -> bytes:
    opening, closing = rng.choice(_NESTINGS)
    depth = rng.choice((100, 1000, 5000, 20000))
    nested = b"x = " + opening * depth + b"1" + closing * depth + b"\n"
    lines = data.splitlines(keepends=True)
    at = rng.randrange(len(lines) + 1)
    return b"".join(lines[:at] + [nested] + lines[at:])


def huge_literal(data: bytes, rng: random.Random) -> bytes:
    kind = rng.choice(("list", "string", "concatenation", "dict"))
    count = rng.choice((10_000, 100_000, 400_000))
    literal = {"list": lambda: b"[" + b"1, " * count + b"]",
               "string": lambda: b'"' + b"a" * (count * 4) + b'"',
               "concatenation": lambda: b" + ".join([b'"a"'] * count),
               "dict": lambda: b"{" + b", ".join(b"%d: %d" % (i, i) for i in range(count)) + b"}"}[kind]()
    return data + b"\nhuge = " + literal + b"\n"


_DECLARED = (b"# coding: utf-7\n", b"# -*- coding: unicode_escape -*-\n", b"# coding: raw_unicode_escape\n",
             b"# coding: punycode\n", b"# coding: latin-1\n", b"# coding: no-such-codec\n")


def odd_encoding(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", "replace")
    choice = rng.randrange(8)
    if choice == 0:
        return text.encode("utf-16")
    if choice == 1:
        return b"\xef\xbb\xbf" + data
    if choice == 2:
        return text.encode("latin-1", "replace") + b"\n# caf\xe9\n"
    if choice == 3:
        return data.replace(b"\n", b"\r\n")
    if choice == 4:
        return data.replace(b"\n", b"\r")
    if choice == 5:
        return data + b"\n\xff\xfe\x00\x80\n"
    if choice == 6:
        return data.replace(b" ", b"\0", rng.randint(1, 5))
    return rng.choice(_DECLARED) + data


MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "flip-bytes": flip_bytes, "truncate": truncate, "repeat-line": repeat_line, "nest-deeply": nest_deeply,
    "huge-literal": huge_literal, "odd-encoding": odd_encoding,
}


def as_prompt(data: bytes, rng: random.Random) -> bytes:
    """The code as a review prompt: a request, then the lines numbered from somewhere."""
    first = rng.choice((0, 1, 1, 10, 9_999_990))
    lines = data.split(b"\n")
    numbered = [b"%d %s" % (first + i, line) for i, line in enumerate(lines)]
    return b"Please review the code below for security defects.\n\n" + b"\n".join(numbered) + b"\n"


# -- running one case ------------------------------------------------------------------------

def make_case(number: int, fixtures: list[Path], rng: random.Random) -> Case:
    fixture = rng.choice(fixtures)
    mutation = rng.choice(sorted(MUTATIONS))
    mode = rng.choice(MODES)
    data = MUTATIONS[mutation](fixture.read_bytes(), rng)
    if mode == "prompt":
        data = as_prompt(data, rng)
    return Case(number, fixture, mutation, mode, rng.choice(FORMATS), rng.choice((1, 1, 2)), data)


def argv_for(case: Case, work: Path, file_timeout: float) -> tuple[list[str], Path | None]:
    """(argv, file for stdin) of a case, with its input written under `work`."""
    common = ["--no-cache", "--no-config", "--format", case.format, "--jobs", str(case.jobs),
              "--file-timeout", f"{file_timeout:g}", "--max-file-size", str(64 * 2**20)]
    source = work / f"input{case.fixture.suffix}"
    source.write_bytes(case.data)
    if case.mode == "stdin":
        return [*common, "--language", LANGUAGES[case.fixture.suffix], "-"], source
    if case.mode == "prompt":
        prompt = work / "prompt.txt"
        source.rename(prompt)
        return [*common, "--prompt", str(prompt)], None
    return [*common, str(source)], None


def run_in_child(argv: list[str], stdin: Path | None, work: Path, limit: float) -> tuple[str, float, int | None]:
    """Run `secreview.cli.main(argv)` in a forked child: (outcome, seconds, exit status)."""
    sys.stdout.flush()
    sys.stderr.flush()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os._exit(_child(argv, stdin, work))
    deadline = started + limit
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            return ("traceback" if code == 99 else "ok"), time.monotonic() - started, code
        if time.monotonic() >= deadline:
            _kill_group(pid)
            return "hang", time.monotonic() - started, None
        time.sleep(0.02)


def _kill_group(pid: int) -> None:
    """Kill the child and the workers it started (its process group)."""
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except OSError:
            pass
    os.waitpid(pid, 0)


def _child(argv: list[str], stdin: Path | None, work: Path) -> int:
    os.setpgid(0, 0)  # its own group, so that a hang kills its workers too
    for fd, name, mode in ((0, stdin or os.devnull, os.O_RDONLY), (1, work / "stdout", os.O_WRONLY | os.O_CREAT),
                           (2, work / "stderr", os.O_WRONLY | os.O_CREAT)):
        opened = os.open(name, mode, 0o644)
        os.dup2(opened, fd)
        os.close(opened)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8")
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace")
    try:
        from secreview import cli
        status = cli.main(argv)
    except SystemExit as stop:  # argparse's way of refusing an option
        status = stop.code if isinstance(stop.code, int) else 2
    except BaseException:  # noqa: BLE001 - what the fuzzer is looking for
        traceback.print_exc()
        status = 99
    sys.stdout.flush()
    sys.stderr.flush()
    return status


def judge(outcome: str, seconds: float, work: Path, limit_seconds: float) -> str:
    """The case's verdict from how the run ended and what it reported."""
    if outcome != "ok":
        return outcome
    output = (work / "stdout").read_text("utf-8", "replace") + (work / "stderr").read_text("utf-8", "replace")
    if "Traceback (most recent call last)" in output:
        return "traceback"
    if "internal-error" in output or "internal_error" in output:
        return "internal-error"
    reported = "limit-exceeded" in output or "limit_exceeded" in output
    if seconds > limit_seconds and not reported:
        return "slow-unreported"
    return "limit-exceeded" if reported else "ok"


def keep(case: Case, verdict: str, argv: list[str], seconds: float, work: Path, out: Path) -> None:
    target = out / verdict / f"case-{case.number:05d}"
    target.mkdir(parents=True, exist_ok=True)
    (target / f"input{case.fixture.suffix}").write_bytes(case.data)
    for name in ("stdout", "stderr"):
        if (work / name).exists():
            (target / name).write_bytes((work / name).read_bytes()[:1_000_000])
    info = {"fixture": str(case.fixture.relative_to(REPO)) if case.fixture.is_relative_to(REPO) else str(case.fixture),
            "mutation": case.mutation, "mode": case.mode, "format": case.format, "jobs": case.jobs,
            "seconds": round(seconds, 2), "argv": argv}
    (target / "case.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def _clear(work: Path) -> None:
    for path in work.iterdir():
        path.unlink()


# -- the loop --------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="time box of the whole run (default 60)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("fuzz-out"), help="where kept cases go (default fuzz-out)")
    parser.add_argument("--fixtures", type=Path, default=REPO / "tests" / "fixtures")
    parser.add_argument("--file-timeout", type=float, default=5.0,
                        help="secreview's --file-timeout for every case (default 5)")
    parser.add_argument("--max-cases", type=int, default=0, help="stop after this many cases (0: no limit)")
    parser.add_argument("--keep-limited", action="store_true", help="keep cases reported limit-exceeded too")
    args = parser.parse_args(argv)
    fixtures = sorted(p for p in args.fixtures.rglob("*") if p.is_file() and p.suffix in LANGUAGES)
    if not fixtures:
        parser.error(f"no fixtures under {args.fixtures}")
    sys.path.insert(0, str(REPO / "src"))
    from secreview import cli  # noqa: F401 - imported once here, shared by every forked case
    from secreview.engine import hard_deadline
    # A file may take the hard deadline, with one job after every other file; the run adds start-up.
    slow = hard_deadline(args.file_timeout) + MARGIN
    hang = slow + 2 * MARGIN
    rng = random.Random(args.seed)
    work = args.out / "work"
    work.mkdir(parents=True, exist_ok=True)
    counts: dict[str, Counter[str]] = {"verdict": Counter(), "mutation": Counter(), "mode": Counter(),
                                       "format": Counter()}
    stop_at = time.monotonic() + args.seconds
    number = 0
    while time.monotonic() < stop_at and (not args.max_cases or number < args.max_cases):
        number += 1
        case = make_case(number, fixtures, rng)
        _clear(work)
        case_argv, stdin = argv_for(case, work, args.file_timeout)
        outcome, seconds, _ = run_in_child(case_argv, stdin, work, hang)
        verdict = judge(outcome, seconds, work, slow)
        for key, value in (("verdict", verdict), ("mutation", case.mutation), ("mode", case.mode),
                           ("format", case.format)):
            counts[key][value] += 1
        if verdict in KEPT or (args.keep_limited and verdict == "limit-exceeded"):
            keep(case, verdict, case_argv, seconds, work, args.out)
            print(f"case {number}: {verdict} ({case.mutation}, {case.mode}, {case.format}, "
                  f"{seconds:.1f} s) from {case.fixture.name}", flush=True)
    _clear(work)
    work.rmdir()
    print(f"{number} cases in {args.seconds:g} s (seed {args.seed}, --file-timeout {args.file_timeout:g})")
    for key, counter in counts.items():
        print(f"{key}: " + ", ".join(f"{name} {count}" for name, count in sorted(counter.items())))
    kept = sum(counts["verdict"][name] for name in KEPT)
    print(f"kept under {args.out}: {kept}" if kept else
          "nothing kept: no traceback, internal error, hang or unreported slow file")
    return 1 if kept else 0


if __name__ == "__main__":
    sys.exit(main())
