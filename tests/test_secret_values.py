"""Secret rules judge the value: issued formats are definite, names and labels of secrets are not secrets."""

from __future__ import annotations

import pytest

from helpers import run_rules
from secreview.knowledge.secret_formats import known_format, names_a_secret
from secreview.model import Confidence, Evidence
from secreview.rules import rule_by_id

SECRET_RULES = [rule_by_id(r) for r in ("hardcoded-password", "hardcoded-secret-key", "hardcoded-credential")]


def _findings(text: str) -> list:
    return run_rules(text, SECRET_RULES, path="project/service.py")


def test_an_issued_token_format_is_a_definite_finding_whatever_it_is_called() -> None:
    text = 'UPLOAD = {"github": "ghp_Zq8mR3vT6yB1nK4wP7sD0fG2hJ5lX9cA3eU6"}\n'
    [finding] = _findings(text)
    assert finding.rule_id == "hardcoded-credential"
    assert finding.evidence is Evidence.DEFINITE and finding.confidence is Confidence.HIGH
    assert "GitHub token" in finding.description


def test_a_value_judged_by_its_name_is_an_audit_finding_that_says_so() -> None:
    [finding] = _findings('DB_PASSWORD = "hunter2-prod"\n')
    assert finding.evidence is None and finding.confidence is Confidence.MEDIUM
    assert "Judged by the name" in finding.description


def test_a_generated_looking_value_under_a_secret_name_is_high_confidence_but_audit() -> None:
    [finding] = _findings('client_secret = "q8Zr4nV1pW6sT3yL0kM9"\n')
    assert finding.evidence is None and finding.confidence is Confidence.HIGH


@pytest.mark.parametrize("value", ["san_password", "kmip_secret_key", "OS-OAUTH1:access_token", "pass", "token"])
def test_names_of_secrets_are_names(value: str) -> None:
    assert names_a_secret(value)


@pytest.mark.parametrize("value", ["password123", "mail-pass-2024", "my-jwt-secret", "hunter2", "Sup3r-S3cret!"])
def test_values_are_not_names(value: str) -> None:
    assert not names_a_secret(value)


@pytest.mark.parametrize("value", ["AKIAIOSFODNN7EXAMPLE", "ghp_", "-----BEGIN RSA PRIVATE KEY-----", "eyJhbGciOi"])
def test_prefixes_markers_and_documentation_examples_are_no_format(value: str) -> None:
    assert known_format(value) is None


@pytest.mark.parametrize("code", [
    'import ldap\nconn = ldap.initialize("ldap://dir")\nconn.simple_bind_s("cn=admin,dc=org", "mysecret")\n',
    'import smtplib\nserver = smtplib.SMTP("mail")\nserver.login("ops@example.org", "mail-2024!")\n',
    'import psycopg2\ndb = psycopg2.connect(host="db", password="Sup3rS3cret!")\n',
    'from flask import Flask\nfrom flask_basicauth import BasicAuth\napp = Flask(__name__)\n'
    'app.config["BASIC_AUTH_PASSWORD"] = "admin123"\n',
])
def test_a_password_an_authentication_call_logs_in_with_is_definite(code: str) -> None:
    [finding] = _findings(code)
    assert finding.rule_id == "hardcoded-password"
    assert finding.evidence is Evidence.DEFINITE and "Judged by its use" in finding.description


@pytest.mark.parametrize("code", [
    'import ldap\nconn = ldap.initialize("ldap://dir")\nconn.simple_bind_s("cn=admin,dc=org", "${BIND_PW}")\n',
    'import os, ldap\nconn = ldap.initialize("ldap://dir")\nconn.simple_bind_s("cn=x", os.environ["BIND_PW"])\n',
    'class Site:\n    def login(self, user, password): ...\nSite().login("bob", "hunter2-prod")\n',
])
def test_placeholders_environment_reads_and_other_logins_are_not_definite(code: str) -> None:
    assert all(f.evidence is not Evidence.DEFINITE for f in _findings(code))


@pytest.mark.parametrize("code", [
    'from flask import Flask\napp = Flask(__name__)\napp.secret_key = "mysecret"\n',
    'from flask import Flask\nimport os\napp = Flask(__name__)\n'
    'app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "dev-fallback")\n',
    'import jwt\ndef issue(claims):\n    return jwt.encode(claims, "secret", algorithm="HS256")\n',
])
def test_a_literal_signing_key_is_definite_however_guessable(code: str) -> None:
    [finding] = [f for f in _findings(code) if f.rule_id == "hardcoded-secret-key"]
    assert finding.evidence is Evidence.DEFINITE and "forge" in finding.description
