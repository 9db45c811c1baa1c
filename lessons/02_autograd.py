# %% [markdown]
# # 02 · Autograd
#
# *Runs in about 5 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
#
# **Autograd** (自动微分) computes gradients for you: while you compute, it records a
# **computation graph** (计算图) of the operations; `backward()` walks this graph from the output back
# to the inputs and applies the chain rule at every node.
#
# **Goals.** After this lesson you can
#
# - draw and walk the graph of a computation: `grad_fn`, `next_functions`, leaves (叶子节点) and their
#   `AccumulateGrad` nodes;
# - explain why gradients accumulate, what `retain_graph`, `retain_grad` and `create_graph` do, and
#   when to use `backward()` or `torch.autograd.grad`;
# - steer gradients with hooks (钩子), `no_grad` and `detach`, and understand autograd's in-place rules;
# - write your own differentiable operation and check it with `gradcheck`;
# - train a logistic regression (逻辑回归) with autograd.
# - compute Jacobians (雅可比矩阵) and Hessians (黑塞矩阵) with `torch.autograd.functional`, and take
#   gradients through `torch.linalg.solve`.

# %%
# %matplotlib inline
import math
import warnings

import matplotlib.pyplot as plt
import numpy as np

import edutorch as torch   # <- change to `import torch` to run this lesson on PyTorch
EDUTORCH = torch.__name__ == "edutorch"
if EDUTORCH:  # edutorch-only helper: print the source code behind an op or a graph node
    from edutorch.notebook import show_source

torch.manual_seed(0)
plt.rcParams["figure.dpi"] = 80

# %% [markdown]
# ## 1. The computation graph (计算图)
#
# Take $y = w x + b$ where we want gradients for the parameters `w` and `b` but not for the input `x`.

# %%
x = torch.tensor(2.0)
w = torch.tensor(3.0, requires_grad=True)
b = torch.tensor(1.0, requires_grad=True)
y = w * x + b
for name, t in [("x", x), ("w", w), ("b", b), ("y", y)]:
    print(f"{name}: is_leaf={t.is_leaf!s:5} requires_grad={t.requires_grad!s:5} grad_fn={t.grad_fn}")

# %% [markdown]
# Tensors you create yourself are **leaves** (叶子节点): `is_leaf` is `True` and `grad_fn` is `None`.
# `y` was made by an addition, so its `grad_fn` is an `AddBackward0` node. Each node lists the nodes
# of its inputs in `next_functions`, as `(node, output_index)` pairs. Walk it by hand:

# %%
add = y.grad_fn
print(add.name(), add.next_functions)
mul = add.next_functions[0][0]
print(mul.name(), mul.next_functions)

# %% [markdown]
# - `MulBackward0` has `(None, 0)` for `x`: `x` does not require grad, so no gradient goes there.
# - A leaf that requires grad is reached through an **`AccumulateGrad`** node. It is the end of the
#   road: it adds the gradient that arrives into the leaf's `.grad`. Its `.variable` is the leaf.

# %%
acc_w = mul.next_functions[0][0]
acc_b = add.next_functions[1][0]
print(acc_w.name(), acc_w.variable is w, acc_b.variable is b, acc_w.next_functions)


# %% [markdown]
# A recursive walk prints the whole graph; a small drawing function shows it as a picture. Arrows
# point the way gradients flow, from the output towards the leaves.

# %%
def draw_graph(tensor, names, ax):
    "Draw the backward graph ending at `tensor`: one box per node, arrows where gradients flow."
    depth, order = {}, []

    def visit(node, d):
        if node is None:
            return
        if node not in depth:
            order.append(node)
        depth[node] = max(depth.get(node, 0), d)
        for child, _ in node.next_functions:
            visit(child, d + 1)

    visit(tensor.grad_fn, 0)
    rows = {}
    for node in order:
        rows.setdefault(depth[node], []).append(node)
    pos = {node: (i - (len(row) - 1) / 2, -d) for d, row in rows.items() for i, node in enumerate(row)}
    for node, xy in pos.items():
        for child, _ in node.next_functions:
            if child is not None:
                ax.annotate("", xy=pos[child], xytext=xy,
                            arrowprops=dict(arrowstyle="->", shrinkA=15, shrinkB=15))
    for node, (px, py) in pos.items():
        label = node.name().split("::")[-1]
        if hasattr(node, "variable"):
            label += "\n(" + names.get(id(node.variable), "?") + ")"
        ax.text(px, py, label, ha="center", va="center", fontsize=8,
                bbox=dict(boxstyle="round", fc="lightyellow"))
    half_width = max(len(row) for row in rows.values()) / 2 + 0.5
    ax.set_xlim(-half_width, half_width)
    ax.set_ylim(-max(depth.values()) - 0.5, 0.5)
    ax.axis("off")


