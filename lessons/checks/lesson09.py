"""Checks for the exercises of lesson 09 (loss functions)."""
from __future__ import annotations

import warnings

import numpy as np

from . import LessonChecks, exercise


class Checks(LessonChecks):
    def finite(self, value, hint: str) -> None:
        """Require that every element of a tensor is finite (no inf, no nan)."""
        self.require(np.all(np.isfinite(self.numpy(value))), hint)

    def scalar(self, value, what: str) -> None:
        self.is_tensor(value, what)
        self.require(value.dim() == 0, f"{what} has shape {tuple(value.shape)}: a loss with reduction='mean' is "
                                       f"one number, a 0-dim tensor. Take the mean over the batch.")

    # ------------------------------------------------------------------ exercise 1
    @exercise(1, "a stable cross-entropy")
    def ex1(self, cross_entropy):
        torch, F = self.torch, self.torch.nn.functional
        overflow = ("your loss is inf or nan for large logits: exp(1000) overflows float32 (the largest float32 "
                    "is about e^88), and exp(-1000) underflows to 0, whose log is -inf. Subtract each row's "
                    "maximum m before exp and add it back after the log: log Σ e^z = m + log Σ e^(z - m).")
        small = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [1.2, 0.2, 3.1], [0.0, -1.0, 1.0]])
        labels = torch.tensor([0, 2, 2, 1])

        def lse(z):
            m = z.max(dim=1, keepdim=True).values
            return (m + (z - m).exp().sum(dim=1, keepdim=True).log()).squeeze(1)

        per_sample = lse(small) - small[torch.arange(4), labels]
        got = cross_entropy(small, labels)
        self.scalar(got, "cross_entropy(logits, target)")
        expected = F.cross_entropy(small, labels)
        self.close(got, expected, "the loss for ordinary logits", mistakes=[
            (per_sample.sum(), "that is the sum of the per-sample losses (reduction='sum'): the default "
                               "reduction='mean' divides by the batch size N."),
            (-expected, "the sign is flipped: the loss is -log p_y = log Σ e^z - z_y, a positive number."),
            (lse(small).mean() - small[:, labels].mean(),
             "logits[:, target] picks an N×N block (every sample's logit for every label): take one logit per "
             "row with logits[torch.arange(N), target] (or logits.gather(1, target[:, None]))."),
            ((per_sample - small.max(dim=1).values).mean(),
             "you subtracted the row maximum m but did not add it back: log Σ e^z = m + log Σ e^(z - m)."),
            (-(F.softmax(small, dim=1)[torch.arange(4), labels]).mean(),
             "you took -p_y (the probability) instead of -log p_y: take the log of the softmax."),
        ])
        for logits, target, what in (
                (torch.tensor([[1000.0, 0.0, -1000.0]]), torch.tensor([2]), "logits [[1000, 0, -1000]]"),
                (torch.tensor([[-1000.0, -2000.0, -3000.0]]), torch.tensor([0]), "logits [[-1000, -2000, -3000]]")):
            got = cross_entropy(logits, target)
            self.scalar(got, "cross_entropy(logits, target)")
            self.finite(got, overflow)
            expected = F.cross_entropy(logits, target)
            self.close(got, expected, f"the loss for {what}", mistakes=[
                (expected - logits.max(), "you subtracted the row maximum m but did not add it back: "
                                          "log Σ e^z = m + log Σ e^(z - m).")])
        mixed = torch.tensor([[1000.0, 0.0, -1000.0], [-1000.0, -2000.0, -3000.0], [3.0, 1.0, 2.0]])
        target = torch.tensor([2, 1, 0])
        got = cross_entropy(mixed, target)
        self.scalar(got, "cross_entropy(logits, target)")
        self.finite(got, "inf or nan when the rows have very different scales (rows at 1000 and at -2000): subtract "
                         "each row's own maximum, logits.max(dim=1, keepdim=True).values, not one maximum of the "
                         "whole batch (e^(-2000 - 1000) is 0 in float32).")
        self.close(got, F.cross_entropy(mixed, target), "the loss for a batch of mixed huge and small logits")
        return ("equal to F.cross_entropy, and finite for logits of ±1000: the log-sum-exp trick with each row's "
                "maximum.")

    # ------------------------------------------------------------------ exercise 2
    @exercise(2, "binary cross-entropy from logits")
    def ex2(self, bce_with_logits):
        torch, F = self.torch, self.torch.nn.functional

        def stable(z, y):
            return z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))

        # first moderate logits, where even sigmoid + log is still finite
        z = torch.tensor([-30.0, -2.0, 0.5, 3.0, 12.0])
        y = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0])
        got = bce_with_logits(z, y)
        self.scalar(got, "bce_with_logits(z, y)")
        self.close(got, F.binary_cross_entropy_with_logits(z, y), "the loss for logits [-30, -2, 0.5, 3, 12]",
                   mistakes=[
            ((z.clamp(min=0) - z * y + torch.log(1 + torch.exp(-z))).mean(),
             "use exp(-|z|), not exp(-z): max(z, 0) - z*y + log(1 + e^(-z)) is only right for z ≥ 0 "
             "(for z = -30 and y = 0 it gives 30 instead of about 0)."),
            (stable(z, y).sum(), "that is the sum over the elements (reduction='sum'): divide by their number "
                                 "for the mean."),
            (stable(z, 1 - y).mean(), "the roles of y and 1 - y are swapped: the term is - z*y (for y = 1 a "
                                      "large z gives a small loss)."),
            (-stable(z, y).mean(), "the sign is flipped: the loss is -[y log σ(z) + (1 - y) log(1 - σ(z))], "
                                   "a positive number."),
        ])
        # then extreme logits: sigmoid(30) is exactly 1.0 in float32, sigmoid(-1e4) exactly 0
        # (no logit is exactly 0: there autograd differentiates clamp and abs at their kinks, see the solution)
        z = torch.tensor([-1e4, -30.0, -2.0, 0.5, 3.0, 30.0, 1e4])
        y = torch.tensor([1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0])
        p = torch.sigmoid(z)
        zl = z.clone().requires_grad_()
        got = bce_with_logits(zl, y)
        self.scalar(got, "bce_with_logits(z, y)")
        self.finite(got, "your loss is inf or nan for logits of ±30 and ±1e4: in float32 sigmoid(30) is exactly "
                         "1.0 and sigmoid(-1e4) exactly 0, so log(p) or log(1 - p) is -inf (and exp(1e4) is inf). "
                         "Never form p: use max(z, 0) - z*y + log(1 + exp(-|z|)).")
        self.close(got, F.binary_cross_entropy_with_logits(z, y), "the loss for logits up to ±1e4", mistakes=[
            (F.binary_cross_entropy(p, y),
             "that is sigmoid + BCELoss: the log is clamped at -100, so the loss is 100 where it should be 30 or "
             "10000, and the gradient there is 0. Work from the logit: max(z, 0) - z*y + log(1 + exp(-|z|))."),
        ])
        self.require(got.requires_grad, "the loss does not require grad: keep it a tensor computed from z with "
                                        "torch ops (no .item(), .numpy() or .detach()) so backward() can reach z.")
        (grad,) = torch.autograd.grad(got, zl)
        self.close(grad, (p - y) / 7, "the gradient with respect to z", atol=1e-6, mistakes=[
            (p - y, "the gradient is 7 times too large: you summed instead of taking the mean.")])
        return "finite at logits of ±10000, equal to BCEWithLogitsLoss, and its gradient is (σ(z) - y) / N."

    # ------------------------------------------------------------------ exercise 3
    @exercise(3, "reduction='mean' with weights and ignore_index")
    def ex3(self, weighted_mean):
        torch, F = self.torch, self.torch.nn.functional
        logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [1.2, 0.2, 3.1],
                               [0.0, -1.0, 1.0], [1.0, 1.0, -2.0]])
        target = torch.tensor([0, 2, 2, 1, 0])
        ones = torch.ones(3)
        weight = torch.tensor([1.0, 2.0, 4.0])
        for w, ignore, what in ((weight, 0, "weight=[1, 2, 4] and ignore_index=0"),
                                (ones, 0, "ignore_index=0"),
                                (weight, -100, "weight=[1, 2, 4]"),
                                (ones, -100, "no weights, nothing ignored")):
            losses = F.cross_entropy(logits, target, reduction="none", ignore_index=ignore)
            got = weighted_mean(losses, target, w, ignore)
            self.scalar(got, "weighted_mean(losses, target, weight, ignore_index)")
            expected = F.cross_entropy(logits, target, weight=w, ignore_index=ignore)
            keep = target != ignore
            wy = w[target] * keep
            self.close(got, expected, f"the mean with {what}", mistakes=[
                ((wy * losses).sum(), "that is reduction='sum' (the weighted sum): 'mean' divides it by the "
                                      "total weight of the samples that count."),
                ((wy * losses).sum() / len(target),
                 "you divided by N, the batch size: with weights and ignore_index, 'mean' divides by the sum of "
                 "the weights of the kept samples, Σ w[target] over target != ignore_index."),
                ((wy * losses).sum() / keep.sum(),
                 "you divided by the number of kept samples: with class weights, 'mean' divides by the sum of "
                 "their weights, Σ w[target], so it is a weighted average."),
                ((w[target] * losses).sum() / w[target].sum(),
                 "the ignored samples still count in the denominator: leave out every sample whose target equals "
                 "ignore_index (a mask target != ignore_index), from the sum of the weights too."),
                (losses.mean(), "you took the plain mean of the per-sample losses: multiply each by the weight of "
                                "its class, w[target], and divide by the sum of those weights (kept samples only)."),
            ])
        return "equal to cross_entropy's default reduction='mean': Σ w_y ℓ / Σ w_y over the samples not ignored."

    # ------------------------------------------------------------------ exercise 4
    @exercise(4, "targets of the right dtype and shape")
    def ex4(self, class_targets, regression_loss):
        torch, F = self.torch, self.torch.nn.functional
        cases = (torch.tensor([[0.0], [2.0], [1.0], [2.0]]),           # float, (N, 1): read from a CSV column
                 torch.tensor([[1.0]]),                                # a batch of one
                 torch.tensor([2, 0, 1], dtype=torch.int32))           # int32 from NumPy on some systems
        for raw in cases:
            fixed = class_targets(raw)
            self.is_tensor(fixed, f"class_targets of a {raw.dtype} tensor of shape {tuple(raw.shape)}")
            if raw.dim() == 2 and raw.shape[0] == 1:
                self.require(fixed.dim() == 1, f"a batch of one sample became shape {tuple(fixed.shape)}: "
                             "squeeze() without a dim removes the batch dimension too when N = 1. Use squeeze(1), "
                             "reshape(-1) or view(-1): the target must have shape (N,).")
            self.require(fixed.dtype != torch.int32, "the result is int32: cross_entropy wants class indices as "
                         "int64 (torch.long); use .long().")
            self.require(fixed.dtype == torch.int64, f"the result has dtype {fixed.dtype}: class indices must be "
                         "int64, `.long()` (a float target would be read as probabilities, or rejected).")
            self.require(tuple(fixed.shape) == (raw.shape[0],), f"the result has shape {tuple(fixed.shape)}, "
                         f"expected ({raw.shape[0]},): cross_entropy wants one class index per sample, shape (N,) "
                         "(use reshape(-1) or squeeze(1) to drop the extra dimension).")
            self.close(fixed, raw.reshape(-1), "the class indices")
            logits = torch.zeros(raw.shape[0], 3)
            self.close(F.cross_entropy(logits, fixed), torch.tensor(np.log(3.0)), "cross_entropy with your target")

        for pred, target in ((torch.tensor([[1.0], [2.0], [4.0], [0.5]]), torch.tensor([1.5, 2.0, 3.0, 0.0])),
                             (torch.tensor([1.0, 2.0, 4.0]), torch.tensor([[1.5], [2.0], [3.0]]))):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                got = regression_loss(pred, target)
            self.scalar(got, "regression_loss(pred, target)")
            expected = F.mse_loss(pred, target.reshape(pred.shape))
            broadcast = "target size" in " ".join(str(w.message) for w in caught)
            self.close(got, expected, f"the MSE of pred {tuple(pred.shape)} and target {tuple(target.shape)}",
                       mistakes=[((pred - target).pow(2).mean(),
                                  f"pred {tuple(pred.shape)} and target {tuple(target.shape)} broadcast to "
                                  f"{tuple((pred - target).shape)}: every prediction was compared with every "
                                  "target. PyTorch only warns (\"Using a target size ... different to the input "
                                  "size\"). Reshape the target to pred's shape first: target.view_as(pred).")])
            self.require(not broadcast, "your code made PyTorch warn 'Using a target size that is different to "
                                        "the input size': reshape the target to pred's shape before the loss.")
        return "int64 class indices of shape (N,) for cross_entropy, and an MSE without silent broadcasting."
