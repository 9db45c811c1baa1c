"""Checks for lesson 22 (build it yourself 2/2: the pieces of a network)."""
from __future__ import annotations


import numpy as np

from . import DIGITS_RAW, LessonChecks, exercise, read_idx


class Checks(LessonChecks):
    # ------------------------------------------------------------------ 1. cross-entropy
    @exercise(1, "stable cross-entropy and its backward")
    def ex1(self, cross_entropy):
        torch, F = self.torch, self.torch.nn.functional
        torch.manual_seed(0)
        logits = torch.randn(6, 4, dtype=torch.float64, requires_grad=True)
        target = torch.tensor([0, 3, 1, 1, 2, 0])
        loss = cross_entropy(logits, target)
        self.is_tensor(loss, "cross_entropy(logits, target)")
        self.require(loss.dim() == 0, f"the loss has shape {tuple(loss.shape)}: take the mean over the batch, a "
                                      f"single number.")
        ref = F.cross_entropy(logits, target)
        self.close(loss, ref, "the loss", mistakes=[
            (F.cross_entropy(logits, target, reduction="sum"), "the loss is the sum over the batch: divide by N "
                                                               "(the mean)."),
            (-ref, "the loss has the wrong sign: it is -log softmax(z)[target].")])
        (grad,) = torch.autograd.grad(loss, logits)
        (ref_grad,) = torch.autograd.grad(ref, logits)
        self.close(grad, ref_grad, "the gradient for the logits", mistakes=[
            (ref_grad * 6, "the gradient is N times too large: the loss is a mean, so divide "
                           "softmax - onehot by N."),
            (-ref_grad, "the gradient has the wrong sign: it is softmax - onehot, not onehot - softmax.")])
        huge = torch.tensor([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 999.0]], dtype=torch.float64, requires_grad=True)
        big_target = torch.tensor([0, 2])
        value = cross_entropy(huge, big_target)
        self.require(bool(torch.isfinite(value)), f"with logits of 1000 the loss is {value.item()}: exp(1000) "
                                                  f"overflows. Subtract each row's max before exp (it cancels).")
        self.close(value, F.cross_entropy(huge, big_target), "the loss for logits of size 1000")
        self.require(torch.autograd.gradcheck(lambda z: cross_entropy(z, target), (logits,)), "gradcheck failed.")
        return "equal to F.cross_entropy (loss and gradient), finite for logits of 1000, gradcheck passes."

    # ------------------------------------------------------------------ 2. conv2d
    @exercise(2, "conv2d as unfold + matmul")
    def ex2(self, Conv2dFunction):
        torch, F = self.torch, self.torch.nn.functional
        torch.manual_seed(1)
        for padding in (0, 1):
            x = torch.randn(2, 3, 5, 6, dtype=torch.float64, requires_grad=True)
            w = torch.randn(4, 3, 3, 3, dtype=torch.float64, requires_grad=True)
            b = torch.randn(4, dtype=torch.float64, requires_grad=True)
            out = Conv2dFunction.apply(x, w, b, padding)
            ref = F.conv2d(x, w, b, padding=padding)
            self.is_tensor(out, "Conv2dFunction.apply(x, w, b, padding)")
            self.require(tuple(out.shape) == tuple(ref.shape),
                         f"with padding={padding} the output has shape {tuple(out.shape)}, expected "
                         f"{tuple(ref.shape)} (N, O, H', W'): reshape the (N, O, L) product.")
            self.close(out, ref, f"the output with padding={padding}", mistakes=[
                (F.conv2d(x, w, None, padding=padding), "the output misses the bias: add bias[:, None] to the product.")])
            g = torch.randn(tuple(ref.shape), dtype=torch.float64)
            mine = torch.autograd.grad(out, (x, w, b), g)
            theirs = torch.autograd.grad(ref, (x, w, b), g)
            for got, expected, what in zip(mine, theirs, ("x", "weight", "bias")):
                self.require(got is not None, f"the gradient for {what} is None: return one gradient per input "
                                              f"(and None for padding).")
                self.require(tuple(got.shape) == tuple(expected.shape),
                             f"the gradient for {what} has shape {tuple(got.shape)}, expected "
                             f"{tuple(expected.shape)}: it must have the shape of {what}.")
                self.close(got, expected, f"the gradient for {what} (padding={padding})")
        self.require(torch.autograd.gradcheck(lambda x, w, b: Conv2dFunction.apply(x, w, b, 1), (x, w, b)),
                     "gradcheck failed.")
        return "output and the three gradients equal F.conv2d's, with and without padding; gradcheck passes."

    # ------------------------------------------------------------------ 3. batch norm
    @exercise(3, "batch normalisation, train and eval")
    def ex3(self, BatchNormFunction, MyBatchNorm2d):
        torch, nn = self.torch, self.torch.nn
        torch.manual_seed(2)
        x = torch.randn(4, 3, 5, 5, dtype=torch.float64, requires_grad=True) * 2 + 1
        x = x.detach().requires_grad_()
        gamma = torch.randn(3, dtype=torch.float64, requires_grad=True)
        beta = torch.randn(3, dtype=torch.float64, requires_grad=True)
        out = BatchNormFunction.apply(x, gamma, beta, 1e-5)
        ref = torch.nn.functional.batch_norm(x, None, None, gamma, beta, training=True, eps=1e-5)
        unbiased = (x - x.mean((0, 2, 3), keepdim=True)) / torch.sqrt(x.var((0, 2, 3), keepdim=True) + 1e-5)
        self.close(out, ref, "BatchNormFunction's output", mistakes=[
            (unbiased * gamma[:, None, None] + beta[:, None, None],
             "the output normalises with the unbiased variance: in training the batch is normalised with "
             "the biased one (unbiased=False); the unbiased one only goes into running_var.")])
        g = torch.randn(4, 3, 5, 5, dtype=torch.float64)
        mine = torch.autograd.grad(out, (x, gamma, beta), g)
        theirs = torch.autograd.grad(ref, (x, gamma, beta), g)
        naive = g * gamma[:, None, None] / torch.sqrt(x.var((0, 2, 3), unbiased=False, keepdim=True) + 1e-5)
        self.close(mine[0], theirs[0], "the gradient for x", mistakes=[
            (naive, "the gradient for x treats the mean and variance as constants: they depend on every input, "
                    "so subtract the mean of g and x_hat times the mean of g * x_hat (the formula above).")])
        self.close(mine[1], theirs[1], "the gradient for gamma")
        self.close(mine[2], theirs[2], "the gradient for beta")
        self.require(torch.autograd.gradcheck(lambda x, g_, b_: BatchNormFunction.apply(x, g_, b_, 1e-5),
                                              (x, gamma, beta)), "gradcheck failed for BatchNormFunction.")

        mine_bn, ref_bn = MyBatchNorm2d(3), nn.BatchNorm2d(3)
        names = sorted(mine_bn.state_dict())
        self.require({"weight", "bias", "running_mean", "running_var"} <= set(names),
                     f"MyBatchNorm2d's state_dict has {names}: it needs Parameters weight and bias and buffers "
                     f"running_mean and running_var (register_buffer).")
        self.require(sorted(n for n, _ in mine_bn.named_parameters()) == ["bias", "weight"],
                     "weight and bias must be nn.Parameter (trainable); the running statistics are buffers, "
                     "not parameters.")
        xs = [torch.randn(8, 3, 4, 4) * 3 + 2 for _ in range(3)]
        for batch in xs:
            self.close(mine_bn(batch), ref_bn(batch), "MyBatchNorm2d's output in training mode")
        self.close(mine_bn.running_mean, ref_bn.running_mean, "running_mean after 3 batches", mistakes=[
            (sum(b.mean((0, 2, 3)) for b in xs) * 0.1, "running_mean adds m * mean without decaying: "
                                                      "running = (1 - m) * running + m * mean.")])
        self.close(mine_bn.running_var, ref_bn.running_var, "running_var after 3 batches", atol=1e-4)
        mine_bn.eval()
        ref_bn.eval()
        test = torch.randn(2, 3, 4, 4)
        self.close(mine_bn(test), ref_bn(test), "MyBatchNorm2d's output in eval mode", atol=1e-4, mistakes=[
            (torch.nn.functional.batch_norm(test, None, None, ref_bn.weight, ref_bn.bias, training=True),
             "in eval mode the output still uses the batch's statistics: use running_mean and running_var.")])
        return "train-mode output and gradients equal PyTorch's, running statistics update with momentum 0.1, " \
               "eval mode uses them."

    # ------------------------------------------------------------------ 4. optimizers
    def _trajectory(self, make_optimizer, steps=25):
        torch = self.torch
        torch.manual_seed(3)
        A = torch.randn(5, 3)
        target = torch.randn(5)
        w = torch.zeros(3, requires_grad=True)
        optimizer = make_optimizer([w])
        points = []
        for _ in range(steps):
            optimizer.zero_grad()
            loss = ((A @ w - target) ** 2).sum() + (w ** 4).sum()
            loss.backward()
            optimizer.step()
            points.append(w.detach().clone())
        return torch.stack(points)

    @exercise(4, "SGD with momentum and Adam")
    def ex4(self, MySGD, MyAdam):
        optim = self.torch.optim
        mine = self._trajectory(lambda p: MySGD(p, lr=0.01, momentum=0.9))
        ref = self._trajectory(lambda p: optim.SGD(p, lr=0.01, momentum=0.9))
        plain = self._trajectory(lambda p: optim.SGD(p, lr=0.01))
        damp = self._trajectory(lambda p: optim.SGD(p, lr=0.01, momentum=0.9, dampening=0.9))
        self.close(mine, ref, "MySGD's trajectory (25 steps, momentum 0.9)", mistakes=[
            (plain, "MySGD moves like plain SGD: keep the momentum buffer in self.state[p] between steps "
                    "(buf = momentum * buf + grad) and step along it."),
            (damp, "MySGD scales the new gradient by (1 - momentum): PyTorch's momentum adds the full gradient "
                   "(buf = momentum * buf + grad).")])
        mine = self._trajectory(lambda p: MyAdam(p, lr=0.05))
        ref = self._trajectory(lambda p: optim.Adam(p, lr=0.05))
        self.close(mine, ref, "MyAdam's trajectory (25 steps, lr 0.05)", atol=1e-4, mistakes=[
            (self._trajectory(lambda p: _AdamWithoutCorrection(self.torch, p, lr=0.05)),
             "MyAdam skips the bias corrections: divide m by 1 - beta1**t and v by 1 - beta2**t (t = step count, "
             "starting at 1).")])
        return "25 steps of each follow torch.optim.SGD(momentum=0.9) and torch.optim.Adam exactly."

    # ------------------------------------------------------------------ 5. data loader
    @exercise(5, "a DataLoader")
    def ex5(self, MyDataLoader):
        torch = self.torch
        DataLoader, TensorDataset = torch.utils.data.DataLoader, torch.utils.data.TensorDataset
        data = TensorDataset(torch.arange(22.0).reshape(11, 2), torch.arange(11))
        for kwargs in (dict(batch_size=4), dict(batch_size=4, drop_last=True), dict(batch_size=3, shuffle=True)):
            if kwargs.get("shuffle"):
                # DataLoader first draws its workers' base seed from the generator, so compare with the
                # order RandomSampler gives for the same seeded generator
                mine = MyDataLoader(data, **kwargs, generator=torch.Generator().manual_seed(7))
                order = list(torch.utils.data.RandomSampler(data, generator=torch.Generator().manual_seed(7)))
                theirs = DataLoader(data, batch_size=kwargs["batch_size"], sampler=order)
            else:
                mine, theirs = MyDataLoader(data, **kwargs), DataLoader(data, **kwargs)
            self.require(len(mine) == len(theirs), f"len(MyDataLoader(..., {_args(kwargs)})) is {len(mine)}, "
                                                   f"expected {len(theirs)} batches for 11 samples.")
            got, expected = list(mine), list(theirs)
            self.require(len(got) == len(expected), f"with {_args(kwargs)} the loader yields {len(got)} batches, "
                                                    f"expected {len(expected)}.")
            for i, (a, b) in enumerate(zip(got, expected)):
                self.require(isinstance(a, (tuple, list)) and len(a) == 2,
                             "each batch must be a pair (x batch, y batch): collate field by field with torch.stack.")
                self.is_tensor(a[0], f"batch {i}'s x")
                self.require(tuple(a[0].shape) == tuple(b[0].shape),
                             f"with {_args(kwargs)} batch {i}'s x has shape {tuple(a[0].shape)}, expected "
                             f"{tuple(b[0].shape)}.")
                hint = (" Shuffle with torch.randperm(len(dataset), generator=self.generator)."
                        if kwargs.get("shuffle") else "")
                self.close(a[1], b[1], f"with {_args(kwargs)} the labels of batch {i}", mistakes=[] if not hint else [
                    (b[1] * 0 + torch.arange(i * 3, i * 3 + len(b[1])), "the batches are in order: shuffle=True "
                                                                         "must permute the indices." + hint)])
                self.close(a[0], b[0], f"with {_args(kwargs)} batch {i}'s x" + hint)
        return "same batches as DataLoader in order, with drop_last, and shuffled with the same generator."

    # ------------------------------------------------------------------ 6. the network
    @exercise(6, "a network from your pieces")
    def ex6(self, DigitNet, train_digits):
        torch = self.torch
        X_train = torch.from_numpy(read_idx(DIGITS_RAW / "train-images-idx3-ubyte").astype(np.float32) / 255).unsqueeze(1)
        y_train = torch.from_numpy(read_idx(DIGITS_RAW / "train-labels-idx1-ubyte").astype(np.int64))
        X_test = torch.from_numpy(read_idx(DIGITS_RAW / "t10k-images-idx3-ubyte").astype(np.float32) / 255).unsqueeze(1)
        y_test = torch.from_numpy(read_idx(DIGITS_RAW / "t10k-labels-idx1-ubyte").astype(np.int64))
        torch.manual_seed(0)
        model = DigitNet()
        kinds = {type(m).__name__ for m in model.modules()}
        self.require({"MyConv2d", "MyBatchNorm2d"} <= kinds, "DigitNet must be built from MyConv2d and "
                                                            "MyBatchNorm2d (keep the __init__ as given).")
        model.eval()                     # a shape check that leaves the running statistics alone
        out = model(X_train[:2])
        model.train()
        self.require(tuple(out.shape) == (2, 10), f"DigitNet gives shape {tuple(out.shape)} for 2 digits, "
                                                  f"expected (2, 10): conv keeps 8x8, the pool halves it to 4x4, "
                                                  f"then flatten to 16 * 4 * 4 = 256 features.")
        before = [p.detach().clone() for p in model.parameters()]
        train_digits(model, torch.utils.data.TensorDataset(X_train, y_train), 5)
        self.require(any(not torch.equal(a, b.detach()) for a, b in zip(before, model.parameters())),
                     "no parameter changed: train_digits must call backward() and your optimizer's step().")
        self.require(float(model.bn.running_mean.abs().sum()) > 0,
                     "the batch norm's running_mean is still zero: train in training mode (model.train()).")
        model.eval()
        with torch.no_grad():
            accuracy = (model(X_test).argmax(1) == y_test).float().mean().item()
        self.require(accuracy >= 0.9, f"test accuracy {accuracy:.1%} after 5 epochs, expected at least 90%: check "
                                      f"zero_grad() before each backward, lr=0.01, shuffled batches of 64, and the "
                                      f"forward order conv -> bn -> relu -> pool.")
        return f"your conv, batch norm, loss, Adam and loader trained a CNN to {accuracy:.1%} on 360 test digits."


def _args(kwargs: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in kwargs.items())


class _AdamWithoutCorrection:
    """Adam without the bias corrections: the trajectory a learner gets by forgetting them."""

    def __init__(self, torch, params, lr, betas=(0.9, 0.999), eps=1e-8):
        self.torch, self.params, self.lr, self.betas, self.eps = torch, list(params), lr, betas, eps
        self.m = [p.detach() * 0 for p in self.params]
        self.v = [p.detach() * 0 for p in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        b1, b2 = self.betas
        for i, p in enumerate(self.params):
            g = p.grad.detach()
            self.m[i] = b1 * self.m[i] + (1 - b1) * g
            self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
            with self.torch.no_grad():
                p -= self.lr * self.m[i] / (self.v[i].sqrt() + self.eps)
