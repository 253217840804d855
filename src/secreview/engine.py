"""analyse(sources, rules, settings) -> Analysis: parse, run rules, build findings (untriaged).

What is shown is decided once, afterwards, by `triage.report` (after the optional LLM reviewer
has merged its findings); `analyze` composes the two for callers without an LLM.

Pure apart from calling the parser and what the caller injects: no file or
network I/O happens here.  A result store (the per-file cache, see
resultcache.py) and a progress callback come from the command line.

A rule that crashes on a file is reported as a problem for that file (the run
becomes incomplete); it never aborts the run or hides other findings.

Files can be analysed in parallel processes (`jobs`).  Each worker builds its
own cross-file `Project` over the full source list, and a module's answer does
not depend on the order files ask for it, so the report is the same for any
number of jobs.

Work per file is bounded from outside the analysis (`file_timeout`, `file_memory`):
files are then analysed in worker processes, also with one job.  A worker stops a
file's rules at the time limit (keeping the findings of the rules that finished) and
runs it under an address-space limit; a file that still does not finish in time is
killed with its worker by the parent, which reports it `limit-exceeded` and starts a
new worker for the other files.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import mmap
import multiprocessing
import multiprocessing.connection
import signal
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import tree_sitter as ts

from secreview import lang, suppressions, taint, triage
from secreview.lang.c_family.file import LANGUAGES as C_FAMILY
from secreview.lang.base import FileContext
from secreview.lang.c_family.file import CFile
from secreview.lang.c_family.include_dirs import HeaderIndex, search_path
from secreview.lang.python.file import PyFile
from secreview.lang.templates import LANGUAGE as TEMPLATE
from secreview.lang.templates.file import TemplateFile
from secreview.lang.templates.views import ViewIndex
from secreview.model import (
    Analysis,
    Confidence,
    Edit,
    Evidence,
    ExcerptLine,
    FileProblem,
    Finding,
    Fix,
    Location,
    Origin,
    ProblemKind,
    Report,
    Severity,
    TraceStep,
)
from secreview.rules import AnalysisLimitExceeded, Hit, Rewrite, Rule, fill, id_matches
from secreview.sources import SourceFile
from secreview.valueflow.project import FunctionIndex
from secreview.testcode import relative_to

try:
    import resource
except ImportError:  # Windows has no resource limits: no memory limit there
    resource = None  # type: ignore[assignment]

EXCERPT_CONTEXT = 2
_MAX_CODE_VALUE = 100
# Below this many files to analyse, starting worker processes costs more than it saves.
MIN_FILES_PER_WORKER = 4
# Bump when the per-file result changes shape or meaning (it is part of every cache key).
RESULT_FORMAT = "2"  # 2: findings carry their evidence
HEADER_PREFIX = "header:"  # a consulted entry naming a C/C++ header by its path, not a Python module
# A template's consulted entry standing for every Python source of the run: the views that render it and
# what they pass are found among all of them, so any change to the Python invalidates a template's result.
PYTHON_SOURCES = "python-sources:"
# A consulted entry naming a C/C++ function another file of the run may define (cross-file value flow).
C_FUNCTION_PREFIX = "c-function:"

# At most this long is spent, before the review workers start, summarising (in parallel) the C functions other
# files call; what is left is summarised by the workers as their files need it (under the per-file limits below).
PREPARE_SECONDS = 60.0

# Default bounds on one file's analysis: far above what real files need (on OpenStack Nova and
# curl the slowest file takes under 4 s on a busy machine, and a whole serial run stays under
# 200 MiB), low enough that a hostile file cannot hang a pre-commit hook or exhaust the memory.
DEFAULT_FILE_TIMEOUT = 60.0  # seconds
DEFAULT_FILE_MEMORY = 2048  # MiB of address space a file's analysis may add to its worker


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    min_severity: Severity = Severity.LOW
    min_confidence: Confidence = Confidence.MEDIUM
    dataflow_budget: int = taint.DEFAULT_STEP_BUDGET  # interpreter steps per file before it stops
    include_tests: bool = False  # findings in test code are hidden (counted) unless this is set
    honor_foreign_suppressions: bool = False  # nosec / noqa: S... / nosemgrep
    per_path_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (gitignore-style glob, rule patterns)
    per_path_ignores_origin: str = "the configuration"
    baseline: frozenset[str] = frozenset()  # fingerprints of accepted findings
    baseline_origin: str = "the baseline"
    project_root: str = ""  # absolute; test code and fingerprints look at paths below it
    # Bounds on one file's analysis (None: no limit; the command line's defaults are DEFAULT_FILE_*).
    # Bounded files are analysed in worker processes, which costs a fork per run (some 25 ms).
    file_timeout: float | None = None  # seconds before its rules stop
    file_memory: int | None = None  # MiB of address space its analysis may add
    profile: str = "default"  # "default": findings with evidence; "audit": every finding
    include_dirs: tuple[str, ...] = ()  # C/C++ headers read for macros (with compile_commands.json at the root)

    @property
    def bounded(self) -> bool:
        """Files are analysed in worker processes that can be limited and killed."""
        return bool(self.file_timeout or self.file_memory)


@dataclass
class FileResult:
    """What analysing one file produced; what the result cache stores."""

    findings: list[Finding] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    unused_suppressions: list[str] = field(default_factory=list)
    # Modules of other reviewed files the analysis consulted -> digest of the files that answered.
    consulted: dict[str, str] = field(default_factory=dict)
    cacheable: bool = True  # False when the result depends on timing (a file timeout)


class ResultStore(Protocol):
    """Where per-file results are kept between runs (resultcache.ResultCache)."""

    def get(self, key: str) -> FileResult | None: ...

    def put(self, key: str, result: FileResult) -> None: ...


Progress = Callable[[int, int], None]  # (files done, files in all)


def select_rules(rules: Iterable[type[Rule]], settings: Settings) -> list[type[Rule]]:
    chosen = [r for r in rules if not settings.select or id_matches(r.id, settings.select)]
    return [r for r in chosen if not id_matches(r.id, settings.ignore)]


def analyse(sources: Sequence[SourceFile], rules: Sequence[type[Rule]], settings: Settings,
            problems: Sequence[FileProblem] = (), *, context: Sequence[SourceFile] = (),
            cache: ResultStore | None = None, jobs: int = 1, progress: Progress | None = None) -> Analysis:
    """Everything the rules find in `sources`, untriaged; `context` files are only read to resolve
    imports (e.g. unchanged files of a diff). Test files are reviewed only with `--include-tests`."""
    reviewed: list[SourceFile] = []
    left_out: list[SourceFile] = []
    for source in sources:
        (left_out if not_reviewed(source, settings) else reviewed).append(source)
    batch = _Batch(tuple(reviewed), (*context, *left_out), tuple(select_rules(rules, settings)), settings)
    results = _all_results(batch, cache, jobs, progress)
    all_problems = (*problems, *(problem for result in results for problem in result.problems))
    return Analysis(
        findings=tuple(finding for result in results for finding in result.findings),
        problems=tuple(sorted(all_problems, key=lambda p: (p.path, p.kind.value))),
        files_analysed=len(reviewed),
        test_files=triage.test_files(sources, settings.project_root),
        test_files_not_reviewed=len(left_out),
        unused_suppressions=tuple(note for result in results for note in result.unused_suppressions))


def analyze(sources: Sequence[SourceFile], rules: Sequence[type[Rule]], settings: Settings,
            problems: Sequence[FileProblem] = (), *, scope: triage.Scope | None = None, **options) -> Report:
    """`analyse` then `triage.report`: the whole review without the optional LLM reviewer."""
    return triage.report(analyse(sources, rules, settings, problems, **options), settings, scope)


# -- running files: cache, serial, parallel --------------------------------------------------

@dataclass
class _Batch:
    """Everything a worker needs: the sources (for cross-file resolution too), rules and settings."""

    sources: tuple[SourceFile, ...]
    context: tuple[SourceFile, ...]
    rules: tuple[type[Rule], ...]
    settings: Settings
    _project: object = None
    _views: ViewIndex | None = None
    _digests: dict[str, str] = field(default_factory=dict)
    _headers: HeaderIndex | None = None
    _functions: FunctionIndex | None = None

    @property
    def functions(self) -> FunctionIndex:
        """The C/C++ functions the run's files define, for cross-file value flow (built once per process)."""
        if self._functions is None:
            self._functions = FunctionIndex(self.sources + self.context,
                                            search_path(self.settings.project_root, self.settings.include_dirs),
                                            self.settings.project_root)
        return self._functions

    @property
    def project(self):
        if self._project is None:
            every = self.sources + self.context
            self._project = taint.python_project(every, self.settings.dataflow_budget,
                                                 triage.test_files(every, self.settings.project_root))
        return self._project

    @property
    def views(self) -> ViewIndex:
        """The Python views rendering templates, found once per process (only when a template is analysed)."""
        if self._views is None:
            self._views = ViewIndex(self.sources + self.context, self.project, self.settings.dataflow_budget)
        return self._views

    def module_digest(self, module: str) -> str:
        """Identity (paths and contents) of the files that answer to a module name in this run, none included."""
        if module == PYTHON_SOURCES and module not in self._digests:
            python = sorted((s.path, text_digest(s.text)) for s in self.sources + self.context if s.language == "python")
            self._digests[module] = hashlib.sha256(repr(python).encode()).hexdigest()[:32]
        if module not in self._digests:
            answering = sorted((s.path, text_digest(s.text)) for s in self.project.answering(module))
            self._digests[module] = hashlib.sha256(repr(answering).encode()).hexdigest()[:32]
        return self._digests[module]

    def __getstate__(self) -> dict:
        # A worker builds its own Project (it holds parsers and closures that do not pickle).
        return {**self.__dict__, "_project": None, "_views": None, "_digests": {}, "_headers": None,
                "_functions": None}

    def analyse(self, index: int) -> FileResult:
        project = self.project
        source = self.sources[index]
        template = source.language == TEMPLATE
        c_family = source.language in C_FAMILY
        functions = self.functions if c_family else None
        project.start_recording()
        if functions is not None:
            functions.start_recording()
        try:
            result = analyze_file(source, self.rules, project, self.settings, self.views if template else None,
                                  functions)
        finally:
            consulted = project.stop_recording() | ({PYTHON_SOURCES} if template else set())
            names = functions.stop_recording() if functions is not None else set()
        result.consulted = {module: self.module_digest(module) for module in sorted(consulted)}
        result.consulted.update({C_FUNCTION_PREFIX + name: functions.definers_digest(name)  # type: ignore[union-attr]
                                 for name in sorted(names)})
        return result

    def headers_digests(self, source: SourceFile) -> dict[str, str]:
        """The C/C++ headers the file's analysis read (macros, #if), so a changed header invalidates it."""
        if source.language not in C_FAMILY:
            return {}
        headers = self.headers
        return {HEADER_PREFIX + header: headers.digest(header) for header in headers.read_by(source.text, source.path)}

    @property
    def headers(self) -> HeaderIndex:
        """The run's C/C++ headers, each read once (in the process that stores and checks cached results)."""
        if self._headers is None:
            self._headers = HeaderIndex(search_path(self.settings.project_root, self.settings.include_dirs))
        return self._headers


