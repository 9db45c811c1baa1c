"""``Optimizer``: what every optimizer shares: parameter groups, per-parameter state, zero_grad, state_dict.

An optimizer holds
- ``param_groups``: a list of dicts. Each has ``'params'`` (a list of tensors) plus its own
  hyper-parameters (``'lr'``, ``'momentum'``, ...). A group that leaves a hyper-parameter out takes it from
  ``defaults``, so ``[{'params': net.features.parameters()}, {'params': net.head.parameters(), 'lr': 1e-2}]``
  trains the head ten times faster than the rest (the fine-tuning pattern).
- ``state``: a dict keyed by the parameter tensor itself, holding what the update rule remembers between
  steps (a momentum buffer, Adam's running averages, the step count).

``step()`` (written by each subclass) reads ``p.grad`` and writes the new values straight into the NumPy
array behind ``p``. Nothing there goes through autograd, which is what ``torch.no_grad()`` achieves in
PyTorch's optimizers; the parameter's version counter is still bumped, as any in-place write does.

``state_dict()`` cannot store tensors as keys, so parameters are replaced by their position (0, 1, 2, ...
counted across all groups in order). ``load_state_dict`` maps the positions back onto the parameters of a
fresh optimizer, so a fresh model + optimizer resumes exactly where a checkpoint left off. The layout is
PyTorch's, so checkpoints can move between the two libraries.
"""
from __future__ import annotations

import copy
import warnings
from collections import defaultdict
from itertools import chain
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd import enable_grad
from ..nn.modules.module import _typename  # torch.typename: 'torch.FloatTensor', 'int', ...
from ..nn.utils._zero_grad import zero_grad_

__all__ = ["Optimizer"]


