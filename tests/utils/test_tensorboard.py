"""SummaryWriter: the files it writes are read by the real TensorBoard and match PyTorch's writer.

Oracles: TensorBoard's own ``EventAccumulator`` (which verifies every CRC) and protobuf classes, and
PyTorch's ``torch.utils.tensorboard`` (the ``torch`` fixture skips when it is absent).
"""
from __future__ import annotations

import glob
import math
import os
import re
import socket
import struct
import time

import numpy as np
import pytest

import edutorch
import edutorch.nn as nn
from edutorch.utils.tensorboard import SummaryWriter, read_events
from edutorch.utils.tensorboard import _events, _proto

tb = pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.compat.proto import event_pb2, summary_pb2  # noqa: E402


def accumulate(path) -> EventAccumulator:
    acc = EventAccumulator(str(path), size_guidance={"scalars": 0, "images": 0, "histograms": 0, "tensors": 0})
    acc.Reload()
    return acc


def events_of(log_dir) -> list:
    """All Event protos of the (single) event file in log_dir, parsed by the real protobuf."""
    (path,) = glob.glob(os.path.join(str(log_dir), "events.out.tfevents.*"))
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import PyRecordReader_New

    reader = PyRecordReader_New(path)
    out = []
    while True:
        try:
            reader.GetNext()
        except Exception:  # OutOfRangeError at the end
            return out
        out.append(event_pb2.Event.FromString(reader.record()))


def summaries_of(log_dir) -> list:
    return [v for e in events_of(log_dir) if e.HasField("summary") for v in e.summary.value]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


# --- CRC and framing -------------------------------------------------------------------------------

def test_crc32c_known_vectors():
    assert _events.crc32c(b"123456789") == 0xE3069283
    assert _events.crc32c(b"") == 0
    # RFC 3720 (iSCSI) B.4 test vectors
    assert _events.crc32c(bytes(32)) == 0x8A9136AA
    assert _events.crc32c(b"\xff" * 32) == 0x62A8AB43
    assert _events.crc32c(bytes(range(32))) == 0x46DD794E
    assert _events.crc32c(bytes(range(31, -1, -1))) == 0x113FDB5C


@pytest.mark.parametrize("n", [1, 3, 4, 5, 100, 1023, 1024, 1025, 4099, 65536 + 7, 300_001])
def test_crc32c_matches_tensorboard_on_random_bytes(n):
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

    data = np.random.default_rng(n).integers(0, 256, n, dtype=np.uint8).tobytes()
    assert _events.masked_crc32c(data) == masked_crc32c(data)  # both small and vectorised paths


