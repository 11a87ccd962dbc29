"""The price vocabulary the engine computes on: the eleven pricing models as frozen pydantic
models (`prices`), their tiers and matrix cells, the value types they are built from
(`values`) and the currency table (`currency`). The reconciler's catalog models re-export
them (`reconciler.model`), so a catalog price is an engine price.
"""
