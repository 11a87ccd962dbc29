"""Configuration of an emulator instance: rate limits and artificial latency.

Owns the knobs and their defaults (rate limits off, no latency: what unit tests want). Must
not enforce anything: the pipeline stages read these values on every request, so the control
API can change them at runtime.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RateLimits(BaseModel):
    """Token-bucket limits per API key, in requests (events for the events class) per second.

    The documented limits are 100/s standard, 10/s bulk and 1000 events/s. ``scale`` multiplies
    all three (e.g. 0.1 to provoke 429s with little traffic, 10 for a roomy benchmark); a
    bucket holds one second's worth, so a burst of that size passes before 429s start.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    enabled: bool = False
    standard: float = Field(default=100.0, gt=0)
    bulk: float = Field(default=10.0, gt=0)
    events: float = Field(default=1000.0, gt=0)
    scale: float = Field(default=1.0, gt=0)

    def rate(self, limit_class: str) -> float:
        """Tokens per second for a class (``standard``, ``bulk`` or ``events``)."""
        base = {"standard": self.standard, "bulk": self.bulk, "events": self.events}[limit_class]
        return base * self.scale


def rate_limits_from(value: bool | RateLimits) -> RateLimits:
    """``True``/``False`` switch the documented limits on/off; a RateLimits is used as is."""
    if isinstance(value, RateLimits):
        return value.model_copy()
    return RateLimits(enabled=value)


class Settings(BaseModel):
    """The runtime-adjustable settings of one emulator (the control API edits them in place)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    rate_limits: RateLimits = Field(default_factory=RateLimits)
    latency_ms: float = Field(default=0.0, ge=0, le=600_000)
