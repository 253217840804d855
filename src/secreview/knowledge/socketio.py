"""Socket.IO servers (Flask-SocketIO, python-socketio): an event handler's arguments are the client's message.

Flask-SocketIO calls `@socketio.on("event")` handlers with the message;
python-socketio calls `@sio.on("event")` handlers with the session id first.
"""

from __future__ import annotations

from secreview.knowledge.schema import Handler, PythonKnowledge

_MESSAGE = "Socket.IO message"

KNOWLEDGE = PythonKnowledge(
    name="socketio",
    handlers=(
        Handler("flask_socketio", _MESSAGE, decorator_method="on"),
        Handler("socketio", _MESSAGE, decorator_method="on", leading=1),  # `(sid, data)`
    ),
)
