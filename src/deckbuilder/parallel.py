"""Spread independent work over the machine's cores, or run it in line when that is cheaper."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a process pool costs more (start-up, pickling) than it saves.
MIN_ITEMS = 8


def default_jobs() -> int:
    """$DECKBUILDER_JOBS, else the cores this process may use."""
    override = os.environ.get("DECKBUILDER_JOBS")
    if override and override.isdigit() and int(override) > 0:
        return int(override)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def map_jobs(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    jobs: int | None = None,
    min_items: int = MIN_ITEMS,
    in_parent: int = 0,
) -> list[R]:
    """``[func(i) for i in items]``, in order, on up to ``jobs`` processes.

    ``func`` and the items must pickle (a module-level function, frozen values). With the
    build's shared pool, the first ``in_parent`` items run in this process meanwhile: a
    big item is then never copied into a worker (pickling it costs time and memory).
    """
    workers = min(jobs or default_jobs(), len(items))
    if workers <= 1 or len(items) < min_items:
        return [func(item) for item in items]
    shared = getattr(_SHARED, "pool", None)
    if shared is not None:
        return _map_settled(shared.get(), func, items, in_parent=in_parent)
    with _new_pool(workers) as pool:
        return list(pool.map(func, items, chunksize=1))


def _map_settled(
    pool: Executor, func: Callable[[T], R], items: Sequence[T], *, in_parent: int = 0
) -> list[R]:
    """``pool.map``, but when one item fails, the others have stopped or finished before
    the error goes up (as when a pool is shut down): the caller may then remove what
    they were writing, and nothing is written after that."""
    from concurrent.futures import wait

    futures = [pool.submit(func, item) for item in items[in_parent:]]
    try:
        here = [func(item) for item in items[:in_parent]]
        return here + [future.result() for future in futures]
    except BaseException:
        for future in futures:
            future.cancel()
        wait(futures)
        raise


def _new_pool(workers: int) -> Executor:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("fork"),
        initializer=_die_with,
        initargs=(os.getpid(),),
    )


class _Lazy:
    """A pool started on first use: a run that turns out to have nothing to do starts none."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool: Executor | None = None

    def get(self) -> Executor:
        if self.pool is None:
            self.pool = _new_pool(self.workers)
        return self.pool


_SHARED = threading.local()


@contextlib.contextmanager
def one_pool(jobs: int | None = None) -> Iterator[None]:
    """Inside, every ``map_jobs`` of this thread that goes parallel uses one pool of ``jobs``
    processes, started on first use: one start-up per run instead of one per stage, and
    workers forked while the process is still small (they never copy the big values made
    later; their inputs come to them pickled)."""
    workers = jobs or default_jobs()
    if workers <= 1 or getattr(_SHARED, "pool", None) is not None:
        yield
        return
    lazy = _Lazy(workers)
    _SHARED.pool = lazy
    try:
        yield
    finally:
        _SHARED.pool = None
        if lazy.pool is not None:
            lazy.pool.shutdown(wait=True, cancel_futures=True)


def _die_with(parent: int) -> None:
    """Run first in each worker: the kernel kills it when its parent dies (a killed or
    cancelled build leaves no worker behind), and it ends at once if that already happened."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)
