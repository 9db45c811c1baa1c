"""Attention weights as heatmaps: which keys each query looks at, per layer and per head.

Attention weights are a table: row i (a query position) is a probability distribution over the key
positions j. A model with several attention layers and heads has one such table per layer, head and
batch item, so the numbers are arrays shaped (batch, heads, query_len, key_len), one per layer.

- ``capture_attention(model, *inputs, **kwargs)``: run ``model(*inputs, **kwargs)`` once with hooks
  on every ``nn.MultiheadAttention`` inside it and return their weights, one (batch, heads, L, S)
  array per module. The forward pre-hook asks each module for ``need_weights=True,
  average_attn_weights=False`` (``nn.TransformerEncoderLayer`` calls its ``self_attn`` with
  ``need_weights=False``), the forward hook keeps the second output. Works on edutorch and PyTorch
  models (on PyTorch, attached hooks also switch off the fused inference fast path, which would
  skip ``self_attn``).
- ``attention_figure(weights, tokens, layer=, head=, query=)``: the heatmap of one layer and head with
  the tokens on the axes, the chosen query row framed, and that row's weights as a bar plot. Returns
  a matplotlib Figure (what the tests and a static notebook use).
- ``AttentionViewer(weights, tokens)``: the same picture with a layer and a head dropdown and a query
  slider (``AttentionViewer.from_model(model, x, tokens=...)`` captures the weights first).

Weights may be NumPy arrays or tensors of either engine (edutorch or PyTorch): they are converted with
``.detach().cpu().numpy()``, duck-typed, so this module never imports an engine.
"""
from __future__ import annotations

import html
import io
from typing import Any, Sequence

import numpy as np

__all__ = ["capture_attention", "as_attention_weights", "attention_figure", "AttentionViewer"]


# ------------------------------------------------------------------------------------- data

def _to_numpy(value: Any) -> np.ndarray:
    """A tensor of either engine (or anything array-like) as a float NumPy array, without a copy when possible."""
    if hasattr(value, "detach"):
        value = value.detach()
        if hasattr(value, "cpu"):
            value = value.cpu()
        value = value.numpy()
    return np.asarray(value, dtype=np.float32)


def as_attention_weights(weights: Any) -> list[np.ndarray]:
    """Attention weights as a list with one float32 array (batch, heads, query_len, key_len) per layer.

    ``weights`` is one array/tensor or a list (or tuple) of them, one per layer. Each may be
    (query_len, key_len) (one head), (heads, query_len, key_len) or (batch, heads, query_len, key_len).
    A (batch, query_len, key_len) result of ``MultiheadAttention`` with the default
    ``average_attn_weights=True`` is ambiguous: index the batch first (``w[0]``) or ask for
    ``average_attn_weights=False``.
    """
    if weights is None:
        raise TypeError("attention weights are None: call MultiheadAttention with need_weights=True (or use "
                        "capture_attention(model, x), which asks for them)")
    layers = list(weights) if isinstance(weights, (list, tuple)) else [weights]
    if not layers:
        raise ValueError("no attention weights: the list of layers is empty (did the model contain an "
                         "nn.MultiheadAttention, and did it run?)")
    out = []
    for i, w in enumerate(layers):
        if w is None:
            raise TypeError(f"the attention weights of layer {i} are None: that module ran with "
                            f"need_weights=False")
        a = _to_numpy(w)
        if a.ndim < 2 or a.ndim > 4:
            raise ValueError(f"the attention weights of layer {i} have shape {tuple(a.shape)}: expected "
                             f"(query_len, key_len), (heads, query_len, key_len) or "
                             f"(batch, heads, query_len, key_len)")
        if 0 in a.shape:
            raise ValueError(f"the attention weights of layer {i} have shape {tuple(a.shape)}: an empty "
                             f"dimension leaves nothing to draw")
        out.append(a.reshape((1,) * (4 - a.ndim) + a.shape))
    return out


def _labels(tokens: Sequence | None, n: int, what: str, layer: int) -> list[str]:
    if tokens is None:
        return [str(i) for i in range(n)]
    if isinstance(tokens, str):
        tokens = list(tokens)  # one character per position, the usual case of a character model
    labels = [_shown(t) for t in tokens]
    if len(labels) != n:
        raise ValueError(f"{len(labels)} {what} labels for layer {layer}, whose weights have {n} {what} "
                         f"positions: give one label per position")
    return labels


