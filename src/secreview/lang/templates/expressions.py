"""Output expressions of a template, parsed per dialect, and the blocks that change their escaping.

Jinja2 expressions are parsed by jinja2's own parser (`Environment.parse` builds an AST and
never renders or runs anything); Django's `var.attr|filter:"arg"`, Mako's `${expr | n}` and
Tornado's Python `{{ expr }}` and unescaped `{% raw expr %}` are small enough to read here.  For each output: the context variable it reads (through
`{% for x in items %}` and `{% set %}` aliases), whether it is a constant, its filters in the
order they apply, and what turned HTML escaping off for it (`|safe`, Mako `| n`, an
`{% autoescape off %}` or `{% filter safe %}` block around it).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import jinja2
from jinja2 import nodes

from secreview.lang.templates.syntax import BLOCK, OUTPUT, Lexed, Tag

JINJA2, DJANGO, MAKO, TORNADO = "jinja2", "django", "mako", "tornado"

# Filters whose output holds only digits, JSON or URL-encoded text: safe in a script and in a URL.
NUMERIC_FILTERS = frozenset({"int", "float", "length", "count", "filesizeformat", "wordcount", "round", "abs"})
SCRIPT_SAFE_FILTERS = NUMERIC_FILTERS | {"tojson", "escapejs", "json_script", "urlencode"}
URL_SAFE_FILTERS = NUMERIC_FILTERS | {"urlencode"}
_UNSAFE_FILTERS = {JINJA2: frozenset({"safe"}), DJANGO: frozenset({"safe", "safeseq"})}
_ESCAPING_FILTERS = frozenset({"e", "escape", "forceescape", "h", "u", "x", "urlencode", "escapejs", "tojson",
                               "striptags", "json_script"})
# Calls in an expression whose result the server builds (a URL of this application, a token).
SERVER_BUILT = frozenset({"url_for", "static", "url", "csrf_token", "csrf_input", "reverse", "_", "gettext",
                          "xsrf_form_html", "static_url", "reverse_url"})
_JINJA_EXTENSIONS = ("jinja2.ext.i18n", "jinja2.ext.do", "jinja2.ext.loopcontrols")


@dataclass(frozen=True)
class Output:
    """One output expression: what it reads and how it is filtered."""

    tag: Tag
    variable: str | None  # the context variable it reads (None: none, or not understood)
    literal: bool  # a constant: no data reaches the page through it
    server_built: bool  # the value of a call such as url_for(...): built by the application
    filters: tuple[str, ...]  # in the order they apply
    unescaped_by: str = ""  # what turned escaping off for it ("`|safe`", "`{% autoescape off %}` at line 3")

    @property
    def has_data(self) -> bool:
        return not self.literal and not self.server_built

    def filtered_by(self, safe: frozenset[str]) -> bool:
        """The last filter applied is one of `safe`."""
        return bool(self.filters) and self.filters[-1] in safe


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(extensions=list(_JINJA_EXTENSIONS))


def jinja_syntax_error(text: str) -> tuple[int, str] | None:
    """(line, message) of the first syntax error jinja2's parser finds in a whole template, or None."""
    try:
        _environment().parse(text)
    except jinja2.TemplateSyntaxError as error:
        return error.lineno or 1, error.message or "syntax error"
    except (RecursionError, ValueError, TypeError) as error:  # jinja2 refuses some input in its own way
        return 1, f"{type(error).__name__}: {error}"
    return None


def outputs(lexed: Lexed, dialect: str, text: str) -> list[Output]:
    """Every output expression, with the blocks that turn escaping off applied."""
    aliases = _aliases(lexed, dialect, text)
    regions = _unescaped_regions(lexed, dialect, text)
    found = []
    for tag in lexed.tags:
        if tag.kind != OUTPUT and not (dialect == TORNADO and tag.name == "raw"):
            continue
        output = _parse(tag, dialect)
        if output.variable in aliases:
            output = _replace_variable(output, aliases)
        region = next((why for start, end, why in regions if start <= tag.start < end), "")
        if region and not output.unescaped_by and not output.filtered_by(_ESCAPING_FILTERS):
            output = Output(output.tag, output.variable, output.literal, output.server_built, output.filters, region)
        found.append(output)
    return found


def _replace_variable(output: Output, aliases: dict[str, str]) -> Output:
    variable, seen = output.variable, set()
    while variable in aliases and variable not in seen:  # `{% for a in b %}{% for c in a %}`: c comes from b
        seen.add(variable)
        variable = aliases[variable]
    return Output(output.tag, variable, output.literal, output.server_built, output.filters, output.unescaped_by)


