"""The checks behind the lessons' exercises.

Each lesson's exercises have a module here (``lesson02.py`` for ``02_autograd``) with one class,
``Checks``, made with the engine the notebook uses::

    from checks.lesson02 import Checks
    check = Checks(torch)          # edutorch or real PyTorch: the checks work on both
    check.ex2(Exp)                 # prints ✓ ... or ✗ ... with a hint that names the mistake

A check never raises: it prints one line that starts with ``✓ Exercise N`` or ``✗ Exercise N``, so
"Run All" goes on past an exercise you have not done yet. ``tools/lessons.py`` and the tests read
those lines: the stored notebooks (with the stubs) must print ✗, the solutions in
``lessons/solutions/`` must print ✓ on both engines, and the common mistakes in
``tests/lessons/mistakes/`` must print ✗ with their specific hint.

Writing a check: decorate a method with ``@exercise(N, "title")``; inside it call ``self.answered``
for every value the learner fills in, then ``self.require(condition, hint)`` and ``self.close(...)``
with hints for the mistakes you expect. Return the success message.
"""
from __future__ import annotations

import functools
import traceback
from pathlib import Path
from typing import Any, Callable

import numpy as np

__all__ = ["Hint", "NotDone", "LessonChecks", "exercise", "DIGITS_RAW", "read_idx"]

# The 8x8 digits of data/digits in MNIST's IDX layout (lessons 03 and 22 check against them).
DIGITS_RAW = Path(__file__).resolve().parents[2] / "data" / "digits" / "MNIST" / "raw"


def read_idx(path: Path) -> np.ndarray:
    """An IDX file (MNIST's format) as a uint8 array: read with NumPy, so checks work on either engine."""
    raw = path.read_bytes()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class Hint(Exception):
    """A wrong answer: the message says what is wrong and what to do."""


class NotDone(Exception):
    """The learner has not filled in the exercise yet."""


def exercise(number: int, title: str) -> Callable:
    """Turn a check method into one that prints ✓/✗ and never raises."""

    def decorate(check: Callable) -> Callable:
        @functools.wraps(check)
        def run(self, *answers: Any, **kwargs: Any) -> None:
            head = f"Exercise {number} ({title})"
            try:
                for answer in answers:
                    self.answered(answer)
                success = check(self, *answers, **kwargs)
            except (NotDone, NotImplementedError):
                print(f"✗ {head}: not done yet. Fill in the exercise cell above (replace the `...` or the "
                      f"`raise NotImplementedError`), run it, then run this check again.")
            except Hint as hint:
                print(f"✗ {head}: {hint}")
            except Exception as error:  # the learner's code raised: say what and where
                print(f"✗ {head}: your code raised {type(error).__name__}: {error}{_where(error)}")
            else:
                print(f"✓ {head}: {success or 'correct.'}")

        run.number, run.title = number, title
        return run

    return decorate


def _where(error: BaseException) -> str:
    """' (in your cell, line 4: `y = x @ w`)' for an error raised by notebook code, else ''."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith("<ipython-input")
              or "/ipykernel_" in f.filename]
    if not frames:
        return ""
    frame = frames[-1]
    return f" (in your code, line {frame.lineno}: `{(frame.line or '').strip()}`)"


class LessonChecks:
    """Base class of each lesson's ``Checks``: the engine, and helpers that produce hints."""

    def __init__(self, torch: Any) -> None:
        self.torch = torch

    # ------------------------------------------------------------------ answers
    @staticmethod
    def answered(value: Any) -> None:
        """Raise NotDone for a value the learner has not filled in (``...``)."""
        if value is Ellipsis:
            raise NotDone()

    @staticmethod
    def require(condition: Any, hint: str) -> None:
        if not condition:
            raise Hint(hint)

    def is_tensor(self, value: Any, what: str) -> None:
        self.answered(value)
        if not isinstance(value, self.torch.Tensor):
            raise Hint(f"{what} should be a tensor, but it is a {type(value).__name__}"
                       + (" (did you forget to `return` it?)" if value is None else "."))

    # ------------------------------------------------------------------ values
    @staticmethod
    def numpy(value: Any) -> np.ndarray:
        """Any tensor (either engine), array or number as a float64 NumPy array."""
        if hasattr(value, "detach"):
            value = value.detach()
            value = value.cpu().numpy() if hasattr(value, "cpu") else value.numpy()
        return np.asarray(value, dtype=np.float64)

    def close(self, actual: Any, expected: Any, what: str, *, atol: float = 1e-5, rtol: float = 1e-4,
              mistakes: tuple = ()) -> None:
        """Require ``actual`` ≈ ``expected``. ``mistakes`` lists ``(wrong_value, hint)`` pairs: when
        the answer equals a known wrong value, its hint is given instead of the generic one."""
        self.answered(actual)
        if actual is None:
            raise Hint(f"{what} is None: did you forget to `return` it?")
        a, e = self.numpy(actual), self.numpy(expected)
        if a.shape == e.shape and np.allclose(a, e, atol=atol, rtol=rtol, equal_nan=True):
            return
        for wrong, hint in mistakes:  # a known wrong answer gets its own hint, whatever its shape
            w = self.numpy(wrong)
            if w.shape == a.shape and np.allclose(a, w, atol=atol, rtol=rtol, equal_nan=True):
                raise Hint(hint)
        if a.shape != e.shape:
            raise Hint(f"{what} has shape {tuple(a.shape)}, expected {tuple(e.shape)}.")
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = a / e
        finite = ratio[np.isfinite(ratio)]
        if finite.size and e.size > 1 and np.allclose(finite, finite.flat[0], rtol=1e-3) and not np.isclose(finite.flat[0], 1):
            raise Hint(f"{what} is off by a factor of {finite.flat[0]:.4g} everywhere: look for a missing or "
                       f"extra constant (a mean instead of a sum, a forgotten 2, the learning rate).")
        index = np.unravel_index(np.argmax(np.abs(a - e)), a.shape) if a.ndim else ()
        raise Hint(f"{what} is not right: at index {tuple(int(i) for i in index)} you have "
                   f"{a[index]:.6g}, expected {e[index]:.6g}.")
