"""Read the web app's configuration from the environment (SPEC §6)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_STORE_URL = "http://127.0.0.1:8060"
DEFAULT_OPEN_SINCE_URL = "http://127.0.0.1:8061"
DEFAULT_RESOLUTION_TIME_URL = "http://127.0.0.1:8062"
DEFAULT_CATEGORY_ACTIVE_URL = "http://127.0.0.1:8063"


@dataclass(frozen=True)
class Settings:
    """Where the services live, the campus time zone and the service token."""

    store_url: str
    open_since_url: str
    resolution_time_url: str
    category_active_url: str
    timezone: str
    api_token: str | None

    @property
    def zone(self) -> ZoneInfo:
        """Return the campus time zone, falling back to UTC for an unknown name."""
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")


def _url(name: str, default: str) -> str:
    return (os.environ.get(name) or default).rstrip("/")


def load_settings() -> Settings:
    """Return the settings from the environment, with the SPEC's defaults."""
    return Settings(
        store_url=_url("HELPDESK_STORE_URL", DEFAULT_STORE_URL),
        open_since_url=_url("HELPDESK_OPEN_SINCE_URL", DEFAULT_OPEN_SINCE_URL),
        resolution_time_url=_url("HELPDESK_RESOLUTION_TIME_URL", DEFAULT_RESOLUTION_TIME_URL),
        category_active_url=_url("HELPDESK_CATEGORY_ACTIVE_URL", DEFAULT_CATEGORY_ACTIVE_URL),
        timezone=os.environ.get("HELPDESK_TIMEZONE") or "UTC",
        api_token=os.environ.get("HELPDESK_API_TOKEN") or None,
    )
