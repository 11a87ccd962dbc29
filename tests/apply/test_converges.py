"""Apply converges, for generated valid catalogs (`generated.valid_catalogs`): on a fresh
account, apply the plan, plan again and find nothing to do; apply that empty plan and
write nothing. One emulator serves every example, reset through its control API before
each (building a new app per example would cost more than the example).

The normal suite runs 25 examples; the full 200 run behind the slow marker
(`pytest -m slow tests/apply/test_converges.py`).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from reconciler.apply import apply_plan
from reconciler.model import DesiredState
from reconciler.plan import ApplyStatus
from tests.apply.generated import Direct, direct, valid_catalogs
from tests.apply.harness import describe

EXAMPLES = 25
FULL_EXAMPLES = 200


async def converges(env: Direct, desired: DesiredState) -> None:
    await env.control.reset()
    first, result = await env.apply(desired)
    assert first.has_changes
    assert result.status is ApplyStatus.SUCCESS, result.errors
    assert set(result.applied) == {c.change_id for c in first.changes}

    second, live = await env.plan(desired)
    assert not second.has_changes, "plan after apply is not empty:\n" + describe(second.changes)
    assert second.unmanaged == ()

    await env.control.clear_log()
    again = await apply_plan(second, desired, live, env.writer, env.reader)
    assert again.status is ApplyStatus.SUCCESS
    assert again.applied == again.pending == again.failed == ()
    assert await env.control.writes() == []
    assert await env.control.write_count() == 0


def test_apply_then_plan_is_empty_and_reapply_writes_nothing() -> None:
    _check_converges(EXAMPLES)


@pytest.mark.slow
def test_converges_on_the_full_count() -> None:
    _check_converges(FULL_EXAMPLES)


def _check_converges(examples: int) -> None:
    ran = 0
    with direct() as env:

        @settings(
            max_examples=examples,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(desired=valid_catalogs())
        def check(desired: DesiredState) -> None:
            nonlocal ran
            ran += 1
            env.run(converges(env, desired))

        check()
    assert ran >= examples
