"""nn.init's old names without the underscore (uniform, normal, ...) and sparse_: the warning PyTorch gives,
the same numbers as the new name, and sparse_'s structure and errors."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import edutorch
from edutorch import nn

OLD_NAMES = [
    ("uniform", (-0.5, 0.5)), ("normal", (0.0, 2.0)), ("constant", (0.25,)), ("xavier_uniform", ()),
    ("xavier_normal", (2.0,)), ("kaiming_uniform", ()), ("kaiming_normal", (0, "fan_out")), ("orthogonal", ()),
    ("sparse", (0.5,)),
]


def _warnings_of(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [(w.category, str(w.message), w.filename) for w in caught]


@pytest.mark.parametrize("name,args", OLD_NAMES)
def test_old_name_warns_like_torch(torch, name, args):
    ours = _warnings_of(lambda: getattr(nn.init, name)(edutorch.empty(4, 6), *args))
    theirs = _warnings_of(lambda: getattr(torch.nn.init, name)(torch.empty(4, 6), *args))
    assert [w[:2] for w in ours] == [w[:2] for w in theirs]
    assert ours[0][0] is FutureWarning
    assert ours[0][2] == __file__  # stacklevel=2: the warning points at the caller's line
    assert getattr(nn.init, name).__name__ == name


@pytest.mark.parametrize("name,args", OLD_NAMES)
def test_old_name_calls_the_new_one(name, args):
    edutorch.manual_seed(3)
    with pytest.warns(FutureWarning):
        old = getattr(nn.init, name)(edutorch.empty(4, 6), *args)
    edutorch.manual_seed(3)
    new = getattr(nn.init, name + "_")(edutorch.empty(4, 6), *args)
    np.testing.assert_array_equal(old.numpy(), new.numpy())
    assert old.dtype == edutorch.float32


@pytest.mark.parametrize("sparsity,rows", [(0.1, 10), (0.5, 7), (0.0, 5), (1.0, 4)])
def test_sparse_zeros_per_column(torch, sparsity, rows):
    w = nn.init.sparse_(edutorch.empty(rows, 200), sparsity, std=0.5)
    t = torch.nn.init.sparse_(torch.empty(rows, 200), sparsity, std=0.5)
    zeros, tzeros = (w.numpy() == 0).sum(axis=0), (t.numpy() == 0).sum(axis=0)
    assert (zeros == math.ceil(sparsity * rows)).all() and (zeros == tzeros).all()
    nonzero = w.numpy()[w.numpy() != 0]
    if nonzero.size > 100:
        assert abs(nonzero.std() - 0.5) < 0.1
    assert w.dtype == edutorch.float32
    # different columns zero different rows (a random permutation per column)
    if 0 < sparsity < 1:
        assert len({tuple(np.flatnonzero(c == 0)) for c in w.numpy().T}) > 1


def test_sparse_errors_like_torch(torch):
    for shape in ((3,), (2, 3, 4)):
        with pytest.raises(ValueError) as expected:
            torch.nn.init.sparse_(torch.empty(*shape), 0.1)
        with pytest.raises(ValueError) as got:
            nn.init.sparse_(edutorch.empty(*shape), 0.1)
        assert str(got.value) == str(expected.value)


def test_sparse_with_generator_is_reproducible():
    a = nn.init.sparse_(edutorch.empty(6, 5), 0.5, generator=edutorch.Generator().manual_seed(1))
    b = nn.init.sparse_(edutorch.empty(6, 5), 0.5, generator=edutorch.Generator().manual_seed(1))
    assert (a.numpy() != 0).sum() == (b.numpy() != 0).sum() == 15
    # the values come from the generator (the zero positions from the global RNG, as torch's randperm)
    both = (a.numpy() != 0) & (b.numpy() != 0)
    assert both.any()
    np.testing.assert_array_equal(a.numpy()[both], b.numpy()[both])
