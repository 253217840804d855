"""GraphQL endpoint served with the in-browser GraphiQL IDE switched on.

## What it does
Flags GraphQL views created with a constant `graphiql=True`: Flask-GraphQL and
graphql-server `GraphQLView.as_view(..., graphiql=True)`, graphene-django
`GraphQLView.as_view(graphiql=True)`, Starlette's `GraphQLApp(...,
graphiql=True)`, Strawberry's `GraphQLView`/`GraphQLRouter(..., graphiql=True)`.
A value computed at run time (`graphiql=settings.DEBUG`) is a deliberate
switch and is not reported.

This is an audit finding (no evidence level of its own): GraphiQL is a page
that sends ordinary queries, and GraphQL servers answer introspection queries
whether it is on or not; many public APIs publish their schema on purpose.
Whether the endpoint should be explorable by anyone is a decision the code
does not show, so a security team would not change every instance.

## Why is this bad?
On a public endpoint the IDE hands every visitor an explorer of the whole API:
introspection lists every type, field, argument and mutation, including the
ones the application's own pages never call (`isAdmin`, internal mutations),
and the editor makes probing them for missing authorization or injection
trivial (CWE-200). It is a development tool left in production.

## Example
```python
from flask import Flask
from flask_graphql import GraphQLView

from .schema import schema

app = Flask(__name__)
app.add_url_rule("/graphql", view_func=GraphQLView.as_view("graphql", schema=schema, graphiql=True))
```

## Use instead
```python
import os

from flask import Flask
from flask_graphql import GraphQLView

from .schema import schema

app = Flask(__name__)
app.add_url_rule("/graphql", view_func=GraphQLView.as_view(
    "graphql", schema=schema, graphiql=os.environ.get("GRAPHIQL") == "1"))
```

## References
- https://cwe.mitre.org/data/definitions/200.html
- https://cheatsheetseries.owasp.org/cheatsheets/GraphQL_Cheat_Sheet.html
"""

from __future__ import annotations

from secreview.lang.python.file import Call, PyFile
from secreview.model import Confidence, Severity
from secreview.rules.python import CallRule

# packages whose GraphQL views take `graphiql=`
_GRAPHQL_SERVERS = ("flask_graphql", "graphql_server", "graphene_django", "starlette.graphql", "strawberry",
                    "sanic_graphql", "aiohttp_graphql", "graphene_tornado", "django_graphql")
_VIEWS = ("GraphQLView", "AsyncGraphQLView", "GraphQLApp", "GraphQLRouter", "TornadoGraphQLHandler")


class GraphqlIdeEnabled(CallRule):
    id = "graphql-ide-enabled"
    cwe = 200
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    methods = ("as_view", *_VIEWS)
    message = "GraphQL endpoint serves the GraphiQL IDE: {code}"
    description = (
        "`{code}` serves the GraphiQL IDE on the GraphQL endpoint. Anyone who reaches it gets an explorer of "
        "the whole schema (every type, field and mutation, also those the application's pages never use) and "
        "an editor to probe them for missing authorization and injection."
    )
    solution = (
        "Switch the IDE off outside development: `graphiql=False`, or drive it from configuration "
        "(`graphiql=settings.DEBUG`); if the schema must stay private, also disable introspection for "
        "unauthenticated clients (a validation rule such as graphql-core's `NoSchemaIntrospectionCustomRule`)."
    )

    def matches(self, file: PyFile, call: Call) -> dict[str, str] | None:
        if file.constant_value(call.kwargs.get("graphiql")) is not True:
            return None
        view = call.receiver if call.method == "as_view" else call.node.child_by_field_name("function")
        name = file.qualified_name(view) or ""
        if name.rsplit(".", 1)[-1] not in _VIEWS or not name.startswith(_GRAPHQL_SERVERS):
            return None
        return {}
