"""Making tensors: from data (``tensor``, ``from_numpy``), filled (``zeros``, ``arange``, ``eye``, ...),
and random (``rand``, ``randn``, ``randint``, ``normal``, ``bernoulli``, ``multinomial``).

Created tensors are leaves. Shapes may be given as separate ints or one tuple: ``zeros(2, 3)`` and
``zeros((2, 3))`` are the same.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _dtype, _memory_format as _mf
from .._device import check_device
from .._tensor import Tensor
from .. import random as _random


def _shape(size: tuple) -> tuple:
    """``(2, 3)``, ``((2, 3),)`` or ``(torch.Size([2, 3]),)`` -> ``(2, 3)``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, np.integer)) and not (isinstance(s, Tensor) and s.dim() == 0):
            raise TypeError(
                f"expected a sequence of integers or a single integer as the size, but got {type(s).__name__}"
            )
    shape = tuple(int(s) for s in size)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}. "
                           "Dimension size must be non-negative.")
    return shape


def _leaf(array: np.ndarray, requires_grad: bool, device=None) -> Tensor:
    check_device(device)
    t = Tensor._make(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _np_dtype(dtype, default: _dtype.dtype | None = None) -> np.dtype:
    if dtype is None:
        dtype = default or _dtype.get_default_dtype()
    return _dtype.to_dtype(dtype).to_numpy()


# ------------------------------------------------------------------------------ from data
def _infer_array(data, dtype=None) -> np.ndarray:
    """Python data -> array with PyTorch's dtype inference (floats -> float32, ints -> int64), or
    straight to ``dtype`` when one is given: ``tensor(0.1, dtype=float64)`` must not pass through
    float32 on the way (it would lose 9 of its 16 digits)."""
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (np.ndarray, np.generic)):
        return np.asarray(data)
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat(data)):
        data = _tensors_to_numbers(data)
    array = np.array(data)
    if array.dtype == object:
        raise ValueError("expected sequence of equal-length sequences of numbers (ragged nested sequence)")
    if array.dtype.kind in "US":
        raise TypeError(f"new(): invalid data type '{array.dtype.kind == 'U' and 'str' or 'bytes'}'")
    if dtype is not None:
        return array.astype(_np_dtype(dtype), copy=False)
    if array.dtype.kind == "f":
        return array.astype(_dtype.get_default_dtype().to_numpy(), copy=False)
    if array.dtype.kind in "iu":
        return array.astype(np.int64, copy=False)
    return array


def _flat(data):
    for x in data:
        if isinstance(x, (list, tuple)):
            yield from _flat(x)
        else:
            yield x


def _tensors_to_numbers(data):
    if isinstance(data, Tensor):
        if data.dim() == 0:
            return data.item()
        return data._data.tolist()
    if isinstance(data, (list, tuple)):
        return [_tensors_to_numbers(x) for x in data]
    return data


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A new tensor holding a *copy* of ``data`` (a number, nested list, NumPy array or tensor).

    The dtype is inferred as PyTorch does: Python floats -> float32, ints -> int64, bools -> bool;
    NumPy arrays keep their dtype.
    """
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
            "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).",
            UserWarning, stacklevel=2,
        )
    array = _infer_array(data, dtype)
    array = np.array(array, dtype=_np_dtype(dtype) if dtype is not None else array.dtype, copy=True)
    return _leaf(array, requires_grad, device)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor`` but shares memory with ``data`` when it already is an array/tensor of that dtype."""
    check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(_dtype.to_dtype(dtype))
    if isinstance(data, np.ndarray) and (dtype is None or _np_dtype(dtype) == data.dtype):
        return from_numpy(data)
    array = _infer_array(data, dtype)
    return Tensor._make(array if dtype is None else array.astype(_np_dtype(dtype), copy=False))


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing ``ndarray``'s memory: a write on either side shows on the other."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)  # TypeError for dtypes PyTorch cannot hold
    return Tensor._make(ndarray)


# ------------------------------------------------------------------------------ filled
def _size_arg(name: str, args: tuple, size) -> tuple:
    """The shape given positionally (``zeros(2, 3)``, ``zeros((2, 3))``) or as ``size=(2, 3)``."""
    if size is None:
        return args
    if args:
        raise TypeError(f"{name}() got multiple values for argument 'size'")
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"{name}(): argument 'size' must be tuple of ints, not {type(size).__name__}")
    return (tuple(size),)


def zeros(*args, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of 0s: ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=(2, 3))``."""
    size = _size_arg("zeros", args, size)
    return _leaf(np.zeros(_shape(size), dtype=_np_dtype(dtype)), requires_grad, device)


def ones(*args, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of 1s (the shape as for ``zeros``)."""
    size = _size_arg("ones", args, size)
    return _leaf(np.ones(_shape(size), dtype=_np_dtype(dtype)), requires_grad, device)


