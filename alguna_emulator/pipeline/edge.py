"""The edge of the app: what leaves it for the client.

Owns three last-moment rules for API requests: an unhandled exception becomes a
``{status: 500, detail}`` response (never a traceback); every 5xx and 429 carries
``Transient-Error: true`` unless an injected fault said otherwise; and a request whose
connection a fault dropped leaves as the drop marker (see scope.DROP_HEADER), which the
in-process transport and serve()'s socket wrapper turn into a dropped connection. Must not
decide whether a request fails.
"""

from __future__ import annotations

import logging

from starlette.types import Message, Receive, Scope, Send

from ..errors import error_response, is_transient
from .scope import DROP_HEADER, DROP_STATUS, DROP_VALUE, flags
from .stage import Stage

_log = logging.getLogger("alguna_emulator")


class Edge(Stage):
    """Buffer the response, then send it, a 500 instead of a crash, or a drop marker."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        try:
            await self.app(scope, receive, capture)
        except Exception as exc:
            _log.exception("unhandled error in %s %s", scope["method"], scope["path"])
            messages = []
            response = error_response(500, f"Internal error ({type(exc).__name__})")
            await response(scope, receive, capture)
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        if start is None:
            return  # the client went away before an answer existed
        request_flags = flags(scope)
        request_flags.status = int(start["status"])
        if request_flags.drop:
            marker = [(DROP_HEADER.encode(), DROP_VALUE.encode())]
            await send({"type": "http.response.start", "status": DROP_STATUS, "headers": marker})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        headers = list(start.get("headers", []))
        if is_transient(request_flags.status) and not request_flags.non_transient:
            headers.append((b"transient-error", b"true"))
        await send({**start, "headers": headers})
        for message in messages:
            if message["type"] == "http.response.body":
                await send(message)
