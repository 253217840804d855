"""Which function a call reaches, and the calls of a function in sight: this file's and other files'.

In this file, only what the file proves: a plain name bound by a `def` in an enclosing scope,
`self.name(...)` to a method of the enclosing class (or of a class of this file that defines it), and for
a function, the calls of this file that reach it by the same rules.  A parameter holding a function
(`def create(self, prepare, ...)`) is resolved through those calls: what each of them passes for it.

In the other production files of the run (`calls_elsewhere`, through the run's `Project`): calls that
reach a module-level function or a class's constructor through the caller's imports, and calls of a
method's name on some other object.  `supply` merges both into what the callers pass for a parameter.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.returns import NonePath, maybe_none_names, none_path
from secreview.lang.python.scopes import class_bases, enclosing_class, function_of
from secreview.taint.project import Project, module_names
from secreview.testcode import is_test_path

_SELF = frozenset({"self", "cls"})
# Files read for the calls of one function: a module imported by more production files than this is a
# library of the project, and reading them all for each of its functions would cost more than the review.
MAX_CALLER_FILES = 24
_METHOD_CALL = re.compile(r"\.\s*(\w+)\s*\(")
_TOP_LEVEL_LINE = re.compile(r"^[^\s#)\]}]", re.M)
_ANY_DEF = re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)", re.M)
_TOP_LEVEL_DEF = re.compile(r"^(?:async[ \t]+)?def[ \t]+(\w+)[ \t]*\(", re.M)


def _definitions(file: PyFile) -> list[ts.Node]:
    return file.nodes_of_type("function_definition")


def _name_of(file: PyFile, function: ts.Node) -> str:
    name = function.child_by_field_name("name")
    return file.text_of(name) if name is not None else ""


def function_named(file: PyFile, name: str, at: ts.Node) -> ts.Node | None:
    """The `def name` visible from `at`: in an enclosing function's body, else at module level."""
    scope = function_of(file, at)
    while True:
        owner = scope if scope is not None else file.tree.root_node
        for function in _definitions(file):
            if _name_of(file, function) == name and function_of(file, function) == scope \
                    and (scope is not None or enclosing_class(file, function) is None) \
                    and owner.start_byte <= function.start_byte < owner.end_byte:
                return function
        if scope is None:
            return None
        scope = function_of(file, scope)


def methods_named(file: PyFile, name: str, cls: ts.Node) -> list[ts.Node]:
    """The methods `name` that `self.name(...)` in class `cls` may reach: those of `cls` and of the classes
    of this file it inherits from or that inherit from it (an override)."""
    family = _family(file, cls)
    return [f for f in _definitions(file) if _name_of(file, f) == name and enclosing_class(file, f) in family]


def _family(file: PyFile, cls: ts.Node) -> list[ts.Node]:
    classes = {_name_of(file, c): c for c in file.nodes_of_type("class_definition")}
    bases = {name: {b.rsplit(".", 1)[-1] for b in class_bases(file, c)} for name, c in classes.items()}
    related = {_name_of(file, cls)}
    changed = True
    while changed:
        grown = related | {n for n in classes if bases[n] & related} | {b for n in related for b in bases.get(n, ())}
        changed = grown != related
        related = grown
    return [classes[n] for n in related if n in classes]


def callee_definitions(file: PyFile, call: Call) -> list[ts.Node]:
    """The definitions `call` may reach that this file shows: a function by its plain name, or for
    `self.m(...)` every method `m` of this file's classes (a subclass may override it)."""
    function = call.node.child_by_field_name("function")
    if function is None:
        return []
    if function.type == "identifier":
        found = function_named(file, file.text_of(function), call.node)
        return [found] if found is not None else []
    caller = function_of(file, call.node)
    cls = enclosing_class(file, caller) if caller is not None else None
    if cls is not None and call.receiver is not None and call.receiver.type == "identifier" \
            and file.text_of(call.receiver) in _SELF:
        return methods_named(file, call.method or "", cls)
    return []


def visible_calls(file: PyFile, function: ts.Node) -> list[Call]:
    """The calls of this file that reach `function` by the rules of `callee_definitions`."""
    name = _name_of(file, function)
    calls = [call for call in file.method_calls(name) if function in callee_definitions(file, call)]
    return calls + _constructions(file, function) if name == "__init__" else calls


