"""`apply_text` and `apply_json`: the result of an apply, and what to do next."""

from __future__ import annotations

from reconciler.plan import ApplyResult, ApplyStatus, Plan
from reconciler.report.apply_output import RERUN, apply_json, apply_text
from tests.report.plans import mixed_plan, unchanged_plan


def ids(plan: Plan) -> list[str]:
    return [c.change_id for c in plan.changes]


def test_success_counts_what_the_plan_applied_by_action() -> None:
    plan = mixed_plan()
    result = ApplyResult(plan_id=plan.plan_id, applied=tuple(ids(plan)))
    assert apply_text(result, plan) == (
        "Apply complete: 2 created, 1 updated, 1 replaced, 0 new versions, 0 activated,"
        " 0 canceled, 1 new revision.\n"
    )


def test_nothing_to_do() -> None:
    plan = unchanged_plan()
    text = apply_text(ApplyResult(plan_id=plan.plan_id), plan)
    assert text.startswith("Apply complete: nothing to do")


def test_partial_lists_failures_with_their_errors_and_says_how_to_finish() -> None:
    plan = mixed_plan()
    done, failed, *rest = ids(plan)
    result = ApplyResult(
        plan_id=plan.plan_id,
        applied=(done,),
        failed=(failed,),
        pending=tuple(rest),
        errors={failed: "HTTP 422: name already taken"},
    )
    assert result.status is ApplyStatus.PARTIAL
    lines = apply_text(result, plan).rstrip("\n").split("\n")
    assert lines[0] == "failed         bundle.addons (update): HTTP 422: name already taken"
    assert lines[1:4] == [
        "not attempted  plan.starter (new_revision)",
        "not attempted  customer.acme (create)",
        "not attempted  subscription.acme_main (create)",
    ]
    assert (
        "Apply incomplete: 1 of 5 changes applied (0 created, 0 updated, 1 replaced,"
        " 0 new versions, 0 activated, 0 canceled), 1 failed, 3 not attempted."
    ) in lines
    assert RERUN in lines
    assert "billing apply` again to finish: it picks up where this run stopped" in RERUN


def test_error_status_when_nothing_was_applied() -> None:
    plan = mixed_plan()
    first, *rest = ids(plan)
    result = ApplyResult(plan_id=plan.plan_id, failed=(first,), pending=tuple(rest))
    text = apply_text(result, plan)
    assert "failed         product.platform (replace): no error message recorded\n" in text
    assert "Apply failed: none of 5 changes applied, 1 failed, 4 not attempted.\n" in text
    assert RERUN in text


def test_an_interrupted_run_without_failures_only_says_how_to_finish() -> None:
    plan = mixed_plan()
    first, *rest = ids(plan)
    result = ApplyResult(plan_id=plan.plan_id, applied=(first,), pending=tuple(rest))
    text = apply_text(result, plan)
    assert text.rstrip("\n").split("\n")[-1] == RERUN
    assert "failed " not in text


def test_json_is_the_result_and_reads_back() -> None:
    plan = mixed_plan()
    first, second, *rest = ids(plan)
    result = ApplyResult(
        plan_id=plan.plan_id,
        applied=(first,),
        failed=(second,),
        pending=tuple(rest),
        errors={second: "boom"},
    )
    text = apply_json(result)
    assert text.endswith("}\n")
    assert ApplyResult.model_validate_json(text) == result
    assert '"status": "partial"' in text
