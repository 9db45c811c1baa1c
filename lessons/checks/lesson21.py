"""Checks for lesson 21 (build it yourself 1/2: autograd from scratch)."""
from __future__ import annotations

import math

from . import Hint, LessonChecks, exercise


class Checks(LessonChecks):
    # ------------------------------------------------------------------ 1. Value
    def _value_case(self, Value, build, inputs):
        """Run `build` on Values and on tensors; return [(name, value grad, tensor grad)] and outputs."""
        torch = self.torch
        values = {k: Value(v) for k, v in inputs.items()}
        tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in inputs.items()}
        out_v = build(values, lambda v: v.tanh(), lambda v: v.exp())
        out_t = build(tensors, torch.tanh, torch.exp)
        self.require(isinstance(out_v, Value), f"the expression gave a {type(out_v).__name__}, not a Value: "
                                               "each operation must return a new Value.")
        self.require(math.isclose(out_v.data, out_t.item(), rel_tol=1e-9, abs_tol=1e-12),
                     f"forward: your Value computes {out_v.data:.6g}, the engine {out_t.item():.6g}.")
        out_v.backward()
        out_t.backward()
        return [(k, values[k].grad, tensors[k].grad.item()) for k in inputs], out_v

    @exercise(1, "a scalar autograd Value")
    def ex1(self, Value):
        def neuron(v, tanh, exp):
            return tanh(v["w1"] * v["x1"] + v["w2"] * v["x2"] + v["b"])

        grads, out = self._value_case(Value, neuron, {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432})
        self.require(out.grad == 1.0, f"after backward() the output's own grad is {out.grad}: backward() "
                                      "must start with self.grad = 1.0 (d out / d out).")
        for name, mine, ref in grads:
            if not math.isclose(mine, ref, rel_tol=1e-6, abs_tol=1e-9):
                t = math.tanh(-6 + 6.8813735870195432)
                if math.isclose(mine, ref / (1 - t * t) * (1 - t), rel_tol=1e-6, abs_tol=1e-9):
                    raise Hint(f"in the neuron, {name}.grad is {mine:.6g}, expected {ref:.6g}: the derivative of "
                               f"tanh is 1 - out**2 (squared), not 1 - out.")
                if mine == 0.0:
                    raise Hint(f"in the neuron, {name}.grad is 0, expected {ref:.6g}: is every _backward set on "
                               f"`out`, and does backward() call them all?")
                raise Hint(f"in the neuron tanh(w1*x1 + w2*x2 + b), {name}.grad is {mine:.6g}, expected {ref:.6g}.")

        def twice(v, tanh, exp):
            return v["a"] * v["a"] + v["a"]

        grads, _ = self._value_case(Value, twice, {"a": 3.0})
        (_, mine, ref), = grads
        if not math.isclose(mine, ref, rel_tol=1e-9):
            if mine in (3.0, 1.0, 4.0):
                raise Hint(f"for a*a + a at a=3, a.grad is {mine:g}, expected 7: a value used several times "
                           f"must *add* each share into .grad (`self.grad += ...`), not assign it.")
            raise Hint(f"for a*a + a at a=3, a.grad is {mine:g}, expected 7.")

        def diamond(v, tanh, exp):
            s = v["x"] * 2.0
            return exp(s) * tanh(s) + s

        grads, _ = self._value_case(Value, diamond, {"x": 0.3})
        (_, mine, ref), = grads
        if not math.isclose(mine, ref, rel_tol=1e-6):
            raise Hint(f"for exp(s) * tanh(s) + s with s = 2x, x.grad is {mine:.6g}, expected {ref:.6g}: a node "
                       f"must run its _backward only after every node that uses it has added its share — walk a "
                       f"topological order (inputs before outputs) in reverse, each node once.")
        return "the neuron, a value used twice and a diamond all match the engine's gradients."

    # ------------------------------------------------------------------ 2. Mul, MatMul
    @exercise(2, "backward of mul and matmul")
    def ex2(self, Mul, MatMul):
        torch = self.torch
        torch.manual_seed(1)
        a = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
        b = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
        g = torch.randn(3, 4, dtype=torch.float64)
        ga, gb = torch.autograd.grad(Mul.apply(a, b), (a, b), g)
        self.close(ga, g * b, "Mul's gradient for a", mistakes=[
            (b, "Mul's gradient for a is b alone: multiply by grad_output (the chain rule)."),
            (g * a, "Mul's gradient for a is grad_output * a: the derivative of a*b with respect to a is b.")])
        self.close(gb, g * a, "Mul's gradient for b", mistakes=[
            (g * b, "Mul's gradient for b is grad_output * b: the derivative of a*b with respect to b is a.")])
        self.require(torch.autograd.gradcheck(Mul.apply, (a, b)), "gradcheck failed for Mul.")

        A = torch.randn(3, 5, dtype=torch.float64, requires_grad=True)
        B = torch.randn(5, 2, dtype=torch.float64, requires_grad=True)
        G = torch.randn(3, 2, dtype=torch.float64)
        gA, gB = torch.autograd.grad(MatMul.apply(A, B), (A, B), G)
        self.is_tensor(gA, "MatMul's gradient for A")
        self.require(tuple(gA.shape) == (3, 5), f"MatMul's gradient for A has shape {tuple(gA.shape)}; it must have "
                                                f"A's shape (3, 5): grad_output (3, 2) @ B.T (2, 5).")
        self.require(tuple(gB.shape) == (5, 2), f"MatMul's gradient for B has shape {tuple(gB.shape)}; it must have "
                                                f"B's shape (5, 2): A.T (5, 3) @ grad_output (3, 2).")
        self.close(gA, G @ B.detach().T, "MatMul's gradient for A")
        self.close(gB, A.detach().T @ G, "MatMul's gradient for B")
        self.require(torch.autograd.gradcheck(MatMul.apply, (A, B)), "gradcheck failed for MatMul.")
        return "both backward rules match * and @, and gradcheck passes in float64."

    # ------------------------------------------------------------------ 3. broadcasting
    @exercise(3, "the backward of a broadcasting add")
    def ex3(self, unbroadcast, Add):
        torch = self.torch
        torch.manual_seed(2)
        g = torch.randn(2, 3, 4, dtype=torch.float64)
        for shape, expected in [((2, 3, 4), g), ((3, 4), g.sum(0)), ((3, 1), g.sum(0).sum(1, keepdim=True)),
                                ((2, 1, 4), g.sum(1, keepdim=True)), ((), g.sum())]:
            got = unbroadcast(g, shape)
            self.is_tensor(got, f"unbroadcast(grad of shape (2, 3, 4), {shape})")
            if tuple(got.shape) != tuple(shape):
                squeezed = " (keep the size-1 axes: sum(dim, keepdim=True))" if got.numel() == expected.numel() else ""
                raise Hint(f"unbroadcast(grad of shape (2, 3, 4), {shape}) has shape {tuple(got.shape)}; it must "
                           f"be {shape}{squeezed}.")
            self.close(got, expected, f"unbroadcast(grad, {shape})")
        for sa, sb in [((4, 3), (3,)), ((2, 1, 4), (3, 1)), ((2, 3), ()), ((2, 3), (2, 3))]:
            a = torch.randn(sa, dtype=torch.float64, requires_grad=True)
            b = torch.randn(sb, dtype=torch.float64, requires_grad=True)
            out = Add.apply(a, b)
            self.close(out, a + b, f"Add.apply for shapes {sa} and {sb}")
            up = torch.randn(tuple(out.shape), dtype=torch.float64)
            ga, gb = torch.autograd.grad(out, (a, b), up)
            ra, rb = torch.autograd.grad(a + b, (a, b), up)
            self.close(ga, ra, f"Add's gradient for a {sa} (+ b {sb})")
            self.close(gb, rb, f"Add's gradient for b {sb} (a {sa} + b)")
            self.require(torch.autograd.gradcheck(Add.apply, (a, b)), f"gradcheck failed for Add with {sa} + {sb}.")
        return "gradients summed back to every input's shape, gradcheck passes for four broadcasting cases."

    # ------------------------------------------------------------------ 4. training with them
    @exercise(4, "train a linear model with your ops")
    def ex4(self, fit):
        torch = self.torch
        torch.manual_seed(3)
        X = torch.randn(32, 3)
        y = X @ torch.tensor([[1.0, -2.0], [0.5, 0.0], [-1.0, 3.0]]) + torch.tensor([0.3, -0.7])

        def reference(steps, lr):
            W = torch.zeros(3, 2, requires_grad=True)
            b = torch.zeros(2, requires_grad=True)
            for _ in range(steps):
                loss = ((X @ W + b - y) ** 2).mean()
                loss.backward()
                with torch.no_grad():
                    W -= lr * W.grad
                    b -= lr * b.grad
                W.grad.zero_()
                b.grad.zero_()
            return W.detach(), b.detach()

        result = fit(X, y, 20, 0.1)
        self.answered(result)
        self.require(isinstance(result, tuple) and len(result) == 2, "fit must return the pair (W, b).")
        W, b = result
        self.is_tensor(W, "W")
        self.is_tensor(b, "b")
        W_ref, b_ref = reference(20, 0.1)
        self.close(W, W_ref, "W after 20 steps", atol=1e-4, mistakes=[
            (torch.zeros(3, 2), "W is still zero: update W and b with lr * grad under torch.no_grad()."),
            (reference(1, 0.1)[0], "W is what one step gives: loop `steps` times.")])
        self.close(b, b_ref, "b after 20 steps", atol=1e-4, mistakes=[
            (torch.zeros(2), "b is still zero: update b too.")])
        return "20 steps with your MatMul and Add give exactly the weights that @ and + give."
