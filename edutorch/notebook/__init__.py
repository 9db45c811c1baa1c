"""``edutorch.notebook``: tools for looking inside edutorch from a notebook.

Everything PyTorch-compatible lives in ``edutorch`` itself; this package holds what only edutorch can
offer, such as showing the source code behind an op.
"""
from __future__ import annotations

import inspect


def source_of(obj) -> str:
    """The edutorch source code behind ``obj``.

    ``obj`` may be a function or class (``torch.add``, ``torch.Tensor.backward``), or a graph node
    (``y.grad_fn``), for which the op's ``Function`` class (forward and backward side by side) is shown.
    """
    target = getattr(obj, "_fn", None) or obj  # a graph node made by a Function -> that Function
    if not (inspect.isclass(target) or inspect.isfunction(target) or inspect.ismethod(target)):
        target = type(target)
    return inspect.getsource(target)


def show_source(obj) -> None:
    """Print ``source_of(obj)``: read the op you just ran."""
    print(source_of(obj))


# The widgets (ipywidgets and matplotlib are imported only when one is built).
from .widgets import (  # noqa: E402
    ConvPlayground, GraphView, TrainingMonitor, class_activation_map, conv_gallery, draw_graph, feature_maps,
    show_feature_maps, summary,
)
from .widgets.attention import AttentionViewer, attention_figure, capture_attention  # noqa: E402
from .board import Board, board_summary, show_board  # noqa: E402  (the %edutorch_board dashboard)
from .dot import make_dot  # noqa: E402  (torchviz's graph picture, for edutorch and PyTorch graphs)