def _parse(tag: Tag, dialect: str) -> Output:
    if dialect == JINJA2:
        return _jinja_output(tag)
    if dialect == MAKO:
        return _mako_output(tag)
    if dialect == TORNADO:
        return _tornado_output(tag)
    return _django_output(tag)


# -- Jinja2 ------------------------------------------------------------------------------------------

def _jinja_expression(source: str) -> nodes.Expr | None:
    try:
        template = _environment().parse("{{ " + source + " }}")
    except (jinja2.TemplateSyntaxError, RecursionError, ValueError, TypeError):
        return None
    body = template.body
    if len(body) != 1 or not isinstance(body[0], nodes.Output) or len(body[0].nodes) != 1:
        return None
    return body[0].nodes[0]


def _jinja_output(tag: Tag) -> Output:
    expression = _jinja_expression(tag.inner)
    if expression is None:
        return Output(tag, None, False, False, ())
    filters: list[str] = []
    core = expression
    while isinstance(core, nodes.Filter) and core.node is not None:
        filters.append(core.name)
        core = core.node
    filters.reverse()
    name = core.find(nodes.Name) if not isinstance(core, nodes.Name) else core
    server = isinstance(core, nodes.Call) and _callee_name(core.node) in SERVER_BUILT
    return Output(tag, name.name if name is not None else None, name is None, server, tuple(filters),
                  _unsafe_filter(filters, JINJA2))


def _callee_name(node: nodes.Node) -> str:
    """`url_for` for `url_for(...)` and `request.url_for(...)`."""
    if isinstance(node, nodes.Name):
        return node.name
    return node.attr if isinstance(node, nodes.Getattr) else ""


def _unsafe_filter(filters: list[str] | tuple[str, ...], dialect: str) -> str:
    """"`|safe`" when the last escaping-related filter marks the value safe."""
    for name in reversed(filters):
        if name in _UNSAFE_FILTERS[dialect]:
            return f"`|{name}`"
        if name in _ESCAPING_FILTERS:
            return ""
    return ""


def _jinja_target_names(arguments: str) -> tuple[list[str], str] | None:
    """(`for` loop targets, iterated expression) of `a, b in items.items()`."""
    match = re.match(r"^\s*([\w\s,()]+?)\s+in\s+(.+?)(?:\s+if\s+.*|\s+recursive\s*)?$", arguments, re.S)
    if match is None:
        return None
    return re.findall(r"\w+", match.group(1)), match.group(2)


# -- Django ------------------------------------------------------------------------------------------

_DJANGO_LITERAL = re.compile(r"""^(?:(['"]).*\1|_\((['"]).*\2\)|-?\d+(?:\.\d+)?|True|False|None)$""", re.S)


def _split_filters(text: str) -> list[str]:
    """`a|f:"x|y"|g` -> ["a", 'f:"x|y"', "g"]: bars inside quotes do not split."""
    parts, current, quote = [], [], ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "|":
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    parts.append("".join(current).strip())
    return parts


def _django_output(tag: Tag) -> Output:
    first, *rest = _split_filters(tag.inner)
    filters = tuple(part.split(":", 1)[0].strip() for part in rest)
    literal = bool(_DJANGO_LITERAL.match(first)) or not first
    variable = None if literal else re.match(r"[\w]*", first).group(0) or None
    return Output(tag, variable, literal, False, filters, _unsafe_filter(filters, DJANGO))


# -- Mako --------------------------------------------------------------------------------------------

_MAKO_FLAGS = re.compile(r"\|\s*([\w.]+(?:\s*,\s*[\w.]+)*)\s*$")
_MAKO_ESCAPES = frozenset({"h", "u", "x"})
_PY_LITERAL = re.compile(r"""^(?:[rbuRBU]{0,2}(['"]).*\1|-?\d+(?:\.\d+)?|True|False|None)$""", re.S)


def _mako_output(tag: Tag) -> Output:
    flags = _MAKO_FLAGS.search(tag.inner)
    expression = tag.inner[:flags.start()].strip() if flags else tag.inner
    filters = tuple(f.strip() for f in flags.group(1).split(",")) if flags else ()
    literal = bool(_PY_LITERAL.match(expression))
    match = re.match(r"[A-Za-z_]\w*", expression)
    call = re.match(r"(?:[A-Za-z_]\w*\.)*([A-Za-z_]\w*)\s*\(", expression)
    server = call is not None and call.group(1) in SERVER_BUILT
    unescaped = "`| n`" if "n" in filters and not _MAKO_ESCAPES & set(filters) else ""
    return Output(tag, None if literal or match is None else match.group(0), literal, server, filters, unescaped)


# -- Tornado -----------------------------------------------------------------------------------------

