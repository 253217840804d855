"""A small, deliberately vulnerable service used to demonstrate secreview.

Every function here holds a defect a security reviewer would flag; run
`secreview examples/vulnerable_app.py` to see them reported.
"""

import hashlib
import os
import pickle
import random
import sqlite3
import subprocess
import tempfile

import requests
import yaml
from flask import Flask, request

app = Flask(__name__)
DB_PASSWORD = "s3cr3t-admin-pw"


@app.route("/ping")
def ping():
    host = request.args.get("host")
    return subprocess.check_output("ping -c 1 " + host, shell=True)


@app.route("/user")
def user():
    name = request.args.get("name")
    db = sqlite3.connect("app.db")
    return str(db.execute("SELECT * FROM users WHERE name = '%s'" % name).fetchall())


@app.route("/import", methods=["POST"])
def import_settings():
    settings = yaml.load(request.data, Loader=yaml.Loader)
    session = pickle.loads(request.cookies["session"].encode())
    return str((settings, session))


def reset_token():
    return "%032x" % random.getrandbits(128)


def store_password(password):
    return hashlib.md5(password.encode()).hexdigest()


def fetch_report(url):
    return requests.get(url, verify=False).text


def save_state(state_path, data):
    tmp_path = state_path + ".tmp"
    fd = os.open(tmp_path, os.O_WRONLY | os.O_CREAT, 0o644)
    with os.fdopen(fd, "w") as handle:
        handle.write(data)
    os.rename(tmp_path, state_path)


def scratch_file():
    return open(tempfile.mktemp(), "w")


def remove_stale(path):
    if os.path.exists(path):
        os.remove(path)


def load_optional(path):
    try:
        return open(path).read()
    except Exception:
        pass


if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)
