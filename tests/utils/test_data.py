"""edutorch.utils.data against torch.utils.data: datasets, samplers, collate, DataLoader, workers."""
from __future__ import annotations

import collections

import numpy as np
import pytest

import edutorch
from edutorch.utils.data import (BatchSampler, ChainDataset, ConcatDataset, DataLoader, Dataset, IterableDataset,
                                 RandomSampler, Sampler, SequentialSampler, StackDataset, Subset,
                                 SubsetRandomSampler, TensorDataset, WeightedRandomSampler, default_collate,
                                 default_convert, get_worker_info, random_split)

from tests.conftest import assert_same

Point = collections.namedtuple("Point", ["x", "y"])


# ---------------------------------------------------------------------- module-level datasets (picklable)
class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return float(i), i * i


class Range(IterableDataset):
    """Yields start..end-1, split between workers with get_worker_info()."""

    def __init__(self, end, with_len=True):
        self.end = end
        self.with_len = with_len

    def __iter__(self):
        info = get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.end, step))

    def __len__(self):
        if not self.with_len:
            raise TypeError("no len")
        return self.end


class FailsAt(Dataset):
    def __len__(self):
        return 10

    def __getitem__(self, i):
        if i == 5:
            raise ValueError("sample 5 is corrupt")
        return i


class WhoLoads(Dataset):
    def __len__(self):
        return 12

    def __getitem__(self, i):
        info = get_worker_info()
        return i, -1 if info is None else info.id


def _torch_twin(torch, ours_cls):
    """The same dataset class built on torch's Dataset base (for loaders compared with torch)."""
    return type("T" + ours_cls.__name__, (torch.utils.data.Dataset,), dict(ours_cls.__dict__))


def _same_batch(ours, theirs):
    """Recursively compare a batch structure from edutorch and from torch."""
    if hasattr(theirs, "dtype") and hasattr(theirs, "shape") and not isinstance(theirs, np.ndarray):
        assert type(ours).__name__ == "Tensor"
        assert_same(ours, theirs)
    elif isinstance(theirs, dict):
        assert type(ours) is type(theirs) and ours.keys() == theirs.keys()
        for k in theirs:
            _same_batch(ours[k], theirs[k])
    elif isinstance(theirs, (list, tuple)):
        assert type(ours).__name__ == type(theirs).__name__, (type(ours), type(theirs))
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same_batch(a, b)
    elif isinstance(theirs, np.ndarray):
        np.testing.assert_array_equal(ours, theirs)
    else:
        assert ours == theirs


# ---------------------------------------------------------------------- datasets
def test_tensor_dataset_and_add(torch):
    x = edutorch.arange(6).reshape(3, 2).float()
    y = edutorch.tensor([0, 1, 0])
    ds = TensorDataset(x, y)
    assert len(ds) == 3
    xi, yi = ds[1]
    assert xi.tolist() == [2.0, 3.0] and yi.item() == 1
    with pytest.raises(AssertionError):
        TensorDataset(x, edutorch.tensor([1, 2]))
    both = ds + ds
    assert isinstance(both, ConcatDataset) and len(both) == 6
    assert both[4][0].tolist() == [2.0, 3.0]


def test_concat_dataset_matches_torch(torch):
    ours = ConcatDataset([range(3), range(10, 15), range(20, 22)])
    theirs = torch.utils.data.ConcatDataset([range(3), range(10, 15), range(20, 22)])
    assert ours.cumulative_sizes == theirs.cumulative_sizes
    assert [ours[i] for i in range(-len(ours), len(ours))] == [theirs[i] for i in range(-len(theirs), len(theirs))]
    for bad in ([], [Range(3)]):
        with pytest.raises(AssertionError):
            ConcatDataset(bad)
    with pytest.raises(ValueError, match="absolute value of index"):
        ours[-11]


def test_chain_and_iterable_add():
    chained = Range(3) + Range(2)
    assert isinstance(chained, ChainDataset)
    assert list(chained) == [0, 1, 2, 0, 1] and len(chained) == 5
    with pytest.raises(AssertionError):
        list(ChainDataset([range(3)]))


