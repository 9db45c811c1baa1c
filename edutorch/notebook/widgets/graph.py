"""The autograd graph, drawn: ``draw_graph(loss, params=dict(model.named_parameters()))``.

Three pure steps, each callable on its own:

1. ``graph_nodes(tensor, params, show_saved)`` walks ``tensor.grad_fn`` through ``next_functions`` and
   returns the nodes (the output tensor, one per backward node named as PyTorch names it, one
   ``AccumulateGrad`` per leaf with the parameter's name and shape, optionally the saved tensors) and
   the edges between them.
2. ``layered_layout(num_nodes, edges)`` places them in layers (Sugiyama's method, in NumPy): a node's
   layer is the longest path to it from the output, edges that skip layers get invisible waypoints,
   and a few barycenter sweeps reorder each layer to reduce edge crossings. Deterministic: ties keep
   the order in which the nodes were found.
3. ``draw_graph_figure(ax, nodes, edges, layout, ...)`` draws boxes and arrows with matplotlib.

``GraphView`` adds the interaction: pick a node to read its next_functions, the shapes of its forward
inputs and outputs (the engine keeps them on every node, see autograd/function.py) and, after
backward, the gradients that flowed through it (captured with ``node.register_hook``); and step
through backward in the order the engine ran the nodes (autograd/graph.py, ``run_backward``).
Arrows point the way the forward pass went (inputs to the op that used them), gradients flow against
them.

PyTorch's graphs are drawn the same way: both libraries' nodes have ``next_functions``, ``name()``,
``register_hook``, ``variable`` (AccumulateGrad) and ``_saved_<name>`` attributes (``_saved_self``,
``_saved_result``: what the node keeps for backward). Only the forward shapes are read differently
(edutorch's ``_input_meta`` / ``_output_meta``, PyTorch's ``_input_metadata``).
"""
from __future__ import annotations

import html
import weakref

import numpy as np

from .conv import _new_figure, figure_png

_FILL = dict(output="#d9ead3", op="#f3f3f3", leaf="#cfe2f3", saved="#fff2cc")


def _shape(shape) -> str:
    return "(" + ", ".join(str(int(n)) for n in shape) + ("," if len(shape) == 1 else "") + ")"


# ---------------------------------------------------------------------------------- 1. the nodes

def graph_nodes(tensor, params: dict | None = None, show_saved: bool = False) -> tuple:
    """The nodes and edges of the backward graph of ``tensor`` (or a list of tensors).

    Returns ``(nodes, edges)``. Each node is a dict: ``kind`` ('output', 'op', 'leaf', 'saved'),
    ``label`` (what the box says), ``name`` (``node.name()``; 'AccumulateGrad' for leaves),
    ``node`` (the graph node, None for the output and saved boxes), ``input_shapes`` and
    ``output_shapes`` (of the forward op). Edges are ``(consumer, producer)`` index pairs: the
    producer's result was an input of the consumer (the arrow is drawn producer -> consumer).
    Nodes are numbered in the order a breadth-first walk from the output meets them.
    """
    tensors = list(tensor) if isinstance(tensor, (list, tuple)) else [tensor]
    names = {id(p): n for n, p in (params or {}).items()}
    nodes: list = []
    edges: list = []
    index: dict = {}  # id(graph node) -> node number

    def add(entry) -> int:
        nodes.append(entry)
        return len(nodes) - 1

    queue = []
    for t in tensors:
        out = add(dict(kind="output", name="output", node=None, label=f"output\n{_shape(t.shape)}",
                       input_shapes=[], output_shapes=[tuple(t.shape)]))
        root = t.grad_fn
        if root is None and t.requires_grad:
            root = _accumulate_grad_of(t)
        if root is None:
            continue
        if id(root) not in index:
            index[id(root)] = add(_describe(root, names))
            queue.append(root)
        edges.append((out, index[id(root)]))
    while queue:
        node = queue.pop(0)
        me = index[id(node)]
        for child, _nr in node.next_functions:
            if child is None:
                continue
            if id(child) not in index:
                index[id(child)] = add(_describe(child, names))
                queue.append(child)
            if (me, index[id(child)]) not in edges:
                edges.append((me, index[id(child)]))
        if show_saved:
            for shape in _saved_shapes(node):
                s = add(dict(kind="saved", name="saved tensor", node=None, label=f"saved\n{_shape(shape)}",
                             input_shapes=[], output_shapes=[shape]))
                edges.append((me, s))
    return nodes, edges


