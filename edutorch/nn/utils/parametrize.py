"""``nn.utils.parametrize``: make a module's tensor a function of other tensors.

After ``register_parametrization(linear, "weight", P())``, every read of ``linear.weight`` computes
``P(original)`` from a stored tensor ``original``; the optimizer trains ``original``. How it works::

    linear.__class__          ParametrizedLinear, a subclass made for this one module, on which
                              ``weight`` is a property:
                                  get:  linear.parametrizations.weight()         = Pₙ(…P₂(P₁(original)))
                                  set:  linear.parametrizations.weight.right_inverse(value)
    linear.parametrizations   ModuleDict {"weight": ParametrizationList [P₁, P₂, …] holding ``original``}

so the state_dict holds ``parametrizations.weight.original`` (or ``original0``, ``original1``, … when
``right_inverse`` splits the tensor into several, as weight normalisation does), exactly as PyTorch's.
"""
from __future__ import annotations

import copy
from collections.abc import Sequence
from contextlib import contextmanager

from ..._tensor import Tensor
from ...autograd import no_grad
from ..modules.container import ModuleDict, ModuleList
from ..modules.module import Module
from ..parameter import Parameter

__all__ = [
    "ParametrizationList",
    "cached",
    "is_parametrized",
    "register_parametrization",
    "remove_parametrizations",
    "type_before_parametrizations",
]

_cache_enabled = 0
_cache: dict = {}


@contextmanager
def cached():
    """Inside ``with cached():`` each parametrized tensor is computed once and reused (useful when a
    recurrent network reads the same parametrized weight at every time step); the cache is emptied on exit."""
    global _cache_enabled, _cache
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache = {}


def _register_parameter_or_buffer(module: Module, name: str, X: Tensor) -> None:
    if isinstance(X, Parameter):
        module.register_parameter(name, X)
    else:
        module.register_buffer(name, X)


def _set_data(dst: Tensor, src: Tensor) -> None:
    """PyTorch's ``dst.set_(src)``: ``dst`` takes ``src``'s values and shape but stays the same object, so
    an optimizer that holds ``dst`` keeps training it."""
    dst.data = src
    dst._bump_version()


