"""Re-exported from `alguna_pricing.model.matrix`, its home: the price vocabulary is part of the
pricing engine the reconciler shares with the emulator. Import from either; they are one.
"""

from alguna_pricing.model.matrix import (
    MATRIX_CELL_CLASSES as MATRIX_CELL_CLASSES,
)
from alguna_pricing.model.matrix import (
    MATRIX_CELL_TYPES as MATRIX_CELL_TYPES,
)
from alguna_pricing.model.matrix import (
    WILDCARD as WILDCARD,
)
from alguna_pricing.model.matrix import (
    CellLabel as CellLabel,
)
from alguna_pricing.model.matrix import (
    FixedCell as FixedCell,
)
from alguna_pricing.model.matrix import (
    GraduatedPercentageCell as GraduatedPercentageCell,
)
from alguna_pricing.model.matrix import (
    GraduatedTieredCell as GraduatedTieredCell,
)
from alguna_pricing.model.matrix import (
    MatrixCell as MatrixCell,
)
from alguna_pricing.model.matrix import (
    MatrixDimension as MatrixDimension,
)
from alguna_pricing.model.matrix import (
    PropertyKey as PropertyKey,
)
from alguna_pricing.model.matrix import (
    PropertyValue as PropertyValue,
)
from alguna_pricing.model.matrix import (
    TieredCell as TieredCell,
)
from alguna_pricing.model.matrix import (
    TieredPercentageCell as TieredPercentageCell,
)
from alguna_pricing.model.matrix import (
    UnitCell as UnitCell,
)
from alguna_pricing.model.matrix import (
    VolumePercentageCell as VolumePercentageCell,
)
