# %% [markdown]
# # 10 · Optimizers and learning-rate schedules
#
# *Runs in about 5 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
#
# An **optimizer** (优化器) turns gradients into parameter updates. In lesson 02 we wrote
# `w -= lr * w.grad` by hand; `torch.optim` packages that update, and smarter ones, behind two calls:
# `optimizer.zero_grad()` and `optimizer.step()`.
#
# **Goals.** After this lesson you can
#
# - run gradient descent (梯度下降) by hand on a 2-D loss surface and with `torch.optim.SGD`;
# - tell what a learning rate (学习率) that is too small or too large does;
# - explain momentum (动量), Nesterov momentum, Adagrad, RMSprop and Adam, and watch them race;
# - give different parts of a model different learning rates with **parameter groups** (参数组);
# - read an optimizer's `defaults`, `param_groups` and `state`, and know what `zero_grad` does;
# - change the learning rate during training with a **scheduler** (学习率调度器);
# - run **L-BFGS** with a closure and say why it needs one.

# %%
# %matplotlib inline
import math

import matplotlib.pyplot as plt
import numpy as np

import edutorch as torch                    # <- change `edutorch` to `torch` in these
import edutorch.nn as nn                    #    three lines to run this lesson
import edutorch.nn.functional as F          #    on PyTorch
EDUTORCH = torch.__name__ == "edutorch"
if EDUTORCH:  # edutorch-only helper: print the source code behind an op or a graph node
    from edutorch.notebook import show_source

torch.manual_seed(0)
plt.rcParams["figure.dpi"] = 80


# %% [markdown]
# ## 1. A loss surface you can see
#
# Real models have millions of parameters, but the ideas show on two. Our loss is an elongated bowl,
# a narrow valley (狭长的山谷):
#
# $$f(w) = 0.05\,w_1^2 + w_2^2, \qquad \nabla f(w) = (0.1\,w_1,\; 2\,w_2).$$
#
# The minimum is at $(0, 0)$. The surface is 20 times steeper across the valley ($w_2$) than along
# it ($w_1$): that mismatch is what makes plain gradient descent slow, and it is common in real
# networks. Every run starts at the same point, $(-4, 1.5)$.

# %%
def loss_fn(w):
    return 0.05 * w[0] ** 2 + w[1] ** 2

START = [-4.0, 1.5]

def draw_surface(ax):
    # the contour lines (等高线) of f on a grid, computed with tensors
    xs, ys = torch.linspace(-4.5, 1.5, 120), torch.linspace(-2, 2, 80)
    heights = loss_fn((xs.reshape(1, -1), ys.reshape(-1, 1)))   # broadcasts to shape (80, 120)
    ax.contour(xs.numpy(), ys.numpy(), heights.numpy(),
               levels=[0.01, 0.05, 0.2, 0.5, 1, 2, 3], colors="0.75", linewidths=0.8)
    ax.plot(0, 0, "k*", ms=8)
    ax.plot(*START, "ko", ms=4)
    ax.set_aspect("equal")

print(loss_fn(torch.tensor(START)))
fig, ax = plt.subplots(figsize=(5, 3))
draw_surface(ax)
ax.set_title("f(w) = 0.05 w1² + w2²: start ● and minimum ★", fontsize=9)
plt.show()
plt.close(fig)

# %% [markdown]
# ## 2. Gradient descent by hand
#
# Gradient descent repeats one rule: step against the gradient, scaled by the **learning rate** $\gamma$,
#
# $$w \leftarrow w - \gamma\,\nabla f(w).$$
#
# The update must not be recorded by autograd (`no_grad`), and the gradient must be cleared before the
# next `backward()`, because gradients add up (lesson 02).

# %%
lr = 0.4
w = torch.tensor(START, requires_grad=True)
hand_path = [w.detach().clone()]
for step in range(30):
    loss = loss_fn(w)
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
    w.grad.zero_()
    hand_path.append(w.detach().clone())
hand_path = torch.stack(hand_path)              # shape (31, 2): one row per step

print(hand_path[:4])
print(f"after 30 steps: w = ({hand_path[-1, 0]:.4f}, {hand_path[-1, 1]:.1e}), f(w) = {loss_fn(hand_path[-1]):.4f}")

# %% [markdown]
# Across the valley the step multiplies $w_2$ by $1 - 0.4 \cdot 2 = 0.2$ and $w_2$ is gone after a few
# steps; along the valley it multiplies $w_1$ by only $1 - 0.4 \cdot 0.1 = 0.96$. The path turns a
# corner and then crawls:

