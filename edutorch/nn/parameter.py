"""``Parameter``: a tensor that a Module registers as one of its learnable weights.

Assigning a Parameter to a module attribute (``self.weight = nn.Parameter(...)``) puts it in
``module._parameters``, so ``model.parameters()`` finds it and the optimizer updates it. It is always a
leaf and requires grad unless told otherwise.
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor


class Parameter(Tensor):
    """A learnable tensor: ``nn.Parameter(torch.randn(3, 4))`` shares the storage of its data."""

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            data = Tensor._make(np.empty(0, dtype=np.float32))
        param = object.__new__(cls)
        param._init(data._data, False)
        param._version_counter = data._version_counter  # the same storage, as in PyTorch
        param.requires_grad = requires_grad
        return param

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True):
        pass  # all set up in __new__

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = Parameter(Tensor._make(self._data.copy()), self.requires_grad)
        if self._grad is not None:
            result._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self._data, self.requires_grad))


def _rebuild_parameter(data: np.ndarray, requires_grad: bool) -> Parameter:
    return Parameter(Tensor._make(data), requires_grad)


class Buffer(Tensor):
    """Marks a tensor to be registered as a module buffer when assigned (``self.mean = nn.Buffer(t)``)."""

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        if data is None:
            data = Tensor._make(np.empty(0, dtype=np.float32))
        buf = object.__new__(cls)
        buf._init(data._data, False)
        buf.persistent = persistent
        return buf

    def __init__(self, data=None, *, persistent: bool = True):
        pass


# ====================================================================== lazy (not yet shaped) parameters
class UninitializedTensorMixin:
    """A parameter or buffer whose shape is not known yet (the lazy modules': nn.LazyLinear...).

    It holds an empty array of the right dtype. ``materialize(shape)`` gives it storage of that shape
    and turns it into what it stands for (``cls_to_become``: a Parameter or a plain Tensor). Until
    then it has no shape to read, and its repr says so.
    """

    cls_to_become: type = Tensor

    # Every op reads a tensor's numbers through ``_data``: here that is an error, as in PyTorch. The empty
    # array that keeps the dtype lives in ``_empty``; dtype changes (``.to``, ``module.double()``) are allowed.
    @property
    def _data(self):
        raise ValueError(
            f"Attempted to use an uninitialized parameter in an operation. This error happens when you are using a "
            f"`LazyModule` or explicitly manipulating `torch.nn.parameter.{type(self).__name__}` objects. When using "
            "LazyModules Call `forward` with a dummy batch to initialize the parameters before calling torch "
            "functions")

    @_data.setter
    def _data(self, value) -> None:
        self.__dict__["_empty"] = value

    @property
    def dtype(self):
        return _dtype.from_numpy_dtype(self.__dict__["_empty"].dtype)

    def to(self, *args, **kwargs) -> Tensor:
        return Tensor._make(self.__dict__["_empty"]).to(*args, **kwargs)

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Make storage of ``shape`` (uninitialised values, like ``torch.empty``) and become ``cls_to_become``."""
        dtype = self.__dict__.pop("_empty").dtype if dtype is None else dtype.to_numpy()
        self.__dict__.pop("_empty", None)
        self.__dict__["_data"] = np.empty(tuple(shape), dtype=dtype)  # the plain attribute a Tensor reads
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually happens in "
            "`load_state_dict` when trying to load an uninitialized parameter into an initialized one. Call "
            "`forward` to initialize the parameters before accessing their attributes.")

    def share_memory_(self):
        raise RuntimeError("Can't share memory on an uninitialized parameter or buffer. Call `forward` to "
                           "initialize the parameters before calling `module.share_memory()`.")

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__}>"

    def __reduce_ex__(self, protocol):
        return (self.__class__, (self.requires_grad,))


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter without a shape yet; a lazy module materializes it on its first forward."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device=None, dtype=None):
        data = Tensor._make(np.empty(0, dtype=np.float32 if dtype is None else dtype.to_numpy()))
        return Parameter.__new__(cls, data, requires_grad)

    def __init__(self, requires_grad: bool = True, device=None, dtype=None) -> None:
        pass  # all set up in __new__

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, None, self.dtype)
        return memo[id(self)]


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer without a shape yet (materialized into a plain Tensor)."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad: bool = False, device=None, dtype=None, persistent: bool = True):
        buf = object.__new__(cls)
        buf._init(np.empty(0, dtype=np.float32 if dtype is None else dtype.to_numpy()), requires_grad)
        buf.persistent = persistent
        return buf

    def __init__(self, requires_grad: bool = False, device=None, dtype=None, persistent: bool = True) -> None:
        pass


def is_lazy(param) -> bool:
    """True for a parameter or buffer that a lazy module has not materialized yet."""
    return isinstance(param, UninitializedTensorMixin)
