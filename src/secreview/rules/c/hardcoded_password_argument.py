"""Password written in the code and passed to a login or connection API.

## What it does
Flags the password argument of authentication and connection functions
(`LogonUser`, `mysql_real_connect`, `PQsetdbLogin`, `SQLConnect`,
`ldap_simple_bind_s`, `ssh_userauth_password`, `libssh2_userauth_password`,
`WNetAddConnection2`, `curl_easy_setopt(..., CURLOPT_PASSWORD/USERPWD, ...)`,
and `setPassword(...)` methods such as Qt's `QSqlDatabase::setPassword`) when
it is a non-empty literal, a macro or constant naming one, or a local buffer
that only ever receives literal text. The value is judged
(knowledge/secret_formats.py): a mask or placeholder (`"****"`, `"<password>"`),
a string too short to be a password, or the name of a secret rather than one
(`"user:password"`, `"--password"`) is not reported.

## Why is this bad?
The password is in the binary: anyone with a copy can extract it (`strings`)
and log in to the database, directory or host it protects, on every
installation at once. It cannot be rotated without a new release, and it
usually ends up in version control (CWE-259).

## Example
```c
#include <mysql.h>

MYSQL *connect_db(MYSQL *conn) {
    return mysql_real_connect(conn, "db.internal", "app", "S3cr3t!", "orders", 0, NULL, 0);
}
```

## Use instead
```c
#include <mysql.h>
#include <stdlib.h>

MYSQL *connect_db(MYSQL *conn) {
    const char *password = getenv("ORDERS_DB_PASSWORD");
    return mysql_real_connect(conn, "db.internal", "app", password, "orders", 0, NULL, 0);
}
```

## References
- https://cwe.mitre.org/data/definitions/259.html
- https://cwe.mitre.org/data/definitions/798.html
"""

from __future__ import annotations

from secreview.knowledge.secret_formats import is_stand_in
from secreview.lang.c_family.expressions import is_constant_string, literal_text
from secreview.lang.c_family.file import Call, CFile
from secreview.model import Confidence, Severity
from secreview.rules import shorten
from secreview.rules.c import CCallRule

_PASSWORD_INDEX = {
    "LogonUserA": 2, "LogonUserW": 2, "LogonUser": 2, "LogonUserExA": 2, "LogonUserExW": 2,
    "mysql_real_connect": 3, "mysql_change_user": 2, "PQsetdbLogin": 6, "SQLConnect": 5, "SQLConnectA": 5,
    "SQLConnectW": 5, "ldap_simple_bind_s": 2, "ldap_simple_bind": 2, "ldap_bind_s": 2,
    "ssh_userauth_password": 2, "libssh2_userauth_password": 2, "WNetAddConnection2A": 1,
    "WNetAddConnection2W": 1, "WNetAddConnection2": 1, "CreateProcessWithLogonW": 2,
}
_CURL_OPTIONS = frozenset({"CURLOPT_PASSWORD", "CURLOPT_USERPWD", "CURLOPT_PROXYPASSWORD", "CURLOPT_PROXYUSERPWD",
                           "CURLOPT_KEYPASSWD"})


class HardcodedPasswordArgument(CCallRule):
    id = "hardcoded-password-argument"
    cwe = 259
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    callees = (*_PASSWORD_INDEX, "curl_easy_setopt")
    methods = ("setPassword",)
    message = "`{callee}` is given a password written in the code: {argument}"
    description = (
        "`{code}` authenticates with `{argument}`, a password fixed in the source. Anyone with a copy of the "
        "program or its repository can read it and log in to what it protects, on every installation at "
        "once, and changing it requires a new release."
    )
    solution = (
        "Read the password at run time from a protected source (a secret store, a file readable only by "
        "the service account, or an environment variable set by the deployment) and pass that instead."
    )

    def matches(self, file: CFile, call: Call) -> dict[str, str] | None:
        if call.receiver is not None:
            password = call.arg(0)
        elif call.method == "curl_easy_setopt":
            option = call.arg(1)
            password = call.arg(2) if option is not None and file.text_of(option) in _CURL_OPTIONS else None
        else:
            password = call.arg(_PASSWORD_INDEX[call.method or ""])
        if password is None or literal_text(file, password) == "" or file.is_null(password):
            return None
        if not is_constant_string(file, password, call.node):
            return None
        text = literal_text(file, password)
        if text is not None and is_stand_in(text):
            return None  # "****", "<password>", "s0", or the name of the option rather than its value
        return {"argument": shorten(file.text_of(password), 40)}
