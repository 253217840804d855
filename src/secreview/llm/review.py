"""The review procedure: chunks to the model, verified answers into the report.

For every analysed file: redact secrets, cut it into chunks, ask the model
about each chunk (with the static findings on those lines as context),
verify what comes back, and merge.  Cached answers are reused.  Chunks
that get no usable answer (budget spent, model refused, server failing)
are counted, and the run is then reported incomplete with the reason:
never a silent empty result.

Calls run on `jobs` threads; results are merged in chunk order, so the
report does not depend on which call finished first.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from secreview.llm import chunking, prompts
from secreview.llm.cache import ReplyCache, cache_key
from secreview.llm.client import (
    BudgetExhausted, CallBudget, CallFailed, ChatClient, ChatRequest, MalformedReply, ModelUnavailable,
)
from secreview.llm.redact import redact
from secreview.llm.verify import (
    DROP_DUPLICATE, Annotation, ChunkOutcome, FileView, parse_reply, static_key, verify_chunk,
)
from secreview.model import Analysis, Finding, LlmSummary, Origin
from secreview.rules import rule_by_id
from secreview.sources import SourceFile

MALFORMED_ATTEMPTS = 2  # a reply that is not the JSON asked for gets one more chance


@dataclass(frozen=True)
class Reviewer:
    """Who answers, and under what limits."""

    client: ChatClient
    cache: ReplyCache
    budget: CallBudget
    protocol: str
    model: str
    endpoint: str | None  # shown in the report when code leaves the machine
    max_tokens: int
    chunk_lines: int
    jobs: int = 1


@dataclass(frozen=True)
class _Task:
    chunk: chunking.Chunk
    view: FileView
    statics: Mapping[str, Finding]  # "S1" -> static finding, as listed to the model
    file_statics: tuple[Finding, ...]  # every static finding of the file, hidden ones too
    request: ChatRequest
    key: str


@dataclass(frozen=True)
class _TaskResult:
    outcome: ChunkOutcome | None = None
    cached: bool = False
    lost: str | None = None  # why the chunk got no usable answer


class _Stop:
    """Set once a failure means every further call would fail too."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reason: str | None = None

    def set(self, reason: str) -> None:
        with self._lock:
            self.reason = self.reason or reason


def review(analysis: Analysis, sources: Sequence[SourceFile], reviewer: Reviewer) -> Analysis:
    """`analysis` with the model's verified findings and annotations merged in, and an LLM summary.

    The model sees every static finding, hidden ones included, so it cannot re-add one that a
    filter, a suppression or the baseline hides; triage then treats its findings like any other.
    """
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for finding in analysis.findings:
        by_path[finding.location.path].append(finding)
    tasks: list[_Task] = []
    redactions = 0
    for source in sources:
        redacted = redact(source.text)
        redactions += redacted.count
        view = FileView(source.path, _lines(source.text), _lines(redacted.text))
        for chunk in chunking.chunks_for(source.path, redacted.text, source.language, reviewer.chunk_lines):
            tasks.append(_task(chunk, view, by_path[source.path], reviewer))
    results = _run_all(tasks, reviewer)
    return _merge(analysis, tasks, results, reviewer, redactions)


def _lines(text: str) -> tuple[str, ...]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line, it opens no new one
    return tuple(lines)


def _task(chunk: chunking.Chunk, view: FileView, file_statics: Sequence[Finding], reviewer: Reviewer) -> _Task:
    reviewed = set(chunk.lines)
    in_chunk = [f for f in file_statics if f.location.start_line in reviewed]
    statics = {f"S{number}": finding for number, finding in enumerate(in_chunk, start=1)}
    context = [prompts.StaticContext(static_id, f.rule_id, f.cwe, f.location.start_line, f.location.end_line,
                                     _summary(f)) for static_id, f in statics.items()]
    numbered = chunking.render(chunk, view.sent)
    user = prompts.user_message(chunk.path, chunk.language, numbered, context)
    request = ChatRequest(prompts.system_prompt(), user, reviewer.max_tokens)
    key = cache_key(prompts.PROMPT_VERSION, reviewer.protocol, reviewer.model, request.system, request.user)
    return _Task(chunk, view, statics, tuple(file_statics), request, key)


def _summary(finding: Finding) -> str:
    # The rule's one-line title, not the finding's message: messages may quote a secret.
    rule = rule_by_id(finding.rule_id)
    return rule.summary() if rule is not None else finding.cwe_name