def test_masked_crc_formula_and_record_layout():
    crc = _events.crc32c(b"abc")
    assert _events.masked_crc32c(b"abc") == (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF
    record = _events.frame_record(b"hello")
    assert len(record) == 8 + 4 + 5 + 4
    assert struct.unpack("<Q", record[:8])[0] == 5
    assert struct.unpack("<I", record[8:12])[0] == _events.masked_crc32c(record[:8])
    assert record[12:17] == b"hello"
    assert struct.unpack("<I", record[17:])[0] == _events.masked_crc32c(b"hello")


# --- the protobuf encoder against the real protobuf ------------------------------------------------

def test_encoder_bytes_equal_official_protobuf():
    ours = _proto.encode(_proto.EVENT, {"wall_time": 1.5, "step": 3, "summary": {
        "value": [{"tag": "loss", "simple_value": 0.0}]}})
    theirs = event_pb2.Event(wall_time=1.5, step=3, summary=summary_pb2.Summary(
        value=[summary_pb2.Summary.Value(tag="loss", simple_value=0.0)])).SerializeToString()
    assert ours == theirs  # incl. the oneof simple_value = 0.0, which must be written
    expected = bytes.fromhex("090000000000 00f83f1003".replace(" ", ""))
    assert _proto.encode(_proto.EVENT, {"wall_time": 1.5, "step": 3})[:11] == expected
    histo = {"min": -1.0, "max": 2.0, "num": 3.0, "sum": 1.0, "sum_squares": 6.0,
             "bucket_limit": [0.0, 1.0, 2.0], "bucket": [1.0, 0.0, 2.0]}
    assert _proto.encode(_proto.HISTOGRAM, histo) == summary_pb2.HistogramProto(**histo).SerializeToString()
    ev = event_pb2.Event(step=-7)  # negative int64: ten-byte varint
    assert _proto.encode(_proto.EVENT, {"step": -7}) == ev.SerializeToString()
    assert _proto.decode(_proto.EVENT, ev.SerializeToString())["step"] == -7


def test_decoder_reads_official_protobuf():
    ev = event_pb2.Event(wall_time=2.25, step=10, summary=summary_pb2.Summary(value=[
        summary_pb2.Summary.Value(tag="h", histo=summary_pb2.HistogramProto(
            min=0.5, bucket_limit=[1.0, 2.0], bucket=[3.0, 4.0]))]))
    d = _proto.decode(_proto.EVENT, ev.SerializeToString())
    assert d["wall_time"] == 2.25 and d["step"] == 10
    h = d["summary"]["value"][0]["histo"]
    assert h["min"] == 0.5
    np.testing.assert_array_equal(h["bucket_limit"], [1.0, 2.0])
    np.testing.assert_array_equal(h["bucket"], [3.0, 4.0])


# --- names and layout ------------------------------------------------------------------------------

def test_default_log_dir_and_file_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with SummaryWriter(comment="_lr0.1", filename_suffix=".v2") as w:
        log_dir = w.get_logdir()
    host = re.escape(socket.gethostname())
    assert re.fullmatch(rf"runs/[A-Z][a-z]{{2}}\d\d_\d\d-\d\d-\d\d_{host}_lr0\.1", log_dir.replace(os.sep, "/"))
    (name,) = os.listdir(log_dir)
    assert re.fullmatch(rf"events\.out\.tfevents\.\d{{10}}\.{host}\.{os.getpid()}\.\d+\.v2", name)


def test_add_scalars_layout_like_torch(tmp_path, torch):
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    for cls, sub in ((SummaryWriter, "ours"), (TorchWriter, "torch")):
        with cls(str(tmp_path / sub)) as w:
            for step in range(3):
                w.add_scalars("loss/all", {"train": step * 1.0, "val": step * 2.0}, step)
    dirs = {s: sorted(os.listdir(tmp_path / s)) for s in ("ours", "torch")}
    strip = [re.sub(r"events\.out\.tfevents\..*", "EVENTS", n) for n in dirs["ours"]]
    assert strip == [re.sub(r"events\.out\.tfevents\..*", "EVENTS", n) for n in dirs["torch"]]
    assert "loss_all_train" in dirs["ours"] and "loss_all_val" in dirs["ours"]
    acc = accumulate(tmp_path / "ours" / "loss_all_val")
    assert [(e.step, e.value) for e in acc.Scalars("loss/all")] == [(0, 0.0), (1, 2.0), (2, 4.0)]


# --- every add_* kind, read by TensorBoard ---------------------------------------------------------

def test_scalars_exact_in_tensorboard(tmp_path):
    values = np.random.default_rng(0).normal(size=50)
    with SummaryWriter(str(tmp_path)) as w:
        for i, v in enumerate(values):
            w.add_scalar("loss", v, global_step=i, walltime=1000.0 + i)
        w.add_scalar("tensor_value", edutorch.tensor(2.5), 0)
        w.add_scalar("numpy_value", np.float32(0.25), 0)
        w.add_scalar("new_style", 0.125, 3, new_style=True)
        w.add_scalar("double", 1 / 3, 4, new_style=True, double_precision=True)
    acc = accumulate(tmp_path)
    got = acc.Scalars("loss")
    assert [e.step for e in got] == list(range(50))
    assert [e.wall_time for e in got] == [1000.0 + i for i in range(50)]
    assert [e.value for e in got] == [float(np.float32(v)) for v in values]  # float32 simple_value
    assert acc.Scalars("tensor_value")[0].value == 2.5
    assert acc.Scalars("numpy_value")[0].value == 0.25
    assert acc.Tensors("new_style")[0].tensor_proto.float_val == [0.125]
    assert acc.Tensors("double")[0].tensor_proto.double_val == [1 / 3]
    assert acc.SummaryMetadata("new_style").plugin_data.plugin_name == "scalars"


def test_nan_and_inf_scalars_are_written_with_a_warning(tmp_path):
    with SummaryWriter(str(tmp_path)) as w:
        with pytest.warns(RuntimeWarning, match="'train/loss'.*nan"):
            w.add_scalar("train/loss", float("nan"), 0)
        with pytest.warns(RuntimeWarning, match="'train/loss'.*inf"):
            w.add_scalar("train/loss", float("inf"), 1)
        w.add_scalar("train/loss", 1.0, 2)
    values = [e.value for e in accumulate(tmp_path).Scalars("train/loss")]
    assert math.isnan(values[0]) and values[1] == math.inf and values[2] == 1.0


def test_images_in_tensorboard(tmp_path):
    rng = np.random.default_rng(0)
    chw = rng.random((3, 20, 30)).astype(np.float32)
    hwc_uint8 = rng.integers(0, 256, (12, 7, 3), dtype=np.uint8)
    with SummaryWriter(str(tmp_path)) as w:
        w.add_image("chw", chw, 0)
        w.add_image("chw_edutorch", edutorch.tensor(chw), 0)
        w.add_image("hwc", hwc_uint8, 1, dataformats="HWC")
        w.add_image("hw", rng.random((5, 9)), 2, dataformats="HW")
        w.add_image("wh", rng.random((5, 9)), 2, dataformats="WH")
        w.add_image("grey", rng.random((1, 6, 4)), 3)
        w.add_images("batch", rng.random((10, 3, 8, 6)), 4)  # grid of 8 columns x 2 rows
        w.add_images("batch_nhwc", rng.random((3, 8, 6, 1)), 4, dataformats="NHWC")
    acc = accumulate(tmp_path)
    sizes = {t: (acc.Images(t)[0].height, acc.Images(t)[0].width) for t in acc.Tags()["images"]}
    assert sizes == {"chw": (20, 30), "chw_edutorch": (20, 30), "hwc": (12, 7), "hw": (5, 9), "wh": (9, 5),
                     "grey": (6, 4), "batch": (16, 48), "batch_nhwc": (8, 18)}
    runs = read_events(tmp_path)
    np.testing.assert_array_equal(runs["."]["hwc"].values[0].to_array(), hwc_uint8)  # uint8 kept exactly
    expected = (chw.transpose(1, 2, 0) * 255).clip(0, 255).astype(np.uint8)
    np.testing.assert_array_equal(runs["."]["chw"].values[0].to_array(), expected)


def test_summary_fields_match_torch_writer(tmp_path, torch):
    """The Summary values of each kind are the same protos PyTorch's writer produces."""
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    rng = np.random.default_rng(1)
    img = rng.random((3, 6, 5)).astype(np.float32)
    values = rng.normal(size=1000)
    labels, preds = rng.integers(0, 2, 50), rng.random(50)
    for cls, sub in ((SummaryWriter, "ours"), (TorchWriter, "torch")):
        with cls(str(tmp_path / sub)) as w:
            w.add_scalar("s", 0.1, 1)
            w.add_histogram("h", values, 2)
            w.add_histogram("h_auto", values, 2, bins="auto")
            w.add_histogram("h_max", values, 2, bins=100, max_bins=30)
            w.add_histogram_raw("raw", 0, 3, 6, 9, 21, [1, 2, 3], [1, 2, 3], 2)
            w.add_image("i", img, 3)
            w.add_text("t", "**bold** é", 4)
            w.add_pr_curve("pr", labels, preds, 5, num_thresholds=11)
            w.add_tensor("tensor", torch.tensor([[1.0, 2.0]]) if cls is TorchWriter
                         else edutorch.tensor([[1.0, 2.0]]), 6)
    ours, theirs = summaries_of(tmp_path / "ours"), summaries_of(tmp_path / "torch")
    assert len(ours) == len(theirs) == 9
    for a, b in zip(ours, theirs):
        assert a == b, a.tag


def test_histograms_in_tensorboard(tmp_path):
    values = np.random.default_rng(2).normal(size=1000)
    with SummaryWriter(str(tmp_path)) as w:
        w.add_histogram("weights", values, 0)
        w.add_histogram("param", nn.Linear(20, 30).weight, 1)  # an edutorch Parameter
        with pytest.raises(ValueError, match="'empty'.*no element"):
            w.add_histogram("empty", np.zeros(0), 0)
        with pytest.raises(ValueError, match="'bad'.*NaN"):
            w.add_histogram("bad", np.array([1.0, np.nan]), 0)
    h = accumulate(tmp_path).Histograms("weights")[0].histogram_value
    assert h.num == 1000 and h.min == values.min() and h.max == values.max()
    assert sum(h.bucket) == 1000 and len(h.bucket) == len(h.bucket_limit)
    assert accumulate(tmp_path).Histograms("param")[0].histogram_value.num == 600


def test_text_graph_hparams_pr_curve_in_tensorboard(tmp_path):
    with SummaryWriter(str(tmp_path)) as w:
        w.add_text("notes", "# Title\n*markdown*", 7)
        w.add_graph(Net(), edutorch.randn(3, 4))
        w.add_hparams({"lr": 0.1, "opt": "sgd"}, {"hparam/acc": 0.75}, run_name="trial")
        w.add_pr_curve("pr", np.array([0, 1, 1, 0]), np.array([0.1, 0.9, 0.6, 0.4]), 0)
    acc = accumulate(tmp_path)
    text = acc.Tensors("notes/text_summary")[0]
    assert text.step == 7 and text.tensor_proto.string_val == [b"# Title\n*markdown*"]
    assert acc.SummaryMetadata("notes/text_summary").plugin_data.plugin_name == "text"

    graph = acc.Graph()
    names = {n.name for n in graph.node}
    assert {"input/x", "output/output.1", "Net/Linear[fc1]/weight", "Net/Linear[fc1]/addmm",
            "Net/ReLU[act]/relu", "Net/Linear[fc2]/addmm"} <= names
    for n in graph.node:  # every input names an existing node: TensorBoard can draw the edges
        assert all(i.split(":")[0] in names for i in n.input), n
    relu = next(n for n in graph.node if n.name == "Net/ReLU[act]/relu")
    assert relu.op == "aten::relu" and relu.input == ["Net/Linear[fc1]/addmm"]
    assert [d.size for d in relu.attr["_output_shapes"].list.shape[0].dim] == [3, 8]
    assert acc.RunMetadata("step1").step_stats.dev_stats[0].device == "/device:CPU:0"

    hp = accumulate(tmp_path / "trial")
    content = hp.PluginTagToContent("hparams")
    from tensorboard.plugins.hparams import plugin_data_pb2

    start = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_start_info"])
    assert start.session_start_info.hparams["lr"].number_value == 0.1
    assert start.session_start_info.hparams["opt"].string_value == "sgd"
    exp = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/experiment"]).experiment
    assert [m.name.tag for m in exp.metric_infos] == ["hparam/acc"]
    assert hp.Scalars("hparam/acc")[0].value == 0.75
    assert acc.Tensors("pr")[0].tensor_proto.tensor_shape.dim[0].size == 6


def test_hparams_and_graph_with_torch_messages(tmp_path, torch):
    """hparams summaries equal PyTorch's; both graphs contain the same module scopes."""
    from torch.utils.tensorboard.summary import hparams as torch_hparams
    from edutorch.utils.tensorboard import _summary

    args = ({"lr": 0.01, "bs": 32, "opt": "adam", "flag": True, "skip": None}, {"acc": 0.5, "loss": 1.0},
            {"opt": ["adam", "sgd"], "bs": [16, 32]})
    ours = _summary.hparams(*args)
    theirs = torch_hparams(*args)
    from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData

    for a, b in zip(ours, theirs):
        a = summary_pb2.Summary.FromString(_proto.encode(_proto.SUMMARY, a))
        assert [v.tag for v in a.value] == [v.tag for v in b.value]
        pa, pb = a.value[0].metadata.plugin_data, b.value[0].metadata.plugin_data
        assert pa.plugin_name == pb.plugin_name == "hparams"
        # map entries may be serialized in any order: compare the parsed messages
        assert HParamsPluginData.FromString(pa.content) == HParamsPluginData.FromString(pb.content)

    import torch.nn as tnn
    from torch.utils.tensorboard._pytorch_graph import graph as torch_graph

    class TorchNet(tnn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.act, self.fc2 = tnn.Linear(4, 8), tnn.ReLU(), tnn.Linear(8, 2)

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x)))

    TorchNet.__name__ = "Net"
    tg, _ = torch_graph(TorchNet(), torch.randn(3, 4))
    with SummaryWriter(str(tmp_path)) as w:
        w.add_graph(Net(), edutorch.randn(3, 4))
    ours_g = accumulate(tmp_path).Graph()
    scopes = lambda g: {n.name.rsplit("/", 1)[0] for n in g.node if n.name.startswith("Net/")}  # noqa: E731
    assert scopes(tg) <= scopes(ours_g) | {"Net/Linear[fc1]/weight", "Net/Linear[fc1]/bias",
                                            "Net/Linear[fc2]/weight", "Net/Linear[fc2]/bias"}
    assert {n.name for n in tg.node if n.op == "IO Node"} == {n.name for n in ours_g.node if n.op == "IO Node"}


