"""Only an editor's session may leave files on the server, and only so much (issue: a viewer
could PUT 30 files of 9 MB to /_stcore/upload_file and fill the server's memory)."""

from __future__ import annotations

import pytest
from starlette.exceptions import HTTPException
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from emss import upload_guard
from emss.upload_guard import UploadGuard

MB = 1024 * 1024


def upload(manager, session: str, file_id: str, size: int) -> None:
    """What Streamlit's upload route does with a PUT: hand the file to the manager."""
    manager.add_file(session, UploadedFileRec(file_id, f"{file_id}.csv", "text/csv", b"x" * size))


@pytest.fixture
def manager() -> MemoryUploadedFileManager:
    return MemoryUploadedFileManager("/_stcore/upload_file")


def test_a_viewer_session_cannot_leave_a_file_on_the_server(manager):
    UploadGuard(manager, per_session_bytes=20 * MB)
    with pytest.raises(HTTPException) as refused:
        upload(manager, "viewer", "f1", 9 * MB)
    assert refused.value.status_code == 403
    assert manager.get_files("viewer", ["f1"]) == []


def test_an_editor_session_uploads_within_its_allowance_and_no_further(manager):
    guard = UploadGuard(manager, per_session_bytes=20 * MB)
    guard.allow("editor")
    upload(manager, "editor", "f1", 9 * MB)
    upload(manager, "editor", "f2", 9 * MB)
    upload(manager, "editor", "f2", 10 * MB)  # the same file sent again replaces it
    with pytest.raises(HTTPException) as refused:
        upload(manager, "editor", "f3", 2 * MB)
    assert refused.value.status_code == 413
    assert guard.held_bytes("editor") == 19 * MB
    assert [f.file_id for f in manager.get_files("editor", ["f1", "f2", "f3"])] == ["f1", "f2"]


def test_signing_out_drops_the_sessions_files_and_its_right_to_upload(manager):
    guard = UploadGuard(manager, per_session_bytes=20 * MB)
    guard.allow("editor")
    upload(manager, "editor", "f1", MB)
    guard.disallow("editor")
    assert guard.held_bytes("editor") == 0
    with pytest.raises(HTTPException):
        upload(manager, "editor", "f2", MB)


def test_outside_a_running_server_there_is_nothing_to_guard():
    assert upload_guard.guard(10 * MB) is None