def _run_all(tasks: Sequence[_Task], reviewer: Reviewer) -> list[_TaskResult]:
    stop = _Stop()
    if reviewer.jobs <= 1 or len(tasks) <= 1:
        return [_review_chunk(task, reviewer, stop) for task in tasks]
    pool = ThreadPoolExecutor(max_workers=reviewer.jobs, thread_name_prefix="secreview-llm")
    try:
        return list(pool.map(lambda task: _review_chunk(task, reviewer, stop), tasks))
    except BaseException:
        # Interrupted (Ctrl-C): queued chunks must not go on calling the model.
        stop.set("interrupted")
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _review_chunk(task: _Task, reviewer: Reviewer, stop: _Stop) -> _TaskResult:
    cached = reviewer.cache.get(task.key)
    if cached is not None:
        try:
            return _TaskResult(_verified(task, cached), cached=True)
        except MalformedReply:
            pass  # an unusable cache entry: ask again
    lost = "no answer"
    for _ in range(MALFORMED_ATTEMPTS):
        if stop.reason is not None:
            return _TaskResult(lost=stop.reason)
        try:
            reply = reviewer.client.complete(task.request)
            outcome = _verified(task, reply)
        except MalformedReply as error:
            lost = f"malformed reply: {error}"
            continue
        except ModelUnavailable as error:
            return _TaskResult(lost=f"model unavailable: {error}")
        except BudgetExhausted as error:
            return _TaskResult(lost=str(error))
        except CallFailed as error:
            if not error.fatal:
                return _TaskResult(lost=str(error))
            stop.set(f"model unavailable: {error}")
            return _TaskResult(lost=stop.reason)
        reviewer.cache.put(task.key, reply)
        return _TaskResult(outcome)
    return _TaskResult(lost=lost)


def _verified(task: _Task, reply: Mapping[str, object]) -> ChunkOutcome:
    return verify_chunk(parse_reply(reply), task.chunk, task.view, task.statics, task.file_statics)


def _merge(analysis: Analysis, tasks: Sequence[_Task], results: Sequence[_TaskResult], reviewer: Reviewer,
           redactions: int) -> Analysis:
    dropped: Counter[str] = Counter()
    annotations: dict[tuple, list[Annotation]] = defaultdict(list)
    added: dict[tuple, Finding] = {}
    for result in results:
        if result.outcome is None:
            continue
        dropped.update(result.outcome.dropped)
        for note in result.outcome.annotations:
            annotations[note.target].append(note)
        for finding in result.outcome.added:
            where = (finding.location.path, finding.location.start_line, finding.cwe)
            if where in added:
                dropped[DROP_DUPLICATE] += 1  # the same claim from overlapping windows
            else:
                added[where] = finding
    statics = [_annotated(f, annotations.get(static_key(f), [])) for f in analysis.findings]
    new = _unique_fingerprints(added.values())
    summary = LlmSummary(
        protocol=reviewer.protocol,
        model=reviewer.model,
        prompt_version=prompts.PROMPT_VERSION,
        endpoint=reviewer.endpoint,
        chunks=len(tasks),
        chunks_reviewed=sum(1 for r in results if r.outcome is not None),
        calls=reviewer.budget.used,
        cache_hits=sum(1 for r in results if r.cached),
        redactions=redactions,
        added=len(new),
        confirmed=sum(1 for old, f in zip(analysis.findings, statics) if f.origin != old.origin),
        annotated=sum(1 for old, f in zip(analysis.findings, statics) if f.annotations != old.annotations),
        dropped=tuple(sorted(dropped.items())),
        incomplete_reason=_incomplete_reason(results),
    )
    return dataclasses.replace(analysis, findings=(*statics, *new), llm=summary)


def _annotated(finding: Finding, notes: Sequence[Annotation]) -> Finding:
    if not notes:
        return finding
    texts = tuple(dict.fromkeys(note.text for note in notes if note.text not in finding.annotations))
    confirmed = any(note.confirms for note in notes)
    origin = Origin.BOTH if confirmed else finding.origin
    return dataclasses.replace(finding, annotations=finding.annotations + texts, origin=origin)


def _unique_fingerprints(findings) -> list[Finding]:
    """Tell apart findings whose code is identical (the same line twice in a file)."""
    seen: Counter[str] = Counter()
    unique = []
    for finding in sorted(findings, key=lambda f: f.sort_key):
        seen[finding.fingerprint] += 1
        if seen[finding.fingerprint] > 1:
            digest = f"{finding.fingerprint}\0{seen[finding.fingerprint]}".encode()
            finding = dataclasses.replace(finding, fingerprint=hashlib.sha256(digest).hexdigest()[:32])
        unique.append(finding)
    return unique


def _incomplete_reason(results: Sequence[_TaskResult]) -> str | None:
    lost = Counter(r.lost for r in results if r.lost is not None)
    if not lost:
        return None
    causes = "; ".join(f"{reason} ({count})" for reason, count in sorted(lost.items(), key=lambda i: (-i[1], i[0])))
    return f"{sum(lost.values())} of {len(results)} chunk(s) not reviewed by the model: {causes}"
