"""Taint specification for Python: sources, sinks and sanitizers as data.

Unknown library calls propagate taint from their receiver and arguments to
their result (see `taint.python_semantics`); list a call under SANITIZERS to
stop that for some classes.  Sink `when` names a condition in
`taint.conditions`.
"""

from __future__ import annotations

from secreview.taint.spec import ALL, ParameterSource, Sanitizer, Sink, Source, Spec, VulnerabilityClass

CLASSES = (
    VulnerabilityClass("cmdi", 78, "OS command injection"),
    VulnerabilityClass("sql", 89, "SQL injection"),
    VulnerabilityClass("path", 22, "path traversal"),
    VulnerabilityClass("xss", 79, "cross-site scripting"),
    VulnerabilityClass("code", 94, "code injection"),
    VulnerabilityClass("deser", 502, "deserialisation of untrusted data"),
    VulnerabilityClass("xxe", 611, "XML external entity injection"),
    VulnerabilityClass("ldap", 90, "LDAP injection"),
    VulnerabilityClass("xpath", 643, "XPath injection"),
    VulnerabilityClass("redirect", 601, "open redirect"),
    VulnerabilityClass("ssrf", 918, "server-side request forgery"),
    VulnerabilityClass("trust", 501, "trust boundary violation"),
    VulnerabilityClass("log", 117, "log injection"),
    VulnerabilityClass("ssti", 1336, "server-side template injection"),
    VulnerabilityClass("header", 113, "HTTP response splitting"),
)

_FLASK_REQUEST = {
    "args": "query-string parameters", "form": "form fields", "values": "request parameters",
    "json": "JSON body", "cookies": "cookies", "headers": "HTTP headers", "files": "uploaded files",
    "data": "raw body", "get_data": "raw body", "get_json": "JSON body", "query_string": "raw query string",
    "stream": "body stream", "environ": "WSGI environment", "view_args": "URL path parameters",
    "authorization": "Authorization header", "referrer": "Referer header", "user_agent": "User-Agent header",
}
_STARLETTE_REQUEST = ("query_params", "path_params", "cookies", "headers", "json", "form", "body", "stream")
_DJANGO_REQUEST = ("GET", "POST", "COOKIES", "META", "body", "FILES", "headers", "data", "query_params")

SOURCES = tuple(
    [Source(f"flask.request.{attr}", f"Flask request {what}") for attr, what in _FLASK_REQUEST.items()]
    + [Source(f"{module}.request.{attr}", f"request {attr}") for module in ("bottle", "quart")
       for attr in ("args", "form", "query", "forms", "params", "cookies", "headers", "json", "body", "files")]
    + [
        # the local user's own input: a defect only where the program has more rights than that user
        Source("sys.argv", "command-line arguments", remote=False),
        Source("os.environ", "environment variables", remote=False),
        Source("os.getenv", "environment variables", remote=False),
        Source("os.environb", "environment variables", remote=False),
        Source("input", "console input", remote=False),
        Source("raw_input", "console input", remote=False),
        Source("sys.stdin", "standard input", remote=False),
        Source("fileinput.input", "input files", remote=False),
    ]
)

PARAMETER_SOURCES = (
    ParameterSource("request", _DJANGO_REQUEST + _STARLETTE_REQUEST, "HTTP request data"),
    ParameterSource("req", _DJANGO_REQUEST + _STARLETTE_REQUEST, "HTTP request data"),
)

_SUBPROCESS = ("run", "call", "check_call", "check_output", "Popen")
_SQL_METHODS = ("execute", "executemany", "executescript", "mogrify", "raw", "exec_driver_sql")

