"""A light preprocessor step before tree-sitter parses C and C++, keeping every offset.

tree-sitter parses without a preprocessor; what it cannot parse it recovers
from, and the analysis misses what sits there.  This step removes what a
preprocessor would have removed, as far as it knows, by overwriting it with
spaces (newlines stay): nothing is deleted or moved, so every byte offset and
line of the tree still points into the original text, and findings quote it.

- Conditions: `#if`, `#ifdef`, `#ifndef`, `#elif`, `#else` are decided on the
  macros known at that point (this file's `#define`s, the headers it includes
  when found, the configured defines, `__cplusplus`); a decided group keeps its
  chosen branch and loses the others and its directive lines.  Whatever depends
  on an unknown macro is left for the parser, every branch kept, as before.
  `#ifndef X` followed by `#define X` (an include guard) is taken.
- Annotations: export, attribute and calling-convention macros (`FOO_EXPORT`,
  `CURL_EXTERN`, `__attribute__((...))`, `WINAPI`, Qt's vocabulary in
  qt_macros.py, any macro whose definitions expand to annotations only).
- Macros used as statements without a semicolon (`TRACE_OBJ`, `Q_UNUSED(x)`,
  `UNITTEST_BEGIN_SIMPLE`): a macro call alone on its line between two
  statements is blanked, or, when its arguments are expressions that may carry
  data (`SETUP(&x)`), ended by a `;` written into the blank after it.  A
  test framework's `NAME("text") {` block reads as a function or a block.
- Macros that stand for their argument (`#define VERBOSE(x) x`,
  `QT_PREPEND_NAMESPACE(X)`) keep it; Qt's `forever` reads as `for(;;)`; C++'s
  `= {}` default arguments, which the grammar rejects, are dropped.
"""

from __future__ import annotations

import bisect
import functools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from secreview.lang.c_family import qt_macros
from secreview.lang.c_family.conditions import evaluate
from secreview.lang.c_family.include_dirs import SearchPath, find_header, header_macros
from secreview.lang.c_family.macros import Definition, Macros, parse_define

_DIRECTIVE = re.compile(r"[ \t]*#[ \t]*(\w+)")
_NOT_NEWLINE = re.compile(rb"[^\n]")
_CONTINUATION = re.compile(r"\\\r?\n")
# A directive with its continuation lines and a block comment that begins on it (`#endif /* A ||\n B */`).
# Comments and literals are matched too, so that a `#if` inside a comment is no directive.
_DIRECTIVE_LINE = re.compile(r"\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'|//[^\n]*|/\*(?s:.*?)\*/"
                             r"|(?P<directive>^[ \t]*#(?://[^\n]*|/\*(?s:.*?)\*/|\\\r?\n|[^\n])*)", re.MULTILINE)
