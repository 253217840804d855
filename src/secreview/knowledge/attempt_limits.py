"""What limits repeated login attempts: rate-limiting libraries, their decorators, lockout state.

Data for the rule on login handlers without attempt limits.  A web application
that imports one of these modules, decorates the handler with a limiter, or keeps
failed-attempt or lockout state has *some* limit; the rule then stays silent.
"""

from __future__ import annotations

LIMITER_MODULES = (
    "flask_limiter", "slowapi", "fastapi_limiter", "django_ratelimit", "ratelimit", "ratelimiter", "axes",
    "defender", "flask_ratelimit", "limits", "aiohttp_ratelimiter", "aiolimiter", "starlette_limiter",
    "rest_framework.throttling", "brute_force", "flask_recaptcha", "captcha", "django_recaptcha", "hcaptcha",
    "flask_hcaptcha", "flask_simple_captcha", "simple_captcha",
)
"""Modules of rate limiters, lockout packages (django-axes, django-defender) and server-side captchas."""

LIMIT_WORDS = frozenset({
    "limiter", "ratelimit", "ratelimiter", "throttle", "throttled", "throttling", "throttles", "lockout",
    "locked", "attempt", "attempts", "failures", "captcha", "recaptcha", "hcaptcha", "backoff",
})
"""Words of names (decorators, columns, counters, settings) that show an attempt limit or lockout.

`limit` alone is left out: pagination and upload sizes use it too."""

LIMIT_NAME_PAIRS = (("failed", "logins"), ("login", "failures"), ("rate", "limit"),
                    ("max", "tries"), ("failed", "count"))
"""Two words that together name attempt state (`failed_logins`, `failed_count`, `RATE_LIMIT`); not
`failed_login`, which usually flags a message for the page."""