SINKS = tuple(
    [Sink("cmdi", callee=name, description="runs a shell command") for name in
     ("os.system", "os.popen", "os.popen2", "os.popen3", "os.popen4", "commands.getoutput",
      "commands.getstatusoutput", "subprocess.getoutput", "subprocess.getstatusoutput",
      "asyncio.create_subprocess_shell")]
    + [Sink("cmdi", callee=f"subprocess.{name}", keyword="args", when="shell_true",
            description="runs a command through the shell") for name in _SUBPROCESS]
    + [Sink("sql", method=name, keyword="sql", description="executes SQL") for name in _SQL_METHODS]
    + [Sink("sql", callee=name, description="executes SQL") for name in
       ("sqlalchemy.text", "pandas.read_sql", "pandas.read_sql_query", "django.db.models.expressions.RawSQL")]
    + [Sink("path", callee=name, keyword="file", description="opens a file") for name in
       ("open", "io.open", "codecs.open", "os.open", "builtins.open")]
    + [Sink("path", callee=name, description="touches a file by name") for name in
       ("os.remove", "os.unlink", "os.rmdir", "os.removedirs", "os.mkdir", "os.makedirs", "os.listdir",
        "os.rename", "os.replace", "os.chmod", "os.symlink", "os.link", "os.chown", "os.path.exists", "os.path.isfile", "os.path.isdir",
        "os.path.getsize", "shutil.copy", "shutil.copyfile", "shutil.copy2", "shutil.move", "shutil.rmtree",
        "flask.send_file", "pathlib.Path", "pathlib.PurePath", "tarfile.open", "zipfile.ZipFile",
        "os.scandir", "os.walk", "glob.glob")]
    + [Sink("path", callee=name, arg=1, description="writes a file by name") for name in
       ("os.rename", "os.replace", "os.symlink", "os.link", "shutil.copy", "shutil.copyfile", "shutil.copy2",
        "shutil.move", "shutil.copytree")]
    + [Sink("path", method=name, arg=None, requires_import="pathlib", description="accesses a file through a path object")
       for name in ("read_text", "read_bytes", "write_text", "write_bytes", "open", "exists", "unlink",
                    "is_file", "is_dir", "mkdir", "rmdir", "touch", "iterdir", "rename", "replace")]
    + [Sink("xss", callee=name, when="response_body", description="sends an HTML response") for name in
       ("flask.make_response", "flask.Response", "werkzeug.Response", "werkzeug.wrappers.Response",
        "django.http.HttpResponse", "markupsafe.Markup", "flask.Markup", "django.utils.safestring.mark_safe")]
    + [Sink("code", callee=name, keyword="source", description="executes Python code") for name in
       ("eval", "exec", "execfile", "builtins.eval", "builtins.exec")]
    + [Sink("deser", callee=name, keyword="data", description="deserialises objects") for name in
       ("pickle.loads", "pickle.load", "cPickle.loads", "cPickle.load", "_pickle.loads", "dill.loads",
        "marshal.loads", "shelve.open", "jsonpickle.decode", "pandas.read_pickle", "joblib.load")]
    + [Sink("deser", callee=name, keyword="stream", when="unsafe_yaml_loader", description="loads YAML objects")
       for name in ("yaml.load", "yaml.load_all", "yaml.unsafe_load", "yaml.unsafe_load_all", "yaml.full_load")]
    + [Sink("xxe", callee=name, keyword="string", when="external_entities_enabled", description="parses XML")
       for name in ("xml.dom.minidom.parseString", "xml.dom.minidom.parse", "xml.sax.parseString",
                    "xml.sax.parse", "xml.dom.pulldom.parseString", "lxml.etree.fromstring", "lxml.etree.XML",
                    "lxml.etree.parse")]
    + [Sink("ldap", method="search", arg=1, keyword="search_filter", requires_import="ldap3",
            description="runs an LDAP search")]
    + [Sink("ldap", method=name, arg=2, keyword="filterstr", requires_import="ldap", description="runs an LDAP search")
       for name in ("search", "search_s", "search_st", "search_ext", "search_ext_s")]
    + [Sink("xpath", method="xpath", keyword="_path", requires_import="lxml", description="evaluates XPath"),
       Sink("xpath", callee="lxml.etree.XPath", keyword="path", description="compiles XPath"),
       Sink("xpath", callee="lxml.etree.ETXPath", keyword="path", description="compiles XPath"),
       Sink("xpath", callee="elementpath.select", arg=1, keyword="path", description="evaluates XPath"),
       Sink("xpath", method="evaluate", requires_import="lxml", description="evaluates XPath")]
    + [Sink("xpath", method=name, keyword="path", requires_import="xml.etree", description="evaluates ElementPath")
       for name in ("find", "findall", "iterfind", "findtext")]
    + [Sink("redirect", callee=name, keyword="location", description="redirects the browser") for name in
       ("flask.redirect", "werkzeug.utils.redirect", "django.shortcuts.redirect",
        "django.http.HttpResponseRedirect", "django.http.HttpResponsePermanentRedirect",
        "starlette.responses.RedirectResponse", "fastapi.responses.RedirectResponse")]
    + [Sink("ssrf", callee=f"requests.{name}", keyword="url", description="sends an HTTP request") for name in
       ("get", "post", "put", "patch", "delete", "head", "options")]
    + [Sink("ssrf", callee="requests.request", arg=1, keyword="url", description="sends an HTTP request")]
    + [Sink("ssrf", callee=name, keyword="url", description="fetches a URL") for name in
       ("urllib.request.urlopen", "urllib2.urlopen", "urllib.urlopen", "httpx.get", "httpx.post",
        "urllib.request.Request")]
    + [Sink("ssti", callee=name, keyword="source", description="renders a template from a string") for name in
       ("flask.render_template_string", "jinja2.Template", "jinja2.Environment.from_string",
        "django.template.Template", "mako.template.Template")]
    + [Sink("log", callee=f"logging.{level}", keyword="msg", description="writes a log record") for level in
       ("debug", "info", "warning", "warn", "error", "critical", "exception", "log")]
)