# %%
fig, ax = plt.subplots(figsize=(5, 3))
draw_surface(ax)
ax.plot(hand_path[:, 0].numpy(), hand_path[:, 1].numpy(), ".-", ms=4, label="gradient descent, lr = 0.4")
ax.legend(fontsize=8, loc="lower right")
plt.show()
plt.close(fig)


# %% [markdown]
# ## 3. The same with `torch.optim.SGD`
#
# An optimizer is given the parameters to update when it is made. Then each step is three calls:
# **`zero_grad()`** (clear the old gradients), **`backward()`** (compute new ones), **`step()`** (update).
# `SGD` (stochastic gradient descent, 随机梯度下降) with no options is exactly our rule. The helper
# `run` below is the loop we will reuse for every optimizer in this lesson.

# %%
def run(make_optimizer, steps=30, start=START):
    # minimise loss_fn from `start` with the optimizer that make_optimizer([w]) returns
    w = torch.tensor(start, requires_grad=True)
    optimizer = make_optimizer([w])
    path = [w.detach().clone()]
    for step in range(steps):
        optimizer.zero_grad()
        loss_fn(w).backward()
        optimizer.step()
        path.append(w.detach().clone())
    return torch.stack(path)

sgd_path = run(lambda params: torch.optim.SGD(params, lr=0.4))
assert torch.allclose(sgd_path, hand_path)
print("SGD follows the hand-written path:", torch.allclose(sgd_path, hand_path))

# %% [markdown]
# ## 4. The learning rate: too small, too large
#
# For this quadratic we can say exactly what happens: each coordinate is multiplied per step by
# $1 - \gamma\,c$, where $c$ is its curvature ($0.1$ or $2$). If $|1 - 2\gamma| > 1$, i.e.
# $\gamma > 1$, the steep coordinate grows each step: the run **diverges** (发散). A tiny $\gamma$ is
# safe but barely moves. Just below the limit, $w_2$ flips sign each step: a zig-zag.

# %%
rates = [0.02, 0.4, 0.95, 1.05]
paths = {lr: run(lambda params: torch.optim.SGD(params, lr=lr), steps=30) for lr in rates}
for lr, path in paths.items():
    print(f"lr = {lr:<5} f after 30 steps: {loss_fn(path[-1]).item():10.3g}")

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3))
draw_surface(ax1)
for lr, path in paths.items():
    shown = path[:8]
    ax1.plot(shown[:, 0].numpy(), shown[:, 1].numpy(), ".-", ms=3, label=f"lr = {lr}")
    ax2.semilogy([loss_fn(p).item() for p in path], label=f"lr = {lr}")
ax1.set_ylim(-2, 2)
ax1.set_title("first 7 steps", fontsize=9)
ax2.set_xlabel("step")
ax2.set_title("f(w), log scale", fontsize=9)
ax2.legend(fontsize=8)
plt.tight_layout()
plt.show()
plt.close(fig)

# %% [markdown]
# `lr = 1.05` explodes; `lr = 0.02` hardly moves. The zig-zagging `lr = 0.95` ends lowest: it
# moves fastest along the valley, and the best learning rate is often just below the divergence
# limit. But that limit is set by the **steepest** direction, and the flat direction still crawls.
# The optimizers below are different answers to that problem.
#
# ## 5. Better optimizers
#
# With $g_t$ the gradient at step $t$ (all operations elementwise):
#
# | optimizer | update | idea |
# |---|---|---|
# | **momentum** (动量) | $b_t = \mu b_{t-1} + g_t,\; w \mathrel{-}= \gamma b_t$ | a heavy ball: consistent directions build up speed, zig-zags cancel |
# | **Nesterov** | $b_t = \mu b_{t-1} + g_t,\; w \mathrel{-}= \gamma (g_t + \mu b_t)$ | look one step ahead along the momentum |
# | **Adagrad** | $s_t = s_{t-1} + g_t^2,\; w \mathrel{-}= \gamma\, g_t / (\sqrt{s_t} + \epsilon)$ | each coordinate gets its own step size, shrinking as gradients pile up |
# | **RMSprop** | $v_t = \alpha v_{t-1} + (1-\alpha) g_t^2,\; w \mathrel{-}= \gamma\, g_t / (\sqrt{v_t} + \epsilon)$ | Adagrad with a moving average, so the step does not shrink forever |
# | **Adam** | $m_t$ = average of $g$, $v_t$ = average of $g^2$, both bias-corrected; $w \mathrel{-}= \gamma\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)$ | momentum + RMSprop |
#
# Dividing by $\sqrt{v}$ makes a step of roughly $\gamma$ in **every** coordinate, steep or flat: the
# adaptive methods do not care that the valley is narrow. Let them race from the same start for 40
# steps, each with a learning rate that suits it:

# %%
optim = torch.optim
racers = {
    "SGD":      lambda params: optim.SGD(params, lr=0.4),
    "momentum": lambda params: optim.SGD(params, lr=0.4, momentum=0.7),
    "Nesterov": lambda params: optim.SGD(params, lr=0.4, momentum=0.7, nesterov=True),
    "Adagrad":  lambda params: optim.Adagrad(params, lr=1.0),
    "RMSprop":  lambda params: optim.RMSprop(params, lr=0.1),
    "Adam":     lambda params: optim.Adam(params, lr=0.3),
}
race = {name: run(make, steps=40) for name, make in racers.items()}

print(f"{'':9} {'f after 10':>10} {'f after 40':>10}")
for name, path in race.items():
    print(f"{name:9} {loss_fn(path[10]).item():10.2e} {loss_fn(path[40]).item():10.2e}")
for steps in (10, 40):
    ranking = sorted(race, key=lambda name: loss_fn(race[name][steps]).item())
    print(f"after {steps} steps, best to worst:", ", ".join(ranking))
final = {name: loss_fn(path[40]).item() for name, path in race.items()}
assert max(final, key=final.get) == "SGD" and sorted(final, key=final.get)[-2] == "Adam"
assert all(final["Adam"] > 1000 * final[name] for name in ("momentum", "Nesterov", "Adagrad", "RMSprop"))

# %%
fig, axes = plt.subplots(2, 3, figsize=(9, 4.2), sharex=True, sharey=True)
for ax, (name, path) in zip(axes.flat, race.items()):
    draw_surface(ax)
    ax.plot(path[:, 0].numpy(), path[:, 1].numpy(), ".-", ms=3, lw=1, color="C3")
    ax.set_title(name, fontsize=9)
plt.tight_layout()
plt.show()
plt.close(fig)

# %% [markdown]
# What to see: momentum overshoots across the valley but races along it; Nesterov brakes earlier;
# Adagrad, RMSprop and Adam head almost diagonally at first (equal-sized steps in both coordinates),
# and Adam, a heavy ball too, overshoots and circles in.
#
# Read the table: plain SGD ends **worst** (it still crawls along the valley), and Adam is the slowest
# of the other five. After 10 steps Adam is even behind plain SGD; after 40 it has passed SGD, but at
# about $10^{-2}$ it is still more than 1000 times above momentum, Nesterov, Adagrad and RMSprop
# ($10^{-6}$ to $10^{-7}$). Why: Adam's step $\gamma\,\hat m_t / \sqrt{\hat v_t}$ has a size set by
# $\gamma$, not by the size of the gradient, so it does not shrink near the minimum the way an SGD
# step does; and its momentum ($\beta_1 = 0.9$, a heavy ball) carries it past the minimum: $w_1$
# swings from $-4$ well beyond 0 and back (the plot above) instead of settling. A schedule that
# lowers the learning rate (section 8) helps. The best optimizer depends on the problem and its
# learning rate: on real networks Adam with `lr=1e-3` is a robust default, and SGD with momentum,
# well tuned, often generalises a little better.
#
# ### Check your understanding
#
# Predict the position after two steps of `SGD(lr=0.4, momentum=0.7)` from `START`, using the rule in
# the table (the buffer starts as the first gradient), then check:

# %%
w0 = torch.tensor(START)
g1 = torch.tensor([0.1, 2.0]) * w0          # ∇f(w0)
b1 = g1
w1 = w0 - 0.4 * b1
g2 = torch.tensor([0.1, 2.0]) * w1
b2 = 0.7 * b1 + g2
w2 = w1 - 0.4 * b2
assert torch.allclose(w2, race["momentum"][2])
print(w2)

# %% [markdown]
# And Adam's first step: after one gradient, $\hat m_1 = g_1$ and $\sqrt{\hat v_1} = |g_1|$, so every
# coordinate moves by almost exactly $\gamma$, whatever the size of its gradient:

# %%
first_step = race["Adam"][1] - race["Adam"][0]
assert torch.allclose(first_step.abs(), torch.tensor([0.3, 0.3]))
print(first_step)