def test_subset_and_stack_dataset(torch):
    sub = Subset(Squares(10), [7, 2])
    assert len(sub) == 2 and sub[0] == (7.0, 49) and sub[1] == (2.0, 4)
    st = StackDataset(range(3), range(10, 13))
    assert st[2] == (2, 12) and len(st) == 3
    named = StackDataset(a=range(3), b=range(3, 6))
    assert named[1] == {"a": 1, "b": 4}
    for args, kwargs in [((range(2), range(3)), {}), ((), {}), ((range(2),), {"b": range(2)})]:
        with pytest.raises(ValueError) as ours:
            StackDataset(*args, **kwargs)
        with pytest.raises(ValueError) as theirs:
            torch.utils.data.StackDataset(*args, **kwargs)
        assert str(ours.value) == str(theirs.value)


def test_dataset_base_raises():
    with pytest.raises(NotImplementedError):
        Dataset()[0]
    with pytest.raises(TypeError):
        len(Dataset())


@pytest.mark.parametrize("n, lengths", [(10, [3, 7]), (30, [0.3, 0.3, 0.4]), (11, [0.5, 0.5]),
                                        (10, [0.25, 0.75]), (7, [0.1, 0.2, 0.7]), (5, [5])])
def test_random_split_sizes_match_torch(torch, n, lengths):
    ours = random_split(range(n), lengths, generator=edutorch.Generator().manual_seed(1))
    theirs = torch.utils.data.random_split(range(n), lengths, generator=torch.Generator().manual_seed(1))
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    everything = sorted(i for s in ours for i in s)
    assert everything == list(range(n))  # a partition: no sample lost or repeated


def test_random_split_reproducible_and_errors(torch):
    a = random_split(range(20), [5, 15], generator=edutorch.Generator().manual_seed(3))
    b = random_split(range(20), [5, 15], generator=edutorch.Generator().manual_seed(3))
    assert [list(s) for s in a] == [list(s) for s in b]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(range(10), [3, 3])
    with pytest.raises(ValueError):
        torch.utils.data.random_split(range(10), [3, 3])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(range(2), [1.0, 0.0])


# ---------------------------------------------------------------------- samplers
def test_sequential_and_batch_sampler_match_torch(torch):
    for n, bs, drop in [(10, 3, False), (10, 3, True), (81, 8, False), (81, 8, True), (4, 4, True)]:
        ours = BatchSampler(SequentialSampler(range(n)), bs, drop)
        theirs = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(n)), bs, drop)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)
    for bad in [(0, False), (2.0, False), (True, False), (2, 1)]:
        with pytest.raises(ValueError) as ours:
            BatchSampler(range(3), *bad)
        with pytest.raises(ValueError) as theirs:
            torch.utils.data.BatchSampler(range(3), *bad)
        assert str(ours.value) == str(theirs.value)


def test_random_sampler_permutation_and_lengths(torch):
    s = RandomSampler(range(10), generator=edutorch.Generator().manual_seed(0))
    order = list(s)
    assert sorted(order) == list(range(10)) and len(s) == 10
    more = RandomSampler(range(10), num_samples=25, generator=edutorch.Generator().manual_seed(0))
    counts = np.bincount(list(more), minlength=10)
    assert len(more) == 25 and counts.min() >= 2 and counts.max() <= 3  # 2 full passes + 5 distinct
    with pytest.raises(TypeError) as ours:
        RandomSampler(range(3), replacement=1)
    with pytest.raises(TypeError) as theirs:
        torch.utils.data.RandomSampler(range(3), replacement=1)
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        RandomSampler(range(3), num_samples=0)


def test_random_sampler_statistics():
    # With replacement, each of 5 indices is drawn ~ 20000 / 5 times.
    s = RandomSampler(range(5), replacement=True, num_samples=20000, generator=edutorch.Generator().manual_seed(2))
    counts = np.bincount(list(s), minlength=5)
    assert len(list(s)) == 20000 and np.all(np.abs(counts - 4000) < 250)
    # Without replacement each position is uniform: index 0 lands first ~1/4 of the time.
    g = edutorch.Generator().manual_seed(5)
    firsts = [next(iter(RandomSampler(range(4), generator=g))) for _ in range(4000)]
    assert np.all(np.abs(np.bincount(firsts, minlength=4) - 1000) < 120)


