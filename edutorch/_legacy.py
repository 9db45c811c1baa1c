"""The legacy tensor types: ``torch.FloatTensor``, ``torch.LongTensor``, ... (PyTorch before 0.4).

Old tutorials still write ``torch.FloatTensor(2, 3)`` or ``isinstance(x, torch.LongTensor)``. They are not
classes of tensors any more but *tensor types*: calling one makes an ordinary tensor of its dtype, and
``isinstance`` asks about the dtype. Today one writes ``torch.empty(2, 3)``, ``torch.tensor([1, 2])`` and
``x.dtype == torch.int64``.

    FloatTensor(2, 3)        uninitialised (2, 3) float32 tensor: ints (or a torch.Size) are a shape
    LongTensor([1.7, 2])     data, converted to the type (tensor([1, 2]))
    FloatTensor()            an empty tensor, tensor([])
    x.type()                 'torch.FloatTensor';  x.type(torch.LongTensor) converts
"""
from __future__ import annotations

import numpy as np

from . import _dtype
from ._device import check_device
from ._size import Size
from ._tensor import Tensor

__all__ = ["BFloat16Tensor", "BoolTensor", "ByteTensor", "CharTensor", "DoubleTensor", "FloatTensor", "HalfTensor",
           "IntTensor", "LongTensor", "ShortTensor", "tensortype"]

_CPP = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
        "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
        "bool": "bool"}


class tensortype(type):
    """The type of ``torch.FloatTensor`` & co.: ``isinstance(x, torch.FloatTensor)`` means "a float32 tensor"."""

    dtype: _dtype.dtype

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __call__(cls, *args, device=None, **kwargs) -> Tensor:
        if kwargs:  # PyTorch's legacy constructor takes no dtype / requires_grad
            raise TypeError(f"new() received an invalid combination of arguments - got unexpected keyword "
                            f"argument(s) {', '.join(kwargs)}. The legacy constructor {cls.__name__}(...) only "
                            f"takes data or a size; use torch.tensor(data, dtype=..., requires_grad=...) instead.")
        check_device(device)
        np_dtype = cls.dtype.to_numpy()
        if not args:
            return Tensor._make(np.empty((0,), dtype=np_dtype))
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args) or \
                (len(args) == 1 and isinstance(args[0], Size)):
            shape = tuple(args[0]) if isinstance(args[0], Size) else tuple(int(a) for a in args)
            return Tensor._make(np.empty(shape, dtype=np_dtype))  # uninitialised, like torch.empty
        if len(args) == 1 and isinstance(args[0], Tensor):
            if args[0].dtype != cls.dtype:
                raise TypeError(f"expected TensorOptions(dtype={_CPP[cls.dtype._name]}, device=cpu) (got "
                                f"TensorOptions(dtype={_CPP[args[0].dtype._name]}, device=cpu)): convert with "
                                f"x.to(torch.{cls.dtype._name}) instead")
            return args[0].detach()  # the same storage, as PyTorch's legacy constructor
        if len(args) == 1 and isinstance(args[0], (list, tuple, np.ndarray)):
            return Tensor._make(np.array(args[0]).astype(np_dtype))
        raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


def _tensor_type(name: str, dtype: _dtype.dtype) -> tensortype:
    return tensortype(name, (), {"dtype": dtype, "__module__": "torch",
                                 "__doc__": f"Legacy constructor of {dtype!r} tensors (see edutorch/_legacy.py)."})


FloatTensor = _tensor_type("FloatTensor", _dtype.float32)
DoubleTensor = _tensor_type("DoubleTensor", _dtype.float64)
HalfTensor = _tensor_type("HalfTensor", _dtype.float16)
LongTensor = _tensor_type("LongTensor", _dtype.int64)
IntTensor = _tensor_type("IntTensor", _dtype.int32)
ShortTensor = _tensor_type("ShortTensor", _dtype.int16)
CharTensor = _tensor_type("CharTensor", _dtype.int8)
ByteTensor = _tensor_type("ByteTensor", _dtype.uint8)
BoolTensor = _tensor_type("BoolTensor", _dtype.bool_)
_TYPES = [FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor, CharTensor, ByteTensor,
          BoolTensor]
if hasattr(_dtype, "bfloat16"):
    BFloat16Tensor = _tensor_type("BFloat16Tensor", _dtype.bfloat16)
    _TYPES.append(BFloat16Tensor)
_BY_TYPE_NAME = {f"torch.{t.__name__}": t.dtype for t in _TYPES}


def type_to_dtype(spec) -> _dtype.dtype:
    """``x.type(spec)``: spec is a dtype, a tensor type (torch.LongTensor) or its name ('torch.LongTensor')."""
    if isinstance(spec, tensortype):
        return spec.dtype
    if isinstance(spec, str):
        if spec in _BY_TYPE_NAME:
            return _BY_TYPE_NAME[spec]
        if spec.startswith("torch.cuda."):
            check_device("cuda")
        raise ValueError(f"invalid type: '{spec}'")
    return _dtype.to_dtype(spec)
