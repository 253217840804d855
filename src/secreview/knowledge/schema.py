"""What a framework or library module declares: the schema of secreview's knowledge.

Each module of `secreview.knowledge` that describes one framework or library
defines `KNOWLEDGE`, a `PythonKnowledge` or a `CKnowledge` built from the frozen
dataclasses below; `knowledge.registry` discovers them and merges them into the
specification that the taint engine (`taint.python_semantics`,
`taint.c_semantics`), the lowering and the rules read.  Nothing here is code
that runs: behaviour that needs code (a sink that is dangerous only with
`shell=True`) is named here and implemented in `taint.conditions`.

Names are import-resolved dotted names (`flask.request.args`), or method names
on any receiver where the receiver cannot be resolved statically (`execute` on
a DB-API cursor).  Vulnerability classes are the ids of `knowledge.classes`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

ALL = "*"
"""In `Sanitizer.clears`: the value is neutralised for every vulnerability class."""


@dataclass(frozen=True)
class VulnerabilityClass:
    id: str
    cwe: int
    title: str


# -- Python --------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Outside data enters where this name is read or called.

    `name` matches a dotted attribute or call name and everything below it
    (`flask.request.args` also covers `flask.request.args.get`).  `remote` is
    the kind: True for a remote attacker (an HTTP request, a socket), False for
    the local user or operator (command line, environment, console), which is a
    defect only where the program has more rights than that user.
    """

    name: str
    description: str
    remote: bool = True


@dataclass(frozen=True)
class ParameterSource:
    """These attributes of a parameter with this name are request data (Django's `request.GET`)."""

    parameter: str
    attributes: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class SourceObject:
    """An imported request object that is attacker data as a whole, except for these attributes."""

    name: str
    server_attributes: tuple[str, ...]  # decided by the server, not the client (`flask.request.endpoint`)


@dataclass(frozen=True)
class MethodSource:
    """A method that returns remote data on any receiver, in files importing `module` (`sock.recv()`)."""

    method: str
    module: str
    description: str


@dataclass(frozen=True)
class RequestHandler:
    """A request-handler base class: these attributes of `self` in a subclass hold request data."""

    base: str
    attributes: tuple[str, ...]


@dataclass(frozen=True)
class Sink:
    """Data of class `cls` is dangerous when it reaches this argument of this call.

    The call is `callee` (a dotted function name) or `method` (on any receiver,
    only in files importing `requires_import`).  The argument is the positional
    `arg` or the keyword `keyword`; with neither, the receiver is the data
    (`path.read_text()`).  `when` names a condition in `taint.conditions` that
    must hold at the call (`shell_true` for `subprocess.run`).
    """

    cls: str
    callee: str | None = None
    method: str | None = None
    arg: int | None = 0
    keyword: str | None = None
    when: str | None = None
    requires_import: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Sanitizer:
    """The result of this call (`callee`, or `method` on any receiver) is safe for the classes in `clears`."""

    clears: frozenset[str]
    callee: str | None = None
    method: str | None = None