_SPACES = {code: " " for code in range(256) if code != ord("\n")}  # str.translate: blank a latin-1 text
_CONDITION_OPENERS = ("if", "ifdef", "ifndef")
_ALTERNATIVES = ("elif", "elifdef", "elifndef", "else")
# Comments and literals hidden from the statement-macro context (same length).
_COMMENT_OR_LITERAL = re.compile(r"/\*.*?\*/|//[^\n]*|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'", re.DOTALL)
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_MACRO_CALL_NAME = re.compile(r"[A-Z_][A-Z0-9_]*|__\w+__|__declspec")  # the names a blanked call may have
# `, <, ` between two macro arguments (group 2 the operator, groups 1 and 3 the commas)
_LONE_OPERATOR = re.compile(r"(,)[ \t]*(<=?|>=?|==|!=)[ \t]*(,)")
_DECLARATION_WORDS = re.compile(r"[\s\w*&]+")  # `static void`, `XMLCALL int *`: words of a declaration
_UPPERCASE_CALL = re.compile(r"\b[A-Z_][A-Z0-9_]*[ \t]*\(")  # the calls a literal's neighbour may be
_MACRO_WORD = re.compile(r"[A-Z_][A-Z0-9_]*|emit|__\w+")  # the names a blanked word may have
# A name in capitals first on its line (`TRACE_OBJ`, `Q_UNUSED(x)`): a macro, if it stands alone there.
_LINE_MACRO = re.compile(r"^[ \t]*([A-Z][A-Z0-9]*_[A-Z0-9_]*|[A-Z]{3,}[0-9]*)\b[ \t]*", re.MULTILINE)
_STATEMENT_BEFORE = frozenset(";{}:#")
_NOT_STATEMENT_AFTER = frozenset("{;,).-+*/=?:&|[<>(\"'!%^")
# `Qt::WindowFlags flags = {}` in a parameter list: valid C++ the grammar rejects; the default is dropped.
_EMPTY_DEFAULT_ARGUMENT = re.compile(r"=[ \t]*\{[ \t]*\}(?=[ \t]*[,)])")
_ADJACENT_WORDS = re.compile(r"\w[ \t\r\n]+[A-Za-z_]")  # `int x`: macro arguments that are no expression
_DECLARATION_START = re.compile(r"[A-Za-z_*&~\[]")  # what follows an annotation: a type, a declarator
_NEXT_CHARACTER = re.compile(r"\s*(\S?)")
_BLANK_AFTER = re.compile(rb"[\r\n]*[ \t]")  # the first space or tab after a macro call, only line ends between
_MAX_ARGUMENTS = 4000  # characters searched for a macro call's closing parenthesis


def preprocess(text: str, language: str, search: SearchPath | None = None, path: str = "") -> bytes:
    """`text` as UTF-8 bytes of the same length, with what a preprocessor would drop overwritten by spaces."""
    buffer = bytearray(text.encode("utf-8"))
    macros = Macros(language, search.defines if search else ())
    # One character per byte: regex offsets are byte offsets.
    _resolve_conditions(buffer.decode("latin-1"), buffer, macros, search or SearchPath(), os.path.dirname(path))
    _blank_macros(buffer.decode("latin-1"), buffer, macros)
    return bytes(buffer)


def _directive_lines(view: str) -> list[re.Match[str]]:
    return [match for match in _DIRECTIVE_LINE.finditer(view) if match.lastgroup == "directive"]


def _blank(buffer: bytearray, start: int, end: int) -> None:
    buffer[start:end] = _NOT_NEWLINE.sub(b" ", bytes(buffer[start:end]))


# -- conditions -------------------------------------------------------------------------------------

@dataclass
class _Group:
    """One `#if ... #endif` being read."""

    decided: bool  # the branches are chosen here; False: every branch is left to the parser
    taken: bool  # a branch has been chosen
    keeping: bool  # the lines of the current branch stay
    opening: tuple[int, int] | None = None  # undecided: the line that opened its one branch (none: several)
    lines: list[tuple[int, int]] = field(default_factory=list)  # undecided: its directive lines so far


def _resolve_conditions(view: str, buffer: bytearray, macros: Macros, search: SearchPath, directory: str) -> None:
    lines = _directive_lines(view)
    stack: list[_Group] = []
    dropped_since = 0  # where the text being dropped began (while some group does not keep its branch)
    for index, line in enumerate(lines):
        match = _DIRECTIVE.match(line.group(0))
        if match is None:
            continue  # a lone `#`
        start, end = line.span()
        was_active = all(group.keeping for group in stack)
        following = lines[index + 1] if index + 1 < len(lines) else None
        _read_directive(stack, match, (start, end), macros, buffer, following, search, directory)
        active = all(group.keeping for group in stack)
        if was_active and not active:
            dropped_since = end
        elif active and not was_active:
            _blank(buffer, dropped_since, start)
    if not all(group.keeping for group in stack):
        _blank(buffer, dropped_since, len(buffer))


