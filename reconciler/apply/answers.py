"""What a write's answer must carry before apply builds on it.

A create is answered with the object it made; apply records that object's `id` and later
changes refer to it (a plan's items name its products, a subscription its customer). An
answer that is not that object, whatever the reason (a proxy's cached body, an API bug,
a hostile server), must stop the apply before the wrong id is written anywhere:

- the answer is a JSON object with a non-empty string `id`;
- it carries every natural key that was sent (`live.identity`: a metric's, plan's or
  bundle's name, a product's sku, a customer's aliases, a subscription's `billing_key`),
  so it is the object this create made, not another;
- the id is not one apply already knows as another object (listed live, managed or not,
  or created earlier in this run), and does not have another kind's id prefix
  (`prod_`, `mtr_`, `pln_`, `bnd_`; docs/api-compatibility.md).

A failed check raises `ApiProtocolError`: the change fails, the apply stops, and a re-run
finds the object the create really made through its natural key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from reconciler.api.errors import ApiProtocolError
from reconciler.live.identity import live_natural_keys
from reconciler.model import KIND_FACTS, Kind


def created_id(
    kind: Kind,
    key: str,
    path: str,
    sent: Mapping[str, Any],
    answer: Mapping[str, Any],
    owner: Callable[[str], tuple[str, str] | None],
) -> str:
    """The remote id of `kind`.`key` from the answer to its create, POSTed to `path` with
    body `sent`. `owner(id)` is the (kind, key) apply already knows under an id, if any.
    Raises ApiProtocolError when the answer is not the object that was sent."""
    what = f"the create of {kind}.{key} was answered"

    def refuse(problem: str) -> ApiProtocolError:
        return ApiProtocolError(
            method="POST",
            path=path,
            status=200,
            detail=f"{what} {problem}; stopping before anything refers to it",
        )

    remote = answer.get("id")
    if not isinstance(remote, str) or not remote.strip():
        raise refuse("without an `id`")
    missing = sorted(set(live_natural_keys(kind, sent)) - set(live_natural_keys(kind, answer)))
    if missing:
        natural = KIND_FACTS[kind].natural_key
        raise refuse(f"with another object (it does not carry the {natural} {missing[0]!r})")
    other = owner(remote)
    if other is not None and other != (kind, key):
        raise refuse(f"with the id of {other[0]}.{other[1]} ({remote})")
    for other_kind, facts in KIND_FACTS.items():
        if other_kind != kind and facts.id_prefix and remote.startswith(facts.id_prefix):
            raise refuse(f"with a {other_kind} id ({remote})")
    return remote


def answer_field(answer: Mapping[str, Any], name: str, method: str, path: str) -> Any:
    """`answer[name]`, or ApiProtocolError when the answer lacks it."""
    if name not in answer or answer[name] is None:
        raise ApiProtocolError(
            method=method,
            path=path,
            status=200,
            detail=f"the answer has no `{name}`; stopping",
        )
    return answer[name]