def walk(node, depth=0):
    "Print the graph below `node`, one line per node, indented by depth."
    if node is None:
        print("    " * depth + "None  (no gradient needed)")
        return
    extra = f"  variable={node.variable!r}" if hasattr(node, "variable") else ""
    print("    " * depth + node.name().split("::")[-1] + extra)
    for child, _ in node.next_functions:
        walk(child, depth + 1)


walk(y.grad_fn)

# %%
fig, ax = plt.subplots(figsize=(4, 3))
draw_graph(y, {id(w): "w", id(b): "b"}, ax)
plt.show()
plt.close(fig)

# %% [markdown]
# *edutorch-only*: an interactive view of any graph, here a tiny two-layer network. Pick a node to
# read its `next_functions` and the shapes it saw; press *run backward*, then step through the
# nodes in the order the engine runs them and read the gradient that flowed through each one.
# It also draws the graph of a real `torch` tensor, once you switch to PyTorch.

# %%
# NBVAL_IGNORE_OUTPUT
# an interactive widget
inputs = torch.arange(12.0).reshape(4, 3) / 10
W1 = torch.tensor([[0.5, -0.5], [0.25, 0.0], [-0.25, 1.0]], requires_grad=True)
W2 = torch.tensor([[1.0], [-2.0]], requires_grad=True)
loss = torch.tanh(inputs @ W1).matmul(W2).pow(2).mean()
if EDUTORCH:
    from edutorch.notebook import draw_graph as graph_view
    view = graph_view(loss, params={"W1": W1, "W2": W2})
    display(view)

# %% [markdown]
# The same graph as text, on any engine:

# %%
walk(loss.grad_fn)

# %% [markdown]
# **`requires_grad` propagates**: the result of an operation requires grad if any input does, and then
# it has a `grad_fn` and is not a leaf.

# %%
plain = torch.ones(2)
param = torch.ones(2, requires_grad=True)
print((plain * 2).requires_grad, (plain * param).requires_grad, (plain * param).is_leaf)

# %% [markdown]
# ## 2. `backward()` and why gradients accumulate
#
# `y.backward()` sends $\partial y/\partial y = 1$ into the root node; every node turns the gradient
# of its output into gradients of its inputs (the chain rule, 链式法则), until the `AccumulateGrad`
# nodes store them. For $y = wx + b$: $\partial y/\partial w = x = 2$ and $\partial y/\partial b = 1$.

# %%
y.backward()
print(w.grad, b.grad, x.grad)

# %% [markdown]
# `AccumulateGrad` **adds** into `.grad`; it does not overwrite it. Run the forward and backward a
# second time and the gradient doubles:

# %%
y = w * x + b
y.backward()
print("after a second backward:", w.grad, b.grad)

# %% [markdown]
# This is on purpose. A parameter used in several places of a model (or by several losses, or over
# several small batches) must get the **sum** of all its gradient contributions, and accumulating is
# how autograd sums them. The price: you must **reset the gradients before each training step**
# (`optimizer.zero_grad()` does exactly this):

# %%
w.grad.zero_()
b.grad = None            # also fine: the next backward starts a fresh .grad
y = w * x + b
y.backward()
print(w.grad, b.grad)

# %% [markdown]
# ### Look inside: `AccumulateGrad`
#
# *edutorch-only cell*: the node at the end of the road. When the leaf has no `.grad` yet it stores a
# copy of the gradient, otherwise it adds in place.

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    show_source(y.grad_fn.next_functions[1][0])   # the AccumulateGrad node of b

# %% [markdown]
# The same behaviour on any engine: a leaf used twice in one graph gets the sum of both paths.

# %%
u = torch.tensor(3.0, requires_grad=True)
(u * 2 + u * 5).backward()          # d/du = 2 + 5
print(u.grad)

# %% [markdown]
# ## 3. `retain_graph`: backward twice through one graph
#
# Nodes keep the values their backward needs (here `w * w` keeps `w`). `backward()` frees them as
# soon as it is done, to save memory, so a second backward through the **same** graph fails:

# %%
w = torch.tensor(3.0, requires_grad=True)
y = w * w
y.backward()
try:
    y.backward()
