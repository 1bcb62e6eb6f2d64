"""Service levels: how long staff may take to first answer and to resolve a ticket, per priority.

The targets are hours from the ticket's opening (SPEC §7.2); HELPDESK_SLA overrides any of them as JSON,
e.g. {"urgent": {"response_hours": 2, "resolution_hours": 12}}. A target is at risk once 75 % of it
is used while its clock runs, and breached once all of it is used.
"""
from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from typing import NamedTuple

PRIORITIES = ("low", "normal", "high", "urgent")
AT_RISK_SHARE = 0.75


class Target(NamedTuple):
    response_hours: float
    resolution_hours: float


DEFAULT_TARGETS: dict[str, Target] = {
    "urgent": Target(1, 8), "high": Target(4, 48), "normal": Target(24, 120), "low": Target(72, 240),
}


class DueTimes(NamedTuple):
    """When a ticket's targets are at risk and when they are due."""

    response_risk_at: datetime
    response_due_at: datetime
    resolution_risk_at: datetime
    resolution_due_at: datetime


class BadServiceLevels(ValueError):
    """HELPDESK_SLA is not the JSON the store understands."""


def read_targets(text: str | None) -> dict[str, Target]:
    """Return the targets per priority: the defaults, overridden by the JSON *text* (HELPDESK_SLA)."""
    targets = dict(DEFAULT_TARGETS)
    if not text or not text.strip():
        return targets
    example = 'such as {"urgent": {"response_hours": 2, "resolution_hours": 12}}'
    try:
        given = json.loads(text)
    except ValueError:
        raise BadServiceLevels(f"HELPDESK_SLA is not valid JSON; give targets per priority {example}.") from None
    if not isinstance(given, dict):
        raise BadServiceLevels(f"HELPDESK_SLA must be a JSON object of targets per priority, {example}.")
    for priority, hours in given.items():
        if priority not in PRIORITIES:
            raise BadServiceLevels(f"HELPDESK_SLA names {priority!r}; the priorities are {', '.join(PRIORITIES)}.")
        if not isinstance(hours, dict) or not set(hours) <= set(Target._fields):
            raise BadServiceLevels(f"HELPDESK_SLA's {priority} must be an object with response_hours and/or "
                                   f"resolution_hours, {example}.")
        for name, value in hours.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or not 0 < value <= 100_000:
                raise BadServiceLevels(f"HELPDESK_SLA's {priority}.{name} must be a number of hours above 0 "
                                       "and at most 100000.")
        targets[priority] = targets[priority]._replace(**hours)
    return targets


def due_times(opened_at: datetime, target: Target) -> DueTimes:
    """Return when the response and resolution targets of a ticket opened at *opened_at* are at risk and due."""
    response, resolution = timedelta(hours=target.response_hours), timedelta(hours=target.resolution_hours)
    return DueTimes(opened_at + response * AT_RISK_SHARE, opened_at + response,
                    opened_at + resolution * AT_RISK_SHARE, opened_at + resolution)


def sql_timestamp(moment: datetime) -> str:
    """Return *moment* (a naive UTC instant the store made, never client text) as a SQL literal."""
    return f"TIMESTAMP '{moment.isoformat(sep=' ', timespec='microseconds')}'"


def sla_state_sql(now: datetime, first_response: str = "first_response_at", closed: str = "closed_at") -> str:
    """Return SQL for a ticket's sla_state at *now*: 'breached', 'at_risk' or 'ok'.

    The response clock stops at the first public staff message (or at close); the resolution clock
    stops at close. A target is breached once its clock reached the due time, and at risk while its
    clock still runs past the 75 % mark. *first_response* and *closed* may be expressions, so that
    an aggregate can ask as of an instant in the past.
    """
    at = sql_timestamp(now)
    return (f"CASE WHEN coalesce({first_response}, {closed}, {at}) >= response_due_at "
            f"OR coalesce({closed}, {at}) >= resolution_due_at THEN 'breached' "
            f"WHEN {closed} IS NULL AND ({at} >= resolution_risk_at "
            f"OR ({first_response} IS NULL AND {at} >= response_risk_at)) THEN 'at_risk' ELSE 'ok' END")


def due_times_sql(opened_at: str, priority: str, targets: dict[str, Target]) -> list[str]:
    """Return SQL for the four due times (DueTimes' order) of tickets with these columns (imports, migrations)."""
    def after(share: float, field: str) -> str:
        hours = " ".join(f"WHEN '{name}' THEN {getattr(target, field) * share * 3_600_000_000:.0f}"
                         for name, target in targets.items())
        return f"{opened_at} + to_microseconds(CAST(CASE {priority} {hours} END AS BIGINT))"

    return [after(AT_RISK_SHARE, "response_hours"), after(1, "response_hours"),
            after(AT_RISK_SHARE, "resolution_hours"), after(1, "resolution_hours")]
