"""The notebook board: TensorBoard's dashboards for a logdir, drawn inside the notebook.

``%edutorch_board --logdir runs`` (see ``magic.py``) or ``show_board("runs")`` reads the event files
with ``EventReader`` (edutorch/utils/tensorboard/reader.py) and shows either

- a ``Board``: ipywidgets with run and tag selectors, scalar curves with TensorBoard's smoothing,
  images with a step slider, histograms over steps, Markdown text, the model graph, a refresh button
  and an auto-refresh thread, so curves grow while another cell trains; or
- where widgets cannot render (nbval, plain IPython, a terminal, ``text=True``): ``board_summary``,
  a deterministic text summary (runs, tags, step ranges, last values), and static matplotlib figures.

Everything the board draws comes from pure functions that tests and readers can call on their own:
``smooth`` (TensorBoard's debiased exponential moving average), ``match_tags``, ``rebin_histograms``,
``markdown_to_html``, ``board_summary``, ``plot_scalars``, ``plot_images``, ``plot_histograms``,
``plot_graph``.
"""
from __future__ import annotations

import fnmatch
import html
import os
import re
import shlex
import threading

import numpy as np

from ..utils.tensorboard.reader import EventReader
from .widgets.conv import _new_figure, figure_png
from .widgets.training import _running_in_kernel

__all__ = ["Board", "show_board", "board_summary", "smooth", "match_tags", "rebin_histograms", "markdown_to_html",
           "plot_scalars", "plot_images", "plot_histograms", "plot_graph", "tensorboard_hint", "nothing_found",
           "stop_all"]

#: What ``--kind`` accepts; "all" shows every dashboard that has data.
BOARD_KINDS = ("scalars", "images", "histograms", "text", "graph", "all")
#: TensorBoard's default smoothing weight.
DEFAULT_SMOOTHING = 0.6
_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf"]


# ------------------------------------------------------------------------------------ pure functions

def smooth(values, weight: float) -> np.ndarray:
    """TensorBoard's scalar smoothing: an exponential moving average, debiased.

    With ``last_0 = 0`` and ``n`` counting the finite values seen so far::

        last_n     = weight * last_(n-1) + (1 - weight) * value_n
        smoothed_n = last_n / (1 - weight ** n)          # (or last_n when weight == 1)

    Starting from 0 biases the average towards 0; dividing by ``1 - weight**n`` (the total weight
    given so far) removes that bias, so the first smoothed value equals the first value. Non-finite
    values (NaN, inf) are passed through and skipped, and a constant series is returned unchanged,
    both as TensorBoard's ``classicSmoothing`` does. ``weight`` is the slider's value, in [0, 1].
    """
    values = np.asarray(values, dtype=np.float64)
    weight = float(weight)
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"smoothing weight must be between 0 and 1 (TensorBoard's slider), got {weight}")
    out = values.copy()
    if values.size == 0 or np.all(values == values[0]):
        return out
    last, n = 0.0, 0
    for i, v in enumerate(values):  # a recurrence: each value depends on the previous one
        if np.isfinite(v):
            last = last * weight + (1 - weight) * v
            n += 1
            out[i] = last / (1.0 if weight == 1 else 1 - weight ** n)
    return out


def match_tags(tags, pattern: str | None) -> list:
    """The tags matching ``pattern``, in their order. None or "" keeps all tags.

    First as a glob matching the whole tag (``loss*``, ``*/weight``); if that matches nothing, as a
    regular expression searched anywhere in the tag, like TensorBoard's tag filter (``loss|acc``,
    ``fc[12]``). Trying the glob first keeps ``y*`` meaning "tags starting with y" (as a regular
    expression it would match every tag). An invalid regular expression matches nothing.
    """
    tags = list(tags)
    if not pattern:
        return tags
    globbed = [t for t in tags if fnmatch.fnmatchcase(t, pattern)]
    if globbed:
        return globbed
    try:
        regex = re.compile(pattern)
    except re.error:
        return []
    return [t for t in tags if regex.search(t)]


def rebin_histograms(histograms, bins: int = 30) -> tuple:
    """Histograms of several steps on common uniform bins, as TensorBoard's histogram dashboard does.

    Each stored bucket ``(left, right]`` (the first one starts at the histogram's ``min``, the last
    one is clipped at its ``max``, so the +-1e308 outer edges of TensorFlow's buckets disappear) gives
    its count to the new bins in proportion to the overlap; a bucket of zero width gives it all to the
    bin that contains it. Returns ``(edges, counts)``: ``bins + 1`` edges spanning the overall min and
    max, and a ``(len(histograms), bins)`` array of counts (each row sums to that histogram's count).
    """
    nonempty = [h for h in histograms if np.sum(h.bucket_counts) > 0]
    lo = min((h.min for h in nonempty), default=0.0)
    hi = max((h.max for h in nonempty), default=1.0)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, bins + 1)
    counts = np.zeros((len(histograms), bins))
    for row, h in enumerate(histograms):
        right = np.minimum(np.asarray(h.bucket_limits, dtype=np.float64), h.max)
        left = np.maximum(np.concatenate([[h.min], np.asarray(h.bucket_limits, dtype=np.float64)[:-1]]), h.min)
        c = np.asarray(h.bucket_counts, dtype=np.float64)
        keep = c > 0
        left, right, c = left[keep], np.maximum(right[keep], left[keep]), c[keep]
        # overlap of every stored bucket with every new bin: (buckets, bins)
        overlap = np.clip(np.minimum(right[:, None], edges[None, 1:]) - np.maximum(left[:, None], edges[None, :-1]),
                          0, None)
        width = right - left
        share = np.where(width[:, None] > 0, overlap / np.where(width > 0, width, 1)[:, None], 0.0)
        point = width <= 0  # all of a zero-width bucket goes into the bin holding it
        if point.any():
            idx = np.clip(np.searchsorted(edges, left[point], side="right") - 1, 0, bins - 1)
            share[np.flatnonzero(point), idx] = 1.0
        counts[row] = c @ share
    return edges, counts


