"""The notebook tools on real PyTorch objects (issue 22): each tool runs on both libraries and shows the
same thing for the same architecture, expression or weights; edutorch alone never imports torch."""
import subprocess
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import edutorch
from edutorch.notebook import (ConvPlayground, TrainingMonitor, class_activation_map, draw_graph, feature_maps,
                               summary)
from edutorch.notebook.board import Board, board_summary
from edutorch.notebook.widgets.conv import GALLERY_CASES, conv_geometry, playground_numbers, pool_geometry
from edutorch.notebook.widgets.graph import graph_nodes
from edutorch.notebook.widgets._engine import engine_of, is_torch
from edutorch.utils.tensorboard import read_events


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _net(lib):
    """The same CNN in either library, as a subclass of its nn.Module (so detection must read the MRO)."""
    nn = lib.nn

    class GapNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                                          nn.Conv2d(8, 6, 3, padding=1), nn.ReLU())
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(6, 4)

        def forward(self, x):
            return self.fc(self.pool(self.features(x)).flatten(1))

    lib.manual_seed(0)
    return GapNet()


def _copy_weights(ours, theirs, torch):
    """edutorch weights into the PyTorch model: load_state_dict from NumPy arrays."""
    theirs.load_state_dict({k: torch.from_numpy(v.detach().numpy().copy()) for k, v in ours.state_dict().items()})


def _image(lib, n=1):
    return lib.tensor(np.random.default_rng(0).normal(size=(n, 3, 8, 8)).astype(np.float32))


def test_engine_detection(torch):
    assert is_torch(torch.nn.Linear(2, 2)) and is_torch(torch.ones(1)) and is_torch(torch)
    assert is_torch(_net(torch))                              # a user's subclass, defined outside torch
    assert not is_torch(edutorch.nn.Linear(2, 2)) and not is_torch(edutorch.ones(1)) and not is_torch(edutorch)
    assert not is_torch(np.ones(2)) and not is_torch(3)
    assert engine_of(_net(torch)) is torch and engine_of(_net(edutorch)) is edutorch


# ------------------------------------------------------------------------------------------ summary

def test_summary_tables_are_equal_line_by_line(torch):
    ours, theirs = summary(_net(edutorch), (2, 3, 8, 8)), summary(_net(torch), (2, 3, 8, 8))
    assert str(ours).splitlines() == str(theirs).splitlines()
    assert theirs.total_params == 8 * 27 + 8 + 16 + 6 * 72 + 6 + 6 * 4 + 4
    assert [r.output_shape for r in theirs.rows][-1] == [2, 4]
    assert theirs.total_mult_adds == ours.total_mult_adds > 0
    # depth, recursion, token inputs with dtypes, input_data
    emb = {lib: lib.nn.Sequential(lib.nn.Embedding(10, 4), lib.nn.Flatten(), lib.nn.Linear(12, 2))
           for lib in (edutorch, torch)}
    a = summary(emb[edutorch], (5, 3), dtypes=[edutorch.long], depth=1)
    b = summary(emb[torch], (5, 3), dtypes=[torch.long], depth=1)
    assert str(a) == str(b)
    c = summary(emb[torch], input_data=torch.zeros(5, 3, dtype=torch.long))
    assert c.total_params == b.total_params and c.rows[-1].output_shape == [5, 2]


def test_summary_leaves_a_torch_model_as_it_was(torch):
    model = _net(torch).train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    summary(model, (2, 3, 8, 8))
    assert model.training and all(m.training for m in model.modules())
    for k, v in model.state_dict().items():                  # running stats untouched (eval, no grad)
        assert torch.equal(v, before[k]), k
    assert not any(m._forward_hooks or m._forward_pre_hooks for m in model.modules())


# -------------------------------------------------------------------------------------------- graph

def _mlp_loss(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2))
    x = lib.tensor(np.linspace(-1, 1, 15, dtype=np.float32).reshape(5, 3))
    loss = ((model(x).sigmoid() * 2) ** 2).mean()
    return model, loss


def _shown(nodes):
    """What a graph view shows of each node. Forward input shapes aside: PyTorch does not keep the
    shapes of inputs that need no gradient; and of the outputs only the first: PyTorch keeps no
    metadata for outputs that cannot have a gradient (max_pool2d's indices)."""
    return [(n["kind"], n["name"], n["label"], n["output_shapes"][:1]) for n in nodes]


