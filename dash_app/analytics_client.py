"""Call the three analysis functions (SPEC §4) over HTTP."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from .service_errors import DEFAULT_TIMEOUT, ServiceUnavailable, json_body, send
from .settings import Settings, load_settings

PeriodUnit = Literal["hours", "days"]

OPEN_SINCE_NAME = "open-tickets analysis"
RESOLUTION_TIME_NAME = "resolution-time analysis"
CATEGORY_ACTIVE_NAME = "active-by-category analysis"

#: The period limits of SPEC §4, per unit.
PERIOD_LIMITS: dict[str, int] = {"hours": 8760, "days": 3650}


class OpenSince(TypedDict, total=False):
    """Tickets opened in a period that are not closed now."""

    since: str
    until: str
    count: int
    by_status: dict[str, int]
    by_category: dict[str, int]


class MonthResolution(TypedDict, total=False):
    """Resolution figures for tickets opened in one local month."""

    month: str
    opened: int
    closed: int
    avg_resolution_hours: float | None
    median_resolution_hours: float | None


class ResolutionTime(TypedDict, total=False):
    """Resolution time by opening month, and over the whole range."""

    timezone: str
    months: list[MonthResolution]
    overall: dict[str, Any]


class CategoryCount(TypedDict, total=False):
    """Active tickets of one category."""

    category: str
    label: str
    active: int


class CategoryActive(TypedDict, total=False):
    """Active tickets per category."""

    categories: list[CategoryCount]
    total_active: int


class AnalyticsClient:
    """The analysis functions as methods."""

    def __init__(self, settings: Settings | None = None, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> None:
        self.settings = settings or load_settings()
        self.timeout = timeout

    def _get(self, url: str, service: str, params: dict[str, Any] | None = None) -> Any:
        headers = {"Accept": "application/json"}
        if self.settings.api_token:
            headers["Authorization"] = f"Bearer {self.settings.api_token}"
        response = send("GET", url, service=service, headers=headers, params=params, timeout=self.timeout)
        answer = json_body(response, service)
        if not isinstance(answer, dict):
            raise ServiceUnavailable(f"The {service} sent an answer the web app cannot read.")
        return answer

    def open_since(self, amount: int, unit: PeriodUnit) -> OpenSince:
        """Return the tickets opened in the last *amount* hours or days that are not closed."""
        if unit not in PERIOD_LIMITS:
            raise ValueError(f"unknown period unit {unit!r}")
        return self._get(self.settings.open_since_url, OPEN_SINCE_NAME, {unit: int(amount)})

    def resolution_time(self, from_month: str | None = None, to_month: str | None = None) -> ResolutionTime:
        """Return resolution times by opening month between *from_month* and *to_month* (YYYY-MM)."""
        params = {key: value for key, value in (("from", from_month), ("to", to_month)) if value}
        return self._get(self.settings.resolution_time_url, RESOLUTION_TIME_NAME, params or None)

    def category_active(self) -> CategoryActive:
        """Return the number of active tickets in each category."""
        return self._get(self.settings.category_active_url, CATEGORY_ACTIVE_NAME)
