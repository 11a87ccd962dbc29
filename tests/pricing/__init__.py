"""Tests of the pricing engine (reconciler.pricing)."""