@pytest.mark.parametrize("show_saved", [False, True])
def test_graph_nodes_and_edges_are_equal(torch, show_saved):
    (m1, ours), (m2, theirs) = _mlp_loss(edutorch), _mlp_loss(torch)
    a_nodes, a_edges = graph_nodes(ours, dict(m1.named_parameters()), show_saved)
    b_nodes, b_edges = graph_nodes(theirs, dict(m2.named_parameters()), show_saved)
    assert _shown(a_nodes) == _shown(b_nodes)
    assert a_edges == b_edges
    names = [n["name"] for n in b_nodes if n["kind"] == "op"]
    assert names == ["MeanBackward0", "PowBackward0", "MulBackward0", "SigmoidBackward0", "AddmmBackward0",
                     "TanhBackward0", "TBackward0", "AddmmBackward0", "TBackward0"]
    leaves = sorted(n["param_name"] for n in b_nodes if n["kind"] == "leaf")
    assert leaves == ["0.bias", "0.weight", "2.bias", "2.weight"]
    if show_saved:  # pow: self; mul: other (a 0-d number); sigmoid/tanh: result; addmm: mat1, mat2 / mat1
        saved = [n["output_shapes"][0] for n in b_nodes if n["kind"] == "saved"]
        assert saved == [(5, 2), (), (5, 2), (5, 4), (4, 2), (5, 4), (5, 3)]


def test_graph_of_a_cnn_and_of_a_leaf(torch):
    def build(lib):
        lib.manual_seed(0)
        conv = lib.nn.Conv2d(1, 2, 3)
        out = lib.nn.functional.max_pool2d(conv(lib.ones(1, 1, 6, 6)), 2).relu().mean()
        return conv, out

    (c1, a), (c2, b) = build(edutorch), build(torch)
    assert _shown(graph_nodes(a, dict(c1.named_parameters()))[0]) == \
        _shown(graph_nodes(b, dict(c2.named_parameters()))[0])
    w = torch.nn.Parameter(torch.ones(3))
    view = draw_graph(w, {"w": w})
    assert [n["label"] for n in view.nodes] == ["output\n(3,)", "AccumulateGrad\nw (3,)"]
    view.close()


def test_graph_view_steps_through_pytorch_backward(torch):
    (m1, ours), (m2, theirs) = _mlp_loss(edutorch), _mlp_loss(torch)
    a = draw_graph(ours, dict(m1.named_parameters()))
    b = draw_graph(theirs, dict(m2.named_parameters()))
    a.run.click()
    b.run.click()
    assert b.backward_order == a.backward_order and len(b.backward_order) == 13
    for i in b.backward_order:                      # the same gradients reached and left every node
        for key in ("grad_outputs", "grad_inputs"):
            for x, y in zip(a.grads[i][key], b.grads[i][key]):
                assert (x is None) == (y is None)
                if x is not None:
                    np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-7)
    b.play.value = 3
    assert "step 3/13: running MulBackward0" in b.info.value
    for i, n in enumerate(b.nodes):
        if n["kind"] == "leaf":
            param = dict(m2.named_parameters())[n["param_name"]]
            np.testing.assert_allclose(b.grads[i]["grad_outputs"][0], param.grad.numpy(), rtol=1e-6)
    addmm = next(i for i, n in enumerate(b.nodes) if n["name"] == "AddmmBackward0")   # the last layer's
    for view in (a, b):
        text = view.describe(addmm)
        assert "saved tensors: (5, 4), (4, 2)" in text                                   # mat1, mat2
        assert "next_functions: ((torch::autograd::AccumulateGrad, 0), (TanhBackward0, 0), (TBackward0, 0))" \
            in text
    a.close()
    b.close()