@dataclass(frozen=True)
class RouteConventions:
    """How a web framework tells which functions it calls for a URL, and what it passes them.

    A function decorated with `@<application or router>.<decorator method>(...)`
    is a route handler; its parameters are request data (the framework fills them
    from the URL), except the context parameters (a database session) and those
    whose default is a call to a dependency marker (FastAPI's `Depends(...)`).
    """

    decorator_methods: frozenset[str] = frozenset()
    dependency_markers: frozenset[str] = frozenset()
    context_parameters: frozenset[str] = frozenset()
    # Objects (import-resolved) whose decorator methods never register a route: `@mock.patch(...)` names a
    # method a router also has, but it injects test doubles, not request data.
    not_routers: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Handler:
    """Functions a framework calls with request data in their parameters, found other than by a route decorator.

    In files importing `module`, a function is one when a decorator names `decorator` (import-resolved,
    called or not: `@strawberry.field`), or calls the method `decorator_method` on any object (Ariadne's
    `@query.field("user")`), or when it is a method named in `methods`, or starting with one of
    `method_prefixes`, of a subclass of `base` (Tornado's `RequestHandler.get`, Graphene's
    `resolve_user`).  Its first `leading` parameters are the framework's own (a resolver's parent object
    and resolve info), and so are the parameters named in `context_parameters` (Strawberry's `info`);
    every other parameter is request data (query arguments, URL path groups, a received message).
    """

    module: str
    description: str  # what its parameters hold, for the finding's trace ("GraphQL query argument")
    decorator: str | None = None
    decorator_method: str | None = None
    base: str | None = None
    methods: frozenset[str] = frozenset()
    method_prefixes: tuple[str, ...] = ()
    leading: int = 0
    context_parameters: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TemplateRender:
    """A call that renders a template file: where its name and its context are, and the template dialect.

    `name`/`context`: positional index and keyword of the template name and of the context mapping;
    `context_keywords`: the call's other keyword arguments are context variables (`render_template(n, x=v)`).
    `method`: a method name on any receiver instead of a dotted callee (`get_template(n)` of an environment).
    """

    dialect: str  # jinja2 | django | mako
    callee: str = ""
    method: str = ""
    name: tuple[int | None, str | None] = (0, None)
    context: tuple[int | None, str | None] = (None, None)
    context_keywords: bool = False
    decorator: bool = False  # `@template("x.html")`: the decorated handler's returned dicts are the context
    loads: bool = False  # the call returns a template object: the context is what its `.render(...)` is given
    from_string: bool = False  # `name` is the template's source text, not a file name (`render_template_string`)


@dataclass(frozen=True)
class TemplateGlobal:
    """A variable the framework puts in every template's context (Flask's `request`, Django's `user`).

    `kind`: "request" (attacker input, when read through one of `attributes`: `request.args`) or
    "stored" (a persisted record, such as the signed-in user's row).
    """

    dialect: str
    name: str
    kind: str
    description: str
    attributes: frozenset[str] = frozenset()  # for "request": the attributes that hold request data


@dataclass(frozen=True)
class StoredRecords:
    """Calls whose result is a persisted record (an ORM object, a query row): stored data, not the server's own.

    `callees`: dotted names; `managers`: attributes whose methods query a table (`Model.objects.filter`);
    `methods`: methods that return rows on any receiver (DB-API `fetchall`).
    """

    callees: frozenset[str] = frozenset()
    managers: frozenset[str] = frozenset()
    methods: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PythonKnowledge:
    """Everything secreview knows about one Python framework or library (or, merged, about all of them)."""

    name: str
    # where outside data enters
    sources: tuple[Source, ...] = ()
    parameter_sources: tuple[ParameterSource, ...] = ()
    source_objects: tuple[SourceObject, ...] = ()
    method_sources: tuple[MethodSource, ...] = ()
    request_handlers: tuple[RequestHandler, ...] = ()
    routes: RouteConventions = RouteConventions()
    handlers: tuple[Handler, ...] = ()  # functions called with request data other than through a route
    # where it must not arrive unchecked, and what makes it safe
    sinks: tuple[Sink, ...] = ()
    sanitizers: tuple[Sanitizer, ...] = ()
    # methods whose true result proves their receiver harmless for every class (`name.isdigit()`)
    validating_methods: frozenset[str] = frozenset()
    # calls `f(pattern, subject)` that validate the subject when true with an anchored pattern
    regex_checks: frozenset[str] = frozenset()
    # calls (or methods) returning a normalised path (`os.path.realpath`): a prefix check then holds
    path_normalisers: frozenset[str] = frozenset()
    # calls that split a URL; the host attributes of their result decide where it points
    url_parsers: frozenset[str] = frozenset()
    url_host_attributes: frozenset[str] = frozenset()
    # calls that join URL parts, the first two (scheme and host) choosing where it points
    url_builders: frozenset[str] = frozenset()
    # calls that never return (`sys.exit`, `flask.abort`)
    exit_calls: frozenset[str] = frozenset()
    # response writers: calls that build a response object from a body, which carries only the body's data
    response_builders: frozenset[str] = frozenset()
    # calls whose result is data of their own, not their arguments': a file's content (`open(name)`);
    # a tainted name is the call's own defect, not its result's
    fresh_results: frozenset[str] = frozenset()
    # propagation summaries: calls that make an empty mapping, methods storing data into their receiver
    container_factories: frozenset[str] = frozenset()
    appending_methods: frozenset[str] = frozenset()  # the last argument goes into the receiver
    extending_methods: frozenset[str] = frozenset()  # every argument's data goes into the receiver
    # templates: the calls that render template files, and what reads stored records (for stored XSS)
    template_renders: tuple[TemplateRender, ...] = ()
    stored_records: tuple[StoredRecords, ...] = ()
    template_globals: tuple[TemplateGlobal, ...] = ()


