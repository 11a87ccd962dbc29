"""Rendering for humans and machines: the only package that formats output.

Returns strings; the CLI decides where they go.
"""
