"""read_events / EventReader: files from PyTorch's and TensorBoard's writers, damaged files, a writer
killed with SIGKILL, and incremental reading while a writer is still writing."""
from __future__ import annotations

import glob
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from edutorch.utils.tensorboard import EventReader, SummaryWriter, read_events
from edutorch.utils.tensorboard import _events

tb = pytest.importorskip("tensorboard")

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def event_file(log_dir) -> str:
    (path,) = glob.glob(os.path.join(str(log_dir), "events.out.tfevents.*"))
    return path


def test_reads_torch_writer_files(tmp_path, torch):
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    rng = np.random.default_rng(0)
    values = rng.normal(size=500)
    img = rng.integers(0, 256, (3, 10, 12), dtype=np.uint8)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(4, 2)

        def forward(self, x):
            return torch.relu(self.fc(x))

    with TorchWriter(str(tmp_path)) as w:
        for i in range(20):
            w.add_scalar("loss", 1.0 / (i + 1), i)
        w.add_scalar("new", 0.5, 1, new_style=True)
        w.add_scalar("double", 1 / 3, 1, new_style=True, double_precision=True)
        w.add_scalars("group", {"a": 1.0, "b": 2.0}, 0)
        w.add_histogram("h", values, 3)
        w.add_image("img", img, 4)
        w.add_text("note", "hello *world*", 5)
        w.add_graph(Net(), torch.randn(1, 4))
        w.add_hparams({"lr": 0.1, "opt": "sgd"}, {"hp/acc": 0.9}, run_name="trial")
        w.add_pr_curve("pr", rng.integers(0, 2, 30), rng.random(30), 6)
    runs = read_events(tmp_path)
    assert sorted(runs) == [".", "group_a", "group_b", "trial"]
    run = runs["."]
    loss = run["loss"]
    assert loss.kind == "scalars" and loss.steps.tolist() == list(range(20))
    np.testing.assert_array_equal(loss.values, np.float32([1.0 / (i + 1) for i in range(20)]))
    assert run["new"].values.tolist() == [0.5] and run["double"].values.tolist() == [1 / 3]
    assert runs["group_b"]["group"].values.tolist() == [2.0]
    hist = run["h"].values[0]
    assert run["h"].kind == "histograms" and hist.num == 500 and hist.bucket_counts.sum() == 500
    assert hist.min == values.min() and hist.max == values.max()
    image = run["img"].values[0]
    assert (image.width, image.height) == (12, 10)
    np.testing.assert_array_equal(image.to_array(), img.transpose(1, 2, 0))
    assert run["note/text_summary"].kind == "text" and run["note/text_summary"].values == ["hello *world*"]
    assert run.graph is not None and any(n.op == "aten::linear" for n in run.graph.nodes)
    assert runs["trial"].hparams == {"lr": 0.1, "opt": "sgd"} and runs["trial"].hparams_metrics == ["hp/acc"]
    assert run["pr"].kind == "pr_curves" and run["pr"].values[0].shape == (6, 127)
    assert run.tags("scalars") == ["double", "loss", "new"]


def test_reads_tensorboard_and_tf2_style_files(tmp_path):
    """TensorBoard's numpy writer (tensor scalars) and TF2-layout summaries built with TensorBoard's
    own protos: metadata only with the first value of a tag, images/histograms as tensors."""
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.plugins.histogram import metadata as hist_meta
    from tensorboard.plugins.image import metadata as image_meta
    from tensorboard.summary import Writer
    from tensorboard.summary.writer.event_file_writer import EventFileWriter
    from tensorboard.util import tensor_util
    from edutorch.utils.tensorboard._summary import encode_png

    w = Writer(str(tmp_path / "tb"))
    for i in range(5):
        w.add_scalar("acc", 0.1 * i, step=i)
    w.close()
    runs = read_events(tmp_path / "tb")
    np.testing.assert_allclose(runs["."]["acc"].values, np.float32([0.1 * i for i in range(5)]))

    png = encode_png(np.zeros((4, 6, 3), np.uint8))
    writer = EventFileWriter(str(tmp_path / "tf2"))
    for step in range(2):
        first = step == 0
        img = summary_pb2.Summary.Value(
            tag="pics", tensor=tensor_util.make_tensor_proto([b"6", b"4", png, png], dtype="string"),
            metadata=image_meta.create_summary_metadata("", "") if first else None)
        hist = summary_pb2.Summary.Value(
            tag="w", tensor=tensor_util.make_tensor_proto(np.array([[0.0, 1.0, 3.0], [1.0, 2.0, 5.0]])),
            metadata=hist_meta.create_summary_metadata("", "") if first else None)
        writer.add_event(event_pb2.Event(step=step, wall_time=10.0 + step,
                                         summary=summary_pb2.Summary(value=[img, hist])))
    writer.close()
    run = read_events(tmp_path / "tf2")["."]
    assert run["pics"].kind == "images" and len(run["pics"]) == 2  # second value has no metadata
    assert run["pics"].values[1].to_array().shape == (4, 6, 3)
    assert run["pics/image/1"].kind == "images"
    h = run["w"].values[1]
    assert run["w"].kind == "histograms" and h.num == 8 and h.bucket_counts.tolist() == [3.0, 5.0]
    assert (h.min, h.max) == (0.0, 2.0) and run["w"].wall_times.tolist() == [10.0, 11.0]


