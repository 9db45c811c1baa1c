"""``%load_ext edutorch`` and ``%edutorch_board`` in an IPython InteractiveShell (no kernel: text mode)."""
import matplotlib

matplotlib.use("Agg")

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from edutorch.notebook import board as board_module
from edutorch.notebook.board import Board
from edutorch.utils.tensorboard import SummaryWriter


@pytest.fixture(scope="module")
def ip():
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "edutorch")
    return shell


def _write(logdir):
    with SummaryWriter(str(logdir / "exp1")) as w:
        for step in range(4):
            w.add_scalar("y=x^2", step ** 2, step)
            w.add_scalar("loss", 1 / 3 ** step, step)
        w.add_text("notes", "first run", 0)


def test_load_ext_registers_the_magic(ip):
    assert "edutorch_board" in ip.magics_manager.magics["line"]


def test_board_magic_prints_the_summary(ip, tmp_path, capsys):
    _write(tmp_path)
    ip.run_line_magic("edutorch_board", f"--logdir {tmp_path} --smoothing 0")
    out = capsys.readouterr().out.splitlines()
    assert out[:5] == [
        f"edutorch board: {str(tmp_path)!r}: 1 run, 3 tags",
        "run 'exp1' (1 event file)",
        "  scalars  loss                4 points  steps 0..3  last 0.037037",
        "  scalars  y=x^2               4 points  steps 0..3  last 9",
        "  text     notes/text_summary   1 point  step 0      last 'first run'",
    ]
    assert out[5] == f"To open the same logdir in TensorBoard:  tensorboard --logdir {tmp_path}"
    assert "--bind_all" in out[6] and "`%load_ext tensorboard`" in out[7]
    # options: tags, kind, smoothing (TensorBoard's default 0.6), --refresh without a kernel
    ip.run_line_magic("edutorch_board", f"--logdir {tmp_path} --tags y* --kind scalars --refresh 2")
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == [f"edutorch board: {str(tmp_path)!r}: 1 run, 1 scalars tag matching 'y*'",
                       "run 'exp1' (1 event file)",
                       "  scalars  y=x^2  4 points  steps 0..3  last 9 (smoothed 5.40441)"]
    assert out[-1] == "(--refresh 2 needs a live notebook; the text summary is printed once)"
    # 0, 1, 4, 9 smoothed with 0.6: (0.4*9 + 0.24*4 + 0.144*1) / (1 - 0.6**4) = 5.40441
    assert f"{(0.4 * 9 + 0.24 * 4 + 0.144 * 1) / (1 - 0.6 ** 4):.6g}" == "5.40441"


def test_quoted_logdir_with_spaces(ip, tmp_path, capsys):
    logdir = tmp_path / "my runs"
    _write(logdir)
    ip.run_line_magic("edutorch_board", f'--logdir "{logdir}" --kind text')
    out = capsys.readouterr().out
    assert f"edutorch board: {str(logdir)!r}: 1 run, 1 text tag" in out
    assert f"tensorboard --logdir '{logdir}'" in out
    # quoted tag patterns lose their quotes too (IPython keeps them when it splits the line)
    ip.run_line_magic("edutorch_board", f'--logdir "{logdir}" --tags "y*" --kind scalars')
    assert "1 scalars tag matching 'y*'" in capsys.readouterr().out
    # the glob decides for all runs at once: a run without matching tags does not fall back to a regex
    with SummaryWriter(str(logdir / "other")) as w:
        w.add_scalar("accuracy", 0.5, 0)  # 'y*' as a regex would match "accuracy"
    ip.run_line_magic("edutorch_board", f'--logdir "{logdir}" --tags "y*" --kind scalars')
    out = capsys.readouterr().out
    assert "1 scalars tag matching 'y*'" in out and "accuracy" not in out


def test_missing_logdir_says_where_and_what(ip, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ip.run_line_magic("edutorch_board", "")  # default --logdir runs
    out = capsys.readouterr().out
    assert f"no event files found in 'runs' (searched {tmp_path / 'runs'})" in out
    assert "events.out.tfevents.*" in out and "SummaryWriter(log_dir=...)" in out and "writer.add_scalar" in out
    assert "No dashboards are active" not in out and "tensorboard --logdir runs" in out


def test_help_and_parse_errors_are_clear(ip):
    doc = ip.find_line_magic("edutorch_board").__doc__
    for option in ("--logdir LOGDIR", "--tags TAGS", "--smoothing SMOOTHING", "--refresh SECONDS", "--text",
                   "{scalars,images,histograms,text,graph,all}", "events.out.tfevents.*"):
        assert option in doc
    with pytest.raises(UsageError, match=r"argument --smoothing: must be between 0 and 1 .*got 1.5"):
        ip.run_line_magic("edutorch_board", "--smoothing 1.5")
    with pytest.raises(UsageError, match=r"argument --smoothing: expected a number between 0 and 1, got 'high'"):
        ip.run_line_magic("edutorch_board", "--smoothing high")
    with pytest.raises(UsageError, match=r"argument --kind: invalid choice: 'audio' \(choose from"):
        ip.run_line_magic("edutorch_board", "--kind audio")
    with pytest.raises(UsageError, match=r"argument --refresh: must be > 0 seconds, got 0"):
        ip.run_line_magic("edutorch_board", "--refresh 0")
    with pytest.raises(UsageError, match="unrecognized arguments: --bogus"):
        ip.run_line_magic("edutorch_board", "--bogus")


def test_widget_mode_in_a_kernel_displays_a_board(ip, tmp_path, monkeypatch):
    _write(tmp_path)
    shown = []
    monkeypatch.setattr(board_module, "_running_in_kernel", lambda: True)
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: shown.extend(objs))
    ip.run_line_magic("edutorch_board", f"--logdir {tmp_path} --refresh 0.05 --tags loss")
    try:
        board = board_module._ACTIVE[-1]
        assert isinstance(board, Board) and board.running and shown == [board.widget]
        assert board.scalar_tags.options == ("loss",) and board.tag_filter.value == "loss"
        ip.run_line_magic("edutorch_board", f"--logdir {tmp_path} --refresh 0.05")  # the cell re-run
        assert not board.running and len(board_module._ACTIVE) == 1             # the old thread stopped
    finally:
        ip.run_line_magic("unload_ext", "edutorch.notebook.magic")
        for b in list(board_module._ACTIVE):
            b.close()
    assert board_module._ACTIVE == []
