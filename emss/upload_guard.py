"""Which sessions may leave files on the server, and how much.

Streamlit keeps every file PUT to ``/_stcore/upload_file/<session>/<file>`` in the server's
memory for as long as the session lives, from any session that knows its own id, whether or
not its page has a file picker. The guard wraps the running server's uploaded-file manager so
that a file is taken only from a session an editor signed in to (the only sessions shown a
file picker), and only while that session holds less than ``per_session_bytes`` in all; any
other PUT is refused with 403 or 413 before it is kept. A session that is no longer an editor's
is disallowed and its files dropped at its next page run.

Besides the ``emss.ui`` modules, the one module that touches Streamlit (only its runtime).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from starlette.exceptions import HTTPException
from streamlit.runtime import Runtime
from streamlit.runtime.uploaded_file_manager import UploadedFileRec


class UploadGuard:
    """Admits uploaded files per session; wraps a manager's ``add_file``."""

    def __init__(self, manager, per_session_bytes: int) -> None:
        self.manager = manager
        self.per_session_bytes = per_session_bytes
        self._allowed: set[str] = set()
        self._lock = threading.Lock()
        self._add_file: Callable[[str, UploadedFileRec], None] = manager.add_file
        manager.add_file = self.add_file

    def allow(self, session_id: str) -> None:
        """Let ``session_id`` upload (an editor is signed in to it)."""
        with self._lock:
            self._allowed.add(session_id)

    def disallow(self, session_id: str) -> None:
        """Refuse ``session_id``'s uploads from now on and drop what it holds."""
        with self._lock:
            self._allowed.discard(session_id)
        self.manager.remove_session_files(session_id)

    def held_bytes(self, session_id: str) -> int:
        """The bytes of the files the server keeps for ``session_id``."""
        return sum(len(f.data) for f in self.manager.file_storage.get(session_id, {}).values())

    def add_file(self, session_id: str, file: UploadedFileRec) -> None:
        """The manager's ``add_file``, for an allowed session within its allowance only."""
        with self._lock:
            if session_id not in self._allowed:
                raise HTTPException(403, "Uploads are taken only from an editor's session")
            kept = self.held_bytes(session_id)
            replaced = self.manager.file_storage.get(session_id, {}).get(file.file_id)
            if replaced is not None:
                kept -= len(replaced.data)
            if kept + len(file.data) > self.per_session_bytes:
                raise HTTPException(413, "This session holds as many uploaded files as it may")
            self._add_file(session_id, file)


_installed: UploadGuard | None = None
_install_lock = threading.Lock()


def guard(per_session_bytes: int) -> UploadGuard | None:
    """The running server's guard, installed on first use; None outside a server (AppTest,
    the command line), where no file arrives over HTTP."""
    global _installed
    if not Runtime.exists():
        return None
    manager = Runtime.instance().uploaded_file_mgr
    if not hasattr(manager, "file_storage"):  # not the in-memory manager this guard knows
        return None
    with _install_lock:
        if _installed is None or _installed.manager is not manager:
            _installed = UploadGuard(manager, per_session_bytes)
        _installed.per_session_bytes = per_session_bytes
        return _installed