def test_graph_of_nested_model_with_shared_input_ops(tmp_path):
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 3, padding=1)
            self.bn = nn.BatchNorm2d(2)

        def forward(self, x):
            return edutorch.relu(self.bn(self.conv(x))) + x  # residual: x used twice

    model = nn.Sequential(Block(), nn.Flatten(), nn.Linear(2 * 5 * 5, 3))
    model.train()
    with SummaryWriter(str(tmp_path)) as w:
        w.add_graph(model, edutorch.randn(2, 1, 5, 5))
    assert model.training  # restored after the eval-mode pass
    graph = read_events(tmp_path)["."].graph
    names = {n.name for n in graph.nodes}
    assert any(n.startswith("Sequential/Block[0]/Conv2d[conv]/") for n in names)
    assert any(n.startswith("Sequential/Block[0]/BatchNorm2d[bn]/") for n in names)
    assert "Sequential/Block[0]/Conv2d[conv]/weight" in names
    add = [n for n in graph.nodes if n.name.startswith("Sequential/Block[0]/") and n.op == "aten::add"]
    assert add and "input/input" in add[0].inputs  # the residual edge from the input
    out = graph.node("output/output.1")
    assert out.output_shapes == [(2, 3)]


def test_figure_and_audio(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(2, 1.5), dpi=50)
    plt.plot([0, 1], [1, 0])
    with SummaryWriter(str(tmp_path)) as w:
        w.add_figure("fig", fig, 0)
        assert not plt.fignum_exists(fig.number)  # closed
        figs = [plt.figure(figsize=(1, 1), dpi=40) for _ in range(2)]
        w.add_figure("figs", figs, 1, close=False)
        w.add_audio("sound", np.sin(np.linspace(0, 100, 800))[None], 0, sample_rate=8000)
    assert all(plt.fignum_exists(f.number) for f in figs)
    plt.close("all")
    acc = accumulate(tmp_path)
    image = acc.Images("fig")[0]
    assert (image.width, image.height) == (100, 75)
    assert (acc.Images("figs")[0].width, acc.Images("figs")[0].height) == (80, 40)
    assert acc.Audio("sound")[0].length_frames == 800


