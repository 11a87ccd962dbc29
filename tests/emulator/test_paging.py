"""List pages read from the store with `LIMIT`/`OFFSET` (`Store.page`, `routing.stored_page`):
the same pages, in the same order, as slicing the whole sorted kind, and only the page
decoded (a page costs the page, not the kind)."""

from __future__ import annotations

import httpx
import pytest

from alguna_emulator.routing import ListParams, page, sort_docs, stored_page
from alguna_emulator.store import Store

# created_at out of creation order, repeated, empty and missing: the cases where the order
# by `created_at` and the creation order differ, and ties fall back to creation order.
CREATED = ["2026-04-02", "2026-04-01", None, "2026-04-02", "", "2026-03-30", "2026-04-01"]


def _store() -> Store:
    store = Store()
    for n, created in enumerate(CREATED * 3):
        doc: dict[str, object] = {"id": f"obj_{n:02d}", "name": f"n{n}"}
        if created is not None:
            doc["created_at"] = created
        store.insert("acct", "metric", doc)
    store.insert("other", "metric", {"id": "elsewhere", "created_at": "2026-01-01"})
    store.insert("acct", "plan", {"id": "a plan", "created_at": "2026-01-01"})
    return store


@pytest.mark.parametrize("sort", [None, "created_at:asc", "created_at", "created_at:desc"])
@pytest.mark.parametrize("limit", [1, 4, 100])
def test_stored_pages_equal_slices_of_the_sorted_kind(sort: str | None, limit: int) -> None:
    store = _store()
    everything = sort_docs(store.list("acct", "metric"), sort, ("created_at",))
    order = None if sort is None else f"created_at:{sort.partition(':')[2] or 'asc'}"
    for offset in range(0, len(everything) + 2):
        params = ListParams(limit=limit, offset=offset)
        assert stored_page(store, "acct", "metric", params, order) == page(everything, params)


def test_a_page_decodes_only_its_own_documents() -> None:
    store = _store()
    with store.transaction() as conn:  # last in order, and not a document: decoding fails
        conn.execute(
            "INSERT INTO objects (account, kind, id, parent, seq, doc) VALUES (?,?,?,?,?,?)",
            ("acct", "metric", "broken", None, 10**6, '"not a document"'),
        )
    first = stored_page(store, "acct", "metric", ListParams(limit=5, offset=0))
    assert [doc["id"] for doc in first["data"]] == [f"obj_{n:02d}" for n in range(5)]
    assert first["pagination"] == {"per_page": 5, "total_pages": 5}  # 22 documents
    with pytest.raises(ValueError):
        stored_page(store, "acct", "metric", ListParams(limit=5, offset=20))


async def test_list_routes_sort_and_page_as_before(client: httpx.AsyncClient) -> None:
    for n in range(7):
        body = {"name": f"Customer {n}", "currency": "USD", "aliases": [f"c{n}"]}
        (await client.post("/customers", json=body)).raise_for_status()
    listed = []
    for offset in (0, 3, 6):
        response = await client.get(
            "/customers", params={"limit": 3, "offset": offset, "sort": "created_at:desc"}
        )
        response.raise_for_status()
        assert response.json()["pagination"]["total_pages"] == 3
        listed += [c["name"] for c in response.json()["data"]]
    # One clock instant for all: ties keep creation order, descending as ascending.
    assert listed == [f"Customer {n}" for n in range(7)]
    bad = await client.get("/customers", params={"sort": "created_at:sideways"})
    assert bad.status_code == 400
