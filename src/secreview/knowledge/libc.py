"""The C standard library, POSIX and the Windows C runtime: input functions, copies, conversions, lengths."""

from __future__ import annotations

from secreview.knowledge.schema import CKnowledge, Copy, CSource

KNOWLEDGE = CKnowledge(
    name="libc",
    sources=(
        CSource("getenv", "environment variable", remote=False),
        CSource("secure_getenv", "environment variable", remote=False),
        CSource("_wgetenv", "environment variable", remote=False),
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
    ),
    console_streams=frozenset({"stdin"}),
    copies=(
        *(Copy(name, 0, 1) for name in
          ("strcpy", "strncpy", "strcat", "strncat", "strlcpy", "strlcat", "wcscpy", "wcsncpy", "wcscat", "wcsncat",
           "memcpy", "memmove", "wmemcpy", "wmemmove", "sprintf", "swprintf", "vsprintf")),
        *(Copy(name, 0, 2) for name in
          ("snprintf", "_snprintf", "vsnprintf", "_snwprintf", "strcpy_s", "strcat_s", "memcpy_s")),
        Copy("sscanf", 2, 0, parses=True),
        Copy("swscanf", 2, 0, parses=True),
        Copy("bcopy", 1, 0),
    ),
    number_conversions=frozenset({
        "atoi", "atol", "atoll", "atof", "strtol", "strtoul", "strtoll", "strtoull", "strtod", "strtof", "wcstol",
        "wcstoul", "_wtoi", "_wtol", "_atoi64", "wcstod", "strtoimax", "strtoumax",
    }),
    lengths=frozenset({"strlen", "wcslen", "strnlen", "sizeof"}),
)