def empty(*args, size=None, dtype=None, device=None, requires_grad: bool = False, memory_format=None) -> Tensor:
    """Uninitialised memory (whatever was there); fill it before reading. ``memory_format=torch.channels_last``
    lays it out (N, H, W, C) in memory (edutorch/_memory_format.py)."""
    size = _size_arg("empty", args, size)
    array = np.empty(_shape(size), dtype=_np_dtype(dtype))
    if memory_format is not None and memory_format is not _mf.contiguous_format:
        array = _mf.in_format(array, memory_format)
    return _leaf(array, requires_grad, device)


def full(size, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``; the dtype follows the value (2 -> int64)."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    default = _dtype.result_type(fill_value)
    return _leaf(np.full(_shape((size,)), fill_value, dtype=_np_dtype(dtype, default)), requires_grad, device)


def eye(n: int, m: int | None = None, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix (m = n by default)."""
    for name, size in (("n", n), ("m", m)):
        if size is not None and size < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {size}")
    return _leaf(np.eye(n, m, dtype=_np_dtype(dtype)), requires_grad, device)


def _no_bool_range(name: str, dtype) -> None:
    if dtype is _dtype.bool_:  # PyTorch has no bool kernel for ranges
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")


def arange(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Values from ``start`` (inclusive) to ``end`` (exclusive) by ``step``; int64 for ints."""
    _no_bool_range("arange", dtype)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(
            f"upper bound and larger bound inconsistent with step sign: start={start}, end={end}, step={step}"
        )
    default = _dtype.result_type(start, end, step)
    np_dtype = _np_dtype(dtype, default)
    if np_dtype == np.int64 and default.is_floating_point:
        # int64 from float bounds: PyTorch first truncates start, end and step to integers (0.5 -> 0, 1.5 -> 1)
        start, end, step = int(start), int(end), int(step)
        if step == 0:
            raise ValueError("step must be nonzero")
    n = max(math.ceil((end - start) / step), 0)
    # start + i * step computed in float64, as PyTorch does, then cast: no drift from repeated adding.
    values = start + np.arange(n, dtype=np.float64) * step if np_dtype.kind == "f" else \
        np.arange(start, end, step, dtype=np.int64)
    return _leaf(values.astype(np_dtype), requires_grad, device)


def linspace(start, end, steps: int, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    if steps > 1:  # PyTorch fills 0 or 1 steps without its (missing) bool kernel
        _no_bool_range("linspace", dtype)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    values = np.linspace(float(start), float(end), steps, dtype=np.float64)
    return _leaf(values.astype(_np_dtype(dtype)), requires_grad, device)


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    if steps > 1:  # PyTorch fills 0 or 1 steps without its (missing) bool kernel
        _no_bool_range("logspace", dtype)
    values = np.power(base, np.linspace(float(start), float(end), steps, dtype=np.float64))
    return _leaf(values.astype(_np_dtype(dtype)), requires_grad, device)


def _like(input: Tensor, dtype):
    return input.dtype if dtype is None else _dtype.to_dtype(dtype)


def _laid_out_like(t: Tensor, input: Tensor, memory_format) -> Tensor:
    """``*_like``'s layout: ``preserve_format`` (the default) keeps input's channels-last layout, if it has one."""
    fmt = _mf.preserve_format if memory_format is None else memory_format
    target = _mf.suggest_format(input._data) if fmt is _mf.preserve_format else fmt
    if target is not _mf.contiguous_format:
        t._data = _mf.in_format(t._data, target)
    return t


def zeros_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False,
               memory_format=None) -> Tensor:
    out = zeros(input.shape, dtype=_like(input, dtype), device=device, requires_grad=requires_grad)
    return _laid_out_like(out, input, memory_format)


def ones_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False,
              memory_format=None) -> Tensor:
    out = ones(input.shape, dtype=_like(input, dtype), device=device, requires_grad=requires_grad)
    return _laid_out_like(out, input, memory_format)


def empty_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False,
               memory_format=None) -> Tensor:
    out = empty(input.shape, dtype=_like(input, dtype), device=device, requires_grad=requires_grad)
    return _laid_out_like(out, input, memory_format)


def full_like(input: Tensor, fill_value, *, dtype=None, device=None, requires_grad: bool = False,
              memory_format=None) -> Tensor:
    out = full(input.shape, fill_value, dtype=_like(input, dtype), device=device, requires_grad=requires_grad)
    return _laid_out_like(out, input, memory_format)


# ------------------------------------------------------------------------------ random
def _float_dtype(dtype) -> np.dtype:
    np_dtype = _np_dtype(dtype)
    if not _dtype.is_float_numpy(np_dtype):
        name = _dtype.from_numpy_dtype(np_dtype)._name
        raise RuntimeError(f'"check_uniform_bounds" not implemented for \'{name.capitalize()}\'')
    return np_dtype


