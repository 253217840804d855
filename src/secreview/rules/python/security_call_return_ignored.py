"""Result of a security check or a security-relevant command thrown away.

## What it does
Flags calls used as statements of their own, so that the value they return
to report failure is never looked at:

- checks that *return* their verdict instead of raising:
  `hmac.compare_digest`, `secrets.compare_digest`, `bcrypt.checkpw`,
  `werkzeug.security.check_password_hash`, Django's `check_password`,
  `user.check_password(...)`, passlib `....verify(...)`, `os.access`;
- commands that change permissions, ownership, firewall rules, mounts,
  SELinux/AppArmor state, accounts or keys (`chmod`, `chown`, `setfacl`,
  `iptables`, `nft`, `mount`, `cryptsetup`, `useradd`, `passwd`,
  `ssh-keygen`, ...), run with `os.system`, `subprocess.call`,
  `subprocess.run` without `check=True`, `subprocess.Popen` (never waited
  for), or `execute(..., check_exit_code=False)` (oslo.concurrency and
  OpenStack `utils.execute`).

Calls whose result is assigned, returned, tested or passed on, and
`subprocess.run(..., check=True)` / `check_call` / `check_output`, which
raise on failure, are not flagged.

## Why is this bad?
These functions report failure only through their return value. A password
or MAC comparison whose result is discarded checks nothing: every password,
token or signature is accepted. A `chmod 600` on a key file, an `iptables`
rule or a `mount -o ro,nosuid` that fails leaves the file readable, the port
open or the file system writable, and the program carries on as if the
protection were in place, with nothing logged (CWE-252, unchecked return
value).

## Example
```python
import os

def protect_key(path):
    os.system("chmod 600 " + path)
```

## Use instead
```python
import os

def protect_key(path):
    os.chmod(path, 0o600)  # raises OSError on failure
```

## References
- https://cwe.mitre.org/data/definitions/252.html
- https://docs.python.org/3/library/subprocess.html#subprocess.run
- https://docs.python.org/3/library/hmac.html#hmac.compare_digest
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.scopes import is_discarded
from secreview.lang.python.syntax import unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.lang.python.constants import keyword_is_true
from secreview.rules import shorten

_VERDICTS = {
    "hmac.compare_digest": "whether the two values are equal",
    "secrets.compare_digest": "whether the two values are equal",
    "bcrypt.checkpw": "whether the password matches",
    "werkzeug.security.check_password_hash": "whether the password matches",
    "werkzeug.check_password_hash": "whether the password matches",
    "django.contrib.auth.hashers.check_password": "whether the password matches",
    "os.access": "whether the access is allowed",
    "crypt.crypt": "the hash to compare with",
}
_VERDICT_METHODS = {"check_password": "whether the password matches"}
_PASSLIB_CONTEXT = re.compile(r"(?:pwd|password|passwd|crypt|hash)_?(?:context|ctx)|CryptContext|passlib", re.I)
_RUNNERS = {
    "os.system": "the exit status `os.system` returns",
    "subprocess.call": "the exit status `subprocess.call` returns",
    "subprocess.run": "the `returncode` of the result (no `check=True`)",
    "subprocess.Popen": "the exit status (the process is never waited for)",
    "os.popen": "the exit status (reported by `close()`)",
    "commands.getstatusoutput": "the exit status",
    "subprocess.getstatusoutput": "the exit status",
}


class SecurityCallReturnIgnored(Rule):
    id = "security-call-return-ignored"
    cwe = 252
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "`{callee}` reports {what} only through its result, which is discarded"
    description = (
        "`{code_short}` is a statement of its own: {what_full} is returned and never looked at. {impact} The "
        "code goes on as if it had succeeded, and nothing records the failure."
    )
    solution = "{fix}"

    def check(self, file: PyFile) -> Iterator[Hit]:
        for call in file.calls:
            if not is_discarded(call.node):
                continue
            values = self._verdict(file, call) or self._command(file, call)
            if values is not None:
                severity = Severity.HIGH if values.pop("verdict", "") else None
                yield Hit(call.node, {"code_short": shorten(file.text_of(call.node), 70), **values},
                          severity=severity)

    @staticmethod
    def _verdict(file: PyFile, call: Call) -> dict[str, str] | None:
        name = call.name or ""
        what = _VERDICTS.get(name)
        if what is None and call.method in _VERDICT_METHODS and call.receiver is not None:
            what = _VERDICT_METHODS[call.method]
        if what is None and call.method == "verify" and call.receiver is not None and (
                name.startswith("passlib.") or _PASSLIB_CONTEXT.search(file.text_of(call.receiver))):
            what = "whether the password matches"
        if what is None:
            return None
        callee = name or file.text_of(call.node.child_by_field_name("function"))
        return {
            "verdict": "yes", "callee": callee, "what": what, "what_full": f"{what} (a boolean)",
            "impact": "Without `if not ...: reject`, the check does nothing: every password, token or signature "
                      "is accepted, and access is granted to anyone.",
            "fix": f"Use the verdict: `if not {shorten(file.text_of(call.node), 60)}: raise PermissionError(...)` "
                   f"(or return the failure to the caller).",
        }

    @staticmethod
    def _command(file: PyFile, call: Call) -> dict[str, str] | None:
        name = call.name or ""
        if name in _RUNNERS:
            if name == "subprocess.run" and keyword_is_true(file, call, "check"):
                return None
            outcome = _RUNNERS[name]
        elif call.method in ("execute", "_execute", "trycmd", "ssh_execute") and \
                "check_exit_code" in call.kwargs and file.constant_value(call.kwargs["check_exit_code"]) is False:
            outcome = "the exit status (`check_exit_code=False` stops it from raising)"
        else:
            return None
        command_node = call.arg(0, "args") or call.arg(None, "cmd") or call.arg(None, "command")
        if call.method in ("execute", "_execute", "trycmd", "ssh_execute") and len(call.args) > 1:
            command_node = None
            program = _command_name(file, call.args[0])
            if program in ("sudo", "env") or program is None:
                program = next((_command_name(file, a) for a in call.args[1:3] if _command_name(file, a)), None)
        else:
            program = _command_name(file, command_node)
        if program is None or program not in _SECURITY_COMMANDS:
            return None
        concern = _SECURITY_COMMANDS[program]
        callee = name or call.method or "execute"
        if name == "os.system":
            fix = f"Call the Python API that raises on failure (`os.chmod`, `os.chown`, `shutil.chown`) or run " \
                  f"`subprocess.run([...], check=True)` without a shell; at least test the status: " \
                  f"`if os.system(...) != 0: raise RuntimeError(\"{program} failed\")`."
        elif name in ("subprocess.run", "subprocess.call", "subprocess.Popen"):
            fix = f"Run it with `subprocess.run([...], check=True)` (or `subprocess.check_call`) so a failing " \
                  f"`{program}` raises, or test `returncode` and stop when it is not 0."
        else:
            fix = f"Drop `check_exit_code=False` so a failing `{program}` raises, or keep the `(out, err)` result " \
                  f"and stop when the command reports an error."
        return {
            "callee": callee, "what": f"whether `{program}` succeeded",
            "what_full": outcome,
            "impact": f"If `{program}` fails (bad arguments, missing privileges, a busy device, a race with another "
                      f"process), {concern} is not what the code expects and stays that way.",
            "fix": fix,
        }


_SECURITY_COMMANDS = {
    "chmod": "file permissions", "chown": "file ownership", "chgrp": "file group ownership",
    "setfacl": "file access-control lists", "chattr": "file attributes", "chcon": "SELinux labels",
    "restorecon": "SELinux labels", "setenforce": "SELinux enforcement", "semanage": "SELinux policy",
    "setcap": "file capabilities", "iptables": "firewall rules", "ip6tables": "firewall rules",
    "iptables-restore": "firewall rules", "ip6tables-restore": "firewall rules", "ebtables": "firewall rules",
    "arptables": "firewall rules", "nft": "firewall rules", "ufw": "firewall rules", "firewall-cmd": "firewall rules",
    "ipset": "firewall address sets", "mount": "a mount", "umount": "an unmount", "cryptsetup": "disk encryption",
    "useradd": "a user account", "usermod": "a user account", "userdel": "a user account",
    "groupadd": "a group", "gpasswd": "group membership", "passwd": "a password", "chpasswd": "passwords",
    "apparmor_parser": "an AppArmor profile", "aa-enforce": "an AppArmor profile", "shred": "secure deletion",
    "update-ca-certificates": "trusted certificates", "ssh-keygen": "SSH keys", "install": "file permissions",
    "sysctl": "kernel security settings", "tc": "traffic control", "ovs-ofctl": "OpenFlow rules",
    "ovs-vsctl": "the virtual switch",
}
_COMMAND_PREFIXES = frozenset({"sudo", "env", "nice", "ionice", "nohup", "doas", "timeout", "stdbuf", "exec",
                               "/usr/bin/sudo", "/bin/sudo"})


def _command_name(file: PyFile, node: ts.Node | None) -> str | None:
    """The program a command runs: the first word of a (leading constant part of a) command string,
    or the first constant element of an argument list; `sudo`/`env`/... prefixes are skipped."""
    node = unwrap(node)
    if node is None:
        return None
    words: list[str] = []
    if node.type in ("list", "tuple"):
        for element in node.named_children:
            value = file.constant_value(element)
            if not isinstance(value, str):
                break
            words.append(value)
            if value not in _COMMAND_PREFIXES and not value.startswith("-"):
                break
    else:
        words = _leading_text(file, node).split()
    while words and (words[0] in _COMMAND_PREFIXES or "=" in words[0] or words[0].startswith("-")):
        words = words[1:]
    return words[0].rsplit("/", 1)[-1] if words else None


def _leading_text(file: PyFile, node: ts.Node, depth: int = 0) -> str:
    """The constant text a string expression starts with (`"chmod 600 " + path` -> "chmod 600 ")."""
    node = unwrap(node) or node
    if depth > 4:
        return ""
    value = file.constant_value(node)
    if isinstance(value, str):
        return value
    if node.type == "binary_operator":
        left = node.child_by_field_name("left")
        operator = file.text_of(node.child_by_field_name("operator"))
        text = _leading_text(file, left, depth + 1)
        return text.split("%", 1)[0] if operator == "%" else text
    if node.type == "string":  # f-string
        text = ""
        for child in node.named_children:
            if child.type == "string_content":
                text += file.text_of(child)
            elif child.type == "interpolation":
                break
        return text
    if node.type == "call":
        function = node.child_by_field_name("function")
        if function is not None and function.type == "attribute" and \
                file.text_of(function.child_by_field_name("attribute")) == "format":
            template = file.constant_value(function.child_by_field_name("object"))
            return template.split("{", 1)[0] if isinstance(template, str) else ""
    if node.type == "identifier":
        bindings = file.reaching_bindings(node)
        if len(bindings) == 1:
            value = file.bound_value(*bindings[0])
            return _leading_text(file, value, depth + 1) if value is not None else ""
    return ""