def _read_directive(stack: list[_Group], match: re.Match, span: tuple[int, int], macros: Macros,
                    buffer: bytearray, following: re.Match | None, search: SearchPath, directory: str) -> None:
    """Apply one directive line at `span`; `following` is the next directive line."""
    start, end = span
    outer_active = all(group.keeping for group in stack[:-1])
    active = outer_active and (not stack or stack[-1].keeping)
    keyword, argument = match.group(1), _CONTINUATION.sub(" ", match.string[match.end():]).strip()
    if keyword in _CONDITION_OPENERS:
        group = _open(keyword, argument, macros, end, following) if active else _Group(True, True, False)
        stack.append(group)
        if group.decided:
            _blank(buffer, start, end)
        else:
            group.opening = (start, end)
            group.lines.append((start, end))
    elif keyword in _ALTERNATIVES and stack:
        _alternative(stack[-1], keyword, argument, macros, outer_active, buffer, (start, start + match.start(1), end))
    elif keyword == "endif" and stack:
        group = stack.pop()
        group.lines.append((start, end))
        _close(group, buffer, start, end)
    elif active:
        _directive(keyword, argument, macros, not all(group.decided for group in stack), search, directory)


def _open(keyword: str, argument: str, macros: Macros, end: int, following: re.Match | None) -> _Group:
    value = _condition(keyword, argument, macros)
    if value is None and keyword == "ifndef" and _defines_next(argument, end, following):
        value = 1  # an include guard
    if value is None:
        return _Group(False, False, True)
    return _Group(True, bool(value), bool(value))


def _alternative(group: _Group, keyword: str, argument: str, macros: Macros, outer_active: bool,
                 buffer: bytearray, line: tuple[int, int, int]) -> None:
    """`#elif` / `#else` of `group`; `line` is (line start, keyword start, line end)."""
    line_start, keyword_start, end = line
    if not outer_active or (group.decided and group.taken):
        group.keeping = False
        _blank(buffer, line_start, end)
        return
    if not group.decided:
        group.opening = None  # every branch of an undecided group stays, and so do its directives
        group.lines.append((line_start, end))
        return
    value = 1 if keyword == "else" else _condition(keyword, argument, macros)
    if value is None:
        # The branches so far were dropped; the parser now sees `#if <this condition>` (same length).
        group.decided, group.keeping, group.opening = False, True, (line_start, end)
        replacement = "if" if keyword == "elif" else keyword[2:]  # `#elifdef X` -> `#ifdef   X`
        buffer[keyword_start:keyword_start + len(keyword)] = replacement.encode().ljust(len(keyword))
        return
    group.taken = group.keeping = bool(value)
    _blank(buffer, line_start, end)


def _close(group: _Group, buffer: bytearray, start: int, end: int) -> None:
    """At `#endif`: a decided group loses its directives; so does an undecided one with one branch, whose
    code stays either way (directives inside an expression or a parameter list break the parse)."""
    if group.decided or group.opening is not None:
        _blank(buffer, start, end)
    if not group.decided and group.opening is not None:
        _blank(buffer, *group.opening)
    if group.decided or group.opening is not None or len(group.lines) < 3:
        return
    branches = [bytes(buffer[end:start]).decode("latin-1") for (_, end), (start, _) in zip(group.lines, group.lines[1:])]
    if all(0 < len(branch.strip()) <= 80 and _DECLARATION_WORDS.fullmatch(branch) for branch in branches):
        # `#if defined(TESTING) void #else static void #endif`: branches that are pieces of one declaration
        # cannot all stay (`void static void f()` does not parse); the last one, the default, is kept
        _blank(buffer, group.lines[0][0], group.lines[-2][1])
        _blank(buffer, *group.lines[-1])
        return
    code = [_COMMENT_OR_LITERAL.sub(" ", branch).strip() for branch in branches]
    balances = {piece.count("{") - piece.count("}") for piece in code}
    unfinished = all(piece and piece[-1] not in ";{}" for piece in code)
    if (len(balances) == 1 and balances != {0}) or unfinished:
        # `#if X  if (p) {  #else  if (q) {  #endif`: each branch opens (or closes) the same block, or starts
        # the same statement (`if (a)` / `if (b)` before one body), which only one of them can; the first,
        # the code the condition is written for, is kept
        _blank(buffer, *group.lines[0])
        _blank(buffer, group.lines[1][0], group.lines[-1][1])


