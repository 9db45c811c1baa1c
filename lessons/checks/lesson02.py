"""Checks for the exercises of lesson 02 (autograd)."""
from __future__ import annotations

from . import LessonChecks, exercise


class Checks(LessonChecks):
    @exercise(1, "predict the gradients")
    def ex1(self, gradients):
        torch = self.torch
        a = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
        b = torch.tensor([4.0, 0.5, -1.0], requires_grad=True)
        grad_a, grad_b = gradients(a.detach(), b.detach())
        (a * b + a).sum().backward()
        self.close(grad_a, a.grad, "grad_a", mistakes=[
            (b, "grad_a equals b: `a` appears twice in a * b + a, so its gradient is b from the product "
                "plus 1 from the `+ a` (gradients of every path add up)."),
            (b * 0 + 1, "grad_a is all ones: that is only the `+ a` path; the product a * b also depends on a.")])
        self.close(grad_b, b.grad, "grad_b", mistakes=[
            (a + 1, "grad_b is a + 1, but `+ a` does not involve b: d/db (a * b + a) = a.")])
        return "d/da = b + 1 (two paths add up) and d/db = a, as backward() finds."

    @exercise(2, "Exp as an autograd.Function")
    def ex2(self, Exp):
        torch = self.torch
        x = torch.tensor([-1.0, 0.0, 0.5, 2.0], dtype=torch.float64, requires_grad=True)
        y = Exp.apply(x)
        self.is_tensor(y, "Exp.apply(x)")
        self.close(y, torch.exp(x), "the forward of Exp")
        upstream = torch.tensor([1.0, 2.0, -3.0, 0.5], dtype=torch.float64)
        (grad,) = torch.autograd.grad(y, x, upstream)
        self.close(grad, upstream * torch.exp(x), "the gradient of Exp", mistakes=[
            (torch.exp(x), "backward returns exp(x) but forgets grad_output: the chain rule multiplies the "
                           "local derivative by the gradient that arrives (grad_output * result)."),
            (upstream, "backward returns grad_output unchanged: multiply it by the derivative of exp, which "
                       "is exp(x) itself — the output you saved."),
            (upstream * x, "backward multiplies grad_output by x: the derivative of exp(x) is exp(x), not x "
                           "(save the output in forward and use it).")])
        self.require(torch.autograd.gradcheck(Exp.apply, (x,)), "gradcheck failed.")
        return "forward and backward match torch.exp, and gradcheck passes in float64."

    @exercise(3, "a hook that clips gradients")
    def ex3(self, clip_hook):
        torch = self.torch
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        hidden = x * 1.0
        hidden.register_hook(clip_hook)
        (hidden * torch.tensor([5.0, -0.5, -4.0])).sum().backward()
        self.require(x.grad is not None, "x.grad is None: did the hook raise or return something odd?")
        self.close(x.grad, torch.tensor([1.0, -0.5, -1.0]), "x.grad after the clipping hook", mistakes=[
            (torch.tensor([5.0, -0.5, -4.0]), "the gradient was not clipped: a tensor hook must *return* the "
                                               "new gradient (`return grad.clamp(-1, 1)`); returning None "
                                               "keeps the old one."),
            (torch.tensor([1.0, 0.0, 0.0]), "negative gradients became 0: clip to [-1, 1], not [0, 1].")])
        return "the hook's return value replaced the gradient on its way to x."

    @exercise(4, "second derivatives with create_graph")
    def ex4(self, second_derivative):
        torch = self.torch
        x = torch.linspace(-2, 2, 9, dtype=torch.float64)
        got = second_derivative(torch.tanh, x)
        self.is_tensor(got, "second_derivative(torch.tanh, x)")
        t = torch.tanh(x)
        self.close(got, -2 * t * (1 - t ** 2), "the second derivative of tanh", mistakes=[
            (1 - t ** 2, "that is the first derivative of tanh: differentiate the gradient once more "
                         "(torch.autograd.grad of dy.sum() with respect to x).")])
        got = second_derivative(torch.sin, x)
        self.close(got, -torch.sin(x), "the second derivative of sin")
        return "d²/dx² tanh = -2 tanh(x) (1 - tanh²(x)), and sin'' = -sin, from autograd alone."

    @exercise(5, "a training step that zeroes its gradients")
    def ex5(self, train):
        torch = self.torch
        X = torch.tensor([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]])
        y = torch.tensor([1.0, -2.0, 4.0])

        def reference(steps, lr):
            w = torch.zeros(2, requires_grad=True)
            for _ in range(steps):
                loss = ((X @ w - y) ** 2).mean()
                loss.backward()
                with torch.no_grad():
                    w -= lr * w.grad
                w.grad.zero_()
            return w.detach()

        def ascending(steps, lr):
            return reference(steps, -lr)

        def accumulating(steps, lr):
            w = torch.zeros(2, requires_grad=True)
            for _ in range(steps):
                ((X @ w - y) ** 2).mean().backward()
                with torch.no_grad():
                    w -= lr * w.grad
            return w.detach()

        w = train(X, y, 3, 0.05)
        self.is_tensor(w, "train(X, y, steps=3, lr=0.05)")
        if w.requires_grad:
            w = w.detach()
        self.close(w, reference(3, 0.05), "w after 3 steps", mistakes=[
            (accumulating(3, 0.05), "w matches a loop that never zeroes w.grad: backward() *adds* into .grad, "
                                    "so each step used the sum of all earlier gradients. Call w.grad.zero_() "
                                    "after the update."),
            (torch.zeros(2), "w is still zero: nothing updated it. Loop `steps` times: loss, backward, "
                             "update under torch.no_grad(), zero the gradient."),
            (reference(1, 0.05), "w is what one step gives: loop `steps` times."),
            (ascending(3, 0.05), "w moved uphill: subtract lr * w.grad (gradient *descent*).")])
        return "three steps of gradient descent, each on a fresh gradient."