# %% [markdown]
# ## 6. Inside an optimizer: parameter groups, `defaults`, `state`
#
# Usually we pass `model.parameters()`. We can instead pass a list of **parameter groups**: dicts
# with a `'params'` entry and any options that should differ from the defaults. A common use is
# fine-tuning (lesson 12): a small learning rate for pretrained layers, a bigger one for a new head.

# %%
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(2, 8), nn.ReLU())
        self.classifier = nn.Linear(8, 1)

    def forward(self, x):
        return self.classifier(self.features(x))

net = Net()
optimizer = torch.optim.SGD([
    {"params": net.features.parameters()},                 # uses the default lr below
    {"params": net.classifier.parameters(), "lr": 1e-2},   # its own lr
], lr=1e-3, momentum=0.9)
print(optimizer)

# %% [markdown]
# - `optimizer.defaults`: the keyword arguments given to the constructor (and PyTorch's
#   implementation switches `foreach`, `fused`, `differentiable`, which do not change the maths);
# - `optimizer.param_groups`: a list of dicts, each the defaults plus what its group overrides, and
#   the group's `'params'`. Schedulers (section 8) work by changing `group['lr']` here;
# - `optimizer.state`: a dict keyed by **parameter**, with what the algorithm remembers between steps.

# %%
print(optimizer.defaults)
for i, group in enumerate(optimizer.param_groups):
    print(f"group {i}: lr = {group['lr']}, momentum = {group['momentum']}, "
          f"params: {[tuple(p.shape) for p in group['params']]}")
print("state before the first step:", dict(optimizer.state))

# %% [markdown]
# The state is filled **lazily**, at the first `step()`. SGD with momentum remembers one momentum
# buffer per parameter; Adam remembers a step count and two running averages.

# %%
x = torch.linspace(-1, 1, 10).reshape(5, 2)
net(x).pow(2).mean().backward()
optimizer.step()
for p, s in optimizer.state.items():
    print(tuple(p.shape), {k: tuple(v.shape) for k, v in s.items()})

adam = torch.optim.Adam(net.classifier.parameters(), lr=1e-3)
adam.step()
print(sorted(adam.state[net.classifier.bias]), adam.state[net.classifier.bias]["step"])

# %% [markdown]
# ### `zero_grad()`
#
# `step()` reads `p.grad`; it never clears it. `zero_grad()` does, by setting every `.grad` of the
# optimizer's parameters to `None` (the default `set_to_none=True`: cheaper than writing zeros, and
# an optimizer skips a parameter whose grad is `None`). With `set_to_none=False` the gradients are
# filled with zeros instead.

# %%
print("after step(), the gradient is still there:", net.classifier.bias.grad is not None)
optimizer.zero_grad(set_to_none=False)
print(net.classifier.bias.grad)
optimizer.zero_grad()
print(net.classifier.bias.grad)

# %% [markdown]
# ## 7. A training loop with an optimizer
#
# The loop every PyTorch program shares. We fit the small network to $y = x_1 - 2 x_2$ on a grid of
# points, using Adam and the two parameter groups.

# %%
# NBVAL_IGNORE_OUTPUT
torch.manual_seed(0)
grid = torch.linspace(-1, 1, 8)
X = torch.stack([grid.reshape(-1, 1).expand(8, 8), grid.expand(8, 8)], dim=2).reshape(64, 2)  # all pairs
y = (X[:, 0] - 2 * X[:, 1]).unsqueeze(1)         # targets, shape (64, 1)

net = Net()
optimizer = torch.optim.Adam([
    {"params": net.features.parameters()},
    {"params": net.classifier.parameters(), "lr": 3e-2},
], lr=1e-2)
losses = []
for epoch in range(300):
    optimizer.zero_grad()                       # 1. clear old gradients
    loss = F.mse_loss(net(X), y)               # 2. forward
    loss.backward()                             # 3. backward
    optimizer.step()                            # 4. update
    losses.append(loss.item())
print(f"loss: first {losses[0]:.3f}, last {losses[-1]:.5f}")

# %% [markdown]
# The losses depend on the random initial weights (not compared above); the check is:

# %%
assert losses[-1] < 0.01 * losses[0]
print("loss fell by more than 100x:", losses[-1] < 0.01 * losses[0])