SANITIZERS = (
    Sanitizer(frozenset({ALL}), callee="int"),
    Sanitizer(frozenset({ALL}), callee="float"),
    Sanitizer(frozenset({ALL}), callee="bool"),
    Sanitizer(frozenset({ALL}), callee="len"),
    Sanitizer(frozenset({ALL}), callee="ord"),
    Sanitizer(frozenset({ALL}), callee="uuid.UUID"),
    Sanitizer(frozenset({ALL}), callee="hash"),
    Sanitizer(frozenset({ALL}), callee="flask.render_template"),
    Sanitizer(frozenset({ALL}), callee="flask.url_for"),
    Sanitizer(frozenset({ALL}), callee="secrets.compare_digest"),
    Sanitizer(frozenset({ALL}), callee="hmac.compare_digest"),
    Sanitizer(frozenset({ALL}), method="hexdigest"),
    Sanitizer(frozenset({ALL}), method="digest"),
    Sanitizer(frozenset({"cmdi"}), callee="shlex.quote"),
    Sanitizer(frozenset({"cmdi"}), callee="pipes.quote"),
    Sanitizer(frozenset({"xss"}), callee="html.escape"),
    Sanitizer(frozenset({"xss"}), callee="cgi.escape"),
    Sanitizer(frozenset({"xss"}), callee="markupsafe.escape"),
    Sanitizer(frozenset({"xss"}), callee="flask.escape"),
    Sanitizer(frozenset({"xss"}), callee="jinja2.escape"),
    Sanitizer(frozenset({"xss"}), callee="django.utils.html.escape"),
    Sanitizer(frozenset({"xss"}), callee="bleach.clean"),
    Sanitizer(frozenset({"xss", "redirect", "ssrf", "flask"}), callee="flask.jsonify"),
    Sanitizer(frozenset({"xss", "sql", "cmdi", "path", "xpath", "ldap", "header", "log"}), callee="json.dumps"),
    Sanitizer(frozenset({"path"}), callee="os.path.basename"),
    Sanitizer(frozenset({"path"}), callee="werkzeug.utils.secure_filename"),
    Sanitizer(frozenset({"ldap"}), callee="ldap3.utils.conv.escape_filter_chars"),
    Sanitizer(frozenset({"ldap"}), callee="ldap.filter.escape_filter_chars"),
    Sanitizer(frozenset({"ldap"}), callee="ldap.filter.filter_format"),
    Sanitizer(frozenset({"sql"}), method="quote_identifier"),
    Sanitizer(frozenset({"xss", "sql", "xpath", "ldap", "cmdi", "path", "header", "log", "code"}),
              callee="urllib.parse.quote"),
    Sanitizer(frozenset({"xss", "sql", "xpath", "ldap", "cmdi", "path", "header", "log", "code"}),
              callee="urllib.parse.quote_plus"),
    Sanitizer(frozenset({"deser"}), callee="yaml.safe_load"),
    Sanitizer(frozenset({"deser"}), callee="json.loads"),
    Sanitizer(frozenset({ALL}), callee="ast.literal_eval"),
)