def _condition(keyword: str, argument: str, macros: Macros) -> int | None:
    if keyword in ("ifdef", "ifndef", "elifdef", "elifndef"):
        name = argument.split()[0] if argument.split() else ""
        defined = macros.is_defined(name)
        if defined is None:
            return None
        return defined if keyword.endswith("ifdef") else 1 - defined
    return evaluate(argument, macros)


def _defines_next(name: str, end: int, following: re.Match | None) -> bool:
    """The next directive is `#define name`, with only comments and blank lines since `end`."""
    if following is None or _COMMENT_OR_LITERAL.sub("", following.string[end:following.start()]).strip():
        return False
    return re.fullmatch(r"[ \t]*#[ \t]*define[ \t]+" + re.escape(name.strip()) + r"\b.*", following.group(0),
                        re.DOTALL) is not None


def _directive(keyword: str, argument: str, macros: Macros, uncertain: bool, search: SearchPath,
               directory: str) -> None:
    """A `#define`, `#undef` or `#include` on a kept line: what it tells about macros from here on."""
    if keyword == "define":
        definition = parse_define(argument, not uncertain)
        if definition is not None:
            macros.apply(definition)
    elif keyword == "undef" and argument:
        macros.apply(Definition(argument.split()[0], None, None, not uncertain))
    elif keyword == "include":
        header = find_header(argument, directory, search)
        if header is not None:
            macros.include(header_macros(header, search), not uncertain)


# -- macros -----------------------------------------------------------------------------------------

def _blank_macros(view: str, buffer: bytearray, macros: Macros) -> None:
    directive_spans = [match.span() for match in _directive_lines(view)]
    in_directive = _inside_any(directive_spans)
    if macros.language == "cpp":
        _cpp_constructs(view, buffer)
    names = set(_IDENTIFIER.findall(view))
    _calls(view, buffer, macros, in_directive, names)
    _words(view, buffer, macros, in_directive, names)
    _literal_macro_calls(view, buffer, directive_spans)
    _operator_arguments(view, buffer, directive_spans)
    _statement_macros(buffer.decode("latin-1"), buffer, macros, directive_spans)


def _operator_arguments(view: str, buffer: bytearray, directive_spans: list[tuple[int, int]]) -> None:
    """`ND_ICHECK_U(len, <, 4);`: a macro given a comparison operator as an argument builds the comparison
    itself, and no expression can be `<` alone. The commas around the operator are blanked, so the call reads
    `ND_ICHECK_U(len  <  4)`: one argument, the comparison the macro makes."""
    if _LONE_OPERATOR.search(view) is None:
        return
    code = _code_view(view, directive_spans)
    for match in _LONE_OPERATOR.finditer(code):
        buffer[match.start(1)] = buffer[match.start(3)] = ord(" ")


def _literal_macro_calls(view: str, buffer: bytearray, directive_spans: list[tuple[int, int]]) -> None:
    """`"x " FMT_ULL("10") " y"`: a macro call beside a string literal can only expand to a literal (C joins
    adjacent literals and nothing else), so its argument list is blanked and the parser reads the name as a
    piece of the concatenation, as it reads `"%" PRIu64`."""
    if '"' not in view:
        return
    code = _code_view(view, directive_spans)  # literals and comments blanked: only calls in code are seen
    in_directive = _inside_any(directive_spans)  # `#include "test.h"` ends with a quote that is no literal of code
    for match in _UPPERCASE_CALL.finditer(code):
        opening = match.end() - 1
        closing = _closing_parenthesis(code, opening)
        if closing is None:
            continue
        previous = match.start() - 1
        while previous >= 0 and view[previous] in " \t\r\n":
            previous -= 1
        after = view[closing + 1:closing + 65].lstrip()[:1]
        if (previous >= 0 and view[previous] == '"' and code[previous] == " " and not in_directive(previous)) \
                or after == '"':
            _blank(buffer, opening, closing + 1)


def _inside_any(spans: list[tuple[int, int]]) -> Callable[[int], bool]:
    """Whether a position lies inside one of the sorted, disjoint spans."""
    starts = [start for start, _ in spans]

    def inside(position: int) -> bool:
        index = bisect.bisect_right(starts, position) - 1
        return index >= 0 and position < spans[index][1]
    return inside


