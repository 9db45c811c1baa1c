"""Checks for the exercises of lesson 10 (optimizers and learning-rate schedules)."""
from __future__ import annotations

import numpy as np

from . import Hint, LessonChecks, exercise


class Checks(LessonChecks):
    # ------------------------------------------------------------------ exercise 1
    def _path(self, make_optimizer, steps=8, lr=0.4, momentum=0.7):
        """The path of w on f(w) = 0.05 w1² + w2² from (-4, 1.5), as in the lesson."""
        torch = self.torch
        w = torch.tensor([-4.0, 1.5], requires_grad=True)
        optimizer = make_optimizer([w], lr, momentum)
        path = [w.detach().clone()]
        for _ in range(steps):
            optimizer.zero_grad()
            (0.05 * w[0] ** 2 + w[1] ** 2).backward()
            optimizer.step()
            path.append(w.detach().clone())
        return torch.stack(path)

    def _ema_from_zero(self, steps=8, lr=0.4, momentum=0.7):
        """A buffer that starts at zero and averages: b = μ b + (1 - μ) g."""
        w = np.array([-4.0, 1.5])
        b = np.zeros(2)
        path = [w.copy()]
        for _ in range(steps):
            g = np.array([0.1, 2.0]) * w
            b = momentum * b + (1 - momentum) * g
            w = w - lr * b
            path.append(w.copy())
        return np.stack(path)

    @exercise(1, "SGD with momentum as an Optimizer")
    def ex1(self, MomentumSGD):
        torch = self.torch
        SGD = torch.optim.SGD

        def yours(params, lr, momentum):
            return MomentumSGD(params, lr=lr, momentum=momentum)

        self.require(isinstance(yours([torch.zeros(1, requires_grad=True)], 0.1, 0.5), torch.optim.Optimizer),
                     "MomentumSGD should subclass torch.optim.Optimizer and call super().__init__(params, defaults).")
        try:
            got = self._path(yours)
        except RuntimeError as error:
            if "leaf" in str(error) and "in-place" in str(error):
                raise Hint("an in-place update of a parameter was recorded by autograd: decorate step() with "
                           "@torch.no_grad() (or update inside `with torch.no_grad():`).") from None
            raise
        self.close(got, self._path(lambda p, lr, mu: SGD(p, lr=lr, momentum=mu)),
                   "the path of w (8 steps, lr=0.4, momentum=0.7)", mistakes=[
            (self._path(lambda p, lr, mu: SGD(p, lr=lr)),
             "your path is plain SGD: the momentum buffer is not used, or not kept between steps. Store it in "
             "self.state[p] (e.g. self.state[p]['momentum_buffer']), update it in place, and step along it."),
            (self._path(lambda p, lr, mu: SGD(p, lr=lr, momentum=mu, nesterov=True)),
             "that is Nesterov momentum (a step along g + μ b): plain momentum steps along the buffer b itself."),
            (self._path(lambda p, lr, mu: SGD(p, lr=lr, momentum=mu, dampening=mu)),
             "you damped the gradient: b = μ b + (1 - μ) g is a moving average (dampening = momentum). PyTorch's "
             "default, dampening = 0, adds the whole gradient: b = μ b + g."),
            (self._ema_from_zero(),
             "you damped the gradient, b = μ b + (1 - μ) g from b = 0: PyTorch adds the whole gradient, "
             "b = μ b + g, and the first buffer is the first gradient."),
            (self._path(lambda p, lr, mu: SGD(p, lr=lr, momentum=mu, maximize=True)),
             "w moved uphill: subtract lr * b from the parameter (descent, not ascent)."),
            (self._path(lambda p, lr, mu: SGD(p, lr=lr * lr, momentum=mu)),
             "the steps are too short by a factor lr: did you multiply by lr twice (once into the buffer, once "
             "in the step)?"),
        ])

        # two groups with their own lr, and a parameter that gets no gradient
        def two_groups(make):
            torch.manual_seed(0)
            a = torch.tensor([1.0, -2.0], requires_grad=True)
            b = torch.tensor([0.5, 0.3, -1.0], requires_grad=True)
            unused = torch.tensor([7.0], requires_grad=True)
            optimizer = make([{"params": [a, unused]}, {"params": [b], "lr": 0.05}])
            for _ in range(4):
                optimizer.zero_grad()
                ((a ** 2).sum() + (b ** 3).sum()).backward()
                optimizer.step()
            return torch.cat([a.detach(), b.detach(), unused.detach()])

        try:
            got = two_groups(lambda groups: MomentumSGD(groups, lr=0.2, momentum=0.5))
        except (AttributeError, TypeError) as error:
            if "NoneType" in str(error):
                raise Hint("a parameter that got no gradient (its .grad is None) broke your step: skip it, "
                           "`if p.grad is None: continue`.") from None
            raise
        self.close(got[-1:], torch.tensor([7.0]), "a parameter that got no gradient (it must stay 7)")
        self.close(got, two_groups(lambda groups: SGD(groups, lr=0.2, momentum=0.5)),
                   "the parameters after 4 steps with two parameter groups (lr 0.2 and 0.05)", mistakes=[
            (two_groups(lambda groups: SGD([{"params": g["params"]} for g in groups], lr=0.2, momentum=0.5)),
             "the second group has its own lr (0.05): read the learning rate (and momentum) from the group you "
             "are looping over, group['lr'], not from self.defaults."),
        ])
        return "the same path as torch.optim.SGD(momentum=...), per group, skipping parameters without a gradient."

    # ------------------------------------------------------------------ exercise 2
    def _schedule(self, make_scheduler, lr, epochs):
        torch = self.torch
        p = torch.zeros(1, requires_grad=True)
        optimizer = torch.optim.SGD([p], lr=lr)
        scheduler = make_scheduler(optimizer)
        lrs = []
        for _ in range(epochs):
            lrs.append(scheduler.get_last_lr()[0])
            optimizer.step()
            scheduler.step()
        return np.array(lrs)

    @exercise(2, "StepLR by hand")
    def ex2(self, step_lr):
        torch = self.torch
        for lr, step_size, gamma in ((0.1, 10, 0.5), (0.05, 3, 0.1)):
            epochs = np.arange(4 * step_size + 2)
            got = [step_lr(int(e), lr, step_size, gamma) for e in epochs]
            for value in got:
                self.answered(value)
                self.require(value is not None, "step_lr returned None: did you forget to `return` the lr?")
            got = np.array([float(v) for v in got])
            expected = self._schedule(lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size, gamma), lr,
                                      len(epochs))
            self.close(got, expected, f"the learning rates for lr={lr}, step_size={step_size}, gamma={gamma}",
                       rtol=1e-6, atol=1e-12, mistakes=[
                (lr * gamma ** ((epochs + 1) // step_size),
                 f"your first drop comes one epoch early (at epoch {step_size - 1}): get_last_lr() in epoch e is "
                 "lr * gamma ** (e // step_size), so epochs 0 .. step_size-1 keep the initial lr."),
                (lr * gamma ** (np.maximum(epochs - 1, 0) // step_size),
                 "your drops come one epoch late: use e // step_size with the epoch counted from 0."),
                (lr * gamma ** epochs, "that multiplies by gamma every epoch (ExponentialLR): StepLR does it only "
                                       "every step_size epochs, gamma ** (e // step_size)."),
                (lr * gamma ** (epochs / step_size),
                 "your lr decays smoothly: StepLR keeps it constant for step_size epochs, then drops; use integer "
                 "division, e // step_size."),
                (gamma ** (epochs // step_size), "you forgot the initial learning rate: lr * gamma ** (e // step_size)."),
            ])
        return "lr * gamma ** (epoch // step_size): the same numbers as StepLR's get_last_lr()."

    # ------------------------------------------------------------------ exercise 3
    @exercise(3, "a warm-up with LambdaLR")
    def ex3(self, warmup_factor):
        torch = self.torch
        epochs = np.arange(30)
        got = [warmup_factor(int(e)) for e in epochs[:1]]
        self.answered(got[0])
        lrs = self._schedule(lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, warmup_factor), 0.1, len(epochs))
        factor = np.where(epochs < 5, (epochs + 1) / 5, 0.5 ** ((epochs - 5) // 10))
        self.close(lrs, 0.1 * factor, "the learning rates of LambdaLR(optimizer, warmup_factor) with lr=0.1",
                   rtol=1e-6, atol=1e-12, mistakes=[
            (0.01 * factor, "your function returns the learning rate, but LambdaLR multiplies the optimizer's "
                            "initial lr by what it returns: return the factor (1/5, 2/5, ..., 1, then 0.5, ...)."),
            (0.1 * np.where(epochs < 5, epochs / 5, 0.5 ** ((epochs - 5) // 10)),
             "the warm-up starts at 0: the first epoch would train with lr 0. Use (epoch + 1) / 5."),
            (0.1 * np.where(epochs < 5, (epochs + 1) / 5, 0.5 ** (epochs // 10)),
             "the halvings are counted from epoch 0: count them from the end of the warm-up, (epoch - 5) // 10, "
             "so the first one is at epoch 15."),
            (0.1 * np.where(epochs < 5, (epochs + 1) / 5, 0.5 ** ((epochs - 5) / 10)),
             "your decay is smooth: halve in steps, with integer division (epoch - 5) // 10."),
        ])
        return "1/5 ... 5/5 of the lr during the warm-up, then halved every 10 epochs."

    # ------------------------------------------------------------------ exercise 4
    @exercise(4, "parameter groups with different learning rates")
    def ex4(self, make_optimizer):
        torch, nn = self.torch, self.torch.nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.features = nn.Sequential(nn.Linear(2, 8), nn.ReLU())
                self.classifier = nn.Linear(8, 1)

            def forward(self, x):
                return self.classifier(self.features(x))

        torch.manual_seed(0)
        net = Net()
        try:
            optimizer = make_optimizer(net)
        except ValueError as error:
            if "more than one parameter group" in str(error):
                raise Hint("a parameter is in two groups (did you pass net.parameters() in one group?): give each "
                           "group only its own part, net.features.parameters() and net.classifier.parameters().") \
                    from None
            raise
        self.answered(optimizer)
        self.require(isinstance(optimizer, torch.optim.SGD),
                     f"make_optimizer should return a torch.optim.SGD, not {type(optimizer).__name__}.")
        lr_of, momentum_of = {}, {}
        for group in optimizer.param_groups:
            for p in group["params"]:
                lr_of[id(p)], momentum_of[id(p)] = group["lr"], group["momentum"]
        features = list(net.features.parameters())
        head = list(net.classifier.parameters())
        self.require(all(id(p) in lr_of for p in features),
                     "the parameters of net.features are in no group: the optimizer would never train them.")
        self.require(all(id(p) in lr_of for p in head),
                     "the parameters of net.classifier are in no group: the optimizer would never train them.")
        got = np.array([lr_of[id(p)] for p in features + head])
        expected = np.array([1e-3] * len(features) + [1e-2] * len(head))
        self.close(got, expected, "the learning rate of each parameter (features, then classifier)", mistakes=[
            (np.full(len(got), 1e-3), "every parameter has lr 1e-3: give the classifier's group its own "
                                      "'lr': 1e-2 in its dict."),
            (np.full(len(got), 1e-2), "every parameter has lr 1e-2: the features should keep the smaller "
                                      "default, 1e-3."),
            (expected[::-1].copy(), "the learning rates are swapped: 1e-3 for the features, 1e-2 for the "
                                    "classifier."),
        ])
        self.require(all(m == 0.9 for m in momentum_of.values()),
                     "some group has no momentum 0.9: pass momentum=0.9 to the constructor, so that every group "
                     "takes it from the defaults.")
        # one step moves each part by its own lr (momentum's first step is the gradient itself)
        before = [p.detach().clone() for p in features + head]
        optimizer.zero_grad()
        net(torch.linspace(-1, 1, 10).reshape(5, 2)).pow(2).mean().backward()
        grads = [p.grad.detach().clone() for p in features + head]
        optimizer.step()
        for p, b, g, lr in zip(features + head, before, grads, expected):
            self.close(p.detach(), b - lr * g, "the parameters after one step")
        return "the features train with lr 1e-3, the classifier with 1e-2, both with momentum 0.9."