_INLINE = [
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*(.+?)\*\*"), r"<b>\1</b>"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"<i>\1</i>"),
    (re.compile(r"(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)"), r"<i>\1</i>"),
    (re.compile(r"\[([^\]]+)\]\((https?://[^)\s&]+(?:&amp;[^)\s&]+)*)\)"), r'<a href="\2" target="_blank">\1</a>'),
]


def _inline(text: str) -> str:
    parts = re.split(r"(`[^`]+`)", html.escape(text, quote=True))  # no markup inside code spans
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append(f"<code>{part[1:-1]}</code>")
            continue
        for regex, repl in _INLINE[1:]:
            part = regex.sub(repl, part)
        out.append(part)
    return "".join(out)


def markdown_to_html(text: str) -> str:
    """A small, safe subset of Markdown as HTML (what the Text dashboard shows for ``add_text``).

    Everything is HTML-escaped first, so ``<script>`` in a logged string stays text; then: ``#``
    headings, fenced code blocks, ``-``/``*``/``1.`` lists, ``|`` tables, paragraphs, and inline
    ``code``, **bold**, *italic* and http(s) links. Anything else shows as plain text.
    """
    lines = str(text).replace("\r\n", "\n").split("\n")
    out: list = []
    para: list = []
    i = 0

    def flush_para():
        if para:
            out.append("<p>" + "<br>".join(_inline(p) for p in para) + "</p>")
            para.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            flush_para()
            code = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                code.append(lines[i])
                i += 1
            out.append("<pre><code>" + html.escape("\n".join(code)) + "</code></pre>")
        elif re.match(r"#{1,6}\s", stripped):
            flush_para()
            level = len(stripped) - len(stripped.lstrip("#"))
            out.append(f"<h{level}>{_inline(stripped[level:].strip())}</h{level}>")
        elif re.match(r"([-*+]|\d+\.)\s", stripped):
            flush_para()
            ordered = stripped[0].isdigit()
            items = []
            while i < len(lines) and re.match(r"([-*+]|\d+\.)\s", lines[i].strip()):
                items.append("<li>" + _inline(re.sub(r"^([-*+]|\d+\.)\s+", "", lines[i].strip())) + "</li>")
                i += 1
            tag = "ol" if ordered else "ul"
            out.append(f"<{tag}>" + "".join(items) + f"</{tag}>")
            continue
        elif stripped.startswith("|"):
            flush_para()
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-{2,}:?", c) for c in cells):  # skip the |---|---| line
                    rows.append(cells)
                i += 1
            body = "".join("<tr>" + "".join(f"<{'th' if r == 0 else 'td'}>{_inline(c)}</{'th' if r == 0 else 'td'}>"
                                            for c in cells) + "</tr>" for r, cells in enumerate(rows))
            out.append(f"<table>{body}</table>")
            continue
        elif not stripped:
            flush_para()
        else:
            para.append(stripped)
        i += 1
    flush_para()
    return "\n".join(out)


# --------------------------------------------------------------------------------------- text mode

def _g(v) -> str:
    """6 significant digits (``nan``, ``inf`` as Python spells them)."""
    return f"{float(v):.6g}"


def _steps(series) -> str:
    first, last = int(series.steps[0]), int(series.steps[-1])
    return f"step {first}" if len(series) == 1 else f"steps {first}..{last}"


def _last_value(series, smoothing: float) -> str:
    _step, _wall, value = series.last()
    if series.kind == "scalars":
        text = f"last {_g(value)}"
        if smoothing > 0 and len(series) > 1:
            text += f" (smoothed {_g(smooth(series.values, smoothing)[-1])})"
        return text
    if series.kind == "images":
        channels = {1: "grey", 2: "grey+alpha", 3: "RGB", 4: "RGBA"}.get(value.colorspace, "")
        return f"last {value.width}x{value.height}" + (f" {channels}" if channels else "")
    if series.kind == "histograms":
        mean = value.sum / value.num if value.num else float("nan")
        return f"last n={_g(value.num)} min={_g(value.min)} max={_g(value.max)} mean={_g(mean)}"
    if series.kind == "text":
        first_line = str(value).strip().split("\n")[0]
        return "last " + repr(first_line if len(first_line) <= 60 else first_line[:57] + "...")
    if isinstance(value, np.ndarray):
        return f"last shape {tuple(value.shape)}"
    return ""