def _cpp_constructs(view: str, buffer: bytearray) -> None:
    """Qt's access specifiers and `forever`, and `= {}` default arguments, the grammar's gaps."""
    for match in qt_macros.SIGNALS.finditer(view):
        buffer[match.start(2):match.end(2)] = b"public".ljust(len(match.group(2)))
    for match in qt_macros.SLOTS.finditer(view):
        _blank(buffer, match.start(3), match.end(3))
    for match in qt_macros.FOREVER.finditer(view):  # `forever {` is `for(;;) {`, same length
        buffer[match.start(1):match.end(1)] = b"for(;;)".ljust(len(match.group(1)))
    for match in _EMPTY_DEFAULT_ARGUMENT.finditer(view):
        _blank(buffer, match.start(), match.end())


def _calls(view: str, buffer: bytearray, macros: Macros, in_directive: Callable[[int], bool], names: set[str]) -> None:
    position = 0
    # Classify each name once (the macros are final here), then visit only the calls of those that count.
    kinds = {name: kind for name in names if _MACRO_CALL_NAME.fullmatch(name) and (kind := _call_kind(name, macros))}
    if not kinds:
        return
    for match in _names_followed_by(frozenset(kinds), r"[ \t]*\(").finditer(view):
        name = match.group(1)
        if match.start() < position or in_directive(match.start()):
            continue
        end = _closing_parenthesis(view, match.end() - 1)
        if end is None:
            continue
        if kinds[name] == "transparent":  # keep the argument
            _blank(buffer, match.start(), match.end())
            _blank(buffer, end, end + 1)
        else:
            _blank(buffer, match.start(), end + 1)
        position = end + 1


def _call_kind(name: str, macros: Macros) -> str | None:
    """"transparent" (stands for its argument), "declaration" (blanked whole) or None (left alone)."""
    if name in qt_macros.TRANSPARENT_CALLS or macros.is_transparent(name):
        return "transparent"
    if qt_macros.DECLARATION_CALLS.fullmatch(name) or (macros.is_function_like(name) and macros.is_annotation(name)):
        return "declaration"
    return None


def _words(view: str, buffer: bytearray, macros: Macros, in_directive: Callable[[int], bool], names: set[str]) -> None:
    annotations = frozenset(word for word in names if _MACRO_WORD.fullmatch(word) and _is_annotation_word(word, macros))
    if not annotations:
        return
    for match in _names_followed_by(annotations, "").finditer(view):
        word = match.group(1)
        following = view[match.end():match.end() + 64].lstrip()
        if following.startswith("(") or in_directive(match.start()):
            continue
        if word in ("emit", "Q_EMIT") and not re.match(r"[A-Za-z_:]", following):
            continue  # `emit` is only Qt's keyword before the signal call
        if not _DECLARATION_START.match(following) and not qt_macros.is_qt_name(word) \
                and not (macros.is_known(word) and macros.is_annotation(word)):
            # `mode == MODE_EXPORT`: a constant shaped like an export macro, not one (a macro whose every
            # definition is an attribute or nothing, `u_int len _U_)`, goes wherever it stands)
            continue
        _blank(buffer, match.start(), match.end())


@functools.lru_cache(maxsize=256)
def _names_followed_by(names: frozenset[str], following: str) -> re.Pattern[str]:
    """A pattern matching any of `names` as a whole word (group 1), then `following`."""
    return re.compile(r"\b(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")\b" + following)


def _is_annotation_word(word: str, macros: Macros) -> bool:
    if word in qt_macros.ANNOTATION_WORDS:
        return True
    if macros.is_known(word):
        return not macros.is_function_like(word) and macros.is_annotation(word)
    return qt_macros.is_annotation(word)


