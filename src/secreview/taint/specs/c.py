"""Taint specification for C and C++: where outside data enters and how calls move it.

Data, read by `taint.c_semantics`.  C returns input through pointers as often
as through results, so a source names both: the result (`getenv`), the
output arguments (`fgets` fills its first argument, `scanf` every argument
after the format), or both.  Names are matched on the callee as written
(`std::` dropped); methods (`reply->readAll()`) only in files that include a
Qt header.
"""

from __future__ import annotations

from dataclasses import dataclass

from secreview.taint.spec import VulnerabilityClass

CLASSES = (
    VulnerabilityClass("cmdi", 78, "OS command injection"),
    VulnerabilityClass("sql", 89, "SQL injection"),
    VulnerabilityClass("format", 134, "externally controlled format string"),
    VulnerabilityClass("path", 22, "path traversal"),
    VulnerabilityClass("number", 20, "externally chosen number (size, index, divisor)"),
)
TEXT_CLASSES = frozenset({"cmdi", "sql", "format", "path"})
"""Classes a number cannot carry: text parsed into a number is no longer an injection."""


@dataclass(frozen=True)
class CSource:
    name: str
    description: str
    remote: bool  # False: the local user or operator (console, environment, command line, local files)
    result: bool = True  # the return value carries the data (not a byte count)
    outputs: tuple[int, ...] = ()  # arguments filled with the data
    outputs_from: int | None = None  # ... and every argument from this index on (scanf's targets)
    console_stream: int | None = None  # index of the stream argument: `stdin` there means console input
    numeric: bool = False  # a number, not text (clears TEXT_CLASSES)
    small: bool = False  # the result is one character or EOF: text, but not a number anyone picks freely


SOURCES = (
    CSource("getenv", "environment variable", remote=False),
    CSource("secure_getenv", "environment variable", remote=False),
    CSource("_wgetenv", "environment variable", remote=False),
    CSource("qgetenv", "environment variable", remote=False),
    CSource("qEnvironmentVariable", "environment variable", remote=False),
    CSource("gets", "console input", remote=False, outputs=(0,)),
    CSource("getchar", "console input", remote=False, small=True),
    CSource("fgets", "stream input", remote=False, outputs=(0,), console_stream=2),
    CSource("fgetws", "stream input", remote=False, outputs=(0,), console_stream=2),
    CSource("fread", "stream input", remote=False, result=False, outputs=(0,), console_stream=3),
    CSource("fgetc", "stream input", remote=False, console_stream=0, small=True),
    CSource("getc", "stream input", remote=False, console_stream=0, small=True),
    CSource("getline", "stream input", remote=False, outputs=(0,), console_stream=2),
    CSource("scanf", "console input", remote=False, result=False, outputs_from=1),
    CSource("wscanf", "console input", remote=False, result=False, outputs_from=1),
    CSource("fscanf", "stream input", remote=False, result=False, outputs_from=2, console_stream=0),
    CSource("fwscanf", "stream input", remote=False, result=False, outputs_from=2, console_stream=0),
    CSource("recv", "data received from the network", remote=True, result=False, outputs=(1,)),
    CSource("recvfrom", "data received from the network", remote=True, result=False, outputs=(1,)),
    CSource("recvmsg", "data received from the network", remote=True, result=False, outputs=(1,)),
    CSource("read", "data read from a file descriptor", remote=True, result=False, outputs=(1,)),
    CSource("pread", "data read from a file descriptor", remote=True, result=False, outputs=(1,)),
    CSource("_read", "data read from a file descriptor", remote=True, result=False, outputs=(1,)),
    CSource("rand", "pseudo-random number", remote=False, numeric=True),
    CSource("random", "pseudo-random number", remote=False, numeric=True),
    CSource("lrand48", "pseudo-random number", remote=False, numeric=True),
    CSource("mrand48", "pseudo-random number", remote=False, numeric=True),
)

QT_METHOD_SOURCES = {
    "readAll": "data read from a Qt I/O device or network reply",
    "readLine": "data read from a Qt I/O device",
    "read": "data read from a Qt I/O device",
    "peek": "data read from a Qt I/O device",
    "readDatagram": "datagram received from the network",
    "receiveDatagram": "datagram received from the network",
    "readLineData": "data read from a Qt I/O device",
}
QT_LOCAL_SOURCES = {
    "QCoreApplication::arguments": "command-line arguments",
    "QProcessEnvironment::systemEnvironment": "environment variables",
}
COMMAND_LINE = "command-line arguments"
CONSOLE_STREAMS = frozenset({"stdin", "std::cin", "cin"})

# function -> (destination argument, first source argument): the data of the sources lands in the destination
COPIES = {
    "strcpy": (0, 1), "strncpy": (0, 1), "strcat": (0, 1), "strncat": (0, 1), "strlcpy": (0, 1), "strlcat": (0, 1),
    "wcscpy": (0, 1), "wcsncpy": (0, 1), "wcscat": (0, 1), "wcsncat": (0, 1), "memcpy": (0, 1), "memmove": (0, 1),
    "wmemcpy": (0, 1), "wmemmove": (0, 1), "sprintf": (0, 1), "swprintf": (0, 1), "vsprintf": (0, 1),
    "snprintf": (0, 2), "_snprintf": (0, 2), "vsnprintf": (0, 2), "_snwprintf": (0, 2), "strcpy_s": (0, 2),
    "strcat_s": (0, 2), "memcpy_s": (0, 2), "sscanf": (2, 0), "swscanf": (2, 0), "bcopy": (1, 0),
}
# scanf-style parsers of a string: every argument from the destination index on is filled
PARSERS = frozenset({"sscanf", "swscanf"})
NUMBER_CONVERSIONS = frozenset({
    "atoi", "atol", "atoll", "atof", "strtol", "strtoul", "strtoll", "strtoull", "strtod", "strtof", "wcstol",
    "wcstoul", "_wtoi", "_wtol", "_atoi64", "wcstod", "strtoimax", "strtoumax",
    "toInt", "toLong", "toLongLong", "toUInt", "toULong", "toShort", "toDouble", "toFloat", "toULongLong",
})
# the length of some data: bounded by what is really there, so not a number anyone picks freely
LENGTHS = frozenset({"strlen", "wcslen", "strnlen", "size", "length", "count", "sizeof"})
# C++ containers and Qt strings filled by a method: the receiver takes the arguments' data
APPENDING_METHODS = frozenset({"push_back", "push_front", "emplace_back", "emplace_front", "emplace", "insert",
                               "append", "prepend", "assign", "setValue", "fromUtf8", "fromLatin1"})
