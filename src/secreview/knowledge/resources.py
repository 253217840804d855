"""Resources as data: what acquires something that must be given back, and what gives it back.

Read by `secreview.lang.python.resources`, which finds acquisitions in a function and follows the
paths out of it.  Three kinds of knowledge:

- library calls whose result is a resource (`open(...)` is a file to close, `tempfile.mkdtemp()` a
  directory to remove), by import-resolved name, with the calls or methods that release it;
- methods that put their *receiver* into a held state (`lock.acquire()`), with the method that ends it;
- verb pairs a project's own API uses for things it creates and must destroy (`create_volume` /
  `delete_volume`, `map_X` / `unmap_X`): a receiver (an object, a module, the file's own functions)
  that offers both halves for the same noun is a resource manager, and its `create_X` result must be
  undone on every failing path.

Nothing here runs: names only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class LibraryResource:
    """A library call whose result must be released: by one of `release_methods` on the result, or by
    passing it to one of `release_calls` (import-resolved names)."""

    what: str
    acquire: frozenset[str]
    release_methods: frozenset[str] = frozenset()
    release_calls: frozenset[str] = frozenset()


_CLOSE = frozenset({"close"})

LIBRARY_RESOURCES: tuple[LibraryResource, ...] = (
    LibraryResource("file", frozenset({
        "open", "io.open", "codecs.open", "gzip.open", "bz2.open", "lzma.open", "gzip.GzipFile", "os.fdopen",
        "tarfile.open", "zipfile.ZipFile", "tempfile.TemporaryFile", "tempfile.NamedTemporaryFile",
        "tempfile.SpooledTemporaryFile", "shelve.open", "dbm.open"}), _CLOSE),
    LibraryResource("file descriptor", frozenset({"os.open", "os.openpty", "os.dup", "os.pipe"}),
                    release_calls=frozenset({"os.close", "os.closerange"})),
    LibraryResource("socket", frozenset({
        "socket.socket", "socket.create_connection", "socket.socketpair", "socket.fromfd", "ssl.wrap_socket",
        "telnetlib.Telnet", "ftplib.FTP", "ftplib.FTP_TLS", "smtplib.SMTP", "smtplib.SMTP_SSL", "poplib.POP3",
        "imaplib.IMAP4", "imaplib.IMAP4_SSL", "http.client.HTTPConnection", "http.client.HTTPSConnection",
        "httplib.HTTPConnection", "httplib.HTTPSConnection", "paramiko.SSHClient", "paramiko.Transport"}),
        _CLOSE | {"quit", "shutdown"}),
    LibraryResource("temporary directory", frozenset({"tempfile.mkdtemp"}),
                    release_calls=frozenset({"shutil.rmtree", "os.rmdir", "os.removedirs"})),
    LibraryResource("temporary file", frozenset({"tempfile.mkstemp"}),
                    release_calls=frozenset({"os.unlink", "os.remove", "os.close"})),
    LibraryResource("database connection", frozenset({
        "sqlite3.connect", "psycopg2.connect", "psycopg.connect", "pymysql.connect", "MySQLdb.connect",
        "mysql.connector.connect", "cx_Oracle.connect", "oracledb.connect", "pyodbc.connect", "ldap.initialize",
        "ldap3.Connection"}), _CLOSE | {"unbind", "unbind_s"}),
    LibraryResource("child process", frozenset({"subprocess.Popen", "multiprocessing.Process"}),
                    frozenset({"wait", "communicate", "kill", "terminate", "join"})),
    LibraryResource("thread pool", frozenset({
        "multiprocessing.Pool", "concurrent.futures.ThreadPoolExecutor", "concurrent.futures.ProcessPoolExecutor"}),
        frozenset({"close", "terminate", "shutdown", "join"})),
)

# `receiver.<acquire>()` holds the receiver until `receiver.<release>()`: (acquire, release methods, what).
# (A transaction's `begin()` is left out: a session rolls back what it began when it is closed.)
HELD_STATES: tuple[tuple[str, frozenset[str], str], ...] = (
    ("acquire", frozenset({"release"}), "lock"),
)

# Verb pairs of a project's own API: `<acquire verb>_<noun>` is undone by `<release verb>_<noun>`.
ACQUIRE_VERBS: dict[str, frozenset[str]] = {
    "create": frozenset({"delete", "destroy", "remove", "cleanup", "clean", "drop", "purge", "free", "release",
                         "rollback"}),
    "allocate": frozenset({"free", "deallocate", "release", "delete"}),
    "alloc": frozenset({"free", "dealloc", "release"}),
    "map": frozenset({"unmap"}),
    "attach": frozenset({"detach"}),
    "connect": frozenset({"disconnect"}),
    "mount": frozenset({"umount", "unmount"}),
    "plug": frozenset({"unplug"}),
    "reserve": frozenset({"unreserve", "release"}),
    "mkdir": frozenset({"rmdir"}),
    "spawn": frozenset({"kill", "destroy", "terminate"}),
    "provision": frozenset({"deprovision", "unprovision", "delete", "destroy"}),
}

# Words in a callee's name that undo something: a handler or `finally` that calls one cleans up.
RELEASE_WORDS = frozenset(
    {"close", "delete", "destroy", "remove", "cleanup", "clean", "free", "release", "unmap", "detach", "disconnect",
     "rollback", "rmtree", "rmdir", "unlink", "terminate", "kill", "umount", "unmount", "unplug", "teardown",
     "undo", "revert", "purge", "discard", "dealloc", "deallocate", "unreserve", "abort", "drop", "shutdown",
     "quit", "stop", "deprovision", "unprovision", "unlock"})
# ... and so does a name with both words (`tear_down`, `clean_up`)
RELEASE_PHRASES = (("tear", "down"), ("clean", "up"), ("roll", "back"), ("on", "error"), ("on", "failure"))

# Words of a method of the function's own object that records what it is given (`self.resource_id_set(id)`,
# `self._track(port)`): the object's owner cleans up what it recorded.
RECORDING_WORDS = frozenset({"set", "store", "save", "record", "register", "track", "remember", "add", "append", "put",
                             "keep", "attach"})

# First words of a manager's methods that only read (`get_port_by_id` after `create_port`): not a set-up
# step of what was just created.
READING_VERBS = frozenset({"get", "show", "list", "find", "is", "has", "describe", "lookup", "query", "count",
                           "check", "wait", "poll", "exists"})

# Suffixes that qualify how a release finds its noun, not what it is: `remove_volume_by_name`.
NOUN_QUALIFIERS = re.compile(r"_(?:by|if|for|from|on|of|with|and|or|async|sync|safe|quietly|force|now)(?:_\w*)?$")

# Calls that report, translate or compute and do not fail in practice: not a step that can raise.
QUIET_CALLS = frozenset({
    "len", "str", "repr", "bool", "isinstance", "issubclass", "hasattr", "id", "type", "print", "dict", "list",
    "tuple", "set", "frozenset", "sorted", "reversed", "enumerate", "zip", "range", "min", "max", "any", "all",
    "getattr", "format", "join", "split", "strip", "rstrip", "lstrip", "lower", "upper", "startswith", "endswith",
    "replace", "encode", "decode", "get", "items", "keys", "values", "append", "add", "extend", "update",
    "setdefault", "copy", "_", "_LE", "_LW", "_LI", "_LC", "basename", "dirname", "join", "abspath", "normpath",
    "time", "monotonic", "partial",
    # configuring a descriptor or socket just obtained fails only on a programming error
    "fcntl", "settimeout", "setblocking", "setsockopt", "set_inheritable", "set_blocking", "fileno", "getsockname",
    "set_trace_callback",
})
# Exceptions that web frameworks raise to answer successfully (`raise exc.HTTPCreated(location=...)` in
# webob/pyramid): a way out of the handler that hands the created thing to the client, not a failure.
SUCCESS_RAISES = re.compile(r"(?:^|\.)HTTP(?:OK|Created|Accepted|NoContent|NonAuthoritativeInformation|ResetContent|"
                            r"PartialContent|MultipleChoices|MovedPermanently|Found|SeeOther|NotModified|UseProxy|"
                            r"TemporaryRedirect|PermanentRedirect|Redirection|Redirect)$")

# Methods of a logger (`LOG.debug(...)`): they report and go on.
LOGGER_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log"})
# Receivers whose calls report and go on (`LOG.debug(...)`, `logging.info(...)`).
LOGGER_RECEIVER = re.compile(r"(?:^|[._])(?:log|logger|logging|LOG)$", re.I)

# State checks and what undoes the state they test: `if <check>(X): <undo>(X)` is the idiom
# "remove it if it is there".  By the words of the check's name: state -> (check words, undo words,
# words of a call that establishes the state again).
STATE_CHECKS: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {
    "exists": (frozenset({"exists", "exist", "lexists", "isfile", "isdir"}),
               frozenset({"remove", "delete", "destroy", "unlink", "rmtree", "rmdir", "purge", "drop"}),
               frozenset({"create", "import", "write", "copy", "upload", "put", "save", "make", "mkdir", "makedirs",
                          "build", "fetch", "download", "clone", "move", "rename", "link", "symlink", "generate",
                          "export", "dump", "store", "open", "touch", "add", "insert", "register"})),
    "attached": (frozenset({"attached"}), frozenset({"detach"}), frozenset({"attach"})),
    "mounted": (frozenset({"mounted", "ismount"}), frozenset({"umount", "unmount"}), frozenset({"mount"})),
    "mapped": (frozenset({"mapped"}), frozenset({"unmap"}), frozenset({"map"})),
    "connected": (frozenset({"connected"}), frozenset({"disconnect"}), frozenset({"connect"})),
    "running": (frozenset({"running", "alive"}), frozenset({"stop", "kill", "terminate"}),
                frozenset({"start", "spawn", "run", "launch"})),
}
