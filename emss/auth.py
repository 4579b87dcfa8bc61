"""Who may change the figures: the editing mode, the editor allowlist, the password check.

Three modes, chosen by configuration (README, "Editing: who may upload and withdraw"):

- ``oidc``: an ``[auth]`` section in ``.streamlit/secrets.toml`` makes people sign in with
  the organisation's identity provider; an editor is a signed-in person whose email is on
  the ``editors`` list in the same file.
- ``password``: ``EMSS_EDITOR_PASSWORD`` (environment) or ``editor_password`` (secrets)
  opens editing for the browser session that gives it.
- ``none``: nobody can upload or withdraw; the pages say how to enable editing.

Pure functions over plain mappings, so the rules are tested without Streamlit.
"""

from __future__ import annotations

import hmac
import math
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from emss.errors import EmssError

Mode = Literal["oidc", "password", "none"]

PASSWORD_ENV = "EMSS_EDITOR_PASSWORD"
PASSWORD_SECRET = "editor_password"
EDITORS_SECRET = "editors"
PASSWORD_SUFFIX = " (password sign-in)"

HOW_TO_ENABLE = (
    "Editing is not enabled on this server, so figures cannot be uploaded or withdrawn here. "
    "To enable it, either set up sign-in with your organisation's identity provider (an "
    '`[auth]` section and an `editors = ["name@example.org"]` list in '
    "`.streamlit/secrets.toml`), or set an editor password in the `EMSS_EDITOR_PASSWORD` "
    "environment variable (or `editor_password` in `.streamlit/secrets.toml`), then restart "
    "the app. The README explains both."
)


class SignInError(EmssError, ValueError):
    """A sign-in attempt that is refused; the message is safe to show."""


def editing_mode(secrets: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Mode:
    """``oidc`` if sign-in is configured, else ``password`` if a password is set, else ``none``."""
    if isinstance(secrets.get("auth"), Mapping) and secrets["auth"]:
        return "oidc"
    if editor_password(secrets, env):
        return "password"
    return "none"


def editor_password(secrets: Mapping[str, Any], env: Mapping[str, str] | None = None) -> str | None:
    """The configured editor password: the environment's wins over the secrets file's."""
    env = os.environ if env is None else env
    for value in (env.get(PASSWORD_ENV), secrets.get(PASSWORD_SECRET)):
        if isinstance(value, str) and value:
            return value
    return None


def editors(secrets: Mapping[str, Any]) -> frozenset[str]:
    """The allowlist of editors' emails, case-folded; empty when none is configured."""
    listed = secrets.get(EDITORS_SECRET) or ()
    if isinstance(listed, str):
        listed = (listed,)
    return frozenset(_normal(e) for e in listed if isinstance(e, str) and e.strip())


def signed_in_editor(user: Mapping[str, Any], allowlist: Iterable[str]) -> str | None:
    """The email of a person signed in with the identity provider who is an editor: on the
    allowlist, with the provider vouching for the address (``email_verified`` true; an
    unverified address could be anyone's). None for anyone else."""
    email = user.get("email")
    if not user.get("is_logged_in") or user.get("email_verified") is not True:
        return None
    return str(email) if is_editor(email, allowlist) else None


def is_editor(email: str | None, allowlist: Iterable[str]) -> bool:
    """Whether a signed-in person's email is on the allowlist (letter case ignored)."""
    if not email or not email.strip():
        return False
    return _normal(email) in {_normal(e) for e in allowlist}


def password_matches(given: str, expected: str) -> bool:
    """Compare in constant time, so the time taken says nothing about the password."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


FREE_ATTEMPTS = 5  # wrong passwords before sign-in slows down
LONGEST_WAIT = 15 * 60  # seconds: the wait doubles from 1 s after each wrong one, up to this
_REMEMBERED = 10_000  # keys kept; beyond, those whose wait is over are forgotten


class Throttle:
    """Wrong passwords slow sign-in down, per key (a browser session, a network address):
    after FREE_ATTEMPTS wrong ones in a row, the next attempt must wait 1 s, then 2, 4, ...
    up to LONGEST_WAIT; a right password clears the key. Thread-safe: one per server."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: dict[str, tuple[int, float]] = {}  # key: (wrong in a row, last at)
        self._lock = threading.Lock()

    def _wait(self, key: str, now: float) -> float:
        count, last = self._failures.get(key, (0, 0.0))
        if count < FREE_ATTEMPTS:
            return 0.0
        return max(0.0, last + min(LONGEST_WAIT, 2.0 ** (count - FREE_ATTEMPTS)) - now)

    def wait(self, keys: Iterable[str]) -> float:
        """Seconds before another attempt from any of ``keys`` may be tried."""
        now = self._clock()
        with self._lock:
            return max((self._wait(k, now) for k in keys), default=0.0)

    def failed(self, keys: Iterable[str]) -> None:
        now = self._clock()
        with self._lock:
            for key in keys:
                count, _ = self._failures.pop(key, (0, 0.0))
                self._failures[key] = (count + 1, now)
            if len(self._failures) > _REMEMBERED:  # forget keys whose wait is long over
                stale = [k for k, (_, last) in self._failures.items() if last < now - LONGEST_WAIT]
                for key in stale:
                    del self._failures[key]

    def succeeded(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


PASSWORD_THROTTLE = Throttle()  # the server's: shared by every session


def password_sign_in(
    name: str,
    given: str,
    expected: str,
    *,
    throttle: Throttle | None = None,
    keys: Iterable[str] = (),
) -> str:
    """The identity recorded for a password sign-in, or SignInError saying what is wrong.

    The password is shared, so the person's own name is asked for and recorded with the
    way they signed in: "Jo Bloggs (password sign-in)". With a ``throttle``, an attempt
    from a key that must still wait is refused before the password is even compared.
    """
    keys = tuple(keys)
    wait = throttle.wait(keys) if throttle else 0.0
    if wait > 0:
        seconds = math.ceil(wait)
        raise SignInError(
            f"Too many wrong passwords: try again in {seconds} second{'s' * (seconds != 1)}. "
            "Nothing was changed."
        )
    name = " ".join(name.split())
    if not password_matches(given, expected):
        if throttle:
            throttle.failed(keys)
        raise SignInError("That password is not right. Nothing was changed.")
    if not name:
        raise SignInError("Please give your name: it is recorded with every change you make.")
    if throttle:
        throttle.succeeded(keys)
    return name + PASSWORD_SUFFIX


def _normal(email: str) -> str:
    return email.strip().casefold()