def _accumulate_grad_of(leaf):
    """The AccumulateGrad node of a leaf that requires grad (a leaf's ``grad_fn`` is None)."""
    if hasattr(leaf, "_grad_accumulator"):  # edutorch caches it on the leaf
        from ...autograd.graph import _get_accumulate_grad
        return _get_accumulate_grad(leaf)
    return leaf.view_as(leaf).grad_fn.next_functions[0][0]  # PyTorch: reached through any op on it


def _forward_shapes(node) -> tuple:
    """(input shapes, output shapes) of the forward op behind ``node``."""
    if hasattr(node, "_output_meta"):  # edutorch: (shape, dtype) per forward argument and output
        return ([tuple(m[0]) for m in getattr(node, "_input_meta", ()) if m is not None],
                [tuple(m[0]) for m in node._output_meta])
    # PyTorch: a node's input metadata describes the gradients it receives, i.e. the forward outputs;
    # the forward inputs are the outputs of the nodes in next_functions
    outputs = [tuple(m.shape) for m in getattr(node, "_input_metadata", ())]
    inputs = [tuple(child._input_metadata[nr].shape) for child, nr in getattr(node, "next_functions", ())
              if child is not None and hasattr(child, "_input_metadata")]
    return inputs, outputs


def _describe(node, names: dict) -> dict:
    """The box of one graph node: its name, and for a leaf the parameter name and shape."""
    input_shapes, output_shapes = _forward_shapes(node)
    entry = dict(node=node, input_shapes=input_shapes, output_shapes=output_shapes)
    variable = getattr(node, "variable", None)
    if variable is not None:
        pname = names.get(id(variable), "")
        entry.update(kind="leaf", name="AccumulateGrad",
                     label=f"AccumulateGrad\n{(pname + ' ') if pname else ''}{_shape(variable.shape)}",
                     param_name=pname, input_shapes=[tuple(variable.shape)])
    else:
        entry.update(kind="op", name=node.name(), label=node.name())
    return entry


def _saved_shapes(node) -> list:
    """Shapes of the tensors a node saved for backward (empty once backward freed them).

    Read from its ``_saved_<name>`` attributes (PyTorch's names, in ``dir`` order, as torchviz reads
    them); an edutorch op without named ones falls back to its raw saved list.
    """
    return _saved_state(node)[0]


def _saved_state(node) -> tuple:
    """(shapes of the saved tensors, whether backward freed them)."""
    shapes = []
    try:
        for attr in dir(node):
            if attr.startswith("_saved_"):
                value = getattr(node, attr)
                if hasattr(value, "shape") and hasattr(value, "grad_fn"):  # tensors, not numbers or sizes
                    shapes.append(tuple(value.shape))
    except RuntimeError:  # "Trying to backward through the graph a second time ...": freed
        return [], True
    if not shapes and hasattr(node, "_had_saved"):  # edutorch, an op without PyTorch names for its values
        saved = node._saved or []
        shapes = [tuple(entry.array.shape) for entry in saved if entry.array is not None]
        return shapes, node._had_saved and node._saved is None
    if not shapes:  # a custom Function's node in PyTorch: ctx.saved_tensors
        try:
            shapes = [tuple(t.shape) for t in getattr(node, "saved_tensors", ()) if t is not None]
        except RuntimeError:
            return [], True
    return shapes, False


# ------------------------------------------------------------------------------- 2. the layout

