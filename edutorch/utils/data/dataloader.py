"""DataLoader: batches from a dataset, in the order a sampler chooses, optionally in worker processes.

One batch, start to finish (read ``_SingleProcessDataLoaderIter.__next__``)::

    DataLoader.__iter__()                      -> an iterator object (a new one every epoch)
      batch_sampler / sampler  -> indices      e.g. [17, 3, 42, 8]  (shuffled if shuffle=True)
      fetcher.fetch(indices)   -> samples      [dataset[17], dataset[3], dataset[42], dataset[8]]
      collate_fn(samples)      -> batch        e.g. (images (4, 1, 28, 28), labels (4,))

With ``num_workers > 0`` the fetch + collate steps run in worker processes
(``_MultiProcessingDataLoaderIter``); the main process still draws the indices, so the batches come
out in exactly the same order as with ``num_workers=0``.
"""
from __future__ import annotations

import itertools
import math
import multiprocessing
import queue
import warnings
from typing import Callable
import numpy as np

from ... import random as _random
from . import _collate
from ._worker import ExceptionWrapper, _IterableDatasetStopIteration, _ResumeIteration, _worker_loop, get_worker_info
from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info", "default_collate", "default_convert"]

default_collate = _collate.default_collate
default_convert = _collate.default_convert


class _InfiniteConstantSampler(Sampler):
    """The 'sampler' of an IterableDataset: it yields ``None`` forever; the dataset decides when to stop."""

    def __iter__(self):
        while True:
            yield None


# ------------------------------------------------------------------------------------------ fetchers
class _MapDatasetFetcher:
    """indices -> ``dataset[i]`` for each -> ``collate_fn``. (Map-style datasets.)"""

    def __init__(self, dataset, auto_collation: bool, collate_fn: Callable, drop_last: bool) -> None:
        # drop_last is not needed here: for a map-style dataset the BatchSampler already dropped the
        # short batch. (The argument is there so both fetchers are made the same way.)
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn

    def fetch(self, possibly_batched_index):
        if self.auto_collation:
            if hasattr(self.dataset, "__getitems__") and self.dataset.__getitems__:
                data = self.dataset.__getitems__(possibly_batched_index)  # a dataset's batched fast path
            else:
                data = [self.dataset[idx] for idx in possibly_batched_index]
        else:
            data = self.dataset[possibly_batched_index]
        return self.collate_fn(data)


