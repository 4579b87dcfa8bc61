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
import os
from collections.abc import Iterable, Mapping
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


def is_editor(email: str | None, allowlist: Iterable[str]) -> bool:
    """Whether a signed-in person's email is on the allowlist (letter case ignored)."""
    if not email or not email.strip():
        return False
    return _normal(email) in {_normal(e) for e in allowlist}


def password_matches(given: str, expected: str) -> bool:
    """Compare in constant time, so the time taken says nothing about the password."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def password_sign_in(name: str, given: str, expected: str) -> str:
    """The identity recorded for a password sign-in, or SignInError saying what is wrong.

    The password is shared, so the person's own name is asked for and recorded with the
    way they signed in: "Jo Bloggs (password sign-in)".
    """
    name = " ".join(name.split())
    if not password_matches(given, expected):
        raise SignInError("That password is not right. Nothing was changed.")
    if not name:
        raise SignInError("Please give your name: it is recorded with every change you make.")
    return name + PASSWORD_SUFFIX


def _normal(email: str) -> str:
    return email.strip().casefold()
