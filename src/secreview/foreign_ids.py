"""Other tools' rule ids, mapped to the secreview rules that report the same defect.

Used only with --honor-foreign-suppressions, so that a project moving from Bandit,
ruff or Semgrep keeps its reviewed `# nosec B602` / `# noqa: S602` decisions.
A foreign id that maps to nothing here suppresses nothing: a suppression must
say what it silences, and an unmapped id says nothing about our rules.

Ruff's flake8-bandit rules (`S` codes) reuse Bandit's numbers (S602 is B602), so
one table serves both.
"""

from __future__ import annotations

_HARDCODED_SECRETS = ("hardcoded-password", "hardcoded-credential", "hardcoded-secret-key")
_XML = ("xml-stdlib-parse-untrusted", "xml-parser-external-entities")
_WEAK_HASH = ("weak-hash-for-security", "weak-password-hash")
_TLS_PROTOCOL = ("weak-tls-protocol",)

# Bandit test id -> (Bandit test name, secreview rule ids).
BANDIT: dict[str, tuple[str, tuple[str, ...]]] = {
    "B101": ("assert_used", ("assert-used-for-security-check",)),
    "B102": ("exec_used", ("eval-non-literal", "code-injection")),
    "B103": ("set_bad_file_permissions", ("world-writable-permissions",)),
    "B104": ("hardcoded_bind_all_interfaces", ("bind-all-interfaces",)),
    "B105": ("hardcoded_password_string", _HARDCODED_SECRETS),
    "B106": ("hardcoded_password_funcarg", _HARDCODED_SECRETS),
    "B107": ("hardcoded_password_default", _HARDCODED_SECRETS),
    "B108": ("hardcoded_tmp_directory", ("file-created-without-exclusive-flag",)),
    "B110": ("try_except_pass", ("bare-except-swallows-error",)),
    "B112": ("try_except_continue", ("bare-except-swallows-error",)),
    "B113": ("request_without_timeout", ("http-request-without-timeout",)),
    "B201": ("flask_debug_true", ("debug-mode-enabled",)),
    "B202": ("tarfile_unsafe_members", ("archive-extraction-path-traversal",)),
    "B301": ("pickle", ("pickle-unsafe-load",)),
    "B302": ("marshal", ("pickle-unsafe-load",)),
    "B303": ("md5", _WEAK_HASH),
    "B304": ("ciphers", ("weak-cipher",)),
    "B305": ("cipher_modes", ("weak-cipher",)),
    "B306": ("mktemp_q", ("tempfile-mktemp",)),
    "B307": ("eval", ("eval-non-literal", "code-injection")),
    "B308": ("mark_safe", ("mark-safe-non-literal",)),
    "B310": ("urllib_urlopen", ("server-side-request-forgery",)),
    "B311": ("random", ("insecure-random-for-secret",)),
    "B313": ("xml_bad_cElementTree", _XML),
    "B314": ("xml_bad_ElementTree", _XML),
    "B315": ("xml_bad_expatreader", _XML),
    "B316": ("xml_bad_expatbuilder", _XML),
    "B317": ("xml_bad_sax", _XML),
    "B318": ("xml_bad_minidom", _XML),
    "B319": ("xml_bad_pulldom", _XML),
    "B320": ("xml_bad_etree", _XML),
    "B323": ("unverified_context", ("tls-verification-disabled",)),
    "B324": ("hashlib", _WEAK_HASH),
    "B501": ("request_with_no_cert_validation", ("tls-verification-disabled",)),
    "B502": ("ssl_with_bad_version", _TLS_PROTOCOL),
    "B503": ("ssl_with_bad_defaults", _TLS_PROTOCOL),
    "B504": ("ssl_with_no_version", _TLS_PROTOCOL),
    "B506": ("yaml_load", ("yaml-unsafe-load",)),
    "B602": ("subprocess_popen_with_shell_equals_true", ("subprocess-shell-true", "shell-script-non-constant")),
    "B603": ("subprocess_without_shell_equals_true", ("shell-script-non-constant",)),
    "B604": ("any_other_function_with_shell_equals_true", ("subprocess-shell-true",)),
    "B605": ("start_process_with_a_shell", ("os-system-non-literal", "shell-script-non-constant")),
    "B608": ("hardcoded_sql_expressions", ("sql-built-by-string-formatting",)),
    "B610": ("django_extra_used", ("sql-built-by-string-formatting",)),
    "B611": ("django_rawsql_used", ("sql-built-by-string-formatting",)),
    "B701": ("jinja2_autoescape_false", ("jinja2-autoescape-disabled",)),
    "B703": ("django_mark_safe", ("mark-safe-non-literal",)),
    "B704": ("markupsafe_markup_xss", ("mark-safe-non-literal",)),
}

_BY_BANDIT_NAME = {name: rules for name, rules in BANDIT.values()}


def bandit_rules(test: str) -> tuple[str, ...]:
    """Our rules for a Bandit test id (`B602`) or test name (`subprocess_popen_with_shell_equals_true`)."""
    entry = BANDIT.get(test.upper())
    if entry is not None:
        return entry[1]
    return _BY_BANDIT_NAME.get(test, ())


def ruff_rules(code: str) -> tuple[str, ...]:
    """Our rules for a ruff flake8-bandit code (`S602`); other ruff codes map to nothing."""
    if len(code) == 4 and code[0].upper() == "S" and code[1:].isdigit():
        return bandit_rules("B" + code[1:])
    return ()


def all_mapped_rules() -> frozenset[str]:
    return frozenset(rule for _, rules in BANDIT.values() for rule in rules)
