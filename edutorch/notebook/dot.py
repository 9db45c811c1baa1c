"""``make_dot``: torchviz's picture of an autograd graph, for edutorch's graphs and PyTorch's alike.

Tutorials draw graphs with torchviz: ``make_dot(y, params=dict(model.named_parameters()),
show_saved=True)``. torchviz reads only what both libraries' graphs have (``type(fn).__name__``,
``fn.next_functions``, ``fn.variable`` on AccumulateGrad, the ``_saved_<name>`` attributes through
``dir(fn)``), so ``torchviz.make_dot(edutorch_tensor)`` draws edutorch's graph as it draws PyTorch's.
Two of its checks, though, ask for PyTorch's own class: ``params`` must hold ``torch.Tensor``s (an
``assert``) and a saved value is drawn only if ``torch.is_tensor`` says so. This ``make_dot`` makes the
same Graphviz graph (the same DOT source, node for node) with those two checks done by duck typing
(a tensor is anything with ``shape`` and ``grad_fn``), and never imports torch.

Colours, as in torchviz: grey boxes are backward nodes; blue, leaves that require grad (named from
``params``); orange, saved tensors; green, the output(s); dark green, the base of an output that is
a view. Needs the ``graphviz`` Python package (``pip install graphviz``) to build the graph, and
Graphviz's ``dot`` program only to render it.
"""
from __future__ import annotations

SAVED_PREFIX = "_saved_"


def _is_tensor(value) -> bool:
    return hasattr(value, "shape") and hasattr(value, "grad_fn")


def _size(shape) -> str:
    return "(" + ", ".join("%d" % n for n in shape) + ")"


def _node_label(fn, show_attrs: bool, max_attr_chars: int) -> str:
    """The node's class name, and with ``show_attrs`` a table of what it saved."""
    name = type(fn).__name__
    if not show_attrs:
        return name
    attrs = {}
    for attr in dir(fn):
        if attr.startswith(SAVED_PREFIX):
            value = getattr(fn, attr)
            if _is_tensor(value):
                text = "[saved tensor]"
            elif isinstance(value, tuple) and any(_is_tensor(t) for t in value):
                text = "[saved tensors]"
            else:
                text = str(value)
            attrs[attr[len(SAVED_PREFIX):]] = text
    if not attrs:
        return name
    width1 = max(len(k) for k in attrs)
    width2 = min(max(len(v) for v in attrs.values()), max(max_attr_chars, 3))
    cut = [(k, v if len(v) <= width2 else v[:width2 - 3] + "...") for k, v in attrs.items()]
    rows = "\n".join("%-*s: %*s" % (width1, k, width2, v) for k, v in cut)
    return name + "\n" + "-" * max(width1 + width2 + 2, len(name)) + "\n" + rows


def make_dot(var, params: dict | None = None, show_attrs: bool = False, show_saved: bool = False,
             max_attr_chars: int = 50):
    """The backward graph of ``var`` (a tensor or a tuple of tensors) as a ``graphviz.Digraph``.

    Args:
        var: the output tensor(s), edutorch's or PyTorch's.
        params: name -> tensor, to name the leaves (``dict(model.named_parameters())``).
        show_attrs: list each node's saved values in its box.
        show_saved: draw the tensors each node saved for backward (orange).
        max_attr_chars: longest attribute text shown with ``show_attrs``.

    ``dot.source`` is the DOT text; in Jupyter the graph shows itself (rendering needs Graphviz's
    ``dot`` program).
    """
    from graphviz import Digraph

    names = {id(v): k for k, v in (params or {}).items()}
    dot = Digraph(node_attr=dict(style="filled", shape="box", align="left", fontsize="10", ranksep="0.1",
                                 height="0.2", fontname="monospace"), graph_attr=dict(size="12,12"))
    seen: dict = {}  # id -> object: kept alive while drawing, so no id is reused

    def tensor_label(t, name: str | None = None) -> str:
        return "%s\n %s" % (name or names.get(id(t), ""), _size(t.shape))

    def add_saved(fn, t, name: str) -> None:
        dot.edge(str(id(fn)), str(id(t)), dir="none")
        dot.node(str(id(t)), tensor_label(t, name), fillcolor="orange")

    def add_nodes(fn) -> None:
        if id(fn) in seen:
            return
        seen[id(fn)] = fn
        if show_saved:
            for attr in dir(fn):
                if not attr.startswith(SAVED_PREFIX):
                    continue
                value = getattr(fn, attr)
                seen[id(value)] = value
                name = attr[len(SAVED_PREFIX):]
                if _is_tensor(value):
                    add_saved(fn, value, name)
                if isinstance(value, tuple):
                    for i, t in enumerate(value):
                        if _is_tensor(t):
                            add_saved(fn, t, f"{name}[{i}]")
        if hasattr(fn, "variable"):  # AccumulateGrad: the leaf it accumulates into
            leaf = fn.variable
            seen[id(leaf)] = leaf
            dot.node(str(id(leaf)), tensor_label(leaf), fillcolor="lightblue")
            dot.edge(str(id(leaf)), str(id(fn)))
        dot.node(str(id(fn)), _node_label(fn, show_attrs, max_attr_chars))
        for child, _ in getattr(fn, "next_functions", ()):
            if child is not None:
                dot.edge(str(id(child)), str(id(fn)))
                add_nodes(child)
        if hasattr(fn, "saved_tensors"):  # a custom Function's node
            for t in fn.saved_tensors:
                seen[id(t)] = t
                dot.edge(str(id(t)), str(id(fn)), dir="none")
                dot.node(str(id(t)), tensor_label(t), fillcolor="orange")

    def add_output(t, color: str = "darkolivegreen1") -> None:
        if id(t) in seen:
            return
        seen[id(t)] = t
        dot.node(str(id(t)), tensor_label(t), fillcolor=color)
        if t.grad_fn is not None:
            add_nodes(t.grad_fn)
            dot.edge(str(id(t.grad_fn)), str(id(t)))
        if t._is_view():
            add_output(t._base, color="darkolivegreen3")
            dot.edge(str(id(t._base)), str(id(t)), style="dotted")

    for t in (var if isinstance(var, tuple) else (var,)):
        add_output(t)
    # torchviz's resize: 0.15 inch per DOT statement, at least 12
    size = max(12, len(dot.body) * 0.15)
    dot.graph_attr.update(size=f"{size},{size}")
    return dot