def test_graph_view_sees_a_users_pytorch_backward(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    view = draw_graph(y, {"x": x}, show_saved=True)
    assert [n["kind"] for n in view.nodes] == ["output", "op", "op", "leaf", "saved", "saved"]
    y.backward()                                      # the user's own backward, no retain_graph
    assert [view.nodes[i]["name"] for i in view.backward_order] == ["SumBackward0", "MulBackward0",
                                                                    "AccumulateGrad"]
    np.testing.assert_array_equal(view.grads[3]["grad_outputs"][0], [2.0, 4.0, 6.0])
    assert "freed by backward" in view.describe(2)
    view.remove_hooks()


def test_graph_view_shows_what_a_custom_function_saved(torch):
    def program(lib):
        class Square(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return 2 * x * grad

        x = lib.ones(2, 3, requires_grad=True)
        return x, Square.apply(x).sum()

    (x1, ours), (x2, theirs) = program(edutorch), program(torch)
    a, b = graph_nodes(ours, {"x": x1}, show_saved=True), graph_nodes(theirs, {"x": x2}, show_saved=True)
    assert _shown(a[0]) == _shown(b[0]) and a[1] == b[1]
    assert [n["label"] for n in b[0] if n["kind"] == "saved"] == ["saved\n(2, 3)"]


# --------------------------------------------------------------------------- feature maps and CAM

def test_feature_maps_and_cam_are_equal_with_copied_weights(torch):
    ours, theirs = _net(edutorch).eval(), _net(torch).eval()
    _copy_weights(ours, theirs, torch)
    x1, x2 = _image(edutorch, 2), _image(torch, 2)
    for layer in ("features.0", "features.3", ours.features[4]):
        layer2 = layer if isinstance(layer, str) else theirs.features[4]
        a, b = feature_maps(ours, layer, x1), feature_maps(theirs, layer2, x2)
        assert isinstance(b, torch.Tensor) and not b.requires_grad
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-5)
    cam_a = class_activation_map(ours, "features", "fc", x1, show=False)
    cam_b = class_activation_map(theirs, "features", "fc", x2, show=False)
    assert tuple(cam_b.shape) == (2, 8, 8)
    np.testing.assert_allclose(cam_a.numpy(), cam_b.numpy(), rtol=1e-4, atol=1e-5)
    one_b = class_activation_map(theirs, "features", "fc", x2[0], class_idx=2)     # drawn over the image
    one_a = class_activation_map(ours, "features", "fc", x1[0], class_idx=2)
    np.testing.assert_allclose(one_a.numpy(), one_b.numpy(), rtol=1e-4, atol=1e-5)
    assert plt.gcf().axes[0].get_title() == "CAM for class 2"


# -------------------------------------------------------------------------------- ConvPlayground

def _every_geometry():
    for case in GALLERY_CASES:
        args = {k: v for k, v in case.items() if k != "name"}
        yield conv_geometry(**args)
    for mode in ("max", "avg"):
        for size, k, s, p, ceil in [(5, 2, 2, 0, False), (5, 3, 2, 1, True), (6, 3, 1, 1, False)]:
            yield pool_geometry(size, k, s, p, 1, ceil, mode)


def test_conv_playground_numbers_are_equal_on_torch(torch):
    checked = 0
    for g in _every_geometry():
        a, b = playground_numbers(g, engine=edutorch), playground_numbers(g, engine=torch)
        assert (a["output"] is None) == (b["output"] is None), g
        if a["output"] is not None:
            assert isinstance(b["output"], np.ndarray)
            np.testing.assert_allclose(a["output"], b["output"], rtol=1e-5)
            checked += 1
    assert checked == len(GALLERY_CASES) + 6
    weight = np.arange(4, dtype=np.float32).reshape(2, 2)
    x = np.ones((4, 4), np.float32)
    g = conv_geometry(4, 2, 2)
    np.testing.assert_array_equal(playground_numbers(g, x, weight, engine=torch)["output"],
                                  playground_numbers(g, x, weight)["output"])


def test_conv_playground_widget_with_engine_torch(torch):
    pg = ConvPlayground(engine=torch)
    ours = ConvPlayground()
    assert pg.engine is torch and ours.engine is edutorch
    assert "engine (torch F.conv2d): out[0, 0] = 62" in pg.info.value
    assert "engine (F.conv2d): out[0, 0] = 62" in ours.info.value
    for settings in (dict(transposed=True, stride=2), dict(mode="max", kernel_size=2, stride=2)):
        pg.set(**settings)
        ours.set(**settings)
        np.testing.assert_allclose(pg.numbers["output"], ours.numbers["output"], rtol=1e-5)
    pg.set(mode="conv", transposed=False, input_size=2, kernel_size=5, stride=1)
    assert not pg.geometry["valid"] and "torch says" in pg.info.value
    for w in (pg, ours):
        w.widget.close()


# ---------------------------------------------------------------------------- TrainingMonitor, board

def test_training_monitor_logs_torch_tensors_into_a_torch_writer(torch, tmp_path, capsys):
    from torch.utils.tensorboard import SummaryWriter

    losses = [torch.tensor(1.0 / (s + 1)) for s in range(4)]
    with SummaryWriter(str(tmp_path / "torch_run")) as writer:
        mon = TrainingMonitor(metrics=["loss"], total_steps=4, writer=writer, mode="text")
        for s, loss in enumerate(losses):
            mon.log(s, loss=loss, acc=np.float32(s / 4))
        text = mon.close()
    ref = TrainingMonitor(metrics=["loss"], total_steps=4, mode="text")
    for s in range(4):
        ref.log(s, loss=edutorch.tensor(1.0 / (s + 1)), acc=np.float32(s / 4))
    assert text == ref.close()
    run = read_events(tmp_path)["torch_run"]
    assert run.series["loss"].steps.tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(run.series["loss"].values, [1, 1 / 2, 1 / 3, 1 / 4], rtol=1e-6)
    capsys.readouterr()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # add_graph traces with torch.jit
def test_board_reads_a_logdir_written_by_torch(torch, tmp_path, capsys):
    from torch.utils.tensorboard import SummaryWriter

    with SummaryWriter(str(tmp_path / "exp")) as w:
        for step in range(5):
            w.add_scalar("loss", 1.0 / (step + 1), step)
            w.add_histogram("fc.weight", torch.arange(100, dtype=torch.float32) + step, step)
        w.add_scalars("acc", {"train": 0.5, "val": 0.25}, 0)
        w.add_image("img", torch.rand(3, 8, 8), 0)
        w.add_text("notes", "**hello**", 0)
        w.add_graph(torch.nn.Sequential(torch.nn.Linear(3, 2)), torch.zeros(1, 3))
    runs = read_events(tmp_path)
    assert sorted(runs) == ["exp", "exp/acc_train", "exp/acc_val"]
    text = board_summary(runs, tmp_path, smoothing=0).splitlines()
    assert text[0] == f"edutorch board: {str(tmp_path)!r}: 3 runs, 6 tags"
    assert "  scalars     loss                5 points  steps 0..4  last 0.2" in text
    assert "  images      img                  1 point  step 0      last 8x8 RGB" in text
    hist = next(line for line in text if line.lstrip().startswith("histograms"))
    assert "fc.weight" in hist and "n=100 min=4 max=103" in hist
    assert any("aten::linear" in line for line in text if line.lstrip().startswith("graph"))
    board = Board(str(tmp_path), smoothing=0)
    assert set(board.selected_runs()) == {"exp", "exp/acc_train", "exp/acc_val"}
    assert board.summary().splitlines()[:2] == text[:2]
    board.close()
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "edutorch")
    capsys.readouterr()
    ip.run_line_magic("edutorch_board", f"--logdir {tmp_path} --smoothing 0")
    assert capsys.readouterr().out.splitlines()[0] == text[0]


