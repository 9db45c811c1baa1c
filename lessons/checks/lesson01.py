"""Checks for the exercises of lesson 01 (tensors)."""
from __future__ import annotations

import numpy as np

from . import Hint, LessonChecks, NotDone, exercise


class Checks(LessonChecks):
    @exercise(1, "a matrix from eye and indexing")
    def ex1(self, bidiagonal):
        for n in (4, 1, 5):
            m = bidiagonal(n)
            self.is_tensor(m, f"bidiagonal({n})")
            expected = np.eye(n) + 2 * np.eye(n, k=1)
            self.close(m, expected, f"bidiagonal({n})", mistakes=[
                (np.eye(n) + 2 * np.eye(n, k=-1), f"bidiagonal({n}) has its 2s just *below* the diagonal: "
                                                  "m[i, i + 1] is row i, column i + 1 (above)."),
                (np.eye(n), f"bidiagonal({n}) is just the identity: the 2s are missing."),
                (np.eye(n) + 2 * np.triu(np.ones((n, n)), k=1), f"bidiagonal({n}) has 2s in the whole upper "
                                                              "triangle: only the positions (i, i + 1) get a 2."),
                (2 * np.eye(n, k=1), f"bidiagonal({n}) lost its diagonal of 1s: start from torch.eye(n) and "
                                     "write only the 2s into it.")])
            self.require(m.is_floating_point(), f"bidiagonal({n}) has dtype {m.dtype}: make it a float matrix "
                                                "(torch.eye gives float32).")
        return "torch.eye plus one assignment m[idx, idx + 1] = 2 with idx = torch.arange(n - 1)."

    @exercise(2, "standardise each row")
    def ex2(self, standardize_rows):
        torch = self.torch
        x = torch.tensor([[1.0, 2.0, 3.0, 10.0],
                          [4.0, 0.0, -4.0, 2.0],
                          [0.5, 0.5, 1.5, 2.5],
                          [3.0, 1.0, 4.0, 1.0]])
        y = standardize_rows(x)
        self.is_tensor(y, "standardize_rows(x)")
        expected = (x - x.mean(dim=1, keepdim=True)) / x.std(dim=1, keepdim=True)
        self.close(y, expected, "standardize_rows(x) for a 4 x 4 x", mistakes=[
            ((x - x.mean(dim=1)) / x.std(dim=1),
             "without keepdim=True the row means have shape (4,), and broadcasting lines them up with the "
             "*columns* (the last dim): row i got the statistics of row j. Use x.mean(dim=1, keepdim=True), "
             "shape (4, 1)."),
            ((x - x.mean(dim=0, keepdim=True)) / x.std(dim=0, keepdim=True),
             "you standardised the columns (dim=0): each row is one sample, reduce along dim=1."),
            ((x - x.mean(dim=0)) / x.std(dim=0),
             "you standardised the columns (dim=0): each row is one sample, reduce along dim=1."),
            ((x - x.mean()) / x.std(), "you used the mean and std of the whole matrix: reduce each row, dim=1."),
            (x - x.mean(dim=1, keepdim=True), "the rows have mean 0 but you did not divide by their std."),
            ((x - x.mean(dim=1, keepdim=True)) / x.std(dim=1, keepdim=True, unbiased=False),
             "you divided by the std without Bessel's correction (unbiased=False / correction=0): use the "
             "default x.std(dim=1, keepdim=True), which divides by n - 1.")])
        x = torch.tensor([[1.0, 2.0, 4.0], [0.0, -1.0, 1.0], [2.0, 2.0, 5.0], [9.0, 3.0, 0.0], [1.0, 0.0, 0.0]])
        y = standardize_rows(x)
        self.is_tensor(y, "standardize_rows(x)")
        self.close(y.mean(dim=1), torch.zeros(5), "the row means of standardize_rows(x) for a 5 x 3 x")
        self.close(y.std(dim=1), torch.ones(5), "the row standard deviations of standardize_rows(x) for a 5 x 3 x")
        return "mean and std with dim=1, keepdim=True: shape (N, 1), which broadcasts along each row."

    @exercise(3, "predict the dtypes")
    def ex3(self, dtypes):
        torch = self.torch
        if not isinstance(dtypes, (list, tuple)) or any(d is Ellipsis for d in dtypes):
            self.require(isinstance(dtypes, (list, tuple)), "dtypes should be a list of six dtypes.")
            raise NotDone()
        self.require(len(dtypes) == 6, f"dtypes has {len(dtypes)} entries: write one dtype per expression, six.")
        cases = [
            (torch.arange(3) + torch.tensor(1, dtype=torch.int8),
             "a 0-d int8 tensor does not change the dtype of a dimensioned int64 tensor (same category)"),
            (torch.arange(3, dtype=torch.int8) + torch.arange(3),
             "two dimensioned integer tensors: the wider type, int64, wins"),
            (torch.arange(3, dtype=torch.int8) + torch.tensor(7),
             "a 0-d tensor of the same category (integer) never widens a dimensioned tensor: int8 stays"),
            (torch.arange(3) + torch.tensor(0.5, dtype=torch.float64),
             "a 0-d tensor of a higher category (float over int) brings its own dtype, float64"),
            (torch.arange(3.0) + torch.tensor(0.5, dtype=torch.float64),
             "same category (float): the dimensioned float32 tensor keeps its dtype, even against a 0-d float64"),
            (torch.arange(3) / 2, "true division / always gives floats, in the default float dtype float32"),
        ]
        wrong = [f"{k} is {result.dtype}: {why}" for k, ((result, why), answer) in enumerate(zip(cases, dtypes), 1)
                 if answer != result.dtype]
        if wrong:
            raise Hint(f"{len(wrong)} of 6 wrong. Expression " + "; expression ".join(wrong) + ".")
        return "int64, int64, int8, float64, float32, float32: a 0-d tensor counts only with a higher category."

    @exercise(4, "the score of the true class")
    def ex4(self, true_class_scores):
        torch = self.torch
        scores = torch.tensor([[0.1, 2.0, -1.0],
                               [3.0, 0.5, 0.2],
                               [-0.3, 0.0, 1.5],
                               [0.7, 0.8, 0.9]])
        labels = torch.tensor([1, 0, 2, 0])
        got = true_class_scores(scores, labels)
        self.is_tensor(got, "true_class_scores(scores, labels)")
        expected = torch.tensor([2.0, 3.0, 1.5, 0.7])
        self.close(got, expected, "true_class_scores(scores, labels)", mistakes=[
            (expected.unsqueeze(1), "the values are right but the shape is (4, 1): gather keeps the index's shape; "
                                    "squeeze(1) (or flatten) makes it 1-D."),
            (scores[:, labels], "scores[:, labels] picks whole *columns*, a 4 x 4 table: index both dims at once, "
                                "scores[torch.arange(len(labels)), labels], or use gather."),
            (scores[labels], "scores[labels] picks whole *rows*: index both dims at once, "
                             "scores[torch.arange(len(labels)), labels], or use gather.")])
        scores = torch.arange(10.0).reshape(2, 5)
        got = true_class_scores(scores, torch.tensor([4, 3]))
        self.close(got, torch.tensor([4.0, 8.0]), "true_class_scores for 2 samples and 5 classes")
        return "scores.gather(1, labels.unsqueeze(1)).squeeze(1) == scores[torch.arange(N), labels]."

    @exercise(5, "fit a parabola by gradient descent")
    def ex5(self, fit_quadratic):
        torch = self.torch
        x = torch.linspace(-1, 1, 41)
        y = 3 * x ** 2 - x + 0.5 + 0.05 * torch.sin(13 * x)

        def reference(steps, lr, factor=2.0, sequential=False):
            a, b, c = torch.tensor(0.0), torch.tensor(0.0), torch.tensor(0.0)
            for _ in range(steps):
                error = a * x ** 2 + b * x + c - y
                a = a - lr * factor * (error * x ** 2).mean()
                if sequential:
                    error = a * x ** 2 + b * x + c - y
                b = b - lr * factor * (error * x).mean()
                if sequential:
                    error = a * x ** 2 + b * x + c - y
                c = c - lr * factor * error.mean()
            return torch.stack([a, b, c])

        def as_tensor(result, what):
            self.answered(result)
            self.require(isinstance(result, (tuple, list)) and len(result) == 3,
                         f"{what} should return the three coefficients (a, b, c).")
            values = [self.numpy(v) for v in result]
            self.require(all(v.size == 1 for v in values), f"{what}: a, b and c should each be one number.")
            return np.array([float(v.reshape(())) for v in values])

        got = as_tensor(fit_quadratic(x, y, 20, 0.5), "fit_quadratic(x, y, 20, 0.5)")
        diverged = ("gradient descent diverged: did you sum over the points instead of taking the mean? The "
                    "gradient is then 41 times too large for this learning rate (L is the *mean* squared error).")
        self.require(np.all(np.isfinite(got)) and np.abs(got).max() < 1e3, f"(a, b, c) = {got}: " + diverged)
        self.close(got, reference(20, 0.5), "(a, b, c) after 20 steps with lr=0.5", mistakes=[
            (reference(20, 0.5, factor=1.0), "your steps are half as long: the derivative of (ŷ - y)² is "
                                             "2 (ŷ - y) times the derivative of ŷ, so each gradient has a factor 2."),
            (reference(20, 0.5, sequential=True), "you updated a before computing the gradient of b (and c) with "
                                                  "the new a: compute all three gradients from the same error "
                                                  "first, then update."),
            (reference(20, -0.5), "the coefficients moved uphill: subtract lr * gradient."),
            (reference(1, 0.5), "(a, b, c) is what one step gives: loop `steps` times.")])
        got = as_tensor(fit_quadratic(x, y, 300, 0.5), "fit_quadratic(x, y, 300, 0.5)")
        best = np.polyfit(self.numpy(x), self.numpy(y), 2)
        self.close(got, best, "(a, b, c) after 300 steps (compared with the least-squares fit)", atol=1e-3)
        return f"a = {got[0]:.3f}, b = {got[1]:.3f}, c = {got[2]:.3f}: the least-squares parabola."