# %% [markdown]
# ## 8. Learning-rate schedulers
#
# A large learning rate makes fast progress early; a small one settles into a minimum late. A
# **scheduler** changes `group['lr']` of an optimizer as training goes on. Call `scheduler.step()`
# once per epoch, **after** `optimizer.step()` (PyTorch warns if you do it the other way round), and
# read the current value with `scheduler.get_last_lr()`.
#
# | scheduler | the learning rate |
# |---|---|
# | `StepLR(step_size=10, gamma=0.5)` | halves every 10 epochs |
# | `MultiStepLR(milestones=[15, 25], gamma=0.1)` | drops ×0.1 at the epochs listed |
# | `ExponentialLR(gamma=0.9)` | × 0.9 every epoch |
# | `CosineAnnealingLR(T_max=30)` | follows half a cosine from lr down to `eta_min` |
# | `OneCycleLR(max_lr=0.1, total_steps=30)` | warms up to `max_lr`, then anneals far below the start |

# %%
def lr_curve(make_scheduler, epochs=30):
    p = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=0.1)
    scheduler = make_scheduler(optimizer)
    lrs = []
    for epoch in range(epochs):
        lrs.append(scheduler.get_last_lr()[0])
        optimizer.step()       # (training for one epoch would go here)
        scheduler.step()
    return lrs

sched = torch.optim.lr_scheduler
schedules = {
    "StepLR":            lr_curve(lambda opt: sched.StepLR(opt, step_size=10, gamma=0.5)),
    "MultiStepLR":       lr_curve(lambda opt: sched.MultiStepLR(opt, milestones=[15, 25], gamma=0.1)),
    "ExponentialLR":     lr_curve(lambda opt: sched.ExponentialLR(opt, gamma=0.9)),
    "CosineAnnealingLR": lr_curve(lambda opt: sched.CosineAnnealingLR(opt, T_max=30)),
    "OneCycleLR":        lr_curve(lambda opt: sched.OneCycleLR(opt, max_lr=0.1, total_steps=30)),
}
for name, lrs in schedules.items():
    print(f"{name:17}", " ".join(f"{lr:.4f}" for lr in lrs[::5]), " ...", f"{lrs[-1]:.2e}")

# %%
fig, axes = plt.subplots(1, 5, figsize=(11, 2.2), sharey=True)
for ax, (name, lrs) in zip(axes, schedules.items()):
    ax.plot(lrs, ".-", ms=3)
    ax.set_title(name, fontsize=9)
    ax.set_xlabel("epoch", fontsize=8)
axes[0].set_ylabel("lr")
plt.tight_layout()
plt.show()
plt.close(fig)

# %% [markdown]
# `OneCycleLR` is meant to be stepped once per **batch** (then `total_steps` is epochs × batches per
# epoch). One more, different in kind: **`ReduceLROnPlateau`** watches a number you pass to `step`,
# usually the validation loss, and cuts the learning rate when it stops improving for `patience`
# epochs.

# %%
p = torch.zeros(1, requires_grad=True)
optimizer = torch.optim.SGD([p], lr=0.1)
plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=2)
val_losses = [1.0, 0.8, 0.7, 0.7, 0.7, 0.7, 0.69, 0.69, 0.69, 0.69]
for epoch, val_loss in enumerate(val_losses):
    optimizer.step()
    plateau.step(val_loss)
    print(epoch, val_loss, optimizer.param_groups[0]["lr"])

# %% [markdown]
# ### Check your understanding
#
# With `StepLR(step_size=10, gamma=0.5)` and `lr=0.1`, what is the learning rate at epoch 25? And
# `CosineAnnealingLR(T_max=30)` at epoch 15, halfway?

# %%
assert math.isclose(schedules["StepLR"][25], 0.1 * 0.5 ** 2)
assert math.isclose(schedules["CosineAnnealingLR"][15], 0.05)
print(schedules["StepLR"][25], round(schedules["CosineAnnealingLR"][15], 6))

# %% [markdown]
# ## 9. L-BFGS: an optimizer that asks for the loss again
#
# Every optimizer so far looks at one gradient per step. **L-BFGS** (a quasi-Newton method, 拟牛顿法)
# also learns the **curvature** of the loss from how the gradient changed over its last steps: with
# $s_k = w_{k+1} - w_k$ and $y_k = g_{k+1} - g_k$, it builds the direction $d \approx -H^{-1} g$ that
# Newton's method would take ($H$ the matrix of second derivatives) without ever forming $H$, by the
# **two-loop recursion** over the last `history_size` pairs $(s_k, y_k)$. Then a **line search**
# (线搜索) picks how far to go along $d$, trying step lengths until the loss has dropped enough and
# the slope has flattened (the *strong Wolfe conditions*).
#
# Trying step lengths means evaluating the loss several times per step, so `step` needs a function
# that recomputes it: a **closure** (闭包) that clears the gradients, computes the loss, calls
# `backward()` and returns the loss. One `step(closure)` runs up to `max_iter=20` iterations.