def _shown(token: Any) -> str:
    """A label that stays visible on an axis: spaces and newlines become symbols."""
    text = str(token)
    return {" ": "␣", "\n": "↵", "\t": "⇥", "": "∅"}.get(text, text)


def capture_attention(model, *inputs, **kwargs) -> list[np.ndarray]:
    """The attention weights of every ``nn.MultiheadAttention`` in ``model`` during ``model(*inputs, **kwargs)``.

    Returns a list (in ``model.modules()`` order, i.e. layer by layer) of float32 arrays shaped
    (batch, heads, query_len, key_len); an unbatched call gives batch 1. The hooks are removed
    afterwards, also when the model raises. The weights are the ones the model actually used, with
    its masks applied; the model's output is not changed (run it under ``no_grad`` to save memory).
    """
    modules = [m for m in model.modules() if _is_multihead_attention(m)]
    if not modules:
        raise ValueError(f"{type(model).__name__} contains no nn.MultiheadAttention: nothing to capture. "
                         f"Pass the weights to attention_figure / AttentionViewer directly instead")
    captured: dict[int, Any] = {}

    def ask_for_weights(module, args, kwargs):
        kwargs = dict(kwargs)
        kwargs["need_weights"] = True
        kwargs["average_attn_weights"] = False
        return args, kwargs

    def keep(index):
        def hook(module, args, output):
            captured[index] = output[1]
        return hook

    handles = []
    try:
        for i, m in enumerate(modules):
            handles.append(m.register_forward_pre_hook(ask_for_weights, with_kwargs=True))
            handles.append(m.register_forward_hook(keep(i)))
        model(*inputs, **kwargs)
    finally:
        for h in handles:
            h.remove()
    missing = [i for i in range(len(modules)) if i not in captured]
    if missing:
        raise RuntimeError(f"the attention module(s) {missing} (of {len(modules)}) did not run during the "
                           f"forward pass: are they part of model.forward?")
    weights = [_to_numpy(captured[i]) for i in range(len(modules))]
    return [w[None] if w.ndim == 3 else w for w in weights]  # unbatched: (heads, L, S) -> (1, heads, L, S)


def _is_multihead_attention(module) -> bool:
    # by name, so that PyTorch's nn.MultiheadAttention is recognised without importing torch
    return any(cls.__name__ == "MultiheadAttention" for cls in type(module).__mro__)


# ------------------------------------------------------------------------------------- picture

