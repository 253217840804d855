"""The shared-state layer's answers on small programs: what is shared, what is serialised, which checks
govern which acts, which creations follow a failed look-up, and which state transitions are unguarded."""

from __future__ import annotations

from secreview.lang.python.file import PyFile
from secreview.lang.python.shared_state import (
    CLASS,
    FETCHED,
    GLOBAL,
    INSTANCE,
    acts,
    missing_then_create,
    serialised,
    sharing,
    state_checks,
    unguarded_transitions,
)


def _subject_sharing(code: str, subject: str) -> str | None:
    """How the receiver spelled `subject` of a call in the last function is shared."""
    file = PyFile("x.py", code)
    function = file.nodes_of_type("function_definition")[-1]
    call = next(c for c in file.calls if c.receiver is not None and file.text_of(c.receiver) == subject
                and function.start_byte <= c.node.start_byte < function.end_byte)
    return sharing(file, call.receiver, function)


def test_sharing_tells_globals_classes_instances_and_fetched_objects_from_locals() -> None:
    assert _subject_sharing("REGION = make()\ndef f():\n    REGION.configure()\n", "REGION") == GLOBAL
    assert _subject_sharing("class A:\n    @classmethod\n    def f(cls):\n        cls.x.start()\n", "cls.x") == CLASS
    assert _subject_sharing("class A:\n    def f(self):\n        self.x.start()\n", "self.x") == INSTANCE
    assert _subject_sharing("class A:\n    def __init__(self, kvs):\n        self.s = kvs.get_store('t')\n"
                            "        self.s.configure()\n", "self.s") == FETCHED
    assert _subject_sharing("class A:\n    def __init__(self):\n        self.s = Store()\n"
                            "        self.s.configure()\n", "self.s") is None
    assert _subject_sharing("def f(store):\n    store.configure()\n", "store") is None
    assert _subject_sharing("def f(f2):\n    s = Store()\n    s.configure()\n", "s") is None


def test_a_not_yet_check_governs_the_establishing_call_unless_a_lock_is_held() -> None:
    code = ("import threading\nLOCK = threading.Lock()\nREGION = make()\n"
            "def f():\n    if not REGION.is_configured:\n        REGION.configure()\n"
            "def g():\n    with LOCK:\n        if not REGION.is_configured:\n            REGION.configure()\n"
            "def h():\n    if REGION.is_configured:\n        REGION.configure()\n")
    file = PyFile("x.py", code)
    found = [[serialised(file, act.node) for act in acts(file, check)] for check in state_checks(file)]
    assert found == [[False], [True]]  # h()'s check governs no "not yet" code


def test_a_refusal_of_an_already_started_object_is_not_a_once_only_set_up() -> None:
    code = "class A:\n    def start(self):\n        if self._started:\n            raise RuntimeError()\n" \
           "        self.spawn()\n        self._started = True\n"
    assert state_checks(PyFile("x.py", code)) == []


def test_missing_then_create_needs_the_same_receiver_noun_and_key_and_no_conflict_handler() -> None:
    code = ("def f(api, ctx, k, other):\n"
            "    try:\n        api.get_role(ctx, k)\n    except RoleNotFound:\n        api.create_role(ctx, k)\n"
            "    try:\n        api.get_role(ctx, k)\n    except RoleNotFound:\n        api.create_role(ctx, other)\n"
            "    if api.role_get(k) is None:\n        try:\n            api.role_create(k)\n"
            "        except DBDuplicateEntry:\n            pass\n")
    file = PyFile("x.py", code)
    assert [(found.how, found.noun, found.create.line) for found in missing_then_create(file)] == [("except", "role", 5)]


def test_a_claimed_state_saved_without_an_expected_state_is_an_unguarded_transition() -> None:
    code = ("def f(db, i):\n    inst = db.get(i)\n    if inst.task_state is None:\n"
            "        inst.task_state = 'deleting'\n        inst.save()\n"
            "    if inst.task_state is None:\n        inst.task_state = 'deleting'\n"
            "        inst.save(expected_task_state=[None])\n"
            "    if inst.task_state is None:\n        inst.task_state = 'error'\n        inst.save()\n")
    file = PyFile("x.py", code)
    assert [t.write.line for t in unguarded_transitions(file)] == [5]
