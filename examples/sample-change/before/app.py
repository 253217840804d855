"""A small inventory service, before the pull request."""

import random
import sqlite3

from flask import Flask, request

app = Flask(__name__)


def connect():
    return sqlite3.connect("inventory.db")


@app.route("/items")
def items():
    rows = connect().execute("SELECT name, count FROM items ORDER BY name").fetchall()
    return {"items": rows}


def api_token():
    # Already in the code before the change: a review of the change does not repeat it.
    return "%032x" % random.getrandbits(128)
