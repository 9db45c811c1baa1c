"""TrainingMonitor headless: history, text output, writer mirroring, progress/ETA and in-place updates."""
import matplotlib

matplotlib.use("Agg")

import pytest

import edutorch
from edutorch.notebook import TrainingMonitor


class _Writer:
    def __init__(self):
        self.scalars, self.flushed = [], 0

    def add_scalar(self, tag, value, step):
        self.scalars.append((tag, value, step))

    def flush(self):
        self.flushed += 1


def test_history_text_lines_and_summary(capsys):
    writer = _Writer()
    mon = TrainingMonitor(metrics=["loss", "acc"], total_steps=20, writer=writer)
    assert mon.mode == "text"                       # under pytest there is no kernel to draw into
    for step in range(20):
        mon.log(step, loss=edutorch.tensor(1.0 / (step + 1)), acc=step / 20, test_acc=step / 25)
    text = mon.close()
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "step 0/20  loss 1  acc 0  test_acc 0"
    assert out[1] == "step 2/20  loss 0.3333  acc 0.1  test_acc 0.08"
    assert out[10] == "step 19/20  loss 0.05  acc 0.95  test_acc 0.76"   # the last step is always printed
    assert out[11:] == text.splitlines() == [
        "TrainingMonitor: 20 steps logged, last step 19",
        "  loss: first 1, last 0.05, min 0.05 (step 19), max 1 (step 0)",
        "  acc: first 0, last 0.95, min 0 (step 0), max 0.95 (step 19)",
        "  test_acc: first 0, last 0.76, min 0 (step 0), max 0.76 (step 19)",
    ]
    assert mon.history["loss"][:2] == [(0, 1.0), (1, 0.5)] and len(mon.history["test_acc"]) == 20
    assert all(isinstance(v, float) for _, v in mon.history["loss"])
    assert writer.scalars[:3] == [("loss", 1.0, 0), ("acc", 0.0, 0), ("test_acc", 0.0, 0)]
    assert len(writer.scalars) == 60 and writer.flushed == 1
    mon.close()                                     # closing twice prints nothing more
    assert capsys.readouterr().out == ""


def test_panels_and_figure_lines():
    mon = TrainingMonitor(metrics=["loss", "acc"], mode="text", print_every=100)
    for step in range(5):
        mon.log(step, loss=1.0, val_loss=2.0, acc=0.5, lr=0.1)
    assert mon.panels() == {"loss": ["loss", "val_loss"], "acc": ["acc"], "lr": ["lr"]}
    fig = mon.plot()
    assert [ax.get_title() for ax in fig.axes] == ["loss", "acc", "lr"]
    assert [len(ax.lines) for ax in fig.axes] == [2, 1, 1]
    assert list(fig.axes[0].lines[1].get_xdata()) == [0, 1, 2, 3, 4]
    assert fig.axes[0].get_legend() is not None and fig.axes[1].get_legend() is None


def test_context_manager_and_unknown_total(capsys):
    with TrainingMonitor(metrics=["loss"]) as mon:
        mon.log(1, loss=3.0)
        mon.log(2, loss=2.0)
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == ["step 1  loss 3", "step 2  loss 2"]
    assert out[2] == "TrainingMonitor: 2 steps logged, last step 2"
    with pytest.raises(ValueError, match="mode"):
        TrainingMonitor(mode="fancy")


def test_widget_mode_progress_eta_and_in_place_updates(monkeypatch, capsys):
    monkeypatch.setenv("EDUTORCH_MONITOR", "")
    mon = TrainingMonitor(metrics=["loss"], total_steps=5, mode="widget", update_every=0)
    now = [100.0]
    mon.clock = lambda: now[0]

    class Handle:
        def __init__(self):
            self.updates = []

        def update(self, obj):
            self.updates.append(obj)

    shown, handle = [], Handle()

    def display(obj, display_id=False):
        shown.append((type(obj).__name__, display_id))
        return handle if display_id else None

    monkeypatch.setattr("IPython.display.display", display)
    mon.log(0, loss=5.0)                            # first log shows the widgets and the figure, once
    assert shown == [("HBox", False), ("Image", True)] and mon._handle is handle
    labels = []
    for step in range(1, 5):
        now[0] += 2.0
        mon.log(step, loss=5.0 - step)
        labels.append(mon.label.value)
    assert mon.progress.value == 5 and mon.progress.max == 5
    assert labels[0] == "step 1/5  loss 4 &nbsp; 0:00:02 elapsed, ETA 0:00:06"
    assert labels[-1].endswith("0:00:08 elapsed, ETA 0:00:00")
    assert len(handle.updates) == 4 and len(shown) == 2   # one in-place update per log, no new outputs
    assert handle.updates[-1].data[:8] == b"\x89PNG\r\n\x1a\n"
    assert mon.eta() == 0.0
    mon.close()
    assert len(handle.updates) == 5
    assert capsys.readouterr().out == ""            # widget mode prints nothing


def test_widget_updates_are_throttled(monkeypatch):
    monkeypatch.setattr("IPython.display.display", lambda obj, display_id=False: None)
    mon = TrainingMonitor(metrics=["loss"], total_steps=100, mode="widget", update_every=10.0)
    now = [0.0]
    mon.clock = lambda: now[0]
    mon.log(0, loss=1.0)

    class Handle:
        n = 0

        def update(self, obj):
            Handle.n += 1

    mon._handle = Handle()
    for step in range(1, 30):
        now[0] += 1.0
        mon.log(step, loss=1.0)
    assert Handle.n == 2                            # at t = 10 s and t = 20 s only
