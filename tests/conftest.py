"""Shared test fixtures: the PyTorch oracle and comparison helpers.

Real PyTorch is the specification. Parity tests take the ``torch`` fixture, which skips the test when
PyTorch is not installed; the package itself never imports it.
"""
from __future__ import annotations

import numpy as np
import pytest

import edutorch


@pytest.fixture(scope="session")
def torch():
    return pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _seed():
    edutorch.manual_seed(0)
    yield


def to_numpy(t) -> np.ndarray:
    """Numbers of an edutorch or PyTorch tensor as a NumPy array."""
    return np.asarray(t.detach().numpy() if hasattr(t, "detach") else t)


def assert_same(ours, theirs, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """Same shape, same dtype name and close values for an edutorch and a PyTorch tensor."""
    assert tuple(ours.shape) == tuple(theirs.shape), (ours.shape, theirs.shape)
    assert repr(ours.dtype) == repr(theirs.dtype), (ours.dtype, theirs.dtype)
    np.testing.assert_allclose(to_numpy(ours).astype(np.float64), to_numpy(theirs).astype(np.float64),
                               rtol=rtol, atol=atol, equal_nan=True)


def assert_raises_like_torch(program, torch) -> None:
    """``program(lib)`` raises on PyTorch, and edutorch raises the same exception type (or a subclass)."""
    with pytest.raises(Exception) as theirs:
        program(torch)
    with pytest.raises(theirs.type):
        program(edutorch)

