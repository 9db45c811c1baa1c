"""The notebook board, headless: pure functions (smoothing, tag filter, histogram rebinning, Markdown,
text summary) and the ipywidgets Board (selectors, sliders, refresh, auto-refresh thread)."""
import math
import threading
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

import edutorch
from edutorch import nn
from edutorch.notebook.board import (Board, board_summary, markdown_to_html, match_tags, nothing_found,
                                     rebin_histograms, smooth, tensorboard_hint)
from edutorch.utils.tensorboard import Histogram, SummaryWriter, read_events


def _tensorboard_smoothing(ys, weight):
    """TensorBoard's classicSmoothing (tensorboard/webapp/widgets/line_chart_v2/.../data_transformer.ts),
    line by line, as the reference."""
    if all(y == ys[0] for y in ys):
        return list(ys)
    last, num_accum, out = 0.0, 0, []
    for y in ys:
        if math.isfinite(y):
            last = last * weight + (1 - weight) * y
            num_accum += 1
            debias = 1 if weight == 1 else 1 - weight ** num_accum
            out.append(last / debias)
        else:
            out.append(y)
    return out


def test_smooth_is_tensorboards_debiased_ema():
    # by hand, weight 0.5: 1 -> 0.5/0.5; 2 -> 1.25/0.75; 3 -> 2.125/0.875
    np.testing.assert_allclose(smooth([1.0, 2.0, 3.0], 0.5), [1.0, 1.25 / 0.75, 2.125 / 0.875])
    assert smooth([4.0, 4.0, 4.0], 0.9).tolist() == [4.0, 4.0, 4.0]           # constant: unchanged
    out = smooth([1.0, math.nan, 3.0, math.inf], 0.5)                          # non-finite: passed through
    assert out[0] == 1.0 and math.isnan(out[1]) and out[2] == pytest.approx(1.75 / 0.75) and out[3] == math.inf
    np.testing.assert_array_equal(smooth([3.0, 1.0, 2.0], 0.0), [3.0, 1.0, 2.0])
    rng = np.random.default_rng(0)
    ys = list(rng.normal(size=50).cumsum())
    for w in (0.0, 0.3, 0.6, 0.95, 0.999, 1.0):
        np.testing.assert_allclose(smooth(ys, w), _tensorboard_smoothing(ys, w), rtol=1e-12)
    assert smooth([], 0.6).shape == (0,)
    with pytest.raises(ValueError, match="between 0 and 1"):
        smooth([1.0], 1.5)


def test_match_tags_glob_and_regex():
    tags = ["loss", "loss/val", "acc", "fc1.weight", "fc2.weight"]
    assert match_tags(tags, None) == tags and match_tags(tags, "") == tags
    assert match_tags(tags, "loss*") == ["loss", "loss/val"]
    assert match_tags(tags, "*.weight") == ["fc1.weight", "fc2.weight"]
    assert match_tags(tags, "loss|acc") == ["loss", "loss/val", "acc"]          # regex, searched
    assert match_tags(tags, "fc[12]") == ["fc1.weight", "fc2.weight"]
    assert match_tags(tags, "a*") == ["acc"]                 # a glob first (as a regex, a* matches everything)
    assert match_tags(tags, "los+/v") == ["loss/val"]         # no glob match: a regex
    assert match_tags(tags, "(") == []                                         # bad regex: no match, no crash


def test_rebin_histograms_conserves_counts_and_clips_outer_edges():
    # buckets (min, 0], (0, 1], (1, 1e308] with min=-1, max=2: widths 1, 1, 1 after clipping
    h = Histogram(-1.0, 2.0, 6.0, 3.0, 9.0, np.array([0.0, 1.0, 1e308]), np.array([3.0, 0.0, 3.0]))
    edges, counts = rebin_histograms([h], bins=3)
    np.testing.assert_allclose(edges, [-1, 0, 1, 2])
    np.testing.assert_allclose(counts, [[3, 0, 3]])
    edges, counts = rebin_histograms([h], bins=6)  # each bucket split in half
    np.testing.assert_allclose(counts, [[1.5, 1.5, 0, 0, 1.5, 1.5]])
    point = Histogram(0.5, 0.5, 4.0, 2.0, 1.0, np.array([0.5]), np.array([4.0]))  # all values equal
    edges, counts = rebin_histograms([h, point], bins=3)
    np.testing.assert_allclose(counts.sum(axis=1), [6, 4])
    assert counts[1, 1] == 4  # 0.5 falls in (0, 1]


