"""Invoices: the period close (`close`), the stored prices read for the shared pricing
engine (`engine_input`), the invoice lifecycle (`lifecycle`) and `GET /invoices` (`routes`)."""
