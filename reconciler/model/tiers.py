"""Re-exported from `alguna_pricing.model.tiers`, its home: the price vocabulary is part of the
pricing engine the reconciler shares with the emulator. Import from either; they are one.
"""

from alguna_pricing.model.tiers import (
    PercentageTier as PercentageTier,
)
from alguna_pricing.model.tiers import (
    Tier as Tier,
)
