"""What the value-flow engine knows of C library functions, as data: how many bytes an allocator hands
out, which range a function's result lies in, which calls copy or fill a length of bytes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from secreview.valueflow.lattice import Interval, arithmetic

# allocator -> the arguments whose product is the size in bytes
ALLOCATION_SIZE_ARGUMENTS: dict[str, tuple[int, ...]] = {
    "malloc": (0,), "calloc": (0, 1), "realloc": (1,), "reallocarray": (1, 2), "alloca": (0,), "_alloca": (0,),
    "__builtin_alloca": (0,), "aligned_alloc": (1,), "g_malloc": (0,), "g_malloc0": (0,), "xmalloc": (0,),
}

# function -> the values it returns, whatever happens (a byte read, or EOF)
RESULT_RANGES: dict[str, Interval] = {
    "fgetc": Interval(-1, 255), "getc": Interval(-1, 255), "getchar": Interval(-1, 255),
    "getc_unlocked": Interval(-1, 255), "getchar_unlocked": Interval(-1, 255), "fgetc_unlocked": Interval(-1, 255),
}

# macros of the standard headers whose value the engine needs without the header
CONSTANT_MACROS: dict[str, int] = {"EOF": -1}

# C library calls that return NULL when something outside the program says no: a file or directory that cannot
# be opened, an environment variable that is not set, a working directory that was removed. The program cannot
# rule these out, so a result used without a test crashes whenever the machine, the user or an attacker
# arranges it. function -> when it returns NULL, in words.
NULL_WHEN_REFUSED: dict[str, str] = {
    "fopen": "the file cannot be opened", "fopen64": "the file cannot be opened",
    "_wfopen": "the file cannot be opened", "fdopen": "the descriptor cannot be turned into a stream",
    "freopen": "the file cannot be opened", "tmpfile": "no temporary file can be created",
    "popen": "the command cannot be started", "opendir": "the directory cannot be opened",
    "fdopendir": "the directory cannot be opened", "getenv": "the variable is not set",
    "secure_getenv": "the variable is not set or the program runs with raised privileges",
    "_wgetenv": "the variable is not set", "getcwd": "the working directory was removed or its path is too long",
    "realpath": "the path does not exist or cannot be resolved",
}
# Calls that return NULL when what they look for is not in the data they are given: whether it is depends on
# that data, which the program may have checked in ways a path-by-path analysis cannot see.
NULL_WHEN_NOT_FOUND: dict[str, str] = {
    "strchr": "the character is not in the string", "strrchr": "the character is not in the string",
    "strstr": "the text is not in the string", "strcasestr": "the text is not in the string",
    "strpbrk": "none of the characters is in the string", "memchr": "the byte is not in the buffer",
    "memrchr": "the byte is not in the buffer", "wcschr": "the character is not in the string",
    "wcsrchr": "the character is not in the string", "wcsstr": "the text is not in the string",
    "strtok": "no token is left", "readdir": "the directory has no entry left",
    "getpwnam": "no such user exists", "getpwuid": "no such user exists", "getgrnam": "no such group exists",
    "getgrgid": "no such group exists", "gethostbyname": "the name does not resolve",
    "localtime": "the time cannot be represented", "gmtime": "the time cannot be represented",
}
# Calls that copy a NUL-terminated string: function -> (destination, source, appends, bytes per character).
STRING_COPIES: dict[str, tuple[int, int, bool, int]] = {
    "strcpy": (0, 1, False, 1), "stpcpy": (0, 1, False, 1), "strcat": (0, 1, True, 1),
    "wcscpy": (0, 1, False, 4), "wcscat": (0, 1, True, 4),
}

# C library calls that only read the strings they are given (what a followed array holds stays known)
STRING_READERS = frozenset({
    "strlen", "strnlen", "strcmp", "strncmp", "strcasecmp", "strncasecmp", "strchr", "strrchr", "strstr", "strspn",
    "strcspn", "strpbrk", "strdup", "strndup", "puts", "fputs", "printf", "fprintf", "atoi", "atol", "atoll", "atof",
    "strtol", "strtoul", "strtoll", "strtoull", "strtod", "memcmp", "memchr", "wcslen", "wcscmp",
})

# streams: `fopen-result-unchecked` reports these, `maybe-null-result-dereference` the rest
STREAM_OPENERS = frozenset({"fopen", "fopen64", "_wfopen", "fdopen", "freopen", "tmpfile", "popen"})


def null_result_reason(function: str) -> str | None:
    """When the C library function returns NULL, in words (None: not one the engine knows to)."""
    return NULL_WHEN_REFUSED.get(function) or NULL_WHEN_NOT_FOUND.get(function)


@dataclass(frozen=True)
class Copy:
    """A call writing (and maybe reading) a given number of bytes: argument positions."""

    destination: int
    source: int | None  # None: nothing read (memset)
    length: int


COPIES: dict[str, Copy] = {
    "memcpy": Copy(0, 1, 2), "memmove": Copy(0, 1, 2), "memset": Copy(0, None, 2), "bcopy": Copy(1, 0, 2),
    "wmemcpy": Copy(0, 1, 2), "strncpy": Copy(0, None, 2), "bzero": Copy(0, None, 1),
    "explicit_bzero": Copy(0, None, 1), "memset_s": Copy(0, None, 3),
}
_WIDE = frozenset({"wmemcpy"})


def copy_bytes(name: str, length: Interval) -> Interval | None:
    """The bytes a copy of `length` (in its own unit) touches."""
    return arithmetic("*", length, Interval.exactly(4)) if name in _WIDE else length


def allocation_bytes(name: str, sizes: list[Interval | None]) -> Interval | None:
    """The bytes `name(...)` allocates given its size arguments' values (None when one is unknown)."""
    total: Interval | None = Interval.exactly(1)
    for size in sizes:
        if size is None or total is None:
            return None
        total = arithmetic("*", total, size)
    return total if total is not None and total.low is not None and total.low >= 0 else None


