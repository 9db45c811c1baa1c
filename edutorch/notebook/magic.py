"""``%load_ext edutorch``: the ``%edutorch_board`` line magic.

::

    %load_ext edutorch
    %edutorch_board --logdir runs
    %edutorch_board --logdir runs --tags "loss*" --smoothing 0.8 --refresh 2
    %edutorch_board --logdir runs --kind histograms --text

IPython calls ``load_ipython_extension(ipython)`` when a notebook runs ``%load_ext edutorch``
(``edutorch/__init__.py`` delegates here). It registers ``BoardMagics``, whose option parsing is
declared with ``IPython.core.magic_arguments``, so ``%edutorch_board?`` shows the options and a bad
option is reported as a ``UsageError`` naming it. The work is done by ``board.show_board``. Unlike
TensorBoard's own ``%tensorboard`` magic, nothing here needs the tensorboard or TensorFlow packages.
"""
from __future__ import annotations

import argparse

from IPython.core import magic_arguments
from IPython.core.magic import Magics, line_magic, magics_class

from .board import BOARD_KINDS, DEFAULT_SMOOTHING, show_board, stop_all


def _unquote(text):
    """IPython splits magic arguments without removing quotes: '"loss*"' -> 'loss*'."""
    if text is not None and len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _smoothing(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (TensorBoard's slider), got {value:g}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0 seconds, got {value:g}")
    return value


@magics_class
class BoardMagics(Magics):
    """The magics registered by ``%load_ext edutorch``."""

    @magic_arguments.magic_arguments()
    @magic_arguments.argument("--logdir", default="runs",
                              help="directory of runs written by SummaryWriter(log_dir=...); searched recursively "
                                   "for events.out.tfevents.* files (default: runs)")
    @magic_arguments.argument("--tags", default=None,
                              help="keep only tags matching this glob (loss*) or regular expression (loss|acc)")
    @magic_arguments.argument("--smoothing", type=_smoothing, default=DEFAULT_SMOOTHING,
                              help="scalar smoothing weight in [0, 1], TensorBoard's debiased moving average "
                                   f"(default: {DEFAULT_SMOOTHING})")
    @magic_arguments.argument("--kind", choices=BOARD_KINDS, default="all",
                              help="which dashboard to show (default: all)")
    @magic_arguments.argument("--refresh", type=_seconds, default=None, metavar="SECONDS",
                              help="reload the logdir every SECONDS so curves grow while another cell trains "
                                   "(widgets only)")
    @magic_arguments.argument("--text", action="store_true",
                              help="print the text summary (and static figures) instead of widgets")
    @line_magic
    def edutorch_board(self, line: str = ""):
        """Show TensorBoard's dashboards for a logdir inside the notebook, without TensorBoard.

        In a live Jupyter kernel: ipywidgets with run and tag selectors, scalar curves with a
        smoothing slider, images with a step slider, histograms over steps, text and the model graph,
        a refresh button and auto-refresh. Elsewhere (nbval, plain IPython, a terminal, --text): a
        deterministic text summary (runs, tags, step ranges, last values) and static figures.
        It always prints how to open the same logdir in the real TensorBoard.
        """
        args = magic_arguments.parse_argstring(self.edutorch_board, line)
        show_board(_unquote(args.logdir), tags=_unquote(args.tags), smoothing=args.smoothing, kind=args.kind,
                   refresh=args.refresh, text=args.text)


def load_ipython_extension(ipython) -> None:
    """Called by ``%load_ext edutorch`` (through ``edutorch.load_ipython_extension``)."""
    ipython.register_magics(BoardMagics)


def unload_ipython_extension(ipython) -> None:
    """``%unload_ext edutorch``: stop every board's auto-refresh thread."""
    stop_all()