def _constructions(file: PyFile, init: ts.Node) -> list[Call]:
    """`Class(...)` calls of this file for the `__init__` of a module-level class."""
    cls = enclosing_class(file, init)
    if cls is None or function_of(file, cls) is not None or enclosing_class(file, cls) is not None:
        return []
    name = _name_of(file, cls)
    return [call for call in file.method_calls(name) if call.receiver is None and call.name == name]


def argument_for(file: PyFile, call: Call, function: ts.Node, parameter: str) -> ts.Node | None:
    """What `call` passes to `function`'s parameter `parameter` (by keyword or position), if it says."""
    if parameter in call.kwargs:
        return call.kwargs[parameter]
    names = _positional_names(file, function, bound=call.receiver is not None or _name_of(file, function) == "__init__")
    if parameter not in names or call.has_star_args and names.index(parameter) >= len(call.args):
        return None
    index = names.index(parameter)
    return call.args[index] if index < len(call.args) else None


def _positional_names(file: PyFile, function: ts.Node, bound: bool) -> list[str]:
    """The names a call fills by position; a method called through an attribute has `self` bound already."""
    parameters = function.child_by_field_name("parameters")
    names = []
    for node in parameters.named_children if parameters is not None else ():
        if node.type in ("list_splat_pattern", "dictionary_splat_pattern", "keyword_separator"):
            break
        ident = node if node.type == "identifier" else node.child_by_field_name("name")
        if ident is None and node.named_children:
            ident = node.named_children[0]
        names.append(file.text_of(ident) if ident is not None else "")
    if enclosing_class(file, function) is not None and bound and names:
        names = names[1:]
    return names


@dataclass(frozen=True)
class CallSite:
    """A call in another reviewed file, reduced to what it passes (the file's tree is not kept)."""

    place: str  # "path:line"
    resolved: bool  # reaches the function through the caller's imports; False: a method matched by its name
    positional: int  # how many positional arguments
    none_positions: frozenset[int]
    keywords: frozenset[str]
    none_keywords: frozenset[str]
    forwards: bool  # passes `*args` or `**kwargs` on

    def passes(self, name: str, positional_names: list[str]) -> bool | None:
        """True: a value other than None; None: None itself; False: nothing."""
        if name in self.keywords:
            return None if name in self.none_keywords else True
        index = positional_names.index(name) if name in positional_names else self.positional
        if index >= self.positional:
            return False
        return None if index in self.none_positions else True


def calls_elsewhere(file: PyFile, function: ts.Node) -> list[CallSite]:
    """The calls of `function` in the other production files of the run.

    A module-level function is reached from the files importing its module by a call whose import-resolved
    name is `<its module>.<name>`, and a class's `__init__` likewise by `<its module>.<Class>(...)`: those
    calls are resolved.  Any other public method whose name no other production file defines is matched by
    name, by an attribute call `x.name(...)` on anything but `self`/`cls`/`super()` in any production file:
    not proven, so such calls only vouch (all together) that arguments are passed.  A private method
    (`_name`) has no callers elsewhere.
    Each caller file is parsed once per run and recorded as consulted.
    """
    project = file.context.project
    name = _name_of(file, function)
    if project is None or not name or function_of(file, function) is not None:
        return []
    cls = enclosing_class(file, function)
    if name == "__init__" and cls is not None:
        wanted, resolved = _name_of(file, cls), True
    elif name.startswith("_") and cls is not None:
        return []  # a private method is called by its own class family, in this file
    else:
        wanted, resolved = name, cls is None
    return file.memo(("calls-elsewhere", function.id),
                     lambda: _run_index(project).calls_of(file.path, wanted, resolved))