def _new_figure(width: float, height: float):
    """A matplotlib Figure with an Agg canvas, outside pyplot (no global figure list, works headless)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def _figure_png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
    return buf.getvalue()


def _select(layers: list[np.ndarray], layer: int, head, batch: int) -> np.ndarray:
    """The (query_len, key_len) table of one layer, head (or 'mean' over heads) and batch item."""
    if not 0 <= layer < len(layers):
        raise IndexError(f"layer {layer} out of range: there are {len(layers)} layer(s) of weights")
    w = layers[layer]
    b, h = w.shape[:2]
    if not 0 <= batch < b:
        raise IndexError(f"batch item {batch} out of range: layer {layer} has a batch of {b}")
    if head == "mean":
        return w[batch].mean(axis=0)
    if not isinstance(head, (int, np.integer)) or not 0 <= head < h:
        raise IndexError(f"head {head!r} out of range: layer {layer} has {h} head(s) (0..{h - 1}, or 'mean')")
    return w[batch, head]


def draw_attention(fig, table: np.ndarray, keys: list[str], queries: list[str], query: int | None,
                   title: str) -> None:
    """Draw ``table`` (query_len, key_len) on ``fig``: heatmap with labels, the query row framed, its bars."""
    from matplotlib.patches import Rectangle

    fig.clear()
    L, S = table.shape
    if query is None:
        ax = fig.add_subplot(1, 1, 1)
    else:
        grid = fig.add_gridspec(1, 2, width_ratios=[1.15, 1.0], wspace=0.35)
        ax = fig.add_subplot(grid[0])
        bars = fig.add_subplot(grid[1])
    top = max(float(np.nanmax(table)), 1e-12) if np.isfinite(table).any() else 1.0
    image = ax.imshow(np.ma.masked_invalid(table), cmap="viridis", vmin=0.0, vmax=top, interpolation="nearest",
                      aspect="auto")
    image.set_gid("weights")
    small = 9 if max(L, S) <= 24 else 6
    ax.set_xticks(range(S))
    ax.set_xticklabels(keys, fontsize=small, rotation=90 if max(len(k) for k in keys) > 2 else 0)
    ax.set_yticks(range(L))
    ax.set_yticklabels(queries, fontsize=small)
    if max(L, S) > 48:  # too many labels to read: every 4th
        ax.set_xticks(range(0, S, 4))
        ax.set_xticklabels(keys[::4], fontsize=small)
        ax.set_yticks(range(0, L, 4))
        ax.set_yticklabels(queries[::4], fontsize=small)
    ax.set_xlabel("key (attended to)", fontsize=9)
    ax.set_ylabel("query (attending)", fontsize=9)
    ax.set_title(title, fontsize=9)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.02)
    if query is None:
        return
    ax.add_patch(Rectangle((-0.5, query - 0.5), S, 1, fill=False, edgecolor="#ff3030", linewidth=2, gid="query"))
    row = np.nan_to_num(table[query])
    drawn = bars.bar(range(S), row, color="#3b6fb6")
    for rect in drawn:
        rect.set_gid("bar")
    best = int(np.argmax(row)) if S else 0
    drawn[best].set_color("#ff3030")
    bars.set_xticks(range(S))
    bars.set_xticklabels(keys, fontsize=small, rotation=90 if max(len(k) for k in keys) > 2 else 0)
    if S > 48:
        bars.set_xticks(range(0, S, 4))
        bars.set_xticklabels(keys[::4], fontsize=small)
    bars.set_ylim(0, max(1.0, float(row.max()) * 1.05))
    bars.set_ylabel("weight", fontsize=9)
    bars.set_title(f"query {query} ({queries[query]!s}): weights sum to {float(np.nansum(table[query])):.3g}",
                   fontsize=9)


def attention_figure(weights, tokens: Sequence | None = None, query_tokens: Sequence | None = None,
                     layer: int = 0, head: int | str = 0, query: int | None = None, batch: int = 0, fig=None):
    """One attention table as a matplotlib Figure (returned; not drawn by pyplot).

    Args:
        weights: see ``as_attention_weights``: one array/tensor or a list per layer.
        tokens: labels of the key positions (a string gives one character each). Default: 0, 1, 2, ...
        query_tokens: labels of the query positions. Default: ``tokens`` (self-attention).
        layer, head, batch: which table; ``head='mean'`` averages over the heads.
        query: a query position to frame and to draw as a bar plot of its weights; ``None``: heatmap only.

    The heatmap is ``fig.axes[0].images[0]`` (its array is the table); the bars (gid ``"bar"``) are in
    ``fig.axes[2]`` (``fig.axes[1]`` is the colour bar).
    """
    layers = as_attention_weights(weights)
    table = _select(layers, layer, head, batch)
    L, S = table.shape
    keys = _labels(tokens, S, "key", layer)
    queries = _labels(query_tokens if query_tokens is not None else (tokens if L == S else None), L, "query", layer)
    if query is not None and not 0 <= query < L:
        raise IndexError(f"query {query} out of range: layer {layer} has {L} query positions (0..{L - 1})")
    if fig is None:
        fig = _new_figure(9.5 if query is not None else 5.0, 4.2)
    head_text = "mean over heads" if head == "mean" else f"head {head}"
    draw_attention(fig, table, keys, queries, query, f"layer {layer}, {head_text}")
    return fig


# ------------------------------------------------------------------------------------- widget

class AttentionViewer:
    """Pick a layer, a head and a query position; see the attention heatmap and the query's weights.

    ``viewer = AttentionViewer(weights, tokens); viewer`` (last line of a cell) shows it; or
    ``AttentionViewer.from_model(model, x, tokens=...)`` to capture the weights of a model first.
    Controls (ipywidgets, so code and tests can set them): ``layer`` and ``head`` dropdowns (``head``
    includes 'mean'), ``query`` slider, ``batch`` slider (shown for a batch of more than one).
    State after every change: ``table`` (the (query_len, key_len) array drawn), ``figure``,
    ``image`` (its PNG) and ``info`` (the keys the query attends to most).
    """

    def __init__(self, weights, tokens: Sequence | None = None, query_tokens: Sequence | None = None,
                 layer: int = 0, head: int | str = 0, query: int | None = None, batch: int = 0, top: int = 5):
        import ipywidgets as W

        self.weights = as_attention_weights(weights)
        self.tokens, self.query_tokens, self.top = tokens, query_tokens, top
        for i in range(len(self.weights)):  # validate every layer's labels now, not on the first switch
            self._labels(i)
        self.table = np.zeros((0, 0), dtype=np.float32)
        self.layer = W.Dropdown(options=[(f"layer {i}", i) for i in range(len(self.weights))], value=0,
                                description="layer")
        self.head = W.Dropdown(options=self._head_options(0), value=0, description="head")
        self.query = W.IntSlider(0, 0, 0, description="query", continuous_update=False)
        self.batch = W.IntSlider(0, 0, 0, description="batch", continuous_update=False)
        self.info = W.HTML()
        self.image = W.Image(format="png")
        self.figure = _new_figure(9.5, 4.2)
        self._setting = False
        self.layer.observe(self._on_layer, names="value")
        for control in (self.head, self.query, self.batch):
            control.observe(lambda change: None if self._setting else self._redraw(), names="value")
        self.widget = W.VBox([W.HBox([self.layer, self.head]), W.HBox([self.query, self.batch]),
                              self.image, self.info])
        self._setting = True
        try:
            self.layer.value = layer
            self._fit_controls()
            self.head.value = head
            self.batch.value = batch
            self.query.value = self.query.max if query is None else query  # the last query sees every key
        finally:
            self._setting = False
        self._redraw()

    @classmethod
    def from_model(cls, model, *inputs, tokens: Sequence | None = None, query_tokens: Sequence | None = None,
                   **kwargs) -> "AttentionViewer":
        """Capture the weights of ``model(*inputs)`` (see ``capture_attention``) and view them.

        Keyword arguments other than ``tokens``/``query_tokens`` go to ``AttentionViewer`` when it
        takes them (layer, head, query, batch, top), otherwise to the model."""
        own = {k: kwargs.pop(k) for k in ("layer", "head", "query", "batch", "top") if k in kwargs}
        return cls(capture_attention(model, *inputs, **kwargs), tokens, query_tokens, **own)

    # --- helpers
    def _labels(self, layer: int) -> tuple[list[str], list[str]]:
        L, S = self.weights[layer].shape[2:]
        keys = _labels(self.tokens, S, "key", layer)
        queries = _labels(self.query_tokens if self.query_tokens is not None
                          else (self.tokens if L == S else None), L, "query", layer)
        return keys, queries

    def _head_options(self, layer: int) -> list:
        heads = self.weights[layer].shape[1]
        return [(f"head {h}", h) for h in range(heads)] + [("mean of heads", "mean")]

    def _fit_controls(self) -> None:
        """Adjust the head options and the slider ranges to the current layer."""
        w = self.weights[self.layer.value]
        options = self._head_options(self.layer.value)
        if list(self.head.options) != options:
            keep = self.head.value if self.head.value in [v for _, v in options] else 0
            self.head.options = options
            self.head.value = keep
        self.query.max = w.shape[2] - 1
        self.batch.max = w.shape[0] - 1
        self.batch.layout.display = "" if w.shape[0] > 1 else "none"

    # --- reactions
    def _on_layer(self, change) -> None:
        if self._setting:
            return
        self._setting = True
        try:
            self._fit_controls()
        finally:
            self._setting = False
        self._redraw()

    def set(self, **values) -> "AttentionViewer":
        """Set several controls at once (one redraw): ``viewer.set(layer=1, head=2, query=7)``."""
        self._setting = True
        try:
            if "layer" in values:
                self.layer.value = values.pop("layer")
                self._fit_controls()
            for name, value in values.items():
                getattr(self, name).value = value
        finally:
            self._setting = False
        self._redraw()
        return self

    def _redraw(self) -> None:
        layer, head, query, batch = self.layer.value, self.head.value, self.query.value, self.batch.value
        self.table = _select(self.weights, layer, head, batch)
        keys, queries = self._labels(layer)
        head_text = "mean over heads" if head == "mean" else f"head {head}"
        draw_attention(self.figure, self.table, keys, queries, query,
                       f"layer {layer}, {head_text}" + (f", batch item {batch}" if self.weights[layer].shape[0] > 1
                                                        else ""))
        row = np.nan_to_num(self.table[query])
        order = np.argsort(-row, kind="stable")[: self.top]
        parts = [f"<code>{html.escape(keys[j])}</code> (key {j}) {row[j]:.2f}" for j in order]
        self.info.value = (f"query {query} <code>{html.escape(queries[query])}</code> attends most to: "
                           + ", ".join(parts))
        self.image.value = _figure_png(self.figure)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