def test_markdown_is_escaped_and_rendered():
    out = markdown_to_html("# Title\n**bold** and *it* `x<y`\n\n- a\n- b\n\n<script>alert(1)</script>")
    assert "<h1>Title</h1>" in out and "<b>bold</b>" in out and "<i>it</i>" in out
    assert "<code>x&lt;y</code>" in out and "<ul><li>a</li><li>b</li></ul>" in out
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    table = markdown_to_html("|lr|acc|\n|---|---|\n|0.1|0.9|")
    assert table == "<table><tr><th>lr</th><th>acc</th></tr><tr><td>0.1</td><td>0.9</td></tr></table>"
    assert 'href="https://pytorch.org"' in markdown_to_html("[docs](https://pytorch.org)")
    assert "href" not in markdown_to_html("[x](javascript:alert(1))")
    assert markdown_to_html("```\n<b>\n```") == "<pre><code>&lt;b&gt;</code></pre>"


def _write_logdir(root, steps=5):
    with SummaryWriter(str(root / "exp1")) as w:
        for s in range(steps):
            w.add_scalar("loss", 1.0 / (s + 1), s)
            w.add_scalar("acc", s / 8, s)
        w.add_histogram("fc.weight", np.linspace(-1, 1, 101), 0)
        w.add_histogram("fc.weight", np.linspace(0, 3, 101), 2)
        w.add_image("digit", np.full((1, 3, 4), 0.5, dtype=np.float32), 1)  # grey is stored as RGB, as PyTorch does
        w.add_image("digit", np.zeros((1, 3, 4), dtype=np.float32), 3)
        w.add_text("notes", "**lr** = 0.1 <b>", 0)
        w.add_graph(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)), edutorch.zeros(3, 4))
    with SummaryWriter(str(root / "exp2")) as w:
        for s in range(0, 8, 2):
            w.add_scalar("loss", 2.0 ** -s, s)


EXPECTED_RUNS = """\
run 'exp1' (1 event file)
  scalars     acc                 5 points  steps 0..4  last 0.5 (smoothed 0.365198)
  scalars     loss                5 points  steps 0..4  last 0.2 (smoothed 0.306905)
  images      digit               2 points  steps 1..3  last 4x3 RGB
  histograms  fc.weight           2 points  steps 0..2  last n=101 min=0 max=3 mean=1.5
  text        notes/text_summary   1 point  step 0      last '**lr** = 0.1 <b>'
  graph       11 nodes: 4 Parameter, 2 IO Node, 2 aten::addmm, 2 aten::t, 1 aten::relu
run 'exp2' (1 event file)
  scalars     loss                4 points  steps 0..6  last 0.015625 (smoothed 0.165039)"""


def test_board_summary_exact(tmp_path):
    _write_logdir(tmp_path)
    runs = read_events(tmp_path)
    text = board_summary(runs, "runs", smoothing=0.6)
    lines = text.splitlines()
    assert lines[0] == "edutorch board: 'runs': 2 runs, 6 tags"
    assert "\n".join(lines[1:10]) == EXPECTED_RUNS
    assert lines[10] == "To open the same logdir in TensorBoard:  tensorboard --logdir runs"
    assert "--bind_all" in lines[11] and "%load_ext tensorboard" in lines[12] and "pip install tensorboard" in lines[12]
    # the smoothed values are smooth()'s last values
    assert f"{smooth(runs['exp1']['loss'].values, 0.6)[-1]:.6g}" == "0.306905"
    # no smoothing: only the last value; one kind and a tag filter
    text = board_summary(runs, "runs", tags="loss", kind="scalars", hint=False)
    assert text.splitlines() == [
        "edutorch board: 'runs': 2 runs, 2 scalars tags matching 'loss'",
        "run 'exp1' (1 event file)",
        "  scalars  loss  5 points  steps 0..4  last 0.2",
        "run 'exp2' (1 event file)",
        "  scalars  loss  4 points  steps 0..6  last 0.015625",
    ]
    text = board_summary(runs, "runs", tags="nope*", hint=False)
    assert text.splitlines()[-1] == ("no tag matches 'nope*'; tags: acc, digit, fc.weight, loss, "
                                     "notes/text_summary")
    assert board_summary(runs, "runs") == board_summary(read_events(tmp_path), "runs")  # deterministic