def test_random_sampler_reproducible_from_seed():
    g1, g2 = edutorch.Generator().manual_seed(7), edutorch.Generator().manual_seed(7)
    assert list(RandomSampler(range(50), generator=g1)) == list(RandomSampler(range(50), generator=g2))
    edutorch.manual_seed(11)
    a = list(RandomSampler(range(50)))
    edutorch.manual_seed(11)
    assert list(RandomSampler(range(50))) == a  # no generator: seeded from the global one


def test_subset_random_sampler():
    s = SubsetRandomSampler([3, 9, 4, 20], generator=edutorch.Generator().manual_seed(0))
    assert sorted(s) == [3, 4, 9, 20] and len(s) == 4


def test_weighted_random_sampler_statistics_and_errors(torch):
    w = [0.1, 0.0, 0.6, 0.3]
    s = WeightedRandomSampler(w, 20000, generator=edutorch.Generator().manual_seed(0))
    freq = np.bincount(list(s), minlength=4) / 20000
    np.testing.assert_allclose(freq, w, atol=0.015)
    assert len(s) == 20000
    no_repl = list(WeightedRandomSampler([1, 1, 1, 1, 1], 5, replacement=False))
    assert sorted(no_repl) == [0, 1, 2, 3, 4]
    for args in [([1.0, 2.0], 0), ([1.0, 2.0], 2, 1), ([[1.0, 2.0]], 2)]:
        with pytest.raises(ValueError) as ours:
            WeightedRandomSampler(*args)
        with pytest.raises(ValueError) as theirs:
            torch.utils.data.WeightedRandomSampler(*args)
        assert str(ours.value) == str(theirs.value)


def test_sampler_base():
    with pytest.raises(NotImplementedError):
        iter(Sampler())


# ---------------------------------------------------------------------- collate
def _collate_cases():
    return [
        [1, 2, 3],
        [1.5, 2.5],
        [True, False],
        ["a", "b"],
        [b"x", b"y"],
        [np.float32(1.0), np.float32(2.0)],
        [np.int32(4), np.int32(5)],
        [np.float64(1.0), np.float64(3.0)],
        [np.bool_(True), np.bool_(False)],
        [np.arange(6, dtype=np.float32).reshape(2, 3), np.ones((2, 3), np.float32)],
        [np.arange(3), np.arange(3, 6)],
        [np.array([1, 2], np.uint8), np.array([3, 4], np.uint8)],
        [{"x": 1.0, "y": np.array([1, 2])}, {"x": 2.0, "y": np.array([3, 4])}],
        [(1, "a", 2.0), (2, "b", 3.0)],
        [[1, 2], [3, 4]],
        [Point(1, 2.0), Point(3, 4.0)],
        [{"img": (np.zeros((2, 2), np.float32), 1), "meta": {"name": "a", "id": [1, 2]}},
         {"img": (np.ones((2, 2), np.float32), 0), "meta": {"name": "b", "id": [3, 4]}}],
    ]


@pytest.mark.parametrize("case", range(len(_collate_cases())))
def test_default_collate_matches_torch(torch, case):
    batch = _collate_cases()[case]
    _same_batch(default_collate(batch), torch.utils.data.default_collate(batch))


def test_default_collate_tensors_and_errors(torch):
    ours = default_collate([edutorch.ones(2, 3), edutorch.zeros(2, 3)])
    theirs = torch.utils.data.default_collate([torch.ones(2, 3), torch.zeros(2, 3)])
    assert_same(ours, theirs)
    pairs = default_collate([(edutorch.tensor([1, 2]), 0), (edutorch.tensor([3, 4]), 1)])
    assert isinstance(pairs, list) and pairs[0].shape == (2, 2) and pairs[1].dtype == edutorch.int64
    with pytest.raises(RuntimeError):
        default_collate([edutorch.ones(2), edutorch.ones(3)])
    for bad in ([object(), object()], [np.array(["a"]), np.array(["b"])]):
        with pytest.raises(TypeError) as ours_err:
            default_collate(bad)
        with pytest.raises(TypeError) as theirs_err:
            torch.utils.data.default_collate(bad)
        assert str(ours_err.value) == str(theirs_err.value).replace("  ", " ")
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])