def test_embedding_files_match_torch(tmp_path, torch):
    from google.protobuf import text_format
    from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    rng = np.random.default_rng(3)
    mat = rng.normal(size=(10, 4)).astype(np.float32)
    imgs = rng.random((10, 3, 5, 6)).astype(np.float32)
    meta = [f"p{i}" for i in range(10)]
    for cls, sub, conv in ((SummaryWriter, "ours", edutorch.tensor), (TorchWriter, "torch", torch.tensor)):
        with cls(str(tmp_path / sub)) as w:
            w.add_embedding(conv(mat), metadata=meta, label_img=conv(imgs), tag="feat/x")
            w.add_embedding(mat, metadata=[[i, i % 2] for i in range(10)], metadata_header=["i", "odd"],
                            global_step=3)
    for rel in ("projector_config.pbtxt", "00000/feat%2fx/tensors.tsv", "00000/feat%2fx/metadata.tsv",
                "00000/feat%2fx/sprite.png", "00003/default/tensors.tsv", "00003/default/metadata.tsv"):
        assert (tmp_path / "ours" / rel).read_bytes() == (tmp_path / "torch" / rel).read_bytes(), rel
    config = text_format.Parse((tmp_path / "ours" / "projector_config.pbtxt").read_text(), ProjectorConfig())
    assert [e.tensor_name for e in config.embeddings] == ["feat/x:00000", "default:00003"]
    assert list(config.embeddings[0].sprite.single_image_dim) == [6, 5]


