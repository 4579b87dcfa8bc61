"""Driving the Upload and History pages through AppTest: open a page, sign in, read it.

The app is always run against a copy of the store (the ``store`` fixture points
EMSS_DATA_DIR at it) and with the editing mode each test sets in the environment/secrets.
"""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT, shown_html_text, static_tables

APP = str(REPO_ROOT / "app.py")
UPLOAD = "pages/9_Upload.py"
HISTORY = "pages/10_History.py"
PASSWORD = "page-test-password"
EDITOR_NAME = "Jo Bloggs"
EDITOR = "Jo Bloggs (password sign-in)"
OIDC_SECRETS = {
    "editors": ["head.of.emss@leics.example"],
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "c" * 64,
        "client_id": "emss-dashboard",
        "client_secret": "not-a-secret",
        "server_metadata_url": "http://localhost:9400/.well-known/openid-configuration",
    },
}


def open_page(page: str, *, secrets: dict | None = None, user: dict | None = None) -> AppTest:
    """A fresh session on ``page``, with the secrets and signed-in user given."""
    at = AppTest.from_file(APP, default_timeout=30)
    if secrets:
        at.secrets.update(secrets)
    if user is not None:
        at.user = user
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def sign_in(at: AppTest, password: str = PASSWORD, name: str = EDITOR_NAME) -> AppTest:
    """Fill in the password sign-in form and submit it."""
    at.text_input(key="emss_sign_in_name").input(name)
    at.text_input(key="emss_sign_in_password").input(password)
    at.button[next(i for i, b in enumerate(at.button) if b.label == "Sign in")].click().run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest, kind: str) -> list[str]:
    """The text of every element of a kind ("error", "success", "markdown"...) on the page."""
    return [element.value for element in at.get(kind)]


def has_text(at: AppTest, needle: str) -> bool:
    """Whether any message, heading, caption, markdown or static HTML block on the page
    contains ``needle``."""
    kinds = ("markdown", "caption", "info", "warning", "error", "success", "header", "title")
    written = [text for kind in kinds for text in texts(at, kind)] + shown_html_text(at)
    return any(needle in text for text in written)


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page that has ``column``."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def static_table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first static table (``ui.static_table``) on the page that has ``column``."""
    return next(t for t in static_tables(at) if column in t.columns)


def uploaders(at: AppTest) -> int:
    return len(at.get("file_uploader"))


def button_labels(at: AppTest) -> list[str]:
    return [b.label for b in at.button]
