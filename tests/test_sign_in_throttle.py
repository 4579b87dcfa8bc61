"""Sign-in hardening: a verified email for the editor role; wrong passwords slow sign-in."""

from __future__ import annotations

import pytest

from emss import auth

EDITORS = frozenset({"head.of.emss@leics.example"})
RIGHT, WRONG = "the-password", "guess"


@pytest.mark.parametrize(
    ("user", "editor"),
    [
        (
            {"is_logged_in": True, "email": "Head.of.EMSS@leics.example", "email_verified": True},
            True,
        ),
        (
            {"is_logged_in": True, "email": "head.of.emss@leics.example", "email_verified": False},
            False,
        ),
        ({"is_logged_in": True, "email": "head.of.emss@leics.example"}, False),
        (
            {"is_logged_in": True, "email": "head.of.emss@leics.example", "email_verified": "true"},
            False,
        ),
        ({"is_logged_in": True, "email": "someone@leics.example", "email_verified": True}, False),
        (
            {"is_logged_in": False, "email": "head.of.emss@leics.example", "email_verified": True},
            False,
        ),
    ],
    ids=["verified", "unverified", "no-claim", "string-claim", "not-listed", "signed-out"],
)
def test_the_editor_role_needs_a_listed_email_the_provider_verified(user, editor):
    assert (auth.signed_in_editor(user, EDITORS) == user["email"]) is editor


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def attempt(throttle, password, keys=("session:a", "address:10.0.0.1")) -> str:
    try:
        return auth.password_sign_in("Jo", password, RIGHT, throttle=throttle, keys=keys)
    except auth.SignInError as refused:
        return str(refused)


def test_five_wrong_passwords_are_free_then_each_doubles_the_wait_up_to_fifteen_minutes():
    clock = Clock()
    throttle = auth.Throttle(clock)
    for _ in range(auth.FREE_ATTEMPTS):
        assert attempt(throttle, WRONG) == "That password is not right. Nothing was changed."
    # Even the right password waits: it is not compared until the wait is over.
    assert attempt(throttle, RIGHT) == (
        "Too many wrong passwords: try again in 1 second. Nothing was changed."
    )
    waits = []
    for _ in range(12):
        clock.now += throttle.wait(["session:a"])
        assert attempt(throttle, WRONG).startswith("That password is not right")
        waits.append(throttle.wait(["session:a"]))
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]
    clock.now += 900
    assert attempt(throttle, RIGHT) == "Jo (password sign-in)"
    assert throttle.wait(["session:a", "address:10.0.0.1"]) == 0  # a success clears both


def test_the_wait_follows_the_address_across_new_sessions_and_the_session_across_addresses():
    clock = Clock()
    throttle = auth.Throttle(clock)
    for i in range(auth.FREE_ATTEMPTS):
        attempt(throttle, WRONG, keys=(f"session:{i}", "address:10.0.0.1"))
    assert attempt(throttle, RIGHT, keys=("session:new", "address:10.0.0.1")).startswith(
        "Too many wrong passwords"
    )
    assert attempt(throttle, RIGHT, keys=("session:new", "address:10.0.0.2")) == (
        "Jo (password sign-in)"
    )


@pytest.mark.usefixtures("store")
def test_a_listed_but_unverified_email_gets_no_file_picker():
    from tests.editor_pages import OIDC_SECRETS, UPLOAD, open_page, uploaders

    user = {"is_logged_in": True, "email": "head.of.emss@leics.example", "email_verified": False}
    at = open_page(UPLOAD, secrets=OIDC_SECRETS, user=user)
    assert uploaders(at) == 0


@pytest.mark.usefixtures("store")
def test_the_sign_in_form_slows_down_after_five_wrong_passwords(monkeypatch):
    from tests.editor_pages import PASSWORD, UPLOAD, open_page, sign_in, texts, uploaders

    monkeypatch.setenv("EMSS_EDITOR_PASSWORD", PASSWORD)
    at = open_page(UPLOAD)
    for _ in range(auth.FREE_ATTEMPTS):
        sign_in(at, password=WRONG)
    assert texts(at, "error") == ["That password is not right. Nothing was changed."]
    sign_in(at, password=PASSWORD)
    assert texts(at, "error") == [
        "Too many wrong passwords: try again in 1 second. Nothing was changed."
    ]
    assert uploaders(at) == 0