def rand(*args, size=None, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1): PyTorch's numbers (``random._sample_uniform`` shows the recipe)."""
    size = _size_arg("rand", args, size)
    _check_size_given("rand", size)
    shape, np_dtype = _shape(size), _float_dtype(dtype)
    sample = _random._sample_uniform(_random._gen(generator), math.prod(shape), np_dtype, 0.0, 1.0)
    return _leaf(sample.reshape(shape), requires_grad, device)


def randn(*args, size=None, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples (mean 0, variance 1): PyTorch's Box–Muller (``random._sample_normal``)."""
    size = _size_arg("randn", args, size)
    _check_size_given("randn", size)
    shape, np_dtype = _shape(size), _float_dtype(dtype)
    sample = _random._sample_normal(_random._gen(generator), math.prod(shape), np_dtype)
    return _leaf(sample.reshape(shape), requires_grad, device)


def _check_size_given(name: str, size: tuple) -> None:
    """``torch.randn()`` has no default shape: PyTorch rejects the call (``randn(())`` is a 0-d sample)."""
    if not size:
        raise TypeError(f"{name}() received an invalid combination of arguments - got (), but expected one of:\n"
                        " * (tuple of ints size, *, torch.Generator generator, Tensor out = None, torch.dtype dtype "
                        "= None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, "
                        "bool requires_grad = False)\n"
                        f"Give the shape, e.g. torch.{name}(2, 3) or torch.{name}(()) for a single number.")


def _as_int(value, what: str, position: int):
    if isinstance(value, Tensor) and value.dim() == 0 and not value.is_floating_point():
        return int(value.item())
    if isinstance(value, (bool, float)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"randint(): argument '{what}' (position {position}) must be int, not "
                        f"{type(value).__name__}")
    return int(value)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """Integers uniform in [low, high), int64 unless ``dtype`` says otherwise. PyTorch's two forms:

        randint(high, size)          randint(10, (3,))  or  randint(10, size=(3,))
        randint(low, high, size)     randint(3, 10, (2, 2))

    ``size`` is a tuple (or list / torch.Size) even for one dimension: ``randint(10, 5)`` is an error.
    """
    if size is None and isinstance(high, (int, np.integer)):
        raise TypeError("randint(): argument 'size' (position 2) must be tuple of ints, not int "
                        f"(write torch.randint({low}, ({high},)) or torch.randint(low, high, size))")
    high_only = size is None and high is not None
    if high_only:
        low, high, size = 0, low, high  # randint(high, size): the second argument was the size
    elif high is None:
        high_only, low, high = True, 0, low  # randint(high, size=...)
    if high is None or size is None:
        raise TypeError("randint() received an invalid combination of arguments - got (int), but expected one of:\n"
                        " * (int high, tuple of ints size, *, torch.Generator generator, torch.dtype dtype = None, "
                        "...)\n * (int low, int high, tuple of ints size, *, torch.Generator generator, "
                        "torch.dtype dtype = None, ...)\nGive a size: torch.randint(10, (3,)).")
    low, high = _as_int(low, "low", 1), _as_int(high, "high", 1 if high_only else 2)
    if isinstance(size, (int, np.integer)):
        raise TypeError(f"randint(): argument 'size' must be tuple of ints, not int (write size=({size},))")
    if any(not isinstance(s, (int, np.integer)) for s in size):
        bad = next(type(s).__name__ for s in size if not isinstance(s, (int, np.integer)))
        raise TypeError(f"randint(): argument 'size' must be tuple of ints, but found element of type {bad}")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    out_dtype = _dtype.to_dtype(dtype) if dtype is not None else _dtype.int64
    np_dtype = out_dtype.to_numpy()
    if np_dtype.kind in "iub":  # the range must fit the integer type, as PyTorch checks
        info = np.iinfo(np_dtype) if np_dtype.kind != "b" else np.iinfo(np.uint8)
        top = 1 if np_dtype.kind == "b" else info.max
        if low < info.min:
            raise RuntimeError(f"from is out of bounds for {_CPP_TYPE[out_dtype._name]}")
        if high - 1 > top:
            raise RuntimeError(f"to - 1 is out of bounds for {_CPP_TYPE[out_dtype._name]}")
    if requires_grad and not out_dtype.is_floating_point:
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    shape = _shape((size,))
    sample = _random._sample_random_from_to(_random._gen(generator), math.prod(shape), low, high)
    return _leaf(sample.reshape(shape).astype(np_dtype), requires_grad, device)


_CPP_TYPE = {"int64": "long", "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
             "bool": "bool"}


def randperm(n: int, *, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0 .. n-1 (PyTorch's Fisher–Yates shuffle: ``random._sample_randperm``)."""
    return _leaf(_random._sample_randperm(_random._gen(generator), int(n)).astype(_np_dtype(dtype, _dtype.int64)),
                 requires_grad, device)


def rand_like(input: Tensor, *, dtype=None, generator=None, memory_format=None) -> Tensor:
    return _laid_out_like(rand(input.shape, dtype=_like(input, dtype), generator=generator), input, memory_format)


def randn_like(input: Tensor, *, dtype=None, generator=None, memory_format=None) -> Tensor:
    return _laid_out_like(randn(input.shape, dtype=_like(input, dtype), generator=generator), input, memory_format)


def randint_like(input: Tensor, low=0, high=None, *, dtype=None, generator=None) -> Tensor:
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=_like(input, dtype), generator=generator)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, requires_grad: bool = False) -> Tensor:
    """Normal samples. ``mean``/``std`` may be tensors (one sample per element) or numbers with ``size``.

    With tensors PyTorch draws standard normals (``normal_(0, 1)``) and then computes
    ``sample * std + mean`` in two steps; with a tensor mean and a number std it draws
    ``normal_(0, std)`` and adds the mean. edutorch does the same, so the numbers agree.
    """
    gen = _random._gen(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        if (np.asarray(s) < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        ref = mean if isinstance(mean, Tensor) else std
        np_dtype = ref._data.dtype
        n = math.prod(shape)
        if isinstance(std, Tensor):
            sample = _random._sample_normal(gen, n, np_dtype).reshape(shape)
            sample = (sample * np.asarray(s, dtype=np_dtype)).astype(np_dtype) + np.asarray(m, dtype=np_dtype)
        else:
            sample = _random._sample_normal(gen, n, np_dtype, 0.0, s).reshape(shape) + np.asarray(m, dtype=np_dtype)
        return _leaf(sample.astype(np_dtype), requires_grad)
    if size is None:
        raise TypeError("normal() with number mean and std needs a size")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    shape, np_dtype = _shape((size,)), _float_dtype(dtype)
    sample = _random._sample_normal(gen, math.prod(shape), np_dtype, mean, std)
    return _leaf(sample.reshape(shape), requires_grad)


def bernoulli(input: Tensor, p=None, *, generator=None) -> Tensor:
    """0/1 samples: each element is 1 with the probability held by ``input`` (or the number ``p``).

    PyTorch's recipe: one uniform ``u`` per element and ``u < p``. A tensor of probabilities uses
    float32 uniforms (float64 ones if ``input`` is float64); a number ``p`` uses float64 uniforms.
    """
    gen = _random._gen(generator)
    if p is None:
        probs = input._data
        if ((probs < 0) | (probs > 1)).any():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        sample = _random._sample_bernoulli(gen, np.ascontiguousarray(probs))
    else:
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
        sample = _random._sample_bernoulli_scalar(gen, input.numel(), float(p)).reshape(input.shape)
    return Tensor._make(sample.astype(input._data.dtype))


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *, generator=None) -> Tensor:
    """Draw category indices with probabilities proportional to the rows of ``input`` (1-D or 2-D).

    PyTorch's two algorithms, reproduced draw for draw:

    * without replacement (or one sample): the exponential race, a form of the Gumbel-top-k trick.
      Draw ``q ~ Exponential(1)`` per category; the categories with the largest ``p / q`` win
      (``argmax`` for one sample, ``topk`` for several).
    * with replacement: per row, the normalised cumulative sums (in float64); each sample is a float64
      uniform ``u`` and the first category whose cumulative probability reaches ``u`` (a binary
      search, ``np.searchsorted``).
    """
    probs = input._data
    if probs.ndim not in (1, 2):
        raise RuntimeError(f"prob_dist must be 1 or 2 dim, got {probs.ndim}")
    if (probs < 0).any() or not np.isfinite(probs).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = probs.reshape(-1, probs.shape[-1])
    if (rows.astype(np.float64).sum(axis=1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    gen = _random._gen(generator)
    if not replacement or num_samples == 1:
        q = _random._sample_exponential(gen, rows.size, 1.0).astype(rows.dtype).reshape(rows.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            race = rows / q
        # a stable sort of -race puts the largest first and keeps ties in index order, as topk does
        idx = np.argsort(-race, axis=1, kind="stable")[:, :num_samples]
    else:
        cdf = np.cumsum(rows.astype(np.float64), axis=1)
        cdf /= cdf[:, -1:]
        u = _random._uniform01(gen, rows.shape[0] * num_samples, np.float64).reshape(rows.shape[0], num_samples)
        idx = np.stack([np.searchsorted(c, row_u, side="left") for c, row_u in zip(cdf, u)])
    idx = np.minimum(idx, rows.shape[1] - 1).astype(np.int64)
    return Tensor._make(idx.reshape(probs.shape[:-1] + (num_samples,)))
