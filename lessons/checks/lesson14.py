"""Checks for the exercises of lesson 14 (initialisation and regularisation)."""
from __future__ import annotations

import math

import numpy as np

from . import Hint, LessonChecks, exercise


class Checks(LessonChecks):
    def fixed_weights(self, model, seed):
        """Fill the model's parameters from NumPy, so that both engines start from the same weights."""
        torch = self.torch
        rng = np.random.default_rng(seed)
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(torch.tensor(rng.normal(0, 0.5, tuple(p.shape)).astype(np.float32)))
        return model

    @staticmethod
    def number(value, what):
        if value is None:
            raise Hint(f"{what} returned None: did you forget to `return` the bound?")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise Hint(f"{what} should return a number, not a {type(value).__name__}.") from None

    # ------------------------------------------------------------------ exercise 1
    @exercise(1, "the bounds of xavier_uniform_ and kaiming_uniform_")
    def ex1(self, xavier_bound, kaiming_bound):
        torch, nn = self.torch, self.torch.nn
        torch.manual_seed(0)
        cases = [((256, 512), "relu"), ((64, 200), "tanh"), ((16, 3, 5, 5), "relu"), ((32, 16, 3, 3), "linear")]
        for shape, nonlinearity in cases:
            gain = nn.init.calculate_gain(nonlinearity)
            field = math.prod(shape[2:])
            fan_in, fan_out = shape[1] * field, shape[0] * field
            right_x = gain * math.sqrt(6 / (fan_in + fan_out))
            right_k = gain * math.sqrt(3 / fan_in)
            conv = len(shape) > 2
            got = self.number(xavier_bound(shape, gain), "xavier_bound")
            mistakes = [
                (right_x / math.sqrt(3), "that is the standard deviation: a uniform U(-a, a) has std a / sqrt(3), "
                                         "so the bound is sqrt(3) times the std."),
                (right_x / gain, "the gain is missing: multiply the bound by `gain`."),
                (gain * math.sqrt(2 / (fan_in + fan_out)), "that is the standard deviation: the bound is "
                                                           "sqrt(3) times larger, sqrt(6 / (fan_in + fan_out))."),
                (gain * math.sqrt(3 / (fan_in + fan_out)), "that is sqrt(3 / (fan_in + fan_out)): Xavier's "
                                                           "variance is 2 / (fan_in + fan_out), so the bound is "
                                                           "sqrt(6 / (fan_in + fan_out))."),
            ]
            if conv:
                mistakes.insert(0, (gain * math.sqrt(6 / (shape[0] + shape[1])),
                                    f"for the convolution weight {shape} you used only the channels: every input "
                                    f"channel brings kh * kw = {field} inputs, so fan_in = in_channels * kh * kw and "
                                    f"fan_out = out_channels * kh * kw."))
            self.close(got, right_x, f"xavier_bound({shape}, gain={gain:.4g})", rtol=1e-5, mistakes=mistakes)

            got = self.number(kaiming_bound(shape, gain), "kaiming_bound")
            mistakes = [
                (gain * math.sqrt(3 / fan_out), "you used fan_out: mode 'fan_in' (the default) divides by the number "
                                                "of inputs, shape[1] * kh * kw (a Linear weight is (out, in))."),
                (gain / math.sqrt(fan_in), "that is the standard deviation: the bound of U(-a, a) is sqrt(3) times "
                                           "the std, gain * sqrt(3 / fan_in)."),
                (math.sqrt(3 / fan_in), "the gain is missing: multiply by `gain`."),
                (gain * math.sqrt(6 / fan_in), "that is sqrt(6 / fan_in) times the gain: with the gain sqrt(2) "
                                               "already passed in, the bound is gain * sqrt(3 / fan_in)."),
            ]
            if conv:
                mistakes.insert(0, (gain * math.sqrt(3 / shape[1]),
                                    f"for the convolution weight {shape} you used only the input channels: "
                                    f"fan_in = in_channels * kh * kw = {fan_in}."))
            self.close(got, right_k, f"kaiming_bound({shape}, gain={gain:.4g})", rtol=1e-5, mistakes=mistakes)

            # the same bounds, as nn.init draws them: the largest |w| is just below the bound
            for init, bound in [(lambda w: nn.init.xavier_uniform_(w, gain=gain), right_x),
                                (lambda w: nn.init.kaiming_uniform_(w, nonlinearity=nonlinearity), right_k)]:
                w = torch.empty(shape)
                init(w)
                largest = w.abs().max().item()
                self.require(0.95 * bound < largest <= bound * (1 + 1e-6),
                             f"nn.init disagrees with the formula for {shape}: please report this.")
        return "your bounds are the ones nn.init uses, for Linear and Conv2d weights alike."

    # ------------------------------------------------------------------ exercise 2
    def penalty_problem(self):
        torch, nn = self.torch, self.torch.nn
        model = self.fixed_weights(nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)), 5)
        x = torch.tensor([[1.0, 2.0, -1.0], [0.5, -1.0, 0.0], [-2.0, 0.0, 1.0]])
        y = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.5]])
        return model, x, y

    @exercise(2, "weight decay as a penalty, weights only")
    def ex2(self, l2_penalty):
        torch, F = self.torch, self.torch.nn.functional
        lam, lr, steps = 0.3, 0.1, 3
        model, x, y = self.penalty_problem()
        weights = [p for p in model.parameters() if p.dim() > 1]
        biases = [p for p in model.parameters() if p.dim() <= 1]
        penalty = l2_penalty(model, lam)
        self.is_tensor(penalty, "l2_penalty(model, lam)")
        self.require(penalty.numel() == 1, f"the penalty has shape {tuple(penalty.shape)}: sum it to one number.")
        self.require(penalty.requires_grad,
                     "the penalty does not require grad, so autograd cannot differentiate it: build it from the "
                     "parameters themselves (no .item(), float(), .detach() or .data).")
        with torch.no_grad():
            squares_w = sum((p ** 2).sum() for p in weights)
            squares_b = sum((p ** 2).sum() for p in biases)
            norms_w = sum(p.norm() for p in weights)
        self.close(penalty.reshape(()), lam / 2 * squares_w, "the penalty", mistakes=[
            (lam * squares_w, "that is λ times the sum of squares: use λ / 2, so that the gradient is λ·W, the "
                              "term SGD's weight_decay adds."),
            (lam / 2 * (squares_w + squares_b), "the biases are included: keep only the parameters with more than "
                                                "one dimension (p.dim() > 1)."),
            (lam * (squares_w + squares_b), "use λ / 2, and leave out the biases (p.dim() > 1 only)."),
            (lam / 2 * norms_w, "you summed the norms ||W||, not the squared norms ||W||² = (W ** 2).sum()."),
            (lam / 2 * squares_w ** 0.5, "you took the square root: the L2 penalty uses the *squared* norm.")])
        grads = torch.autograd.grad(penalty.reshape(()), list(model.parameters()), allow_unused=True)
        for p, g in zip(model.parameters(), grads):
            expected = lam * p.detach() if p.dim() > 1 else torch.zeros_like(p)
            self.close(g if g is not None else torch.zeros_like(p), expected, "the gradient of the penalty")

        # training with the penalty = SGD with weight decay on the weights only
        model, x, y = self.penalty_problem()
        reference, _, _ = self.penalty_problem()
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        opt_ref = torch.optim.SGD([{"params": [p for p in reference.parameters() if p.dim() > 1], "weight_decay": lam},
                                   {"params": [p for p in reference.parameters() if p.dim() <= 1], "weight_decay": 0.0}],
                                  lr=lr)
        for _ in range(steps):
            opt.zero_grad()
            (F.mse_loss(model(x), y) + l2_penalty(model, lam)).backward()
            opt.step()
            opt_ref.zero_grad()
            F.mse_loss(reference(x), y).backward()
            opt_ref.step()
        for (name, p), q in zip(model.named_parameters(), reference.parameters()):
            self.close(p, q, f"{name} after {steps} steps")
        return "λ/2·ΣW² in the loss trains exactly like weight_decay=λ on the weights."

    # ------------------------------------------------------------------ exercise 3
    @exercise(3, "dropout by hand")
    def ex3(self, MyDropout):
        torch, nn = self.torch, self.torch.nn
        p = 0.3
        layer = MyDropout(p)
        self.require(isinstance(layer, nn.Module), "MyDropout should subclass nn.Module.")
        x = torch.full((200, 500), 2.0)
        torch.manual_seed(0)
        layer.train()
        out = layer(x)
        self.is_tensor(out, "MyDropout(0.3)(x) in training mode")
        self.require(tuple(out.shape) == tuple(x.shape), f"the output has shape {tuple(out.shape)}, "
                                                         f"expected {tuple(x.shape)}.")
        self.require(torch.equal(x, torch.full((200, 500), 2.0)), "your forward changed its input in place: "
                                                                   "return a new tensor (x * mask / (1 - p)).")
        zeros = (out == 0).float().mean().item()
        self.require(zeros > 0.001, "no element was set to 0 in training mode: draw a random mask "
                                    "(torch.rand_like(x) > p keeps each element with probability 1 - p).")
        self.require(abs(zeros - (1 - p)) > 0.02, f"{zeros:.0%} of the elements are 0, but p = {p}: you dropped with "
                                                  f"probability 1 - p. Keep an element when rand > p.")
        self.require(abs(zeros - p) < 0.01, f"{zeros:.1%} of the elements are 0, expected about {p:.0%}.")
        kept = out[out != 0]
        for value, hint in [(2.0, "the surviving elements are not scaled: multiply them by 1 / (1 - p), so that "
                                  "the expected value stays the same (inverted dropout)."),
                            (2.0 * (1 - p), "you multiplied the survivors by (1 - p): divide by it instead, "
                                            "1 / (1 - p) makes them larger to make up for the zeros."),
                            (2.0 / p, "you divided by p: the survivors are scaled by 1 / (1 - p).")]:
            self.require(not torch.allclose(kept, torch.full_like(kept, value)), hint)
        self.close(kept, torch.full_like(kept, 2.0 / (1 - p)), "the surviving elements")
        self.close(out.mean().item(), 2.0, "the mean of the output", atol=0.05)
        again = layer(x)
        self.require(not torch.equal(again, out), "two calls in training mode gave the same mask: draw a new random "
                                                  "mask on every call, inside forward.")
        xg = torch.ones(4, 1000, requires_grad=True)
        out = layer(xg)
        out.sum().backward()
        self.close(xg.grad, (out != 0).float() / (1 - p), "the gradient in training mode")
        layer.eval()
        out = layer(x)
        self.is_tensor(out, "MyDropout(0.3)(x) in evaluation mode")
        self.require(not (out == 0).any().item(), "in evaluation mode some elements are 0: dropout is only active "
                                                  "in training mode (check self.training).")
        self.require(not torch.allclose(out, x / (1 - p)), "in evaluation mode the input is scaled: return it "
                                                           "unchanged (the scaling happened during training).")
        self.require(torch.equal(out, x), "in evaluation mode the output should equal the input.")
        layer0 = MyDropout(0.0)
        layer0.train()
        self.require(torch.equal(layer0(x), x), "MyDropout(0.0) should leave its input unchanged in training mode.")
        return f"{zeros:.1%} zeros, survivors scaled by 1/(1-p), the mean kept; the identity after .eval()."

    # ------------------------------------------------------------------ exercise 4
    @exercise(4, "AdamW without decay for biases and norms")
    def ex4(self, make_adamw):
        torch, nn = self.torch, self.torch.nn
        model = self.fixed_weights(nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2)), 6)
        names = {id(p): name for name, p in model.named_parameters()}
        lr, decay = 0.1, 0.5
        opt = make_adamw(model, lr, decay)
        self.answered(opt)
        self.require(opt is not None, "make_adamw returned None: return the optimizer.")
        self.require(isinstance(opt, torch.optim.AdamW), f"make_adamw should return a torch.optim.AdamW, not a "
                                                         f"{type(opt).__name__}.")
        seen = [id(p) for group in opt.param_groups for p in group["params"]]
        self.require(len(seen) == len(set(seen)), "a parameter is in two groups: every parameter must be in exactly "
                                                  "one.")
        missing = [name for i, name in names.items() if i not in seen]
        self.require(not missing, f"the parameters {missing} are in no group: the two groups together must hold "
                                  f"all of model.parameters().")
        for group in opt.param_groups:
            self.require(abs(group["lr"] - lr) < 1e-12, f"a group has lr={group['lr']}, expected {lr}.")
            for p in group["params"]:
                name = names[id(p)]
                if p.dim() > 1:
                    self.require(group["weight_decay"] == decay,
                                 f"{name} (a weight) is in a group with weight_decay={group['weight_decay']}, "
                                 f"expected {decay}.")
                else:
                    self.require(group["weight_decay"] != 0.01 or decay == 0.01,
                                 f"{name} is in a group with weight_decay=0.01: that is AdamW's default. Set "
                                 f"weight_decay=0.0 explicitly in the group of the one-dimensional parameters.")
                    self.require(group["weight_decay"] == 0,
                                 f"{name} (one-dimensional: a bias or a normalisation parameter) is in a group with "
                                 f"weight_decay={group['weight_decay']}: it must not be decayed.")
        before = [p.detach().clone() for p in model.parameters()]
        for p in model.parameters():
            p.grad = torch.zeros_like(p)
        opt.step()                                # zero gradients: only the decay acts
        for (name, p), b in zip(model.named_parameters(), before):
            expected = b * (1 - lr * decay) if p.dim() > 1 else b
            self.close(p, expected, f"{name} after one step with zero gradients")
        return "weights shrink by (1 - lr·λ) per step; biases and batch-norm parameters are left alone."
