"""Helpers for the real-browser tests (Streamlit server + Playwright).

Kept free of pytest fixtures so they can be imported by tests and reused by
throwaway probes: ``from tests.browser.helpers import wait_for_streamlit_idle``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EDITOR_PASSWORD = "browser-test-password"
HEALTH_TIMEOUT_S = 60.0
IDLE_TIMEOUT_MS = 20_000


def free_loopback_port() -> int:
    """Ask the OS for a currently free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class StreamlitServer:
    """A running ``streamlit run`` child process."""

    url: str
    port: int
    data_dir: Path
    process: subprocess.Popen
    log_path: Path
    started_at: float
    healthy_after_s: float = field(default=0.0)

    def logs(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """Terminate the whole process group (SIGTERM, then SIGKILL)."""
        if self.process.poll() is not None:
            return
        try:
            pgid = os.getpgid(self.process.pid)
        except ProcessLookupError:
            return
        for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=grace)
                return
            except subprocess.TimeoutExpired:
                continue


class StreamlitStartError(RuntimeError):
    pass


def start_streamlit_server(
    work_dir: Path,
    *,
    app: str | Path = "app.py",
    cwd: Path = REPO_ROOT,
    data_src: Path | None = REPO_ROOT / "data",
    extra_env: dict[str, str] | None = None,
    timeout_s: float = HEALTH_TIMEOUT_S,
) -> StreamlitServer:
    """Start ``streamlit run`` on a free loopback port and wait for /_stcore/health.

    ``data_src`` (the bundled store) is copied to ``work_dir/data`` and the copy is
    handed to the app through ``EMSS_DATA_DIR`` so tests never touch the repo's data.
    """
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    data_dir = work_dir / "data"
    if data_src is not None:
        if not Path(data_src).is_dir():
            raise StreamlitStartError(f"bundled store directory not found: {data_src}")
        shutil.copytree(data_src, data_dir)
    else:
        data_dir.mkdir(exist_ok=True)

    port = free_loopback_port()
    env = dict(os.environ)
    env.update(
        {
            "EMSS_DATA_DIR": str(data_dir),
            "EMSS_EDITOR_PASSWORD": EDITOR_PASSWORD,
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if extra_env:
        env.update(extra_env)

    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # No rerun-on-edit: other tests / editors touching files must not rerun the app.
        "--server.fileWatcherType",
        "none",
    ]
    log_path = work_dir / "streamlit-server.log"
    started_at = time.monotonic()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            cmd,
            cwd=str(cwd),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group, killed as a whole at teardown
        )
    url = f"http://127.0.0.1:{port}"
    server = StreamlitServer(
        url=url,
        port=port,
        data_dir=data_dir,
        process=process,
        log_path=log_path,
        started_at=started_at,
    )

    deadline = started_at + timeout_s
    while True:
        if process.poll() is not None:
            raise StreamlitStartError(
                f"streamlit exited with code {process.returncode} before becoming healthy.\n"
                f"command: {' '.join(cmd)}\n--- server output ---\n{server.logs()}"
            )
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise StreamlitStartError(
                f"streamlit not healthy after {timeout_s:.0f}s.\n"
                f"command: {' '.join(cmd)}\n--- server output ---\n{server.logs()}"
            )
        time.sleep(0.1)
    server.healthy_after_s = time.monotonic() - started_at
    return server


# JS predicate: connected to the server, the script has run at least once and is
# not running now, and the "Running..." status widget is gone (or hidden).
IDLE_JS = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return false;
  const conn = app.getAttribute('data-test-connection-state');
  if (conn && conn !== 'CONNECTED') return false;
  const state = app.getAttribute('data-test-script-state');
  if (state && state !== 'notRunning' && state !== 'compilationError') return false;
  const w = document.querySelector('[data-testid="stStatusWidget"]');
  if (w) {
    const r = w.getBoundingClientRect();
    const style = window.getComputedStyle(w);
    if (r.width > 0 && r.height > 0 && style.visibility !== 'hidden'
        && style.display !== 'none') return false;
  }
  return true;
}
"""


def wait_for_streamlit_idle(page, timeout: float = IDLE_TIMEOUT_MS, settle_ms: int = 150) -> None:
    """Wait until the Streamlit app has finished running its script.

    Waits for ``[data-testid="stApp"]``, then polls (100 ms) until the script run
    state is ``notRunning`` and ``[data-testid="stStatusWidget"]`` is absent or hidden.
    ``settle_ms`` gives a just-triggered rerun (after a click/fill) time to start, so
    the idle check does not pass on the state from before the interaction.
    """
    if settle_ms:
        page.wait_for_timeout(settle_ms)
    page.wait_for_selector('[data-testid="stApp"]', state="attached", timeout=timeout)
    page.wait_for_function(IDLE_JS, timeout=timeout, polling=100)


@contextmanager
def serving(work_dir: Path, **options) -> Iterator[StreamlitServer]:
    """A started server for a fixture to yield, stopped afterwards; a server that cannot
    start fails the test with its log rather than erroring."""
    import pytest

    try:
        server = start_streamlit_server(work_dir, **options)
    except StreamlitStartError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


def open_url(page, url: str) -> None:
    """Go to ``url`` and wait until Streamlit has finished drawing the page."""
    page.goto(url)
    wait_for_streamlit_idle(page)


def open_disclosure(page, key: str) -> None:
    """Open the disclosure of ``key`` (``ui.disclosure``: drawn only once opened, as
    ``ui.WIDGET_CHARTS``, a page's charts) and wait until what it holds is drawn."""
    page.locator(f".st-key-{key} summary").click()
    wait_until_settled(page)
    page.get_by_test_id("stVegaLiteChart").first.wait_for()


def url_path(page_file: str) -> str:
    """A page's URL path: "app.py" → "/", "pages/5_Debt_collection.py" → "/Debt_collection"."""
    return "/" if page_file == "app.py" else "/" + Path(page_file).stem.split("_", 1)[1]


def sign_in(page, name: str = "Jo Bloggs") -> None:
    """Sign in with the editor password on an editor page (Upload, History)."""
    page.get_by_label("Your name (recorded with every change)").fill(name)
    page.get_by_label("Editor password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    wait_for_streamlit_idle(page)
    page.get_by_text(f"Editing as {name} (password sign-in)").wait_for()


# Every visible chart has been drawn by vega-embed: a canvas or SVG with a size.
CHARTS_DRAWN_JS = """
() => Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]'))
  .filter(c => c.offsetParent !== null)
  .every(c => {
    const g = c.querySelector('canvas, svg.marks');
    if (!g) return false;
    const r = g.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  })
"""

# After the script and the charts: the browser's main thread has nothing left to do. Bounded:
# a page that keeps the main thread busy (an animation) would otherwise never be idle, and
# Playwright's evaluate has no time limit of its own.
IDLE_CALLBACK_JS = (
    "() => new Promise(done => requestIdleCallback(() => done(true), {timeout: 5000}))"
)


def wait_until_settled(page, timeout: float = IDLE_TIMEOUT_MS, settle_ms: int = 150) -> None:
    """Wait until the page has settled as a person sees it: the script has finished, every
    visible chart is drawn, and the browser is idle (``requestIdleCallback``)."""
    wait_for_streamlit_idle(page, timeout=timeout, settle_ms=settle_ms)
    page.wait_for_function(CHARTS_DRAWN_JS, timeout=timeout, polling="raf")
    page.evaluate(IDLE_CALLBACK_JS)
