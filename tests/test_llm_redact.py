"""Secrets are redacted before code leaves the machine, and line numbers do not move."""

from __future__ import annotations

import pytest

from secreview.llm.redact import REDACTED, redact

GITHUB_TOKEN = "ghp_" + "Zq3xR7tL0pW2sV9yB4nM6kJ8hG1fD5cA2eQ7"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"

# (line of code, the secret in it)
SECRETS = [
    ('DB_PASSWORD = "s3cr3t-admin-pw"', "s3cr3t-admin-pw"),
    ('conn = connect(host="db", password="hunter22")', "hunter22"),
    ('settings = {"api_key": "abcd1234efgh"}', "abcd1234efgh"),
    ("self.client_secret = 'wq-19sd0-fpq'", "wq-19sd0-fpq"),
    ('ADMIN_TOKEN: str = "let-me-in-please"', "let-me-in-please"),
    ('if password == "letmein1":', "letmein1"),
    ('AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"', "AKIAIOSFODNN7EXAMPLE"),
    ('aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"', "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    (f'gh = Github("{GITHUB_TOKEN}")', GITHUB_TOKEN),
    ('openai.api_base_key_value = call("sk-proj-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8")', "sk-proj-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8"),
    (f'headers = {{"Authorization": "Bearer {JWT}"}}', JWT),
    ('requests.get(url, headers={"X-Auth": "Token 9f8e7d6c5b4a39281706f5e4"})', "9f8e7d6c5b4a39281706f5e4"),
    ('DATABASE_URL = "postgres://admin:Sup3rS3cret@db.internal/app"', "Sup3rS3cret"),
    ('SIGNING_SALT = "q8Zr2LmX0vB7nK4tY1wE"', "q8Zr2LmX0vB7nK4tY1wE"),
    ('#define API_KEY "0123abcd4567efgh"', "0123abcd4567efgh"),
]

NOT_SECRETS = [
    'CACHE_KEY = "user:%s"',
    'password = os.environ["DB_PASSWORD"]',
    'token = None',
    'primary_key = "id"',
    'sort_key = "name"',
    'PASSWORD_FIELD = ""',
    'hash_name = "sha256"',
    'message = "enter your password below"',
]

PRIVATE_KEY = '''KEY = """-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEA1c7+9z5Pad7OejecsQ0bu3aozN3tihPmljnnudb9G3HECdnH
lWu2/a1gB9JW5TBQ+AVpum9Okx7KfqkfBKL9mcHgSL0yWMdjMfNOqNtrQqKlN4kE
-----END RSA PRIVATE KEY-----"""
check(KEY)
'''


@pytest.mark.parametrize("code, secret", SECRETS, ids=[s for s, _ in SECRETS])
def test_secret_is_replaced_and_the_rest_kept(code: str, secret: str) -> None:
    result = redact(f"x = 1\n{code}\ny = 2\n")
    assert secret not in result.text
    assert REDACTED in result.text
    assert result.count >= 1
    assert result.text.startswith("x = 1\n") and result.text.endswith("\ny = 2\n")


@pytest.mark.parametrize("code", NOT_SECRETS)
def test_ordinary_code_is_left_alone(code: str) -> None:
    result = redact(code + "\n")
    assert result.text == code + "\n"
    assert result.count == 0


def test_private_key_block_body_is_removed_line_for_line() -> None:
    result = redact(PRIVATE_KEY)
    assert "MIIEowIBAAKCAQEA" not in result.text and "lWu2" not in result.text
    assert "-----BEGIN RSA PRIVATE KEY-----" in result.text and "-----END RSA PRIVATE KEY-----" in result.text
    assert result.text.count("\n") == PRIVATE_KEY.count("\n")
    assert result.text.splitlines()[-1] == "check(KEY)"


def test_line_numbers_never_move() -> None:
    text = "\n".join(code for code, _ in SECRETS) + "\n" + PRIVATE_KEY
    result = redact(text)
    assert result.text.count("\n") == text.count("\n")
    assert result.count >= len(SECRETS)


def test_redaction_is_stable_when_applied_twice() -> None:
    once = redact("\n".join(code for code, _ in SECRETS))
    twice = redact(once.text)
    assert twice.text == once.text and twice.count == 0
