"""The convolution playground: where a kernel sits, which cells it reads, what it computes.

Everything is built from pure functions on square sizes (one axis is enough: a 2-D window is the
product of a row window and a column window), so tests and readers can call them without a notebook:

- ``conv_geometry(input_size, kernel_size, stride, padding, dilation, transposed, output_padding)``
  and ``pool_geometry(...)``: output size, the drawn grid ("canvas": the input with its padding ring,
  and for a transposed convolution the zeros inserted between input cells), the canvas positions every
  output cell reads, the output-size formula with the values plugged in, and whether the combination is
  valid (and why not).
- ``playground_numbers(geometry, x, weight)``: the output computed by the engine itself
  (``F.conv2d``, ``F.conv_transpose2d``, ``F.max_pool2d``, ``F.avg_pool2d``) plus the values on the
  canvas, so the sum written under the picture can be checked against it.
- ``draw_conv(ax, ...)`` draws one picture; ``ConvPlayground`` wires sliders to it and
  ``conv_gallery()`` draws every case of Dumoulin & Visin's "A guide to convolution arithmetic".

Transposed convolution is drawn as that guide explains it: ``conv_transpose2d`` with stride s, padding p
and dilation d equals an ordinary stride-1 convolution with the kernel flipped, over the input with
s - 1 zeros inserted between its cells and padded by d*(k - 1) - p zeros on each side (plus
``output_padding`` extra zeros at the bottom and right).
"""
from __future__ import annotations

import io

import numpy as np

from ._engine import engine_name

# The 3x3 kernel of lesson 07 (the input there is arange(25) as a 5x5 grid).
LESSON_KERNEL = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]], dtype=np.float32)

# Every animation of "A guide to convolution arithmetic for deep learning" (Dumoulin & Visin, 2016).
GALLERY_CASES = [
    dict(name="no padding, no strides", input_size=4, kernel_size=3),
    dict(name="arbitrary padding, no strides", input_size=5, kernel_size=4, padding=2),
    dict(name="half padding, no strides", input_size=5, kernel_size=3, padding=1),
    dict(name="full padding, no strides", input_size=5, kernel_size=3, padding=2),
    dict(name="no padding, strides", input_size=5, kernel_size=3, stride=2),
    dict(name="padding, strides", input_size=5, kernel_size=3, stride=2, padding=1),
    dict(name="padding, strides (odd)", input_size=6, kernel_size=3, stride=2, padding=1),
    dict(name="dilation", input_size=7, kernel_size=3, dilation=2),
    dict(name="no padding, no strides, transposed", input_size=2, kernel_size=3, transposed=True),
    dict(name="arbitrary padding, no strides, transposed", input_size=6, kernel_size=4, padding=2,
         transposed=True),
    dict(name="half padding, no strides, transposed", input_size=5, kernel_size=3, padding=1,
         transposed=True),
    dict(name="full padding, no strides, transposed", input_size=7, kernel_size=3, padding=2,
         transposed=True),
    dict(name="no padding, strides, transposed", input_size=2, kernel_size=3, stride=2, transposed=True),
    dict(name="padding, strides, transposed", input_size=3, kernel_size=3, stride=2, padding=1,
         transposed=True),
    dict(name="padding, strides (odd), transposed", input_size=3, kernel_size=3, stride=2, padding=1,
         output_padding=1, transposed=True),
]


def default_input(input_size: int) -> np.ndarray:
    """0, 1, 2, ... in a square grid: for 5 this is the 5x5 example of lesson 07."""
    return np.arange(input_size * input_size, dtype=np.float32).reshape(input_size, input_size)


def default_kernel(kernel_size: int) -> np.ndarray:
    """The lesson's 3x3 kernel; other sizes get small integers 0, 1, 2, 0, 1, ... (easy sums)."""
    if kernel_size == 3:
        return LESSON_KERNEL.copy()
    return (np.arange(kernel_size * kernel_size) % 3).astype(np.float32).reshape(kernel_size, kernel_size)


# ------------------------------------------------------------------------------------- geometry

def _checked_ints(**values) -> None:
    for name, v in values.items():
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
            raise TypeError(f"{name} must be an int (the playground draws square sizes), got {v!r}")