class ParametrizationList(ModuleList):
    r"""The parametrizations [P₁, …, Pₙ] of one tensor, and the tensor(s) they start from.

    At registration the stored tensor is ``original = right_inverse(X)`` of the current value X (each
    Pᵢ's ``right_inverse`` in reverse order, the identity where a Pᵢ has none), so that reading the
    tensor gives X back (when the right inverse is exact). ``forward()`` computes Pₙ(…P₁(original)).
    Unless ``unsafe``, the result must keep X's shape and dtype.
    """

    def __init__(self, modules, original: Tensor, unsafe: bool = False) -> None:
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        original_shape, original_dtype = original.shape, original.dtype
        with no_grad():
            new = original
            for module in reversed(list(self)):
                if hasattr(module, "right_inverse"):
                    try:
                        new = module.right_inverse(new)
                    except NotImplementedError:
                        pass  # a right_inverse that raises counts as the identity
        if not isinstance(new, (Tensor, Sequence)):
            raise ValueError(
                "'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). "
                f"Got {type(new).__name__}")
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if original.dtype != new.dtype:
                raise ValueError("When `right_inverse` outputs one tensor, it may not change the dtype.\n"
                                 f"original.dtype: {original.dtype}\nright_inverse(original).dtype: {new.dtype}")
            with no_grad():
                _set_data(original, new)  # keep the same Parameter object: optimizers still hold it
            _register_parameter_or_buffer(self, "original", original)
        else:
            for i, originali in enumerate(new):
                if not isinstance(originali, Tensor):
                    raise ValueError(
                        "'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). "
                        f"Got element {i} of the sequence with type {type(originali).__name__}.")
                if isinstance(original, Parameter):
                    originali = Parameter(originali, original.requires_grad)
                originali.requires_grad_(original.requires_grad)
                _register_parameter_or_buffer(self, f"original{i}", originali)
        if not self.unsafe:
            Z = self()
            _check_same_kind(Z, original_dtype, original_shape)

    def right_inverse(self, value: Tensor) -> None:
        """``module.weight = value``: store right_inverse(value) (Pₙ's first, then … P₁'s) as the original(s)."""
        with no_grad():
            for module in reversed(list(self)):
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(f"parametrization {type(module).__name__} does not implement right_inverse.")
                value = module.right_inverse(value)
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(f"`right_inverse` should return a tensor. Got {type(value).__name__}")
                if value.dtype != self.original.dtype:
                    raise ValueError(f"The tensor returned by `right_inverse` has dtype {value.dtype} while "
                                     f"`original` has dtype {self.original.dtype}")
                _set_data(self.original, value)
            else:
                if not isinstance(value, Sequence):
                    raise ValueError(f"'right_inverse' must return a sequence of tensors. Got {type(value).__name__}.")
                if len(value) != self.ntensors:
                    raise ValueError("'right_inverse' must return a sequence of tensors of length "
                                     f"{self.ntensors}. Got a sequence of length {len(value)}.")
                for i, tensor in enumerate(value):
                    original_i = getattr(self, f"original{i}")
                    if tensor.dtype != original_i.dtype:
                        raise ValueError(f"Tensor {i} returned by `right_inverse` has dtype {tensor.dtype} while "
                                         f"`original{i}` has dtype {original_i.dtype}")
                    _set_data(original_i, tensor)

    def forward(self) -> Tensor:
        if self.is_tensor:
            x = self[0](self.original)
        else:
            x = self[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in list(self)[1:]:
            x = module(x)
        return x


def _check_same_kind(Z, dtype, shape) -> None:
    if not isinstance(Z, Tensor):
        raise ValueError(f"A parametrization must return a tensor. Got {type(Z).__name__}.")
    if Z.dtype != dtype:
        raise ValueError("Registering a parametrization may not change the dtype of the tensor, unless `unsafe` "
                         f"flag is enabled.\nunparametrized dtype: {dtype}\nparametrized dtype: {Z.dtype}")
    if Z.shape != shape:
        raise ValueError("Registering a parametrization may not change the shape of the tensor, unless `unsafe` "
                         f"flag is enabled.\nunparametrized shape: {shape}\nparametrized shape: {Z.shape}")


def _inject_new_class(module: Module) -> None:
    """Give ``module`` a class of its own, ``Parametrized<Name>``, so properties can be added to it without
    touching every other instance of ``<Name>``."""
    cls = module.__class__

    def getstate(self):
        raise RuntimeError(
            "Serialization of parametrized modules is only supported through state_dict(). See:\n"
            "https://pytorch.org/tutorials/beginner/saving_loading_models.html"
            "#saving-loading-a-general-checkpoint-for-inference-and-or-resuming-training")

    def default_deepcopy(self, memo):
        replica = self.__new__(self.__class__)
        memo[id(self)] = replica
        replica.__dict__ = copy.deepcopy(self.__dict__, memo)
        return replica

    dct = {"__getstate__": getstate}
    if not hasattr(cls, "__deepcopy__"):
        dct["__deepcopy__"] = default_deepcopy
    module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), dct)


def _inject_property(module: Module, tensor_name: str) -> None:
    """Make ``module.<tensor_name>`` a property: reading computes the parametrization (once per
    ``cached()`` block), assigning stores its right inverse."""
    if hasattr(module, tensor_name):
        raise AssertionError(f"Module already has an attribute named '{tensor_name}'")

    def get_parametrized(self) -> Tensor:
        parametrization = self.parametrizations[tensor_name]
        if not _cache_enabled:
            return parametrization()
        key = (id(self), tensor_name)
        if _cache.get(key) is None:
            _cache[key] = parametrization()
        return _cache[key]

    def set_original(self, value: Tensor) -> None:
        self.parametrizations[tensor_name].right_inverse(value)

    setattr(module.__class__, tensor_name, property(get_parametrized, set_original))


def register_parametrization(module: Module, tensor_name: str, parametrization: Module, *,
                             unsafe: bool = False) -> Module:
    r"""Make ``module.<tensor_name>`` be computed as ``parametrization(original)`` on every read.

    The first registration on a tensor moves it into ``module.parametrizations[tensor_name].original``
    (the same Parameter object, holding ``right_inverse(value)`` when the parametrization has one).
    Registering more on the same tensor chains them: the later ones are applied to the earlier ones'
    output. ``unsafe=True`` skips the checks that the shape and dtype stay the same.

    Args:
        module (nn.Module): the module that owns the tensor.
        tensor_name (str): the name of a parameter or buffer of ``module``.
        parametrization (nn.Module): computes the tensor from the original(s); may define
            ``right_inverse(X)`` returning a tensor or a sequence of tensors.
        unsafe (bool): allow a parametrization that changes shape or dtype (default: False).

    Example::

        >>> class Symmetric(nn.Module):
        ...     def forward(self, X):
        ...         return X.triu() + X.triu(1).transpose(-1, -2)      # a symmetric matrix from its upper half
        >>> m = nn.Linear(5, 5)
        >>> parametrize.register_parametrization(m, "weight", Symmetric())
        >>> torch.allclose(m.weight, m.weight.T)
        True
    """
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        if not unsafe:
            Y = getattr(module, tensor_name)
            X = parametrization(Y)
            _check_chained(X, Y, tensor_name, "parametrization(module.{0}).{1}")
            if hasattr(parametrization, "right_inverse"):
                try:
                    Z = parametrization.right_inverse(X)
                except NotImplementedError:
                    pass
                else:
                    _check_chained(Z, Y, tensor_name, "returned {1}", right_inverse=True)
        module.parametrizations[tensor_name].append(parametrization)
        module.parametrizations[tensor_name].unsafe |= unsafe
    elif tensor_name in module._buffers or tensor_name in module._parameters:
        original = getattr(module, tensor_name)
        parametrizations = ParametrizationList([parametrization], original, unsafe=unsafe)  # checks first
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            module.parametrizations = ModuleDict()
        _inject_property(module, tensor_name)
        module.parametrizations[tensor_name] = parametrizations
    else:
        raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a parametrized element "
                         f"with name '{tensor_name}'")
    return module