def test_nothing_found_says_where_and_what(tmp_path):
    missing = tmp_path / "nowhere"
    text = board_summary({}, str(missing))
    assert f"no event files found in {str(missing)!r} (searched {missing})" in text
    assert "does not exist" in text and "events.out.tfevents.*" in text and "SummaryWriter(log_dir=...)" in text
    assert "No dashboards are active" not in text and "tensorboard --logdir" in text
    (tmp_path / "empty").mkdir()
    assert "exists but has no event files" in nothing_found(tmp_path / "empty")
    assert "tensorboard --logdir 'my runs'" in tensorboard_hint("my runs")  # quoted for the shell


def _lines(fig, gid):
    return [line for ax in fig.axes for line in ax.lines if line.get_gid() == gid]


def test_board_headless_selectors_sliders_and_figures(tmp_path):
    _write_logdir(tmp_path)
    board = Board(tmp_path, smoothing=0.5)
    try:
        assert board.runs.options == ("exp1", "exp2") and board.runs.value == ("exp1", "exp2")
        assert board.scalar_tags.options == ("acc", "loss") and board.scalar_tags.value == ("acc", "loss")
        fig = board.figures["scalars"]
        assert len(fig.axes) == 2 and [ax.get_title() for ax in fig.axes] == ["acc", "loss"]
        raw, smoothed = _lines(fig, "raw"), _lines(fig, "smoothed")
        assert len(raw) == len(smoothed) == 3                       # acc: exp1; loss: exp1 + exp2
        loss_exp2 = [ln for ln in smoothed if ln.get_label() == "exp2"][0]
        np.testing.assert_allclose(loss_exp2.get_ydata(), smooth(2.0 ** -np.arange(0, 8, 2), 0.5))
        assert raw[0].get_alpha() == 0.25 and raw[0].get_color() == smoothed[0].get_color()
        # the smoothing slider redraws with the new weight
        board.smoothing.value = 0.0
        loss_exp2 = [ln for ln in _lines(fig, "smoothed") if ln.get_label() == "exp2"][0]
        np.testing.assert_allclose(loss_exp2.get_ydata(), 2.0 ** -np.arange(0, 8, 2))
        # run selection and tag selection
        board.runs.value = ("exp2",)
        assert board.scalar_tags.options == ("loss",) and len(_lines(fig, "smoothed")) == 1
        board.runs.value = ("exp1", "exp2")
        board.tag_filter.value = "acc"
        assert board.scalar_tags.options == ("acc",) and len(fig.axes) == 1
        board.tag_filter.value = ""
        board.scalar_tags.value = ("loss",)
        assert [ax.get_title() for ax in fig.axes] == ["loss"]
        assert len(board.scalar_image.value) > 100                   # a PNG was rendered
        # images: the step slider picks the image at (or before) the step
        assert board.image_tag.value == "digit" and board.image_step.options == (1, 3)
        assert board.image_step.value == 3
        ax = board.figures["images"].axes[0]
        assert ax.images[0].get_array().max() == 0 and ax.get_title() == "exp1 step 3"
        board.image_step.value = 1
        ax = board.figures["images"].axes[0]
        image = ax.images[0].get_array()
        assert image.shape == (3, 4, 3) and image.max() == 127  # 0.5 * 255, truncated as PyTorch does
        # histograms: one ridge per step (offset), one line per step (overlay)
        assert board.histogram_tag.value == "fc.weight"
        hist_ax = board.figures["histograms"].axes[0]
        assert len(hist_ax.collections) == 2 and [t.get_text() for t in hist_ax.get_yticklabels()] == ["0", "2"]
        board.histogram_mode.value = "overlay"
        assert len(_lines(board.figures["histograms"], "overlay")) == 2
        # text: Markdown rendered, HTML escaped
        assert "<b>lr</b> = 0.1 &lt;b&gt;" in board.text_view.value and "exp1 step 0" in board.text_view.value
        # graph: one box per node
        assert board.graph_run.options == ("exp1",)
        assert len(board.figures["graph"].axes[0].texts) == 11 and "11 nodes" in board.graph_info.value
        assert "tensorboard --logdir" in board.status.value
    finally:
        board.close()