# --- writer behaviour ------------------------------------------------------------------------------

def _records(log_dir) -> int:
    (path,) = glob.glob(os.path.join(str(log_dir), "events.out.tfevents.*"))
    with open(path, "rb") as f:
        return sum(1 for _ in _events.iter_records(f))


def test_max_queue_flush_secs_flush_close(tmp_path):
    w = SummaryWriter(str(tmp_path / "a"), max_queue=3, flush_secs=3600)
    assert _records(tmp_path / "a") == 1  # the file_version record, written at once
    w.add_scalar("x", 1.0, 0)
    w.add_scalar("x", 2.0, 1)
    assert _records(tmp_path / "a") == 1  # queued
    w.add_scalar("x", 3.0, 2)
    assert _records(tmp_path / "a") == 4  # the queue was full
    w.add_scalar("x", 4.0, 3)
    w.flush()
    assert _records(tmp_path / "a") == 5
    w.close()
    w.close()  # twice is fine
    w.add_scalar("x", 5.0, 4)  # reopens: a new event file, as PyTorch
    w.close()
    assert len(glob.glob(str(tmp_path / "a" / "events.*"))) == 2

    w = SummaryWriter(str(tmp_path / "b"), flush_secs=0.05)
    w.add_scalar("x", 1.0, 0)
    deadline = time.time() + 5
    while _records(tmp_path / "b") < 2 and time.time() < deadline:
        time.sleep(0.02)
    assert _records(tmp_path / "b") == 2  # the background thread flushed
    w.close()