@pytest.mark.parametrize("data", [
    np.arange(4), np.float32(2.0), 3, 1.5, "s", (np.arange(2), 1), [np.arange(2), "x"],
    {"a": np.ones(2), "b": 2}, Point(np.int64(1), np.arange(2)), np.array(["u", "v"]),
])
def test_default_convert_matches_torch(torch, data):
    _same_batch(default_convert(data), torch.utils.data.default_convert(data))


# ---------------------------------------------------------------------- DataLoader
@pytest.mark.parametrize("n, bs, drop", [(81, 8, False), (81, 8, True), (10, 5, False), (3, 5, True), (3, 5, False)])
def test_len_rules_match_torch(torch, n, bs, drop):
    ours = DataLoader(Squares(n), batch_size=bs, drop_last=drop)
    theirs = torch.utils.data.DataLoader(Squares(n), batch_size=bs, drop_last=drop)
    assert len(ours) == len(theirs) == len(list(ours))
    it_ours = DataLoader(Range(n), batch_size=bs, drop_last=drop)
    it_theirs = torch.utils.data.DataLoader(_torch_iterable(torch, n), batch_size=bs, drop_last=drop)
    assert len(it_ours) == len(it_theirs) == len(list(it_ours))


def _torch_iterable(torch, n):
    class TRange(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(n))

        def __len__(self):
            return n
    return TRange()


def test_len_of_81_samples():
    assert len(DataLoader(range(81), batch_size=8)) == 11
    assert len(DataLoader(range(81), batch_size=8, drop_last=True)) == 10


@pytest.mark.parametrize("kwargs", [dict(batch_size=4), dict(batch_size=3, drop_last=True), dict(batch_size=None),
                                    dict(batch_size=1), dict(batch_size=4, collate_fn=lambda b: b)])
def test_sequential_batches_match_torch(torch, kwargs):
    ours = list(DataLoader(Squares(10), **kwargs))
    theirs = list(torch.utils.data.DataLoader(Squares(10), **kwargs))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        _same_batch(a, b)


def test_tensor_dataset_batches_match_torch(torch):
    x = np.random.default_rng(0).standard_normal((20, 3)).astype(np.float32)
    y = np.arange(20) % 3
    ours = list(DataLoader(TensorDataset(edutorch.tensor(x), edutorch.tensor(y)), batch_size=6))
    theirs = list(torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y)),
                                              batch_size=6))
    for a, b in zip(ours, theirs, strict=True):
        _same_batch(a, b)


def test_iterable_dataset_batches_match_torch(torch):
    ours = list(DataLoader(Range(7), batch_size=3))
    theirs = list(torch.utils.data.DataLoader(_torch_iterable(torch, 7), batch_size=3))
    for a, b in zip(ours, theirs, strict=True):
        _same_batch(a, b)
    assert [t.tolist() for t in DataLoader(Range(7), batch_size=3, drop_last=True)] == [[0, 1, 2], [3, 4, 5]]
    assert list(DataLoader(Range(3), batch_size=None)) == [0, 1, 2]


def test_batch_sampler_and_custom_sampler(torch):
    bs = [[0, 2], [1, 3, 5]]
    _same_batch(list(DataLoader(Squares(6), batch_sampler=bs)),
                list(torch.utils.data.DataLoader(Squares(6), batch_sampler=bs)))
    _same_batch(list(DataLoader(Squares(6), sampler=[5, 4, 3], batch_size=2)),
                list(torch.utils.data.DataLoader(Squares(6), sampler=[5, 4, 3], batch_size=2)))
    assert len(DataLoader(Squares(6), batch_sampler=bs)) == 2


