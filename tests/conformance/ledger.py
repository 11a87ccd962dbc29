"""What the conformance suite found, operation by operation, for the closing note.

An SDK operation is named `<client>.<method>` (`plans.create`). Each exercised operation ends
`pass` or `gap` (a documented, known disagreement that makes it fail; see KNOWN_GAPS in
operations.py). Non-SDK requests the emulator must refuse are counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Ledger:
    outcomes: dict[str, str] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)
    unserved: int = 0
    in_scope: int = 0

    def summary(self) -> str:
        passed = sum(1 for o in self.outcomes.values() if o == "pass")
        gaps = sum(1 for o in self.outcomes.values() if o == "gap")
        refused = sum(1 for status in self.refused.values() if status in (404, 405))
        return (
            f"SDK conformance: {self.in_scope} SDK operations on the managed resources; "
            f"{len(self.outcomes)} exercised, {passed} passing, {gaps} known gaps; "
            f"{self.unserved} not served (out of scope); "
            f"{refused}/{len(self.refused)} non-SDK operations refused (404/405)"
        )


LEDGER = Ledger()
