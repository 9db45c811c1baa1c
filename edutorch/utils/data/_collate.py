"""Collate: turn a list of samples into one batch.

``default_collate`` works on the *structure* of the first sample and recurses into it:

====================================  ==========================================================
sample element                        batch
====================================  ==========================================================
Tensor of shape S                     Tensor of shape (B, *S)  (``stack``)
NumPy array / NumPy scalar            the same, via ``as_tensor`` (dtype kept)
Python float / int / bool             1-D tensor: float64 / int64 / bool  (PyTorch's choice)
str / bytes                           the list of strings, unchanged
dict {k: v}                           {k: collate([s[k] for s in batch])}
namedtuple / tuple / list             transposed: per-position collate (tuples become lists)
====================================  ==========================================================

``default_convert`` is used instead when automatic batching is off (``batch_size=None``): it only turns
NumPy arrays inside a single sample into tensors.
"""
from __future__ import annotations

import collections.abc
import copy
import re
from typing import Callable

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ...ops.creation import as_tensor, tensor
from ...ops.shape import stack

__all__ = ["default_collate", "default_convert", "collate", "default_collate_fn_map"]

# NumPy dtypes that cannot become tensors: bytes (S, a), unicode (U) and Python objects (O).
np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def _is_numpy_value(data) -> bool:
    """A NumPy array or scalar (but not a NumPy string, which stays a string)."""
    return type(data).__module__ == "numpy" and type(data).__name__ not in ("str_", "string_", "bytes_")


def default_convert(data):
    """Convert NumPy arrays (anywhere inside ``data``) to tensors; leave everything else as it is."""
    if isinstance(data, Tensor):
        return data
    if _is_numpy_value(data):
        if isinstance(data, np.ndarray) and np_str_obj_array_pattern.search(data.dtype.str) is not None:
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update({key: default_convert(data[key]) for key in data})
                return clone
            return type(data)({key: default_convert(data[key]) for key in data})
        except TypeError:  # the mapping type cannot be rebuilt this way
            return {key: default_convert(data[key]) for key in data}
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]  # PyTorch returns a list here (backwards compatibility)
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return type(data)([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


# ---------------------------------------------------------------------------------- leaf collate functions
def collate_tensor_fn(batch, *, collate_fn_map=None) -> Tensor:
    """B tensors of shape S -> one tensor of shape (B, *S)."""
    shapes = {tuple(t.shape) for t in batch}
    if len(shapes) > 1:
        raise RuntimeError(f"stack expects each tensor to be equal size, but got shapes {sorted(shapes)} "
                           f"in one batch; pad the samples or pass a collate_fn")
    return stack(list(batch), 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None) -> Tensor:
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None) -> Tensor:
    return as_tensor(np.asarray(batch))  # NumPy scalars keep their dtype (np.float32 -> float32)


def collate_float_fn(batch, *, collate_fn_map=None) -> Tensor:
    return tensor(batch, dtype=_dtype.float64)  # Python floats are doubles: PyTorch keeps float64 here


def collate_int_fn(batch, *, collate_fn_map=None) -> Tensor:
    return tensor(batch)  # int64 (bool for Python bools)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


# Checked in order (exact type first, then isinstance): the leaves of the recursion.
default_collate_fn_map: dict[type | tuple[type, ...], Callable] = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def collate(batch, *, collate_fn_map: dict | None = None):
    """The general recursion behind ``default_collate``: leaves via ``collate_fn_map``, containers here."""
    elem = batch[0]
    elem_type = type(elem)

    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)

    if isinstance(elem, collections.abc.Mapping):
        # A dict of fields -> a dict of batched fields.
        merged = {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map) for key in elem}
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update(merged)
                return clone
            return elem_type(merged)
        except TypeError:
            return merged
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple keeps its type
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        # [(x0, y0), (x1, y1), ...] -> transpose -> [collate([x0, x1, ...]), collate([y0, y1, ...])]
        elem_size = len(elem)
        if not all(len(e) == elem_size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        collated = [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
        if isinstance(elem, tuple):
            return collated  # a list, as in PyTorch
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, value in enumerate(collated):
                    clone[i] = value
                return clone
            return elem_type(collated)
        except TypeError:
            return collated

    raise TypeError(default_collate_err_msg_format.format(elem_type))


def default_collate(batch):
    """Merge a list of samples into a batch (see the table at the top of this module).

    >>> default_collate([(tensor([1., 2.]), 0), (tensor([3., 4.]), 1)])
    [tensor([[1., 2.],
            [3., 4.]]), tensor([0, 1])]
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