def test_truncated_final_record_is_skipped_with_warning_then_read(tmp_path):
    with SummaryWriter(str(tmp_path)) as w:
        for i in range(10):
            w.add_scalar("x", float(i), i)
    path = event_file(tmp_path)
    data = open(path, "rb").read()
    for cut in (3, 10, 20):  # inside the header, the length CRC, the data
        with open(path, "wb") as f:
            f.write(data[:-cut])
        with pytest.warns(RuntimeWarning, match="incomplete"):
            runs = read_events(tmp_path)
        assert runs["."]["x"].steps.tolist() == list(range(9))

    reader = EventReader(tmp_path)
    with open(path, "wb") as f:
        f.write(data[:-10])
    with pytest.warns(RuntimeWarning, match="incomplete"):
        assert ("." , "x") in reader.reload()
    assert len(reader.runs["."]["x"]) == 9
    with open(path, "ab") as f:  # the writer finishes the record
        f.write(data[-10:])
    assert reader.reload() == [(".", "x")]
    assert reader.runs["."]["x"].steps.tolist() == list(range(10))  # read once, not twice
    assert reader.reload() == []


def test_corrupt_record_skipped_and_garbage_never_crashes(tmp_path):
    with SummaryWriter(str(tmp_path / "run")) as w:
        for i in range(5):
            w.add_scalar("x", float(i), i)
    path = event_file(tmp_path / "run")
    data = bytearray(open(path, "rb").read())
    data[-5] ^= 0xFF  # a byte inside the data of the last record
    open(path, "wb").write(bytes(data))
    with pytest.warns(RuntimeWarning, match="checksum"):
        runs = read_events(tmp_path)
    assert runs["run"]["x"].steps.tolist() == [0, 1, 2, 3]
    assert read_events(tmp_path, verify_crc=False, warn=False)["run"]["x"].steps.tolist() == [0, 1, 2, 3, 4]

    (tmp_path / "junk").mkdir()
    rng = np.random.default_rng(0)
    (tmp_path / "junk" / "events.out.tfevents.0.x").write_bytes(rng.integers(0, 256, 5000, dtype=np.uint8).tobytes())
    (tmp_path / "junk" / "events.out.tfevents.1.empty").write_bytes(b"")
    # a valid frame around bytes that are not an Event
    (tmp_path / "junk" / "events.out.tfevents.2.bad").write_bytes(_events.frame_record(b"\xff\xff\xff"))
    with pytest.warns(RuntimeWarning):
        runs = read_events(tmp_path)
    assert len(runs["junk"]) == 0 and len(runs["run"]["x"]) == 4


def test_sigkill_after_flush_loses_nothing(tmp_path):
    n = 300
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {REPO!r})
        from edutorch.utils.tensorboard import SummaryWriter
        w = SummaryWriter({str(tmp_path)!r}, max_queue=1000, flush_secs=3600)
        for i in range({n}):
            w.add_scalar("loss", i * 0.5, i)
        w.flush()
        for i in range({n}, {n} + 50):  # queued, never flushed: may be lost
            w.add_scalar("loss", i * 0.5, i)
        print("flushed", flush=True)
        time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "flushed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no truncated record: records are written whole
        series = read_events(tmp_path)["."]["loss"]
    assert series.steps.tolist() == list(range(n))
    assert series.values.tolist() == [i * 0.5 for i in range(n)]