# ------------------------------------------------------------------------------- no torch import

def test_tools_on_edutorch_objects_do_not_import_torch(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        import matplotlib
        matplotlib.use("Agg")
        import numpy as np
        import edutorch
        from edutorch import nn
        from edutorch.notebook import (ConvPlayground, TrainingMonitor, class_activation_map, draw_graph,
                                       feature_maps, show_feature_maps, summary, board_summary, Board)
        from edutorch.utils.tensorboard import SummaryWriter, read_events
        model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                              nn.Flatten(), nn.Linear(4, 2))
        x = edutorch.randn(1, 3, 6, 6)
        str(summary(model, (1, 3, 6, 6)))
        loss = model(x).sum()
        view = draw_graph(loss, dict(model.named_parameters()), show_saved=True)
        view.backward()
        view.describe(1)
        feature_maps(model, "0", x)
        show_feature_maps(model, "0", x)
        model2 = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU())
        class Gap(nn.Module):
            def __init__(self):
                super().__init__()
                self.features, self.fc = model2, nn.Linear(4, 2)
            def forward(self, x):
                return self.fc(self.features(x).mean(dim=(2, 3)))
        class_activation_map(Gap(), "features", "fc", x[0])
        pg = ConvPlayground()
        pg.set(mode="max", stride=2)
        with SummaryWriter({str(tmp_path)!r}) as w:
            mon = TrainingMonitor(metrics=["loss"], total_steps=2, writer=w, mode="text")
            mon.log(0, loss=loss)
            mon.log(1, loss=loss)
            mon.close()
        board_summary(read_events({str(tmp_path)!r}), {str(tmp_path)!r})
        Board({str(tmp_path)!r}).close()
        try:
            from edutorch.notebook import make_dot
            make_dot(loss, dict(model.named_parameters()), show_saved=True).source
        except ImportError:  # the graphviz package is optional
            pass
        loaded = sorted(m for m in sys.modules if m == "torch" or m.startswith("torch."))
        print("TORCH:", loaded)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "TORCH: []" in done.stdout, done.stdout
