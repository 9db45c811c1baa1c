"""draw_graph / GraphView headless: node names (vs PyTorch), leaves, layered layout, backward stepping."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

import edutorch
import edutorch.nn as nn
import edutorch.nn.functional as F
from edutorch.notebook import draw_graph
from edutorch.notebook.widgets.graph import GraphView, graph_nodes, layered_layout


def _mlp_loss(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 2))
    x = lib.tensor(np.linspace(-1, 1, 15, dtype=np.float32).reshape(5, 3))
    loss = lib.nn.functional.cross_entropy(model(x), lib.tensor([0, 1, 0, 1, 1]))
    return model, loss


def _torch_names(root):
    """Breadth-first names through next_functions, as graph_nodes walks the graph."""
    names, queue, seen = [], [root], {id(root)}
    while queue:
        node = queue.pop(0)
        names.append(node.name().replace("torch::autograd::", ""))
        for child, _ in node.next_functions:
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                queue.append(child)
    return names


MLP_NAMES = ["NllLossBackward0", "LogSoftmaxBackward0", "AddmmBackward0", "AccumulateGrad", "ReluBackward0",
             "TBackward0", "AddmmBackward0", "AccumulateGrad", "AccumulateGrad", "TBackward0", "AccumulateGrad"]


def test_nodes_names_leaves_and_layers():
    model, loss = _mlp_loss(edutorch)
    nodes, edges = graph_nodes(loss, dict(model.named_parameters()))
    assert nodes[0]["kind"] == "output" and nodes[0]["label"] == "output\n()"
    assert [n["name"] for n in nodes[1:]] == MLP_NAMES
    leaves = {n["param_name"]: n["label"] for n in nodes if n["kind"] == "leaf"}
    assert leaves == {"2.bias": "AccumulateGrad\n2.bias (2,)", "2.weight": "AccumulateGrad\n2.weight (2, 4)",
                      "0.bias": "AccumulateGrad\n0.bias (4,)", "0.weight": "AccumulateGrad\n0.weight (4, 3)"}
    layout = layered_layout(len(nodes), edges)
    layer = {n["label"].split("\n")[-1] if n["kind"] == "leaf" else f"{n['name']}#{i}": int(layout["layer"][i])
             for i, n in enumerate(nodes)}
    assert layer["output#0"] == 0 and layer["NllLossBackward0#1"] == 1 and layer["AddmmBackward0#3"] == 3
    assert layer["2.bias (2,)"] == 4 and layer["0.weight (4, 3)"] == 7       # longest path from the output
    for u, v in edges:                                                     # every edge goes down a layer
        assert layout["layer"][v] > layout["layer"][u]
    addmm = nodes[3]
    assert addmm["input_shapes"] == [(2,), (5, 4), (4, 2)] and addmm["output_shapes"] == [(5, 2)]


def test_node_names_match_pytorch(torch):
    _, ours = _mlp_loss(edutorch)
    _, theirs = _mlp_loss(torch)
    assert [n["name"] for n in graph_nodes(ours)[0][1:]] == _torch_names(theirs.grad_fn) == MLP_NAMES


def test_layout_is_deterministic_and_removes_crossings():
    # 0 -> (1, 2); 1 -> 4, 2 -> 3: found in the order 3, 4 the bottom layer crosses; sweeps fix it
    edges = [(0, 1), (0, 2), (1, 4), (2, 3)]
    a, b = layered_layout(5, edges), layered_layout(5, edges)
    np.testing.assert_array_equal(a["positions"], b["positions"])
    assert a["crossings"] == 0
    assert a["x"][1] < a["x"][2] and a["x"][4] < a["x"][3]
    np.testing.assert_array_equal(a["layer"], [0, 1, 1, 2, 2])


def test_layout_long_edges_get_waypoints_and_cycles_are_refused():
    edges = [(0, 1), (1, 2), (2, 3), (0, 3)]
    lay = layered_layout(4, edges)
    np.testing.assert_array_equal(lay["layer"], [0, 1, 2, 3])
    assert len(lay["paths"][(0, 3)]) == 4 and len(lay["paths"][(0, 1)]) == 2
    assert [p[1] for p in lay["paths"][(0, 3)]] == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="cycles"):
        layered_layout(2, [(0, 1), (1, 0)])


def test_backward_step_through_in_engine_order():
    model, loss = _mlp_loss(edutorch)
    view = draw_graph(loss, dict(model.named_parameters()))
    assert isinstance(view, GraphView) and view.step.max == 0 and "no gradient yet" in view.info.value
    view.run.click()                                  # the "run backward" button
    order = view.backward_order
    assert len(order) == 11 and order[0] == 1 and view.step.max == 11
    # topological: a node runs only after every node that consumes its result
    for u, v in view.edges:
        if u in order and v in order:
            assert order.index(u) < order.index(v)
    for i, n in enumerate(view.nodes):                # leaves received exactly their .grad
        if n["kind"] == "leaf":
            param = dict(model.named_parameters())[n["param_name"]]
            np.testing.assert_allclose(view.grads[i]["grad_outputs"][0], param.grad.numpy(), rtol=1e-6)
    view.play.value = 3                               # Play drives the step slider
    assert view.step.value == 3 and view.running() == order[2]
    assert "step 3/11: running AddmmBackward0" in view.info.value
    assert "gradient in (grad_outputs)[0]" in view.info.value
    texts = [t for t in view.figure.axes[0].texts]
    red = [t for t in texts if t.get_bbox_patch().get_edgecolor()[:3] == pytest.approx((0.8, 0.0, 0.0))]
    assert [t.get_text() for t in red] == ["AddmmBackward0"]


def test_user_backward_is_recorded_and_saved_tensors():
    x = edutorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    view = draw_graph(y, {"x": x}, show_saved=True)
    kinds = [n["kind"] for n in view.nodes]
    assert kinds == ["output", "op", "op", "leaf", "saved", "saved"]
    assert [n["name"] for n in view.nodes[1:3]] == ["SumBackward0", "MulBackward0"]
    fig = view.figure
    assert sum(t.get_gid() == "node-saved" for t in fig.axes[0].texts) == 2
    assert sum(p.get_gid() == "edge" for p in fig.axes[0].patches) == len(view.edges) == 5
    y.backward()                                      # the user's own backward, no retain_graph
    assert [view.nodes[i]["name"] for i in view.backward_order] == ["SumBackward0", "MulBackward0",
                                                                    "AccumulateGrad"]
    np.testing.assert_array_equal(view.grads[3]["grad_outputs"][0], [2.0, 4.0, 6.0])
    assert "freed by backward" in view.describe(2)
    assert "next_functions: ((torch::autograd::AccumulateGrad, 0), (torch::autograd::AccumulateGrad, 0))" \
        in view.describe(2)


def test_hooks_hold_the_view_weakly_and_can_be_removed():
    import weakref

    x = edutorch.ones(2, requires_grad=True)
    y = (x * 2).sum()
    view = draw_graph(y)
    hooks = [h for n in view.nodes if n["node"] is not None for h in n["node"]._hooks.values()]
    assert len(hooks) == 3 and all(isinstance(h.view_ref, weakref.ReferenceType) for h in hooks)
    view.close()
    assert all(not n["node"]._hooks for n in view.nodes if n["node"] is not None)
    y.backward()
    assert view.backward_order == [] and x.grad.tolist() == [2.0, 2.0]


def test_leaf_and_conv_graph():
    w = nn.Parameter(edutorch.ones(3))
    view = draw_graph(w, {"w": w})
    assert [n["label"] for n in view.nodes] == ["output\n(3,)", "AccumulateGrad\nw (3,)"]
    conv = nn.Conv2d(1, 2, 3)
    out = F.max_pool2d(conv(edutorch.ones(1, 1, 6, 6)), 2).mean()
    names = [n["name"] for n in draw_graph(out, dict(conv.named_parameters())).nodes]
    assert names[:4] == ["output", "MeanBackward0", "MaxPool2DWithIndicesBackward0", "ConvolutionBackward0"]
