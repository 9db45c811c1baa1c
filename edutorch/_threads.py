"""``torch.set_num_threads`` / ``torch.get_num_threads``: how many threads do the heavy lifting.

edutorch's heavy lifting is NumPy's BLAS (matrix multiplies, and so every Linear and convolution), which
runs its own pool of threads, one per core by default. threadpoolctl finds that library in the process
and reads or limits its pool.
"""
from __future__ import annotations

import functools

import numpy as np
from threadpoolctl import ThreadpoolController


def _blas_pools() -> ThreadpoolController:
    # A fresh scan each call (about a millisecond) also sees BLAS libraries loaded after edutorch.
    return ThreadpoolController().select(user_api="blas")


@functools.cache
def _numpy_blas_pools() -> ThreadpoolController:
    return _blas_pools()  # NumPy's own BLAS is loaded with NumPy: scanned once


def one_blas_thread():
    """A context in which NumPy's BLAS uses one thread, the previous limit restored on exit: for ops
    whose matrix products are too small to pay for the hand-off between threads (a recurrent layer's
    time steps)."""
    return _numpy_blas_pools().limit(limits=1)


def set_num_threads(num: int) -> None:
    """Use at most ``num`` threads in NumPy's BLAS (matrix multiplies) from now on.

    Why it matters: on a busy 2-core machine (a laptop running a notebook server and a browser, a shared
    cloud VM), OpenBLAS's threads spin-wait for each other and for the core the other programs hold.
    For small models, whose matrices split into slivers too thin to pay for the hand-off, one thread is
    often several times faster than two: try ``torch.set_num_threads(1)`` and time an epoch both ways.

    Raises ``RuntimeError`` if ``num`` is not a positive integer, as PyTorch does.
    """
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(num).__name__}")
    if num < 1:
        raise RuntimeError("set_num_threads expects a positive integer")
    _blas_pools().limit(limits=int(num))


def get_num_threads() -> int:
    """The number of threads NumPy's BLAS uses (1 when NumPy has no threaded BLAS)."""
    return max((pool["num_threads"] for pool in _blas_pools().info()), default=1)
