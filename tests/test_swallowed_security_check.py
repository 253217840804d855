"""A swallowed exception is definite only when it turns a failed security check into success."""

from __future__ import annotations

from helpers import run_rules
from secreview.model import Evidence
from secreview.rules import rule_by_id

RULE = [rule_by_id("bare-except-swallows-error")]


def _evidence(text: str) -> list[Evidence | None]:
    return [f.evidence for f in run_rules(text, RULE, path="project/service.py")]


def test_a_swallowed_permission_check_before_the_privileged_action_is_definite() -> None:
    text = ("def delete(policy, context, volume):\n    try:\n        policy.authorize(context, 'delete', volume)\n"
            "    except Exception:\n        pass\n    volume.destroy()\n")
    assert _evidence(text) == [Evidence.DEFINITE]


def test_a_handler_that_returns_true_for_a_failed_verification_is_definite() -> None:
    text = ("def valid(verifier, token):\n    try:\n        verifier.verify_signature(token)\n"
            "    except Exception:\n        return True\n    return True\n")
    assert _evidence(text) == [Evidence.DEFINITE]


def test_a_check_whose_failure_still_refuses_is_audit() -> None:
    text = ("def delete(policy, context, volume):\n    try:\n        policy.authorize(context, 'delete', volume)\n"
            "    except Exception:\n        pass\n    return False\n")
    assert _evidence(text) == [None]


def test_best_effort_cleanup_is_audit() -> None:
    text = "def stop(conn):\n    try:\n        conn.close()\n    except Exception:\n        pass\n    return 1\n"
    assert _evidence(text) in ([None], [])
