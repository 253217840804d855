"""Python rules: one module per rule, discovered automatically.

The bases below hold the one copy of *how* a family of rules looks; a rule
declares *what* to look for (callee names, which cookie flag, which kind of
secret).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import tree_sitter as ts

from secreview.lang.python.cookies import cookie_flag_problems
from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.secrets import hardcoded_secrets, judgement
from secreview.lang.python.types import is_module_reference
from secreview.model import Evidence
from secreview.rules import Hit, Rule


class CallRule(Rule):
    """Fires on calls to `callees` (import-resolved dotted names) that `matches`.

    Subclasses override `matches` to add conditions; it returns the extra
    placeholder values for the finding, or None when the call is fine.
    """

    callees: ClassVar[tuple[str, ...]] = ()
    methods: ClassVar[tuple[str, ...]] = ()  # x.method(...) on any receiver

    def candidates(self, file: PyFile) -> list[Call]:
        # `yaml.load()` on a local `yaml` object is that object's method, not the module's function; nor is
        # it when the name is bound, here, to a container or an object some call built (lang/python/types.py)
        found = [call for call in file.calls_to(*self.callees)
                 if not file.is_local_object(call.node.child_by_field_name("function"))
                 and is_module_reference(file, call.node.child_by_field_name("function"))] if self.callees else []
        if self.methods:
            seen = {id(c.node) for c in found}
            found += [c for c in file.method_calls(*self.methods) if id(c.node) not in seen]
        return found

    def check(self, file: PyFile) -> Iterator[Hit]:
        for call in self.candidates(file):
            values = self.matches(file, call)
            if values is not None:
                yield Hit(call.node, {"callee": call.name or call.method or "call", **values},
                          data=self.data_argument(file, call))

    def matches(self, file: PyFile, call: Call) -> dict[str, str] | None:
        return {}

    def data_argument(self, file: PyFile, call: Call) -> ts.Node | None:
        """The argument whose origin decides the defect, when one argument does (see _taint.TaintAware)."""
        return None


class HardcodedSecretRule(Rule):
    """Reports the hard-coded secrets of one `kind` ("password", "crypto-key", "credential").

    A value in an issued key or token format, or a password an authentication call logs in with, has no
    safe reading (DEFINITE); one judged by the name it is bound to is an audit finding whose confidence and
    note say why."""
    hit_evidence = frozenset({Evidence.DEFINITE})

    kind: ClassVar[str] = ""

    def check(self, file: PyFile) -> Iterator[Hit]:
        for secret in hardcoded_secrets(file):
            if secret.kind == self.kind:
                confidence, why = judgement(secret)
                yield Hit(secret.node, {"name": secret.name, "how": secret.how}, confidence=confidence, note=why,
                          evidence=Evidence.DEFINITE if secret.format or secret.login else None)


class CookieFlagRule(Rule):
    """Reports cookies set without the attribute `flag`, or with it turned off by one of `settings`.

    Hits carry {cookie}, {cookie_lower} and {problem}.
    """
    hit_evidence = frozenset({Evidence.DEFINITE})

    flag: ClassVar[str] = ""
    settings: ClassVar[tuple[str, ...]] = ()
    # a missing flag on a cookie that carries a login is itself the defect (HttpOnly: any XSS steals it)
    definite_when_authenticating: ClassVar[bool] = False
    # ... or is when the file sets the flag on its other cookies (Secure: the app is served over HTTPS)
    definite_against_convention: ClassVar[bool] = False

    def check(self, file: PyFile) -> Iterator[Hit]:
        for problem in cookie_flag_problems(file, self.flag, self.settings):
            values = {"cookie": problem.cookie, "cookie_lower": problem.cookie[0].lower() + problem.cookie[1:],
                      "problem": problem.problem}
            # switching the flag off on a cookie that carries a value has no safe reading; a missing flag
            # may be set elsewhere (a framework default, a proxy): audit
            definite = problem.turned_off or problem.authenticates and (
                self.definite_when_authenticating or self.definite_against_convention and problem.set_elsewhere)
            yield Hit(problem.node, values, confidence=problem.confidence,
                      evidence=Evidence.DEFINITE if definite else None)
