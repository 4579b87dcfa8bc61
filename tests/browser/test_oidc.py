"""Sign-in with an identity provider, end to end.

A local OpenID Connect provider (``oidc-provider-mock``, on a thread in this process), a
real ``streamlit run`` server whose secrets.toml has an ``[auth]`` section pointing at it and
an editor allowlist, and Debian chromium clicking through the provider's sign-in form:
Streamlit's own login route, the code exchange, the ID token and ``st.user`` are all real.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    StreamlitServer,
    open_url,
    serving,
    wait_for_streamlit_idle,
)

pytestmark = pytest.mark.browser

# The provider sends the email as it has it; the allowlist is written in lower case.
EDITOR = "Head.Of.EMSS@leics.example"
VIEWER = "viewer@nottinghamcity.example"
METRICS = b"quarter,partner,metric,value,note\n2023/24 Q4,LCC,esc_dbs_checks,2100,\n"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    from oidc_provider_mock import User, run_server_in_thread

    with (
        pytest.MonkeyPatch.context() as env,
        run_server_in_thread(
            user_claims=[User(sub=EDITOR, claims={"email": EDITOR, "email_verified": True})]
        ) as server,
    ):
        env.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # the provider serves plain http
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def server(provider: str, tmp_path_factory) -> Iterator[StreamlitServer]:
    work = tmp_path_factory.mktemp("oidc-server")
    secrets_file = work / "secrets.toml"
    secrets_file.write_text(
        f"""editors = ["{EDITOR.lower()}"]

[auth]
redirect_uri = "http://127.0.0.1:{{port}}/oauth2callback"
cookie_secret = "{secrets.token_hex(32)}"
client_id = "emss-dashboard"
client_secret = "{secrets.token_hex(16)}"
server_metadata_url = "{provider}/.well-known/openid-configuration"
"""
    )
    with serving(
        work,
        extra_env={
            "STREAMLIT_SECRETS_FILES": str(secrets_file),
            "AUTHLIB_INSECURE_TRANSPORT": "1",
        },
    ) as running:
        yield running


def sign_in(page, server: StreamlitServer, provider: str, subject: str) -> None:
    """Press Sign in on the Upload page and pick ``subject`` on the provider's form."""
    open_url(page, f"{server.url}/Upload")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{provider}/oauth2/authorize*")
    page.get_by_placeholder("sub").fill(subject)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{server.url}/**")
    wait_for_streamlit_idle(page)


def newest_snapshot(server: StreamlitServer) -> dict:
    return json.loads((server.data_dir / "manifest.json").read_text())["snapshots"][-1]


def test_before_signing_in_nobody_can_upload(server, page):
    open_url(page, f"{server.url}/Upload")
    page.get_by_text("Sign in to upload a quarter.").wait_for()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_test_id("stFileUploaderDropzoneInput")).to_have_count(0)
    # The server also has an editor password set: a configured provider takes precedence.
    expect(page.get_by_label("Editor password")).to_have_count(0)


def test_an_editor_on_the_allowlist_signs_in_and_uploads_under_their_email(server, provider, page):
    sign_in(page, server, provider, EDITOR)
    open_url(page, f"{server.url}/Upload")
    page.get_by_text(f"Editing as {EDITOR}").wait_for()

    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        [{"name": "q4.csv", "mimeType": "text/csv", "buffer": METRICS}]
    )
    page.get_by_role("button", name="Store this upload as a new snapshot").click()
    page.get_by_text("Every page shows the new figures now").wait_for()
    assert newest_snapshot(server)["uploaded_by"] == EDITOR


def test_someone_signed_in_but_not_on_the_allowlist_can_view_but_not_edit(server, provider, page):
    sign_in(page, server, provider, VIEWER)
    open_url(page, f"{server.url}/Upload")
    page.get_by_text(f"You are signed in as {VIEWER}").wait_for()
    assert "not on this dashboard's list of editors" in page.inner_text("body")
    expect(page.get_by_test_id("stFileUploaderDropzoneInput")).to_have_count(0)

    open_url(page, f"{server.url}/History")
    page.get_by_text("What a snapshot holds").wait_for()
    expect(page.get_by_text(f"You are signed in as {VIEWER}")).to_be_visible()
    expect(page.get_by_role("button", name="Withdraw…")).to_have_count(0)
    assert not newest_snapshot(server)["withdrawn"]
