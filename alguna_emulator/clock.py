"""The emulator's clock and its timestamp wire format.

Owns "now" for everything time-dependent in the emulator (idempotency windows, version
effective dates, cancellation, event timestamps) so tests can freeze or move time through the
control API. Rate limiting deliberately does NOT use this clock: it measures real elapsed time.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

_TS_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
MIN_YEAR = 1970
MAX_YEAR = 2999


def format_ts(moment: datetime) -> str:
    """Render a moment as the API's timestamp form, e.g. ``2026-04-01T10:00:00Z``."""
    return moment.astimezone(UTC).strftime(_TS_FORMAT)


def parse_ts(text: str) -> datetime:
    """Parse a request date (``YYYY-MM-DD``) or an RFC 3339 timestamp into an aware UTC moment.

    Raises ValueError on anything else, which request validation turns into a 422.
    """
    if len(text) == 10:
        day = date.fromisoformat(text)
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    elif "T" not in text and " " not in text:
        raise ValueError(f"not a date or timestamp: {text!r}")
    else:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise ValueError(f"timestamp needs a timezone (e.g. Z): {text!r}")
        moment = moment.astimezone(UTC).replace(microsecond=0)
    # Contract arithmetic adds up to 50 years; keeping dates in a sane range keeps it valid.
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise ValueError(f"year must be between {MIN_YEAR} and {MAX_YEAR}: {text!r}")
    return moment


def normalize_ts(text: str) -> str:
    """A request date or timestamp, echoed the way the API echoes it (second precision, Z)."""
    return format_ts(parse_ts(text))


class Clock:
    """Real time plus an offset, or a frozen moment; safe to share between threads."""

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = timedelta(0)
        self._frozen: datetime | None = None
        if start is not None:
            self._frozen = start.astimezone(UTC).replace(microsecond=0)

    def now(self) -> datetime:
        """The emulator's current moment (UTC, second precision)."""
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return (datetime.now(UTC) + self._offset).replace(microsecond=0)

    @property
    def frozen(self) -> bool:
        """Whether time stands still until set or advanced."""
        with self._lock:
            return self._frozen is not None

    def set(self, moment: datetime, *, frozen: bool) -> None:
        """Jump to a moment; frozen keeps it there, otherwise time flows on from it."""
        moment = moment.astimezone(UTC).replace(microsecond=0)
        with self._lock:
            if frozen:
                self._frozen = moment
            else:
                self._frozen = None
                self._offset = moment - datetime.now(UTC)

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward (or back, with a negative delta); returns the new now.
        Raises OverflowError, the clock unchanged, when the new moment would fall outside
        the years 1 to 9999."""
        with self._lock:
            if self._frozen is not None:
                self._frozen = self._frozen + delta
            else:
                offset = self._offset + delta
                datetime.now(UTC) + offset  # raises before anything changes
                self._offset = offset
        return self.now()