# C++ containers that keep their elements in one buffer, which growing, shrinking or clearing may move
# (std::vector, std::string, and Qt's QVector, QList, QString, QByteArray, QVarLengthArray): iterators,
# pointers and references into it are invalid after those calls.
CONTIGUOUS_CONTAINER = re.compile(
    r"^(?:const\s+)?(?:(?:std::)?(?:vector|basic_string|string|wstring|u8string|u16string|u32string)|"
    r"Q(?:Vector|List|String|ByteArray|VarLengthArray))\b")
# methods whose result points into the container's buffer (insert, emplace and erase: a fresh iterator)
BORROWING_METHODS = frozenset({"begin", "end", "cbegin", "cend", "rbegin", "rend", "crbegin", "crend", "data",
                               "c_str", "insert", "emplace", "erase", "constData", "constBegin", "constEnd"})
ELEMENT_METHODS = frozenset({"at", "front", "back"})  # methods returning a reference to an element
BORROWING_FUNCTIONS = frozenset({"std::begin", "std::end", "std::cbegin", "std::cend", "std::data"})
# methods after which the buffer may have moved, or every element be gone. Removing elements (`erase`,
# `removeAt`, `pop_back`) is left out: it invalidates only the iterators at or after the removed ones, and
# `v.erase(it + 1)` keeps `it` valid (a real loop removing duplicates does just that).
INVALIDATING_METHODS = frozenset({"push_back", "emplace_back", "emplace", "insert", "resize", "reserve", "clear",
                                  "assign", "shrink_to_fit", "append", "prepend", "push_front", "squeeze"})
# those of them (and `+=`) that move the buffer only past its capacity, which a `reserve` may have made room for
GROWING_METHODS = frozenset({"push_back", "emplace_back", "emplace", "insert", "resize", "append", "prepend",
                             "push_front", "+="})


# C++ smart pointers: empty (holding NULL) when default-constructed, built from nullptr, reset, released or
# moved from (the standard guarantees a moved-from std::unique_ptr and std::shared_ptr are empty; so does Qt
# for QSharedPointer). Dereferencing an empty one is a NULL dereference.
SMART_POINTER = re.compile(r"^(?:const\s+)?(?:(?:std::)?(?:unique_ptr|shared_ptr)|QScopedPointer|QSharedPointer)\s*<")
# calls whose result is a smart pointer that owns a new object
SMART_POINTER_FACTORIES = re.compile(r"^(?:std::)?(?:make_unique|make_shared|allocate_shared)\b|"
                                     r"^QSharedPointer\s*<.*>::create$")
# methods that leave the smart pointer empty (`reset` only without an argument, or with nullptr)
EMPTYING_METHODS = frozenset({"reset", "release", "take", "clear"})
# methods whose result is the raw pointer it held (`release` and `take` hand it over as they empty it)
RAW_POINTER_METHODS = frozenset({"get", "data", "release", "take"})

