"""Crash safety with real processes: kill -9 and Ctrl-C during `billing apply`."""