def _all_results(batch: _Batch, cache: ResultStore | None, jobs: int, progress: Progress | None) -> list[FileResult]:
    total = len(batch.sources)
    results: list[FileResult | None] = [None] * total
    keys = [cache_key(source, batch) for source in batch.sources] if cache is not None else []
    todo = []
    for index in range(total):
        cached = cache.get(keys[index]) if cache is not None else None
        if cached is not None and _still_valid(cached, batch):
            results[index] = cached
        else:
            todo.append(index)
    done = total - len(todo)
    if progress is not None and done:
        progress(done, total)
    for index, result in _run(batch, todo, jobs):
        results[index] = result
        if cache is not None and result.cacheable:
            # only a stored result needs to know which headers to check (reading them costs I/O per file)
            result.consulted.update(batch.headers_digests(batch.sources[index]))
            cache.put(keys[index], result)
        done += 1
        if progress is not None:
            progress(done, total)
    return [result for result in results if result is not None]


def _still_valid(cached: FileResult, batch: _Batch) -> bool:
    """A cached result holds while every module it consulted is answered by the same files, every C/C++
    function it looked up is defined by the same files, and every header it read holds the same bytes."""
    return all(_digest_now(name, batch) == digest for name, digest in cached.consulted.items())


def _digest_now(name: str, batch: _Batch) -> str:
    if name.startswith(HEADER_PREFIX):
        return batch.headers.digest(name[len(HEADER_PREFIX):])
    if name.startswith(C_FUNCTION_PREFIX):
        return batch.functions.definers_digest(name[len(C_FUNCTION_PREFIX):])
    return batch.module_digest(name)


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def cache_key(source: SourceFile, batch: _Batch) -> str:
    """What a file's result depends on, besides the rule code (the store adds the rule-set version)."""
    settings = batch.settings
    parts = (RESULT_FORMAT, source.path, fingerprint_path(source, settings), source.language, source.kind,
             text_digest(source.text), ",".join(rule.id for rule in batch.rules), str(settings.dataflow_budget),
             str(settings.honor_foreign_suppressions), ",".join(settings.include_dirs))
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _run(batch: _Batch, todo: list[int], jobs: int) -> Iterator[tuple[int, FileResult]]:
    if not todo:
        return
    workers = max(1, min(jobs, len(todo) // MIN_FILES_PER_WORKER))
    if workers == 1 and not batch.settings.bounded:
        # Biggest first, as the workers do: the big modules are the costly callers of the small ones, and the
        # calls their own review found are not analysed again when a module they import asks (calls_into).
        for index in sorted(todo, key=lambda i: len(batch.sources[i].text), reverse=True):
            yield index, _analyse_guarded(batch, index)
        return
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        # Summarise the C functions the files to review call in other files once, before the review workers
        # fork: they inherit the summaries instead of each computing them again.
        _summarise_in_parallel(batch, todo, workers)
    yield from _run_in_workers(batch, todo, workers)


def _summarise_in_parallel(batch: _Batch, todo: list[int], count: int) -> None:
    """Compute the cross-file summaries the files to review need, in `count` forked processes taking the
    defining files one at a time (each under the per-file limits), for at most PREPARE_SECONDS; what is not
    done by then is summarised by the review workers as their files need it."""
    functions = batch.functions
    definers = functions.definers_called_by(batch.sources[i] for i in todo)
    if len(definers) < 2:
        return  # nothing to split
    context = multiprocessing.get_context("fork")
    taken = context.Value("i", 0)  # the next definer to summarise, shared by the processes
    deadline = time.monotonic() + PREPARE_SECONDS
    running: dict[Any, Any] = {}  # the parent's end of a process's pipe -> the process
    started: dict[Any, str] = {}  # the parent's end of a process's pipe -> the definer it is working on
    try:
        for _ in range(min(count, len(definers))):
            receiving, sending = context.Pipe(duplex=False)
            process = context.Process(target=_summarise_shared, args=(batch, definers, taken, sending), daemon=True)
            process.start()
            sending.close()
            running[receiving] = process
        while running and time.monotonic() < deadline:
            for receiving in multiprocessing.connection.wait(list(running), deadline - time.monotonic()):
                try:
                    path, summaries = receiving.recv()
                except (EOFError, OSError):  # done, or died (past its memory limit, in the parser)
                    if receiving in started:  # what killed it would kill each caller's review again
                        functions.adopt(started.pop(receiving), {})
                    running.pop(receiving).join()
                    receiving.close()
                    continue
                if summaries is None:
                    started[receiving] = path
                else:
                    started.pop(receiving, None)
                    functions.adopt(path, summaries)
    finally:
        for receiving, process in running.items():  # past the deadline, or interrupted
            process.kill()
            process.join()
            receiving.close()


def _summarise_shared(batch: _Batch, definers: list[SourceFile], taken, connection) -> None:
    """A summarising process: take the next defining file until none is left, say so, send its summaries."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled by the parent
    gc.freeze()  # (see `_serve`)
    settings = batch.settings
    while True:
        with taken.get_lock():
            position = taken.value
            taken.value += 1
        if position >= len(definers):
            break
        source = definers[position]
        connection.send((source.path, None))  # started: a death from here on is this file's
        try:
            with _memory_limit(settings.file_memory), _time_limit(settings.file_timeout):
                summaries = batch.functions.summarise(source)
        except (Exception, FileTimeLimitExceeded):  # noqa: BLE001 - its own review reports what went wrong
            summaries = {}  # its callers are reviewed without them, rather than each failing on it again
        connection.send((source.path, summaries))
    connection.close()


def _run_in_workers(batch: _Batch, todo: list[int], count: int) -> Iterator[tuple[int, FileResult]]:
    # fork shares the already imported rules and the sources with the workers for free;
    # where it is not available the batch is pickled once per worker.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    # Biggest files first, so one large file does not finish alone at the end.
    waiting = deque(sorted(todo, key=lambda i: len(batch.sources[i].text), reverse=True))
    workers = [_Worker(context, batch) for _ in range(min(count, len(waiting)))]
    try:
        for worker in workers:
            worker.give(waiting.popleft())
        while any(worker.busy for worker in workers):
            ready = multiprocessing.connection.wait([w.connection for w in workers if w.busy], _next_wait(workers))
            for position, worker in enumerate(workers):
                if not worker.busy:
                    continue
                outcome = worker.outcome(ready)
                if outcome is None:
                    continue
                yield outcome
                if not worker.alive:
                    worker.stop()
                    worker = workers[position] = _Worker(context, batch)
                if waiting:
                    worker.give(waiting.popleft())
    finally:
        for worker in workers:  # Ctrl-C or a closed generator: do not wait for files still being analysed
            worker.stop()


def _next_wait(workers: list[_Worker]) -> float | None:
    """Seconds until the earliest deadline of a busy worker (None: no deadline)."""
    deadlines = [w.deadline for w in workers if w.busy and w.deadline is not None]
    return max(0.0, min(deadlines) - time.monotonic()) if deadlines else None


def hard_deadline(timeout: float) -> float:
    """Seconds after which a file still being analysed is killed: its rules stop at `timeout`,
    which only fails to happen inside a long call into C (the parser, a regular expression)."""
    return timeout * 1.5 + 1.0


class _Worker:
    """One analysis process, given one file at a time, killed if it overruns the file's limits."""

    def __init__(self, context, batch: _Batch) -> None:
        self.settings = batch.settings
        self.sources = batch.sources
        self.connection, child_end = context.Pipe()
        self.process = context.Process(target=_serve, args=(batch, child_end), daemon=True)
        self.process.start()
        child_end.close()
        self.index: int | None = None
        self.deadline: float | None = None
        self.started = 0.0
        self.alive = True

    @property
    def busy(self) -> bool:
        return self.index is not None

    def give(self, index: int) -> None:
        self.index, self.started = index, time.monotonic()
        timeout = self.settings.file_timeout
        self.deadline = self.started + hard_deadline(timeout) if timeout else None
        try:
            self.connection.send(index)
        except OSError:
            self.alive = False  # it died between files; the next receive reports the file

    def outcome(self, ready: list) -> tuple[int, FileResult] | None:
        """The busy file's result if the worker answered, died or ran out of time; else None."""
        index = self.index
        assert index is not None
        if self.connection in ready:
            try:
                answer = self.connection.recv()
            except (EOFError, OSError):
                self.alive = False
                answer = (index, self._died())
        elif self.deadline is not None and time.monotonic() >= self.deadline:
            self.alive = False
            answer = (index, self._killed())
        else:
            return None
        self.index = self.deadline = None
        return answer

    def _killed(self) -> FileResult:
        self.stop()
        seconds = time.monotonic() - self.started
        detail = (f"analysis killed after {seconds:.1f} s (--file-timeout {self.settings.file_timeout:g}): "
                  "it did not stop at the limit (a long call into the parser or a regular expression)")
        return _problem(self._source(), ProblemKind.LIMIT_EXCEEDED, detail)

    def _died(self) -> FileResult:
        self.process.join(5)
        code = self.process.exitcode
        cause = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit status {code}"
        if self.settings.file_memory and code in _MEMORY_DEATHS:
            return _problem(self._source(), ProblemKind.LIMIT_EXCEEDED,
                            f"the analysis process ended ({cause}) with --file-memory-limit "
                            f"{self.settings.file_memory} MiB in force: most likely it reached that limit")
        return _problem(self._source(), ProblemKind.INTERNAL_ERROR,
                        f"the analysis process died ({cause}): a crash, or the system ran out of memory")

    def _source(self) -> SourceFile:
        assert self.index is not None
        return self.sources[self.index]

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()


# A process over its address-space limit ends with SIGABRT when a C library (the parser) cannot
# allocate, SIGSEGV when its stack cannot grow, or SIGKILL from the kernel's out-of-memory killer.
_MEMORY_DEATHS = frozenset(-int(s) for s in (signal.SIGABRT, signal.SIGSEGV, signal.SIGKILL))


def _problem(source: SourceFile, kind: ProblemKind, detail: str) -> FileResult:
    return FileResult(problems=[FileProblem(source.path, kind, detail)], cacheable=False)


def _serve(batch: _Batch, connection) -> None:
    """A worker's loop: analyse each file index received, send back its result."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled by the parent, which stops the workers
    # The garbage collector need not scan what the worker inherited: scanning writes to every object's
    # header, and so copies every page shared with the parent.
    gc.freeze()
    while True:
        try:
            index = connection.recv()
        except (EOFError, OSError):
            return
        with _memory_limit(batch.settings.file_memory):
            result = _analyse_guarded(batch, index)
        connection.send((index, result))


def _analyse_guarded(batch: _Batch, index: int) -> FileResult:
    """`batch.analyse`, with a failure outside the rules (parsing, building the file) reported for the file."""
    source = batch.sources[index]
    try:
        return batch.analyse(index)
    except MemoryError:
        return _problem(source, ProblemKind.LIMIT_EXCEEDED, f"analysis stopped {_out_of_memory(batch.settings)}")
    except RecursionError:
        return _problem(source, ProblemKind.LIMIT_EXCEEDED, _TOO_DEEP)
    except Exception as error:  # one file's failure must not end the worker and the run
        return _problem(source, ProblemKind.INTERNAL_ERROR, f"analysis failed: {type(error).__name__}: {error}")


def file_memory_supported() -> bool:
    """--file-memory-limit sets an address-space limit measured from /proc (Linux)."""
    return resource is not None and hasattr(resource, "RLIMIT_AS") and _address_space() is not None


def _address_space() -> int | None:
    """This process's virtual memory size in bytes, or None where /proc does not tell it."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[0]) * mmap.PAGESIZE
    except (OSError, ValueError, IndexError):
        return None


@contextlib.contextmanager
def _memory_limit(mebibytes: int | None) -> Iterator[None]:
    """Let the block grow this process's address space by `mebibytes` at most (then MemoryError, or the
    parser aborts the process); measured from the current size, which earlier files' caches are part of."""
    current = _address_space() if mebibytes and file_memory_supported() else None
    if current is None:
        yield
        return
    previous = resource.getrlimit(resource.RLIMIT_AS)
    # Never above a limit the user set (ulimit -v) or the hard limit.
    limit = min(value for value in (current + mebibytes * 2**20, *previous) if value != resource.RLIM_INFINITY)
    resource.setrlimit(resource.RLIMIT_AS, (limit, previous[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, previous)


# -- one file ------------------------------------------------------------------------------------

_TOO_DEEP = "the code is nested deeper than the analysis can follow (RecursionError); analysed in part"


class FileTimeLimitExceeded(BaseException):
    """Raised by the alarm of --file-timeout.

    A BaseException, like KeyboardInterrupt, so that the `except Exception` that keeps
    one broken rule (or one unreadable module) from sinking a run does not swallow it.
    """


def file_timeout_supported() -> bool:
    """--file-timeout uses a real-time alarm signal, which only Unix has."""
    return hasattr(signal, "setitimer")


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Interrupt the block after `seconds` (a real-time alarm; only in a process's main thread)."""
    usable = seconds and file_timeout_supported() and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise FileTimeLimitExceeded

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def fingerprint_path(source: SourceFile, settings: Settings) -> str:
    """The path findings are fingerprinted with: below the project root, so any working directory agrees."""
    if source.kind != "file":
        return source.path
    return relative_to(source.path, settings.project_root)


def analyze_file(source: SourceFile, rules: Sequence[type[Rule]], project=None,
                 settings: Settings = Settings(), views: ViewIndex | None = None,
                 functions: FunctionIndex | None = None) -> FileResult:
    result = FileResult()
    applicable = [rule for rule in rules if rule.applies_to(source.language)]
    if source.language == TEMPLATE:
        file = TemplateFile(source.path, source.text, views)
        _note_template_syntax(file, result)
        return _review(file, source, rules, applicable, settings, result)
    try:
        search = search_path(settings.project_root, settings.include_dirs)
        tree = lang.parse(source.language, source.text, search, source.path)
    except lang.UnsupportedLanguageError as error:
        result.problems.append(FileProblem(source.path, ProblemKind.UNSUPPORTED_LANGUAGE, str(error)))
        return result
    broken = lang.error_lines(tree)
    if broken:
        where = ", ".join(map(str, broken))
        result.problems.append(FileProblem(
            source.path, ProblemKind.PARSE_ERRORS,
            f"syntax errors near line(s) {where}; analysed where the parser recovered"))
    context = _parsed_file(source, tree, FileContext(project, settings.dataflow_budget, search, functions))
    return _review(context, source, rules, applicable, settings, result)


def not_reviewed(source: SourceFile, settings: Settings) -> bool:
    """Test code found in a directory is reviewed only with `--include-tests`: without it, every finding
    there would be hidden (tests are not deployed), and reviewing them took 40% of a run on a project like
    Nova. The report counts the test files left out; they still answer imports. A test file named on the
    command line is reviewed (its findings are hidden and counted, as test code's are)."""
    return not settings.include_tests and not source.named and triage.is_test_file(source, settings.project_root)


def _note_template_syntax(file: TemplateFile, result: FileResult) -> None:
    error = file.syntax_error
    if error is not None:
        result.problems.append(FileProblem(
            file.path, ProblemKind.PARSE_ERRORS,
            f"template syntax error near line {error[0]} ({error[1]}); analysed where the tags could be read"))


def _review(context, source: SourceFile, rules: Sequence[type[Rule]], applicable: Sequence[type[Rule]],
            settings: Settings, result: FileResult) -> FileResult:
    """Run the rules on a parsed file, then merge families and apply its suppression comments."""
    findings = _run_rules(context, source, applicable, settings, result)
    families = {r.id: r.family for r in applicable if r.family}
    merged = finalise(findings, families, fingerprint_path(source, settings))
    found = suppressions.directives(context) if _reads_comments(source) else []
    result.findings, unused = suppressions.apply(merged, found, settings.honor_foreign_suppressions)
    active = frozenset(rule.id for rule in applicable)
    known = frozenset(rule.id for rule in rules) | active
    result.unused_suppressions = [note for d in unused
                                  if (note := suppressions.unused_note(source.path, d, active, known))]
    return result


def _reads_comments(source: SourceFile) -> bool:
    """Suppression comments count in files, not in the code of a review prompt someone pasted."""
    return source.kind != "prompt"


def _run_rules(context, source: SourceFile, rules: Sequence[type[Rule]], settings: Settings,
               result: FileResult) -> list[Finding]:
    builder = _FindingBuilder(source, in_test_code=triage.is_test_file(source, settings.project_root))
    findings: list[Finding] = []
    started = time.monotonic()
    finished = 0
    stopped = ""
    try:
        with _time_limit(settings.file_timeout):
            for rule_class in rules:
                findings.extend(_run_rule(rule_class(), context, builder, result))
                finished += 1
    except FileTimeLimitExceeded:
        stopped = f"after {time.monotonic() - started:.1f} s (--file-timeout {settings.file_timeout:g})"
    except _FileMemoryLimitExceeded:
        stopped = _out_of_memory(settings)
    if stopped:
        result.cacheable = False
        left = [rule.id for rule in rules[finished:]]
        result.problems.append(FileProblem(
            source.path, ProblemKind.LIMIT_EXCEEDED, f"analysis stopped {stopped}; "
            f"not finished: {left[0]}" + (f" and {len(left) - 1} other rule(s)" if len(left) > 1 else "")))
    return findings


def _out_of_memory(settings: Settings) -> str:
    if settings.file_memory:
        return f"at the memory limit (--file-memory-limit {settings.file_memory} MiB)"
    return "out of memory"


class _FileMemoryLimitExceeded(BaseException):
    """A rule ran out of the file's memory: the file's remaining rules are not run (see FileTimeLimitExceeded)."""


def _run_rule(rule: Rule, context, builder: _FindingBuilder, result: FileResult) -> list[Finding]:
    hits: list[Hit] = []
    try:
        hits.extend(rule.review(context))
    except AnalysisLimitExceeded as error:
        _add_once(result, FileProblem(builder.source.path, ProblemKind.LIMIT_EXCEEDED, str(error)))
    except RecursionError:  # a hostile nesting depth: the other rules (and the rest of the run) go on
        _add_once(result, FileProblem(builder.source.path, ProblemKind.LIMIT_EXCEEDED, _TOO_DEEP))
    except MemoryError:
        raise _FileMemoryLimitExceeded from None
    except Exception as error:  # a broken rule must not sink the run
        result.problems.append(FileProblem(
            builder.source.path, ProblemKind.INTERNAL_ERROR,
            f"rule {rule.id} failed: {type(error).__name__}: {error}"))
    return [builder.build(rule, hit) for hit in hits]


def _add_once(result: FileResult, problem: FileProblem) -> None:
    if problem.detail not in (p.detail for p in result.problems):  # rules share one analysis
        result.problems.append(problem)


def _parsed_file(source: SourceFile, tree: ts.Tree, context: FileContext) -> PyFile | CFile:
    if source.language in C_FAMILY:
        return CFile(source.path, source.text, tree, source.language, context)
    return PyFile(source.path, source.text, tree, context)


def merge_families(findings: list[Finding], families: dict[str, str]) -> list[tuple[Finding, tuple[str, ...]]]:
    """One finding per line for rules of one family (`families`: rule id -> family).

    Rules of a family report the same defect from different angles (`os.system` and
    `subprocess` shell rules, `eval-non-literal` and `code-injection`); a reviewer writes
    one comment, so the strongest finding stays and names the others.  Each kept finding
    comes with the ids of the rules merged into it (a suppression naming any of them covers it).
    """
    groups: dict[tuple, list[Finding]] = {}
    merged: list[tuple[Finding, tuple[str, ...]]] = []
    for finding in findings:
        family = families.get(finding.rule_id)
        if family is None:
            merged.append((finding, ()))
        else:
            groups.setdefault((finding.location.path, finding.location.start_line, family), []).append(finding)
    for group in groups.values():
        group.sort(key=lambda f: (f.severity, f.confidence, f.rule_id), reverse=True)
        kept, others = group[0], group[1:]
        if others:
            also = "; ".join(f"{f.rule_id}: {f.message}" for f in others)
            kept = dataclasses.replace(kept, description=f"{kept.description}\n\nAlso reported here by {also}.")
        merged.append((kept, tuple(f.rule_id for f in others)))
    return merged


def finalise(findings: list[Finding], families: dict[str, str],
             path: str) -> list[tuple[Finding, tuple[str, ...]]]:
    """Drop duplicates, merge rule families, and fingerprint each finding so it survives line shifts.

    The fingerprint hashes the rule id, `path` (below the project root), the flagged lines'
    text with whitespace normalised, and an occurrence counter for identical lines: inserting
    lines above a finding or re-indenting it keeps it; editing the flagged line makes it new.
    """
    unique = list({(f.rule_id, f.location): f for f in findings}.values())
    ordered = sorted(merge_families(unique, families), key=lambda pair: pair[0].sort_key)
    seen: Counter[str] = Counter()
    # Findings on one line share its text object: its normalised form and hash state are computed once per
    # rule and line, not once per finding (a minified line can carry thousands of findings).
    prefixes: dict[tuple[str, tuple[str, ...]], tuple[str, Any]] = {}
    out = []
    for finding, merged in ordered:
        key = (finding.rule_id, tuple(line.text for line in finding.excerpt if line.flagged))
        if key not in prefixes:
            basis = "\0".join((finding.rule_id, path, " ".join(" ".join(text.split()) for text in key[1])))
            prefixes[key] = (basis, hashlib.sha256(basis.encode()))
        basis, state = prefixes[key]
        seen[basis] += 1
        digest = state.copy()
        digest.update(f"\0{seen[basis]}".encode())
        out.append((dataclasses.replace(finding, fingerprint=digest.hexdigest()[:32]), merged))
    return out


class _FindingBuilder:
    """Turns a rule's hit into a Finding with location, texts and excerpt."""

    def __init__(self, source: SourceFile, in_test_code: bool = False) -> None:
        self.source = source
        # A test builds its own requests: a trace from one is no dataflow evidence (the project does not
        # follow a test's calls into other modules for the same reason).
        self.untrusted_evidence = frozenset({Evidence.DATAFLOW}) if in_test_code else frozenset()
        self.lines = source.text.split("\n")
        if self.lines and self.lines[-1] == "":
            self.lines.pop()  # the text's final newline ends the last line, it opens no new one
        self.data = source.text.encode("utf-8")

    def build(self, rule: Rule, hit: Hit) -> Finding:
        location = self._location(hit.node, hit.end_node)
        values = {"code": self._code_value(hit.node), "line": str(location.start_line), **hit.values}
        description = fill(rule.description, values)
        if hit.note:
            description += "\n\n" + hit.note
        return Finding(
            rule_id=rule.id,
            cwe=rule.cwe,
            severity=hit.severity or rule.severity,
            confidence=hit.confidence or rule.confidence,
            location=location,
            message=fill(rule.message, values),
            description=description,
            solution=fill(rule.solution, values),
            origin=Origin.TAINT if hit.trace else Origin.PATTERN,
            trace=tuple(TraceStep(self._location(node), note) for node, note in hit.trace),
            excerpt=self._excerpt(location),
            fix=self._fix(hit.rewrite),
            evidence=(hit.evidence if hit.evidence not in self.untrusted_evidence else None) or rule.evidence,
        )

    def _fix(self, rewrite: Rewrite | None) -> Fix | None:
        if rewrite is None:
            return None
        edits = tuple(Edit(self._location(node), text) for node, text in rewrite.replacements)
        return Fix(rewrite.description, edits, rewrite.safe)

    def _location(self, node: ts.Node, end_node: ts.Node | None = None) -> Location:
        start, end = node.start_point, (end_node or node).end_point
        return Location(self.source.path, start.row + 1, self._column(start.row, start.column) + 1,
                        end.row + 1, self._column(end.row, end.column) + 1)

    def _column(self, row: int, byte_column: int) -> int:
        """Character column from tree-sitter's byte column."""
        line = self.lines[row] if row < len(self.lines) else ""
        return len(line.encode("utf-8")[:byte_column].decode("utf-8", "replace"))

    def _code_value(self, node: ts.Node) -> str:
        text = self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")
        text = " ".join(text.split())
        return text if len(text) <= _MAX_CODE_VALUE else text[:_MAX_CODE_VALUE - 3] + "..."

    def _excerpt(self, location: Location) -> tuple[ExcerptLine, ...]:
        first = max(1, location.start_line - EXCERPT_CONTEXT)
        last = min(len(self.lines), location.end_line + EXCERPT_CONTEXT)
        return tuple(
            ExcerptLine(number, self.lines[number - 1],
                        location.start_line <= number <= location.end_line)
            for number in range(first, last + 1))