def _statement_macros(view: str, buffer: bytearray, macros: Macros, directive_spans: list[tuple[int, int]]) -> None:
    """Blank `NAME` / `NAME(...)` alone on its line between statements: a macro used without a semicolon."""
    code = _code_view(view, directive_spans)
    blanked = bytearray(code.encode("latin-1"))  # the code as blanked so far: a macro line may follow another
    for match in _LINE_MACRO.finditer(code):
        name = match.group(1)
        end = match.end()
        has_arguments = code.startswith("(", end)
        if has_arguments:
            closing = _closing_parenthesis(code, end)
            if closing is None:
                continue
            end = closing + 1
        elif not (macros.is_known(name) and not macros.is_function_like(name)) and "_" not in name:
            continue
        line_end = code.find("\n", end)
        rest = code[end:line_end if line_end >= 0 else len(code)].strip()
        before, after = _previous_character(blanked, match.start(1)), _NEXT_CHARACTER.match(code, end).group(1)
        if rest in ("", "{") and after == "{" and before in _STATEMENT_BEFORE and has_arguments \
                and '"' in view[match.end():end]:
            _open_block(buffer, blanked, match.start(1), (match.end(), end))
            continue
        if rest:
            continue  # more code on the line
        if before not in _STATEMENT_BEFORE or after in _NOT_STATEMENT_AFTER:
            continue
        if before == "{" and after == "}" and not _opens_body(blanked, match.start(1)):
            continue  # the one enumerator of an enum, the one value of an initializer
        expression = has_arguments and not _ADJACENT_WORDS.search(code, match.end(), end)
        _end_statement(buffer, blanked, match.start(1), end, expression)


def _open_block(buffer: bytearray, blanked: bytearray, start: int, arguments: tuple[int, int]) -> None:
    """`NAME("text") {`, a test framework's block (`SCENARIO("...") {`, `GIVEN("...") {`): at the start of
    a line it becomes a function `NAME(    ) {`; indented, a statement `NAME("...");{` where a blank allows."""
    opening, closing = arguments
    if start == 0 or buffer[start - 1] == ord("\n"):
        _blank(buffer, opening + 1, closing - 1)
        return
    semicolon = _BLANK_AFTER.match(buffer, closing)
    if semicolon is not None:
        buffer[semicolon.end() - 1] = blanked[semicolon.end() - 1] = ord(";")


def _opens_body(code: bytearray, position: int) -> bool:
    """The `{` before `position` opens a function body or a block (after `)`, `{`, `;`, `else`...), not an enum."""
    before = code[max(0, position - 2000):position].rstrip()[:-1].rstrip()
    return not before or chr(before[-1]) in ")};{" or before.endswith((b"else", b"do", b"const", b"override"))


def _end_statement(buffer: bytearray, blanked: bytearray, start: int, end: int, expression: bool) -> None:
    """Make `NAME(...)` whose arguments are expressions a statement with a `;` in the blank space after it
    (they may carry data flow, `SETUP(&x)`); a bare `NAME`, a declaration-like one (`PROPERTY(int x READ
    x)`) or one with no blank to use is blanked."""
    semicolon = _BLANK_AFTER.match(buffer, end) if expression else None  # real blanks, not a comment
    if semicolon is None:
        _blank(buffer, start, end)
        _blank(blanked, start, end)
    else:
        buffer[semicolon.end() - 1] = blanked[semicolon.end() - 1] = ord(";")


def _code_view(view: str, directive_spans: list[tuple[int, int]]) -> str:
    """The text with comments and literals blanked and each directive line reduced to `#` (a boundary)."""
    code = _COMMENT_OR_LITERAL.sub(lambda m: m.group(0).translate(_SPACES), view)
    pieces, position = [], 0
    for start, end in directive_spans:
        pieces += [code[position:start], "#", view[start + 1:end].translate(_SPACES)]
        position = end
    pieces.append(code[position:])
    return "".join(pieces)


def _previous_character(code: bytearray, position: int) -> str:
    stripped = code[max(0, position - 2000):position].rstrip()
    return chr(stripped[-1]) if stripped else "#"


def _closing_parenthesis(text: str, opening: int) -> int | None:
    depth = 0
    for index in range(opening, min(len(text), opening + _MAX_ARGUMENTS)):
        character = text[index]
        if character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
            if depth == 0:
                return index
    return None
