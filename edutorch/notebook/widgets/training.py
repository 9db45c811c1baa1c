"""``TrainingMonitor``: live curves, a progress bar and a plain-text fallback for any training loop.

::

    mon = TrainingMonitor(metrics=["loss", "acc"], total_steps=epochs)
    for epoch in range(epochs):
        ...
        mon.log(epoch, loss=train_loss, acc=train_acc, test_acc=test_acc)
    mon.close()                      # final summary

Each keyword of ``log`` is one curve, kept in ``mon.history`` (name -> list of (step, value)). A curve
goes into the panel of the metric its name ends with (``test_acc`` joins ``acc``); names that match no
metric get a panel of their own. In a Jupyter kernel the figure is updated in place through a display
handle (``display(..., display_id=True)`` then ``handle.update``), so the output does not flicker or
grow; elsewhere (a script, nbval, ``mode="text"``) a line is printed every ``print_every`` steps and
``close()`` prints a summary that depends only on the logged values, so notebooks can compare it.
With ``writer`` (anything with ``add_scalar(tag, value, step)``, e.g. a SummaryWriter) every value is
mirrored there too.
"""
from __future__ import annotations

import html
import os
import time

from .conv import _new_figure, figure_png


def _running_in_kernel() -> bool:
    """True in a Jupyter kernel that a person looks at (not under pytest/nbval, not forced to text)."""
    if os.environ.get("EDUTORCH_MONITOR", "").lower() == "text":
        return False
    if "PYTEST_VERSION" in os.environ or "PYTEST_CURRENT_TEST" in os.environ:  # nbval kernels inherit these
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _as_float(value) -> float:
    """A Python float from a number, a NumPy scalar or a one-element tensor."""
    if hasattr(value, "item"):
        value = value.item()
    return float(value)


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def _fmt_time(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class TrainingMonitor:
    """Log metrics from a loop; draw them live (Jupyter) or print them (anywhere else).

    Args:
        metrics: panel names; a logged name joins the panel of the metric it ends with.
        total_steps: the step value at which training is complete (for the progress bar, the ETA and
            the "step i/N" lines); None if unknown.
        writer: optional object with ``add_scalar(tag, value, step)`` (a SummaryWriter).
        print_every: text mode prints a line when ``step % print_every == 0`` and at the last step;
            default: a tenth of ``total_steps``, or every step when it is unknown.
        mode: 'auto' (widgets in a Jupyter kernel, text otherwise), 'widget' or 'text'.
        update_every: seconds between redraws of the curves in widget mode (the last log always draws).
    """

    def __init__(self, metrics=("loss", "acc"), total_steps: int | None = None, writer=None,
                 print_every: int | None = None, mode: str = "auto", update_every: float = 0.5):
        if mode not in ("auto", "widget", "text"):
            raise ValueError(f"mode must be 'auto', 'widget' or 'text', got {mode!r}")
        self.metrics = list(metrics)
        self.total_steps = total_steps
        self.writer = writer
        self.print_every = print_every or (max(1, total_steps // 10) if total_steps else 1)
        self.mode = ("widget" if _running_in_kernel() else "text") if mode == "auto" else mode
        self.update_every = update_every
        self.history: dict = {}
        self.last_step = None
        self.first_step = None
        self.closed = False
        self.clock = time.perf_counter  # replaceable in tests
        self._start = None
        self._last_draw = None
        self._handle = None
        self.figure = _new_figure(4.2 * max(len(self.metrics), 1), 3.0)
        self.progress = self.label = None
        if self.mode == "widget":
            import ipywidgets as W

            self.progress = W.IntProgress(value=0, min=0, max=total_steps or 1, description="progress")
            self.label = W.HTML()

    # --- logging
    def log(self, step: int, **values) -> None:
        """Record ``values`` (name=number or one-element tensor) at ``step``; redraw or print."""
        step = int(step)
        now = self.clock()
        first = self._start is None
        if first:
            self._start, self.first_step = now, step
        for name, value in values.items():
            value = _as_float(value)
            self.history.setdefault(name, []).append((step, value))
            if self.writer is not None:
                self.writer.add_scalar(name, value, step)
        self.last_step = step
        if self.mode == "widget":
            if first:
                self._show()  # draws the figure once; later logs update it in place
            self._update_widgets(now, draw=not first)
        elif step % self.print_every == 0 or (self.total_steps is not None
                                               and self._done() == self.total_steps):
            print(self.line(step))

    def line(self, step: int | None = None) -> str:
        """'step 20/100  loss 0.4121  acc 0.875': the latest value of every curve at ``step``."""
        step = self.last_step if step is None else step
        total = f"/{self.total_steps}" if self.total_steps is not None else ""
        parts = [f"step {step}{total}"]
        for name, points in self.history.items():
            if points and points[-1][0] == step:
                parts.append(f"{name} {_fmt(points[-1][1])}")
        return "  ".join(parts)

    def eta(self, now: float | None = None) -> float | None:
        """Seconds left, from the time per step so far (None before two steps or without total_steps)."""
        if self.total_steps is None or self.last_step is None or self.last_step == self.first_step:
            return None
        now = self.clock() if now is None else now
        per_step = (now - self._start) / (self.last_step - self.first_step)
        return max(self.total_steps - self._done(), 0) * per_step

    def _done(self) -> int:
        """Steps completed, counting from the first logged step."""
        return self.last_step - self.first_step + 1

    # --- pictures
    def panels(self) -> dict:
        """Panel name -> the curve names drawn in it."""
        panels: dict = {m: [] for m in self.metrics}
        for name in self.history:
            owner = next((m for m in self.metrics if name == m or name.endswith(("_" + m, "/" + m, "." + m))),
                         None)
            panels.setdefault(owner or name, []).append(name)
        return panels

    def plot(self, fig=None):
        """Draw every panel (one line per curve) on ``fig`` (default: ``self.figure``) and return it."""
        fig = self.figure if fig is None else fig
        fig.clear()
        panels = self.panels()
        for k, (panel, names) in enumerate(panels.items()):
            ax = fig.add_subplot(1, len(panels), k + 1)
            for name in names:
                steps, values = zip(*self.history[name])
                ax.plot(steps, values, marker="." if len(steps) < 30 else None, label=name)
            ax.set_title(panel)
            ax.set_xlabel("step")
            ax.grid(alpha=0.3)
            if len(names) > 1:
                ax.legend(fontsize=8)
        fig.tight_layout()
        return fig

    def _show(self) -> None:
        from IPython.display import Image, display
        import ipywidgets as W

        display(W.HBox([self.progress, self.label]))
        self._handle = display(Image(data=figure_png(self.plot())), display_id=True)
        self._last_draw = self.clock()

    def _update_widgets(self, now: float, force: bool = False, draw: bool = True) -> None:
        done = self._done()
        self.progress.max = self.total_steps or max(done, 1)
        self.progress.value = min(done, self.progress.max)
        eta = self.eta(now)
        elapsed = now - self._start
        self.label.value = html.escape(self.line()) + (
            f" &nbsp; {_fmt_time(elapsed)} elapsed" + (f", ETA {_fmt_time(eta)}" if eta is not None else ""))
        last = self.total_steps is not None and done >= self.total_steps
        if draw and self._handle is not None and (force or last or now - self._last_draw >= self.update_every):
            from IPython.display import Image

            self._handle.update(Image(data=figure_png(self.plot())))
            self._last_draw = now

    # --- the end
    def summary(self) -> str:
        """Deterministic text: per curve the first, last, min and max values with their steps."""
        if not self.history:
            return "TrainingMonitor: nothing logged"
        n_steps = len({s for points in self.history.values() for s, _ in points})
        lines = [f"TrainingMonitor: {n_steps} steps logged, last step {self.last_step}"]
        for name, points in self.history.items():
            values = [v for _, v in points]
            lo = min(range(len(values)), key=values.__getitem__)
            hi = max(range(len(values)), key=values.__getitem__)
            lines.append(f"  {name}: first {_fmt(values[0])}, last {_fmt(values[-1])}, min {_fmt(values[lo])} "
                         f"(step {points[lo][0]}), max {_fmt(values[hi])} (step {points[hi][0]})")
        return "\n".join(lines)

    def close(self) -> str:
        """Final redraw (widget mode) or the summary printed (text mode); returns the summary."""
        text = self.summary()
        if not self.closed:
            self.closed = True
            if self.mode == "widget" and self._start is not None:
                self._update_widgets(self.clock(), force=True)
            else:
                print(text)
            if self.writer is not None and hasattr(self.writer, "flush"):
                self.writer.flush()
        return text

    def __enter__(self) -> "TrainingMonitor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"TrainingMonitor(metrics={self.metrics}, curves={list(self.history)}, mode={self.mode!r})"