except RuntimeError as e:
    print(type(e).__name__ + ":", str(e).split(".")[0])

# %% [markdown]
# `retain_graph=True` keeps the saved values for another backward (and, as before, the gradients
# add up: $2 \cdot 2w = 12$):

# %%
w = torch.tensor(3.0, requires_grad=True)
y = w * w
y.backward(retain_graph=True)
y.backward()
print(w.grad)

# %% [markdown]
# ## 4. Gradients of non-leaf tensors: `retain_grad`
#
# Only leaves get a `.grad`. Reading `.grad` of an intermediate tensor gives `None` and a warning;
# call `.retain_grad()` before `backward()` to keep it.

# %%
p = torch.tensor([1.0, 2.0], requires_grad=True)
h = p * 3                        # an intermediate (non-leaf) tensor
(h ** 2).sum().backward()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    print(h.grad)
print(caught[0].category.__name__ + ":", str(caught[0].message).split(". ")[0])

# %%
p = torch.tensor([1.0, 2.0], requires_grad=True)
h = p * 3
h.retain_grad()
(h ** 2).sum().backward()
print(h.grad, p.grad)            # d/dh (h²) = 2h;  d/dp = 2h * 3

# %% [markdown]
# ## 5. `torch.autograd.grad` and non-scalar outputs
#
# `torch.autograd.grad(outputs, inputs)` **returns** the gradients instead of adding them into
# `.grad`; handy when you need a gradient as a value.

# %%
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x ** 3).sum()
(dy_dx,) = torch.autograd.grad(y, x)
print(dy_dx, x.grad)

# %% [markdown]
# `backward()` without arguments needs a scalar output. For a tensor output $\mathbf y$, pass
# `gradient=v` of the same shape: autograd then computes the **vector-Jacobian product**
# (向量-雅可比积) $v^\top J$, i.e. the gradient of $\sum_i v_i y_i$. With $y_i = x_i^2$ the Jacobian
# is diagonal, so $x$'s gradient is $2 x_i v_i$.

# %%
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x ** 2
try:
    y.backward()
except RuntimeError as e:
    print("RuntimeError:", str(e).split(":")[0])
y.backward(gradient=torch.tensor([1.0, 0.1, 0.01]))
print(x.grad)


# %% [markdown]
# ## 6. Hooks (钩子)
#
# `t.register_hook(fn)` calls `fn(grad)` when the gradient of `t` has been computed. The hook may
# look at it (for debugging) or return a replacement. It returns a handle: `handle.remove()` takes
# the hook off again.

# %%
def double_it(grad):
    print("  hook sees", grad)
    return grad * 2

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
handle = x.register_hook(double_it)
(x * x).sum().backward()
print("with the hook:   ", x.grad)        # 2x, doubled
handle.remove()
x.grad = None
(x * x).sum().backward()
print("hook removed:    ", x.grad)        # 2x

# %% [markdown]
# Hooks also work on intermediate tensors, the usual way to peek at a gradient deep inside a model:

# %%
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
hidden = x * 10
hidden.register_hook(lambda grad: print("gradient reaching hidden:", grad))
(hidden.sum() / 4).backward()
print(x.grad)

# %% [markdown]
# ## 7. Turning autograd off: `no_grad`, `detach`, `requires_grad_`
#
# Inside `with torch.no_grad():` nothing is recorded: results do not require grad. Use it for
# evaluation and for updating weights. `detach()` gives a tensor sharing the same memory without
# history. `requires_grad_()` switches recording on for a leaf in place.

# %%
w = torch.ones(2, requires_grad=True)
with torch.no_grad():
    z = w * 2
print(z.requires_grad, z.grad_fn)
d = w.detach()
print(d.requires_grad, d.data_ptr() == w.data_ptr())
q = torch.zeros(2).requires_grad_()
print(q.requires_grad, q.is_leaf)

# %% [markdown]
# ## 8. The in-place rules (原地操作)
#
# **Rule 1: no in-place change of a leaf that requires grad** (outside `no_grad`). Its value is what
# its gradient is about; overwriting it would make `.grad` meaningless. Inside `torch.no_grad()` the
# same update is how weights are changed, as every optimizer does.

# %%
leaf = torch.ones(3, requires_grad=True)
try:
    leaf.add_(1)
except RuntimeError as e:
    print("RuntimeError:", str(e).split(".")[0])
with torch.no_grad():
    leaf -= 0.5                 # fine: this is a weight update
print(leaf)