class _IterableDatasetFetcher:
    """next(iter(dataset)) batch_size times -> ``collate_fn``. (Iterable-style datasets.)

    Raises ``StopIteration`` when the dataset is exhausted (or when only a short batch is left and
    ``drop_last`` is set)."""

    def __init__(self, dataset, auto_collation: bool, collate_fn: Callable, drop_last: bool) -> None:
        self.dataset_iter = iter(dataset)
        self.auto_collation, self.collate_fn, self.drop_last = auto_collation, collate_fn, drop_last
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            # possibly_batched_index is a list of Nones from the batch sampler: only its length matters.
            data = []
            for _ in possibly_batched_index:
                try:
                    data.append(next(self.dataset_iter))
                except StopIteration:
                    self.ended = True
                    break
            if len(data) == 0 or (self.drop_last and len(data) < len(possibly_batched_index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


# ------------------------------------------------------------------------------------------ the loader
class DataLoader:
    """Iterate over ``dataset`` in batches.

    Args:
        dataset: a map-style ``Dataset`` (``__getitem__``/``__len__``) or an ``IterableDataset``.
        batch_size: samples per batch (default 1). ``None`` turns automatic batching off: each item is
            one sample, passed through ``default_convert`` instead of ``default_collate``.
        shuffle: reshuffle the order every epoch (a ``RandomSampler``).
        sampler: a custom order of indices (excludes ``shuffle``).
        batch_sampler: yields whole lists of indices (excludes batch_size, shuffle, sampler, drop_last).
        num_workers: worker processes that load batches in parallel (0: load in the main process).
        collate_fn: merges a list of samples into a batch (default ``default_collate``).
        pin_memory: accepted for compatibility; there is no accelerator, so it does nothing.
        drop_last: drop the last, incomplete batch.
        timeout: seconds to wait for a batch from the workers (0: wait forever).
        worker_init_fn: called as ``worker_init_fn(worker_id)`` in each worker after seeding.
        multiprocessing_context: ``'fork'``, ``'spawn'``, ``'forkserver'`` or a context object.
        generator: the random generator for ``RandomSampler`` and the workers' base seed.
        prefetch_factor: batches loaded in advance per worker (default 2 when num_workers > 0).
        persistent_workers: keep the worker processes alive between epochs.
        pin_memory_device: deprecated, ignored.

    Length: ``len(loader)`` is the number of batches: ``ceil(N / batch_size)``, or ``N // batch_size``
    with ``drop_last=True`` (81 samples, batch 8: 11 batches, or 10).
    """

    def __init__(self, dataset: Dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler=None, batch_sampler=None, num_workers: int = 0, collate_fn: Callable | None = None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable | None = None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        # ---- option checks, with PyTorch's messages
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; "
                             "use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        if prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = self._check_context(multiprocessing_context)
        self.in_order = in_order  # PyTorch's attribute; edutorch's workers always deliver batches in order
        if pin_memory:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.", UserWarning, stacklevel=2)

        self._is_iterable = isinstance(dataset, IterableDataset)
        if self._is_iterable:
            # An iterable dataset chooses its own order: there is nothing for a sampler to do.
            if shuffle not in {False, None}:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, "
                                 f"but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, "
                                 f"but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified batch_sampler "
                                 f"option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, "
                                 "sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive "
                             "with drop_last")

        # ---- the index pipeline: sampler (one index at a time) -> batch sampler (lists of indices)
        if sampler is None:
            if self._is_iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator

        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._iterator = None

    @staticmethod
    def _check_context(multiprocessing_context):
        if multiprocessing_context is None or not isinstance(multiprocessing_context, str):
            return multiprocessing_context
        valid = multiprocessing.get_all_start_methods()
        if multiprocessing_context not in valid:
            raise ValueError(f"multiprocessing_context option should specify a valid start method in "
                             f"{valid!r}, but got multiprocessing_context={multiprocessing_context!r}")
        return multiprocessing.get_context(multiprocessing_context)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        """What yields one fetch's worth of indices: the batch sampler, or the sampler if batching is off."""
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self):
        # A fresh iterator per epoch, except that persistent workers are reused between epochs.
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        if self.persistent_workers:
            if self._iterator is None:
                self._iterator = _MultiProcessingDataLoaderIter(self)
            else:
                self._iterator._reset(self)
            return self._iterator
        return _MultiProcessingDataLoaderIter(self)

    def __len__(self) -> int:
        if self._is_iterable:
            length = len(self.dataset)  # TypeError if the iterable dataset has no __len__
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)


