"""The Python standard library (and Python 2's `commands`, `urllib2`, `cPickle`, ...) and builtins."""

from __future__ import annotations

from secreview.knowledge.schema import (
    ALL, MethodSource, PythonKnowledge, RequestHandler, RouteConventions, Sanitizer, Sink, Source,
)

_SUBPROCESS = ("run", "call", "check_call", "check_output", "Popen")
_DB_API_EXECUTE = ("execute", "executemany", "executescript")
_RE_FUNCTIONS = ("compile", "match", "fullmatch", "search", "findall", "finditer", "sub", "subn", "split")
_NOT_MARKUP = frozenset({"xss", "sql", "xpath", "ldap", "cmdi", "path", "header", "log", "code"})

KNOWLEDGE = PythonKnowledge(
    name="stdlib",
    routes=RouteConventions(not_routers=frozenset({"unittest.mock", "mock"})),  # `mock` is its backport
    sources=(
        # the local user's own input: a defect only where the program has more rights than that user
        Source("sys.argv", "command-line arguments", remote=False),
        Source("os.environ", "environment variables", remote=False),
        Source("os.getenv", "environment variables", remote=False),
        Source("os.environb", "environment variables", remote=False),
        Source("input", "console input", remote=False),
        Source("raw_input", "console input", remote=False),
        Source("sys.stdin", "standard input", remote=False),
        Source("fileinput.input", "input files", remote=False),
    ),
    method_sources=tuple(MethodSource(method, "socket", "data received from a socket")
                         for method in ("recv", "recvfrom", "recvmsg")),
    request_handlers=tuple(
        [RequestHandler(base, ("path", "headers", "rfile", "requestline", "command")) for base in
         ("http.server.BaseHTTPRequestHandler", "http.server.SimpleHTTPRequestHandler",
          "BaseHTTPServer.BaseHTTPRequestHandler", "SimpleHTTPServer.SimpleHTTPRequestHandler")]
        + [RequestHandler(base, ("request", "rfile")) for base in
           ("socketserver.StreamRequestHandler", "socketserver.BaseRequestHandler",
            "SocketServer.StreamRequestHandler", "SocketServer.BaseRequestHandler")]
    ),
    sinks=tuple(
        [Sink("cmdi", callee=name, description="runs a shell command") for name in
         ("os.system", "os.popen", "os.popen2", "os.popen3", "os.popen4", "commands.getoutput",
          "commands.getstatusoutput", "subprocess.getoutput", "subprocess.getstatusoutput",
          "asyncio.create_subprocess_shell")]
        + [Sink("cmdi", callee=f"subprocess.{name}", keyword="args", when="shell_true",
                description="runs a command through the shell") for name in _SUBPROCESS]
        + [Sink("sql", method=name, keyword="sql", description="executes SQL") for name in _DB_API_EXECUTE]
        + [Sink("path", callee=name, keyword="file", description="opens a file") for name in
           ("open", "io.open", "codecs.open", "os.open", "builtins.open")]
        + [Sink("path", callee=name, description="touches a file by name") for name in
           ("os.remove", "os.unlink", "os.rmdir", "os.removedirs", "os.mkdir", "os.makedirs", "os.listdir",
            "os.rename", "os.replace", "os.chmod", "os.symlink", "os.link", "os.chown", "os.path.exists",
            "os.path.isfile", "os.path.isdir", "os.path.getsize", "shutil.copy", "shutil.copyfile", "shutil.copy2",
            "shutil.move", "shutil.rmtree", "pathlib.Path", "pathlib.PurePath", "tarfile.open", "zipfile.ZipFile",
            "os.scandir", "os.walk", "glob.glob")]
        + [Sink("path", callee=name, arg=1, description="writes a file by name") for name in
           ("os.rename", "os.replace", "os.symlink", "os.link", "shutil.copy", "shutil.copyfile", "shutil.copy2",
            "shutil.move", "shutil.copytree")]
        + [Sink("path", method=name, arg=None, requires_import="pathlib",
                description="accesses a file through a path object")
           for name in ("read_text", "read_bytes", "write_text", "write_bytes", "open", "exists", "unlink",
                        "is_file", "is_dir", "mkdir", "rmdir", "touch", "iterdir", "rename", "replace")]
        + [Sink("code", callee=name, keyword="source", description="executes Python code") for name in
           ("eval", "exec", "execfile", "builtins.eval", "builtins.exec")]
        + [Sink("deser", callee=name, keyword="data", description="deserialises objects") for name in
           ("pickle.loads", "pickle.load", "cPickle.loads", "cPickle.load", "_pickle.loads", "marshal.loads",
            "shelve.open")]
        + [Sink("xxe", callee=name, keyword="string", when="external_entities_enabled", description="parses XML")
           for name in ("xml.dom.minidom.parseString", "xml.dom.minidom.parse", "xml.sax.parseString",
                        "xml.sax.parse", "xml.dom.pulldom.parseString")]
        + [Sink("xpath", method=name, keyword="path", requires_import="xml.etree",
                description="evaluates ElementPath") for name in ("find", "findall", "iterfind", "findtext")]
        + [Sink("ssrf", callee=name, keyword="url", description="fetches a URL") for name in
           ("urllib.request.urlopen", "urllib2.urlopen", "urllib.urlopen", "urllib.request.Request")]
        + [Sink("regex", callee=f"re.{name}", keyword="pattern", description="compiles a regular expression")
           for name in _RE_FUNCTIONS]
        + [Sink("log", callee=f"logging.{level}", keyword="msg", description="writes a log record") for level in
           ("debug", "info", "warning", "warn", "error", "critical", "exception", "log")]
    ),
    sanitizers=(
        *(Sanitizer(frozenset({ALL}), callee=name) for name in
          ("int", "float", "bool", "len", "ord", "uuid.UUID", "hash", "secrets.compare_digest",
           "hmac.compare_digest", "ast.literal_eval")),
        Sanitizer(frozenset({ALL}), method="hexdigest"),
        Sanitizer(frozenset({ALL}), method="digest"),
        Sanitizer(frozenset({"cmdi"}), callee="shlex.quote"),
        Sanitizer(frozenset({"cmdi"}), callee="pipes.quote"),
        Sanitizer(frozenset({"xss"}), callee="html.escape"),
        Sanitizer(frozenset({"xss"}), callee="cgi.escape"),
        Sanitizer(frozenset({"xss", "sql", "cmdi", "path", "xpath", "ldap", "header", "log"}), callee="json.dumps"),
        Sanitizer(frozenset({"path"}), callee="os.path.basename"),
        Sanitizer(_NOT_MARKUP, callee="urllib.parse.quote"),
        Sanitizer(_NOT_MARKUP, callee="urllib.parse.quote_plus"),
        Sanitizer(frozenset({"deser"}), callee="json.loads"),
        Sanitizer(frozenset({"regex"}), callee="re.escape"),
        Sanitizer(frozenset({"regex"}), callee="fnmatch.translate"),
    ),
    validating_methods=frozenset({"isdigit", "isalnum", "isnumeric", "isdecimal", "isalpha", "isidentifier"}),
    regex_checks=frozenset({"re.match", "re.fullmatch", "re.search"}),
    path_normalisers=frozenset({"os.path.realpath", "os.path.abspath", "os.path.normpath",
                                "resolve", "realpath", "abspath", "normpath"}),
    url_parsers=frozenset({"urllib.parse.urlparse", "urllib.parse.urlsplit", "urlparse.urlparse", "urlparse.urlsplit"}),
    url_host_attributes=frozenset({"netloc", "hostname"}),
    url_builders=frozenset({"urllib.parse.urlunsplit", "urllib.parse.urlunparse", "urlparse.urlunsplit",
                            "urlparse.urlunparse"}),
    # a file's content is not its name: reading a file named by the request is the path defect, not its data;
    # a server's answer does carry the request's data when the request chose the server (remote inclusion)
    fresh_results=frozenset({"open", "io.open", "codecs.open", "builtins.open"}),
    exit_calls=frozenset({"sys.exit", "exit", "quit", "os._exit"}),
    container_factories=frozenset({"dict", "configparser.ConfigParser", "configparser.RawConfigParser",
                                   "ConfigParser.ConfigParser", "collections.OrderedDict"}),
    appending_methods=frozenset({"append", "add", "appendleft", "put", "put_nowait"}),
    extending_methods=frozenset({"extend", "update", "write", "writelines", "insert", "setdefault", "extendleft"}),
)
