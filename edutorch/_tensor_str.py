"""How a tensor prints: the rules behind PyTorch's ``repr(tensor)``, written out.

``repr`` of a tensor looks simple (``tensor([1.5000, 2.0000])``) but follows a handful of precise rules.
edutorch prints exactly what PyTorch prints, so a lesson's output reads the same with either library.

1. **One format for the whole tensor.** Before printing anything, a ``_Formatter`` looks at every value
   that will be shown and picks a single style, so that columns line up:

   - integer and bool tensors print each value as Python would: ``3``, ``-12``, ``True``;
   - a float tensor whose values are all whole numbers prints in *integer mode*: ``1.``, ``-3.``
     (the trailing dot says "this is a float");
   - otherwise *fixed* notation with ``precision`` digits (default 4): ``0.1235``;
   - *scientific* notation ``1.0000e-05`` when the values span too much to be read in fixed notation.
     Only the finite, non-zero values vote: with ``lo``/``hi`` their smallest/largest magnitude,
     scientific is chosen when ``hi / lo > 1000`` or ``hi > 1e8`` or ``lo < 1e-4``.
     ``set_printoptions(sci_mode=True/False)`` forces the choice.

   ``nan``, ``inf`` and ``0`` take no part in the choice; they are printed in the chosen style
   (``nan``, ``-inf``, ``0.``, ``0.0000``). If there is no finite non-zero value at all, integer mode
   is used: ``tensor([0., nan])``.

2. **Common width, right-aligned.** The width of the widest formatted (finite, non-zero) value becomes
   the width of every element; shorter ones get spaces on the left: ``tensor([ 1., -2., 10.])``.

3. **Nested brackets.** A 1-D row is ``[a, b, c]``. A tensor with more dimensions prints its sub-tensors
   one per line, each indented one column deeper than its opening bracket. Between the blocks of a
   k-D tensor there are k - 1 newlines, i.e. k - 2 blank lines, so the blocks of a 3-D tensor are
   separated by one blank line, those of a 4-D tensor by two.

4. **Wrapping.** A row holds ``(linewidth - indent) // (width + 2)`` elements per line (``", "`` takes
   the 2); the rest continue on the next line under the first element.

5. **Summarising.** A tensor with more than ``threshold`` (1000) elements is summarised: along every
   dimension longer than ``2 * edgeitems`` only the first and last ``edgeitems`` (3) entries are shown,
   with ``...`` in between. The format of rule 1 is then chosen from the shown values only.

6. **Special shapes.** A 0-d tensor prints its one value: ``tensor(3.)``. An empty tensor prints
   ``tensor([])`` and, unless its shape is ``(0,)``, its size: ``tensor([], size=(0, 3))``.

7. **Suffixes**, in this order after the numbers:

   - ``dtype=torch.float64`` unless the dtype can be guessed from the numbers: the default float dtype
     (float32), int64 and bool are omitted. An *empty* tensor has no numbers to guess from, so it
     shows every dtype except the default float one (``tensor([], dtype=torch.int64)``);
   - ``grad_fn=<MulBackward0>`` for a tensor made by a recorded op, else ``requires_grad=True`` for a
     leaf that requires grad.

   A suffix that would make the last line longer than ``linewidth`` starts a new line, indented to
   the column after ``tensor(``.

Only the public behaviour is PyTorch's; the code is ours and works on the NumPy array underneath.
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
from typing import Any, Iterator

import numpy as np

from . import _dtype
from ._dtype import get_default_dtype


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4  # digits after the decimal point (fixed and scientific notation)
    threshold: float = 1000  # more elements than this: summarise with "..."
    edgeitems: int = 3  # entries kept at each end of a summarised dimension
    linewidth: int = 80  # characters per line before a row wraps
    sci_mode: bool | None = None  # None: choose per tensor (rule 1); True/False: force


PRINT_OPTS = _PrintOptions()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}



class _INVALID:  # what print shows for a grad_fn that raises
    @staticmethod
    def name() -> str:
        return "Invalid"

def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set options for printing tensors (the same options as NumPy's ``set_printoptions``).

    Args:
        precision: digits after the decimal point (default 4).
        threshold: number of elements above which a tensor is summarised with ``...`` (default 1000).
        edgeitems: entries shown at each end of a summarised dimension (default 3).
        linewidth: characters per line before rows wrap (default 80).
        profile: ``'default'``, ``'short'`` (precision 2, edgeitems 2) or ``'full'`` (never
            summarise); applied first, so the other arguments can override it.
        sci_mode: ``True``/``False`` forces scientific notation on/off; ``None`` (the default) lets
            each tensor choose. As in PyTorch, every call resets it to the value passed.

    Examples::

        >>> set_printoptions(precision=2)
        >>> tensor([1.12345])
        tensor([1.12])
        >>> set_printoptions(profile='default')
    """
    if profile is not None:
        for name, value in _PROFILES.get(profile, {}).items():
            setattr(PRINT_OPTS, name, value)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options, as a dict that can be passed back to ``set_printoptions(**opts)``."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs) -> Iterator[None]:
    """Change the print options inside a ``with`` block only (same arguments as ``set_printoptions``)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# ---------------------------------------------------------------------------------- rule 1 and 2
class _Formatter:
    """Chooses one style and one width for all the elements of a tensor (rules 1 and 2).

    ``values`` are the elements that will be shown (after summarising), as a NumPy array.
    """

    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f" or values.dtype == _dtype.bfloat16.to_numpy()
        self.int_mode = True
        self.sci_mode = False
        self.width = 1

        if not self.floating:  # int or bool: Python's str(), nothing to choose
            self.width = max([1] + [len(str(v)) for v in values.ravel().tolist()])
            return

        # Decide in float64, as PyTorch does: float16/float32 values convert to it exactly, and a
        # float16 could not even hold the 1e8 of the test below (its largest value is 65504).
        values = values.astype(np.float64).ravel()
        voters = values[np.isfinite(values) & (values != 0)]
        if voters.size == 0:  # only zeros, nan and inf: keep integer mode, width 1
            return

        magnitudes = np.abs(voters)
        lo, hi = magnitudes.min(), magnitudes.max()
        self.int_mode = bool(np.all(voters == np.ceil(voters)))
        if PRINT_OPTS.sci_mode is None:
            with np.errstate(over="ignore"):  # 1e300 / 1e-300 is inf, which rightly means "wide"
                ratio = hi / lo
            self.sci_mode = bool(ratio > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        p = PRINT_OPTS.precision
        if self.sci_mode:
            texts = [f"{v:.{p}e}" for v in voters.tolist()]
        elif self.int_mode:
            texts = [f"{v:.0f}." for v in voters.tolist()]
        else:
            texts = [f"{v:.{p}f}" for v in voters.tolist()]
        self.width = max(len(text) for text in texts)

    def format(self, value) -> str:
        """One element (a Python number), right-aligned to the common width."""
        p = PRINT_OPTS.precision
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:.{p}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if math.isfinite(value):
                text += "."  # "1." says float; "nan" and "inf" already do
        else:
            text = f"{value:.{p}f}"
        # nan/inf did not vote on the width, so they may be wider than it: then no padding at all.
        return text.rjust(self.width)


# ---------------------------------------------------------------------------------- rule 5
def _summarized_data(array: np.ndarray) -> np.ndarray:
    """The elements a summarised print shows: the first and last ``edgeitems`` of each long dimension."""
    edge = PRINT_OPTS.edgeitems
    for axis, size in enumerate(array.shape):
        if size > 2 * edge:
            keep = np.r_[0:edge, size - edge:size]
            array = np.take(array, keep, axis=axis)
    return array


# ---------------------------------------------------------------------------------- rules 3 and 4
def _row_str(row: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    """A 1-D row ``[a, b, c]``, wrapped at ``linewidth``; ``indent`` is the column of its ``[``."""
    edge = PRINT_OPTS.edgeitems
    if summarize and not edge:
        items = ["..."]
    elif summarize and len(row) > 2 * edge:
        items = ([formatter.format(v) for v in row[:edge].tolist()] + [" ..."]
                 + [formatter.format(v) for v in row[-edge:].tolist()])
    else:
        items = [formatter.format(v) for v in row.tolist()]

    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / (formatter.width + 2)))
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(array: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    """The bracketed numbers of ``array``, whose opening ``[`` sits at column ``indent``."""
    if array.ndim == 0:
        return formatter.format(array.item())
    if array.ndim == 1:
        return _row_str(array, indent, summarize, formatter)

    edge, n = PRINT_OPTS.edgeitems, len(array)
    if summarize and n > 2 * edge:
        blocks = ([_nested_str(array[i], indent + 1, summarize, formatter) for i in range(edge)]
                  + ["..."]
                  + [_nested_str(array[i], indent + 1, summarize, formatter) for i in range(n - edge, n)])
    else:
        blocks = [_nested_str(sub, indent + 1, summarize, formatter) for sub in array]
    # A k-D tensor separates its blocks by k - 1 newlines: one blank line between matrices of a 3-D one.
    separator = "," + "\n" * (array.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(blocks) + "]"


def _numbers_str(array: np.ndarray, indent: int) -> str:
    summarize = array.size > PRINT_OPTS.threshold
    formatter = _Formatter(_summarized_data(array) if summarize else array)
    return _nested_str(array, indent, summarize, formatter)


# ---------------------------------------------------------------------------------- rule 7
def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append ``, suffix`` items and the closing ``)``, starting a new line when one would not fit."""
    parts = [text]
    # PyTorch's measure of the last line: when there is no newline, rfind gives -1 and this counts
    # two more characters than the line has. Kept as is so that lines break exactly where PyTorch's do.
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(t) -> str:
    """PyTorch's ``repr(tensor)`` for an edutorch tensor (see the module docstring for the rules).

    Reads only ``t._data`` (the NumPy array), ``t.dtype``, ``t.requires_grad`` and ``t.grad_fn``.
    """
    prefix = "tensor("
    indent = len(prefix)
    data = t._data
    dtype_name = t.dtype._name
    default_float = get_default_dtype()._name
    suffixes = []

    if data.size == 0:
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
        if dtype_name != default_float:  # no numbers to guess the dtype from
            suffixes.append(f"dtype={t.dtype!r}")
        numbers = "[]"
    else:
        if not PRINT_OPTS.edgeitems:  # nothing but "..." is shown, so say how big the tensor is
            suffixes.append(f"size={tuple(data.shape)}")
        if dtype_name not in (default_float, "int64", "bool"):
            suffixes.append(f"dtype={t.dtype!r}")
        numbers = _numbers_str(data, indent)

    try:
        grad_fn = t.grad_fn
    except RuntimeError:  # a view whose history cannot be remade after an in-place write (PyTorch's word)
        grad_fn = _INVALID
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")

    return _add_suffixes(prefix + numbers, suffixes, indent)