# %% [markdown]
# **Rule 2: do not overwrite a value that a node saved for backward.** `exp` saves its output
# ($\frac{d}{da} e^a = e^a$). Changing that output in place bumps its `_version`, and backward
# refuses to use the stale value:

# %%
a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
e = a.exp()
print("version before:", e._version)
e.add_(1)
print("version after: ", e._version)
try:
    e.sum().backward()
except RuntimeError as err:
    print("RuntimeError:", str(err).split(", which")[0])

# %% [markdown]
# The fix is to use the out-of-place form (`e = e + 1`) or to `clone()` before changing.

# %%
a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
e = a.exp()
e = e + 1
e.sum().backward()
assert torch.allclose(a.grad, a.detach().exp())
print("ok")

# %% [markdown]
# ### Check your understanding
#
# Predict each gradient, then run.

# %%
t = torch.tensor([1.0, -2.0], requires_grad=True)
(t * t * t).sum().backward()                 # d/dt t³ = 3t²
assert t.grad.tolist() == [3.0, 12.0]

(t.sum() * 2).backward()                     # accumulates: + 2
assert t.grad.tolist() == [5.0, 14.0]

with torch.no_grad():
    out = t * 100
assert not out.requires_grad and out.grad_fn is None
print("all correct")

# %% [markdown]
# ## 9. Second derivatives: `create_graph=True`
#
# With `create_graph=True` the backward pass itself is recorded, so the gradient has a `grad_fn` and
# can be differentiated again (二阶导数). For $y = x^3$ at $x = 2$: $y' = 3x^2 = 12$, $y'' = 6x = 12$.

# %%
x = torch.tensor(2.0, requires_grad=True)
y = x ** 3
(dy,) = torch.autograd.grad(y, x, create_graph=True)
(d2y,) = torch.autograd.grad(dy, x)
print(dy.item(), dy.requires_grad, d2y.item())

# %% [markdown]
# The same on a whole curve: the first and second derivatives of $\sin x$ are $\cos x$ and
# $-\sin x$. (Summing first gives each element's own derivative, since $y_i$ depends only on $x_i$.)

# %%
x = torch.linspace(-math.pi, math.pi, 100, requires_grad=True)
y = torch.sin(x)
(dy,) = torch.autograd.grad(y.sum(), x, create_graph=True)
(d2y,) = torch.autograd.grad(dy.sum(), x)
assert torch.allclose(dy, torch.cos(x), atol=1e-6) and torch.allclose(d2y, -torch.sin(x), atol=1e-6)

fig, ax = plt.subplots(figsize=(4, 3))
for curve, label in [(y, "sin x"), (dy, "first derivative"), (d2y, "second derivative")]:
    ax.plot(x.detach().numpy(), curve.detach().numpy(), label=label)
ax.legend(fontsize=8)
plt.show()
plt.close(fig)


# %% [markdown]
# ## 10. Your own operation: `torch.autograd.Function`
#
# Subclass `torch.autograd.Function` with a static `forward(ctx, ...)` and `backward(ctx, grad_output)`.
# `ctx.save_for_backward` keeps tensors for backward, which gets them back from `ctx.saved_tensors`.
# `backward` receives the gradient of the output and returns one gradient per input. Call the
# operation with `.apply`.
#
# Our example is **ReLU6**, $\min(\max(x, 0), 6)$: the gradient passes where $0 < x < 6$ and is
# zero where the output is clipped. edutorch's own ops are written exactly like this.

# %%
class ClippedReLU(torch.autograd.Function):
    "min(max(x, 0), 6); gradient 1 where 0 < x < 6, else 0."

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(0, 6)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        passes = (x > 0) & (x < 6)
        return grad_output * passes.to(grad_output.dtype)


x = torch.tensor([-2.0, 1.0, 3.0, 7.0], requires_grad=True)
y = ClippedReLU.apply(x)
y.sum().backward()
print(y.detach(), y.grad_fn.name())
print(x.grad)

# %% [markdown]
# Always check a hand-written backward against finite differences (数值梯度):
# `torch.autograd.gradcheck` nudges each input by a tiny $\epsilon$ and compares
# $\frac{f(x+\epsilon) - f(x-\epsilon)}{2\epsilon}$ with your backward. Use `float64` inputs:
# in `float32` the rounding error of the difference swamps the comparison. (Points exactly at the
# kinks 0 and 6 have no derivative, so we keep away from them.)