def test_refresh_shows_new_points_and_redraws_only_what_changed(tmp_path):
    _write_logdir(tmp_path)
    board = Board(tmp_path)
    try:
        before = dict(board.draw_count)
        assert board.refresh() == []                                  # nothing new: nothing redrawn
        assert board.draw_count == before
        with SummaryWriter(str(tmp_path / "exp2")) as w:             # a second file in the same run
            for s in range(8, 12):
                w.add_scalar("loss", 2.0 ** -s, s)
        board.refresh_button.click()
        assert board.draw_count["scalars"] == before["scalars"] + 1
        assert all(board.draw_count[k] == before[k] for k in ("images", "histograms", "text", "graph"))
        exp2 = [ln for ln in _lines(board.figures["scalars"], "raw") if ln.get_color() == "#ff7f0e"]
        assert exp2[0].get_xdata().tolist() == [0, 2, 4, 6, 8, 9, 10, 11]
        with SummaryWriter(str(tmp_path / "exp3")) as w:              # a new run appears, selected
            w.add_scalar("acc", 1.0, 0)
        changed = board.refresh()
        assert changed == [("exp3", "acc")] and board.runs.value == ("exp1", "exp2", "exp3")
    finally:
        board.close()


def test_auto_refresh_grows_curves_and_stops_cleanly(tmp_path):
    _write_logdir(tmp_path, steps=3)
    board = Board(tmp_path, refresh=0.05)
    try:
        assert board.running and board.auto_refresh.value
        with SummaryWriter(str(tmp_path / "exp1")) as w:
            for s in range(3, 6):
                w.add_scalar("loss", 0.0, s)
        def drawn_steps():  # the x data of exp1's raw loss curve in the figure the thread redraws
            figure = board.figures.get("scalars")
            lines = [ln for ln in (_lines(figure, "raw") if figure is not None else [])
                     if ln.get_color() == "#1f77b4" and ln.axes.get_title() == "loss"]
            return lines[0].get_xdata().tolist() if lines else []

        # the reload and the redraw after it happen on the board's thread: wait for both (a redraw
        # takes up to a second on a busy machine), then check
        deadline = time.monotonic() + 10
        while drawn_steps() != [0, 1, 2, 3, 4, 5] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(board.reader.runs["exp1"]["loss"]) == 6
        assert drawn_steps() == [0, 1, 2, 3, 4, 5]
        thread = board._thread
        board.auto_refresh.value = False                              # the checkbox stops the thread
        assert not thread.is_alive() and not board.running
        board.auto_refresh.value = True
        assert board.running
    finally:
        board.close()
    assert not board.running
    assert not [t for t in threading.enumerate() if t.name.startswith("edutorch-board")]


def test_board_errors_are_clear(tmp_path):
    with pytest.raises(ValueError, match="kind must be one of scalars, images"):
        Board(tmp_path, kind="audio")
    with pytest.raises(ValueError, match="between 0 and 1"):
        Board(tmp_path, smoothing=-0.1)
    board = Board(tmp_path / "nothing")
    try:
        assert "no event files found" in board.status.value and board.runs.options == ()
        assert len(board.figures["scalars"].axes[0].texts) == 1                 # "no scalars selected"
    finally:
        board.close()