def _tornado_output(tag: Tag) -> Output:
    """`{{ expr }}` (escaped) or `{% raw expr %}` (not escaped): a Python expression, as in Mako."""
    expression = Tag(tag.kind, tag.start, tag.end, tag.arguments if tag.kind == BLOCK else tag.inner, tag.inner_start)
    output = _mako_output(expression)
    unescaped = "`{% raw %}`" if tag.kind == BLOCK else ""
    return Output(tag, output.variable, output.literal, output.server_built, (), unescaped)


# -- blocks ------------------------------------------------------------------------------------------

_MAKO_FOR = re.compile(r"^[ \t]*%[ \t]*for[ \t]+([\w\s,()]+?)[ \t]+in[ \t]+([A-Za-z_]\w*)", re.M)


def _aliases(lexed: Lexed, dialect: str, text: str) -> dict[str, str]:
    """Loop and `set` variables -> the context variable their value comes from."""
    aliases: dict[str, str] = {}
    if dialect == MAKO:
        for match in _MAKO_FOR.finditer(text):
            for target in re.findall(r"\w+", match.group(1)):
                aliases.setdefault(target, match.group(2))
        return aliases
    for tag in lexed.tags:
        if tag.kind != BLOCK:
            continue
        if tag.name == "for":
            loop = _jinja_target_names(tag.arguments)
            root = re.match(r"\s*([A-Za-z_]\w*)", loop[1]) if loop else None
            for target in (loop[0] if loop and root else ()):
                if target != root.group(1):
                    aliases.setdefault(target, root.group(1))
        elif tag.name in ("set", "with") and "=" in tag.arguments:
            target, _, value = tag.arguments.partition("=")
            root = re.match(r"\s*([A-Za-z_]\w*)", value)
            if root and target.strip().isidentifier() and target.strip() != root.group(1):
                aliases.setdefault(target.strip(), root.group(1))
    return aliases


def _unescaped_regions(lexed: Lexed, dialect: str, text: str) -> list[tuple[int, int, str]]:
    """(start, end, why) of `{% autoescape off/false %}` and `{% filter safe %}` blocks."""
    if dialect in (MAKO, TORNADO):
        return []
    regions: list[tuple[int, int, str]] = []
    open_blocks: list[tuple[str, int, str]] = []  # (block name, start, why or "")
    for tag in lexed.tags:
        if tag.kind != BLOCK:
            continue
        if tag.name in ("autoescape", "filter"):
            open_blocks.append((tag.name, tag.end, _why_unescaped(tag, text)))
        elif tag.name in ("endautoescape", "endfilter"):
            for position in range(len(open_blocks) - 1, -1, -1):
                if open_blocks[position][0] == tag.name[3:]:
                    _, start, why = open_blocks.pop(position)
                    if why:
                        regions.append((start, tag.start, why))
                    break
    # an inner `{% autoescape on %}` inside an outer off block: the innermost decides (sorted inner first)
    return sorted(regions, key=lambda region: region[1] - region[0])


def _why_unescaped(tag: Tag, text: str) -> str:
    line = text.count("\n", 0, tag.start) + 1
    arguments = tag.arguments.strip().lower()
    if tag.name == "autoescape" and arguments in ("false", "off"):
        return f"`{{% autoescape {tag.arguments.strip()} %}}` at line {line}"
    if tag.name == "filter" and "safe" in re.findall(r"\w+", arguments):
        return f"`{{% filter {tag.arguments.strip()} %}}` at line {line}"
    return ""


_MAKO_MARKERS = re.compile(r"\$\{|<%(?:inherit|def|block|namespace|include|!|doc|text)\b|^[ \t]*%[ \t]*(?:for|if|endfor|endif)\b",
                           re.M)
_DJANGO_MARKERS = re.compile(r"\{%-?\s*(?:load|csrf_token|url|static|trans|blocktrans|blocktranslate|verbatim|"
                             r"comment|ifequal|now|cycle|firstof|spaceless|templatetag|widthratio)\b|"
                             r"\{\{[^}]*\|\s*\w+:[^}]*\}\}")
_JINJA_MARKERS = re.compile(r"\{%-?\s*(?:set|macro|call|raw|do)\b|\{\{[^}]*\w\([^}]*\}\}|-%\}|\{%-")


_TORNADO_MARKERS = re.compile(r"\{%\s*end\s*%\}")


def dialect_from_syntax(text: str) -> str:
    """The dialect a template's own syntax suggests when the project does not tell it."""
    if "{{" not in text and "{%" not in text and _MAKO_MARKERS.search(text):
        return MAKO
    if _TORNADO_MARKERS.search(text):
        return TORNADO
    if _JINJA_MARKERS.search(text):
        return JINJA2
    if _DJANGO_MARKERS.search(text):
        return DJANGO
    return JINJA2
