# %% [markdown]
# # 21 · Build it yourself (1/2): autograd from scratch
#
# *Runs in about 5 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
#
# This is the first of two **build-it** lessons. So far you have read edutorch; now you write its core
# pieces yourself, and a check compares each piece with the real thing — edutorch's op, or PyTorch's
# when you run the lesson on PyTorch. Every step is an exercise: read the idea, fill in the cell that
# starts with `# Exercise N`, run the check under it. The checks give hints that name the mistake;
# the solutions are in [solutions/21_build_autograd.py](solutions/21_build_autograd.py) (try first!).
#
# **Goals.** After this lesson you have written
#
# 1. a scalar autograd engine, `Value`, with `+`, `*`, `tanh`, `exp` and `backward()` in topological
#    order (拓扑排序) — the whole idea of autograd (自动微分) in about 40 lines;
# 2. the backward of `mul` and `matmul` as `torch.autograd.Function`s that plug into the real engine;
# 3. the backward of a **broadcasting** add (广播机制), whose gradient must be summed back to each
#    input's shape — the most common bug in hand-written engines.
#
# Lesson 22 continues with cross-entropy, convolution, batch normalisation, optimizers and a data
# loader, and trains a network made only of your pieces. Lesson 02 (autograd) is the background.
#
# The build-it track has lessons of its own, rather than parts of lessons 02–14, so that each lesson
# there stays about *using* PyTorch (and runs unchanged on it), while here every step is about
# *writing* a piece, checked against the real one; and so that the pieces of lesson 22 can be put
# together in one notebook at the end.

# %%
# %matplotlib inline
import math

import matplotlib.pyplot as plt
import numpy as np

import edutorch as torch   # <- change to `import torch` to run this lesson on PyTorch
EDUTORCH = torch.__name__ == "edutorch"
if EDUTORCH:  # edutorch-only helper: print the source code behind an op or a graph node
    from edutorch.notebook import show_source

torch.manual_seed(0)
plt.rcParams["figure.dpi"] = 80

# %%
from checks.lesson21 import Checks   # the checks of this lesson: lessons/checks/lesson21.py
check = Checks(torch)

# %% [markdown]
# ## 1. A scalar `Value` that knows its gradient
#
# A `Value` wraps one number (`data`) and remembers how it was made: its inputs (`_prev`) and a
# function `_backward` that, once `out.grad` is known, **adds** each input's share into the input's
# `.grad` (链式法则, the chain rule): for $out = a + b$ both shares are `out.grad`; for $out = a b$,
# `a` gets `b.data * out.grad` and `b` gets `a.data * out.grad`; for $out = \tanh a$, `a` gets
# $(1 - out^2) \cdot$ `out.grad`; for $out = e^a$, `a` gets $out \cdot$ `out.grad`.
#
# Why *add* and not assign? A value can be used twice (`a * a`, or `x` feeding two neurons): each use
# sends its own share and the shares add up, exactly as `.grad` accumulates in PyTorch.
#
# `backward()` sets `self.grad = 1` (d out / d out) and calls every node's `_backward` **after** all
# the nodes that use it have sent their share: reverse topological order. Build the order with a
# depth-first search that appends a node after all its inputs, then walk it backwards.
#
# **Exercise 1.** Complete `Value`: the `_backward` of `+`, then `*`, `tanh`, `exp` and `backward`.
# The check builds a small neuron $\tanh(w_1 x_1 + w_2 x_2 + b)$, an expression that uses a value
# twice, and one with a diamond, and compares every gradient with the real engine's.

# %%
# Exercise 1: a scalar autograd engine
class Value:
    """A scalar that remembers how it was computed, so it can send gradients back."""

    def __init__(self, data, children=(), op=""):
        self.data = float(data)
        self.grad = 0.0
        self._backward = lambda: None   # adds this node's gradient into its inputs' .grad
        self._prev = tuple(children)
        self._op = op

    def __repr__(self):
        return f"Value(data={self.data:.4f}, grad={self.grad:.4f})"

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            raise NotImplementedError("d out/d self = 1 and d out/d other = 1: add out.grad into both")

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        raise NotImplementedError("make out = Value(self.data * other.data, (self, other), '*') and its _backward")

    def tanh(self):
        raise NotImplementedError("out = tanh(self.data); d out/d self = 1 - out**2")

    def exp(self):
        raise NotImplementedError("out = exp(self.data); d out/d self = out")

    def backward(self):
        raise NotImplementedError("topological order by depth-first search, grad = 1, then each _backward in reverse")

    __radd__ = __add__
    __rmul__ = __mul__