# %%
w = torch.tensor(START, requires_grad=True)
optimizer = torch.optim.LBFGS([w], line_search_fn="strong_wolfe")
lbfgs_path = []

def closure():
    optimizer.zero_grad()
    loss = loss_fn(w)
    loss.backward()
    lbfgs_path.append(w.detach().clone())     # every point where L-BFGS asked for the loss
    return loss

optimizer.step(closure)                       # ONE call: up to max_iter=20 iterations inside
lbfgs_path = torch.stack(lbfgs_path)
state = optimizer.state[w]                     # all of L-BFGS's state lives on the first parameter
print("iterations:", state["n_iter"], "  loss evaluations:", state["func_evals"],
      "  (s, y) pairs remembered:", len(state["old_dirs"]))
print(f"L-BFGS    {state['func_evals']:2} gradients: f = {loss_fn(w).item():.1e}")
for name in ("SGD", "momentum", "RMSprop", "Adam"):
    print(f"{name:9} 40 gradients: f = {loss_fn(race[name][40]).item():.1e}")
assert state["func_evals"] < 40 and loss_fn(w).item() < min(final.values()) / 100

# %%
fig, ax = plt.subplots(figsize=(5, 3))
draw_surface(ax)
ax.plot(race["momentum"][:, 0].numpy(), race["momentum"][:, 1].numpy(), ".-", ms=3, lw=1, color="0.6",
        label="momentum, 40 steps")
ax.plot(lbfgs_path[:, 0].numpy(), lbfgs_path[:, 1].numpy(), "o-", ms=4, color="C3",
        label=f"L-BFGS, {len(lbfgs_path)} evaluations")
ax.legend(fontsize=8, loc="lower right")
plt.show()
plt.close(fig)

# %% [markdown]
# With less than a quarter of the gradients, L-BFGS ends more than a hundred times lower than the
# best racer: after two pairs it knows this 2-D bowl's curvature, and the step it takes then cancels the
# narrow valley (Newton's method would land on the minimum of a quadratic in one step). Its state shows
# the memory: the pairs `old_dirs` ($y$) and `old_stps` ($s$), their $\rho = 1/y^\top s$, and the
# scale `H_diag` $= y^\top s / y^\top y$ of the first guess of $H^{-1}$.
#
# When to use it: on **deterministic, smooth** problems of modest size where a whole-dataset loss fits
# one closure (curve fitting, small models trained full-batch, style transfer). With minibatches the
# gradients are noisy and the differences $y_k$ become nonsense, which is why deep learning trains with
# SGD and Adam. Without a line search (`line_search_fn=None`) L-BFGS steps by `lr` along $d$ and can
# diverge like SGD.
#
# ### Check your understanding
#
# The first iteration has no pairs yet: it is a gradient step, cautious in length,
# $w_1 = w_0 - t\,g_0$ with $t = \min(1, 1/\lVert g_0\rVert_1)\cdot$ `lr`. The closure's second
# evaluation is at $w_1$ (the line search accepted that first trial):

# %%
g0 = torch.tensor([0.1, 2.0]) * torch.tensor(START)      # ∇f(START)
t = min(1.0, 1.0 / g0.abs().sum().item())
w1 = torch.tensor(START) - t * g0
assert torch.allclose(lbfgs_path[1], w1)
print(w1)


# %% [markdown]
# ## Look inside
#
# An optimizer is plain Python in edutorch too: `step()` loops over the groups and their parameters
# and applies the rule written in the class docstring. Note `p.grad is None` (skipped: this is what
# `zero_grad()` arranges), the lazily created momentum buffer in `self.state[p]`, and the in-place
# update of the parameter's array.
#
# *edutorch-only cell* (on PyTorch it does nothing):

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    show_source(torch.optim.SGD.step)

# %% [markdown]
# Try `show_source(torch.optim.Adam)` to read Adam's algorithm box and its `step`, and
# `show_source(torch.optim.lr_scheduler.StepLR)` to see that a scheduler only computes a number and
# writes it into `group['lr']`.
# `show_source(torch.optim.LBFGS._two_loop_direction)` is the two-loop recursion of section 9 in
# twelve lines, and `show_source(torch.optim.LBFGS.step)` the whole iteration: direction, step length,
# line search, stopping tests.

