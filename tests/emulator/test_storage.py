"""Storage: the embedded file database, reset_database, and concurrent writers."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from alguna_emulator import create_app, emulator_transport, reset_database
from tests.emulator.clients import api_client


async def test_embedded_database_is_created_on_first_use_and_survives(tmp_path: Path) -> None:
    db = tmp_path / ".billing" / "local.db"
    async with api_client(emulator_transport(db_path=str(db))) as client:
        made = await client.post(
            "/customers", json={"name": "A", "currency": "USD", "aliases": ["keep"]}
        )
    assert db.exists()
    async with api_client(emulator_transport(db_path=str(db))) as client:
        assert (await client.get("/customers/keep")).json() == made.json()


async def test_reset_database_empties_a_file(tmp_path: Path) -> None:
    db = tmp_path / "emu.db"
    async with api_client(emulator_transport(db_path=str(db))) as client:
        await client.post("/customers", json={"name": "A", "currency": "USD"})
    reset_database(str(db))
    async with api_client(emulator_transport(db_path=str(db))) as client:
        assert (await client.get("/customers")).json()["data"] == []
    fresh = tmp_path / "new" / "x.db"
    reset_database(str(fresh))
    assert fresh.exists()


async def test_interrupted_idempotency_keys_are_released_on_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "emu.db")
    app = create_app(db_path=db)
    app.state.emulator.keys.reserve("acct", "k", "POST", "/customers", "fp")
    app.state.emulator.store.close()
    reopened = create_app(db_path=db)
    assert reopened.state.emulator.keys.reserve("acct", "k", "POST", "/customers", "fp") is None


async def test_concurrent_writers_from_many_threads(tmp_path: Path) -> None:
    app = create_app(db_path=str(tmp_path / "emu.db"))
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        async def run() -> None:
            async with api_client(emulator_transport(app)) as client:
                for i in range(10):
                    response = await client.post(
                        "/customers",
                        json={"name": f"c{n}-{i}", "currency": "USD", "aliases": [f"a{n}-{i}"]},
                    )
                    assert response.status_code == 201, response.text

        try:
            asyncio.run(run())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    async with api_client(emulator_transport(app)) as client:
        pages = (await client.get("/customers", params={"limit": 100})).json()
    assert len(pages["data"]) == 60


async def test_factory_options_latency_and_clock() -> None:
    start = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    transport = emulator_transport(latency_ms=100, clock_start=start)
    async with api_client(transport) as client:
        began = time.perf_counter()
        made = await client.post("/customers", json={"name": "A", "currency": "USD"})
        assert time.perf_counter() - began >= 0.1
    assert made.json()["created_at"] == "2030-01-02T03:04:05Z"
