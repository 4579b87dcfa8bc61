"""Checking an upload in a worker process, so one heavy file cannot stall other viewers.

Validation is pure Python and holds the interpreter's lock while it runs: done in the
server's own process, ~2 s of a hostile 10 MB file slows every other viewer's page by as
much. Here it runs in one long-lived worker process (created on first use, reused after, so
its start-up is paid once per server) and returns the same objects as ``ingest.validate`` and
``sources.compute.compute``. A check that runs past its time limit is stopped (the worker is
killed and replaced); a worker that dies is replaced and the check tried once more.

A computation reports its stages as it reaches them (each file read, then the computing)
through a queue the worker is given when it starts; the caller waiting for the result passes
them on to its ``progress`` as they come, so a page can show how far the worker really is.

``alone`` runs one piece of work in a process that ends with it: writing the report's Word
and HTML files, whose chart-drawing library would otherwise stay in the server's memory.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import queue as queues
import sys
import threading
import time
import types
import uuid
import weakref
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures import wait as futures_wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TypeVar

from emss import ingest
from emss.errors import EmssError
from emss.quarters import Quarter
from emss.sources import compute as sources_compute
from emss.sources.config import SourcesConfig
from emss.sources.reading import Progress
from emss.store import Store

# A check still running after this long is stopped. A 10 MB file of any content validates
# in about 2 s of CPU (README, Performance); the margin covers a busy machine and a queue
# of other editors' checks, which run one at a time.
TIMEOUT_SECONDS = 60.0
POLL_SECONDS = 0.1  # how often a caller with a ``progress`` looks for the worker's reports

T = TypeVar("T")

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
# Each pool's queue, where its worker reports progress.
_queues: weakref.WeakKeyDictionary[ProcessPoolExecutor, multiprocessing.queues.Queue] = (
    weakref.WeakKeyDictionary()
)
# Reports read from the queue, per call waiting for them (another caller may read them first).
_inbox_lock = threading.Lock()
_inbox: dict[str, list[tuple[int, int, str]]] = {}
_reports: multiprocessing.queues.Queue | None = None  # in the worker: where it reports


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
    progress: Progress | None = None,
) -> sources_compute.Computation:
    """``sources.compute.compute(files, config, ...)``, run in the worker process;
    ``progress(step, steps, words)`` is told in this process as the worker reaches each
    stage (each file read, then the computing)."""
    return call(
        _compute,
        list(files),
        config,
        kwargs={"quarter": quarter, "today": today, "root": store and store.root},
        names=[name for name, _ in files],
        timeout=timeout,
        progress=progress,
    )


def _compute(
    files: list[tuple[str, bytes]],
    config: SourcesConfig,
    *,
    quarter: Quarter | None,
    today: dt.date | None,
    root: Path | None,
    progress_token: str | None = None,
) -> sources_compute.Computation:
    # A Store holds a lock object that cannot cross processes; the worker opens its own.
    store = Store(root) if root is not None else None
    return sources_compute.compute(
        files,
        config,
        quarter=quarter,
        today=today,
        store=store,
        progress=_reporter(progress_token) if progress_token else None,
    )


def _start_worker(reports: multiprocessing.queues.Queue) -> None:
    """In the worker, once: keep the queue its reports of progress go to."""
    global _reports
    _reports = reports


def _reporter(token: str) -> Progress:
    """In the worker: a ``progress`` that reports each stage of the call ``token``."""

    def report(step: int, steps: int, words: str) -> None:
        if _reports is not None:
            _reports.put((token, step, steps, words))

    return report


def _received(reports: multiprocessing.queues.Queue, token: str) -> list[tuple[int, int, str]]:
    """The reports of the call ``token`` that have arrived, in order; those of other calls
    still waiting are kept for them, those of calls no longer waiting are dropped."""
    with _inbox_lock:
        while True:
            try:
                found, *report = reports.get_nowait()
            except queues.Empty:
                break
            if found in _inbox:
                _inbox[found].append(tuple(report))
        mine, _inbox[token] = _inbox.get(token, []), []
    return mine


def call(
    function: Callable[..., T],
    *args: object,
    kwargs: dict | None = None,
    names: Sequence[str],
    timeout: float = TIMEOUT_SECONDS,
    progress: Progress | None = None,
) -> T:
    """``function(*args, **kwargs)`` in the worker process; ``names`` (the files being
    checked) go into the error raised if it runs past ``timeout`` seconds or its worker dies
    twice. The function's own exceptions are raised here as they were raised there.

    ``progress``: ``function`` takes a ``progress_token`` and reports its stages (through
    ``_reporter``); each is passed to ``progress`` here as it arrives."""
    what = ", ".join(f'"{name}"' for name in names) or "the upload"
    kwargs = dict(kwargs or {})
    if progress:
        kwargs["progress_token"] = token = uuid.uuid4().hex
        with _inbox_lock:
            _inbox[token] = []
    try:
        return _call(function, args, kwargs, what, timeout, progress)
    finally:
        if progress:
            with _inbox_lock:
                _inbox.pop(token, None)


def _call(function, args, kwargs: dict, what: str, timeout: float, progress) -> T:
    for attempt in (1, 2):
        pool, reports = _executor()
        try:
            future = pool.submit(function, *args, **kwargs)
            deadline = time.monotonic() + timeout
            if progress:
                _relay(future, reports, kwargs["progress_token"], deadline, progress)
            return _result(future, pool, deadline, timeout, what)
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


def _relay(
    future: Future,
    reports: multiprocessing.queues.Queue,
    token: str,
    deadline: float,
    progress: Progress,
) -> None:
    """Pass the worker's reports on to ``progress`` until the call is done or its time is up
    (``deadline``, on ``time.monotonic``'s clock)."""
    while not future.done() and time.monotonic() < deadline:
        for report in _received(reports, token):
            progress(*report)
        futures_wait([future], timeout=POLL_SECONDS)
    for report in _received(reports, token):
        progress(*report)


def _result(future: Future, pool: ProcessPoolExecutor, deadline: float, timeout: float, what: str):
    try:
        return future.result(timeout=max(0.0, deadline - time.monotonic()))
    except FutureTimeout:
        if not future.cancel():  # it was running, not waiting: stop the worker
            _discard(pool, kill=True)
        raise CheckStoppedError(
            f"Checking {what} took longer than {timeout:g} s and was stopped. Nothing was "
            "stored; try again when the server is less busy, or split the files."
        ) from None


def _executor() -> tuple[ProcessPoolExecutor, multiprocessing.queues.Queue]:
    """The worker pool, created on first use, and the queue its worker reports progress to
    (a new one with each worker: a killed worker may leave its queue broken). 'forkserver',
    not fork: the server has threads, and a forked copy of a threaded process can inherit a
    lock held at the moment of fork."""
    global _pool
    with _lock:
        if _pool is None:
            context = multiprocessing.get_context("forkserver")
            reports = context.Queue()
            _pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=context,
                initializer=_start_worker,
                initargs=(reports,),
            )
            _queues[_pool] = reports
            with _blank_main_module():
                _pool.submit(int)  # starts the worker now; it is never started again
        return _pool, _queues[_pool]


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