# methods giving a container's number of elements (`for (i = 0; i <= v.size(); i++) v[i]` reaches past it)
SIZE_METHODS = frozenset({"size", "length", "count"})
# methods that leave a container (or any object) as it was: what is known of it still holds after them
READ_ONLY_METHODS = frozenset({"size", "length", "count", "empty", "isEmpty", "at", "front", "back", "data",
                               "constData", "c_str", "begin", "end", "cbegin", "cend", "rbegin", "rend", "crbegin",
                               "crend", "find", "contains", "capacity", "max_size", "get", "value", "constBegin",
                               "constEnd", "first", "last"})
# std::basic_string keeps a terminator at `s[s.size()]`: reading it (or writing a NUL there) is defined
STD_STRING = re.compile(r"^(?:const\s+)?(?:std::)?(?:basic_string|string|wstring|u8string|u16string|u32string)\b")


# Locks. C functions taking the lock their first argument points to, giving it back, or leaving its state
# unknown (a try or timed lock, whose result says whether it was taken; a shared reader lock, which two
# holders may take at once). Windows critical sections and GLib's recursive mutexes may be taken again by
# the thread that holds them, and so may PulseAudio's threaded main loop lock.
LOCK_TAKING_FUNCTIONS = frozenset({
    "pthread_mutex_lock", "pthread_spin_lock", "pthread_rwlock_wrlock", "mtx_lock", "AcquireSRWLockExclusive",
    "EnterCriticalSection", "g_mutex_lock", "g_rec_mutex_lock", "uv_mutex_lock", "uv_rwlock_wrlock",
    "pa_threaded_mainloop_lock"})
LOCK_GIVING_FUNCTIONS = frozenset({
    "pthread_mutex_unlock", "pthread_spin_unlock", "pthread_rwlock_unlock", "mtx_unlock", "ReleaseSRWLockExclusive",
    "LeaveCriticalSection", "g_mutex_unlock", "g_rec_mutex_unlock", "uv_mutex_unlock", "uv_rwlock_wrunlock",
    "pa_threaded_mainloop_unlock"})
LOCK_UNSURE_FUNCTIONS = frozenset({
    "pthread_mutex_trylock", "pthread_mutex_timedlock", "pthread_spin_trylock", "pthread_rwlock_trywrlock",
    "pthread_rwlock_timedwrlock", "pthread_rwlock_rdlock", "pthread_rwlock_tryrdlock", "pthread_rwlock_timedrdlock",
    "mtx_trylock", "mtx_timedlock", "TryEnterCriticalSection", "TryAcquireSRWLockExclusive",
    "AcquireSRWLockShared", "ReleaseSRWLockShared", "TryAcquireSRWLockShared", "g_mutex_trylock",
    "g_rec_mutex_trylock", "uv_mutex_trylock", "uv_rwlock_rdlock", "uv_rwlock_rdunlock", "uv_rwlock_tryrdlock",
    "uv_rwlock_trywrlock"})
RECURSIVE_LOCK_FUNCTIONS = frozenset({"EnterCriticalSection", "g_rec_mutex_lock", "pa_threaded_mainloop_lock"})
# spellings in a file that make its pthread mutexes recursive (an attribute set at initialisation)
RECURSIVE_PTHREAD_MARKERS = ("PTHREAD_MUTEX_RECURSIVE", "PTHREAD_RECURSIVE_MUTEX_INITIALIZER")

# C++ lock objects, by declared type: mutexes locked by hand (`m.lock()`), and guards that take a mutex when
# declared and give it back at the end of their block (`std::unique_lock` and `QMutexLocker` can also give it
# back and take it again by hand). Shared (reader) locks are left out: two holders may share them.
MUTEX_TYPE = re.compile(r"^(?:const\s+)?(?:(?:std::)?(?:mutex|timed_mutex|recursive_mutex|recursive_timed_mutex|"
                        r"shared_mutex|shared_timed_mutex)|QMutex|QBasicMutex|QRecursiveMutex)\b")
RECURSIVE_MUTEX_TYPE = re.compile(r"^(?:const\s+)?(?:(?:std::)?recursive_(?:timed_)?mutex|QRecursiveMutex)\b")
LOCK_GUARD_TYPE = re.compile(r"^(?:const\s+)?(?:(?:std::)?(?:lock_guard|unique_lock|scoped_lock)|QMutexLocker|"
                             r"QWriteLocker)\b")
MUTEX_TAKING_METHODS = frozenset({"lock", "relock", "lockForWrite"})
MUTEX_GIVING_METHODS = frozenset({"unlock"})
MUTEX_UNSURE_METHODS = frozenset({"try_lock", "try_lock_for", "try_lock_until", "tryLock", "tryLockForWrite",
                                  "release", "lock_shared", "unlock_shared", "lockForRead", "tryLockForRead"})
