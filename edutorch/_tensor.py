"""``Tensor``: a NumPy array plus what autograd needs.

A tensor owns
- ``_data``: the NumPy array with its numbers (float32 by default),
- ``requires_grad``: whether ops on it are recorded for backward,
- ``grad``: the gradient accumulated by ``backward()`` (leaves only, unless ``retain_grad()``),
- ``grad_fn``: the graph node that made it (None for leaves),
- ``_version``: a counter bumped by every in-place write, so backward can tell a saved value changed.

Methods are thin: each calls the op of the same name in ``edutorch/ops/``, where forward and backward
are written side by side.
"""
from __future__ import annotations

import warnings

import numpy as np

from . import _dtype, _memory_format as _mf, random as _random
from ._device import CPU, check_device
from ._size import Size
from .autograd import grad_mode
from .utils.hooks import RemovableHandle


class _VersionCounter:
    """Shared by a tensor and its views (and ``detach()``), so a write through one is seen by all."""

    __slots__ = ("value",)

    def __init__(self):
        self.value = 0


_NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute "
    "won't be populated during autograd.backward(). If you indeed want the .grad field to be populated "
    "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor "
    "by mistake, make sure you access the leaf Tensor instead."
)


class Tensor:
    """A multi-dimensional array that can record the ops applied to it and backpropagate through them.

    ``torch.Tensor(2, 3)`` makes an uninitialised 2x3 float32 tensor and ``torch.Tensor([1, 2])`` a
    float32 tensor from data; prefer ``torch.tensor(data)``, which infers the dtype.
    """

    # NumPy must hand ``ndarray + tensor`` to our __radd__ rather than loop over the tensor.
    __array_priority__ = 1000

    def __init__(self, *args, **kwargs):
        if len(args) == 1 and not isinstance(args[0], int):
            data = np.array(args[0], dtype=np.float32)
        else:
            data = np.empty(tuple(args), dtype=np.float32)
        self._init(data, False)

    # What a new tensor starts with; an instance sets its own value when it changes.
    _grad = None
    _grad_fn = None  # the node that made this tensor (None for a leaf): read it as ``grad_fn``
    _output_nr = 0  # which output of grad_fn this tensor is
    _grad_accumulator = None  # weakref to the leaf's AccumulateGrad node
    _hooks: dict | None = None  # a leaf's register_hook hooks
    _post_accumulate_hooks: dict | None = None  # a leaf's register_post_accumulate_grad_hook hooks
    _retains_grad = False
    _base = None  # the tensor whose storage this view shares
    _view_chain: tuple = ()  # the view ops from _base to this tensor
    _view_version = 0  # a view: the version of the storage when its grad_fn was made
    _view_no_grad = False  # a view made under no_grad (it must not be rebased onto a history later)

    def _init(self, data: np.ndarray, requires_grad: bool) -> None:
        self._data = data
        self._requires_grad = requires_grad
        self._version_counter = _VersionCounter()
        self._is_inference = grad_mode._inference_mode

    @classmethod
    def _make(cls, data, requires_grad: bool = False) -> "Tensor":
        """Wrap an ndarray without copying (the internal constructor every op uses)."""
        t = object.__new__(cls)
        t._init(np.asarray(data), requires_grad)
        return t

    # ------------------------------------------------------------------ basic properties
    @property
    def data(self) -> "Tensor":
        """The same storage without history: changes through it are invisible to autograd."""
        return Tensor._make(self._data)

    @data.setter
    def data(self, value: "Tensor") -> None:
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        """The shape as a ``torch.Size``, or the length of one dimension."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self.dim())]

    @property
    def dtype(self) -> _dtype.dtype:
        return _dtype.from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    # Every tensor is a dense (strided) array on the CPU, so each of PyTorch's other device and layout
    # flags is False: no GPU or other accelerator, no meta/quantized/sparse/nested/MKL-DNN storage.
    is_cpu = property(lambda self: True, doc="True: edutorch tensors live on the CPU.")
    is_xpu = is_mps = is_meta = is_ipu = is_maia = is_mtia = is_xla = is_vulkan = property(lambda self: False)
    is_quantized = is_sparse = is_sparse_csr = is_nested = is_mkldnn = property(lambda self: False)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    def is_contiguous(self, memory_format=None) -> bool:
        """Row-major dense; with ``memory_format=torch.channels_last``, dense in (N, H, W, C) order instead."""
        if memory_format is None:
            return bool(self._data.flags.c_contiguous)
        return _mf.is_contiguous_as(self._data, memory_format)

    def stride(self, dim: int | None = None):
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[_wrap_dim(dim, self.dim())]

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0]

    def is_inference(self) -> bool:
        return self._is_inference

    @property
    def _version(self) -> int:
        return self._version_counter.value

    def _bump_version(self) -> None:
        self._version_counter.value += 1

    # ------------------------------------------------------------------ autograd state
    @property
    def grad_fn(self):
        """The node that made this tensor (None for a leaf).

        A view whose storage was written in place since its node was made (through its base or another
        view) gets a new node first, as in PyTorch: see ``regenerate_view_history`` in ops/inplace.py.
        """
        if self._base is not None and self._view_version != self._version_counter.value:
            _inplace.regenerate_view_history(self)
        return self._grad_fn

    @grad_fn.setter
    def grad_fn(self, node) -> None:
        self._grad_fn = node
        if self._base is not None:
            self._view_version = self._version_counter.value

    @property
    def requires_grad(self) -> bool:
        if self._base is not None and self._view_version != self._version_counter.value:
            try:  # a view: its base may have gained a history in place since
                _inplace.regenerate_view_history(self)
            except RuntimeError:  # a view that cannot be rebased (grad_fn says why): its base requires grad
                return True
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self.grad_fn is not None:
            if value:
                return
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if value and not self.dtype.is_floating_point:
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        self.requires_grad = requires_grad
        return self

    def _is_view(self) -> bool:
        """True for a view of another tensor's storage (``_base``), as PyTorch's private method says
        (graph tools such as torchviz call it)."""
        return self._base is not None

    @property
    def is_leaf(self) -> bool:
        """A leaf is a tensor no recorded op made: created by the user, or not requiring grad."""
        return self.grad_fn is None

    @property
    def grad(self):
        if self.grad_fn is not None and not self._retains_grad:
            warnings.warn(_NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None and tuple(value.shape) != tuple(self.shape):
            raise RuntimeError(
                f"assigned grad has data of a different size: expected {list(self.shape)}, "
                f"got {list(value.shape)}"
            )
        self._grad = value

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward (leaves always keep it)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        self.grad_fn._retain(self._output_nr, self)
        self._retains_grad = True

    def register_hook(self, hook) -> RemovableHandle:
        """``hook(grad)`` runs when this tensor's gradient is computed; returning a tensor replaces it.

        Returns a handle: ``handle.remove()`` takes the hook off.
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn._add_tensor_hook(self._output_nr, hook)
        if self._hooks is None:
            self._hooks = {}
        handle = RemovableHandle(self._hooks)
        self._hooks[handle.id] = hook
        return handle

    def register_post_accumulate_grad_hook(self, hook) -> RemovableHandle:
        """``hook(tensor)`` runs on a leaf after backward has added into its ``.grad`` (e.g. to step an
        optimizer per parameter as soon as its gradient is ready)."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if self._post_accumulate_hooks is None:
            self._post_accumulate_hooks = {}
        handle = RemovableHandle(self._post_accumulate_hooks)
        self._post_accumulate_hooks[handle.id] = hook
        return handle

    def backward(self, gradient=None, retain_graph=None, create_graph: bool = False, inputs=None) -> None:
        """Compute the gradient of this tensor w.r.t. the graph leaves and add it into their ``.grad``."""
        from .autograd import backward

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> "Tensor":
        """The same storage (and version counter) without history and with requires_grad=False."""
        t = Tensor._make(self._data)
        t._version_counter = self._version_counter
        return t

    def detach_(self) -> "Tensor":
        if self._base is not None and self._base.requires_grad:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel "
                "(DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP "
                "buckets, and hence detach_() cannot be called on these gradients. To fix this error, please "
                "refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
            )
        self.grad_fn = None
        self._requires_grad = False
        return self

    # ------------------------------------------------------------------ conversion
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The underlying NumPy array itself (shared memory: writes show on both sides)."""
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._data

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)

    def to(self, *args, **kwargs) -> "Tensor":
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)`` or ``to(other_tensor)``; copies only if needed."""
        dtype = kwargs.pop("dtype", None)
        device = kwargs.pop("device", None)
        copy = kwargs.pop("copy", False)
        memory_format = kwargs.pop("memory_format", None)
        kwargs.pop("non_blocking", None)
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, _dtype.dtype):
                dtype = a
            elif a is not None:
                device = a
        check_device(device)
        if memory_format is not None and memory_format is not _mf.preserve_format:
            # a new layout: the same numbers in channels-last (or row-major) memory (edutorch/_memory_format.py)
            target = self.dtype if dtype is None else _dtype.to_dtype(dtype)
            if target is self.dtype and self.is_contiguous(memory_format) and not copy:
                return self
            out = _arith.to_dtype(self, target)  # a copy, recorded as ToCopyBackward0 as in PyTorch
            out._data = _mf.in_format(out._data, memory_format)
            return out
        if dtype is None or _dtype.to_dtype(dtype) is self.dtype:
            return self.clone() if copy else self
        return _arith.to_dtype(self, _dtype.to_dtype(dtype))

    def type(self, dtype=None):
        """``x.type()`` names the legacy tensor type ('torch.FloatTensor'); ``x.type(torch.LongTensor)``,
        ``x.type('torch.LongTensor')`` or ``x.type(torch.int64)`` converts (edutorch/_legacy.py)."""
        if dtype is None:
            return f"torch.{self.dtype._c_name}Tensor"
        from ._legacy import type_to_dtype

        return self.to(type_to_dtype(dtype))

    def type_as(self, other: "Tensor") -> "Tensor":
        return self.to(other.dtype)

    def float(self) -> "Tensor":
        return self.to(_dtype.float32)

    def double(self) -> "Tensor":
        return self.to(_dtype.float64)

    def half(self) -> "Tensor":
        return self.to(_dtype.float16)

    def bfloat16(self) -> "Tensor":
        return self.to(_dtype.bfloat16)

    def to_sparse(self, *args, **kwargs):
        """Out of scope: edutorch tensors are dense (raises, saying to switch to torch; edutorch/sparse)."""
        from ._out_of_scope import unsupported
        from .sparse import WHY

        unsupported("Tensor.to_sparse", WHY)

    to_sparse_csr = to_sparse_coo = to_sparse

    def long(self) -> "Tensor":
        return self.to(_dtype.int64)

    def int(self) -> "Tensor":
        return self.to(_dtype.int32)

    def short(self) -> "Tensor":
        return self.to(_dtype.int16)

    def byte(self) -> "Tensor":
        return self.to(_dtype.uint8)

    def bool(self) -> "Tensor":
        return self.to(_dtype.bool_)

    def cpu(self) -> "Tensor":
        return self

    def cuda(self, device=None, non_blocking: bool = False) -> "Tensor":
        check_device("cuda")
        return self  # pragma: no cover - check_device always raises

    def pin_memory(self) -> "Tensor":
        return self

    def clone(self, *, memory_format=None) -> "Tensor":
        return _arith.clone(self, memory_format=memory_format)

    def contiguous(self, memory_format=None) -> "Tensor":
        """``self`` if already laid out in ``memory_format`` (row-major by default), else a copy that is."""
        fmt = _mf.contiguous_format if memory_format is None else memory_format
        return self if self.is_contiguous(fmt) else _arith.clone(self, memory_format=fmt)

    # new_*: same dtype (and device) as self unless given; torch's keywords layout / pin_memory accepted.
    def new_tensor(self, data, dtype=None, device=None, requires_grad: bool = False, layout=None,
                   pin_memory: bool = False) -> "Tensor":
        return _cr.tensor(data, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad: bool = False, layout=None,
                  pin_memory: bool = False, **kwargs) -> "Tensor":
        if "size" in kwargs and not size:  # x.new_zeros(size=(2, 3)), torch's keyword
            size = (kwargs.pop("size"),)
        return _cr.zeros(*size, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad, **kwargs)

    def new_ones(self, *size, dtype=None, device=None, requires_grad: bool = False, layout=None,
                 pin_memory: bool = False, **kwargs) -> "Tensor":
        if "size" in kwargs and not size:  # x.new_zeros(size=(2, 3)), torch's keyword
            size = (kwargs.pop("size"),)
        return _cr.ones(*size, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad, **kwargs)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad: bool = False, layout=None,
                 pin_memory: bool = False) -> "Tensor":
        return _cr.full(size, fill_value, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad: bool = False, layout=None,
                  pin_memory: bool = False, **kwargs) -> "Tensor":
        if "size" in kwargs and not size:  # x.new_zeros(size=(2, 3)), torch's keyword
            size = (kwargs.pop("size"),)
        return _cr.empty(*size, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad, **kwargs)

    # ------------------------------------------------------------------ printing
    def __repr__(self) -> str:
        from ._tensor_str import tensor_repr

        return tensor_repr(self)

    def __str__(self) -> str:
        return self.__repr__()

    def __format__(self, spec: str) -> str:
        if self.dim() == 0:
            return format(self.item(), spec)  # f"{loss}" prints the number, as in PyTorch
        return self.__repr__()

    # ------------------------------------------------------------------ Python protocols
    def __len__(self) -> int:
        if self.dim() == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self.dim() == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with more than one value is ambiguous"
                if self._data.size > 1 else "Boolean value of Tensor with no values is ambiguous"
            )
        return bool(self._data.reshape(()))

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.is_floating_point or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __hash__(self) -> int:
        return id(self)

    def __contains__(self, element) -> bool:
        return bool((self == element).any())

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol "
                "at the moment.  If you were attempting to deepcopy a module, this may be because of a "
                "torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001"
            )
        new = type(self)._make(self._data.copy(), self.requires_grad) if type(self) is Tensor \
            else self._deepcopy_subclass(memo)
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new

    def _deepcopy_subclass(self, memo):
        t = Tensor._make(self._data.copy(), self.requires_grad)
        t.__class__ = type(self)
        t.__dict__.update({k: v for k, v in self.__dict__.items() if k not in t.__dict__})
        return t

    # ------------------------------------------------------------------ arithmetic operators
    def __add__(self, other):
        return _arith.add(self, other)

    def __radd__(self, other):
        return _arith.add(other, self)

    def __sub__(self, other):
        return _arith.sub(self, other)

    def __rsub__(self, other):
        return _arith.sub(other, self)

    def __mul__(self, other):
        return _arith.mul(self, other)

    def __rmul__(self, other):
        return _arith.mul(other, self)

    def __truediv__(self, other):
        return _arith.div(self, other)

    def __rtruediv__(self, other):
        return _arith.div(other, self)

    def __floordiv__(self, other):
        return _arith.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _arith.floor_divide(other, self)

    def __mod__(self, other):
        return _arith.remainder(self, other)

    def __rmod__(self, other):
        return _arith.remainder(other, self)

    def __pow__(self, other):
        return _arith.pow(self, other)

    def __rpow__(self, other):
        return _arith.pow(other, self)

    def __matmul__(self, other):
        return _linalg.matmul(self, other)

    def __rmatmul__(self, other):
        return _linalg.matmul(other, self)

    def __neg__(self):
        return _arith.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _arith.abs(self)

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def __ifloordiv__(self, other):
        return self._inplace(_arith.floor_divide(self, other))

    def __imod__(self, other):
        return self._inplace(_arith.remainder(self, other))

    def __ipow__(self, other):
        return self.pow_(other)

    # comparisons and logic (never differentiable)
    def __eq__(self, other):
        return _cmp.eq(self, other)

    def __ne__(self, other):
        return _cmp.ne(self, other)

    def __lt__(self, other):
        return _cmp.lt(self, other)

    def __le__(self, other):
        return _cmp.le(self, other)

    def __gt__(self, other):
        return _cmp.gt(self, other)

    def __ge__(self, other):
        return _cmp.ge(self, other)

    def __and__(self, other):
        return _cmp.bitwise_and(self, other)

    __rand__ = __and__

    def __or__(self, other):
        return _cmp.bitwise_or(self, other)

    __ror__ = __or__

    def __xor__(self, other):
        return _cmp.bitwise_xor(self, other)

    __rxor__ = __xor__

    def __invert__(self):
        return _cmp.bitwise_not(self)

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, index):
        return _index.getitem(self, index)

    def __setitem__(self, index, value) -> None:
        _index.setitem(self, index, value)

    # ------------------------------------------------------------------ in place
    def _inplace(self, result: "Tensor") -> "Tensor":
        """Write ``result`` into this tensor's storage and take over its history (see ops/inplace.py)."""
        return _inplace.assign(self, result)

    def add_(self, other, *, alpha=1):
        return self._inplace(_arith.add(self, other, alpha=alpha))

    def sub_(self, other, *, alpha=1):
        return self._inplace(_arith.sub(self, other, alpha=alpha))

    def mul_(self, other):
        return self._inplace(_arith.mul(self, other))

    def div_(self, other, *, rounding_mode=None):
        return self._inplace(_arith.div(self, other, rounding_mode=rounding_mode))

    def pow_(self, exponent):
        return self._inplace(_arith.pow(self, exponent))

    def neg_(self):
        return self._inplace(_arith.neg(self))

    def abs_(self):
        return self._inplace(_arith.abs(self))

    def exp_(self):
        return self._inplace(_arith.exp(self))

    def log_(self):
        return self._inplace(_arith.log(self))

    def sqrt_(self):
        return self._inplace(_arith.sqrt(self))

    def sin_(self):
        return self._inplace(_arith.sin(self))

    def cos_(self):
        return self._inplace(_arith.cos(self))

    def tanh_(self):
        return self._inplace(_act.tanh(self))

    def sigmoid_(self):
        return self._inplace(_act.sigmoid(self))

    def relu_(self):
        return self._inplace(_act.relu(self))

    def clamp_(self, min=None, max=None):
        return self._inplace(_arith.clamp(self, min, max))

    clip_ = clamp_

    def tril_(self, diagonal: int = 0):
        return self._inplace(_diag_tri.tril(self, diagonal))

    def triu_(self, diagonal: int = 0):
        return self._inplace(_diag_tri.triu(self, diagonal))

    def floor_(self):
        return self._inplace(_arith.floor(self))

    def ceil_(self):
        return self._inplace(_arith.ceil(self))

    def round_(self, *, decimals: int = 0):
        return self._inplace(_arith.round(self, decimals=decimals))

    def lerp_(self, end, weight):
        return self._inplace(_arith.lerp(self, end, weight))

    def masked_fill_(self, mask, value):
        return self._inplace(_index.masked_fill(self, mask, value))

    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        return self._inplace(_index.scatter(self, dim, index, src, value=value, reduce=reduce))

    def index_fill_(self, dim, index, value):
        return self._inplace(_index.index_fill(self, dim, index, value))

    def index_add_(self, dim, index, source, *, alpha=1):
        return self._inplace(_index.index_add(self, dim, index, source, alpha=alpha))

    def scatter_add_(self, dim, index, src):
        return self._inplace(_index.scatter_add(self, dim, index, src))

    def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
        return self._inplace(_index.scatter_reduce(self, dim, index, src, reduce, include_self=include_self))

    def index_put_(self, indices, values, accumulate=False):
        return self._inplace(_index.index_put(self, indices, values, accumulate))

    def copy_(self, src, non_blocking: bool = False):
        """Copy ``src`` (broadcast to this shape, cast to this dtype) into this tensor."""
        return self._inplace(_arith.copy_from(self, src))

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        return self._inplace(_arith.fill(self, value))

    # The in-place samplers draw exactly as PyTorch's CPU kernels do (recipes in edutorch/random.py):
    # values are produced in memory order, so the same seed gives the same numbers as torch.
    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator=None):
        sample = _random._sample_uniform(_random._gen(generator), self.numel(), self._sample_dtype(), a, b)
        return self._fill_random(sample)

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None):
        sample = _random._sample_normal(_random._gen(generator), self.numel(), self._sample_dtype(), mean, std,
                                        contiguous=self._data.flags.c_contiguous)
        return self._fill_random(sample)

    def bernoulli_(self, p=0.5, *, generator=None):
        gen = _random._gen(generator)
        if isinstance(p, Tensor):
            probs = np.ascontiguousarray(np.broadcast_to(p._data, self.shape))
            return self._fill_random(_random._sample_bernoulli(gen, probs).reshape(-1))
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
        return self._fill_random(_random._sample_bernoulli_scalar(gen, self.numel(), float(p)))

    def exponential_(self, lambd: float = 1.0, *, generator=None):
        return self._fill_random(_random._sample_exponential(_random._gen(generator), self.numel(), lambd))

    def geometric_(self, p: float, *, generator=None):
        return self._fill_random(_random._sample_geometric(_random._gen(generator), self.numel(), p))

    def log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator=None):
        return self._fill_random(_random._sample_log_normal(_random._gen(generator), self.numel(), mean, std))

    def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *, generator=None):
        return self._fill_random(_random._sample_cauchy(_random._gen(generator), self.numel(), median, sigma))

    def random_(self, from_: int = 0, to: int | None = None, *, generator=None):
        """``random_()``: integers over the dtype's range; ``random_(to)``: [0, to); ``random_(from, to)``."""
        gen = _random._gen(generator)
        if to is None and from_ == 0:
            return self._fill_random(_random._sample_random_full(gen, self.numel(), self._data.dtype))
        if to is None:
            from_, to = 0, from_
        if from_ >= to:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={from_} >= to={to}")
        return self._fill_random(_random._sample_random_from_to(gen, self.numel(), int(from_), int(to)))

    def _sample_dtype(self):
        """The dtype a float sampler works for: this tensor's if it is a float type, else float32."""
        dt = self._data.dtype
        return dt if dt.kind == "f" or dt.name == "bfloat16" else np.dtype(np.float32)

    def _fill_random(self, values: np.ndarray) -> "Tensor":
        """Write flat samples into this tensor in memory order, cast to its dtype.

        PyTorch's kernels walk a tensor's memory from the first byte to the last, so the k-th sample
        lands in the k-th element *in memory* (for ``t.T.uniform_()`` that is down the columns). Sorting
        the axes by stride, largest first, gives that order."""
        order = sorted(range(self.dim()), key=lambda d: -abs(self._data.strides[d]))
        in_memory_order = values.reshape([self.shape[d] for d in order])
        sample = np.transpose(in_memory_order, np.argsort(order)).astype(self._data.dtype)
        return self._inplace_random(Tensor._make(sample))

    def _inplace_random(self, sample: "Tensor") -> "Tensor":
        """Fill with random values: a new leaf value, so no history is taken over."""
        with grad_mode.no_grad():
            return _inplace.assign(self, sample.to(self.dtype), check_leaf=grad_mode.is_grad_enabled())

    # ------------------------------------------------------------------ math methods
    def add(self, other, *, alpha=1):
        return _arith.add(self, other, alpha=alpha)

    def sub(self, other, *, alpha=1):
        return _arith.sub(self, other, alpha=alpha)

    subtract = sub

    def mul(self, other):
        return _arith.mul(self, other)

    multiply = mul

    def div(self, other, *, rounding_mode=None):
        return _arith.div(self, other, rounding_mode=rounding_mode)

    divide = true_divide = div

    def floor_divide(self, other):
        return _arith.floor_divide(self, other)

    def remainder(self, other):
        return _arith.remainder(self, other)

    def fmod(self, other):
        return _arith.fmod(self, other)

    def pow(self, exponent):
        return _arith.pow(self, exponent)

    def neg(self):
        return _arith.neg(self)

    negative = neg

    def abs(self):
        return _arith.abs(self)

    absolute = abs

    def exp(self):
        return _arith.exp(self)

    def expm1(self):
        return _arith.expm1(self)

    def log(self):
        return _arith.log(self)

    def log1p(self):
        return _arith.log1p(self)

    def log2(self):
        return _arith.log2(self)

    def log10(self):
        return _arith.log10(self)

    def sqrt(self):
        return _arith.sqrt(self)

    def rsqrt(self):
        return _arith.rsqrt(self)

    def square(self):
        return _arith.pow(self, 2)

    def reciprocal(self):
        return _arith.reciprocal(self)

    def sin(self):
        return _arith.sin(self)

    def cos(self):
        return _arith.cos(self)

    def tan(self):
        return _arith.tan(self)

    def atan(self):
        return _arith.atan(self)

    arctan = atan

    def tanh(self):
        return _act.tanh(self)

    def sigmoid(self):
        return _act.sigmoid(self)

    def relu(self):
        return _act.relu(self)

    def clamp(self, min=None, max=None):
        return _arith.clamp(self, min, max)

    clip = clamp

    def sign(self):
        return _arith.sign(self)

    def floor(self):
        return _arith.floor(self)

    def ceil(self):
        return _arith.ceil(self)

    def round(self, *, decimals: int = 0):
        return _arith.round(self, decimals=decimals)

    def trunc(self):
        return _arith.trunc(self)

    def maximum(self, other):
        return _arith.maximum(self, other)

    def minimum(self, other):
        return _arith.minimum(self, other)

    def where(self, condition, other):
        return _arith.where(condition, self, other)

    def lerp(self, end, weight):
        return _arith.lerp(self, end, weight)

    # comparisons
    def eq(self, other):
        return _cmp.eq(self, other)

    def ne(self, other):
        return _cmp.ne(self, other)

    def lt(self, other):
        return _cmp.lt(self, other)

    def le(self, other):
        return _cmp.le(self, other)

    def gt(self, other):
        return _cmp.gt(self, other)

    def ge(self, other):
        return _cmp.ge(self, other)

    def equal(self, other) -> bool:
        return _cmp.equal(self, other)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
        return _cmp.allclose(self, other, rtol, atol, equal_nan)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _cmp.isclose(self, other, rtol, atol, equal_nan)

    def isnan(self):
        return _cmp.isnan(self)

    def isinf(self):
        return _cmp.isinf(self)

    def isfinite(self):
        return _cmp.isfinite(self)

    def logical_and(self, other):
        return _cmp.logical_and(self, other)

    def logical_or(self, other):
        return _cmp.logical_or(self, other)

    def logical_xor(self, other):
        return _cmp.logical_xor(self, other)

    def logical_not(self):
        return _cmp.logical_not(self)

    # reductions
    def sum(self, dim=None, keepdim: bool = False, *, dtype=None):
        return _red.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim=None, keepdim: bool = False, *, dtype=None):
        return _red.mean(self, dim, keepdim, dtype=dtype)

    def prod(self, dim=None, keepdim: bool = False, *, dtype=None):
        return _red.prod(self, dim, keepdim, dtype=dtype)

    def var(self, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
        return _red.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
        return _red.std(self, dim, unbiased, keepdim, correction=correction)

    def norm(self, p="fro", dim=None, keepdim: bool = False, dtype=None):
        return _red.norm(self, p, dim, keepdim, dtype=dtype)

    def max(self, dim=None, keepdim: bool = False):
        return _red.max(self, dim, keepdim)

    def min(self, dim=None, keepdim: bool = False):
        return _red.min(self, dim, keepdim)

    def amax(self, dim=(), keepdim: bool = False):
        return _red.amax(self, dim, keepdim)

    def aminmax(self, *, dim=None, keepdim: bool = False):
        return _red.aminmax(self, dim=dim, keepdim=keepdim)

    def amin(self, dim=(), keepdim: bool = False):
        return _red.amin(self, dim, keepdim)

    def argmax(self, dim=None, keepdim: bool = False):
        return _red.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim: bool = False):
        return _red.argmin(self, dim, keepdim)

    def cumsum(self, dim, *, dtype=None):
        return _red.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim, *, dtype=None):
        return _red.cumprod(self, dim, dtype=dtype)

    def logsumexp(self, dim, keepdim: bool = False):
        return _red.logsumexp(self, dim, keepdim)

    def softmax(self, dim, dtype=None):
        return _act.softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim, dtype=None):
        return _act.log_softmax(self, dim, dtype=dtype)

    def all(self, dim=None, keepdim: bool = False):
        return _red.all(self, dim, keepdim)

    def any(self, dim=None, keepdim: bool = False):
        return _red.any(self, dim, keepdim)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
        return _red.topk(self, k, dim, largest, sorted)

    def sort(self, dim: int = -1, descending: bool = False, stable=None):
        # stable=None (not given) and stable=True/False are PyTorch's two overloads: SortBackward0/1.
        return _red.sort(self, dim, descending, stable=stable)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False):
        return _red.argsort(self, dim, descending, stable=stable)

    def count_nonzero(self, dim=None):
        return _red.count_nonzero(self, dim)

    def bincount(self, weights=None, minlength=0):
        return _red.bincount(self, weights, minlength)

    # linear algebra
    def matmul(self, other):
        return _linalg.matmul(self, other)

    def mm(self, mat2):
        return _linalg.mm(self, mat2)

    def bmm(self, mat2):
        return _linalg.bmm(self, mat2)

    def mv(self, vec):
        return _linalg.mv(self, vec)

    def dot(self, other):
        return _linalg.dot(self, other)

    def outer(self, vec2):
        return _linalg.outer(self, vec2)

    # diagonals and triangles
    def diag(self, diagonal: int = 0):
        return _diag_tri.diag(self, diagonal)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1):
        return _diag_tri.diagonal(self, offset, dim1, dim2)

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1):
        return _diag_tri.diag_embed(self, offset, dim1, dim2)

    def trace(self):
        return _diag_tri.trace(self)

    def tril(self, diagonal: int = 0):
        return _diag_tri.tril(self, diagonal)

    def triu(self, diagonal: int = 0):
        return _diag_tri.triu(self, diagonal)

    # torch.linalg as methods (edutorch/linalg.py; imported at call time: it is loaded after Tensor)
    def det(self):
        from . import linalg
        return linalg.det(self)

    def logdet(self):
        from . import linalg
        return linalg._torch_logdet(self)

    def slogdet(self):
        from . import linalg
        return linalg._torch_slogdet(self)

    def inverse(self):
        from . import linalg
        return linalg.inv(self)

    def pinverse(self, rcond: float = 1e-15):
        from . import linalg
        return linalg._torch_pinverse(self, rcond)

    def svd(self, some: bool = True, compute_uv: bool = True):
        from . import linalg
        return linalg._torch_svd(self, some, compute_uv)

    def cross(self, other, dim=None):
        from . import linalg
        return linalg._torch_cross(self, other, dim)

    def matrix_exp(self):
        from . import linalg
        return linalg.matrix_exp(self)

    def matrix_power(self, n: int):
        from . import linalg
        return linalg.matrix_power(self, n)

    # shapes
    def view(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
            raise NotImplementedError("view(dtype) reinterprets bits; edutorch supports view(*shape) only")
        return _shape.view(self, *shape)

    def view_as(self, other):
        return _shape.view(self, other.shape)

    def reshape(self, *shape):
        return _shape.reshape(self, *shape)

    def reshape_as(self, other):
        return _shape.reshape(self, other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        return _shape.flatten(self, start_dim, end_dim)

    def unflatten(self, dim: int, sizes):
        return _shape.unflatten(self, dim, sizes)

    def squeeze(self, dim=None):
        return _shape.squeeze(self, dim)

    def unsqueeze(self, dim: int):
        return _shape.unsqueeze(self, dim)

    def permute(self, *dims):
        return _shape.permute(self, *dims)

    def transpose(self, dim0: int, dim1: int):
        return _shape.transpose(self, dim0, dim1)

    swapaxes = swapdims = transpose

    def t(self):
        return _shape.t(self)

    @property
    def T(self):
        return _shape.permute(self, *reversed(range(self.dim())))

    @property
    def mT(self):
        return _shape.transpose(self, -2, -1)

    def movedim(self, source, destination):
        return _shape.movedim(self, source, destination)

    def expand(self, *sizes):
        return _shape.expand(self, *sizes)

    def expand_as(self, other):
        return _shape.expand(self, other.shape)

    def broadcast_to(self, size):
        return _shape.expand(self, size)

    def repeat(self, *sizes):
        return _shape.repeat(self, *sizes)

    def repeat_interleave(self, repeats=None, dim=None, *, output_size=None):
        return _shape.repeat_interleave(self, repeats, dim, output_size=output_size)

    def tile(self, dims):
        return _shape.tile(self, dims)

    def flip(self, *dims, **kwargs):
        """``x.flip(0, 1)``, ``x.flip((0, 1))`` and ``x.flip(dims=(0, 1))`` all work, as in PyTorch."""
        if "dims" in kwargs and not dims:
            dims = (kwargs.pop("dims"),)
        if kwargs:
            raise TypeError(f"flip() got an unexpected keyword argument '{next(iter(kwargs))}'")
        return _shape.flip(self, _shape._int_list(dims, "flip", "dims"))

    def roll(self, shifts, dims=None):
        return _shape.roll(self, shifts, dims)

    def split(self, split_size, dim: int = 0):
        return _shape.split(self, split_size, dim)

    def chunk(self, chunks: int, dim: int = 0):
        return _shape.chunk(self, chunks, dim)

    def unbind(self, dim: int = 0):
        return _shape.unbind(self, dim)

    def narrow(self, dim: int, start: int, length: int):
        return _shape.narrow(self, dim, start, length)

    # indexing functions
    def gather(self, dim: int, index):
        return _index.gather(self, dim, index)

    def scatter(self, dim: int, index, src=None, *, value=None, reduce=None):
        return _index.scatter(self, dim, index, src, value=value, reduce=reduce)

    def index_select(self, dim: int, index):
        return _index.index_select(self, dim, index)

    def masked_fill(self, mask, value):
        return _index.masked_fill(self, mask, value)

    def masked_select(self, mask):
        return _index.masked_select(self, mask)

    def index_fill(self, dim, index, value):
        return _index.index_fill(self, dim, index, value)

    def index_add(self, dim, index, source, *, alpha=1):
        return _index.index_add(self, dim, index, source, alpha=alpha)

    def scatter_add(self, dim, index, src):
        return _index.scatter_add(self, dim, index, src)

    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
        return _index.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)

    def index_put(self, indices, values, accumulate=False):
        return _index.index_put(self, indices, values, accumulate)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return _index.unique(self, sorted, return_inverse, return_counts, dim)

    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None):
        return _index.unique_consecutive(self, return_inverse, return_counts, dim)

    def nonzero(self, *, as_tuple: bool = False):
        return _index.nonzero(self, as_tuple=as_tuple)

    def argwhere(self):
        return _index.nonzero(self)

    # ------------------------------------------------------------------ issue 18: math and shape
    # (ops in ops/pointwise_math.py, order_stats.py, statistics.py, distance.py, products.py,
    # rearrange.py; an in-place form ``x.f_(...)`` computes f out of place and writes it back)
    def asin(self):
        return _pm.asin(self)

    def asin_(self):
        return self._inplace(_pm.asin(self))

    def acos(self):
        return _pm.acos(self)

    def acos_(self):
        return self._inplace(_pm.acos(self))

    def atan2(self, other):
        return _pm.atan2(self, other)

    def atan2_(self, other):
        return self._inplace(_pm.atan2(self, other))

    def sinh(self):
        return _pm.sinh(self)

    def sinh_(self):
        return self._inplace(_pm.sinh(self))

    def cosh(self):
        return _pm.cosh(self)

    def cosh_(self):
        return self._inplace(_pm.cosh(self))

    def asinh(self):
        return _pm.asinh(self)

    def asinh_(self):
        return self._inplace(_pm.asinh(self))

    def acosh(self):
        return _pm.acosh(self)

    def acosh_(self):
        return self._inplace(_pm.acosh(self))

    def atanh(self):
        return _pm.atanh(self)

    def atanh_(self):
        return self._inplace(_pm.atanh(self))

    arcsin, arcsin_, arccos, arccos_, arctan2, arctan2_ = asin, asin_, acos, acos_, atan2, atan2_
    arcsinh, arcsinh_, arccosh, arccosh_, arctanh, arctanh_ = asinh, asinh_, acosh, acosh_, atanh, atanh_

    def erf(self):
        return _pm.erf(self)

    def erf_(self):
        return self._inplace(_pm.erf(self))

    def erfc(self):
        return _pm.erfc(self)

    def erfc_(self):
        return self._inplace(_pm.erfc(self))

    def erfinv(self):
        return _pm.erfinv(self)

    def erfinv_(self):
        return self._inplace(_pm.erfinv(self))

    # small elementwise functions (ops/pointwise_more.py)
    def frac(self):
        return _pmore.frac(self)

    def frac_(self):
        return self._inplace(_pmore.frac(self))

    def copysign(self, other):
        return _pmore.copysign(self, other)

    def copysign_(self, other):
        return self._inplace(_pmore.copysign(self, other))

    def fmax(self, other):
        return _pmore.fmax(self, other)

    def fmin(self, other):
        return _pmore.fmin(self, other)

    def ldexp(self, other):
        return _pmore.ldexp(self, other)

    def ldexp_(self, other):
        return self._inplace(_pmore.ldexp(self, other))

    def float_power(self, exponent):
        return _pmore.float_power(self, exponent)

    def float_power_(self, exponent):
        return self._inplace(_pmore.float_power(self, exponent))

    def angle(self):
        return _pmore.angle(self)

    def heaviside(self, values):
        return _pmore.heaviside(self, values)

    def nextafter(self, other):
        return _pmore.nextafter(self, other)

    def gcd(self, other):
        return _pmore.gcd(self, other)

    def gcd_(self, other):
        return self._inplace(_pmore.gcd(self, other))

    def lcm(self, other):
        return _pmore.lcm(self, other)

    def lcm_(self, other):
        return self._inplace(_pmore.lcm(self, other))

    def positive(self):
        return _pmore.positive(self)

    # the gamma family (ops/special_math.py)
    def lgamma(self):
        return _sm.lgamma(self)

    def lgamma_(self):
        return self._inplace(_sm.lgamma(self))

    def digamma(self):
        return _sm.digamma(self)

    def digamma_(self):
        return self._inplace(_sm.digamma(self))

    def polygamma(self, n):
        return _sm.polygamma(n, self)

    def polygamma_(self, n):
        return self._inplace(_sm.polygamma(n, self))

    def mvlgamma(self, p):
        return _sm.mvlgamma(self, p)

    def mvlgamma_(self, p):
        return self._inplace(_sm.mvlgamma(self, p))

    def exp2(self):
        return _pm.exp2(self)

    def exp2_(self):
        return self._inplace(_pm.exp2(self))

    def logit(self, eps=None):
        return _pm.logit(self, eps)

    def logit_(self, eps=None):
        return self._inplace(_pm.logit(self, eps))

    def hypot(self, other):
        return _pm.hypot(self, other)

    def hypot_(self, other):
        return self._inplace(_pm.hypot(self, other))

    def logaddexp(self, other):
        return _pm.logaddexp(self, other)

    def logaddexp2(self, other):
        return _pm.logaddexp2(self, other)

    def xlogy(self, other):
        return _pm.xlogy(self, other)

    def xlogy_(self, other):
        return self._inplace(_pm.xlogy(self, other))

    def sinc(self):
        return _pm.sinc(self)

    def sinc_(self):
        return self._inplace(_pm.sinc(self))

    def deg2rad(self):
        return _pm.deg2rad(self)

    def deg2rad_(self):
        return self._inplace(_pm.deg2rad(self))

    def rad2deg(self):
        return _pm.rad2deg(self)

    def rad2deg_(self):
        return self._inplace(_pm.rad2deg(self))

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        return _pm.nan_to_num(self, nan, posinf, neginf)

    def nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
        return self._inplace(_pm.nan_to_num(self, nan, posinf, neginf))

    def addcmul(self, tensor1, tensor2, *, value=1):
        return _pm.addcmul(self, tensor1, tensor2, value=value)

    def addcmul_(self, tensor1, tensor2, *, value=1):
        return self._inplace(_pm.addcmul(self, tensor1, tensor2, value=value))

    def addcdiv(self, tensor1, tensor2, *, value=1):
        return _pm.addcdiv(self, tensor1, tensor2, value=value)

    def addcdiv_(self, tensor1, tensor2, *, value=1):
        return self._inplace(_pm.addcdiv(self, tensor1, tensor2, value=value))

    def bitwise_left_shift(self, other):
        return _pm.bitwise_left_shift(self, other)

    def bitwise_left_shift_(self, other):
        return self._inplace(_pm.bitwise_left_shift(self, other))

    def bitwise_right_shift(self, other):
        return _pm.bitwise_right_shift(self, other)

    def bitwise_right_shift_(self, other):
        return self._inplace(_pm.bitwise_right_shift(self, other))

    def __lshift__(self, other):
        return _pm.bitwise_left_shift(self, other)

    def __rlshift__(self, other):
        return _pm.bitwise_left_shift(other, self)

    def __ilshift__(self, other):
        return self.bitwise_left_shift_(other)

    def __rshift__(self, other):
        return _pm.bitwise_right_shift(self, other)

    def __rrshift__(self, other):
        return _pm.bitwise_right_shift(other, self)

    def __irshift__(self, other):
        return self.bitwise_right_shift_(other)

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return _prod.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def addmm_(self, mat1, mat2, *, beta=1, alpha=1):
        return self._inplace(_prod.addmm(self, mat1, mat2, beta=beta, alpha=alpha))

    def addmv(self, mat, vec, *, beta=1, alpha=1):
        return _prod.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def addmv_(self, mat, vec, *, beta=1, alpha=1):
        return self._inplace(_prod.addmv(self, mat, vec, beta=beta, alpha=alpha))

    def addbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _prod.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def addbmm_(self, batch1, batch2, *, beta=1, alpha=1):
        return self._inplace(_prod.addbmm(self, batch1, batch2, beta=beta, alpha=alpha))

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _prod.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def baddbmm_(self, batch1, batch2, *, beta=1, alpha=1):
        return self._inplace(_prod.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha))

    def kron(self, other):
        return _prod.kron(self, other)

    def median(self, dim=None, keepdim: bool = False):
        return _ostat.median(self, dim, keepdim)

    def nanmedian(self, dim=None, keepdim: bool = False):
        return _ostat.nanmedian(self, dim, keepdim)

    def mode(self, dim: int = -1, keepdim: bool = False):
        return _ostat.mode(self, dim, keepdim)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False):
        return _ostat.kthvalue(self, k, dim, keepdim)

    def quantile(self, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear"):
        return _ostat.quantile(self, q, dim, keepdim, interpolation=interpolation)

    def nanquantile(self, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear"):
        return _ostat.nanquantile(self, q, dim, keepdim, interpolation=interpolation)

    def cummax(self, dim: int):
        return _ostat.cummax(self, dim)

    def cummin(self, dim: int):
        return _ostat.cummin(self, dim)

    def logcumsumexp(self, dim: int):
        return _ostat.logcumsumexp(self, dim)

    def histc(self, bins: int = 100, min=0, max=0):
        return _ostat.histc(self, bins, min, max)

    def nansum(self, dim=None, keepdim: bool = False, *, dtype=None):
        return _stats.nansum(self, dim, keepdim, dtype=dtype)

    def nanmean(self, dim=None, keepdim: bool = False, *, dtype=None):
        return _stats.nanmean(self, dim, keepdim, dtype=dtype)

    def cov(self, *, correction: int = 1, fweights=None, aweights=None):
        return _stats.cov(self, correction=correction, fweights=fweights, aweights=aweights)

    def corrcoef(self):
        return _stats.corrcoef(self)

    def dist(self, other, p=2):
        return _dist.dist(self, other, p)

    def rot90(self, k: int = 1, dims=(0, 1)):
        return _rearr.rot90(self, k, dims)

    def take(self, index):
        return _rearr.take(self, index)

    def take_along_dim(self, indices, dim=None):
        return _rearr.take_along_dim(self, indices, dim)

    def diff(self, n: int = 1, dim: int = -1, prepend=None, append=None):
        return _rearr.diff(self, n, dim, prepend, append)

    def unfold(self, dimension: int, size: int, step: int):
        return _rearr.unfold(self, dimension, size, step)

    def unsqueeze_(self, dim: int):
        return _rearr.unsqueeze_(self, dim)

    def squeeze_(self, dim=None):
        return _rearr.squeeze_(self, dim)

    def t_(self):
        return _rearr.t_(self)

    def transpose_(self, dim0: int, dim1: int):
        return _rearr.transpose_(self, dim0, dim1)

    swapaxes_ = swapdims_ = transpose_

    def multinomial(self, num_samples: int, replacement: bool = False, *, generator=None):
        return _cr.multinomial(self, num_samples, replacement, generator=generator)

    def bernoulli(self, p=None, *, generator=None):
        return _cr.bernoulli(self, p, generator=generator)
    # ------------------------------------------------------------------ end of issue 18 block


def _wrap_dim(dim: int, ndim: int) -> int:
    """A possibly negative dimension index made non-negative, with PyTorch's IndexError."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim % n


# The ops import Tensor, so they are imported after it is defined; methods look them up at call time.
from .ops import activation as _act  # noqa: E402
from .ops import arithmetic as _arith  # noqa: E402
from .ops import comparison as _cmp  # noqa: E402
from .ops import creation as _cr  # noqa: E402
from .ops import diag_tri as _diag_tri  # noqa: E402
from .ops import indexing as _index  # noqa: E402
from .ops import inplace as _inplace  # noqa: E402
from .ops import linalg as _linalg  # noqa: E402
from .ops import reduction as _red  # noqa: E402
from .ops import shape as _shape  # noqa: E402
# issue 18's op families (the methods in the issue 18 block above)
from .ops import distance as _dist  # noqa: E402
from .ops import order_stats as _ostat  # noqa: E402
from .ops import pointwise_math as _pm  # noqa: E402
from .ops import special_math as _sm  # noqa: E402
from .ops import pointwise_more as _pmore  # noqa: E402
from .ops import products as _prod  # noqa: E402
from .ops import rearrange as _rearr  # noqa: E402
from .ops import statistics as _stats  # noqa: E402