# %% [markdown]
# ## Summary
#
# - Training loop: `optimizer.zero_grad()`, `loss.backward()`, `optimizer.step()`, and
#   `scheduler.step()` once per epoch after the optimizer.
# - Gradient descent: $w \leftarrow w - \gamma \nabla f$. The steepest direction limits the
#   learning rate; too large diverges, too small crawls.
# - Momentum and Nesterov accumulate a velocity; Adagrad, RMSprop and Adam scale each coordinate by
#   its gradient history; Adam does both.
# - An optimizer holds `defaults`, `param_groups` (per-group options such as `lr`) and `state`
#   (per-parameter buffers, created at the first step).
# - Schedulers (`StepLR`, `MultiStepLR`, `ExponentialLR`, `CosineAnnealingLR`, `OneCycleLR`,
#   `ReduceLROnPlateau`, ...) change `group['lr']` over time.
# - L-BFGS (`torch.optim.LBFGS`) learns the curvature from its last steps and searches along its
#   direction; `step(closure)` re-evaluates the loss as often as it needs. On smooth full-batch problems
#   it needs far fewer gradients than SGD or Adam.

# %% [markdown]
# ## Exercises
#
# Write the code in each `# Exercise` cell, run it, then run the check below it: the check says
# ✓ when your code is right, or ✗ with a hint that names what is wrong. The checks work on
# edutorch and on real PyTorch alike. Stuck? The solutions are in
# [solutions/10_optimizers.py](solutions/10_optimizers.py) (one click; try first!).

# %%
from checks.lesson10 import Checks   # the checks of these exercises: lessons/checks/lesson10.py
check = Checks(torch)

# %% [markdown]
# **Exercise 1 — your own optimizer.** Finish `MomentumSGD`, SGD with momentum as a subclass of
# `torch.optim.Optimizer`, with the rule of the table in section 5: $b_t = \mu\, b_{t-1} + g_t$ (the
# first buffer is the first gradient, $b_1 = g_1$), then $w \leftarrow w - \gamma\, b_t$. Keep each
# parameter's buffer in `self.state[p]` (a dict per parameter, section 6) so that it survives from one
# `step()` to the next, and read `lr` and `momentum` from the **group** you are looping over. The
# check runs it on the valley of section 1 and on two parameter groups with different learning rates,
# and compares every position with `torch.optim.SGD(momentum=...)`.

# %%
# Exercise 1: SGD with momentum as an Optimizer subclass; its path must equal torch.optim.SGD(momentum=...)
class MomentumSGD(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.9):
        super().__init__(params, dict(lr=lr, momentum=momentum))   # the defaults of every group

    @torch.no_grad()                       # the update must not be recorded by autograd
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:         # a parameter that got no gradient is left alone
                    continue
                raise NotImplementedError("update the buffer in self.state[p], then p, in place")

# %%
check.ex1(MomentumSGD)

# %% [markdown]
# **Exercise 2 — `StepLR` by hand.** Write `step_lr(epoch, lr, step_size, gamma)`: the learning rate
# that `StepLR(optimizer, step_size, gamma)` gives in epoch `epoch` (counted from 0, as
# `scheduler.get_last_lr()` reports it in `lr_curve` of section 8), for an optimizer made with `lr`.
# The check compares your numbers with the scheduler's for two settings.

# %%
# Exercise 2: the learning rate of StepLR in a given epoch, computed without a scheduler
def step_lr(epoch, lr, step_size, gamma):
    raise NotImplementedError("lr times gamma for every step_size epochs completed")

# %%
check.ex2(step_lr)

# %% [markdown]
# **Exercise 3 — a warm-up with `LambdaLR`.** `LambdaLR(optimizer, lr_lambda)` sets the learning rate
# of epoch $e$ to the optimizer's initial `lr` **times** `lr_lambda(e)`. Write `warmup_factor(epoch)`
# for a common schedule: a linear **warm-up** (预热) over the first 5 epochs (factors $1/5, 2/5,
# \dots, 5/5$: never 0), then the full rate, halved every 10 epochs after the warm-up (first at
# epoch 15, then 25, ...). The check runs `LambdaLR` with your function for 30 epochs.

# %%
# Exercise 3: the factor LambdaLR multiplies the initial lr by: warm-up for 5 epochs, then halve every 10
def warmup_factor(epoch):
    raise NotImplementedError("(epoch + 1) / 5 during the warm-up, then powers of 0.5")

