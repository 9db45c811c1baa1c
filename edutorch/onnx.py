"""``edutorch.onnx``: exporting to ONNX is not part of edutorch.

``torch.onnx.export(model, args, "model.onnx")`` captures the model's computation as a graph and writes
it in the ONNX format for other runtimes. edutorch runs eagerly (Python + NumPy, op by op) and has no
such graph capture, so ``export`` raises a ``RuntimeError`` that says how to switch. ``import
edutorch.onnx`` works, so a script that imports it still runs up to the call.
"""
from __future__ import annotations


def export(model, args=(), f=None, **kwargs):
    """Raises ``RuntimeError``: edutorch cannot export a model to ONNX."""
    raise RuntimeError(
        "edutorch runs eagerly (Python + NumPy, op by op) and cannot export a model to ONNX. "
        "To export, switch the import to `import torch` (pip install torch onnx onnxscript): the same "
        "model code runs there, and torch.save(model.state_dict(), path) files written by edutorch "
        "load into it."
    )