# -- C and C++ -----------------------------------------------------------------------


@dataclass(frozen=True)
class CSource:
    """A C function through which outside data enters: by its result, its output arguments, or both.

    Names are matched on the callee as written, with `std::` dropped.
    """

    name: str
    description: str
    remote: bool  # False: the local user or operator (console, environment, command line, local files)
    result: bool = True  # the return value carries the data (not a byte count)
    outputs: tuple[int, ...] = ()  # arguments filled with the data
    outputs_from: int | None = None  # ... and every argument from this index on (scanf's targets)
    console_stream: int | None = None  # index of the stream argument: `stdin` there means console input
    numeric: bool = False  # a number, not text (clears the text classes)
    small: bool = False  # the result is one character or EOF: text, but not a number anyone picks freely


@dataclass(frozen=True)
class Copy:
    """A function moving the data of its arguments from `first_source` on into argument `destination`."""

    function: str
    destination: int
    first_source: int
    parses: bool = False  # scanf-style: every argument from `destination` on is filled


@dataclass(frozen=True)
class HeaderSources:
    """Sources recognised only in files that include a header whose name starts with one of `prefixes`.

    `methods` return remote data on any receiver (`reply->readAll()`); `calls`
    are qualified functions returning the local user's data.
    """

    prefixes: tuple[str, ...]
    methods: tuple[tuple[str, str], ...] = ()  # (method, description)
    calls: tuple[tuple[str, str], ...] = ()  # (qualified function, description)


@dataclass(frozen=True)
class CKnowledge:
    """Everything secreview knows about one C or C++ library (or, merged, about all of them)."""

    name: str
    sources: tuple[CSource, ...] = ()
    header_sources: tuple[HeaderSources, ...] = ()
    console_streams: frozenset[str] = frozenset()  # stream names meaning the console (`stdin`)
    copies: tuple[Copy, ...] = ()
    # text to number: the number keeps its magnitude, no longer an injection
    number_conversions: frozenset[str] = frozenset()
    # the length of some data: bounded by what is really there, so not a number anyone picks freely
    lengths: frozenset[str] = frozenset()
    # container and string methods that store their arguments' data into the receiver
    appending_methods: frozenset[str] = frozenset()


Knowledge = PythonKnowledge | CKnowledge


def merged(name: str, modules: list[Knowledge], kind: type[Knowledge]) -> Knowledge:
    """One knowledge of `kind` holding what every module of that kind declares (in the given order)."""
    values: dict[str, object] = {"name": name}
    for spec_field in fields(kind):
        if spec_field.name != "name":
            values[spec_field.name] = _union([getattr(module, spec_field.name) for module in modules],
                                             getattr(kind(name=name), spec_field.name))
    return kind(**values)  # type: ignore[arg-type]


def _union(parts: list[object], empty: object) -> object:
    if isinstance(empty, tuple):
        return tuple(item for part in parts for item in part)  # type: ignore[attr-defined]
    if isinstance(empty, frozenset):
        return frozenset().union(*parts)  # type: ignore[arg-type]
    if isinstance(empty, RouteConventions):
        return RouteConventions(**{route_field.name: _union([getattr(p, route_field.name) for p in parts],
                                                           getattr(empty, route_field.name))
                                   for route_field in fields(RouteConventions)})
    raise TypeError(f"cannot merge knowledge of type {type(empty).__name__}")
