"""The pricing engine, shared by the reconciler and the emulator: pure and exact.

    quote = price_charge(price, Usage(quantity=Decimal("250")), "USD")  # .charge, .usage
    quote.total  # Decimal("25.00")

One price for one billing period (`charge.price_charge`, a `quote.Quote`) and a whole
invoice (`invoice.compute_invoice`); usages (`usage`), the expression language
(`expression`), errors (`errors`), the price models (`model`).
Pure functions over the price models of `alguna_pricing.model` (decimal arithmetic and
pydantic models only: no I/O, no HTTP, no templates, no settings), so the emulator's period
close and the reconciler's `billing quote` / `billing invoice preview` agree to the cent by
construction. Imports neither `reconciler` nor `alguna_emulator` (import-linter enforces
it). Semantics of every model, the tier bound rule, the order of terms and the rounding rule
are in docs/pricing.md.

Import from those modules: this package module imports nothing, so that a caller that
needs one of them (`billing validate` needs the price models and the charge, not the
invoice) loads only what it uses (issue 19: start-up).
"""
