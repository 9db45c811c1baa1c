"""Lazy modules: layers that learn their input size from the first batch they see.

``nn.LazyLinear(10)`` is an ``nn.Linear(?, 10)``: its weight and bias are ``UninitializedParameter``s (no
shape yet). A forward pre-hook runs before the first forward: it reads ``in_features`` off the input
(``input.shape[-1]``), materializes the parameters with PyTorch's initialisation, removes itself and
turns the module into a plain ``nn.Linear`` (``cls_to_become``). Handy when the size after a stack of
convolutions is tedious to work out by hand.

Two consequences, as in PyTorch: build the optimizer *after* a first (dummy) forward, since there is
nothing to optimise before; and ``load_state_dict`` into a lazy module materializes its parameters with
the checkpoint's shapes.
"""
from __future__ import annotations

import itertools

from ...autograd import grad_mode
from ..parameter import is_lazy

__all__ = ["LazyModuleMixin"]


class LazyModuleMixin:
    """Mix in before the real layer class: ``class LazyLinear(LazyModuleMixin, Linear)``. The layer defines
    ``initialize_parameters(*inputs)`` (materialize and reset its parameters) and ``cls_to_become``."""

    cls_to_become: type | None = None  # the class a fully initialized module turns into

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._load_hook = self._register_load_state_dict_pre_hook(self._lazy_load_hook)
        self._initialize_hook = self.register_forward_pre_hook(self._infer_parameters, with_kwargs=True)

    def _save_to_state_dict(self, destination: dict, prefix: str, keep_vars: bool) -> None:
        # as Module's, except that uninitialized entries are kept as they are (detach would lose the mark)
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if is_lazy(param) or keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if is_lazy(buf) or keep_vars else buf.detach()

    def _lazy_load_hook(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                        error_msgs) -> None:
        """Loading a checkpoint into a lazy module gives its uninitialized entries the checkpoint's shapes."""
        for name, param in itertools.chain(self._parameters.items(), self._buffers.items()):
            key = prefix + name
            if key in state_dict and param is not None and is_lazy(param) and not is_lazy(state_dict[key]):
                with grad_mode.no_grad():
                    param.materialize(state_dict[key].shape)

    def initialize_parameters(self, *args, **kwargs) -> None:
        raise NotImplementedError(f"initialize_parameters is not implemented for {self.__class__.__name__}")

    def has_uninitialized_params(self) -> bool:
        """Whether any parameter or buffer still waits for its shape."""
        return any(is_lazy(p) for p in itertools.chain(self._parameters.values(), self._buffers.values()))

    def _infer_parameters(self, module, args, kwargs=None) -> None:
        """The forward pre-hook: shape the parameters from the inputs, then become the ordinary layer."""
        module.initialize_parameters(*args, **(kwargs or {}))
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        module._initialize_hook.remove()
        module._load_hook.remove()
        delattr(module, "_initialize_hook")
        delattr(module, "_load_hook")
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become

    def _replicate_for_data_parallel(self):
        raise RuntimeError("Modules with uninitialized parameters can't be used with `DataParallel`. Run a dummy "
                           "forward pass to correctly initialize the modules")
