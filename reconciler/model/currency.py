"""Re-exported from `alguna_pricing.model.currency`, its home: the price vocabulary is part of the
pricing engine the reconciler shares with the emulator. Import from either; they are one.
"""

from alguna_pricing.model.currency import (
    MINOR_UNITS as MINOR_UNITS,
)
from alguna_pricing.model.currency import (
    SHOWN_DECIMALS as SHOWN_DECIMALS,
)
from alguna_pricing.model.currency import (
    is_known_currency as is_known_currency,
)
from alguna_pricing.model.currency import (
    minor_units as minor_units,
)
from alguna_pricing.model.currency import (
    shown_amount as shown_amount,
)
