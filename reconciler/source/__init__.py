"""Source: user TOML to data, with lines and located errors.

Owns reading the files a user writes (`billing.toml`, catalog files): where a field is
written (`toml_lines`), the position of a syntax error (`toml_errors`), pydantic errors
turned into located problems (`validation_errors`), and the `Diagnostic` they all produce
(`diagnostics`).

Must not know what a catalog or a setting means (that is `catalog/` and `settings`), and
imports nothing above `model`: every layer that checks user input builds on this one.
"""