def conv_geometry(input_size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1,
                  transposed: bool = False, output_padding: int = 0) -> dict:
    """Where every output cell of a (square) convolution reads from, as a dict.

    Keys: the arguments; ``kind`` ('conv' or 'conv_transpose'); ``span`` = d*(k-1)+1, the cells one
    kernel covers; ``output_size``; ``valid`` and ``reason`` (why not, naming the sizes);
    ``formula`` (the output-size formula with the values plugged in); ``canvas_size`` (the drawn grid);
    ``pad_before`` / ``pad_after`` (zeros drawn around the input); ``input_index`` (canvas index of
    each input row/column); ``windows`` (for each output row/column, the canvas indices of the k kernel
    taps along that axis); ``positions`` (for each output cell in row-major order, the list of its
    k*k (row, col) canvas cells); ``flip_kernel`` (True for transposed: the equivalent convolution uses
    the kernel rotated by 180 degrees).
    """
    _checked_ints(input_size=input_size, kernel_size=kernel_size, stride=stride, padding=padding,
                  dilation=dilation, output_padding=output_padding)
    H, k, s, p, d, op = input_size, kernel_size, stride, padding, dilation, output_padding
    geo = dict(kind="conv_transpose" if transposed else "conv", input_size=H, kernel_size=k, stride=s,
               padding=p, dilation=d, transposed=bool(transposed), output_padding=op, ceil_mode=False,
               span=d * (k - 1) + 1, flip_kernel=bool(transposed))
    reason = _basic_reason(H, k, s, p, d)
    if transposed:
        out = (H - 1) * s - 2 * p + d * (k - 1) + op + 1
        geo["formula"] = (f"H_out = (H − 1)·s − 2p + d·(k − 1) + output_padding + 1 = ({H} − 1)·{s} − 2·{p} "
                          f"+ {d}·({k} − 1) + {op} + 1 = {out}")
        if not reason and op >= max(s, d):
            reason = (f"output_padding ({op}) must be smaller than either stride ({s}) or dilation ({d}): "
                      "it only picks one of the input sizes a strided convolution maps to the same size")
        if not reason and out < 1:
            reason = (f"the output would have {out} cells: padding {p} crops more than the "
                      f"({H} − 1)·{s} + {d}·({k} − 1) + 1 = {out + 2 * p - op} cells a transposed "
                      "convolution produces")
        # The equivalent direct convolution: zeros inserted, then padded by P = d(k-1) - p per side.
        zero_inserted = (H - 1) * s + 1 if H > 0 else 0
        P = d * (k - 1) - p
        before, after = max(P, 0), max(P + op, 0)
        input_index = [before + a * s for a in range(H)]
        # Output o reads padded cells o + u*d, i.e. zero-inserted cells o + u*d - P.
        windows = [[before + o + u * d - P for u in range(k)] for o in range(max(out, 0))]
        canvas = before + zero_inserted + after
        geo.update(zero_inserted_size=zero_inserted, equivalent_padding=P)
    else:
        span = d * (k - 1) + 1
        out = (H + 2 * p - span) // s + 1 if s > 0 else 0
        geo["formula"] = (f"H_out = ⌊(H + 2p − d·(k − 1) − 1) / s⌋ + 1 = ⌊({H} + 2·{p} − {d}·({k} − 1) − 1) "
                          f"/ {s}⌋ + 1 = {out}")
        if not reason and span > H + 2 * p:
            what = f"kernel ({k}×{k}" + (f", dilated to span {d}·({k} − 1) + 1 = {span}" if d > 1 else "")
            reason = (f"{what}) is larger than the padded input ({H} + 2·{p} = {H + 2 * p}): no position "
                      "fits. Use a smaller kernel or dilation, or more padding.")
        if not reason and op:
            reason = "output_padding only applies to transposed convolutions"
        before = after = p
        input_index = [p + a for a in range(H)]
        windows = [[o * s + u * d for u in range(k)] for o in range(max(out, 0))]
        canvas = H + 2 * p
    geo.update(output_size=out, valid=not reason, reason=reason, canvas_size=canvas, pad_before=before,
               pad_after=after, input_index=input_index, windows=windows if not reason else [])
    geo["positions"] = _positions(geo["windows"])
    return geo


