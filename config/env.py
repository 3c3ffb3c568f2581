"""Typed reads of the environment, for ``config/settings.py``.

One rule for every variable: unset, empty or blank means the default; any other value is
stripped of the whitespace around it, then parsed. A value that does not parse stops the
start with ``ImproperlyConfigured`` naming the variable and the value, for instance
``CIVIQUEST_UPLOAD_MAX_BYTES='10M' is not an integer``.

Each function reads ``os.environ`` when called, or the mapping given as ``environ`` (the
production checks of the settings read a copy of the environment; tests pass their own).
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")
Environ = Mapping[str, str]

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def _read(name: str, environ: Environ | None) -> str | None:
    """The variable's value stripped, or None when it is unset, empty or blank."""
    value = (os.environ if environ is None else environ).get(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def _parse(name: str, value: str, parse: Callable[[str], T], expected: str) -> T:
    try:
        return parse(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not {expected}") from None


def env_str(name: str, default: str = "", *, strip: bool = True, environ: Environ | None = None) -> str:
    """A string; ``strip=False`` keeps the whitespace around a value (secrets are used as given)."""
    value = _read(name, environ)
    if value is None:
        return default
    return value if strip else (os.environ if environ is None else environ)[name]


def env_bool(name: str, default: bool = False, *, environ: Environ | None = None) -> bool:
    """``1``, ``true``, ``yes``, ``on`` or ``0``, ``false``, ``no``, ``off``, in any case."""
    value = _read(name, environ)
    if value is None:
        return default
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (1, true, yes, on or 0, false, no, off)")


def env_int(name: str, default: int, *, environ: Environ | None = None) -> int:
    value = _read(name, environ)
    return default if value is None else _parse(name, value, int, "an integer")


def env_float(name: str, default: float, *, environ: Environ | None = None) -> float:
    value = _read(name, environ)
    return float(default) if value is None else _parse(name, value, float, "a number")


def env_list(name: str, default: Iterable[str] = (), *, environ: Environ | None = None) -> list[str]:
    """Comma-separated items, each stripped, empty ones dropped; no item at all means the default."""
    items = [item.strip() for item in (_read(name, environ) or "").split(",") if item.strip()]
    return items or list(default)


def env_path(name: str, default: Path | str, *, environ: Environ | None = None) -> Path:
    """A file system path, as given (a relative one is relative to the working directory)."""
    value = _read(name, environ)
    return Path(default if value is None else value)


def env_url(name: str, default: str = "", *, environ: Environ | None = None) -> urllib.parse.SplitResult:
    """A URL split into its parts (``scheme``, ``hostname``, ``port``…); the default is ``""``: no URL.

    The error message masks a password in the URL.
    """
    value = _read(name, environ) or default
    try:
        url = urllib.parse.urlsplit(value)
        url.port  # noqa: B018 - parses the port, which urlsplit leaves unchecked
    except ValueError as error:
        masked = re.sub(r"(//[^/@:]*):[^/@]*@", r"\1:***@", value)
        raise ImproperlyConfigured(f"{name}={masked!r} is not a URL ({error})") from None
    return url