def layered_layout(num_nodes: int, edges, sweeps: int = 4) -> dict:
    """Layers and positions for a DAG whose edges ``(upper, lower)`` point away from the output.

    - layer: the longest path from a node without parents (the output is layer 0);
    - an edge spanning several layers is split by dummy waypoints, one per layer crossed;
    - each layer starts in node order; ``sweeps`` times, going down and then up, every layer is
      sorted (stably) by the mean position of its neighbours in the layer just visited
      (the barycenter heuristic), and the ordering with the fewest crossings is kept.

    Returns a dict: ``layer`` (int array), ``x`` (float array, centred per layer), ``positions``
    ((num_nodes, 2) array of (x, layer)), ``paths`` (edge -> list of (x, layer) points, through its
    waypoints), ``order`` (list of layers, each a list of node ids, dummies are ids >= num_nodes),
    ``crossings`` (edge crossings of the final ordering).
    """
    edges = [tuple(map(int, e)) for e in edges]
    parents: list = [[] for _ in range(num_nodes)]
    children: list = [[] for _ in range(num_nodes)]
    for u, v in edges:
        parents[v].append(u)
        children[u].append(v)
    # longest path layering over a topological order (Kahn)
    layer = np.zeros(num_nodes, dtype=np.int64)
    waiting = np.array([len(p) for p in parents])
    ready = [v for v in range(num_nodes) if waiting[v] == 0]
    seen = 0
    while ready:
        u = ready.pop(0)
        seen += 1
        for v in children[u]:
            layer[v] = max(layer[v], layer[u] + 1)
            waiting[v] -= 1
            if waiting[v] == 0:
                ready.append(v)
    if seen != num_nodes:
        raise ValueError("layered_layout needs a graph without cycles")

    # split long edges: each becomes a chain through one dummy per crossed layer
    node_layer = list(layer)
    segments: list = []  # (upper, lower) between adjacent layers
    chains: dict = {}
    for u, v in edges:
        chain = [u]
        for lay in range(layer[u] + 1, layer[v]):
            node_layer.append(lay)
            chain.append(len(node_layer) - 1)
        chain.append(v)
        chains[(u, v)] = chain
        segments += list(zip(chain[:-1], chain[1:]))
    depth = int(max(node_layer, default=-1)) + 1
    order = [[n for n in range(len(node_layer)) if node_layer[n] == lay] for lay in range(depth)]
    up: dict = {}
    down: dict = {}
    for a, b in segments:
        down.setdefault(a, []).append(b)
        up.setdefault(b, []).append(a)

    def sweep(order, lays, neighbours, ref_step):
        order = [list(o) for o in order]
        for lay in lays:
            ref = {n: i for i, n in enumerate(order[lay + ref_step])}
            pos = {n: i for i, n in enumerate(order[lay])}
            keys = [np.mean([ref[m] for m in neighbours[n]]) if neighbours.get(n) else pos[n]
                    for n in order[lay]]
            order[lay] = [order[lay][i] for i in np.argsort(keys, kind="stable")]
        return order

    best, best_crossings = order, _crossings(order, segments)
    for _ in range(sweeps):
        order = sweep(order, range(1, depth), up, -1)
        order = sweep(order, range(depth - 2, -1, -1), down, +1)
        c = _crossings(order, segments)
        if c < best_crossings:
            best, best_crossings = order, c
    x = np.zeros(len(node_layer))
    for lay in best:
        for i, n in enumerate(lay):
            x[n] = i - (len(lay) - 1) / 2
    y = np.asarray(node_layer, dtype=float)
    paths = {e: [(float(x[n]), float(y[n])) for n in chain] for e, chain in chains.items()}
    return dict(layer=layer, x=x[:num_nodes], positions=np.stack([x[:num_nodes], y[:num_nodes]], axis=1),
                paths=paths, order=best, crossings=best_crossings)


def _crossings(order, segments) -> int:
    """Edge crossings between adjacent layers: pairs of segments whose ends are in opposite order."""
    pos = {n: i for lay in order for i, n in enumerate(lay)}
    layer_of = {n: k for k, lay in enumerate(order) for n in lay}
    total = 0
    for k in range(len(order)):
        pairs = np.array([(pos[a], pos[b]) for a, b in segments if layer_of[a] == k]).reshape(-1, 2)
        starts, ends = pairs[:, 0], pairs[:, 1]
        total += int(np.sum((starts[:, None] < starts[None, :]) & (ends[:, None] > ends[None, :])))
    return total


# ------------------------------------------------------------------------------- 3. the picture

