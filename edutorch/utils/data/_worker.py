"""What runs inside a DataLoader worker process.

Each worker is a separate Python process holding its own copy of the dataset. The main process sends it
tasks ``(task_id, indices)`` on its own *index queue*; the worker fetches and collates that batch and
puts ``(task_id, batch)`` on the shared *result queue*. ``None`` on the index queue means "shut down".
Errors are not raised here: they travel back as an ``ExceptionWrapper`` and the main process re-raises
them with the worker's traceback in the message.
"""
from __future__ import annotations

import random
import sys
import traceback
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker: its ``id`` (0 .. num_workers-1),
    ``num_workers``, the ``seed`` it was seeded with, and its own copy of the ``dataset``."""
    id: int
    num_workers: int
    seed: int
    dataset: object


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """Inside a worker process: this worker's ``WorkerInfo``. In the main process: ``None``.

    Typical use, splitting an ``IterableDataset`` so each worker yields a different share::

        info = get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        yield from self.data[start::step]
    """
    return _worker_info


class ExceptionWrapper:
    """An exception caught in a worker, carried to the main process as its type and formatted traceback."""

    def __init__(self, exc_info, where: str) -> None:
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        try:
            exception = self.exc_type(msg)
        except Exception:  # an exception class whose constructor needs other arguments
            raise RuntimeError(msg) from None
        raise exception


class _IterableDatasetStopIteration:
    """Sent by a worker whose copy of an ``IterableDataset`` is exhausted."""

    def __init__(self, worker_id: int) -> None:
        self.worker_id = worker_id


class _ResumeIteration:
    """Sent to each persistent worker when a new epoch starts, and sent back as its acknowledgement.

    The worker makes a fresh fetcher (for an ``IterableDataset``: a fresh ``iter(dataset)``); every
    result a worker sent before its acknowledgement belongs to the old epoch and is discarded.
    """


def _numpy_worker_state(base_seed: int, worker_id: int) -> np.ndarray:
    """The seed PyTorch gives NumPy's global generator in a worker: four 32-bit words that NumPy's
    ``SeedSequence`` (with a pool of 4 words) makes from the entropy words [worker_id, the low and the high
    32 bits of base_seed]. It hashes and mixes them, so workers' NumPy streams do not collide with the
    ``base_seed + worker_id`` seeds of ``random`` and ``torch``."""
    return np.random.SeedSequence(worker_id + (base_seed << 32), pool_size=4).generate_state(4)


def _worker_loop(is_iterable, dataset, index_queue, result_queue, auto_collation, collate_fn, drop_last,
                 base_seed, init_fn, worker_id, num_workers) -> None:
    """The body of one worker process: seed, run ``worker_init_fn``, then answer tasks until ``None``."""
    global _worker_info
    from ... import random as _random
    from .dataloader import _IterableDatasetFetcher, _MapDatasetFetcher

    try:
        # Different seeds per worker, so random augmentations differ between workers; the same three
        # seeds as PyTorch's workers, so a worker draws the same numbers on both engines.
        seed = base_seed + worker_id
        random.seed(seed)
        _random.manual_seed(seed)
        np.random.seed(_numpy_worker_state(base_seed, worker_id))
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)

        init_error = None
        fetcher_cls = _IterableDatasetFetcher if is_iterable else _MapDatasetFetcher
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = fetcher_cls(dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_error = ExceptionWrapper(sys.exc_info(), where=f"in DataLoader worker process {worker_id}")

        exhausted = False
        while True:
            task = index_queue.get()
            if task is None:  # the main process asks us to stop
                break
            if isinstance(task, _ResumeIteration):  # a new epoch with persistent workers
                fetcher = fetcher_cls(dataset, auto_collation, collate_fn, drop_last)
                exhausted = False
                result_queue.put((task, None))
                continue
            task_id, indices = task
            if init_error is not None:
                result, init_error = init_error, None
            elif exhausted:
                result = _IterableDatasetStopIteration(worker_id)
            else:
                try:
                    result = fetcher.fetch(indices)
                except StopIteration:
                    exhausted = True
                    result = _IterableDatasetStopIteration(worker_id)
                except Exception:
                    result = ExceptionWrapper(sys.exc_info(), where=f"in DataLoader worker process {worker_id}")
            result_queue.put((task_id, result))
    except KeyboardInterrupt:
        pass  # the main process handles Ctrl-C
    finally:
        result_queue.cancel_join_thread()