# %%
check.ex3(warmup_factor)

# %% [markdown]
# **Exercise 4 — parameter groups.** Write `make_optimizer(net)` for a network shaped like `Net` of
# section 6 (parts `net.features` and `net.classifier`): an `SGD` optimizer with momentum 0.9 for
# all parameters, learning rate `1e-3` for the features and `1e-2` for the classifier. The check
# looks at every parameter's group and takes one step.

# %%
# Exercise 4: SGD with momentum 0.9; lr 1e-3 for net.features, 1e-2 for net.classifier
def make_optimizer(net):
    raise NotImplementedError("a list of two dicts, one per part, and the defaults")

# %%
check.ex4(make_optimizer)

# %% [markdown]
# ## 中文小结
#
# - **优化器**把梯度变成参数更新：每一步依次调用 `optimizer.zero_grad()`、`loss.backward()`、
#   `optimizer.step()`。`torch.optim.SGD` 不带选项时就是手写的梯度下降 $w \leftarrow w - \gamma \nabla f$。
# - **学习率**的上限由最陡的方向决定：太大会发散，太小则爬得很慢；在狭长的山谷里，平缓的方向依然很慢。
# - **动量法**（以及 Nesterov 动量）累积一个速度 $b_t = \mu b_{t-1} + g_t$；Adagrad、RMSprop
#   按每个坐标的梯度历史缩放步长；Adam 两者兼有。本课的比赛中，普通 SGD 最后最差，Adam 在其余
#   五个中最慢：固定学习率下它的步长不随梯度变小，又带着较大的动量冲过最小值。
# - 优化器保存 `defaults`、`param_groups`（每组可以有自己的学习率等选项，**参数组**常用于微调）和
#   `state`（每个参数的缓冲区，在第一次 `step()` 时才创建）。自己写优化器时，缓冲区要放在
#   `self.state[p]` 里才能在各步之间保留（练习 1）。
# - **学习率调度器**在训练过程中修改 `group['lr']`，每个轮次在 `optimizer.step()` 之后调用一次
#   `scheduler.step()`；`StepLR` 每 `step_size` 个轮次乘以 `gamma`，`LambdaLR` 用初始学习率乘以
#   你给的因子（练习 2、3）。
# - **L-BFGS**（拟牛顿法）根据最近几步梯度的变化估计曲率，再用**线搜索**决定步长；因为一步里要多次
#   计算损失，`optimizer.step(closure)` 需要一个**闭包**：清零梯度、计算损失、反向传播并返回损失。
#   在光滑的全批量问题上，它所需的梯度次数远少于 SGD 和 Adam；小批量的噪声梯度则不适合它。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | optimizer | 优化器 | `torch.optim.Optimizer` |
# | gradient descent | 梯度下降 | — |
# | stochastic gradient descent | 随机梯度下降 | `torch.optim.SGD` |
# | learning rate | 学习率 | `lr=`, `group['lr']` |
# | divergence | 发散 | — |
# | momentum | 动量法 | `SGD(momentum=...)` |
# | Nesterov momentum | Nesterov 动量 | `SGD(nesterov=True)` |
# | dampening | 阻尼 | `SGD(dampening=...)` |
# | Adagrad / RMSprop / Adam | AdaGrad / RMSProp / Adam 算法 | `torch.optim.Adagrad`, `torch.optim.RMSprop`, `torch.optim.Adam` |
# | parameter group | 参数组 | `optimizer.param_groups` |
# | optimizer state | 优化器状态 | `optimizer.state`, `optimizer.state_dict()` |
# | zero the gradients | 梯度清零 | `optimizer.zero_grad()` |
# | learning-rate scheduler | 学习率调度器 | `torch.optim.lr_scheduler` |
# | step decay | 阶梯衰减（按步长衰减） | `torch.optim.lr_scheduler.StepLR` |
# | warm-up | 预热 | `torch.optim.lr_scheduler.LambdaLR`, `LinearLR` |
# | cosine annealing | 余弦退火 | `torch.optim.lr_scheduler.CosineAnnealingLR` |
# | epoch | 轮次（epoch） | — |
# | quasi-Newton method | 拟牛顿法 | `torch.optim.LBFGS` |
# | line search | 线搜索 | `LBFGS(line_search_fn="strong_wolfe")` |
# | closure | 闭包 | `optimizer.step(closure)` |
# | curvature | 曲率 | — |
