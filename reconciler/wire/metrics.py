"""Metrics: catalog `Metric` <-> wire billable metric.

Wire body: `{name, description?, event_name, aggregation {method, field?},
filter_groups [{operator, filters [{field, operator, value}]}]}`. Back from the wire,
response-only keys (`id`, `tag_ids`, timestamps) are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.model import Metric
from reconciler.model.resources import Aggregation, Filter, FilterGroup
from reconciler.wire.errors import reading
from reconciler.wire.values import WireObject, omit_none


def metric_to_wire(metric: Metric) -> WireObject:
    return omit_none(
        {
            "name": metric.name,
            "description": metric.description,
            "event_name": metric.event_name,
            "aggregation": omit_none(
                {"method": metric.aggregation.method, "field": metric.aggregation.field}
            ),
            "filter_groups": [
                {
                    "operator": group.operator,
                    "filters": [
                        {"field": f.field, "operator": f.operator, "value": f.value}
                        for f in group.filters
                    ],
                }
                for group in metric.filter_groups
            ],
        }
    )


def metric_from_wire(obj: Mapping[str, Any], where: str = "metric") -> Metric:
    with reading(where):
        aggregation = obj["aggregation"]
        return Metric(
            name=obj["name"],
            description=obj.get("description"),
            event_name=obj["event_name"],
            aggregation=Aggregation(
                # The SDK's AggregationResponse always has a `field`: "" when there is none.
                method=aggregation["method"],
                field=aggregation.get("field") or None,
            ),
            filter_groups=tuple(
                FilterGroup(
                    operator=group.get("operator", "and"),
                    filters=tuple(
                        Filter(
                            field=f["field"], operator=f.get("operator", "equal"), value=f["value"]
                        )
                        for f in group["filters"]
                    ),
                )
                for group in obj.get("filter_groups") or ()
            ),
        )