# guard constructor arguments: take nothing yet, try to take (unknown after), or adopt a lock already held
GUARD_DEFERRING = frozenset({"std::defer_lock", "defer_lock"})
GUARD_TRYING = frozenset({"std::try_to_lock", "try_to_lock"})
GUARD_ADOPTING = frozenset({"std::adopt_lock", "adopt_lock"})
# calls taking several locks at once in an order that cannot deadlock
LOCKING_SEVERAL = frozenset({"std::lock"})

# Types of data members that synchronise by themselves (atomics, locks, condition variables): accessing them
# without a lock is no data race.
SYNCHRONISED_TYPE = re.compile(r"atomic|Atomic|mutex|Mutex|QSemaphore|condition_variable|QWaitCondition|"
                               r"QThreadStorage|thread_local|QReadWriteLock|std::once_flag")

# C++ containers whose element count the engine follows when it is known: `std::vector` (from its
# constructor, initialiser list and the methods below) and `std::array` (its size is part of its type).
# Their `operator[]` does not check the index: past the count it reads or writes outside the elements.
COUNTED_VECTOR = re.compile(r"^(?:const\s+)?(?:std::)?vector\s*<")
FIXED_ARRAY = re.compile(r"^(?:const\s+)?(?:std::)?array\s*<.*,\s*(\d+)[uUlL]*\s*>$")
# method -> what it does to the count: +k elements, or set to the value of an argument
GROWING_BY_ONE = frozenset({"push_back", "emplace_back"})

# -- who may keep a pointer it is given (ownership of allocated memory, `ownership.py`) ----------------------

# Library calls that use the memory a pointer argument points to only during the call and keep no pointer to
# it: passing an allocation to them does not hand it over. Anything else (a function of another file, a
# method, a macro) may keep it, and the allocation is no longer this function's to release.
USING_ONLY = frozenset({
    "memcpy", "memmove", "memset", "memcmp", "memchr", "strcpy", "strncpy", "strcat", "strncat", "strlen",
    "strnlen", "strcmp", "strncmp", "strcasecmp", "strncasecmp", "strchr", "strrchr", "strstr", "strspn",
    "strcspn", "strpbrk", "strdup", "strndup", "sprintf", "snprintf", "vsprintf", "vsnprintf", "printf", "fprintf",
    "dprintf", "puts", "fputs", "fputc", "putc", "fgets", "fread", "fwrite", "sscanf", "fscanf", "read", "write",
    "pread", "pwrite", "send", "recv", "sendto", "recvfrom", "atoi", "atol", "atoll", "atof", "strtol", "strtoul",
    "strtoll", "strtoull", "strtod", "wcscpy", "wcsncpy", "wcscat", "wcslen", "wcscmp", "wmemcpy", "wmemset",
    "qsort", "bsearch", "bzero", "explicit_bzero", "memset_s", "bcopy", "realloc", "reallocarray", "perror",
    "fopen", "open", "stat", "lstat", "access", "unlink", "remove", "rename", "mkdir", "rmdir", "chdir", "getcwd",
    "gethostname", "inet_pton", "inet_ntop", "getaddrinfo", "strftime", "mbstowcs", "wcstombs", "toupper",
    "tolower", "isalpha", "isdigit", "isspace", "memrchr", "memmem", "strtok_r", "strsep", "__builtin_memcpy",
    "__builtin_memset", "assert", "sizeof",
    # calls that use an open file, descriptor, socket or directory and leave it open
    "fileno", "fstat", "fseek", "fseeko", "ftell", "ftello", "rewind", "fflush", "feof", "ferror", "clearerr", "fgetc",
    "getc", "ungetc", "getline", "getdelim", "vfprintf", "fputws", "fgetws", "fwprintf", "setvbuf", "setbuf", "lseek",
    "ioctl", "fcntl", "flock", "fsync", "fdatasync", "ftruncate", "fchmod", "fchown", "isatty", "setsockopt",
    "getsockopt", "getsockname", "getpeername", "bind", "connect", "listen", "accept", "shutdown", "sendmsg",
    "recvmsg", "readv", "writev", "readdir", "dirfd", "mmap", "dup", "dup2", "posix_fadvise", "sendfile",
})
# heap allocators that may move the block they are given (the result is the same allocation, grown)
REALLOCATORS = frozenset({"realloc", "reallocarray", "g_realloc"})
# library calls whose result is their first argument (the destination they filled)
RETURNS_FIRST_ARGUMENT = frozenset({"memset", "memcpy", "memmove", "strcpy", "strncpy", "strcat", "strncat", "wmemset",
                                    "wmemcpy", "wcscpy", "wcscat"})
