"""Access control in web frameworks, as data: how apps authenticate and authorise handlers, protect them
against CSRF, and which request data the client writes freely.

Read by `secreview.lang.python.access` (the app's protection model). Names are the last component of a
decorator, base class or callee as written (`login_required` covers `django.contrib.auth.decorators.
login_required` and `flask_login.login_required`); dotted names are import-resolved.
"""

from __future__ import annotations

# Decorators that let a handler run only for an authenticated (or authorised) user, by framework.
AUTH_DECORATORS = frozenset({
    # Django
    "login_required", "permission_required", "user_passes_test", "staff_member_required", "superuser_required",
    # flask_login, Flask-Security, Flask-JWT-Extended, Flask-HTTPAuth (`auth.login_required`)
    "fresh_login_required", "roles_required", "roles_accepted", "permissions_required", "auth_required",
    "jwt_required", "jwt_refresh_token_required", "fresh_jwt_required",
    # DRF function views
    "permission_classes", "authentication_classes",
})
# Of these, the ones that admit only some users (a role, a permission, a predicate on the user).
ROLE_DECORATORS = frozenset({"permission_required", "user_passes_test", "staff_member_required",
                             "superuser_required", "roles_required", "roles_accepted", "permissions_required"})
# Words that make a project's own decorator an authentication or authorisation gate (`@admin_required`,
# `@requires_login`, `@token_required`, `@admin_only`) when it is combined with a word of demand.
AUTH_DECORATOR_SUBJECTS = frozenset({"login", "logged", "auth", "authenticated", "authentication", "authorized",
                                     "authorised", "authorization", "admin", "administrator", "permission",
                                     "permissions", "role", "roles", "token", "jwt", "staff", "superuser",
                                     "signin", "session", "user", "owner"})
AUTH_DECORATOR_DEMANDS = frozenset({"required", "require", "requires", "only", "needed", "protected", "check",
                                    "restricted"})

# Class-based views: mixins and DRF permission classes.
AUTH_MIXINS = frozenset({"LoginRequiredMixin", "PermissionRequiredMixin", "UserPassesTestMixin", "AccessMixin",
                         "StaffuserRequiredMixin", "SuperuserRequiredMixin", "GroupRequiredMixin"})
DRF_OPEN_PERMISSIONS = frozenset({"AllowAny"})
DRF_VIEW_BASES = frozenset({"APIView", "GenericAPIView", "ViewSet", "GenericViewSet", "ModelViewSet",
                            "ReadOnlyModelViewSet", "CreateAPIView", "ListAPIView", "RetrieveAPIView",
                            "DestroyAPIView", "UpdateAPIView", "ListCreateAPIView", "RetrieveUpdateAPIView",
                            "RetrieveDestroyAPIView", "RetrieveUpdateDestroyAPIView"})
# Django class-based views whose HTTP-method methods are handlers.
DJANGO_VIEW_BASES = frozenset({"View", "TemplateView", "FormView", "CreateView", "UpdateView", "DeleteView",
                               "DetailView", "ListView", "RedirectView"})
HTTP_METHOD_NAMES = frozenset({"get", "post", "put", "patch", "delete"})
STATE_CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Django decorators that restrict the methods a view answers.
DJANGO_METHOD_DECORATORS = {"require_POST": frozenset({"POST"}), "require_GET": frozenset({"GET"}),
                            "require_safe": frozenset({"GET", "HEAD"})}
DJANGO_METHODS_DECORATOR = "require_http_methods"

# Words of a FastAPI dependency (`Depends(get_current_user)`, `Security(oauth2_scheme)`) that authenticates.
AUTH_DEPENDENCY_WORDS = frozenset({"user", "auth", "authenticated", "token", "login", "admin", "oauth", "bearer",
                                   "jwt", "api", "key", "security", "verify", "permission", "permissions",
                                   "credentials", "session", "principal", "identity"})

# Expressions that name the user of the request: who is acting.
CURRENT_USER_EXPRESSIONS = frozenset({"request.user", "self.request.user", "current_user", "flask_login.current_user",
                                      "g.user", "flask.g.user", "request.auth", "self.request.auth",
                                      "info.context.user"})
CURRENT_USER_CALLS = frozenset({"get_jwt_identity", "get_current_user", "current_identity", "get_user",
                                "authenticated_userid", "get_raw_jwt", "get_jwt"})

# CSRF protection an app can switch on (import-resolved names), and the word a project's own check uses.
CSRF_PROTECTIONS = frozenset({"flask_wtf.csrf.CSRFProtect", "flask_wtf.CSRFProtect", "flask_wtf.csrf.CsrfProtect",
                              "flask_wtf.FlaskForm", "flask_wtf.Form", "flask_seasurf.SeaSurf", "flask_csrf",
                              "starlette_csrf.CSRFMiddleware", "fastapi_csrf_protect.CsrfProtect",
                              "aiohttp_csrf", "django.middleware.csrf.CsrfViewMiddleware",
                              "django.views.decorators.csrf.csrf_protect"})

# Calls that build a web application: the module that calls one configures the app's protections.
APPLICATION_FACTORIES = ("flask.Flask", "quart.Quart", "fastapi.FastAPI", "starlette.applications.Starlette",
                         "aiohttp.web.Application")

# Request data the client writes freely: the attribute of the request object, and what it is.
CLIENT_COOKIE_ATTRIBUTES = frozenset({"cookies", "COOKIES"})
CLIENT_HEADER_ATTRIBUTES = frozenset({"headers", "META", "environ"})
CLIENT_PARAMETER_ATTRIBUTES = frozenset({"args", "form", "values", "GET", "POST", "json", "query_params", "data",
                                         "query", "get_json"})
# Request attributes holding a header the client writes (the Host header, the User-Agent).
CLIENT_HEADER_PROPERTIES = frozenset({"host", "host_url", "url_root", "user_agent", "referrer", "get_host"})
# WSGI environ / Django META keys the client writes start with this (the rest, `REMOTE_USER`, `AUTH_TYPE`,
# `REMOTE_ADDR`, are set by the server).
CLIENT_ENVIRON_PREFIX = "HTTP_"
# Headers whose value proves an identity (checked by the server against a secret): not client-chosen data.
CREDENTIAL_HEADERS = frozenset({"authorization", "http_authorization", "x-api-key", "x-auth-token",
                                "x-csrftoken", "x-csrf-token", "x-xsrf-token", "cookie", "http_cookie"})

# Words of a cookie, header or parameter name that claim a privilege (`IsAdmin`, `role`, `logged_in`).
PRIVILEGE_WORDS = frozenset({"admin", "administrator", "role", "roles", "permission", "permissions", "privilege",
                             "privileges", "superuser", "staff", "logged", "loggedin", "root", "manager",
                             "moderator", "isadmin", "isstaff", "issuperuser", "sudo"})
IDENTITY_WORDS = frozenset({"user", "userid", "uid", "username", "account", "owner", "login", "member",
                            "customer", "uuid"})
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})