# %%
x64 = torch.tensor([-1.5, 0.5, 2.0, 5.5, 7.0], dtype=torch.float64, requires_grad=True)
print(torch.autograd.gradcheck(ClippedReLU.apply, (x64,)))

# %% [markdown]
# ### Look inside: the engine
#
# *edutorch-only cell*: `run_backward` is the backward engine's loop: it counts how many gradients
# each node waits for, runs a node when all have arrived, and passes each result on along
# `next_functions`. Running one node (its hooks, then the op's own `backward`) is `_Walk.run`, shown
# second; from there `node.apply` calls the backward you can read with `show_source(y.grad_fn)`.

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    from edutorch.autograd.graph import _Walk, run_backward
    show_source(run_backward)
    show_source(_Walk.run)

# %% [markdown]
# A node runs once however many paths lead to it: here `s` is used by two branches and its node
# receives the sum of both before passing it on.

# %%
x = torch.tensor(1.0, requires_grad=True)
s = x * 3                      # one node, two users below
out = s * s + s                # d/ds = 2s + 1 = 7,  d/dx = 7 * 3
out.backward()
print(x.grad)

# %% [markdown]
# ## 11. Logistic regression (逻辑回归) with autograd
#
# Two clouds of 2-D points, class 0 around $(-1, -1)$ and class 1 around $(1, 1)$. The model gives
# the probability of class 1 as $p = \sigma(z)$ with $z = X w + b$ and $\sigma(z) = 1 / (1 + e^{-z})$.
# We minimise the binary cross-entropy $-[y \log p + (1 - y) \log(1 - p)]$, which simplifies to
# $\log(1 + e^{z}) - y z$: the same number, without taking the log of a probability that has
# rounded to 0. Autograd finds the gradients; we only write the update.

