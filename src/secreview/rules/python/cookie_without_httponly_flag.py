"""Cookie set without the `HttpOnly` attribute.

## What it does
Flags `response.set_cookie(...)` / `set_signed_cookie(...)` (Flask,
Werkzeug, Django, Starlette/FastAPI, Tornado) that do not pass
`httponly=True` or pass a constant false value, and settings that turn the
attribute off: `SESSION_COOKIE_HTTPONLY = False`,
`REMEMBER_COOKIE_HTTPONLY = False` (also via `app.config[...]`). A
non-constant value or forwarded `**kwargs` is not reported, nor is
clearing a cookie with an empty value. HttpOnly matters for secrets, so
cookies whose constant name does not look like a session, auth, token or
user cookie (`theme`, `lang`, `cart_items`) get low confidence, and so do
CSRF cookies (the double-submit pattern reads them from JavaScript).

A cookie that carries a login is shown by default: its name says session,
auth, token, remember-me or API key, and it is set by a login handler
(`login`, `sign_in`) or its value names the user, the password, a session
id or a token (`set_cookie("sessionid", sha1(username))`). A stolen login
cookie is the user's account, so the missing flag has no safe reading.

## Why is this bad?
Without `HttpOnly`, JavaScript running in the page can read the cookie
through `document.cookie`. Any cross-site scripting flaw anywhere on the
origin, or a compromised third-party script, then steals the session or
token cookie and sends it to the attacker, who uses it from their own
browser.

## Example
```python
from django.http import HttpResponse

def login(request):
    response = HttpResponse("ok")
    response.set_cookie("auth_token", make_token(request.user), secure=True)
    return response
```

## Use instead
```python
from django.http import HttpResponse

def login(request):
    response = HttpResponse("ok")
    response.set_cookie("auth_token", make_token(request.user), secure=True, httponly=True, samesite="Lax")
    return response
```

## References
- https://cwe.mitre.org/data/definitions/1004.html
- https://owasp.org/www-community/HttpOnly
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.rules.python import CookieFlagRule


class CookieWithoutHttponlyFlag(CookieFlagRule):
    id = "cookie-without-httponly-flag"
    cwe = 1004
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    flag = "httponly"
    settings = ("SESSION_COOKIE_HTTPONLY", "REMEMBER_COOKIE_HTTPONLY")
    definite_when_authenticating = True
    message = "{cookie} readable from JavaScript (no HttpOnly): {code}"
    description = (
        "In `{code}` the HttpOnly attribute of the {cookie_lower} {problem}, so scripts in the page can read the "
        "cookie through `document.cookie`. Any cross-site scripting flaw on this origin, or a compromised "
        "third-party script, can then steal it and send it to the attacker, who replays it to act as the "
        "user."
    )
    solution = (
        "Set the attribute: `set_cookie(..., httponly=True, secure=True, samesite=\"Lax\")`, and keep "
        "`SESSION_COOKIE_HTTPONLY = True` (the default). Only cookies that JavaScript must read (e.g. a "
        "CSRF double-submit token) should omit it."
    )

