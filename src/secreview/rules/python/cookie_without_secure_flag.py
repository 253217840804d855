"""Cookie set without the `Secure` attribute.

## What it does
Flags `response.set_cookie(...)` / `set_signed_cookie(...)` (Flask,
Werkzeug, Django, Starlette/FastAPI, Tornado) that do not pass
`secure=True` or pass a constant false value, and settings that turn the
attribute off: `SESSION_COOKIE_SECURE = False`, `CSRF_COOKIE_SECURE = False`,
`REMEMBER_COOKIE_SECURE = False` (Django / Flask / Flask-Login, also via
`app.config[...]`). A non-constant value (`secure=request.is_secure()`) or
forwarded `**kwargs` is not reported, nor is clearing a cookie with an empty
value. Cookies named for a display preference (`theme`, `lang`,
`cookie_consent`) get low confidence; development settings files too.

A login cookie (see `cookie-without-httponly-flag`) without the flag is
shown by default when the same file sets `secure=True` on another cookie:
the app is served over HTTPS and its own convention was missed here.

## Why is this bad?
Without `Secure` the browser also sends the cookie over plain HTTP. One
`http://` request to the site (a mixed-content image, a link typed without
https, an attacker on the Wi-Fi injecting a redirect) puts the session or
token cookie on the wire in clear text, where a network attacker reads it
and hijacks the session.

## Example
```python
from flask import Flask, make_response

app = Flask(__name__)

@app.route("/login", methods=["POST"])
def login():
    response = make_response("ok")
    response.set_cookie("session_token", new_token(), httponly=True)
    return response
```

## Use instead
```python
from flask import Flask, make_response

app = Flask(__name__)

@app.route("/login", methods=["POST"])
def login():
    response = make_response("ok")
    response.set_cookie("session_token", new_token(), secure=True, httponly=True, samesite="Lax")
    return response
```

## References
- https://cwe.mitre.org/data/definitions/614.html
- https://developer.mozilla.org/en-US/docs/Web/HTTP/Cookies#restrict_access_to_cookies
- https://docs.djangoproject.com/en/stable/ref/settings/#session-cookie-secure
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.rules.python import CookieFlagRule


class CookieWithoutSecureFlag(CookieFlagRule):
    id = "cookie-without-secure-flag"
    cwe = 614
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    flag = "secure"
    settings = ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE")
    definite_against_convention = True
    message = "{cookie} sent without the Secure attribute: {code}"
    description = (
        "In `{code}` the Secure attribute of the {cookie_lower} {problem}, so the browser also sends this cookie "
        "over plain HTTP. A single http:// request to the site (a mixed-content resource, a typed URL, a "
        "redirect injected on public Wi-Fi) exposes it in clear text to anyone on the network path, who "
        "can then replay it to hijack the session."
    )
    solution = (
        "Set the attribute: `set_cookie(..., secure=True, httponly=True, samesite=\"Lax\")`, and in "
        "settings `SESSION_COOKIE_SECURE = True` / `CSRF_COOKIE_SECURE = True`; serve the site only over "
        "HTTPS (with HSTS)."
    )