# %%
torch.manual_seed(0)
n = 200
X = torch.cat([torch.randn(n // 2, 2) * 0.7 + torch.tensor([-1.0, -1.0]),
               torch.randn(n // 2, 2) * 0.7 + torch.tensor([1.0, 1.0])])
labels = torch.cat([torch.zeros(n // 2), torch.ones(n // 2)])

w = torch.zeros(2, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr = 0.5
losses = []
for step in range(200):
    z = X @ w + b                                            # logits, shape (n,)
    loss = (torch.log1p(torch.exp(z)) - labels * z).mean()   # binary cross-entropy
    loss.backward()
    with torch.no_grad():                                    # the update is not part of the model
        w -= lr * w.grad
        b -= lr * b.grad
    w.grad.zero_()
    b.grad.zero_()
    losses.append(loss.item())

with torch.no_grad():
    predictions = (torch.sigmoid(X @ w + b) > 0.5).float()
accuracy = (predictions == labels).float().mean().item()
print(X.shape, labels.shape, f"first loss {losses[0]:.4f} = log 2")

# %% [markdown]
# The learned weights and the accuracy depend on the random data (not compared); the check below
# is.

# %%
# NBVAL_IGNORE_OUTPUT
print(f"w = {w.detach()}, b = {b.item():.3f}, final loss {losses[-1]:.3f}, accuracy {accuracy:.3f}")

# %%
assert accuracy > 0.9
assert losses[-1] < losses[0] / 2
print("accuracy > 0.9:", accuracy > 0.9)

# %% [markdown]
# The **decision boundary** is where $p = 0.5$, i.e. the line $w_1 x_1 + w_2 x_2 + b = 0$. The
# shading shows $p$ over the plane.

# %%
xs = np.linspace(-4, 4, 100, dtype=np.float32)
gx, gy = np.meshgrid(xs, xs)
grid = torch.from_numpy(np.stack([gx.ravel(), gy.ravel()], axis=1))
with torch.no_grad():
    p = torch.sigmoid(grid @ w + b).reshape(100, 100)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3.2))
ax1.contourf(gx, gy, p.numpy(), levels=20, cmap="RdBu_r", alpha=0.5)
ax1.contour(gx, gy, p.numpy(), levels=[0.5], colors="k")
ax1.scatter(X[:, 0].numpy(), X[:, 1].numpy(), c=labels.numpy(), cmap="RdBu_r", s=10, edgecolors="k",
            linewidths=0.3)
ax1.set_title("data and decision boundary p = 0.5", fontsize=9)
ax2.plot(losses)
ax2.set_xlabel("step")
ax2.set_title("training loss", fontsize=9)
plt.tight_layout()
plt.show()
plt.close(fig)

# %% [markdown]
# ## 12. Jacobians, Hessians and gradients through `torch.linalg.solve`
#
# For a function $f: \mathbb R^n \to \mathbb R^m$ the **Jacobian** (雅可比矩阵) $J$ is the
# $m \times n$ table of all first derivatives, $J_{ij} = \partial f_i / \partial x_j$.
# `torch.autograd.functional.jacobian` builds it; for
# $f(x) = (x_0 x_1,\ \sin x_0,\ x_1^2)$ at $x = (1, 2)$ the rows are $(x_1, x_0)$, $(\cos x_0, 0)$
# and $(0, 2 x_1)$.

# %%
def f(x):
    return torch.stack([x[0] * x[1], torch.sin(x[0]), x[1] ** 2])

x = torch.tensor([1.0, 2.0])
J = torch.autograd.functional.jacobian(f, x)
print(J)

# %% [markdown]
# Backward never builds $J$. One backward pass computes one **vector-Jacobian product**
# (向量-雅可比积) $v^\top J$: `y.backward(gradient=v)` (section 5) and `torch.autograd.functional.vjp`
# give the same numbers, and `jacobian` itself is one backward per row, with $v$ one-hot.

# %%
v = torch.tensor([1.0, 0.5, -1.0])
_, vjp = torch.autograd.functional.vjp(f, x, v)
x_leaf = x.clone().requires_grad_()
f(x_leaf).backward(gradient=v)
print(vjp, x_leaf.grad, v @ J)
assert torch.allclose(vjp, v @ J) and torch.allclose(x_leaf.grad, v @ J)

# %% [markdown]
# For a function with one output, the Jacobian of its gradient is the **Hessian** (黑塞矩阵) $H$, the
# table of second derivatives: `hessian` computes the gradient with `create_graph=True` (section 9)
# and differentiates it again. For $g(x) = x_0^2 x_1 + x_1^3$:
# $H = \begin{pmatrix} 2x_1 & 2x_0 \\ 2x_0 & 6x_1 \end{pmatrix}$, symmetric because second
# derivatives commute. `hvp` gives $H v$ without building $H$.

# %%
def g(x):
    return x[0] ** 2 * x[1] + x[1] ** 3

H = torch.autograd.functional.hessian(g, x)
_, Hv = torch.autograd.functional.hvp(g, x, torch.tensor([1.0, 0.0]))
print(H, Hv)
assert torch.equal(H, torch.tensor([[4.0, 2.0], [2.0, 12.0]])) and torch.equal(Hv, H[:, 0])

# %% [markdown]
# Gradients also flow through linear algebra. `torch.linalg.solve(A, b)` returns the $x$ with
# $A x = b$ without forming $A^{-1}$. Fit a parabola to 20 points by **least squares**: the best
# weights solve the normal equations $(X^\top X) w = X^\top y$, the same answer as
# `torch.linalg.lstsq`. (The "noise" is a fixed wiggle, so both engines see the same data.)

# %%
t = torch.linspace(0, 1, 20, dtype=torch.float64)
X = torch.stack([torch.ones_like(t), t, t ** 2], dim=1)          # features 1, t, t^2
y = 1 + 2 * t - 3 * t ** 2 + 0.05 * torch.sin(37 * t)
w = torch.linalg.solve(X.T @ X, X.T @ y)
print(w.numpy().round(4))
assert torch.allclose(w, torch.linalg.lstsq(X, y.unsqueeze(1)).solution.squeeze(1))

# %% [markdown]
# Differentiating $x = A^{-1} b$ gives $dx = A^{-1}(db - dA\, x)$, so backward solves one more system,
# with $A^\top$: $\bar b = A^{-\top} \bar x$ and $\bar A = -\bar b\, x^\top$. That lets us tune a
# hyperparameter (超参数) by gradient: with **ridge regression** weights
# $w(\lambda) = (X^\top X + \lambda I)^{-1} X^\top y$, how does the error on points between the training
# points change with $\lambda$? Autograd answers through `solve`; a central difference agrees.

# %%
t_val = t[:-1] + 0.5 / 19                                       # halfway between training points
X_val = torch.stack([torch.ones_like(t_val), t_val, t_val ** 2], dim=1)
y_val = 1 + 2 * t_val - 3 * t_val ** 2

def validation_error(lam):
    w = torch.linalg.solve(X.T @ X + lam * torch.eye(3, dtype=torch.float64), X.T @ y)
    return ((X_val @ w - y_val) ** 2).mean()

lam = torch.tensor(0.01, dtype=torch.float64, requires_grad=True)
validation_error(lam).backward()
h = 1e-6
numeric = (validation_error(lam.detach() + h) - validation_error(lam.detach() - h)) / (2 * h)
print(f"d error / d lambda = {lam.grad.item():.4g}")
assert abs(lam.grad.item() - numeric.item()) < 1e-5 * abs(numeric.item())

# %% [markdown]
# Look inside: `solve` is one `torch.autograd.Function`; its `backward` is the two formulas above.

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    from edutorch.ops.linalg_decomp import LinalgSolve
    show_source(LinalgSolve)

# %% [markdown]
# ## Summary
#
# - Operations on tensors that require grad build a **computation graph** (计算图): `grad_fn` of a
#   result, `next_functions` of a node, `AccumulateGrad` (with `.variable`) for each leaf
#   (叶子节点) that requires grad, `(None, 0)` for inputs that need no gradient.
# - `backward()` applies the chain rule from the output to the leaves and **adds** into `.grad`:
#   zero the gradients before each step. Saved values are freed unless `retain_graph=True`.
# - Non-leaves keep `.grad` only after `retain_grad()`; `torch.autograd.grad` returns gradients
#   instead; `backward(gradient=v)` computes $v^\top J$ for tensor outputs.
# - Hooks observe or replace gradients; `no_grad()` and `detach()` switch recording off;
#   `requires_grad_()` switches it on.
# - In place: never on a leaf that requires grad (except under `no_grad`), never on a value saved
#   for backward (`_version` catches it).
# - `create_graph=True` makes gradients differentiable (second derivatives).
# - A custom `torch.autograd.Function` is `forward` + `backward`; check it with `gradcheck` in float64.
# - `torch.autograd.functional` computes whole **Jacobians** (`jacobian`, one backward per row),
#   **Hessians** (`hessian`, the Jacobian of the gradient) and products (`vjp`, `jvp`, `hvp`);
#   backward itself is one vector-Jacobian product $v^\top J$. Gradients flow through
#   `torch.linalg.solve` too (backward solves one more system, with $A^\top$).


# %% [markdown]
# ## Exercises
#
# Write the code in each `# Exercise` cell, run it, then run the check below it: the check says
# ✓ when your code is right, or ✗ with a hint that names what is wrong. The checks work on
# edutorch and on real PyTorch alike. Stuck? The solutions are in
# [solutions/02_autograd.py](solutions/02_autograd.py) (one click; try first!).

# %%
from checks.lesson02 import Checks   # the checks of these exercises: lessons/checks/lesson02.py
check = Checks(torch)

# %% [markdown]
# **Exercise 1 — predict the gradients.** For $L = \sum_i (a_i b_i + a_i)$, write the gradients
# $\partial L / \partial a$ and $\partial L / \partial b$ as formulas in `a` and `b`, *without*
# calling `backward()`. The check compares them with autograd's answer.

# %%
# Exercise 1: return (grad_a, grad_b) for L = (a * b + a).sum(), computed from a and b by hand
def gradients(a, b):
    grad_a = ...
    grad_b = ...
    return grad_a, grad_b

# %%
check.ex1(gradients)

# %% [markdown]
# **Exercise 2 — your own `Exp`.** Write $e^x$ as a `torch.autograd.Function`. Since
# $\frac{d}{dx} e^x = e^x$, save the **output** in `forward` (`ctx.save_for_backward(result)`) and
# reuse it in `backward`. The check runs `gradcheck` in float64.

# %%
# Exercise 2: exp(x) as an autograd.Function that saves its output for backward
class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        raise NotImplementedError("compute exp(x), save it with ctx.save_for_backward, return it")

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("use ctx.saved_tensors and the chain rule")

# %%
check.ex2(Exp)

# %% [markdown]
# **Exercise 3 — a clipping hook.** Write a tensor hook that clips every gradient passing through a
# tensor to the range $[-1, 1]$ (`Tensor.clamp`). The check registers it on a hidden tensor with
# `register_hook` and looks at what reaches the leaf.

# %%
# Exercise 3: a hook that clips the gradient to [-1, 1]
def clip_hook(grad):
    raise NotImplementedError("return the clipped gradient")

# %%
check.ex3(clip_hook)

# %% [markdown]
# **Exercise 4 — second derivatives.** Write `second_derivative(f, x)` that returns
# $f''(x)$ elementwise for an elementwise function `f`, using `torch.autograd.grad` twice (section 9).
# The check tries $\tanh$, whose second derivative is $-2\tanh(x)(1 - \tanh^2 x)$, and $\sin$.

# %%
# Exercise 4: f''(x) elementwise, with torch.autograd.grad and create_graph=True
def second_derivative(f, x):
    x = x.detach().requires_grad_()
    raise NotImplementedError("differentiate f(x) twice")

# %%
check.ex4(second_derivative)

# %% [markdown]
# **Exercise 5 — a correct training loop.** Write `train(X, y, steps, lr)`: start from
# `w = torch.zeros(2, requires_grad=True)` and take `steps` steps of gradient descent on the mean
# squared error `((X @ w - y) ** 2).mean()`, updating `w` under `torch.no_grad()`. Return `w`.
# Remember section 2: gradients accumulate.

# %%
# Exercise 5: gradient descent on the mean squared error; return w
def train(X, y, steps, lr):
    w = torch.zeros(2, requires_grad=True)
    raise NotImplementedError("loop: loss, backward, update under no_grad, zero the gradient")
    return w

# %%
check.ex5(train)

# %% [markdown]
# ## 中文小结
#
# - 对需要梯度的张量做运算时，自动微分（autograd）会记录一张**计算图**：结果的 `grad_fn` 是图中的节点，
#   `next_functions` 指向输入的节点；需要梯度的**叶子节点**通过 `AccumulateGrad` 节点接入图中。
# - `backward()` 从输出出发，按**链式法则**把梯度传回叶子节点，并且是**累加**到 `.grad` 上的：
#   每一步训练前都要把梯度清零，否则会把之前的梯度也算进去（练习 5）。
# - 默认反向传播后会释放保存的中间值；要对同一张图再反向传播一次需要 `retain_graph=True`。
#   非叶子节点的梯度只有调用 `retain_grad()` 后才保留；`torch.autograd.grad` 直接返回梯度。
# - **钩子**可以观察或替换流经张量的梯度（返回新的梯度即替换）；`no_grad()` 和 `detach()` 关闭记录。
# - 原地操作有规则：不能修改需要梯度的叶子节点，也不能修改反向传播要用到的值（`_version` 会发现）。
# - `create_graph=True` 让梯度本身可以再求导，从而得到二阶导数。
# - 自定义运算：继承 `torch.autograd.Function`，写 `forward` 和 `backward`，并用 float64 的
#   `gradcheck`（数值梯度）检查。
# - `torch.autograd.functional` 可以求整个**雅可比矩阵**（`jacobian`，每一行一次反向传播）和
#   **黑塞矩阵**（`hessian`，即梯度的雅可比矩阵）；反向传播本身计算的是一个**向量-雅可比积** $v^\top J$。
#   梯度也能穿过 `torch.linalg.solve`（反向传播再解一个以 $A^\top$ 为系数的方程组），例如用梯度调整岭回归的超参数。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | automatic differentiation | 自动微分 | `torch.autograd` |
# | computational graph | 计算图 | `Tensor.grad_fn`, `next_functions` |
# | leaf node | 叶子节点 | `Tensor.is_leaf` |
# | gradient | 梯度 | `Tensor.grad` |
# | chain rule | 链式法则 | `Tensor.backward()` |
# | gradient accumulation | 梯度累加 | `Tensor.grad.zero_()`, `Optimizer.zero_grad()` |
# | retain the graph | 保留计算图 | `backward(retain_graph=True)` |
# | hook | 钩子 | `Tensor.register_hook` |
# | detach / stop recording | 分离 / 停止记录 | `Tensor.detach()`, `torch.no_grad()` |
# | in-place operation | 原地操作 | `Tensor.add_()` 等带下划线的方法 |
# | second derivative | 二阶导数 | `torch.autograd.grad(..., create_graph=True)` |
# | custom function | 自定义函数 | `torch.autograd.Function` |
# | numerical gradient check | 数值梯度检查 | `torch.autograd.gradcheck` |
# | logistic regression | 逻辑回归 | — |
# | Jacobian | 雅可比矩阵 | `torch.autograd.functional.jacobian` |
# | Hessian | 黑塞矩阵 | `torch.autograd.functional.hessian` |
# | vector-Jacobian product | 向量-雅可比积 | `torch.autograd.functional.vjp`, `Tensor.backward(gradient=v)` |
# | least squares | 最小二乘 | `torch.linalg.lstsq`, `torch.linalg.solve` |
# | hyperparameter | 超参数 | — |
