"""Typed readers for GONGXIN_* environment variables.

Settings come only from the environment (DESIGN.md convention 7). Each helper fails loudly
with the variable's name when a value cannot be parsed, instead of silently falling back.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

PREFIX = "GONGXIN_"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(PREFIX + name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {PREFIX}{name} is required")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(PREFIX + name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{PREFIX}{name}={value!r} is not a boolean (use 1/0, true/false)")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(PREFIX + name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{PREFIX}{name}={value!r} is not an integer") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(PREFIX + name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]