# %%
check.ex1(Value)

# %% [markdown]
# When it passes, try it by hand: the gradient of $\tanh(w x + b)$ at $x = 2, w = -0.5, b = 1$
# is $1 - \tanh^2(0) = 1$ for `b` and $x \cdot 1 = 2$ for `w`.
#
# ### Look inside: edutorch's engine
#
# *edutorch-only cell.* edutorch's `run_backward` is the same walk at tensor scale. Instead of a
# depth-first order it counts, for each node, how many gradients it still waits for, and runs a node
# when the count reaches zero (Kahn's algorithm): the same guarantee — every share arrives before the
# node passes its gradient on.

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    from edutorch.autograd.graph import run_backward
    show_source(run_backward)

# %% [markdown]
# ## 2. Backward of `mul` and `matmul` as `torch.autograd.Function`
#
# A tensor op in PyTorch (and edutorch) is a `torch.autograd.Function`: `forward(ctx, ...)` computes
# the result and saves what backward needs with `ctx.save_for_backward`; `backward(ctx, grad_output)`
# returns one gradient per input. The engine does the rest: records the node, orders the walk, adds
# up the shares.
#
# For $C = A B$ (matrices, $A$: $n \times k$, $B$: $k \times m$) and an upstream gradient $G =
# \partial L / \partial C$ of $C$'s shape:
#
# $$\frac{\partial L}{\partial A} = G B^\top \quad (n \times m \cdot m \times k), \qquad
#   \frac{\partial L}{\partial B} = A^\top G \quad (k \times n \cdot n \times m).$$
#
# The shapes tell you where the transposes go: each gradient has its input's shape.
#
# **Exercise 2.** Write `Mul` (elementwise, same shapes) and `MatMul` (2-D). The check runs
# `gradcheck` in float64 and compares with `*` and `@`.

# %%
# Exercise 2: the backward of elementwise mul and of matmul
class Mul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("return (gradient for a, gradient for b)")


class MatMul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, A, B):
        ctx.save_for_backward(A, B)
        return A @ B

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("return (grad_output @ B^T, A^T @ grad_output)")

# %%
check.ex2(Mul, MatMul)

# %% [markdown]
# ### Look inside: edutorch's `Mm`
#
# *edutorch-only cell.* edutorch's built-in matrix product is a `Function` of the same shape, on NumPy
# arrays; `ctx.needs_input_grad` lets it skip the product nobody needs.

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    from edutorch.ops.linalg import Mm
    show_source(Mm)

# %% [markdown]
# ## 3. Broadcasting, and summing the gradient back
#
# `x + b` with `x` of shape `(4, 3)` and `b` of shape `(3,)` adds `b` to every row: `b` is
# **broadcast** to `(4, 3)`. Each element of `b` is used 4 times, so its gradient is the **sum** of
# the 4 upstream gradients of its column. In general, to undo broadcasting:
#
# 1. sum over the leading axes the input did not have (`(3,)` was treated as `(1, 3)`);
# 2. sum, keeping the axis, over every axis where the input had size 1 and the result did not.
#
# A forgotten sum gives a gradient of the wrong shape (the engine refuses it); summing over the
# wrong axis gives a gradient of the right shape and wrong values — silently.
#
# **Exercise 3.** Write `unbroadcast(grad, shape)` and an `Add` `Function` whose backward uses it.
# The check tries `(4, 3) + (3,)`, `(2, 1, 4) + (3, 1)`, a 0-d tensor, and equal shapes.

# %%
# Exercise 3: undo broadcasting in the backward of add
def unbroadcast(grad, shape):
    """Sum grad down to `shape` (the shape of the input before broadcasting)."""
    raise NotImplementedError("sum over the leading axes, then over the axes where shape has a 1")