def _conflicts(lib, ds, it):
    return [
        lambda: lib.DataLoader(ds, batch_sampler=[[0]], batch_size=2),
        lambda: lib.DataLoader(ds, batch_sampler=[[0]], shuffle=True),
        lambda: lib.DataLoader(ds, batch_sampler=[[0]], sampler=[0]),
        lambda: lib.DataLoader(ds, batch_sampler=[[0]], drop_last=True),
        lambda: lib.DataLoader(ds, sampler=[0], shuffle=True),
        lambda: lib.DataLoader(it, shuffle=True),
        lambda: lib.DataLoader(it, sampler=[0]),
        lambda: lib.DataLoader(it, batch_sampler=[[0]]),
        lambda: lib.DataLoader(ds, batch_size=None, drop_last=True),
        lambda: lib.DataLoader(ds, num_workers=-1),
        lambda: lib.DataLoader(ds, timeout=-1),
        lambda: lib.DataLoader(ds, prefetch_factor=2),
        lambda: lib.DataLoader(ds, persistent_workers=True),
        lambda: lib.DataLoader(ds, num_workers=1, multiprocessing_context="nope"),
    ]


def test_conflicting_options_raise_like_torch(torch):
    ours = _conflicts(edutorch.utils.data, Squares(4), Range(4))
    theirs = _conflicts(torch.utils.data, Squares(4), _torch_iterable(torch, 4))
    for make_ours, make_theirs in zip(ours, theirs):
        with pytest.raises(ValueError) as err_theirs:
            make_theirs()
        with pytest.raises(ValueError) as err_ours:
            make_ours()
        # our repr of a sampler list matches, so the whole message matches
        assert str(err_ours.value) == str(err_theirs.value)


def test_shuffle_reproducible_and_covers_everything():
    def epoch(seed):
        g = edutorch.Generator().manual_seed(seed)
        return [b.tolist() for b in DataLoader(range(30), batch_size=7, shuffle=True, generator=g)]
    assert epoch(3) == epoch(3) and epoch(3) != epoch(4)
    assert sorted(sum(epoch(3), [])) == list(range(30))
    g = edutorch.Generator().manual_seed(3)
    dl = DataLoader(range(30), batch_size=30, shuffle=True, generator=g)
    assert list(dl)[0].tolist() != list(dl)[0].tolist()  # a new order every epoch
    edutorch.manual_seed(9)
    a = [b.tolist() for b in DataLoader(range(30), batch_size=7, shuffle=True)]
    edutorch.manual_seed(9)
    assert a == [b.tolist() for b in DataLoader(range(30), batch_size=7, shuffle=True)]


def test_dataloader_defaults_and_pin_memory(torch):
    dl = DataLoader(Squares(5))
    assert dl.batch_size == 1 and isinstance(dl.sampler, SequentialSampler) and dl.collate_fn is default_collate
    assert isinstance(DataLoader(Squares(5), shuffle=True).sampler, RandomSampler)
    assert DataLoader(Squares(5), batch_size=None).collate_fn is default_convert
    with pytest.warns(UserWarning, match="pin_memory"):
        DataLoader(Squares(5), pin_memory=True)
    with pytest.raises(TypeError):
        len(DataLoader(Range(5, with_len=False)))


def test_iteration_flow_goes_through_getitem_and_collate():
    calls = []

    class Logged(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            calls.append(("getitem", i))
            return i

    def collate(samples):
        calls.append(("collate", list(samples)))
        return samples

    list(DataLoader(Logged(), batch_size=2, sampler=[3, 1, 0, 2], collate_fn=collate))
    assert calls == [("getitem", 3), ("getitem", 1), ("collate", [3, 1]),
                     ("getitem", 0), ("getitem", 2), ("collate", [0, 2])]


# ---------------------------------------------------------------------- workers
def test_workers_preserve_order():
    single = [b for b in DataLoader(Squares(23), batch_size=4)]
    multi = [b for b in DataLoader(Squares(23), batch_size=4, num_workers=2)]
    assert len(multi) == len(single) == 6
    for a, b in zip(single, multi):
        assert a[0].tolist() == b[0].tolist() and a[1].tolist() == b[1].tolist()


def test_workers_split_work_and_worker_info():
    batches = list(DataLoader(WhoLoads(), batch_size=3, num_workers=2))
    assert [b[0].tolist() for b in batches] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]]
    assert [set(b[1].tolist()) for b in batches] == [{0}, {1}, {0}, {1}]  # round-robin over workers
    assert get_worker_info() is None  # in the main process


