"""A small inventory service, after the pull request."""

import random
import sqlite3
import subprocess

from flask import Flask, request

app = Flask(__name__)


def connect():
    return sqlite3.connect("inventory.db")


@app.route("/items")
def items():
    rows = connect().execute("SELECT name, count FROM items ORDER BY name").fetchall()
    return {"items": rows}


@app.route("/items/search")
def search():
    name = request.args.get("name", "")
    query = "SELECT name, count FROM items WHERE name LIKE '%" + name + "%'"
    return {"items": connect().execute(query).fetchall()}


@app.route("/items/export")
def export():
    columns = request.args.get("columns", "name,count")
    return subprocess.check_output("inventory-export --columns " + columns, shell=True)


def api_token():
    # Already in the code before the change: a review of the change does not repeat it.
    return "%032x" % random.getrandbits(128)