def test_unclosed_writer_is_flushed_at_interpreter_exit(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {REPO!r})
        from edutorch.utils.tensorboard import SummaryWriter
        w = SummaryWriter({str(tmp_path)!r}, max_queue=1000, flush_secs=3600)
        for i in range(50):
            w.add_scalar("loss", float(i), i)
    """)  # no flush(), no close(): the exit-time finalizer writes the queue
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert read_events(tmp_path)["."]["loss"].steps.tolist() == list(range(50))


def test_round_trip_of_every_kind(tmp_path):
    import edutorch

    rng = np.random.default_rng(5)
    img = rng.integers(0, 256, (2, 3, 4, 5), dtype=np.uint8)
    with SummaryWriter(str(tmp_path)) as w:
        w.add_scalar("s", 0.25, 3, walltime=123.5)
        w.add_histogram_raw("h", 0, 3, 6, 9, 21, [1, 2, 3], [1, 2, 3], 4)
        w.add_images("im", img, 5)
        w.add_text("t", "line 1\nline 2 \u00e9", 6)
        w.add_pr_curve("pr", np.array([1, 0, 1]), np.array([0.9, 0.2, 0.4]), 7, num_thresholds=5)
        w.add_tensor("ten", edutorch.tensor([[1, 2], [3, 4]]), 8)
        w.add_audio("a", np.zeros((1, 100)), 9, sample_rate=1000)
        w.add_hparams({"lr": 0.5, "bs": 8}, {"m": 1.0}, run_name="hp")
    runs = read_events(tmp_path)
    run = runs["."]
    assert {t: run[t].kind for t in run} == {"s": "scalars", "h": "histograms", "im": "images",
                                             "t/text_summary": "text", "pr": "pr_curves", "ten": "tensors",
                                             "a": "audio"}
    assert (run["s"].steps.tolist(), run["s"].wall_times.tolist(), run["s"].values.tolist()) == ([3], [123.5], [0.25])
    h = run["h"].values[0]
    assert (h.min, h.max, h.num, h.sum, h.sum_squares) == (0, 3, 6, 9, 21)
    assert h.bucket_limits.tolist() == [1, 2, 3] and h.bucket_counts.tolist() == [1, 2, 3]
    grid = run["im"].values[0].to_array()
    assert grid.shape == (4, 10, 3)
    np.testing.assert_array_equal(grid[:, 5:], img[1].transpose(1, 2, 0))
    assert run["t/text_summary"].values == ["line 1\nline 2 \u00e9"]
    assert run["pr"].values[0].shape == (6, 5) and run["pr"].values[0][0, 0] == 2  # 2 true positives at t=0
    np.testing.assert_array_equal(run["ten"].values[0], [[1, 2], [3, 4]])
    assert run["ten"].values[0].dtype == np.int64
    assert run["a"].values[0].length_frames == 100 and run["a"].values[0].sample_rate == 1000
    assert runs["hp"].hparams == {"lr": 0.5, "bs": 8.0} and runs["hp"]["m"].values.tolist() == [1.0]


def test_event_reader_follows_a_live_writer(tmp_path):
    w = SummaryWriter(str(tmp_path), max_queue=100)
    reader = EventReader(tmp_path)
    assert reader.reload() == []
    assert list(reader.runs) == ["."]
    w.add_scalar("loss", 1.0, 0)
    w.add_text("msg", "hi", 0)
    assert reader.reload() == []  # not flushed yet
    w.flush()
    assert reader.reload() == [(".", "loss"), (".", "msg/text_summary")]
    w.add_scalar("loss", 0.5, 1)
    w.add_scalars("cmp", {"a": 1.0}, 1)  # a new run appears
    w.flush()
    assert reader.reload() == [(".", "loss"), ("cmp_a", "cmp")]
    assert reader.runs["."]["loss"].values.tolist() == [1.0, 0.5]
    assert reader.runs["."]["loss"].last()[:2] == (1, reader.runs["."]["loss"].wall_times[-1])
    w.close()
    run = read_events(event_file(tmp_path))["."]  # one file can be read on its own too
    assert run.tags() == ["loss", "msg/text_summary"]


def test_missing_logdir_gives_no_runs(tmp_path):
    assert read_events(tmp_path / "nope") == {}
