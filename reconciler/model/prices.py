"""Re-exported from `alguna_pricing.model.prices`, its home: the price vocabulary is part of the
pricing engine the reconciler shares with the emulator. Import from either; they are one.
"""

from alguna_pricing.model.prices import (
    PRICE_CLASSES as PRICE_CLASSES,
)
from alguna_pricing.model.prices import (
    PRICE_TYPES as PRICE_TYPES,
)
from alguna_pricing.model.prices import (
    TIERED_TYPES as TIERED_TYPES,
)
from alguna_pricing.model.prices import (
    Discount as Discount,
)
from alguna_pricing.model.prices import (
    DiscountType as DiscountType,
)
from alguna_pricing.model.prices import (
    Expression as Expression,
)
from alguna_pricing.model.prices import (
    ExpressionCharge as ExpressionCharge,
)
from alguna_pricing.model.prices import (
    ExpressionPrice as ExpressionPrice,
)
from alguna_pricing.model.prices import (
    FixedPrice as FixedPrice,
)
from alguna_pricing.model.prices import (
    GraduatedPercentagePrice as GraduatedPercentagePrice,
)
from alguna_pricing.model.prices import (
    GraduatedTieredPrice as GraduatedTieredPrice,
)
from alguna_pricing.model.prices import (
    MatrixPrice as MatrixPrice,
)
from alguna_pricing.model.prices import (
    PercentageTier as PercentageTier,
)
from alguna_pricing.model.prices import (
    PrepaidFixedTieredPrice as PrepaidFixedTieredPrice,
)
from alguna_pricing.model.prices import (
    PrepaidTieredPrice as PrepaidTieredPrice,
)
from alguna_pricing.model.prices import (
    Price as Price,
)
from alguna_pricing.model.prices import (
    PriceCommon as PriceCommon,
)
from alguna_pricing.model.prices import (
    Spend as Spend,
)
from alguna_pricing.model.prices import (
    Tier as Tier,
)
from alguna_pricing.model.prices import (
    TieredPercentagePrice as TieredPercentagePrice,
)
from alguna_pricing.model.prices import (
    TieredPrice as TieredPrice,
)
from alguna_pricing.model.prices import (
    UnitPrice as UnitPrice,
)
from alguna_pricing.model.prices import (
    VolumePercentagePrice as VolumePercentagePrice,
)
