"""Import filters, dependencies, layouts, existing files and ambiguous objects.

Each test creates objects out of band (raw API requests) in the `sandbox` account of a
fresh in-process emulator, imports, and plans again through the real code.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from reconciler.commands.importing import ImportOptions, ImportResult, import_live
from reconciler.commands.workflow import load_catalog
from tests.builders import EXAMPLE_CATALOG
from tests.importing.harness import Bench, bench, create_out_of_band, example_account


async def run_import(space: Bench, out_dir: Path | None = None, **options: object) -> ImportResult:
    project = space.project
    catalog = load_catalog(project, "sandbox")
    async with space.target("sandbox") as target:
        return await import_live(
            project,
            catalog,
            target,
            ImportOptions(out_dir=out_dir or space.root / "catalog", **options),  # type: ignore[arg-type]
        )


def addresses(result: ImportResult) -> set[str]:
    return {i.address for i in result.imported}


async def test_kind_filter_pulls_in_what_the_plans_refer_to(tmp_path: Path) -> None:
    async with bench(tmp_path / "p") as space:
        async with space.writer("sandbox") as writer:
            await create_out_of_band(writer, example_account())
        result = await run_import(space, kinds=("plan",))

        imported = addresses(result)
        assert {"plan.developer", "plan.growth", "plan.enterprise"} <= imported
        assert "bundle.payments" in imported and "product.seat_std" in imported
        assert not any(a.startswith(("customer.", "subscription.")) for a in imported)
        by_address = {i.address: i for i in result.imported}
        assert by_address["plan.growth"].needed_by == ()
        assert "plan.growth" in by_address["bundle.payments"].needed_by
        planned = await space.plan("sandbox")
        assert planned.plan.changes == ()
        left = {u.kind for u in planned.plan.unmanaged}
        assert left == {"customer", "subscription"}, planned.plan.unmanaged


async def test_name_pattern_matches_key_natural_key_or_name(tmp_path: Path) -> None:
    async with bench(tmp_path / "p") as space:
        async with space.writer("sandbox") as writer:
            await create_out_of_band(writer, example_account())
        result = await run_import(space, pattern="GROWTH")

        plans = {a for a in addresses(result) if a.startswith("plan.")}
        assert plans == {"plan.growth"}
        assert (await space.plan("sandbox")).plan.changes == ()


async def test_objects_already_declared_stay_as_they_are(tmp_path: Path) -> None:
    async with bench(tmp_path / "p") as space:
        async with space.writer("sandbox") as writer:
            await create_out_of_band(writer, example_account())
        for name in ("metrics.toml", "products.toml"):
            shutil.copy(EXAMPLE_CATALOG / name, space.root / "catalog" / name)
        result = await run_import(space)

        imported = addresses(result)
        assert not any(a.startswith(("metric.", "product.")) for a in imported)
        plans = (space.root / "catalog" / "imported_plans.toml").read_text()
        assert 'product = "seats"' in plans, "references use the declared keys"
        planned = await space.plan("sandbox")
        assert planned.plan.changes == () and planned.plan.unmanaged == ()


async def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    async with bench(tmp_path / "p") as space:
        async with space.writer("sandbox") as writer:
            await create_out_of_band(writer, example_account())
        mine = space.root / "catalog" / "imported_plans.toml"
        mine.write_text("# mine: a person's notes\n")
        result = await run_import(space, kinds=("metric",))
        assert "catalog/imported_metrics.toml" in result.files
        result = await run_import(space, kinds=("plan",))

        assert mine.read_text() == "# mine: a person's notes\n"
        assert "catalog/imported_plans_2.toml" in result.files
        assert (await space.plan("sandbox")).plan.changes == ()


async def test_one_file_per_resource(tmp_path: Path) -> None:
    async with bench(tmp_path / "p") as space:
        async with space.writer("sandbox") as writer:
            await create_out_of_band(writer, example_account())
        result = await run_import(space, layout="resource", kinds=("bundle",))

        assert set(result.files) == {
            "catalog/bundles/payments.toml",
            "catalog/products/card_processing.toml",
            "catalog/products/fx_conversion.toml",
            "catalog/products/payouts.toml",
            "catalog/metrics/card_payment_volume.toml",
            "catalog/metrics/card_payments.toml",
            "catalog/metrics/fx_converted_volume.toml",
            "catalog/metrics/payout_volume.toml",
        }
        assert (await space.plan("sandbox")).plan.changes == ()


async def test_ambiguous_and_replaced_objects_are_skipped_with_a_reason(tmp_path: Path) -> None:
    async with bench(tmp_path / "p") as space:
        async with space.writer("sandbox") as writer:
            for index in (1, 2):
                await writer.create(
                    "/metrics",
                    {
                        "name": "Calls",
                        "event_name": f"call.v{index}",
                        "aggregation": {"method": "count"},
                    },
                    key=f"dup{index}",
                )
            await writer.create(
                "/metrics",
                {
                    "name": "Old calls~replaced-20260101T000000Z-abc",
                    "event_name": "x",
                    "aggregation": {"method": "count"},
                },
                key="tombstone",
            )
            await writer.create(
                "/metrics",
                {"name": "Unique", "event_name": "u", "aggregation": {"method": "count"}},
                key="unique",
            )
        result = await run_import(space)

        assert addresses(result) == {"metric.unique"}
        reasons = sorted(s.reason for s in result.skipped)
        assert sum("ambiguous" in r for r in reasons) == 2
        assert any("earlier replace" in r for r in reasons)


async def test_files_outside_the_catalog_folder_are_flagged(tmp_path: Path) -> None:
    async with bench(tmp_path / "p") as space:
        async with space.writer("sandbox") as writer:
            await create_out_of_band(writer, example_account())
        result = await run_import(space, out_dir=tmp_path / "review", kinds=("metric",))

        assert result.outside_catalog
        assert (tmp_path / "review" / "imported_metrics.toml").is_file()
        assert result.residual == ()
        still = (await space.plan("sandbox")).plan.unmanaged
        assert any(u.kind == "metric" for u in still)
