"""Who may edit: the mode chosen from configuration, the allowlist, the password check."""

from __future__ import annotations

import pytest

from emss import auth

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x" * 32,
    "client_id": "emss",
    "client_secret": "secret",
    "server_metadata_url": "https://id.example.org/.well-known/openid-configuration",
}


def test_sign_in_with_an_identity_provider_wins_over_a_password():
    secrets = {"auth": AUTH, "editor_password": "pw"}
    assert auth.editing_mode(secrets, {"EMSS_EDITOR_PASSWORD": "pw"}) == "oidc"


@pytest.mark.parametrize(
    ("secrets", "env"),
    [
        ({}, {"EMSS_EDITOR_PASSWORD": "from-env"}),
        ({"editor_password": "from-secrets"}, {}),
    ],
)
def test_a_password_from_the_environment_or_secrets_opens_password_mode(secrets, env):
    assert auth.editing_mode(secrets, env) == "password"


@pytest.mark.parametrize(
    "secrets",
    [{}, {"auth": {}}, {"editor_password": ""}, {"editors": ["a@example.org"]}],
)
def test_nothing_configured_means_no_editing(secrets):
    assert auth.editing_mode(secrets, {"EMSS_EDITOR_PASSWORD": ""}) == "none"


def test_the_environment_password_wins_over_the_secrets_one():
    secrets = {"editor_password": "from-secrets"}
    assert auth.editor_password(secrets, {"EMSS_EDITOR_PASSWORD": "from-env"}) == "from-env"
    assert auth.editor_password(secrets, {}) == "from-secrets"


def test_the_process_environment_is_read_when_none_is_given(monkeypatch):
    monkeypatch.setenv("EMSS_EDITOR_PASSWORD", "process-env")
    assert auth.editing_mode({}) == "password"
    monkeypatch.delenv("EMSS_EDITOR_PASSWORD")
    assert auth.editing_mode({}) == "none"


def test_the_allowlist_ignores_letter_case_and_spaces():
    allowlist = auth.editors(
        {"editors": ["Head.Of.EMSS@Leics.gov.uk", " analyst@nottinghamcity.gov.uk "]}
    )
    assert auth.is_editor("head.of.emss@leics.gov.uk", allowlist)
    assert auth.is_editor("ANALYST@NottinghamCity.gov.uk", allowlist)


@pytest.mark.parametrize("email", ["someone.else@leics.gov.uk", "", None, "head.of.emss"])
def test_anyone_not_on_the_allowlist_is_not_an_editor(email):
    allowlist = auth.editors({"editors": ["head.of.emss@leics.gov.uk"]})
    assert not auth.is_editor(email, allowlist)


def test_no_allowlist_means_no_editors():
    assert auth.editors({}) == frozenset()
    assert not auth.is_editor("head.of.emss@leics.gov.uk", auth.editors({}))


def test_a_single_email_string_is_an_allowlist_of_one():
    assert auth.is_editor("a@example.org", auth.editors({"editors": "A@example.org"}))


def test_password_compare_is_exact():
    assert auth.password_matches("correct horse", "correct horse")
    assert not auth.password_matches("correct hors", "correct horse")
    assert not auth.password_matches("Correct horse", "correct horse")
    assert auth.password_matches("pâté £5", "pâté £5")


def test_password_compare_runs_in_constant_time(monkeypatch):
    calls = []

    def spy(a, b):
        calls.append((a, b))
        return a == b

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    assert auth.password_matches("given", "expected") is False
    assert calls == [(b"given", b"expected")]


def test_a_right_password_signs_in_under_the_persons_own_name():
    who = auth.password_sign_in("  Jo   Bloggs ", "s3cret", "s3cret")
    assert who == "Jo Bloggs (password sign-in)"


def test_a_wrong_password_is_refused_whatever_the_name():
    with pytest.raises(auth.SignInError, match="password is not right"):
        auth.password_sign_in("Jo Bloggs", "guess", "s3cret")


def test_a_password_sign_in_needs_a_name():
    with pytest.raises(auth.SignInError, match="give your name"):
        auth.password_sign_in("   ", "s3cret", "s3cret")