def pool_geometry(input_size: int, kernel_size: int, stride: int | None = None, padding: int = 0,
                  dilation: int = 1, ceil_mode: bool = False, mode: str = "max") -> dict:
    """``conv_geometry`` for max or average pooling (``mode`` 'max' / 'avg'), with ``ceil_mode``.

    With ``ceil_mode`` a last, partial window is kept when it starts inside the input or the left
    padding, so windows may reach past the padded input: ``canvas_size`` then grows to hold them and
    ``outside_from`` is the first canvas index that is neither input nor padding.
    """
    stride = kernel_size if stride is None else stride
    _checked_ints(input_size=input_size, kernel_size=kernel_size, stride=stride, padding=padding,
                  dilation=dilation)
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    H, k, s, p, d = input_size, kernel_size, stride, padding, dilation
    span = d * (k - 1) + 1
    geo = dict(kind=f"{mode}_pool", input_size=H, kernel_size=k, stride=s, padding=p, dilation=d,
               transposed=False, output_padding=0, ceil_mode=bool(ceil_mode), span=span, flip_kernel=False)
    reason = _basic_reason(H, k, s, p, d)
    rounding, bracket = ("⌈", "⌉") if ceil_mode else ("⌊", "⌋")
    if s > 0:
        n = H + 2 * p - span
        out = (-(-n // s) if ceil_mode else n // s) + 1
    else:
        out = 0
    dropped = ceil_mode and out > 0 and (out - 1) * s >= H + p  # would start in the right padding
    formula = (f"H_out = {rounding}(H + 2p − d·(k − 1) − 1) / s{bracket} + 1 = {rounding}({H} + 2·{p} − "
               f"{d}·({k} − 1) − 1) / {s}{bracket} + 1 = {out}")
    if dropped:
        out -= 1
        formula += f" − 1 = {out} (the last window would start in the right padding)"
    geo["formula"] = formula
    if not reason and mode == "avg" and d != 1:
        reason = "avg_pool2d has no dilation argument (only max pooling dilates its window)"
    if not reason and p > span // 2:
        reason = (f"padding ({p}) should be at most half of the effective kernel size ({span}): "
                  "otherwise a window could see nothing but padding")
    if not reason and out < 1:
        reason = (f"the window ({span} cells) is larger than the padded input ({H} + 2·{p} = {H + 2 * p}): "
                  "output size is too small")
    windows = [[o * s + u * d for u in range(k)] for o in range(max(out, 0))] if not reason else []
    last = max([w[-1] + 1 for w in windows], default=0)
    geo.update(output_size=out, valid=not reason, reason=reason, canvas_size=max(H + 2 * p, last),
               pad_before=p, pad_after=p, input_index=[p + a for a in range(H)], windows=windows,
               outside_from=H + 2 * p)
    geo["positions"] = _positions(windows)
    return geo


def _basic_reason(H, k, s, p, d) -> str:
    for name, v, low in (("input size", H, 1), ("kernel size", k, 1), ("stride", s, 1), ("dilation", d, 1),
                         ("padding", p, 0)):
        if v < low:
            return f"{name} must be at least {low}, got {v}"
    return ""


def _positions(windows) -> list:
    """All output cells in row-major order, each the list of (row, col) canvas cells it reads."""
    return [[(r, c) for r in rows for c in cols] for rows in windows for cols in windows]


def output_cell(geometry: dict, step: int) -> tuple:
    """(row, col) of output cell number ``step`` (row-major order, as the Play control walks them)."""
    n = geometry["output_size"]
    return divmod(int(step), n)


# ------------------------------------------------------------------------------ numbers (engine)

def playground_numbers(geometry: dict, x=None, weight=None, engine=None) -> dict:
    """Input, kernel, the canvas of values the kernel slides over, and the engine's output.

    ``output`` is computed by ``engine`` (a library module: edutorch, the default, or ``torch``) with its
    own F.conv2d / F.conv_transpose2d / F.max_pool2d / F.avg_pool2d on ``x`` (default
    ``default_input``); ``canvas`` holds what the equivalent sliding
    window sees: the input, zeros for padding and inserted zeros (-inf around max pooling), NaN for
    cells beyond the padded input (ceil_mode). ``kernel_on_canvas`` is the kernel as the sliding window
    uses it (flipped for transposed convolutions). For an invalid geometry ``output`` is None and
    ``engine_error`` holds what the engine raised.
    """
    if engine is None:
        import edutorch as engine
    F = engine.nn.functional

    H, k = geometry["input_size"], geometry["kernel_size"]
    x = default_input(max(H, 0)) if x is None else np.asarray(x, dtype=np.float32)
    pooling = geometry["kind"].endswith("pool")
    w = None if pooling else (default_kernel(k) if weight is None else np.asarray(weight, dtype=np.float32))
    result = dict(input=x, kernel=w, output=None, engine_error="")
    if H < 1 or k < 1:
        result["engine_error"] = geometry["reason"]
        return result
    xt = engine.tensor(x[None, None])
    g = geometry
    try:
        if g["kind"] == "conv":
            out = F.conv2d(xt, engine.tensor(w[None, None]), stride=g["stride"], padding=g["padding"],
                           dilation=g["dilation"])
        elif g["kind"] == "conv_transpose":
            out = F.conv_transpose2d(xt, engine.tensor(w[None, None]), stride=g["stride"],
                                     padding=g["padding"], output_padding=g["output_padding"],
                                     dilation=g["dilation"])
        elif g["kind"] == "max_pool":
            out = F.max_pool2d(xt, g["kernel_size"], g["stride"], g["padding"], g["dilation"], g["ceil_mode"])
        else:
            out = F.avg_pool2d(xt, g["kernel_size"], g["stride"], g["padding"], g["ceil_mode"])
        result["output"] = out.numpy()[0, 0]
    except (RuntimeError, ValueError, TypeError) as error:
        result["engine_error"] = str(error)
    if g["valid"]:
        result["canvas"] = _canvas_values(g, x)
        result["kernel_on_canvas"] = None if w is None else (w[::-1, ::-1] if g["flip_kernel"] else w)
    return result


def _canvas_values(g: dict, x: np.ndarray) -> np.ndarray:
    fill = -np.inf if g["kind"] == "max_pool" else 0.0
    canvas = np.full((g["canvas_size"],) * 2, fill, dtype=np.float32)
    if "outside_from" in g:
        canvas[g["outside_from"]:, :] = np.nan
        canvas[:, g["outside_from"]:] = np.nan
    idx = np.asarray(g["input_index"])
    if len(idx):
        # Transposed convolutions with padding > d(k-1) crop the input: keep the part on the canvas.
        keep = (idx >= 0) & (idx < g["canvas_size"])
        canvas[np.ix_(idx[keep], idx[keep])] = x[np.ix_(keep, keep)]
    return canvas


def window_value(geometry: dict, numbers: dict, step: int) -> tuple:
    """The value of output cell ``step`` recomputed from the canvas, and the sum written out.

    Convolutions: sum of canvas * kernel over the k*k taps ("0·0 + 1·1 + ... = 67"). Pooling: the max
    or the mean of the window (average pooling divides by the window cells inside the padded input,
    as count_include_pad=True does). Returns (value, text).
    """
    g = geometry
    cells = g["positions"][step]
    vals = np.array([numbers["canvas"][r, c] for r, c in cells], dtype=np.float64)
    if g["kind"].startswith("conv"):
        weights = numbers["kernel_on_canvas"].reshape(-1).astype(np.float64)
        value = float((vals * weights).sum())
        terms = " + ".join(f"{_fmt(v)}·{_fmt(w)}" for v, w in zip(vals, weights))
        return value, f"{terms} = {_fmt(value)}"
    inside = vals[~np.isnan(vals)]
    if g["kind"] == "max_pool":
        value = float(inside.max())
        return value, f"max({', '.join(_fmt(v) for v in inside)}) = {_fmt(value)}"
    value = float(inside.sum() / len(inside))
    return value, f"({' + '.join(_fmt(v) for v in inside)}) / {len(inside)} = {_fmt(value)}"


def _fmt(v: float) -> str:
    if np.isneginf(v):
        return "−∞"
    return str(int(v)) if float(v).is_integer() else f"{v:.4g}"


# ------------------------------------------------------------------------------------- drawing

_COLORS = dict(input="#5b9bd5", pad="#ffffff", zero="#eef3f8", outside="#f2f2f2", tap="#1f3864",
               out="#8fd9cf", current="#138d75", done="#c9eee8")


def draw_conv(ax, geometry: dict, numbers: dict | None = None, step: int | None = 0,
              show_numbers: bool = True, title: str | None = None) -> None:
    """Draw the canvas (input, padding ring, inserted zeros) on the left and the output on the right.

    The kernel footprint of output cell ``step`` is shaded on the canvas and that output cell is
    highlighted; output numbers are written for the cells computed so far. Every rectangle carries a
    gid ('input', 'pad', 'zero', 'outside', 'tap', 'out', 'current') so tests can count them.
    """
    from matplotlib.patches import Rectangle

    g = geometry
    ax.set_axis_off()
    ax.set_aspect("equal")
    if title is not None:
        ax.set_title(title, fontsize=9)
    if not g["valid"]:
        ax.text(0.5, 0.5, "invalid:\n" + g["reason"], ha="center", va="center", wrap=True, fontsize=9,
                color="#a00000", transform=ax.transAxes, gid="reason")
        return
    C, n = g["canvas_size"], g["output_size"]
    canvas = None if numbers is None else numbers.get("canvas")
    inputs = set(g["input_index"])
    outside = g.get("outside_from", C)
    fs = max(5, 11 - C // 2)
    for r in range(C):
        for c in range(C):
            if r >= outside or c >= outside:
                kind = "outside"
            elif r in inputs and c in inputs:
                kind = "input"
            elif g["pad_before"] <= r < C - g["pad_after"] and g["pad_before"] <= c < C - g["pad_after"]:
                kind = "zero"  # a zero inserted between input cells (transposed convolution)
            else:
                kind = "pad"
            ax.add_artist(Rectangle((c - 0.5, r - 0.5), 1, 1, facecolor=_COLORS[kind], edgecolor="#7f7f7f",
                                   linestyle="-" if kind == "input" else "--", linewidth=0.8, gid=kind))
            if show_numbers and canvas is not None and kind != "outside":
                ax.text(c, r, _fmt(canvas[r, c]), ha="center", va="center", fontsize=fs,
                        color="white" if kind == "input" else "#9a9a9a", gid="value")
    # output grid to the right of the canvas, vertically centred
    x0, y0 = C + 1, (C - n) / 2
    if step is not None and n > 0:
        step = min(max(int(step), 0), n * n - 1)
        kernel = None if numbers is None else numbers.get("kernel_on_canvas")
        for t, (r, c) in enumerate(g["positions"][step]):
            ax.add_artist(Rectangle((c - 0.5, r - 0.5), 1, 1, facecolor=_COLORS["tap"], alpha=0.35,
                                   edgecolor=_COLORS["tap"], linewidth=1.5, gid="tap"))
            if show_numbers and kernel is not None:
                ax.text(c + 0.42, r + 0.42, _fmt(kernel.reshape(-1)[t]), ha="right", va="bottom",
                        fontsize=max(4, fs - 3), color="#1f3864", gid="weight")
    out = None if numbers is None else numbers.get("output")
    for i in range(n):
        for j in range(n):
            idx = i * n + j
            kind = "current" if idx == step else "out"
            face = _COLORS[kind] if kind == "current" or step is None or idx > step else _COLORS["done"]
            ax.add_artist(Rectangle((x0 + j - 0.5, y0 + i - 0.5), 1, 1, facecolor=face, edgecolor="#4d4d4d",
                                   linewidth=1.0, gid=kind))
            if show_numbers and out is not None and (step is None or idx <= step):
                ax.text(x0 + j, y0 + i, _fmt(out[i, j]), ha="center", va="center", fontsize=fs,
                        color="white" if kind == "current" else "black", gid="output")
    ax.set_xlim(-0.7, x0 + n - 0.3)
    ax.set_ylim(max(C, y0 + n) - 0.3, min(-0.7, y0 - 0.7))


def _new_figure(width: float, height: float):
    """A matplotlib Figure with an Agg canvas, outside pyplot (no global figure list, works headless)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def figure_png(fig) -> bytes:
    """The figure rendered as PNG bytes (what the widgets put into an ipywidgets.Image)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
    return buf.getvalue()


def conv_gallery(cases=None, ncols: int = 4, show_numbers: bool = False, step: int | None = 0):
    """All the convolution-arithmetic cases as one static figure (each at output cell ``step``).

    ``cases`` defaults to ``GALLERY_CASES``: no padding/no strides, arbitrary, half and full padding,
    strides, padded strides, odd padded strides, dilation, and the transposed forms. Returns the
    matplotlib Figure (display it, or ``fig.savefig``).
    """
    cases = GALLERY_CASES if cases is None else cases
    nrows = -(-len(cases) // ncols)
    fig = _new_figure(3.4 * ncols, 2.4 * nrows)
    for i, case in enumerate(cases):
        case = dict(case)
        name = case.pop("name", "")
        geo = conv_geometry(**case)
        ax = fig.add_subplot(nrows, ncols, i + 1)
        numbers = playground_numbers(geo)
        draw_conv(ax, geo, numbers, step=step, show_numbers=show_numbers,
                  title=f"{name}\ni={geo['input_size']} k={geo['kernel_size']} s={geo['stride']} "
                        f"p={geo['padding']}" + (f" d={geo['dilation']}" if geo["dilation"] > 1 else "")
                        + (f" a={geo['output_padding']}" if geo["output_padding"] else "")
                        + f" → o={geo['output_size']}")
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.93, wspace=0.1, hspace=0.45)
    return fig


# ------------------------------------------------------------------------------------- the widget

class ConvPlayground:
    """Sliders for a square convolution or pooling, drawn with the engine's own numbers.

    ``pg = ConvPlayground(); pg`` (last line of a cell) shows it. Controls (all ipywidgets, so code and
    tests can set them): ``input_size``, ``kernel_size``, ``stride``, ``padding``, ``dilation``,
    ``output_padding`` sliders, ``transposed`` and ``ceil_mode`` checkboxes, ``mode`` ('conv', 'max',
    'avg'), ``example`` (the gallery cases), ``step`` (which output cell) driven by the ``play`` control.
    State after every change: ``geometry`` (see ``conv_geometry``), ``numbers`` (see
    ``playground_numbers``), ``figure`` (matplotlib), ``info`` (the formula and the current sum).
    ``engine`` is the library that computes the output: edutorch (default) or ``torch``
    (``ConvPlayground(engine=torch)``: the same picture with PyTorch's numbers).
    """

    def __init__(self, input_size: int = 5, kernel_size: int = 3, stride: int = 1, padding: int = 0,
                 dilation: int = 1, transposed: bool = False, output_padding: int = 0, mode: str = "conv",
                 ceil_mode: bool = False, x=None, weight=None, engine=None):
        import ipywidgets as W

        if engine is None:
            import edutorch as engine
        self.engine = engine

        self._x, self._weight = x, weight
        if x is not None:
            input_size = int(np.asarray(x).shape[-1])
        if weight is not None:
            kernel_size = int(np.asarray(weight).shape[-1])
        style = dict(continuous_update=False)
        self.input_size = W.IntSlider(input_size, 1, 9, description="input", **style)
        self.kernel_size = W.IntSlider(kernel_size, 1, 7, description="kernel", **style)
        self.stride = W.IntSlider(stride, 1, 4, description="stride", **style)
        self.padding = W.IntSlider(padding, 0, 4, description="padding", **style)
        self.dilation = W.IntSlider(dilation, 1, 3, description="dilation", **style)
        self.output_padding = W.IntSlider(output_padding, 0, 3, description="output_pad", **style)
        self.transposed = W.Checkbox(transposed, description="transposed")
        self.ceil_mode = W.Checkbox(ceil_mode, description="ceil_mode")
        self.mode = W.ToggleButtons(options=[("conv", "conv"), ("max pool", "max"), ("avg pool", "avg")],
                                    value=mode, description="mode")
        self.example = W.Dropdown(options=[("(custom)", -1)] + [(c["name"], i) for i, c in
                                                                enumerate(GALLERY_CASES)],
                                  value=-1, description="example")
        self.step = W.IntSlider(0, 0, 0, description="output cell")
        self.play = W.Play(value=0, min=0, max=0, interval=700, description="play")
        W.link((self.play, "value"), (self.step, "value"))
        self.info = W.HTML()
        self.image = W.Image(format="png")
        self.figure = _new_figure(7.5, 4.2)
        self.geometry: dict = {}
        self.numbers: dict = {}

        self._setting = False
        for control in (self.input_size, self.kernel_size, self.stride, self.padding, self.dilation,
                        self.output_padding, self.transposed, self.ceil_mode, self.mode):
            control.observe(self._on_settings, names="value")
        self.step.observe(lambda change: None if self._setting else self._redraw(), names="value")
        self.example.observe(self._on_example, names="value")
        self.widget = W.VBox([
            W.HBox([self.mode, self.example]),
            W.HBox([W.VBox([self.input_size, self.kernel_size, self.stride]),
                    W.VBox([self.padding, self.dilation, self.output_padding]),
                    W.VBox([self.transposed, self.ceil_mode])]),
            W.HBox([self.play, self.step]),
            self.image, self.info,
        ])
        self._update()

    # --- reactions
    def _on_settings(self, change) -> None:
        if not self._setting:
            self.example.value = -1  # the settings no longer match a gallery case
            self._update()

    def _on_example(self, change) -> None:
        if change["new"] < 0:
            return
        case = GALLERY_CASES[change["new"]]
        self.set(mode="conv", input_size=case["input_size"], kernel_size=case["kernel_size"],
                 stride=case.get("stride", 1), padding=case.get("padding", 0), dilation=case.get("dilation", 1),
                 transposed=case.get("transposed", False), output_padding=case.get("output_padding", 0),
                 ceil_mode=False, _keep_example=True)

    def set(self, _keep_example: bool = False, **values) -> "ConvPlayground":
        """Set several controls at once (one redraw): ``pg.set(input_size=6, stride=2)``."""
        self._setting = True
        try:
            for name, value in values.items():
                getattr(self, name).value = value
        finally:
            self._setting = False
        if not _keep_example:
            self.example.value = -1
        self._update()
        return self

    def _update(self) -> None:
        mode = self.mode.value
        if mode == "conv":
            self.geometry = conv_geometry(self.input_size.value, self.kernel_size.value, self.stride.value,
                                          self.padding.value, self.dilation.value, self.transposed.value,
                                          self.output_padding.value if self.transposed.value else 0)
        else:
            self.geometry = pool_geometry(self.input_size.value, self.kernel_size.value, self.stride.value,
                                          self.padding.value, self.dilation.value, self.ceil_mode.value, mode)
        self.transposed.disabled = self.output_padding.disabled = mode != "conv"
        self.ceil_mode.disabled = mode == "conv"
        x = self._x if self._x is not None and np.asarray(self._x).shape[-1] == self.input_size.value else None
        w = self._weight if (self._weight is not None
                             and np.asarray(self._weight).shape[-1] == self.kernel_size.value) else None
        self.numbers = playground_numbers(self.geometry, x, w, self.engine)
        last = max(self.geometry["output_size"], 0) ** 2 - 1 if self.geometry["valid"] else 0
        self._setting, was = True, self._setting
        try:
            self.step.max = self.play.max = max(last, 0)
            self.step.value = min(self.step.value, self.step.max)
        finally:
            self._setting = was
        self._redraw()

    def _redraw(self) -> None:
        g, num = self.geometry, self.numbers
        fig = self.figure
        fig.clear()
        ax = fig.add_subplot(1, 1, 1)
        step = self.step.value
        draw_conv(ax, g, num, step=step, show_numbers=True)
        lines = [f"<b>{g['formula']}</b>"]
        if g["valid"]:
            i, j = output_cell(g, step)
            value, text = window_value(g, num, step)
            lines.append(f"out[{i}, {j}] = {text}")
            if g["kind"] == "conv_transpose":
                lines.append(f"transposed = stride-1 convolution with the flipped kernel over the input with "
                             f"{g['stride'] - 1} zero(s) between cells, padded by d·(k − 1) − p = "
                             f"{g['equivalent_padding']}" + (f" (+{g['output_padding']} bottom/right)"
                                                             if g["output_padding"] else ""))
            if num["output"] is not None:
                where = _engine_name(g) if engine_name(self.engine) == "edutorch" else \
                    f"{engine_name(self.engine)} {_engine_name(g)}"
                lines.append(f"engine ({where}): out[{i}, {j}] = {_fmt(num['output'][i, j])}")
        else:
            lines.append(f"<span style='color:#a00000'>invalid: {g['reason']}</span>")
            if num["engine_error"]:
                lines.append(f"{engine_name(self.engine)} says: <code>{num['engine_error']}</code>")
        self.info.value = "<br>".join(lines)
        self.image.value = figure_png(fig)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def _engine_name(g: dict) -> str:
    return {"conv": "F.conv2d", "conv_transpose": "F.conv_transpose2d", "max_pool": "F.max_pool2d",
            "avg_pool": "F.avg_pool2d"}[g["kind"]]
