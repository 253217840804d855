"""GraphQL servers (Graphene, Strawberry, Ariadne): a resolver's arguments are the query's, chosen by the client.

A resolver is called as `resolver(parent, info, **arguments)`: the parent object
(what the enclosing field resolved to) and the resolve info are the server's;
every argument after them comes from the query text.  A Graphene mutation's
`Input` object is one such argument.
"""

from __future__ import annotations

from secreview.knowledge.schema import Handler, PythonKnowledge

_GRAPHENE_TYPES = ("graphene.ObjectType", "graphene.Interface", "graphene_sqlalchemy.SQLAlchemyObjectType",
                   "graphene_django.DjangoObjectType", "graphene_django.types.DjangoObjectType")
_GRAPHENE_MUTATIONS = (("graphene.Mutation", "mutate"), ("graphene.relay.ClientIDMutation", "mutate_and_get_payload"),
                       ("graphene_django.forms.mutation.DjangoFormMutation", "perform_mutate"))
_STRAWBERRY_RESOLVERS = ("strawberry.field", "strawberry.mutation", "strawberry.subscription")
# Strawberry passes the resolve info and the parent object only to parameters with these names
_STRAWBERRY_CONTEXT = frozenset({"info", "root"})
_ARGUMENT = "GraphQL query argument"

KNOWLEDGE = PythonKnowledge(
    name="graphql",
    handlers=(
        *(Handler(base.split(".")[0], _ARGUMENT, base=base, method_prefixes=("resolve_",), leading=2)
          for base in _GRAPHENE_TYPES),
        *(Handler(base.split(".")[0], _ARGUMENT, base=base, methods=frozenset({method}), leading=2)
          for base, method in _GRAPHENE_MUTATIONS),
        *(Handler("strawberry", _ARGUMENT, decorator=name, context_parameters=_STRAWBERRY_CONTEXT)
          for name in _STRAWBERRY_RESOLVERS),
        # `@query.field("user")` on an ObjectType / QueryType / MutationType: `(obj, info, **arguments)`
        Handler("ariadne", _ARGUMENT, decorator_method="field", leading=2),
    ),
)
