"""The FastAPI handler of docs/webhooks.md, run as written: a signed delivery is handled
once, a retry is acknowledged, a tampered one is a 400."""

from __future__ import annotations

import json

import httpx
from fastapi import FastAPI, HTTPException, Request

from reconciler.webhooks import WebhookVerificationError, generate_secret, sign, verify

SECRETS = [generate_secret()]
handled: list[str] = []
seen: set[str] = set()
app = FastAPI()


@app.post("/webhooks/alguna")
async def alguna_webhook(request: Request) -> dict[str, bool]:
    body = await request.body()
    try:
        hook = verify(body, request.headers, SECRETS)
    except WebhookVerificationError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    if hook.id in seen:
        return {"received": True}
    seen.add(str(hook.id))
    handled.append(hook.type)
    return {"received": True}


async def test_the_documented_handler() -> None:
    body = json.dumps({"type": "subscription.activated", "data": {"id": "X"}}).encode()
    headers = sign(body, SECRETS[0], msg_id="msg_1")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://app"
    ) as client:
        for _ in range(2):  # a delivery and its retry
            answer = await client.post("/webhooks/alguna", content=body, headers=headers)
            assert answer.status_code == 200
        tampered = await client.post("/webhooks/alguna", content=body + b" ", headers=headers)
    assert handled == ["subscription.activated"]
    assert tampered.status_code == 400
    assert SECRETS[0] not in tampered.text
