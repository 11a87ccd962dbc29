"""Re-exported from `alguna_pricing.model.values`, its home: the price vocabulary is part of the
pricing engine the reconciler shares with the emulator. Import from either; they are one.
"""

from alguna_pricing.model.values import (
    KEY_PATTERN as KEY_PATTERN,
)
from alguna_pricing.model.values import (
    MAX_UNITS as MAX_UNITS,
)
from alguna_pricing.model.values import (
    MONEY_LIMIT as MONEY_LIMIT,
)
from alguna_pricing.model.values import (
    BillingDirection as BillingDirection,
)
from alguna_pricing.model.values import (
    Count as Count,
)
from alguna_pricing.model.values import (
    CurrencyCode as CurrencyCode,
)
from alguna_pricing.model.values import (
    Day as Day,
)
from alguna_pricing.model.values import (
    Flag as Flag,
)
from alguna_pricing.model.values import (
    Frozen as Frozen,
)
from alguna_pricing.model.values import (
    Interval as Interval,
)
from alguna_pricing.model.values import (
    IntervalCount as IntervalCount,
)
from alguna_pricing.model.values import (
    Key as Key,
)
from alguna_pricing.model.values import (
    Money as Money,
)
from alguna_pricing.model.values import (
    Name as Name,
)
from alguna_pricing.model.values import (
    PaymentTerms as PaymentTerms,
)
from alguna_pricing.model.values import (
    Percentage as Percentage,
)
from alguna_pricing.model.values import (
    PeriodType as PeriodType,
)
from alguna_pricing.model.values import (
    PositiveCount as PositiveCount,
)
from alguna_pricing.model.values import (
    StrictInt as StrictInt,
)
from alguna_pricing.model.values import (
    Text as Text,
)
from alguna_pricing.model.values import (
    TrialDays as TrialDays,
)
