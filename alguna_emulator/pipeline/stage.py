"""The base of every pipeline stage: API requests go through it, everything else around it.

Owns the bypass rule the stages share (see scope.is_api_request): a request to the control
API or the OpenAPI/docs pages goes straight to the wrapped app. Must not do what a stage does.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from .scope import is_api_request


class Stage:
    """An ASGI stage that handles API requests and passes every other request straight on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if is_api_request(scope):
            await self.handle(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle an API request (call ``self.app`` to run the rest of the pipeline)."""
        raise NotImplementedError