def test_iterable_dataset_split_with_worker_info(torch):
    ours = [b.tolist() for b in DataLoader(Range(10), batch_size=3, num_workers=2)]
    theirs = [b.tolist() for b in torch.utils.data.DataLoader(_TorchRange(10), batch_size=3, num_workers=2)]
    assert ours == theirs == [[0, 2, 4], [1, 3, 5], [6, 8], [7, 9]]


class _TorchRange:
    """Created lazily so that the module imports without torch."""

    def __new__(cls, n):
        import torch

        class TRange(torch.utils.data.IterableDataset):
            def __iter__(self):
                info = torch.utils.data.get_worker_info()
                start, step = (0, 1) if info is None else (info.id, info.num_workers)
                return iter(range(start, n, step))
        return TRange()


def _init_seen(worker_id):
    import os
    os.environ["EDUTORCH_TEST_WORKER"] = str(worker_id)


class EnvDataset(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        import os
        return int(os.environ.get("EDUTORCH_TEST_WORKER", "-1"))


def test_worker_init_fn_runs_in_each_worker():
    out = [b.tolist() for b in DataLoader(EnvDataset(), batch_size=1, num_workers=2, worker_init_fn=_init_seen)]
    assert out == [[0], [1], [0], [1]]


def test_worker_error_reraised_with_traceback():
    with pytest.raises(ValueError) as err:
        list(DataLoader(FailsAt(), batch_size=2, num_workers=2))
    message = str(err.value)
    assert "Caught ValueError in DataLoader worker process" in message
    assert "sample 5 is corrupt" in message and "Traceback" in message and "__getitem__" in message


def test_workers_shut_down_on_break():
    dl = DataLoader(Squares(100), batch_size=2, num_workers=2)
    it = iter(dl)
    next(it)
    workers = list(it._workers)
    assert all(w.is_alive() for w in workers)
    del it  # what happens when a for loop is left with break
    for w in workers:
        w.join(timeout=5)
    assert not any(w.is_alive() for w in workers)


def test_persistent_workers_reused_between_epochs():
    dl = DataLoader(Squares(6), batch_size=2, num_workers=2, persistent_workers=True)
    first = [b[1].tolist() for b in dl]
    pids = [w.pid for w in dl._iterator._workers]
    second = [b[1].tolist() for b in dl]
    assert first == second == [[0, 1], [4, 9], [16, 25]]
    assert [w.pid for w in dl._iterator._workers] == pids
    dl._iterator._shutdown_workers()


def test_persistent_workers_restart_an_iterable_dataset_each_epoch():
    dl = DataLoader(Range(7), batch_size=2, num_workers=2, persistent_workers=True)
    epochs = [sorted(x for b in dl for x in b.tolist()) for _ in range(3)]
    assert epochs == [list(range(7))] * 3
    dl._iterator._shutdown_workers()


def test_persistent_workers_after_leaving_an_epoch_early():
    # results still in flight from the abandoned epoch must not leak into the next one
    dl = DataLoader(Squares(20), batch_size=2, num_workers=2, persistent_workers=True, prefetch_factor=4)
    for batch in dl:
        break
    assert [b[1].tolist() for b in dl] == [[i * i, (i + 1) ** 2] for i in range(0, 20, 2)]
    dl._iterator._shutdown_workers()


class Slow(Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        import time
        time.sleep(1)
        return i


def test_timeout_raises_runtime_error():
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.2 seconds"):
        next(iter(DataLoader(Slow(), num_workers=1, timeout=0.2)))


def test_utils_data_is_reachable_after_import_edutorch():
    import subprocess
    import sys

    code = ("import edutorch as torch; ds = torch.utils.data.TensorDataset(torch.arange(5)); "
            "print(len(torch.utils.data.DataLoader(ds, batch_size=2)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "3"