# ------------------------------------------------------------------------------------------ iterators
class _BaseDataLoaderIter:
    def __init__(self, loader: DataLoader) -> None:
        self._loader = loader
        self._dataset = loader.dataset
        self._is_iterable = loader._is_iterable
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._collate_fn = loader.collate_fn
        self._num_yielded = 0
        self._sampler_iter = iter(self._index_sampler)
        # One base seed per epoch from the loader's generator (or the global one): worker k uses base + k.
        # (PyTorch's draw: ``torch.empty((), dtype=torch.int64).random_(generator=loader.generator)``)
        self._base_seed = int(_random._sample_random_full(_random._gen(loader.generator), 1, np.int64)[0])

    def __iter__(self):
        return self

    def _next_index(self):
        return next(self._sampler_iter)  # StopIteration here ends the epoch

    def __len__(self) -> int:
        return len(self._loader)


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    """Everything in the main process: sampler -> indices -> fetcher (dataset[i], collate_fn) -> batch."""

    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        fetcher_cls = _IterableDatasetFetcher if self._is_iterable else _MapDatasetFetcher
        self._dataset_fetcher = fetcher_cls(self._dataset, self._auto_collation, self._collate_fn,
                                            self._drop_last)

    def __next__(self):
        index = self._next_index()                    # e.g. [17, 3, 42, 8]
        data = self._dataset_fetcher.fetch(index)     # dataset[17], ... merged by collate_fn
        self._num_yielded += 1
        return data


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """Worker processes fetch and collate; the main process hands out indices and restores the order.

    Up to ``prefetch_factor * num_workers`` tasks are in flight. Task ``t`` goes to a worker
    round-robin; results arrive in any order and wait in ``_reorder_buffer`` until every earlier task
    has been yielded, so batches come out in sampler order.
    """

    # How often (seconds) to check that the workers are still alive while waiting for a result.
    _POLL_INTERVAL = 1.0

    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        self._num_workers = loader.num_workers
        self._prefetch_factor = loader.prefetch_factor
        self._timeout = loader.timeout
        context = loader.multiprocessing_context or multiprocessing
        self._result_queue = context.Queue()
        self._index_queues = []
        self._workers = []
        for worker_id in range(self._num_workers):
            index_queue = context.Queue()
            index_queue.cancel_join_thread()  # never block the main process's exit on a dead worker
            worker = context.Process(
                target=_worker_loop,
                args=(self._is_iterable, self._dataset, index_queue, self._result_queue, self._auto_collation,
                      self._collate_fn, self._drop_last, self._base_seed, loader.worker_init_fn, worker_id,
                      self._num_workers),
                daemon=True)  # daemon: killed with the main process, never orphaned
            worker.start()
            self._index_queues.append(index_queue)
            self._workers.append(worker)
        self._shutdown = False
        self._reset(loader, first_iter=True)

    def _reset(self, loader: DataLoader, first_iter: bool = False) -> None:
        if not first_iter:  # a new epoch with persistent workers: same processes, fresh bookkeeping
            self._sampler_iter = iter(self._index_sampler)
            self._num_yielded = 0
            # Each worker restarts its fetcher and acknowledges; results still in flight from an
            # epoch the user left early arrive before the acknowledgement and are dropped.
            for index_queue in self._index_queues:
                index_queue.put(_ResumeIteration())
            waiting = self._num_workers
            while waiting:
                task_id, _ = self._get_result()
                waiting -= isinstance(task_id, _ResumeIteration)
        self._send_idx = 0                     # next task id to send
        self._rcvd_idx = 0                     # next task id to yield
        self._task_worker: dict[int, int] = {}  # task id -> worker id, for tasks not yet yielded
        self._reorder_buffer: dict[int, object] = {}
        self._worker_active = [True] * self._num_workers
        self._worker_cycle = itertools.cycle(range(self._num_workers))
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_put_index(self) -> None:
        """Send the next indices to the next active worker (if the sampler has any left)."""
        if not any(self._worker_active):
            return
        try:
            index = self._next_index()
        except StopIteration:
            return
        worker_id = next(self._worker_cycle)
        while not self._worker_active[worker_id]:
            worker_id = next(self._worker_cycle)
        self._index_queues[worker_id].put((self._send_idx, index))
        self._task_worker[self._send_idx] = worker_id
        self._send_idx += 1

    def _get_result(self):
        """One (task_id, result) from the workers, checking for dead workers and the user's timeout."""
        waited = 0.0
        while True:
            wait = self._POLL_INTERVAL if self._timeout == 0 else min(self._POLL_INTERVAL, self._timeout - waited)
            try:
                return self._result_queue.get(timeout=max(wait, 0.0))
            except queue.Empty:
                waited += wait
                dead = [w.pid for w in self._workers if not w.is_alive()]
                if dead:
                    self._shutdown_workers()
                    raise RuntimeError(f"DataLoader worker (pid(s) {', '.join(map(str, dead))}) exited "
                                       f"unexpectedly") from None
                if self._timeout > 0 and waited >= self._timeout:
                    self._shutdown_workers()
                    raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds") from None

    def __next__(self):
        while True:
            if self._rcvd_idx == self._send_idx:  # nothing in flight and the sampler is empty: epoch over
                if not self._loader.persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            if self._rcvd_idx in self._reorder_buffer:
                result = self._reorder_buffer.pop(self._rcvd_idx)
                del self._task_worker[self._rcvd_idx]
                self._rcvd_idx += 1
                if isinstance(result, _IterableDatasetStopIteration):
                    self._worker_active[result.worker_id] = False  # that worker's share is finished
                    continue
                self._try_put_index()  # keep the pipeline full
                if isinstance(result, ExceptionWrapper):
                    self._shutdown_workers()
                    result.reraise()
                self._num_yielded += 1
                return result
            task_id, result = self._get_result()
            if isinstance(result, _IterableDatasetStopIteration):
                self._worker_active[result.worker_id] = False  # send it no more tasks
            self._reorder_buffer[task_id] = result

    def _shutdown_workers(self) -> None:
        """Ask every worker to stop (``None``), wait briefly, and terminate any that do not."""
        if getattr(self, "_shutdown", True):
            return
        self._shutdown = True
        for index_queue in self._index_queues:
            try:
                index_queue.put(None)
            except (OSError, ValueError):
                pass
        for worker in self._workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.terminate()
                worker.join()
        for q in self._index_queues + [self._result_queue]:
            q.cancel_join_thread()
            q.close()

    def __del__(self):
        # Breaking out of a loop drops the iterator: its workers are shut down here.
        self._shutdown_workers()
