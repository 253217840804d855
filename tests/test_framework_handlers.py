"""Which functions a framework calls with request data, and which of their parameters it fills
(lang/python/web.py over the handler conventions of the knowledge modules)."""

from __future__ import annotations

import tree_sitter as ts

from secreview.lang.python import web
from secreview.lang.python.file import PyFile


def _function(file: PyFile, name: str) -> ts.Node:
    return next(f for f in file.nodes_of_type("function_definition")
                if file.text_of(f.child_by_field_name("name")) == name)


def _request_parameters(code: str, function: str, *parameters: str) -> set[str]:
    file = PyFile("x.py", code)
    node = _function(file, function)
    return {p for p in parameters if web.fills_from_request(file, node, p)}


GRAPHENE = '''
import graphene

class Base(graphene.ObjectType):
    pass

class Query(Base):
    def resolve_user(root, info, user_id, name=None):
        return user_id

    def helper(self, user_id):
        return user_id

class Create(graphene.Mutation):
    def mutate(self, info, title):
        return title
'''


def test_graphene_resolvers_take_the_query_arguments_after_parent_and_info() -> None:
    assert _request_parameters(GRAPHENE, "resolve_user", "root", "info", "user_id", "name") == {"user_id", "name"}
    assert _request_parameters(GRAPHENE, "mutate", "self", "info", "title") == {"title"}
    assert not _request_parameters(GRAPHENE, "helper", "self", "user_id")


def test_strawberry_and_ariadne_resolvers() -> None:
    strawberry = ("import strawberry\n\n@strawberry.type\nclass Query:\n"
                  "    @strawberry.field(description='x')\n    def book(self, info, title: str) -> str:\n"
                  "        return title\n\n    def plain(self, title):\n        return title\n")
    assert _request_parameters(strawberry, "book", "self", "info", "title") == {"title"}
    assert not _request_parameters(strawberry, "plain", "self", "title")
    ariadne = ("from ariadne import QueryType\nquery = QueryType()\n\n@query.field('user')\n"
               "def resolve_user(obj, info, name):\n    return name\n")
    assert _request_parameters(ariadne, "resolve_user", "obj", "info", "name") == {"name"}


def test_a_convention_applies_only_where_its_framework_is_imported() -> None:
    code = "class Query(ObjectType):\n    def resolve_user(root, info, user_id):\n        return user_id\n"
    assert not _request_parameters(code, "resolve_user", "user_id")
    fields = ("from dataclasses import dataclass\n\nclass Registry:\n    @registry.field('x')\n"
              "    def build(self, name):\n        return name\n")
    assert not _request_parameters(fields, "build", "name")


def test_tornado_handler_methods_through_a_local_base_class() -> None:
    code = ("import tornado.web\n\nclass Base(tornado.web.RequestHandler):\n    pass\n\n"
            "class Item(Base):\n    def get(self, item_id):\n        self.write(item_id)\n\n"
            "    def render_item(self, item_id):\n        self.write(item_id)\n")
    assert _request_parameters(code, "get", "self", "item_id") == {"item_id"}
    assert not _request_parameters(code, "render_item", "item_id")
    file = PyFile("x.py", code)
    assert "tornado.web.RequestHandler" in web.class_ancestors(file, "Item", ("Base",))
    assert "aiohttp.web.View" not in web.class_ancestors(file, "Item", ("Base",))


def test_a_class_deriving_from_itself_by_name_does_not_loop() -> None:
    code = "import tornado.web\n\nclass Item(Item):\n    def get(self, item_id):\n        return item_id\n"
    assert not _request_parameters(code, "get", "item_id")


def test_socketio_handlers_take_the_message() -> None:
    python_socketio = ("import socketio\nsio = socketio.Server()\n\n@sio.on('lookup')\n"
                       "def lookup(sid, data):\n    return data\n")
    assert _request_parameters(python_socketio, "lookup", "sid", "data") == {"data"}
    flask_socketio = ("from flask_socketio import SocketIO\nsocketio = SocketIO()\n\n@socketio.on('ping')\n"
                      "def ping(message):\n    return message\n")
    assert _request_parameters(flask_socketio, "ping", "message") == {"message"}


MOCKED = '''
from unittest import mock
import mock as mock_backport
from flask import Flask

app = Flask(__name__)

@mock.patch("os.system")
def test_runs(system):
    pass

@mock_backport.patch("os.system")
def test_runs_backport(system):
    pass

@app.patch("/items/<name>")
def rename(name):
    pass
'''


def test_a_mock_patch_decorator_is_not_a_route() -> None:
    """`@mock.patch(...)` shares the method name of `@app.patch(...)`, but injects a test double."""
    assert _request_parameters(MOCKED, "test_runs", "system") == set()
    assert _request_parameters(MOCKED, "test_runs_backport", "system") == set()
    assert _request_parameters(MOCKED, "rename", "name") == {"name"}
