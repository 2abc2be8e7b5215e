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


# Secret keys that are known to the world: the repository's own examples and development key,
# and what people type when a template says "put your secret here". Matched case-insensitively,
# ignoring separators; see ``secret_key_problem``.
KNOWN_PLACEHOLDER_SECRETS = {
    "REPLACE-with-a-random-string-of-at-least-fifty-characters-0123456789",  # deploy/production.env.example
    "gongxin-insecure-development-key-do-not-use-in-production",  # settings.py's debug/demo key
    "secret", "secretkey", "changeme", "changethis", "password", "django", "gongxin", "xxx", "todo",
}
_PLACEHOLDER_WORDS = ("replace", "changeme", "changethis", "placeholder", "insecure", "yoursecret", "example",
                      "donotuse", "fillin")


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` must not be a production secret key (a known or obvious placeholder), or None.
    Django's own ``check --deploy`` only warns about short keys; a published one passes it."""
    squashed = _squash(key)
    if squashed in {_squash(k) for k in KNOWN_PLACEHOLDER_SECRETS}:
        return "it is a published example or placeholder"
    for word in _PLACEHOLDER_WORDS:
        if word in squashed:
            return f"it contains {word!r}, so it is a placeholder"
    if len(set(key)) < 5:
        return "it has fewer than five different characters"
    return None
