"""Checks for the exercises of lesson 00 (welcome): tensors, backward() and .grad."""
from __future__ import annotations

from . import Hint, LessonChecks, exercise


class Checks(LessonChecks):
    @exercise(1, "a tensor that records, and its gradient")
    def ex1(self, t):
        self.is_tensor(t, "t")
        self.require(tuple(t.shape) == (2, 3),
                     f"t has shape {tuple(t.shape)}: write two rows of three, [[1., 2., 3.], [4., 5., 6.]]"
                     + (" (or reshape the six numbers to (2, 3))." if t.numel() == 6 else "."))
        self.require(t.is_floating_point(), f"t has dtype {t.dtype}: write the numbers as floats (1.0, ...) or pass "
                                            "dtype=torch.float32; only floating-point tensors can require grad.")
        self.close(t, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], "t")
        self.require(t.requires_grad, "t does not require grad: pass requires_grad=True to torch.tensor.")
        self.require(t.is_leaf, "t has a grad_fn, so it is the result of an operation (such as .reshape) and "
                                "gets no .grad: create it directly with torch.tensor(..., requires_grad=True).")
        self.require(t.grad is not None, "t.grad is None: compute y = (t ** 2).sum() and call y.backward().")
        self.close(t.grad, 2 * t.detach(), "t.grad", mistakes=[
            (4 * t.detach(), "t.grad is 4t, twice the derivative 2t: backward() ran twice and the gradients added "
                             "up. Re-run the cell that makes t (a fresh t), then call backward() once."),
            (3 * t.detach() ** 2, "t.grad is 3t²: that is the derivative of t ** 3; the exercise asks for t ** 2.")])
        return "t.grad = 2t, the derivative of the sum of squares."

    @exercise(2, "a derivative calculator")
    def ex2(self, derivative):
        torch = self.torch
        values = [-1.0, 0.0, 0.5, 2.0]
        x = torch.tensor(values)
        try:
            got = derivative(torch.sin, values)
        except RuntimeError as error:
            if "scalar" in str(error):
                raise Hint("backward() was called on a tensor of 4 numbers: it needs one number to start from. "
                           "Call it on f(x).sum().") from None
            raise
        self.is_tensor(got, "derivative(torch.sin, values)")
        self.close(got, torch.cos(x), "the derivative of sin", mistakes=[
            (torch.sin(x), "you returned f(x) itself (the values of sin): return x.grad after backward()."),
            (x, "you returned x: return x.grad, the gradient stored by backward().")])
        self.close(derivative(lambda v: v ** 3, values), 3 * x ** 2, "the derivative of x ** 3")
        try:
            got = derivative(torch.exp, [0, 1, 2])
        except RuntimeError as error:
            if "floating point" in str(error):
                raise Hint("with a list of integers, torch.tensor makes an int64 tensor, which cannot require "
                           "grad: pass dtype=torch.float32 to torch.tensor.") from None
            raise
        self.close(got, torch.exp(torch.tensor([0.0, 1.0, 2.0])), "the derivative of exp at [0, 1, 2]")
        return "sin' = cos, (x³)' = 3x², exp' = exp: autograd computed each from the forward code alone."

    @exercise(3, "one tensor, several gradients")
    def ex3(self, gradients):
        torch = self.torch
        x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
        functions = [lambda v: v ** 2, torch.sin, lambda v: 3 * v]
        got = gradients(x, functions)
        self.answered(got)
        self.require(isinstance(got, (list, tuple)), f"gradients returned a {type(got).__name__}: return a list "
                                                     "with one gradient per function.")
        self.require(len(got) == 3, f"gradients returned {len(got)} gradients for 3 functions: one per function.")
        v = x.detach()
        expected = [2 * v, torch.cos(v), 3 * torch.ones(3)]
        running = [expected[0], expected[0] + expected[1], expected[0] + expected[1] + expected[2]]
        for k, g in enumerate(got):
            self.is_tensor(g, f"gradient {k} of the list")
        if got[0] is got[1] or got[1] is got[2] or all(
                self.numpy(g).tolist() == self.numpy(got[0]).tolist() for g in got):
            raise Hint("the gradients in your list are one and the same tensor, x.grad, which every later "
                       "backward() (and zero_()) changes in place. Set x.grad = None before each backward(): "
                       "backward() then makes a new tensor for each gradient.")
        for k, (g, e, r) in enumerate(zip(got, expected, running)):
            self.close(g, e, f"the gradient for function {k}", mistakes=[
                (r, f"the gradient for function {k} is the sum of the gradients so far: backward() adds into "
                    "x.grad. Clear it before each backward: x.grad = None.")])
        return "2x, cos x and 3, each from a fresh x.grad."