def draw_graph_figure(ax, nodes, edges, layout, highlight: int | None = None, done=(),
                      selected: int | None = None) -> None:
    """Boxes (gid 'node-<kind>') and arrows (gid 'edge') on ``ax``; the output at the bottom.

    ``highlight`` is the node being run in a backward step-through (red edge), ``done`` the nodes
    already run (shaded), ``selected`` the node picked in the dropdown (thick edge).
    """
    from matplotlib.patches import FancyArrowPatch

    ax.set_axis_off()
    pos = layout["positions"]
    done = set(done)
    for (u, v) in edges:
        pts = layout["paths"][(u, v)][::-1]  # producer (upper layer, drawn higher) -> consumer
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        dashed = nodes[v]["kind"] == "saved"
        if len(pts) > 2:
            ax.plot(xs[:-1], ys[:-1], color="#666666", linewidth=1, gid="edge-waypoints",
                    linestyle=":" if dashed else "-")
        ax.add_patch(FancyArrowPatch(pts[-2], pts[-1], arrowstyle="-|>", mutation_scale=10, color="#666666",
                                     shrinkA=12 if len(pts) == 2 else 0, shrinkB=14, linewidth=1,
                                     linestyle=":" if dashed else "-", gid="edge"))
    for i, node in enumerate(nodes):
        x, y = pos[i]
        face = _FILL[node["kind"]]
        if i in done:
            face = "#b6d7a8"
        edge_color, width = "#444444", 1.0
        if i == selected:
            width = 2.5
        if i == highlight:
            edge_color, width, face = "#cc0000", 2.5, "#f4cccc"
        ax.text(x, y, node["label"], ha="center", va="center", fontsize=8, gid=f"node-{node['kind']}",
                bbox=dict(boxstyle="round,pad=0.35", facecolor=face, edgecolor=edge_color, linewidth=width))
    if len(nodes):
        xs, ys = pos[:, 0], pos[:, 1]
        ax.set_xlim(xs.min() - 1.2, xs.max() + 1.2)
        ax.set_ylim(ys.min() - 0.6, ys.max() + 0.6)


# ---------------------------------------------------------------------------------- the widget

