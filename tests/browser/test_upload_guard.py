"""A viewer's session cannot leave files in the server's memory (Streamlit takes a PUT to
/_stcore/upload_file from any session that knows its id, with or without a file picker)."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import open_url

pytestmark = pytest.mark.browser

# Streamlit's session id is a UUID carried in the messages the server sends the page.
UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_a_viewer_sessions_upload_is_refused(page, streamlit_server):
    seen: set[str] = set()

    def listen(socket) -> None:
        def frame(payload) -> None:
            data = payload if isinstance(payload, bytes) else payload.encode()
            seen.update(match.decode() for match in UUID.findall(data))

        socket.on("framereceived", frame)

    page.on("websocket", listen)
    open_url(page, streamlit_server.url)
    xsrf = next(c["value"] for c in page.context.cookies() if c["name"] == "_streamlit_xsrf")
    answers = {
        page.request.put(
            f"{streamlit_server.url}/_stcore/upload_file/{uuid}/probe",
            headers={"X-Xsrftoken": xsrf},
            multipart={"file": {"name": "q.csv", "mimeType": "text/csv", "buffer": b"x" * 1024}},
        ).text()
        for uuid in seen
    }
    # Of the ids in the messages, the page's own session is the one the server knows: its
    # upload reaches the guard and is refused; no id had its file taken.
    assert "Uploads are taken only from an editor's session" in answers
    assert "" not in answers  # a taken file is answered 204 with an empty body
