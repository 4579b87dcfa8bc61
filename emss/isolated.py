"""Checking an upload in a worker process, so one heavy file cannot stall other viewers.

Validation is pure Python and holds the interpreter's lock while it runs: done in the
server's own process, ~2 s of a hostile 10 MB file slows every other viewer's page by as
much. Here it runs in one long-lived worker process (created on first use, reused after, so
its start-up is paid once per server) and returns the same objects as ``ingest.validate`` and
``sources.compute.compute``. A check that runs past its time limit is stopped (the worker is
killed and replaced); a worker that dies is replaced and the check tried once more.

``alone`` runs one piece of work in a process that ends with it: writing the report's Word
and HTML files, whose chart-drawing library would otherwise stay in the server's memory.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import sys
import threading
import types
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TypeVar

from emss import ingest
from emss.errors import EmssError
from emss.quarters import Quarter
from emss.sources import compute as sources_compute
from emss.sources.config import SourcesConfig
from emss.store import Store

# A check still running after this long is stopped. A 10 MB file of any content validates
# in about 2 s of CPU (README, Performance); the margin covers a busy machine and a queue
# of other editors' checks, which run one at a time.
TIMEOUT_SECONDS = 60.0

T = TypeVar("T")

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


class CheckStoppedError(EmssError, RuntimeError):
    """A check that did not finish: it ran past its time limit, or its worker kept dying."""


def validate(
    files: Sequence[tuple[str, bytes]],
    *,
    today: dt.date | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> ingest.Validation:
    """``ingest.validate(files)``, run in the worker process."""
    # The limit is read here, so a bad EMSS_MAX_UPLOAD_MB is reported by this process.
    limit = ingest.max_upload_bytes()
    return call(
        ingest.validate,
        list(files),
        kwargs={"today": today, "max_bytes": limit},
        names=[name for name, _ in files],
        timeout=timeout,
    )


def compute(
    files: Sequence[tuple[str, bytes]],
    config: SourcesConfig,
    *,
    quarter: Quarter | None = None,
    today: dt.date | None = None,
    store: Store | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> sources_compute.Computation:
    """``sources.compute.compute(files, config, ...)``, run in the worker process."""
    return call(
        _compute,
        list(files),
        config,
        kwargs={"quarter": quarter, "today": today, "root": store and store.root},
        names=[name for name, _ in files],
        timeout=timeout,
    )


def _compute(
    files: list[tuple[str, bytes]],
    config: SourcesConfig,
    *,
    quarter: Quarter | None,
    today: dt.date | None,
    root: Path | None,
) -> sources_compute.Computation:
    # A Store holds a lock object that cannot cross processes; the worker opens its own.
    store = Store(root) if root is not None else None
    return sources_compute.compute(files, config, quarter=quarter, today=today, store=store)


def call(
    function: Callable[..., T],
    *args: object,
    kwargs: dict | None = None,
    names: Sequence[str],
    timeout: float = TIMEOUT_SECONDS,
) -> T:
    """``function(*args, **kwargs)`` in the worker process; ``names`` (the files being
    checked) go into the error raised if it runs past ``timeout`` seconds or its worker dies
    twice. The function's own exceptions are raised here as they were raised there."""
    what = ", ".join(f'"{name}"' for name in names) or "the upload"
    for attempt in (1, 2):
        pool = _executor()
        try:
            future = pool.submit(function, *args, **(kwargs or {}))
            return _result(future, pool, timeout, what)
        except BrokenProcessPool:
            _discard(pool)
            if attempt == 2:
                raise CheckStoppedError(
                    f"Checking {what} stopped: the process checking it ended unexpectedly, "
                    "twice. Nothing was stored; try again, and if it happens again, split "
                    "the files or tell the dashboard's administrator."
                ) from None
    raise AssertionError("unreachable")


def alone(function: Callable[..., T], *args: object, what: str, timeout: float) -> T:
    """``function(*args)`` in a process of its own that ends when it returns, for work whose
    libraries keep their memory once used (vl-convert's JavaScript engine holds about 100 MB
    after drawing one chart): the server never holds it. ``what`` names the work in the
    error raised if it runs past ``timeout`` seconds or its process dies."""
    context = multiprocessing.get_context("forkserver")
    pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
    try:
        with _blank_main_module():
            future = pool.submit(function, *args)
        return future.result(timeout=timeout)
    except (FutureTimeout, BrokenProcessPool):
        raise CheckStoppedError(
            f"{what} stopped: it took longer than {timeout:g} s or its process ended "
            "unexpectedly. Try again when the server is less busy."
        ) from None
    finally:
        _discard(pool, kill=True)


def _result(future: Future, pool: ProcessPoolExecutor, timeout: float, what: str):
    try:
        return future.result(timeout=timeout)
    except FutureTimeout:
        if not future.cancel():  # it was running, not waiting: stop the worker
            _discard(pool, kill=True)
        raise CheckStoppedError(
            f"Checking {what} took longer than {timeout:g} s and was stopped. Nothing was "
            "stored; try again when the server is less busy, or split the files."
        ) from None


def _executor() -> ProcessPoolExecutor:
    """The worker pool, created on first use. 'forkserver', not fork: the server has threads,
    and a forked copy of a threaded process can inherit a lock held at the moment of fork."""
    global _pool
    with _lock:
        if _pool is None:
            context = multiprocessing.get_context("forkserver")
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
            with _blank_main_module():
                _pool.submit(int)  # starts the worker now; it is never started again
        return _pool


@contextlib.contextmanager
def _blank_main_module() -> Iterator[None]:
    """Streamlit runs each page as the module ``__main__``, and a new worker process imports
    its parent's ``__main__`` first: it would run the page again. While the worker starts,
    ``__main__`` is an empty module, so it imports nothing."""
    blank = types.ModuleType("__main__")
    saved, sys.modules["__main__"] = sys.modules["__main__"], blank
    try:
        yield
    finally:
        if sys.modules.get("__main__") is blank:  # unless a page run has replaced it since
            sys.modules["__main__"] = saved


def _discard(pool: ProcessPoolExecutor, *, kill: bool = False) -> None:
    """Forget ``pool`` (a later call makes a new one); ``kill`` its worker first."""
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    if kill:
        for process in list((pool._processes or {}).values()):  # no public kill before 3.14
            process.kill()
    pool.shutdown(wait=False)  # checks queued on it fail as broken and are tried again