class Add(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.a_shape, ctx.b_shape = a.shape, b.shape
        return a + b

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("both inputs get grad_output, summed back to their own shape")

# %%
check.ex3(unbroadcast, Add)

# %% [markdown]
# ### Look inside: edutorch's `_unbroadcast`
#
# *edutorch-only cell.* edutorch undoes broadcasting in one place for every op, so no op can get it
# wrong on its own.

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    from edutorch.autograd.graph import _unbroadcast
    show_source(_unbroadcast)

# %% [markdown]
# ## 4. Your ops train a model
#
# **Exercise 4.** Put your `MatMul` and `Add` to work: fit a linear model $\hat y = X W + b$ to data
# by gradient descent, computing the prediction **only** with `MatMul.apply` and `Add.apply`, the loss
# with ordinary ops (`((pred - y) ** 2).mean()`), and updating `W` and `b` under `torch.no_grad()`.
# `fit(X, y, steps, lr)` starts from `W = zeros(k, m)` and `b = zeros(m)` (both requiring grad) and
# returns `(W, b)`. The check compares with the same training done by `@` and `+`, so your ops must
# give the same gradients inside a real training loop.

# %%
# Exercise 4: train a linear model with your own MatMul and Add
def fit(X, y, steps, lr):
    W = torch.zeros(X.shape[1], y.shape[1], requires_grad=True)
    b = torch.zeros(y.shape[1], requires_grad=True)
    raise NotImplementedError("loop: pred with MatMul.apply/Add.apply, loss, backward, update, zero the grads")
    return W, b

# %%
check.ex4(fit)

# %% [markdown]
# ## Summary
#
# - Autograd is a graph of values that remember their inputs and a local backward rule; `backward()`
#   seeds $\partial L / \partial L = 1$ and runs the rules in reverse topological order, each **adding**
#   its share into its inputs' gradients.
# - A tensor op is a `torch.autograd.Function`: `forward` saves what `backward` needs; `backward`
#   returns one gradient per input, each of its input's shape ($G B^\top$ and $A^\top G$ for matmul).
# - Broadcasting in forward is a sum in backward: over the leading axes and the axes of size 1.
# - The same three ideas run edutorch (and, in C++, PyTorch): `run_backward`, `Function`,
#   `_unbroadcast`.
#
# Next: lesson 22 builds the layers, the loss, the optimizer and the data loader of a real network.

# %% [markdown]
# ## 中文小结
#
# - 自动微分的核心：每个值记住它的输入和一条局部求导规则；`backward()` 先令输出的梯度为 1，再按
#   **拓扑排序**的逆序执行每条规则，把梯度**累加**到输入的 `.grad` 上（同一个值被用了两次，两份梯度相加）。
# - 张量运算写成 `torch.autograd.Function`：`forward` 保存反向传播要用的量，`backward` 为每个输入返回
#   一个与该输入形状相同的梯度；矩阵乘法 $C = AB$ 的梯度是 $G B^\top$ 和 $A^\top G$。
# - 前向传播中的**广播机制**在反向传播中对应求和：对多出来的前导维度求和，对原来大小为 1 的维度求和。
# - 你写的 `MatMul` 和 `Add` 可以直接接入真正的引擎，训练一个线性模型，结果与内置运算一致。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | automatic differentiation | 自动微分 | `torch.autograd` |
# | computational graph | 计算图 | `Tensor.grad_fn` |
# | chain rule | 链式法则 | `Tensor.backward()` |
# | topological order | 拓扑排序 | — |
# | gradient accumulation | 梯度累加 | `Tensor.grad` |
# | custom function | 自定义函数 | `torch.autograd.Function` |
# | save for backward | 为反向传播保存 | `ctx.save_for_backward`, `ctx.saved_tensors` |
# | matrix multiplication | 矩阵乘法 | `torch.matmul`, `@` |
# | broadcasting | 广播机制 | — |
# | numerical gradient check | 数值梯度检查 | `torch.autograd.gradcheck` |
# | gradient descent | 梯度下降 | `torch.optim.SGD` |
