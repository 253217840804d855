"""Django: the view's `request` parameter, responses, redirects, raw SQL, templates."""

from __future__ import annotations

from secreview.knowledge.schema import (
    Handler,
    ParameterSource,
    PythonKnowledge,
    RequestHandler,
    Sanitizer,
    Sink,
    StoredRecords,
    TemplateGlobal,
    TemplateRender,
)

_REQUEST = ("GET", "POST", "COOKIES", "META", "body", "FILES", "headers")
_REDIRECTS = ("django.shortcuts.redirect", "django.http.HttpResponseRedirect",
              "django.http.HttpResponsePermanentRedirect")

# class-based views: `get(self, request, pk)` takes the URL's keyword groups after the request
_VIEWS = ("django.views.View", *(f"django.views.generic.{name}" for name in
                                  ("View", "TemplateView", "RedirectView", "ListView", "DetailView", "FormView",
                                   "CreateView", "UpdateView", "DeleteView")))
VIEW_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})

KNOWLEDGE = PythonKnowledge(
    name="django",
    parameter_sources=tuple(ParameterSource(name, _REQUEST, "HTTP request data") for name in ("request", "req")),
    request_handlers=tuple(RequestHandler(base, ("args", "kwargs")) for base in _VIEWS),  # the URL groups
    handlers=tuple(Handler("django", "URL path parameter", base=base, methods=VIEW_METHODS, leading=2)
                   for base in _VIEWS),
    sinks=(
        Sink("sql", method="raw", keyword="sql", description="executes SQL"),
        Sink("sql", callee="django.db.models.expressions.RawSQL", description="executes SQL"),
        *(Sink("xss", callee=name, description="sends an HTML response") for name in
          ("django.http.HttpResponse", "django.utils.safestring.mark_safe")),
        *(Sink("redirect", callee=name, keyword="location", description="redirects the browser") for name in _REDIRECTS),
        Sink("ssti", callee="django.template.Template", keyword="source", description="renders a template from a string"),
    ),
    sanitizers=(Sanitizer(frozenset({"xss"}), callee="django.utils.html.escape"),),
    exit_calls=frozenset({"django.http.Http404"}),
    response_builders=frozenset({"django.http.HttpResponse"}),
    template_renders=(
        TemplateRender("django", callee="django.shortcuts.render", name=(1, "template_name"), context=(2, "context")),
        *(TemplateRender("django", callee=name, name=(0, "template_name"), context=(1, "context")) for name in
          ("django.shortcuts.render_to_response", "django.template.loader.render_to_string",
           "django.template.response.SimpleTemplateResponse")),
        TemplateRender("django", callee="django.template.response.TemplateResponse", name=(1, "template"),
                       context=(2, "context")),
        TemplateRender("django", callee="django.template.loader.get_template", name=(0, "template_name"),
                       context=(0, "context"), loads=True),
        TemplateRender("django", callee="django.template.Template", name=(0, "template_string"),
                       context=(0, "context"), loads=True, from_string=True),
    ),
    # the ORM: `Model.objects.get(...)`, `get_object_or_404(Model, ...)`; DB-API cursors' rows
    stored_records=(StoredRecords(callees=frozenset({"django.shortcuts.get_object_or_404",
                                                     "django.shortcuts.get_list_or_404"}),
                                  managers=frozenset({"objects"}),
                                  methods=frozenset({"fetchone", "fetchall", "fetchmany"})),),
    # context processors (`auth`, `request`) put these in every template rendered with a request
    template_globals=(
        TemplateGlobal("django", "user", "stored", "the signed-in user's record (auth context processor)"),
        TemplateGlobal("django", "request", "request", "the request (request context processor)",
                       frozenset(_REQUEST) | {"path", "path_info", "get_full_path"}),
    ),
)