def test_unclosed_writer_is_flushed_when_collected(tmp_path):
    w = SummaryWriter(str(tmp_path))
    w.add_scalar("x", 1.0, 0)
    del w
    import gc

    gc.collect()
    assert _records(tmp_path) == 2


def test_purge_step_hides_later_steps(tmp_path):
    with SummaryWriter(str(tmp_path)) as w:
        for i in range(10):
            w.add_scalar("loss", float(i), i)
    time.sleep(1.01)  # a later file name (names start with the time in seconds)
    with SummaryWriter(str(tmp_path), purge_step=5) as w:
        for i in range(5, 8):
            w.add_scalar("loss", 100.0 + i, i)
    steps = [(e.step, e.value) for e in accumulate(tmp_path).Scalars("loss")]
    expected = [(i, float(i)) for i in range(5)] + [(i, 100.0 + i) for i in range(5, 8)]
    assert steps == expected
    series = read_events(tmp_path)["."]["loss"]
    assert list(zip(series.steps.tolist(), series.values.tolist())) == expected


# --- errors ----------------------------------------------------------------------------------------

def test_bad_dataformats_name_tag_shape_and_fix(tmp_path):
    with SummaryWriter(str(tmp_path)) as w:
        with pytest.raises(ValueError, match=r"'pic'.*\(32, 32, 3\).*'CHW'.*dataformats='HWC'"):
            w.add_image("pic", np.zeros((32, 32, 3)))
        with pytest.raises(ValueError, match=r"'pic'.*\(32, 32\).*'CHW'.*dataformats='HW'"):
            w.add_image("pic", np.zeros((32, 32)))
        with pytest.raises(ValueError, match=r"'batch'.*\(4, 3, 8, 8\).*add_images"):
            w.add_image("batch", np.zeros((4, 3, 8, 8)))
        with pytest.raises(ValueError, match=r"'batch'.*\(4, 8, 8, 3\).*'NHWC'"):
            w.add_images("batch", np.zeros((4, 8, 8, 3)))
        with pytest.raises(ValueError, match="not a valid layout"):
            w.add_image("pic", np.zeros((3, 4, 4)), dataformats="CCW")
    assert read_events(tmp_path)["."].tags() == []  # nothing half-written


