"""Crypto a protocol mandates is explained as such, at low confidence, never by default."""

from __future__ import annotations

from helpers import run_rules
from secreview.knowledge.protocol_crypto import mandating_protocol
from secreview.knowledge.vocabulary import words
from secreview.model import Confidence
from secreview.rules import rule_by_id


def _context(*names: str) -> set[str]:
    return {word for name in names for word in words(name)}


def test_protocols_are_recognised_by_the_words_around_the_use() -> None:
    assert mandating_protocol(_context("ntlm_session_key")).name.startswith("NTLM")
    assert mandating_protocol(_context("print-tcp.c", "tcp_verify_signature")).name.startswith("TCP MD5")
    assert mandating_protocol(_context("websocket_accept")) is not None
    assert mandating_protocol(_context("sign_request", "token")) is None


def test_a_mandated_digest_is_low_confidence_and_names_the_protocol() -> None:
    text = ("import hashlib\n\ndef ntlm_session_key(challenge, response):\n"
            "    return hashlib.md5(challenge + response).digest()\n")
    [finding] = run_rules(text, [rule_by_id("weak-hash-for-security")], path="project/auth.py")
    assert finding.confidence is Confidence.LOW and finding.evidence is None
    assert "NTLM" in finding.description


def test_c_uses_in_a_protocol_implementation_are_low_confidence() -> None:
    text = ("#include <openssl/md5.h>\nint tcp_verify_signature(const unsigned char *s, unsigned long n, "
            "unsigned char *out) {\n    MD5(s, n, out);\n    return 0;\n}\n")
    [finding] = run_rules(text, [rule_by_id("weak-hash-algorithm")], path="project/print-tcp.c", language="c")
    assert finding.confidence is Confidence.LOW and "RFC 2385" in finding.description


def test_a_cipher_an_ntlm_helper_must_use_is_low_confidence_and_explained() -> None:
    text = ("from Crypto.Cipher import DES\n\ndef ntlm_lm_response(key7, challenge):\n"
            "    return DES.new(key7, DES.MODE_ECB).encrypt(challenge)\n")
    findings = run_rules(text, [rule_by_id("weak-cipher")], path="project/auth.py")
    assert findings and all(f.confidence is Confidence.LOW and "NTLM" in f.description for f in findings)
