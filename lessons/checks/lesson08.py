"""Checks for the exercises of lesson 08 (layers)."""
from __future__ import annotations

import math

import numpy as np

from . import Hint, LessonChecks, exercise

NO_INIT = ("your __init__ did not call super().__init__() before assigning to self: nn.Module.__init__ creates "
           "the dictionaries that registration fills, so call it first.")


class Checks(LessonChecks):
    def build(self, cls, *args):
        try:
            module = cls(*args)
        except AttributeError as error:
            if "Module.__init__" in str(error) or "has no attribute '_" in str(error):
                raise Hint(NO_INIT) from None
            raise
        self.require(isinstance(module, self.torch.nn.Module),
                     f"{cls.__name__}(...) should be an nn.Module: write `class {cls.__name__}(nn.Module):`.")
        return module

    @exercise(1, "nn.Linear by hand")
    def ex1(self, MyLinear):
        torch, nn = self.torch, self.torch.nn
        torch.manual_seed(0)
        layer = self.build(MyLinear, 400, 100)
        names = sorted(name for name, _ in layer.named_parameters())
        if not names and isinstance(vars(layer).get("weight"), torch.Tensor):
            raise Hint("weight and bias are plain tensors, not parameters: wrap them in nn.Parameter(...) so that "
                       "the module registers them (parameters(), state_dict(), optimizers).")
        self.require(names == ["bias", "weight"], f"the parameters are {names}, expected ['bias', 'weight'].")
        w, b = layer.weight.detach(), layer.bias.detach()
        self.require(tuple(w.shape) != (400, 100),
                     "weight has shape (in_features, out_features) = (400, 100): nn.Linear stores one row per "
                     "output, (out_features, in_features), and computes x @ weight.T.")
        self.require(tuple(w.shape) == (100, 400), f"weight has shape {tuple(w.shape)}, expected (100, 400) for "
                                                   f"MyLinear(400, 100).")
        self.require(tuple(b.shape) == (100,), f"bias has shape {tuple(b.shape)}, expected (100,).")

        k = 1 / math.sqrt(400)
        wn = self.numpy(w)
        self.require(np.abs(wn).max() <= k * (1 + 1e-6),
                     f"some weights are outside [-k, k] (largest |w| = {np.abs(wn).max():.4g}, k = {k:.4g}): draw "
                     f"them uniformly on [-k, k] with k = 1 / sqrt(in_features).")
        self.require(wn.min() < 0, "no weight is negative: draw them uniformly on [-k, k], not [0, k] "
                                   "(torch.empty(shape).uniform_(-k, k)).")
        self.require(abs(wn.std() / (k / math.sqrt(3)) - 1) < 0.1,
                     f"the weights' standard deviation is {wn.std():.4g}, but that of U(-k, k) is k / sqrt(3) = "
                     f"{k / math.sqrt(3):.4g}: use k = 1 / sqrt(in_features) and a uniform distribution.")
        bn = self.numpy(b)
        self.require(np.abs(bn).max() > 0, "the bias starts at zero: nn.Linear draws it from U(-k, k) too.")
        self.require(np.abs(bn).max() <= k * (1 + 1e-6) and bn.min() < -0.5 * k,
                     "the bias is not drawn from U(-k, k) with k = 1 / sqrt(in_features), as nn.Linear's.")

        small = self.build(MyLinear, 3, 2)
        x = torch.randn(4, 5, 3)
        out = small(x)
        self.is_tensor(out, "MyLinear(3, 2)(x)")
        reference = nn.Linear(3, 2)
        reference.load_state_dict(small.state_dict())
        with torch.no_grad():
            expected = reference(x)
            no_bias = x @ small.weight.T
        self.close(out, expected, "MyLinear(3, 2)(x) for x of shape (4, 5, 3)", mistakes=[
            (no_bias, "the output has no bias: y = x @ weight.T + bias.")])
        out.sum().backward()
        self.require(small.weight.grad is not None, "weight.grad is None after backward: compute the output from "
                                                    "self.weight and self.bias.")
        return "two Parameters, nn.Linear's initialisation and its y = x W^T + b."

    @exercise(2, "the derivative of SiLU")
    def ex2(self, silu_derivative):
        torch, nn = self.torch, self.torch.nn
        grid = torch.linspace(-6, 6, 49)
        got = silu_derivative(grid.clone())
        self.is_tensor(got, "silu_derivative(x)")
        x = grid.clone().requires_grad_()
        (expected,) = torch.autograd.grad(nn.SiLU()(x).sum(), x)
        s = torch.sigmoid(grid)
        self.close(got, expected, "silu_derivative(x)", mistakes=[
            (s, "that is sigma(x), only one half of the product rule: (x * sigma(x))' = sigma(x) + x * sigma'(x)."),
            (grid * s * (1 - s), "that is x * sigma'(x), only one half of the product rule: "
                                 "(x * sigma(x))' = sigma(x) + x * sigma'(x)."),
            (s * (1 - s), "that is the derivative of the sigmoid alone; SiLU is x * sigma(x): use the product rule."),
            (s + s * (1 - s), "the second term of the product rule lost its factor x: sigma(x) + x * sigma'(x)."),
            (s * (1 + grid * s), "sigma'(x) = sigma(x) (1 - sigma(x)), so f'(x) = sigma(x) (1 + x (1 - sigma(x))).")])
        return "f'(x) = sigma(x) (1 + x (1 - sigma(x))): it dips slightly below 0 for x < 0 and overshoots 1 for x > 0."

    @exercise(3, "batch normalisation in training mode")
    def ex3(self, batch_norm_train):
        torch, nn = self.torch, self.torch.nn
        torch.manual_seed(0)
        for momentum, eps in [(0.1, 1e-5), (0.3, 1e-3)]:
            x = torch.randn(8, 3) * torch.tensor([0.01, 2.0, 1.0]) + torch.tensor([0.5, 5.0, -3.0])
            bn = nn.BatchNorm1d(3, momentum=momentum, eps=eps)
            with torch.no_grad():
                bn.weight.copy_(torch.tensor([1.5, -0.5, 2.0]))
                bn.bias.copy_(torch.tensor([0.1, 1.0, -2.0]))
                bn.running_mean.copy_(torch.tensor([0.4, 4.0, -1.0]))
                bn.running_var.copy_(torch.tensor([0.5, 3.0, 2.0]))
            start_mean, start_var = bn.running_mean.clone(), bn.running_var.clone()
            weight, bias = bn.weight.detach().clone(), bn.bias.detach().clone()
            result = batch_norm_train(x.clone(), start_mean.clone(), start_var.clone(), weight.clone(), bias.clone(),
                                      momentum=momentum, eps=eps)
            self.answered(result)
            self.require(isinstance(result, tuple) and len(result) == 3,
                         "return three things: (y, new_running_mean, new_running_var).")
            y, new_mean, new_var = result
            self.is_tensor(y, "y")
            bn.train()
            with torch.no_grad():
                expected = bn(x)
            setting = f"(momentum={momentum}, eps={eps})"

            mean, biased, unbiased = x.mean(0), x.var(0, unbiased=False), x.var(0)
            self.close(y, expected, f"y {setting}", mistakes=[
                ((x - mean) / torch.sqrt(unbiased + eps) * weight + bias,
                 "y is normalised with the unbiased variance (divide by N - 1): BatchNorm normalises with the biased "
                 "variance of the batch, x.var(0, unbiased=False)."),
                ((x - mean) / (torch.sqrt(biased) + eps) * weight + bias,
                 "eps is added outside the square root: divide by sqrt(var + eps)."),
                ((x - mean) / torch.sqrt(biased + eps),
                 "y is normalised but not scaled and shifted: multiply by weight and add bias."),
                ((x - mean) / torch.sqrt(biased + eps) * bias + weight,
                 "weight and bias are swapped: y = x_hat * weight + bias."),
                ((x - start_mean) / torch.sqrt(start_var + eps) * weight + bias,
                 "y uses the running statistics: in training mode BatchNorm normalises with the statistics of the "
                 "batch itself (the running ones are for evaluation).")])
            self.is_tensor(new_mean, "new_running_mean")
            self.is_tensor(new_var, "new_running_var")
            self.close(new_mean, bn.running_mean, f"new_running_mean {setting}", mistakes=[
                (momentum * start_mean + (1 - momentum) * mean,
                 "the momentum weights the wrong side: new = (1 - momentum) * running + momentum * batch statistic."),
                (mean, "new_running_mean is just the batch mean: move the running mean only a step `momentum` towards "
                       "it."),
                (start_mean, "the running mean did not change: update it with the batch mean.")])
            self.close(new_var, bn.running_var, f"new_running_var {setting}", mistakes=[
                ((1 - momentum) * start_var + momentum * biased,
                 "the running variance is updated with the biased variance: BatchNorm uses the unbiased one here, "
                 "x.var(0) (divide by N - 1)."),
                (momentum * start_var + (1 - momentum) * unbiased,
                 "the momentum weights the wrong side: new = (1 - momentum) * running + momentum * batch statistic."),
                (unbiased, "new_running_var is just the batch variance: move the running variance only a step "
                           "`momentum` towards it."),
                (start_var, "the running variance did not change: update it with the batch variance.")])
        return ("normalised with the biased batch variance, running estimates moved by the momentum with the "
                "unbiased one, exactly as nn.BatchNorm1d.")

    @exercise(4, "dropout by hand")
    def ex4(self, dropout):
        torch = self.torch
        torch.manual_seed(0)
        x = torch.full((100_000,), 2.0)
        for p in (0.2, 0.6):
            y = dropout(x.clone(), p, True)
            self.is_tensor(y, f"dropout(x, {p}, training=True)")
            self.require(tuple(y.shape) == tuple(x.shape), f"the output has shape {tuple(y.shape)}, expected "
                                                           f"{tuple(x.shape)}: one mask value per element.")
            yn = self.numpy(y)
            zeros = float((yn == 0).mean())
            self.require(abs(zeros - (1 - p)) > 0.02 or abs(p - 0.5) < 0.02,
                         f"with p = {p} you zeroed {zeros:.1%} of the elements, that is 1 - p: an element is dropped "
                         f"with probability p, so zero it where torch.rand(...) < p.")
            self.require(abs(zeros - p) < 0.01, f"with p = {p} you zeroed {zeros:.1%} of the elements, expected about "
                                                f"{p:.0%}.")
            kept = np.unique(np.round(yn[yn != 0], 5))
            self.require(not np.allclose(kept, 2.0), "the kept elements are not scaled: multiply them by 1 / (1 - p), "
                                                     "so that the mean stays the same.")
            self.require(not np.allclose(kept, 2.0 * (1 - p)), "the kept elements are multiplied by (1 - p); inverted "
                                                               "dropout multiplies them by 1 / (1 - p).")
            self.require(np.allclose(kept, 2.0 / (1 - p), rtol=1e-4),
                         f"the kept elements of x = 2 should all be 2 / (1 - p) = {2 / (1 - p):.4g}; you have "
                         f"{kept[:5].tolist()}{' ...' if kept.size > 5 else ''}.")
        again = self.numpy(dropout(x.clone(), 0.6, True))
        self.require(not np.array_equal(again, yn), "two calls gave the same mask: draw a new random mask on every "
                                                    "call (no manual_seed inside the function).")
        self.close(dropout(x.clone(), 0.0, True), x, "dropout(x, 0.0, training=True)")
        evaluated = dropout(x.clone(), 0.6, False)
        self.is_tensor(evaluated, "dropout(x, 0.6, training=False)")
        self.require(float((self.numpy(evaluated) == 0).mean()) == 0,
                     "dropout(x, 0.6, training=False) zeroed elements: in evaluation mode dropout does nothing, "
                     "return x unchanged.")
        self.close(evaluated, x, "dropout(x, 0.6, training=False)", mistakes=[
            (x * 0.4, "in evaluation mode dropout returns x unchanged: no mask and no scaling (inverted dropout "
                      "already scaled in training).")])
        leaf = torch.ones(1000, requires_grad=True)
        out = dropout(leaf, 0.5, True)
        self.require(out.requires_grad, "the output does not require grad: compute it from x with tensor operations "
                                        "(x * mask / (1 - p)).")
        (grad,) = torch.autograd.grad(out.sum(), leaf)
        self.close(grad, out.detach(), "the gradient of your dropout (for x = 1 it equals the output: mask / (1 - p))")
        return "zeros with probability p, the rest scaled by 1/(1-p) so the mean is kept; the identity in evaluation."

    @exercise(5, "predictions without side effects")
    def ex5(self, predict):
        torch, nn = self.torch, self.torch.nn
        torch.manual_seed(0)
        net = nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 2))
        for _ in range(3):                                 # give BatchNorm some running statistics
            net(torch.randn(32, 4) * 2 + 1)
        x = torch.randn(8, 4)
        net.eval()
        with torch.no_grad():
            expected = net(x)
        net.train()
        running = net[1].running_mean.clone()

        out = predict(net, x)
        self.is_tensor(out, "predict(net, x)")
        self.require(torch.equal(net[1].running_mean, running),
                     "predict changed BatchNorm's running statistics: in training mode every forward pass updates "
                     "them. Switch the model to evaluation mode (model.eval()) before running it.")
        self.require(np.allclose(self.numpy(out), self.numpy(expected), atol=1e-5),
                     "the output is not the evaluation-mode output: call model.eval() before running the model (in "
                     "training mode BatchNorm uses the batch's statistics and Dropout zeroes random units).")
        self.require(not out.requires_grad, "the output requires grad: eval() does not turn off autograd; run the "
                                            "model under `with torch.no_grad():`.")
        self.require(net.training, "after predict the model is in evaluation mode, but it was in training mode "
                                   "before: remember model.training at the start and call model.train(mode) at the "
                                   "end.")
        self.require(all(m.training for m in net.modules()),
                     "net.training is True again, but its sub-modules are still in evaluation mode: setting "
                     "model.training = True changes one flag; model.train(mode) sets it on every sub-module.")
        net.eval()
        out = predict(net, x)
        self.require(not net.training, "predict switched a model that was in evaluation mode to training mode: "
                                       "restore the mode it had (model.train(was_training)), not always train().")
        self.close(out, expected, "predict(net, x) for a model in evaluation mode")
        return "the evaluation-mode output, no graph, and the model left exactly as it was."