def test_bad_tags_and_values(tmp_path):
    with SummaryWriter(str(tmp_path)) as w:
        with pytest.raises(TypeError, match="tag must be a str, got int: 3"):
            w.add_scalar(3, 1.0)
        with pytest.raises(TypeError, match=r"got tuple: \('a', 1\)"):
            w.add_image(("a", 1), np.zeros((3, 2, 2)))
        with pytest.raises(TypeError, match="main_tag"):
            w.add_scalars(None, {"a": 1.0})
        with pytest.raises(ValueError, match=r"add_scalar\('loss'\).*shape \(3,\)"):
            w.add_scalar("loss", np.ones(3))
        with pytest.raises(TypeError, match="hparam_dict and metric_dict should be dictionary"):
            w.add_hparams([("lr", 1)], {})
        with pytest.raises(ValueError, match="bucket_limits"):
            w.add_histogram_raw("r", 0, 1, 1, 1, 1, [1, 2], [1])
        with pytest.raises(ValueError, match="example input"):
            w.add_graph(Net())


def test_graphs_plugin_serves_the_graph(tmp_path):
    """TensorBoard's Graphs plugin (what the Graphs tab asks) finds the run graph and returns it."""
    from tensorboard import context
    from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer
    from tensorboard.plugins import base_plugin
    from tensorboard.plugins.graph import graphs_plugin

    with SummaryWriter(str(tmp_path / "run1")) as w:
        w.add_graph(nn.Sequential(nn.Linear(4, 3), nn.ReLU()), edutorch.randn(2, 4))
    multiplexer = plugin_event_multiplexer.EventMultiplexer()
    multiplexer.AddRunsFromDirectory(str(tmp_path))
    multiplexer.Reload()
    provider = data_provider.MultiplexerDataProvider(multiplexer, str(tmp_path))
    plugin = graphs_plugin.GraphsPlugin(base_plugin.TBContext(logdir=str(tmp_path), multiplexer=multiplexer,
                                                              data_provider=provider))
    info = plugin.info_impl(context.RequestContext(), "")
    assert info["run1"]["run_graph"] is True
    body, mime = plugin.graph_impl(context.RequestContext(), "run1", tag=None, is_conceptual=False, experiment="")
    assert mime == "text/x-protobuf"
    assert 'name: "Sequential/Linear[0]/addmm"' in body and 'op: "aten::relu"' in body
    assert body.count("node {") == 7  # input, weight, t, bias, addmm, relu, output