def _graph_line(graph) -> str:
    ops: dict = {}
    for node in graph.nodes:
        ops[node.op] = ops.get(node.op, 0) + 1
    listed = ", ".join(f"{n} {op}" for op, n in sorted(ops.items(), key=lambda kv: (-kv[1], kv[0])))
    return f"{len(graph.nodes)} nodes: {listed}"


def _runs_and_kinds(kind: str) -> tuple:
    return BOARD_KINDS[:-1] if kind == "all" else (kind,)


def tensorboard_hint(logdir) -> str:
    """How to open ``logdir`` in the real TensorBoard (and what ``%tensorboard`` needs)."""
    d = shlex.quote(os.fspath(logdir))
    return "\n".join([
        f"To open the same logdir in TensorBoard:  tensorboard --logdir {d}",
        "  (on a remote machine add --bind_all and browse to http://<host>:6006, or forward port 6006 with ssh -L)",
        f"In Jupyter, `%load_ext tensorboard` then `%tensorboard --logdir {d}` needs the tensorboard package "
        "(pip install tensorboard); this board does not.",
    ])


def nothing_found(logdir) -> str:
    """The message for a logdir without event files: where we looked, what we expected, how to write some."""
    given = os.fspath(logdir)
    absolute = os.path.abspath(os.path.expanduser(given))
    if not os.path.exists(absolute):
        why = "That directory does not exist."
    elif os.path.isdir(absolute):
        why = "That directory exists but has no event files in it or in its subdirectories."
    else:
        why = "That path is a file, not an event file or a directory."
    return "\n".join([
        f"edutorch board: no event files found in {given!r} (searched {absolute}).",
        why,
        "Expected files named events.out.tfevents.* (any subdirectory is one run), written by "
        "SummaryWriter(log_dir=...), e.g.",
        "    from edutorch.utils.tensorboard import SummaryWriter",
        f"    with SummaryWriter({os.path.join(given, 'exp1')!r}) as writer:",
        "        for step in range(100):",
        "            writer.add_scalar('y=x^2', step ** 2, step)",
        "then run the board again (or press refresh). A writer still open may not have flushed yet: "
        "call writer.flush().",
    ])


def board_summary(runs, logdir=".", tags: str | None = None, kind: str = "all", smoothing: float = 0.0,
                  problems=(), hint: bool = True) -> str:
    """A deterministic text summary of ``runs`` (``{name: Run}``, e.g. ``read_events(logdir)``).

    One line per tag: kind, tag, number of points, step range and last value (scalars with 6
    significant digits, and the smoothed last value when ``smoothing > 0``); then the graph and the
    hparams of each run. No wall times or file names, so a notebook can compare it. ``tags`` filters
    tags (``match_tags``), ``kind`` keeps one dashboard. With no runs, ``nothing_found(logdir)``.
    """
    if kind not in BOARD_KINDS:
        raise ValueError(f"kind must be one of {', '.join(BOARD_KINDS)}; got {kind!r}")
    if not runs:
        return nothing_found(logdir) + ("\n" + tensorboard_hint(logdir) if hint else "")
    kinds = _runs_and_kinds(kind)
    # the filter decides glob-or-regex once, over the tags of all runs (as the widget board does)
    selected = {k: set(match_tags(sorted({t for r in runs.values() for t in r.tags(k)}), tags))
                for k in kinds if k != "graph"}
    rows_by_run = {}
    for name in sorted(runs):
        run = runs[name]
        rows = []
        for k in kinds:
            if k == "graph":
                if run.graph is not None:
                    rows.append(("graph", "", _graph_line(run.graph), "", ""))
                continue
            for tag in (t for t in run.tags(k) if t in selected[k]):
                s = run[tag]
                n = f"{len(s)} point" + ("s" if len(s) != 1 else "")
                rows.append((k, tag, n, _steps(s), _last_value(s, smoothing)))
        if kind == "all" and run.hparams:
            rows.append(("hparams", "", ", ".join(f"{k}={_g(v) if isinstance(v, float) else v}"
                                                  for k, v in sorted(run.hparams.items())), "", ""))
        rows_by_run[name] = rows
    n_tags = sum(1 for rows in rows_by_run.values() for r in rows if r[0] not in ("graph", "hparams"))
    what = "" if kind == "all" else f" {kind}"
    header = (f"edutorch board: {os.fspath(logdir)!r}: {len(runs)} run{'s' if len(runs) != 1 else ''}, "
              f"{n_tags}{what} tag{'s' if n_tags != 1 else ''}" + (f" matching {tags!r}" if tags else ""))
    lines = [header]
    all_rows = [r for rows in rows_by_run.values() for r in rows]
    widths = [max((len(r[c]) for r in all_rows if r[0] not in ("graph", "hparams")), default=0) for c in range(5)]
    for name, rows in rows_by_run.items():
        run = runs[name]
        lines.append(f"run {name!r} ({len(run.files)} event file{'s' if len(run.files) != 1 else ''})")
        if not rows:
            lines.append(f"  (no{what} data" + (f" matching {tags!r}" if tags else "") + ")")
        for k, tag, n, steps, last in rows:
            if k in ("graph", "hparams"):
                lines.append(f"  {k:<{widths[0]}}  {n}".rstrip())
            else:
                lines.append(f"  {k:<{widths[0]}}  {tag:<{widths[1]}}  {n:>{widths[2]}}  {steps:<{widths[3]}}  "
                             f"{last}".rstrip())
    if tags and n_tags == 0:
        available = sorted({t for run in runs.values() for k in kinds if k != "graph" for t in run.tags(k)})
        lines.append(f"no tag matches {tags!r}; tags: {', '.join(available) if available else '(none)'}")
    counts: dict = {}
    for _path, problem, _offset, _message in problems:
        counts[problem] = counts.get(problem, 0) + 1
    for problem, n in sorted(counts.items()):
        if problem == "truncated":
            lines.append(f"note: {n} incomplete last record(s) skipped (a writer may still be writing); "
                         "refresh to read them")
        else:
            lines.append(f"note: {n} {problem} record(s) skipped")
    if hint:
        lines.append(tensorboard_hint(logdir))
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ figures

