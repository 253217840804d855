"""TODO/FIXME comment admitting that security work is missing.

## What it does
Flags `TODO`, `FIXME`, `XXX` and `HACK` comments whose text says that a
security measure is missing or knowingly weak: the code is "insecure" or
"vulnerable", an authentication, permission, CSRF, certificate or signature
check still has to be added (or is skipped or disabled), secrets are kept in
plain text, or user input still has to be sanitised, escaped or validated.
Comments that are explicit about it are reported at medium confidence; a
marker comment that only mentions a security topic (`# TODO: password
reset emails`) is low confidence. The comment's own continuation lines are
read with it.

## Why is this bad?
Such a comment documents a known, unfixed weakness at the exact place where
it can be exploited: the check it promises does not run, and everyone who
reads the code (including an attacker reading a public repository) is told
so. Reviewers and scanners tend to take the surrounding code as finished,
so these notes survive into releases for years.

## Example
```python
def delete_project(request, project_id):
    # TODO: check that the user owns the project before deleting it (authorization)
    Project.objects.filter(id=project_id).delete()
```

## Use instead
```python
def delete_project(request, project_id):
    project = get_object_or_404(Project, id=project_id, owner=request.user)
    project.delete()
```

## References
- https://cwe.mitre.org/data/definitions/546.html
- https://owasp.org/www-project-code-review-guide/
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import PyFile
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten

_MARKER = re.compile(r"(?:^|[^\w])(TODO|FIXME|FIX ME|XXX|HACK)(?![\w])|(?i:\b(todo|fixme)\s*[:(])")
# Explicit: the comment says the code is weak, or a named protection is missing.
_WEAK = re.compile(
    r"\b(insecure|not (?:very |really )?secure|security (?:hole|issue|risk|bug|problem|flaw|vulnerability|"
    r"fix|concern)s?|vulnerab\w*|exploit(?:s|able|ed)?|(?:sql|shell|command|code|html|header|ldap|xpath|template) "
    r"injection|xss|ssrf|toctou|privilege escalation|unauthori[sz]ed (?:access|users?)|"
    r"(?:anyone|any user|anybody) can (?:access|read|delete|modify|change|see|call))\b", re.I)
_PROTECTION = (r"(?:authenticat\w*|authori[sz]\w*|auth ?checks?|auth checking|csrf(?: (?:token|check|protection))?|"
               r"xsrf|rate ?limit\w*|brute[- ]force protection|(?:permission|access|acl|ownership|owner|signature|"
               r"certificate|cert|hostname|host name|ssl|tls|https|token|password|input) "
               r"(?:checks?|checking|verification|validation|verify|validity))")
_MISSING_PROTECTION = re.compile(
    r"\b(?:add|implement|enforce|enable|re-?enable|missing|no|without|skip\w*|disabl\w*|bypass\w*|ignor\w*|"
    r"(?:need|needs|should|must|have) to (?:add|check|do|implement|enforce|verify|validate)|check(?: for)?|verify)"
    r"\s+(?:(?:a|an|the|any|proper|real|some|user|object|request|their|its)\s+){0,2}" + _PROTECTION + r"|"
    + _PROTECTION + r"\s+(?:is|are|was|were)\s+(?:missing|disabled|skipped|bypassed|not (?:done|implemented|"
    r"enforced|performed|checked|verified|working)|off)", re.I)
_PLAIN_SECRET = re.compile(
    r"\b(passwords?|secrets?|credentials?|api keys?|private keys?)\b.{0,40}\b(plain ?text|clear ?text|"
    r"unencrypted|unhashed|not (?:hashed|encrypted)|hard-?coded|in (?:the )?logs?|logged)\b|"
    r"\b(plain ?text|clear ?text|unencrypted|unhashed|hard-?coded)\b.{0,25}\b(passwords?|secrets?|"
    r"credentials?|api keys?|private keys?)\b|\b(?:encrypt|hash)\b.{0,20}\b(passwords?|secrets?|credentials?)\b",
    re.I)
_UNSANITISED = re.compile(
    r"\b(sanitiz\w*|sanitis\w*|escap(?:e|ing)|validat(?:e|ing|ion))\b.{0,30}"
    r"\b(user input|user data|user-supplied|untrusted|request (?:data|params?|parameters?|input)|input from|"
    r"external input|html|sql|shell|file ?names?|redirect urls?)\b", re.I)
# Low: a security topic without saying what is wrong.
_TOPIC = re.compile(
    r"\b(security|insecure|unsafe|auth|authn|authz|authenticat\w*|authori[sz]\w*|permissions?|csrf|passwords?|"
    r"credentials?|secrets?|encrypt\w*|certificates?|sanitiz\w*|sanitis\w*|privileges?)\b", re.I)
# Not about our code's security: tokenizer/lexer tokens, escape sequences, signatures of functions.
_NOT_SECURITY = re.compile(r"\b(tokeniz\w*|lexer|escape sequences?|unicode escape|(?:method|function|call|type) "
                           r"signatures?|thread[- ]unsafe)\b", re.I)
_URL = re.compile(r"https?://\S+")
_CONTINUATION_LINES = 2


class SecurityTodoComment(Rule):
    id = "security-todo-comment"
    cwe = 546
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    message = "Comment admits unfinished security work: {comment}"
    description = (
        "The comment `{comment}` says that {what}. The code next to it runs without that protection, and the "
        "comment tells every reader (including an attacker reading the source) where the weakness is; reviews "
        "and scanners tend to treat the surrounding code as done."
    )
    solution = (
        "Do the work the comment describes before this code ships (add the check, escaping or encryption it "
        "names), or, if it is not needed, explain why and remove the marker; track real gaps in the issue "
        "tracker rather than in a comment."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        if "TODO" not in file.text and "FIXME" not in file.text and "XXX" not in file.text \
                and "HACK" not in file.text and "todo" not in file.text.lower():
            return
        comments = file.nodes("(comment) @c", "c")
        lines = file.text.splitlines()
        index = 0
        while index < len(comments):
            comment = comments[index]
            index += 1
            text = _own_text(file, comment)
            marker = _MARKER.search(text)
            if marker is None:
                continue
            body = text[marker.end():]
            taken = 0
            while taken < _CONTINUATION_LINES and index < len(comments) \
                    and _continues(lines, comments[index - 1], comments[index]):
                following = _own_text(file, comments[index]).lstrip("#").strip()
                if not following or _MARKER.search(following) or following.startswith(("-", "*")):
                    break
                body += " " + following
                index += 1
                taken += 1
            verdict = self._judge(body)
            if verdict is None:
                continue
            what, confidence = verdict
            yield Hit(comment, {"comment": shorten(file.text_of(comment).lstrip("#").strip(), 100), "what": what},
                      confidence=confidence)

    @staticmethod
    def _judge(body: str) -> tuple[str, Confidence] | None:
        body = _URL.sub(" ", body)
        if _NOT_SECURITY.search(body):
            return None
        if _WEAK.search(body):
            return "this code is knowingly insecure or incomplete", Confidence.MEDIUM
        if _MISSING_PROTECTION.search(body):
            return "a security check or protection is still missing or disabled here", Confidence.MEDIUM
        if _PLAIN_SECRET.search(body):
            return "a secret is handled without the protection it needs", Confidence.MEDIUM
        if _UNSANITISED.search(body):
            return "external input still has to be sanitised or validated here", Confidence.MEDIUM
        if _TOPIC.search(body):
            return "security-related work is still open here", Confidence.LOW
        return None


def _own_text(file: PyFile, comment: ts.Node) -> str:
    """The comment's text up to a second `#` (a trailing `# noqa`-style note is another comment)."""
    text = file.text_of(comment)
    second = text.find("#", 1)
    while second != -1 and second + 1 < len(text) and text[second + 1] not in " \t":
        second = text.find("#", second + 1)
    return text[:second] if second != -1 else text


def _continues(lines: list[str], previous: ts.Node, current: ts.Node) -> bool:
    """`current` is the next line of the same block comment as `previous` (alone on its line)."""
    row = current.start_point[0]
    if row != previous.end_point[0] + 1 or current.start_point[1] != previous.start_point[1]:
        return False
    return row < len(lines) and lines[row].lstrip().startswith("#")
