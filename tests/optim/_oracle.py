"""Shared by the optim tests: one small objective, trained the same way in edutorch and in PyTorch.

Each library computes its own gradients with its own autograd, from the same starting values, so a
trajectory test compares the whole pipeline (backward + update rule) step by step.
"""
from __future__ import annotations

import numpy as np

import edutorch

W0 = np.array([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]], dtype=np.float32)
B0 = np.array([0.2, -0.4, 1.1], dtype=np.float32)
U0 = np.array([3.0, -3.0], dtype=np.float32)  # takes no part in the loss: its grad stays None


def is_edutorch(lib) -> bool:
    return lib is edutorch


def make_params(lib, dtype: str = "float32") -> list:
    """Three fresh leaf parameters ``[w (2x3), b (3,), u (2,)]`` with the same values in either library."""
    if is_edutorch(lib):
        return [edutorch.nn.Parameter(edutorch.tensor(a.astype(dtype))) for a in (W0, B0, U0)]
    return [lib.nn.Parameter(lib.tensor(a.astype(dtype))) for a in (W0, B0, U0)]


def objective(w, b, sign: float = 1.0):
    """A Rosenbrock-style curved valley: Σ(1 - w)² + 2 Σ(b - w²)² (b broadcast over w's rows)."""
    return (((1 - w) ** 2).sum() + 2.0 * ((b - w * w) ** 2).sum()) * sign


def train(lib, params, opt, steps: int, sign: float = 1.0, scheduler=None) -> list[list[np.ndarray]]:
    """``steps`` training steps; returns the parameter values after each one."""
    history = []
    for _ in range(steps):
        opt.zero_grad()
        objective(params[0], params[1], sign).backward()
        opt.step()
        if scheduler is not None:
            scheduler.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history


def to_torch(obj, torch):
    """An edutorch state_dict (nested dicts/lists of tensors) with every tensor turned into a torch tensor."""
    if isinstance(obj, edutorch.Tensor):
        return torch.from_numpy(np.array(obj.detach().numpy(), copy=True))
    if isinstance(obj, dict):
        return {k: to_torch(v, torch) for k, v in obj.items()}
    if isinstance(obj, list):
        return [to_torch(v, torch) for v in obj]
    return obj


def to_edutorch(obj, torch):
    """A torch state_dict with every tensor turned into an edutorch tensor."""
    if isinstance(obj, torch.Tensor):
        return edutorch.from_numpy(obj.detach().numpy().copy())
    if isinstance(obj, dict):
        return {k: to_edutorch(v, torch) for k, v in obj.items()}
    if isinstance(obj, list):
        return [to_edutorch(v, torch) for v in obj]
    return obj


def describe_state(state_dict: dict) -> dict:
    """The structure of an optimizer state_dict: per index, each entry's kind, dtype name and shape."""
    out = {}
    for index, entries in state_dict["state"].items():
        out[index] = {key: (type(v).__name__ if not hasattr(v, "dtype") else "tensor",
                            str(getattr(v, "dtype", "")).replace("torch.", ""),
                            tuple(getattr(v, "shape", ())))
                      for key, v in entries.items()}
    return out