class _RunIndex:
    """Per run (one per `Project`): caller files reduced to their call sites, by called name."""

    def __init__(self, project: Project) -> None:
        self._project = project
        self._sites: dict[str, dict[str, list[tuple[str | None, CallSite]]]] = {}
        self._named_by: dict[str, dict[str, list]] = {}  # pattern -> name -> production sources matching it
        self._none_returns: dict[tuple[str, str], tuple[int, NonePath] | None] = {}  # (path, function) -> summary
        self._top_level_defs: dict[str, dict[str, tuple[int, int]]] = {}  # path -> function -> its text's span

    def calls_of(self, path: str, name: str, resolved: bool) -> list[CallSite]:
        """Resolved calls `<module of path>.name(...)`, or method calls `x.name(...)` matched by name."""
        if resolved:
            callers = [s for s in self._project.importers_of(path)
                       if f"{name}(" in s.text and not is_test_path(s.path)]
        elif len(self._production_files_naming(_ANY_DEF).get(name, ())) > 1:
            return []  # several production files define a method of this name: a call of it may reach any
        else:
            callers = [s for s in self._production_files_naming(_METHOD_CALL).get(name, ()) if s.path != path]
        if len(callers) > MAX_CALLER_FILES:
            return []
        modules = set(module_names(path))
        found = []
        for source in callers:
            self._project.sources_of(module_names(source.path)[-1])  # recorded: its edits change our answer
            for qualified, site in self._sites_of(source).get(name, ()):
                if site.resolved != resolved:
                    continue
                if not resolved or qualified is not None and qualified.rsplit(".", 1)[0] in modules:
                    found.append(site)
        return found

    def none_return(self, source, name: str) -> tuple[int, NonePath] | None:
        """For a module-level function `name` of another reviewed file: (its line, how it may return None).
        Only the function's own text is parsed, once per run."""
        key = (source.path, name)
        if key not in self._none_returns:
            if source.path not in self._top_level_defs:
                self._top_level_defs[source.path] = _top_level_definitions(source.text)
            span = self._top_level_defs[source.path].get(name)
            self._none_returns[key] = _none_path_of_text(source.text, *span) if span is not None else None
        return self._none_returns[key]

    def _production_files_naming(self, pattern: re.Pattern) -> dict[str, list]:
        """Name -> the production sources where `pattern` (one group: the name) matches, once per run."""
        if pattern.pattern not in self._named_by:
            found: dict[str, list] = {}
            for source in self._project.python_sources:
                if not is_test_path(source.path):
                    for name in set(pattern.findall(source.text)):
                        found.setdefault(name, []).append(source)
            self._named_by[pattern.pattern] = found
        return self._named_by[pattern.pattern]

    def _sites_of(self, source) -> dict[str, list[tuple[str | None, CallSite]]]:
        if source.path not in self._sites:
            self._sites[source.path] = _call_sites(PyFile(source.path, source.text))
        return self._sites[source.path]


@dataclass(frozen=True)
class NoneReturn:
    """A callee in sight that returns None on some path and a value on others."""

    callee: str  # "`find_port` (line 40 of this file)" or "`find_port` (pkg/ports.py:40)"
    how: str  # "returns None on line 52" (of the callee's file), "can end without a return"


def callee_none_return(file: PyFile, call: Call) -> NoneReturn | None:
    """Whether every definition `call` may reach that is in sight (this file's, or a module-level function of
    another reviewed module imported by name) may return None while it otherwise returns a value, on a path
    this call can meet (one chosen by an optional parameter only when the call passes it)."""
    if call.method in maybe_none_names(file):
        definitions = callee_definitions(file, call)
        paths = [none_path(file, d) for d in definitions]
        if not definitions or any(p is None or not _meets(file, call, d, p) for d, p in zip(definitions, paths)):
            return None
        name = _name_of(file, definitions[0])
        return NoneReturn(f"`{name}` (line {definitions[0].start_point[0] + 1} of this file)", paths[0].how())
    project = file.context.project
    function = call.node.child_by_field_name("function")
    root = function.child_by_field_name("object") if function is not None and function.type == "attribute" \
        else function
    if project is None or call.name is None or root is None or root.type != "identifier" \
            or file.text_of(root) not in file.imports or call.method in _defined_names(file):
        return None
    module, _, name = call.name.rpartition(".")
    sources = project.sources_of(module)
    found = _run_index(project).none_return(sources[0], name) if len(sources) == 1 else None
    if found is None or found[1].modes and not found[1].modes & set(call.kwargs):
        return None  # a None path chosen by an optional parameter this call does not pass (by keyword)
    return NoneReturn(f"`{name}` ({sources[0].path}:{found[0]})", found[1].how(found[0]))


def _defined_names(file: PyFile) -> frozenset[str]:
    return file.memo(("defined-function-names",), lambda: frozenset(_name_of(file, f) for f in _definitions(file)))


def _meets(file: PyFile, call: Call, function: ts.Node, path: NonePath) -> bool:
    """The call passes (by keyword or position) one of the optional parameters that choose the None path."""
    return not path.modes or any(argument_for(file, call, function, mode) is not None for mode in path.modes)


_INDEXES: weakref.WeakKeyDictionary[Project, _RunIndex] = weakref.WeakKeyDictionary()