def _check_chained(X, Y: Tensor, tensor_name: str, label: str, right_inverse: bool = False) -> None:
    """The checks of a parametrization added to an already parametrized tensor (PyTorch's messages)."""
    if not isinstance(X, Tensor):
        if right_inverse:
            raise ValueError(f"parametrization.right_inverse must return a tensor. Got: {type(X).__name__}")
        raise ValueError(f"A parametrization must return a tensor. Got {type(X).__name__}.")
    head = ("The tensor returned by parametrization.right_inverse must have the same {1} as module.{0}, unless "
            "the `unsafe` flag is enabled.\n" if right_inverse else
            "Registering a parametrization may not change the {1} of the tensor, unless the `unsafe` flag is "
            "enabled.\n")
    for what in ("dtype", "shape"):
        if getattr(X, what) != getattr(Y, what):
            raise ValueError(head.format(tensor_name, what) + f"module.{tensor_name}.{what}: {getattr(Y, what)}\n"
                             + label.format(tensor_name, what) + f": {getattr(X, what)}")


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether ``module`` has a parametrization on ``tensor_name`` (on any tensor when it is None)."""
    parametrizations = getattr(module, "parametrizations", None)
    if parametrizations is None or not isinstance(parametrizations, ModuleDict):
        return False
    if tensor_name is None:
        return len(parametrizations) > 0
    return tensor_name in parametrizations


def remove_parametrizations(module: Module, tensor_name: str, leave_parametrized: bool = True) -> Module:
    """Undo ``register_parametrization`` on ``tensor_name`` (all the parametrizations on it).

    With ``leave_parametrized=True`` the tensor keeps its current parametrized value (written into the
    original Parameter object, so optimizers keep working); with ``False`` it goes back to ``original``
    (only possible when the parametrization has a single original tensor). When no parametrization is
    left, the module gets its own class back.
    """
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    parametrizations = module.parametrizations[tensor_name]
    if parametrizations.is_tensor:
        original = parametrizations.original
        if leave_parametrized:
            with no_grad():
                _set_data(original, getattr(module, tensor_name))
    else:
        if not leave_parametrized:
            raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is "
                             "parametrized in terms of a sequence of tensors.")
        t = getattr(module, tensor_name)
        original = Parameter(t.detach()) if t.requires_grad else t
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    _register_parameter_or_buffer(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = module.__class__.__bases__[0]
    return module


def type_before_parametrizations(module: Module) -> type:
    """The module's class before any parametrization (``Linear`` for a ``ParametrizedLinear``)."""
    if is_parametrized(module):
        return module.__class__.__bases__[0]
    return type(module)


def transfer_parametrizations_and_params(from_module: Module, to_module: Module,
                                         tensor_name: str | None = None) -> Module:
    """Give ``to_module`` the parametrizations of ``from_module`` (all, or only ``tensor_name``'s) and make it
    *share* their original tensors, so both modules train the same originals. A tensor ``to_module`` lacks
    is first created as a Parameter holding ``from_module``'s current value."""
    if is_parametrized(from_module):
        names = from_module.parametrizations if tensor_name is None else [tensor_name]
        for name in names:
            if not hasattr(to_module, name):
                setattr(to_module, name, Parameter(getattr(from_module, name)))
            for param_func in from_module.parametrizations[name]:
                register_parametrization(to_module, name, param_func)
            source, target = from_module.parametrizations[name], to_module.parametrizations[name]
            if hasattr(source, "original"):
                target.original = source.original
            else:
                num = 0
                while hasattr(source, f"original{num}"):
                    setattr(target, f"original{num}", getattr(source, f"original{num}"))
                    num += 1
    return to_module
