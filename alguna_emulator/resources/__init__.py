"""The emulated Alguna API resources, one module per resource (plus shared item/price rules)."""
