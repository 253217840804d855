"""Django REST framework: the request attributes it adds to Django's."""

from __future__ import annotations

from secreview.knowledge.django import VIEW_METHODS
from secreview.knowledge.schema import Handler, ParameterSource, PythonKnowledge, RequestHandler

# `retrieve(self, request, pk=None)`: a view set's actions take the URL's groups after the request
_ACTIONS = VIEW_METHODS | {"list", "retrieve", "create", "update", "partial_update", "destroy"}
_VIEWS = ("rest_framework.views.APIView",
          *(f"rest_framework.generics.{name}" for name in
            ("GenericAPIView", "ListAPIView", "RetrieveAPIView", "CreateAPIView", "UpdateAPIView", "DestroyAPIView",
             "ListCreateAPIView", "RetrieveUpdateAPIView", "RetrieveDestroyAPIView", "RetrieveUpdateDestroyAPIView")),
          *(f"rest_framework.viewsets.{name}" for name in
            ("ViewSet", "GenericViewSet", "ModelViewSet", "ReadOnlyModelViewSet")))

KNOWLEDGE = PythonKnowledge(
    name="drf",
    request_handlers=tuple(RequestHandler(base, ("args", "kwargs")) for base in _VIEWS),  # the URL groups
    handlers=tuple(Handler("rest_framework", "URL path parameter", base=base, methods=_ACTIONS, leading=2)
                   for base in _VIEWS),
    parameter_sources=tuple(ParameterSource(name, ("data", "query_params"), "HTTP request data")
                            for name in ("request", "req")),
)