class Optimizer:
    r"""Base class for all optimizers.

    Args:
        params (iterable): tensors to optimize, or dicts that define parameter groups
            (each dict has a ``'params'`` entry and may override any of ``defaults``).
        defaults (dict): default hyper-parameters, used by groups that don't set them.

    Parameters must come in a deterministic order (a list, ``model.parameters()``), never a set:
    ``state_dict`` refers to them by position.
    """

    def __init__(self, params: Iterable, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, but got "
                + _typename(params)
            )
        self.state: defaultdict[Tensor, dict] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []

        param_groups = list(params)  # read a generator (model.parameters()) exactly once
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    # ------------------------------------------------------------------ parameter groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyper-parameters (e.g. unfreezing layers while fine-tuning)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the ordering of tensors "
                "in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        # model.named_parameters() gives (name, tensor) pairs: keep the names beside the tensors
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group["params"] = params
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names

        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + _typename(param))
            if not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            param_group.setdefault(name, default)

        if len(params) != len(set(params)):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this will cause an "
                "error; see github.com/pytorch/pytorch/issues/40967 for more information",
                stacklevel=3,
            )
        seen: set[Tensor] = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {which} to the optimizer"
                )
        if not seen.isdisjoint(params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ------------------------------------------------------------------ the training-loop calls
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of the last backward (they would otherwise accumulate into the next one).

        ``set_to_none=True`` (the default) sets ``p.grad = None``: less memory, and ``step()`` then skips
        parameters that get no gradient. ``False`` fills the existing gradients with zeros instead.
        """
        zero_grad_((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self, closure: Callable[[], Any] | None = None):
        """Update every parameter that has a gradient (each optimizer writes its own update rule).

        Args:
            closure (callable, optional): re-evaluates the model and returns the loss (a few optimizers,
                like L-BFGS, need it; for the others it is a convenience). Its value is returned.
        """
        raise NotImplementedError

    @staticmethod
    def _evaluate_closure(closure: Callable[[], Any] | None):
        """Run the closure with autograd on (it calls ``backward()``), as PyTorch does."""
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def _params_with_grad(self, group: dict[str, Any],
                          init_state: Callable[[Tensor, dict[str, Any]], dict] | None = None, *,
                          with_state: bool = True) -> Iterator[tuple[np.ndarray, np.ndarray, dict | None]]:
        """Yield ``(theta, g, state)`` for each parameter of ``group`` that has a gradient: what every
        ``step()`` loops over before its own update rule.

        - ``theta``: the NumPy array behind the parameter, which the caller updates in place (the
          parameter's version is bumped once the caller's update is done, as for any in-place write).
        - ``g``: the gradient's array, negated when ``group['maximize']`` (a new array then: ``p.grad``
          itself stays as backward left it).
        - ``state``: ``self.state[p]``. While it is empty, ``init_state(p, group)`` returns its first
          entries (the lazy initialisation at the first step). With ``with_state=False`` it is ``None``
          and ``self.state`` is left untouched (SGD without momentum keeps no state, as in PyTorch).
        """
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p] if with_state else None
            if init_state is not None and len(state) == 0:
                state.update(init_state(p, group))
            g = -p.grad._data if group["maximize"] else p.grad._data
            yield p._data, g, state
            p._bump_version()

    # ------------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as plain data: ``{'state': {index: {...}}, 'param_groups': [{...}, ...]}``.

        Each group dict holds its hyper-parameters and ``'params'``: the list of its parameters' indices.

        Each parameter is replaced by its position, counted across the groups in order. The state tensors
        are returned as they are (not copied), as in PyTorch: save them or copy them before stepping again.
        """
        index_of: dict[int, int] = {}
        start = 0

        def pack_group(group: dict[str, Any]) -> dict[str, Any]:
            nonlocal start
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index_of.setdefault(id(p), i)
            packed["params"] = [index_of[id(p)] for p in group["params"]]
            start += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(index_of[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": packed_state, "param_groups": param_groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a ``state_dict()`` (ours or PyTorch's) into this optimizer, matching parameters by position.

        The groups must have the same sizes as this optimizer's. The saved hyper-parameters replace the
        current ones (so the saved learning rate wins: load the optimizer after creating its scheduler).
        State tensors are cast to their parameter's dtype with ``.to`` (``step`` keeps its own dtype), which
        keeps the very same tensor when the dtype matches, as PyTorch does: see ``_cast_state``.
        """
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for g, s in zip(groups, saved_groups):
            if len(g["params"]) != len(s["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size of optimizer's group"
                )
        param_of = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                            chain.from_iterable(g["params"] for g in groups)))

        state: defaultdict[Tensor, dict] = defaultdict(dict)
        for index, value in state_dict["state"].items():
            if index in param_of:
                param = param_of[index]
                state[param] = {key: _cast_state(param, key, v) for key, v in value.items()}
            else:
                state[index] = value

        for group, new_group in zip(groups, saved_groups):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
        self.__setstate__({"state": state, "param_groups": saved_groups})

    # pickling an optimizer keeps just its data (PyTorch does the same)
    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"


# ---------------------------------------------------------------------- helpers the optimizers share
def _cast_state(param: Tensor, key, value):
    """A loaded state value for ``param``, made as PyTorch makes it: a tensor goes through
    ``.to(param.dtype)`` (``step`` and the state of integer parameters stay as they are), and ``.to``
    returns the *same* tensor when the dtype already matches. So the optimizer shares the loaded
    tensors: load one live ``state_dict()`` into two optimizers and they step the same buffers (load a
    ``copy.deepcopy`` of it, or a saved file, to get independent ones)."""
    if isinstance(value, Tensor):
        if key != "step" and param.is_floating_point():
            return value.to(param.dtype)
        return value
    if isinstance(value, dict):
        return {k: _cast_state(param, k, v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, None, v) for v in value)
    return value


def _zeros_like(p: Tensor) -> Tensor:
    """A state buffer shaped like the parameter (same dtype), starting at zero."""
    return Tensor._make(np.zeros_like(p._data))


def _step_counter() -> Tensor:
    """The ``step`` entry of the Adam family's state: a 0-d float tensor, as PyTorch stores it."""
    dtype = np.float64 if _dtype.get_default_dtype() is _dtype.float64 else np.float32
    return Tensor._make(np.zeros((), dtype=dtype))


def _next_step(state: dict) -> float:
    """Count one more step in ``state['step']`` and return t as a Python float (so β^t is in double precision)."""
    state["step"]._data += 1
    return float(state["step"]._data)


def _weight_decay(theta: np.ndarray, g: np.ndarray, lr: float, weight_decay: float,
                  decoupled: bool = False) -> np.ndarray:
    """Apply weight decay λ: return g + λθ (an L2 penalty folded into the gradient, a new array), or, when
    ``decoupled`` (AdamW), shrink θ in place by γλθ and return g unchanged."""
    if weight_decay != 0:
        if decoupled:
            theta *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * theta
    return g


def _to_float(value) -> float:
    """A hyper-parameter as a Python float (a learning rate may be given as a one-element tensor)."""
    return float(value.item()) if isinstance(value, Tensor) else float(value)


def _check_lr(lr) -> None:
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def _check_betas(betas) -> None:
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")


def _check_adam_args(lr, eps, betas, weight_decay) -> None:
    """The Adam family's argument checks, in PyTorch's order (so the first bad one is the one named)."""
    _check_lr(lr)
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    _check_betas(betas)
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


def _check_not_supported(name: str, **flags) -> None:
    """PyTorch's accelerator flags: accepted so code and checkpoints carry over, but only False works here."""
    for flag, value in flags.items():
        if value:
            raise RuntimeError(
                f"{name}({flag}=True) is a PyTorch GPU/graph-capture option that edutorch does not implement; "
                f"leave {flag} at its default (edutorch always runs the plain for-loop update)."
            )
