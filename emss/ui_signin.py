"""Sign-in on the pages that change the figures: who is editing, the password form, sign-out,
and the upload guard's hook (the rules themselves are in ``emss.auth``).

Streamlit glue like ``emss.ui``, which calls ``editor`` and ``guard_uploads`` on every page;
this module imports nothing from it.
"""

from __future__ import annotations

from secrets import token_hex

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from emss import auth, ingest, upload_guard
from emss.text import markdown_literal

# Session-state keys of the sign-in, and its widgets' keys that tests and benchmarks drive.
STATE_EDITOR = "emss_editor"  # the identity a password sign-in gave this session
STATE_SESSION_KEY = "emss_session_key"  # a random key per session for the password throttle
WIDGET_SIGN_IN_NAME = "emss_sign_in_name"
WIDGET_SIGN_IN_PASSWORD = "emss_sign_in_password"
WIDGET_SIGN_IN = "emss_sign_in"
WIDGET_SIGN_OUT = "emss_sign_out"


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # no secrets.toml anywhere: nothing is configured
        return {}


def editor() -> str | None:
    """The signed-in editor's identity (email, or name for a password sign-in), else None."""
    secrets = _secrets()
    mode = auth.editing_mode(secrets)
    if mode == "oidc":
        return auth.signed_in_editor(st.user, auth.editors(secrets))
    return st.session_state.get(STATE_EDITOR) if mode == "password" else None


UPLOADS_PER_SESSION = 8  # files of the largest size one session may hold on the server


def guard_uploads(*, editor_session: bool) -> None:
    """Let this session leave files on the server only while an editor is signed in to it
    (see emss.upload_guard); a viewer's session holds none."""
    guard = upload_guard.guard(UPLOADS_PER_SESSION * ingest.max_upload_bytes())
    context = get_script_run_ctx()
    if guard is None or context is None:
        return
    if editor_session:
        guard.allow(context.session_id)
    else:
        guard.disallow(context.session_id)


def require_editor(action: str) -> str:
    """The editor's identity; anyone else gets the way to sign in (or to enable editing) and
    the page stops there, before any control that changes the figures exists.

    ``action`` completes "Sign in to …", e.g. "upload a quarter".
    """
    who = editor()
    if who is not None:
        guard_uploads(editor_session=True)  # signed in during this run: its picker must work
        with st.container(horizontal=True, vertical_alignment="center"):
            st.caption(f"Editing as **{markdown_literal(who)}**.")
            st.button("Sign out", key=WIDGET_SIGN_OUT, on_click=_sign_out)
        return who
    secrets = _secrets()
    mode = auth.editing_mode(secrets)
    if mode == "none":
        st.info(auth.HOW_TO_ENABLE, icon=":material/lock:")
    elif mode == "oidc" and st.user.get("is_logged_in"):
        st.warning(
            f"You are signed in as {markdown_literal(st.user.get('email'))}, which is not on "
            f"this dashboard's list of editors, so you cannot {action}. Anyone can view the "
            "figures; to edit, ask the dashboard's administrator to add your email to `editors`.",
            icon=":material/lock:",
        )
        st.button("Sign out", key=WIDGET_SIGN_OUT, on_click=st.logout)
    elif mode == "oidc":
        st.info(f"Sign in to {action}. Only editors can change the figures.")
        st.button("Sign in", key=WIDGET_SIGN_IN, type="primary", on_click=st.login)
    else:
        _password_form(action, auth.editor_password(secrets) or "")
    st.stop()


def _password_form(action: str, expected: str) -> None:
    with st.form("emss_sign_in_form"):
        st.markdown(f"**Sign in to {action}.** Only editors can change the figures.")
        name = st.text_input("Your name (recorded with every change)", key=WIDGET_SIGN_IN_NAME)
        given = st.text_input("Editor password", type="password", key=WIDGET_SIGN_IN_PASSWORD)
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            st.session_state.setdefault(STATE_SESSION_KEY, token_hex(8))
            keys = (
                f"session:{st.session_state[STATE_SESSION_KEY]}",
                f"address:{st.context.ip_address}",
            )
            st.session_state[STATE_EDITOR] = auth.password_sign_in(
                name, given, expected, throttle=auth.PASSWORD_THROTTLE, keys=keys
            )
        except auth.SignInError as refused:
            st.error(str(refused), icon=":material/error:")
            return
        st.rerun()


def _sign_out() -> None:
    if auth.editing_mode(_secrets()) == "oidc":
        st.logout()
    st.session_state.pop(STATE_EDITOR, None)