def _run_index(project: Project) -> _RunIndex:
    if project not in _INDEXES:
        _INDEXES[project] = _RunIndex(project)
    return _INDEXES[project]


def _top_level_definitions(text: str) -> dict[str, tuple[int, int]]:
    """Module-level `def name` of a module's text -> (start, end) offsets: from the `def` to the next line
    that starts at column 0 and is not a comment (the last definition of a name wins)."""
    found = {}
    for match in _TOP_LEVEL_DEF.finditer(text):
        end = _TOP_LEVEL_LINE.search(text, match.end())
        found[match.group(1)] = (match.start(), end.start() if end else len(text))
    return found


def _none_path_of_text(text: str, start: int, end: int) -> tuple[int, NonePath] | None:
    """(line, how) if the function whose text is `text[start:end]` may return None."""
    snippet = PyFile("<callee>", text[start:end])
    functions = snippet.nodes_of_type("function_definition")
    path = none_path(snippet, functions[0]) if functions else None
    return (text.count("\n", 0, start) + 1, path) if path is not None else None


def _call_sites(file: PyFile) -> dict[str, list[tuple[str | None, CallSite]]]:
    """Every call of a file by the name it calls: (its import-resolved dotted name, the site).  A call is
    resolved when its name starts at an import (`helper(...)` imported from a module, `module.helper(...)`);
    any other attribute call is a method call matched by name, except on `self`/`cls`/`super()` (the caller's
    own class family)."""
    sites: dict[str, list[tuple[str | None, CallSite]]] = {}
    for call in file.calls:
        function = call.node.child_by_field_name("function")
        if call.method is None or function is None:
            continue
        root = function
        while root.type == "attribute":
            root = root.child_by_field_name("object")
        imported = root.type == "identifier" and file.text_of(root) in file.imports and call.name is not None
        own = call.receiver is not None and (call.receiver.type == "identifier" and file.text_of(call.receiver) in _SELF
                                             or call.receiver.type == "call" and file.text_of(call.receiver) == "super()")
        if not imported and (function.type != "attribute" or own):
            continue
        site = CallSite(f"{file.path}:{call.line}", imported,
                        len(call.args), frozenset(i for i, a in enumerate(call.args) if a.type == "none"),
                        frozenset(call.kwargs), frozenset(k for k, v in call.kwargs.items() if v.type == "none"),
                        call.has_star_args)
        sites.setdefault(call.method, []).append((call.name, site))
    return sites


@dataclass(frozen=True)
class Supply:
    """What the calls in sight pass for one parameter (or one `**kwargs` key) of a function."""

    omitting: list[str]  # where calls pass nothing or None for it (and forward no `*args`/`**kwargs`)
    every_call_passes: bool  # there are calls, none forwards, and each passes a value other than None

    def note(self, name: str) -> str:
        """A sentence naming the calls that omit it, for the finding."""
        if not self.omitting:
            return ""
        places = ", ".join(self.omitting[:3])
        return f"The call{'s' if len(self.omitting) > 1 else ''} at {places} pass{'' if len(self.omitting) > 1 else 'es'} " \
            f"no `{name}` (or None)."


def supply(file: PyFile, function: ts.Node, name: str) -> Supply:
    """What the calls of `function` in sight (this file's, and other reviewed files' through the run's index)
    pass for its parameter or `**kwargs` key `name`.  Calls that forward `*args`/`**kwargs` say nothing
    either way; calls elsewhere of a method matched by its name only ever vouch, they are never evidence."""
    calls = visible_calls(file, function)
    explicit = [call for call in calls if not call.has_star_args]
    passed = [(call, argument_for(file, call, function, name)) for call in explicit]
    omitting = [f"line {call.line} of this file" for call, value in passed if value is None or value.type == "none"]
    remote = calls_elsewhere(file, function)
    positional = _positional_names(file, function, bound=True)  # a method is reached with `self` bound
    answers = [(site, site.passes(name, positional)) for site in remote if not site.forwards]
    if not all(answer is True for site, answer in answers if not site.resolved):
        # calls matched by the method's name alone vouch together or say nothing
        remote = [site for site in remote if site.resolved]
        answers = [(site, answer) for site, answer in answers if site.resolved]
    omitting += [site.place for site, answer in answers if answer is not True]
    every = bool(calls or remote) and len(explicit) == len(calls) and len(answers) == len(remote) and all(
        value is not None and value.type != "none" for _, value in passed) and all(a is True for _, a in answers)
    return Supply(omitting, every)