def _grid(n: int, ncols: int) -> tuple:
    ncols = max(1, min(ncols, n))
    return -(-n // ncols), ncols


def run_colors(run_names) -> dict:
    """A fixed colour per run (by its place in the sorted list), so colours survive run selection."""
    return {name: _COLORS[i % len(_COLORS)] for i, name in enumerate(sorted(run_names))}


def plot_scalars(fig, runs: dict, tags, smoothing: float = DEFAULT_SMOOTHING, ncols: int = 3, colors=None):
    """One panel per tag, one colour per run: the raw values as a faint line (gid 'raw') and the
    smoothed values (``smooth``) as a solid line (gid 'smoothed'), as TensorBoard draws them."""
    fig.clear()
    tags = list(tags)
    colors = colors or run_colors(runs)
    if not tags:
        ax = fig.add_subplot(1, 1, 1)
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no scalars selected", ha="center", va="center")
        return fig
    nrows, ncols = _grid(len(tags), ncols)
    for k, tag in enumerate(tags):
        ax = fig.add_subplot(nrows, ncols, k + 1)
        for name, run in runs.items():
            if tag not in run or run[tag].kind != "scalars" or len(run[tag]) == 0:
                continue
            s = run[tag]
            color = colors.get(name, _COLORS[0])
            ax.plot(s.steps, s.values, color=color, alpha=0.25, linewidth=1, gid="raw")
            ax.plot(s.steps, smooth(s.values, smoothing), color=color, linewidth=1.5, gid="smoothed", label=name,
                    marker="o" if len(s) == 1 else None)
        ax.set_title(tag, fontsize=9)
        ax.set_xlabel("step", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        if len(runs) > 1 and ax.lines:
            ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def plot_images(fig, items, ncols: int = 4):
    """``items``: ``(title, Image)`` pairs, each drawn with ``imshow`` (nearest pixels, no axes)."""
    fig.clear()
    items = list(items)
    if not items:
        ax = fig.add_subplot(1, 1, 1)
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no image at this step", ha="center", va="center")
        return fig
    nrows, ncols = _grid(len(items), ncols)
    for k, (title, image) in enumerate(items):
        ax = fig.add_subplot(nrows, ncols, k + 1)
        pixels = image.to_array()
        ax.imshow(pixels[..., 0] if pixels.ndim == 3 and pixels.shape[2] == 1 else pixels,
                  cmap="gray" if pixels.ndim == 2 or pixels.shape[2] == 1 else None, interpolation="nearest",
                  vmin=0, vmax=255)
        ax.set_title(title, fontsize=8)
        ax.set_axis_off()
    fig.tight_layout()
    return fig


def plot_histograms(fig, series_by_run: dict, mode: str = "offset", bins: int = 30, max_steps: int = 30):
    """Histograms over steps, one panel per run (``series_by_run``: run -> histogram ``Series``).

    ``offset``: TensorBoard's default view, each step's density a filled ridge drawn higher up the
    further back in time it is (the newest in front, at the bottom); ``overlay``: all steps on one
    axis, coloured from old (light) to new (dark). At most ``max_steps`` steps, evenly spaced."""
    if mode not in ("offset", "overlay"):
        raise ValueError(f"mode must be 'offset' or 'overlay', got {mode!r}")
    import matplotlib

    fig.clear()
    panels = [(n, s) for n, s in series_by_run.items() if len(s)]
    if not panels:
        ax = fig.add_subplot(1, 1, 1)
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no histograms selected", ha="center", va="center")
        return fig
    for k, (name, series) in enumerate(panels):
        ax = fig.add_subplot(1, len(panels), k + 1)
        pick = np.unique(np.linspace(0, len(series) - 1, min(max_steps, len(series))).round().astype(int))
        steps = series.steps[pick]
        edges, counts = rebin_histograms([series.values[i] for i in pick], bins)
        centers = (edges[:-1] + edges[1:]) / 2
        density = counts / (edges[1] - edges[0])
        colors = matplotlib.colormaps["Oranges"]
        top = density.max() if density.size and density.max() > 0 else 1.0
        for j in range(len(pick)):  # oldest first, so newer ridges are drawn over older ones
            shade = colors(0.3 + 0.7 * (j + 1) / len(pick))
            if mode == "offset":
                base = (len(pick) - 1 - j) * 0.4  # older steps further up
                ax.fill_between(centers, base, base + density[j] / top, color=shade, alpha=0.8, linewidth=0,
                                gid="ridge")
                ax.plot(centers, base + density[j] / top, color="#7f3b08", linewidth=0.5, gid="ridge-edge")
            else:
                ax.plot(centers, density[j], color=shade, linewidth=1, gid="overlay")
        if mode == "offset":
            ticks = list(range(len(pick)))[::max(1, len(pick) // 5)]
            ax.set_yticks([(len(pick) - 1 - j) * 0.4 for j in ticks], [str(int(steps[j])) for j in ticks])
            ax.set_ylabel("step", fontsize=8)
        else:
            ax.set_ylabel("density", fontsize=8)
        ax.set_title(f"{name}: {series.tag}", fontsize=9)
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig


def graph_layout(graph) -> tuple:
    """The GraphDef as the nodes/edges/layout of ``widgets.graph`` (outputs at the bottom)."""
    from .widgets.graph import layered_layout

    index = {n.name: i for i, n in enumerate(graph.nodes)}
    nodes, edges = [], []
    for i, n in enumerate(graph.nodes):
        short = "/".join(n.name.split("/")[-2:])
        shape = n.output_shapes[0] if n.output_shapes and n.output_shapes[0] is not None else None
        shape_text = "" if shape is None else \
            "\n(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
        if n.op == "IO Node":
            kind = "output" if n.inputs else "leaf"
        else:
            kind = "leaf" if n.op == "Parameter" else "op"
        op = n.op.replace("aten::", "")
        label = f"{short}{shape_text}" if n.op in ("IO Node", "Parameter") else f"{short}\n{op}{shape_text}"
        nodes.append(dict(kind=kind, label=label, name=n.name))
        for inp in n.inputs:
            src = index.get(inp.split(":")[0].lstrip("^"))
            if src is not None and (i, src) not in edges:
                edges.append((i, src))  # (consumer, producer), as layered_layout wants
    return nodes, edges, layered_layout(len(nodes), edges)


def plot_graph(fig, graph):
    """The model graph of ``add_graph``, drawn like ``draw_graph``: parameters and the input at the
    top, ops in layers, the output at the bottom."""
    from .widgets.graph import draw_graph_figure

    fig.clear()
    ax = fig.add_subplot(1, 1, 1)
    if graph is None or not graph.nodes:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no graph in the selected runs", ha="center", va="center")
        return fig
    nodes, edges, layout = graph_layout(graph)
    width = max(len(o) for o in layout["order"])
    fig.set_size_inches(min(2.4 * width + 1, 16), min(0.9 * (int(layout["layer"].max()) + 1) + 0.8, 24))
    draw_graph_figure(ax, nodes, edges, layout)
    return fig


# ------------------------------------------------------------------------------------------ the board

_ACTIVE: list = []  # boards with an auto-refresh thread, so a re-run cell or stop_all() can end them


def stop_all() -> None:
    """Stop the auto-refresh of every board (also done by ``%unload_ext edutorch``)."""
    for board in list(_ACTIVE):
        board.stop()


class Board:
    """TensorBoard's dashboards for ``logdir`` as ipywidgets.

    Args:
        logdir: the directory of runs (each subdirectory with event files is a run).
        tags: a glob or regular expression keeping only matching tags (``match_tags``).
        smoothing: the starting value of the smoothing slider (TensorBoard's default, 0.6).
        kind: "all" or one of "scalars", "images", "histograms", "text", "graph".
        refresh: seconds between automatic reloads (None: only the refresh button).

    Controls: ``runs`` (multi-select), ``tag_filter``, ``refresh_button``, ``auto_refresh``; per
    dashboard ``scalar_tags`` + ``smoothing``, ``image_tag`` + ``image_step``, ``histogram_tag`` +
    ``histogram_mode``, ``text_tag``, ``graph_run``. Figures: ``figures[kind]``. ``refresh()`` reloads
    and redraws only the dashboards whose data changed (``draw_count`` counts redraws); ``stop()``
    ends auto-refresh, ``close()`` also closes the widgets.
    """

    def __init__(self, logdir="runs", tags: str | None = None, smoothing: float = DEFAULT_SMOOTHING,
                 kind: str = "all", refresh: float | None = None):
        import ipywidgets as W

        if kind not in BOARD_KINDS:
            raise ValueError(f"kind must be one of {', '.join(BOARD_KINDS)}; got {kind!r}")
        smooth([], smoothing)  # validates the weight
        self.logdir = os.fspath(logdir)
        self.kinds = _runs_and_kinds(kind)
        self.reader = EventReader(os.path.expanduser(self.logdir), warn=False)
        self.reader.reload()
        self.draw_count = {k: 0 for k in BOARD_KINDS[:-1]}  # redraws per dashboard
        self.refresh_count = 0
        self.figures = {"scalars": _new_figure(10, 3.2), "images": _new_figure(8, 3), "histograms": _new_figure(8, 3.5),
                        "graph": _new_figure(6, 6)}
        self._lock = threading.RLock()
        self._stop_event = threading.Event()
        self._thread: threading.Thread | None = None
        self._quiet = False  # set while options are rebuilt, so observers do not redraw midway
        self.errors: list = []

        self.status = W.HTML()
        names = sorted(self.reader.runs)
        self.runs = W.SelectMultiple(options=names, value=tuple(names), description="runs",
                                     rows=min(max(len(names), 2), 6))
        self.tag_filter = W.Text(value=tags or "", description="tags", placeholder="glob or regex, e.g. loss*")
        self.refresh_button = W.Button(description="refresh", icon="refresh")
        self.auto_refresh = W.Checkbox(value=False, description="auto-refresh every", indent=False)
        self.interval = W.BoundedFloatText(value=refresh or 5.0, min=0.05, max=3600, step=1, description="seconds")
        self.scalar_tags = W.SelectMultiple(options=[], description="scalars", rows=4)
        self.smoothing = W.FloatSlider(value=smoothing, min=0.0, max=0.999, step=0.001, readout_format=".3f",
                                       description="smoothing", continuous_update=False)
        self.scalar_image = W.Image(format="png")
        self.image_tag = W.Dropdown(options=[], description="image tag")
        self.image_step = W.SelectionSlider(options=[0], value=0, description="step", continuous_update=False)
        self.image_view = W.Image(format="png")
        self.histogram_tag = W.Dropdown(options=[], description="histogram")
        self.histogram_mode = W.ToggleButtons(options=["offset", "overlay"], value="offset")
        self.histogram_image = W.Image(format="png")
        self.text_tag = W.Dropdown(options=[], description="text tag")
        self.text_view = W.HTML()
        self.graph_run = W.Dropdown(options=[], description="run")
        self.graph_image = W.Image(format="png")
        self.graph_info = W.HTML()

        panels = {
            "scalars": W.VBox([W.HBox([self.scalar_tags, self.smoothing]), self.scalar_image]),
            "images": W.VBox([W.HBox([self.image_tag, self.image_step]), self.image_view]),
            "histograms": W.VBox([W.HBox([self.histogram_tag, self.histogram_mode]), self.histogram_image]),
            "text": W.VBox([self.text_tag, self.text_view]),
            "graph": W.VBox([self.graph_run, self.graph_info, self.graph_image]),
        }
        self.tabs = W.Tab(children=[panels[k] for k in self.kinds])
        for i, k in enumerate(self.kinds):
            self.tabs.set_title(i, k)
        self.widget = W.VBox([self.status, W.HBox([self.runs, W.VBox([self.tag_filter, W.HBox([
            self.refresh_button, self.auto_refresh, self.interval])])]), self.tabs])

        self._update_options()
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.auto_refresh.observe(self._on_auto, names="value")
        self.runs.observe(lambda _c: self._on_filter(), names="value")
        self.tag_filter.observe(lambda _c: self._on_filter(), names="value")
        for widget, what in ((self.scalar_tags, "scalars"), (self.smoothing, "scalars"), (self.image_tag, "images"),
                             (self.image_step, "images"), (self.histogram_tag, "histograms"),
                             (self.histogram_mode, "histograms"), (self.text_tag, "text"), (self.graph_run, "graph")):
            widget.observe(lambda _c, what=what: self._redraw([what]), names="value")
        self.image_tag.observe(lambda _c: self._update_image_steps(), names="value")
        self._redraw(self.kinds)
        if refresh:
            self.start(refresh)

    # --- data
    def selected_runs(self) -> dict:
        return {n: self.reader.runs[n] for n in self.runs.value if n in self.reader.runs}

    def _tags(self, kind: str) -> list:
        found = {t for run in self.selected_runs().values() for t in run.tags(kind)}
        return match_tags(sorted(found), self.tag_filter.value)

    def _set_options(self, widget, options, multi: bool = False) -> None:
        options = list(options)
        if list(widget.options) == options:
            return
        old = widget.value
        widget.options = options
        if multi:
            keep = tuple(v for v in old if v in options)
            widget.value = keep if keep or not options else tuple(options[:9])
        elif old in options:
            widget.value = old
        elif options:
            widget.value = options[0]

    def _update_options(self) -> None:
        """Runs and tags from the reader, keeping selections; new runs start selected."""
        self._quiet = True
        try:
            names = sorted(self.reader.runs)
            if list(self.runs.options) != names:
                new = [n for n in names if n not in self.runs.options]
                selected = tuple(n for n in names if n in self.runs.value or n in new)
                self.runs.options = names
                self.runs.value = selected
                self.runs.rows = min(max(len(names), 2), 6)
            self._set_options(self.scalar_tags, self._tags("scalars"), multi=True)
            self._set_options(self.image_tag, self._tags("images"))
            self._set_options(self.histogram_tag, self._tags("histograms"))
            self._set_options(self.text_tag, self._tags("text"))
            self._set_options(self.graph_run, [n for n, r in self.selected_runs().items() if r.graph is not None])
            self._update_image_steps()
        finally:
            self._quiet = False
        self._update_status()

    def _update_image_steps(self) -> None:
        tag = self.image_tag.value
        steps = sorted({int(s) for run in self.selected_runs().values() if tag in run for s in run[tag].steps}) or [0]
        if list(self.image_step.options) != steps:
            at_end = self.image_step.value == self.image_step.options[-1]
            quiet, self._quiet = self._quiet, True
            try:
                old = self.image_step.value
                self.image_step.options = steps
                self.image_step.value = steps[-1] if at_end or old not in steps else old  # follow the newest
            finally:
                self._quiet = quiet

    def _update_status(self) -> None:
        runs = self.reader.runs
        lines = [f"<b>edutorch board</b>: <code>{html.escape(self.logdir)}</code>: {len(runs)} run"
                 f"{'s' if len(runs) != 1 else ''}"]
        if not runs:
            lines = ["<pre>" + html.escape(nothing_found(self.logdir)) + "</pre>"]
        if self.reader.problems:
            lines.append(f"{len(self.reader.problems)} record(s) skipped: "
                         + html.escape("; ".join(f"{k} at byte {o} of {os.path.basename(p)}"
                                                 for p, k, o, _m in self.reader.problems[-3:])))
        if self.errors:
            lines.append("<span style='color:#c00'>" + html.escape(self.errors[-1]) + "</span>")
        lines.append("<small>" + html.escape(tensorboard_hint(self.logdir)).replace("\n", "<br>") + "</small>")
        self.status.value = "<br>".join(lines)

    # --- refresh
    def refresh(self) -> list:
        """Read what was written since the last call; redraw only the dashboards that changed.
        Returns the changed ``(run, tag)`` pairs."""
        self.refresh_count += 1
        with self._lock:
            changed = self.reader.reload()
            self._update_options()
            selected = set(self.runs.value)
            dirty = set()
            for run, tag in changed:
                if run not in selected:
                    continue
                if tag == "__graph__":
                    dirty.add("graph")
                elif tag in self.reader.runs[run]:
                    dirty.add(self.reader.runs[run][tag].kind)
            self._redraw([k for k in self.kinds if k in dirty])
            return changed

    def start(self, seconds: float | None = None) -> None:
        """Reload every ``seconds`` in a background thread (a daemon; ``stop()`` ends it)."""
        if seconds is not None:
            if seconds <= 0:
                raise ValueError(f"refresh interval must be > 0 seconds, got {seconds}")
            self.interval.value = seconds
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop_event.clear()
        self._thread = threading.Thread(target=self._loop, name=f"edutorch-board:{self.logdir}", daemon=True)
        self._thread.start()
        if self not in _ACTIVE:
            _ACTIVE.append(self)
        if not self.auto_refresh.value:
            self._quiet = True
            self.auto_refresh.value = True
            self._quiet = False

    def _loop(self) -> None:
        while not self._stop_event.wait(self.interval.value):
            try:
                self.refresh()
            except Exception as exc:  # a failing refresh must not die silently in a thread
                self.errors.append(f"auto-refresh stopped: {type(exc).__name__}: {exc}")
                self._update_status()
                self._stop_event.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop auto-refresh and wait for the thread to end."""
        self._stop_event.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        if self in _ACTIVE:
            _ACTIVE.remove(self)
        if self.auto_refresh.value:
            self._quiet = True
            self.auto_refresh.value = False
            self._quiet = False

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _on_auto(self, change) -> None:
        if self._quiet:
            return
        self.start() if change["new"] else self.stop()

    def _on_filter(self) -> None:
        """Runs or the tag filter changed: new tag lists, then redraw everything."""
        if self._quiet:
            return
        with self._lock:  # the refresh thread may be rebuilding the same options
            self._update_options()
            self._redraw(self.kinds)

    def close(self) -> None:
        """Stop auto-refresh and close every widget (ipywidgets keeps open widgets alive)."""
        self.stop()
        stack = [self.widget]
        while stack:
            w = stack.pop()
            stack.extend(getattr(w, "children", ()))
            w.close()

    # --- drawing
    def _redraw(self, kinds) -> None:
        if self._quiet:
            return
        with self._lock:
            for k in kinds:
                if k in self.kinds:
                    getattr(self, f"_draw_{k}")()
                    self.draw_count[k] += 1

    def _draw_scalars(self) -> None:
        runs = self.selected_runs()
        plot_scalars(self.figures["scalars"], runs, self.scalar_tags.value, self.smoothing.value,
                     colors=run_colors(self.reader.runs))
        self.scalar_image.value = figure_png(self.figures["scalars"])

    def image_items(self) -> list:
        """``(title, Image)`` of the chosen tag in each selected run at the chosen step (or the
        latest step before it)."""
        tag, step = self.image_tag.value, self.image_step.value
        items = []
        for name, run in self.selected_runs().items():
            if tag in run and len(run[tag]):
                s = run[tag]
                k = int(np.searchsorted(s.steps, step, side="right")) - 1
                if k >= 0:
                    items.append((f"{name} step {int(s.steps[k])}", s.values[k]))
        return items

    def _draw_images(self) -> None:
        self.image_view.value = figure_png(plot_images(self.figures["images"], self.image_items()))

    def _draw_histograms(self) -> None:
        tag = self.histogram_tag.value
        series = {n: r[tag] for n, r in self.selected_runs().items() if tag in r}
        plot_histograms(self.figures["histograms"], series, self.histogram_mode.value)
        self.histogram_image.value = figure_png(self.figures["histograms"])

    def _draw_text(self) -> None:
        tag = self.text_tag.value
        parts = []
        for name, run in self.selected_runs().items():
            if tag not in run:
                continue
            s = run[tag]
            for k in range(len(s) - 1, max(len(s) - 21, -1), -1):  # newest first, the last 20
                parts.append(f"<div style='border-top:1px solid #ddd;margin-top:4px'><small>{html.escape(name)} "
                             f"step {int(s.steps[k])}</small>{markdown_to_html(s.values[k])}</div>")
        self.text_view.value = "".join(parts) or "<i>no text in the selected runs</i>"

    def _draw_graph(self) -> None:
        run = self.reader.runs.get(self.graph_run.value)
        graph = run.graph if run is not None else None
        plot_graph(self.figures["graph"], graph)
        self.graph_info.value = "" if graph is None else html.escape(_graph_line(graph))
        self.graph_image.value = figure_png(self.figures["graph"])

    def summary(self) -> str:
        """The text-mode summary of the selected runs."""
        return board_summary(self.selected_runs(), self.logdir, self.tag_filter.value or None,
                             "all" if len(self.kinds) > 1 else self.kinds[0], self.smoothing.value,
                             self.reader.problems)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def __repr__(self) -> str:
        return f"Board({self.logdir!r}, runs={list(self.runs.value)}, auto_refresh={self.running})"


# ------------------------------------------------------------------------------------- entry point

def _kernel_can_show_figures() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def show_board(logdir="runs", tags: str | None = None, smoothing: float = DEFAULT_SMOOTHING, kind: str = "all",
               refresh: float | None = None, text: bool = False):
    """Show the board for ``logdir``: a ``Board`` in a live Jupyter kernel, otherwise (or with
    ``text=True``) print ``board_summary`` and display static figures when a notebook can show them.
    Returns the Board, or the printed summary."""
    if kind not in BOARD_KINDS:
        raise ValueError(f"kind must be one of {', '.join(BOARD_KINDS)}; got {kind!r}")
    smooth([], smoothing)
    if refresh is not None and refresh <= 0:
        raise ValueError(f"refresh interval must be > 0 seconds, got {refresh}")
    if not text and _running_in_kernel():
        from IPython.display import display

        for board in list(_ACTIVE):  # a re-run cell replaces its board's refresh thread
            if board.logdir == os.fspath(logdir):
                board.stop()
        board = Board(logdir, tags, smoothing, kind, refresh)
        display(board.widget)
        return board
    reader = EventReader(os.path.expanduser(os.fspath(logdir)), warn=False)
    reader.reload()
    runs = dict(sorted(reader.runs.items()))
    summary = board_summary(runs, logdir, tags, kind, smoothing, reader.problems)
    if refresh:
        summary += f"\n(--refresh {refresh:g} needs a live notebook; the text summary is printed once)"
    print(summary)
    if runs and _kernel_can_show_figures():
        from IPython.display import Image, display

        for fig in static_figures(runs, tags, kind, smoothing):  # PNGs: shown whatever the matplotlib backend
            display(Image(data=figure_png(fig)))
    return summary


def static_figures(runs: dict, tags: str | None = None, kind: str = "all", smoothing: float = DEFAULT_SMOOTHING):
    """The figures of text mode: scalars for kind "all"; the chosen dashboard otherwise."""
    figs = []
    want = ("scalars",) if kind == "all" else (kind,)
    tag_list = lambda k: match_tags(sorted({t for r in runs.values() for t in r.tags(k)}), tags)  # noqa: E731
    if "scalars" in want and tag_list("scalars"):
        n = len(tag_list("scalars"))
        figs.append(plot_scalars(_new_figure(10, 3 * -(-n // 3)), runs, tag_list("scalars"), smoothing))
    if "images" in want:
        for tag in tag_list("images"):
            items = [(f"{n}: {tag} step {int(r[tag].steps[-1])}", r[tag].values[-1])
                     for n, r in runs.items() if tag in r]
            figs.append(plot_images(_new_figure(8, 3), items))
    if "histograms" in want:
        for tag in tag_list("histograms"):
            figs.append(plot_histograms(_new_figure(8, 3.5), {n: r[tag] for n, r in runs.items() if tag in r}))
    if "graph" in want:
        for run in runs.values():
            if run.graph is not None:
                figs.append(plot_graph(_new_figure(6, 6), run.graph))
    return figs