DANGEROUS_CHARACTERS = (
    ("..", frozenset({"path"})),
    ("/", frozenset({"path"})),
    ("\\", frozenset({"path"})),
    ("'", frozenset({"sql", "xpath", "code"})),
    ('"', frozenset({"sql", "xpath", "code"})),
    ("<", frozenset({"xss"})),
    (">", frozenset({"xss"})),
    (";", frozenset({"cmdi", "sql"})),
    ("|", frozenset({"cmdi"})),
    ("&", frozenset({"cmdi"})),
    ("$", frozenset({"cmdi"})),
    ("`", frozenset({"cmdi"})),
    ("(", frozenset({"ldap"})),
    (")", frozenset({"ldap"})),
    ("*", frozenset({"ldap"})),
    ("\n", frozenset({"header", "log", "cmdi"})),
    ("\r", frozenset({"header", "log"})),
)

SPEC = Spec(
    classes=CLASSES,
    sources=SOURCES,
    parameter_sources=PARAMETER_SOURCES,
    sinks=SINKS,
    sanitizers=SANITIZERS,
    dangerous_characters=DANGEROUS_CHARACTERS,
    path_normalisers=frozenset({"os.path.realpath", "os.path.abspath", "os.path.normpath", "resolve", "realpath",
                                "abspath", "normpath"}),
    url_parsers=frozenset({"urllib.parse.urlparse", "urllib.parse.urlsplit", "urlparse.urlparse",
                           "urlparse.urlsplit", "urllib3.util.parse_url"}),
    exit_calls=frozenset({"flask.abort", "abort", "sys.exit", "werkzeug.exceptions.abort"}),
    # the server, not the client, decides these: a static route's path, the matched endpoint
    method_sources={"recv": ("socket", "data received from a socket"),
                    "recvfrom": ("socket", "data received from a socket"),
                    "recvmsg": ("socket", "data received from a socket")},
    request_handlers={base: ("path", "headers", "rfile", "requestline", "command") for base in
                      ("http.server.BaseHTTPRequestHandler", "http.server.SimpleHTTPRequestHandler",
                       "BaseHTTPServer.BaseHTTPRequestHandler", "SimpleHTTPServer.SimpleHTTPRequestHandler")}
    | {base: ("request", "rfile") for base in ("socketserver.StreamRequestHandler", "socketserver.BaseRequestHandler",
                                               "SocketServer.StreamRequestHandler", "SocketServer.BaseRequestHandler")},
    response_builders=frozenset({"flask.make_response", "flask.Response", "werkzeug.Response",
                                 "werkzeug.wrappers.Response", "django.http.HttpResponse"}),
    source_objects={"flask.request": ("path", "method", "endpoint", "url_rule", "blueprint", "script_root",
                                      "scheme", "is_secure", "is_json", "mimetype", "content_length")},
)