class GraphView:
    """The autograd graph of a tensor, with node details and a backward step-through.

    Attributes: ``nodes``, ``edges``, ``layout`` (see ``graph_nodes`` / ``layered_layout``),
    ``figure``; after backward (``view.backward()`` or your own ``loss.backward()``):
    ``backward_order`` (node numbers in the order the engine ran them) and ``grads``
    (node number -> dict with 'grad_outputs', the gradients that reached the node, and 'grad_inputs',
    those it sent on, as NumPy arrays). Controls: ``select`` (a node), ``step`` + ``play`` (how many
    backward nodes have run), ``run`` (a button calling ``backward()``).
    """

    def __init__(self, tensor, params: dict | None = None, show_saved: bool = False):
        import ipywidgets as W

        self.tensor = tensor
        self.nodes, self.edges = graph_nodes(tensor, params, show_saved)
        self.layout = layered_layout(len(self.nodes), self.edges)
        self.backward_order: list = []
        self.grads: dict = {}
        self._handles = []
        ref = weakref.ref(self)  # the graph keeps the hooks alive; they must not keep the view alive
        first = tensor[0] if isinstance(tensor, (list, tuple)) else tensor
        roots = {id(first.grad_fn)} if first.grad_fn is not None else set()
        for i, entry in enumerate(self.nodes):
            if entry["node"] is not None:
                self._handles.append(entry["node"].register_hook(_Recorder(ref, i, id(entry["node"]) in roots)))

        self.select = W.Dropdown(options=[(f"{i}: {n['label'].replace(chr(10), ' ')}", i)
                                          for i, n in enumerate(self.nodes)], description="node",
                                 value=1 if len(self.nodes) > 1 else 0)  # the output's grad_fn
        self.step = W.IntSlider(0, 0, 0, description="backward step")
        self.play = W.Play(value=0, min=0, max=0, interval=800)
        W.link((self.play, "value"), (self.step, "value"))
        self.run = W.Button(description="run backward")
        self.run.on_click(lambda _button: self.backward())
        self.info = W.HTML()
        self.image = W.Image(format="png")
        n_layers = int(self.layout["layer"].max()) + 1 if len(self.nodes) else 1
        width = max(len(o) for o in self.layout["order"]) if self.layout["order"] else 1
        self.figure = _new_figure(min(2.2 * width + 1, 16), min(0.9 * n_layers + 0.8, 24))
        self.select.observe(lambda change: self._redraw(), names="value")
        self.step.observe(lambda change: self._redraw(), names="value")
        self.widget = W.VBox([W.HBox([self.select, self.run]), W.HBox([self.play, self.step]), self.image,
                              self.info])
        self._redraw()

    # --- backward
    def backward(self, gradient=None, retain_graph: bool = True) -> "GraphView":
        """Run ``tensor.backward()`` (keeping the graph, so it can run again) and show the first step."""
        self.tensor.backward(gradient, retain_graph=retain_graph)
        self.step.value = 0
        self._redraw()
        return self

    def _record(self, i: int, is_root: bool, grad_inputs, grad_outputs) -> None:
        if is_root:  # a new backward pass starts at the root
            self.backward_order, self.grads = [], {}
        self.backward_order.append(i)
        self.grads[i] = dict(grad_outputs=_arrays(grad_outputs), grad_inputs=_arrays(grad_inputs))
        self.step.max = self.play.max = len(self.backward_order)

    def remove_hooks(self) -> None:
        """Stop recording gradients (the hooks are otherwise removed with the graph)."""
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def close(self) -> None:
        """Remove the hooks and close the widgets (ipywidgets keeps every open widget alive)."""
        self.remove_hooks()
        for w in (self.select, self.step, self.play, self.run, self.info, self.image, *self.widget.children,
                  self.widget):
            w.close()

    # --- what is shown
    def running(self) -> int | None:
        """The node run at the current step (None at step 0, before backward)."""
        k = self.step.value
        return self.backward_order[k - 1] if 0 < k <= len(self.backward_order) else None

    def describe(self, i: int) -> str:
        """Plain-text details of node ``i``: name, next_functions, shapes, saved tensors, gradients."""
        entry = self.nodes[i]
        node = entry["node"]
        lines = [f"[{i}] {entry['name']}" + (f"  ({entry['param_name']})" if entry.get("param_name") else "")]
        if node is not None:
            nxt = [f"({'None' if c is None else c.name()}, {nr})" for c, nr in node.next_functions]
            lines.append(f"next_functions: ({', '.join(nxt)})")
            saved, freed = _saved_state(node)
            if saved or freed:
                lines.append("saved tensors: " + (", ".join(_shape(s) for s in saved) if saved
                                                  else "freed by backward (retain_graph=False)"))
        if entry["input_shapes"]:
            lines.append("forward inputs: " + ", ".join(_shape(s) for s in entry["input_shapes"]))
        if entry["output_shapes"]:
            lines.append("forward outputs: " + ", ".join(_shape(s) for s in entry["output_shapes"]))
        if i in self.grads:
            g = self.grads[i]
            lines.append(f"backward step {self.backward_order.index(i) + 1} of {len(self.backward_order)}")
            for title, arrays in (("gradient in (grad_outputs)", g["grad_outputs"]),
                                  ("gradient out (grad_inputs)", g["grad_inputs"])):
                for k, a in enumerate(arrays):
                    text = "None" if a is None else np.array2string(a, precision=4, threshold=12, edgeitems=2)
                    lines.append(f"{title}[{k}]: {text}")
        elif node is not None:
            lines.append("no gradient yet: run backward")
        return "\n".join(lines)

    def _redraw(self) -> None:
        fig = self.figure
        fig.clear()
        ax = fig.add_subplot(1, 1, 1)
        running = self.running()
        k = self.step.value
        done = self.backward_order[:max(k - 1, 0)]
        draw_graph_figure(ax, self.nodes, self.edges, self.layout, highlight=running, done=done,
                          selected=self.select.value)
        shown = running if running is not None else self.select.value
        header = (f"step {k}/{len(self.backward_order)}: running {self.nodes[running]['name']}<br>"
                  if running is not None else "")
        self.info.value = header + "<pre>" + html.escape(self.describe(shown)) + "</pre>"
        self.image.value = figure_png(fig)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        self.step.max = self.play.max = len(self.backward_order)
        self._redraw()
        display(self.widget)


class _Recorder:
    """A node hook that hands the gradients to its GraphView (held weakly: no reference cycle)."""

    def __init__(self, view_ref, index: int, is_root: bool):
        self.view_ref, self.index, self.is_root = view_ref, index, is_root

    def __call__(self, grad_inputs, grad_outputs):
        view = self.view_ref()
        if view is not None:
            view._record(self.index, self.is_root, grad_inputs, grad_outputs)


def _arrays(grads) -> list:
    return [None if g is None else np.array(g.detach().numpy(), copy=True) for g in grads]


def draw_graph(tensor, params: dict | None = None, show_saved: bool = False) -> GraphView:
    """Draw the autograd graph of ``tensor``: ``draw_graph(loss, dict(model.named_parameters()))``.

    ``tensor`` may be edutorch's or PyTorch's. Returns a ``GraphView`` (shown when it is the last value
    of a cell). Leaves are labelled with the
    parameter names from ``params`` (matched by identity) and their shapes; ``show_saved`` adds the
    tensors each node saved for backward.
    """
    return GraphView(tensor, params, show_saved)
