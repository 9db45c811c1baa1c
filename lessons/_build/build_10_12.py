#!/usr/bin/env python
"""Build lessons 10 and 12 from the cells written below, execute them, and check them against PyTorch.

    python lessons/_build/build_10_12.py                    # write and execute both notebooks
    python lessons/_build/build_10_12.py 10_optimizers      # only the lessons named
    python lessons/_build/build_10_12.py --torch            # also run a copy on real PyTorch and compare
    python lessons/_build/build_10_12.py --torch-only       # only the PyTorch comparison (notebooks as stored)
    python lessons/_build/build_10_12.py --no-execute       # write the notebooks without outputs

See ``_common.py`` for the machinery. Every code cell runs unchanged on PyTorch; cells whose output is
random or edutorch-only start with ``# NBVAL_IGNORE_OUTPUT`` and are followed by a compared check.
"""
from __future__ import annotations

import sys

from _common import IGNORE, code, main, md, setup  # the shared machinery: lessons/_build/_common.py

# ===================================================================================== 10 optimizers
L10 = [
    md(r"""
    # 10 · Optimizers and learning-rate schedules

    An **optimizer** (优化器) turns gradients into parameter updates. In lesson 02 we wrote
    `w -= lr * w.grad` by hand; `torch.optim` packages that update, and smarter ones, behind two calls:
    `optimizer.zero_grad()` and `optimizer.step()`.

    **Goals.** After this lesson you can

    - run gradient descent (梯度下降) by hand on a 2-D loss surface and with `torch.optim.SGD`;
    - tell what a learning rate (学习率) that is too small or too large does;
    - explain momentum (动量), Nesterov momentum, Adagrad, RMSprop and Adam, and watch them race;
    - give different parts of a model different learning rates with **parameter groups** (参数组);
    - read an optimizer's `defaults`, `param_groups` and `state`, and know what `zero_grad` does;
    - change the learning rate during training with a **scheduler** (学习率调度器).
    """),
    setup(nn=True),
    md(r"""
    ## 1. A loss surface you can see

    Real models have millions of parameters, but the ideas show on two. Our loss is an elongated bowl,
    a narrow valley (狭长的山谷):

    $$f(w) = 0.05\,w_1^2 + w_2^2, \qquad \nabla f(w) = (0.1\,w_1,\; 2\,w_2).$$

    The minimum is at $(0, 0)$. The surface is 20 times steeper across the valley ($w_2$) than along
    it ($w_1$): that mismatch is what makes plain gradient descent slow, and it is common in real
    networks. Every run starts at the same point, $(-4, 1.5)$.
    """),
    code(r"""
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
    """),
    md(r"""
    ## 2. Gradient descent by hand

    Gradient descent repeats one rule: step against the gradient, scaled by the **learning rate** $\gamma$,

    $$w \leftarrow w - \gamma\,\nabla f(w).$$

    The update must not be recorded by autograd (`no_grad`), and the gradient must be cleared before the
    next `backward()`, because gradients add up (lesson 02).
    """),
    code(r"""
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
    """),
    md(r"""
    Across the valley the step multiplies $w_2$ by $1 - 0.4 \cdot 2 = 0.2$ and $w_2$ is gone after a few
    steps; along the valley it multiplies $w_1$ by only $1 - 0.4 \cdot 0.1 = 0.96$. The path turns a
    corner and then crawls:
    """),
    code(r"""
    fig, ax = plt.subplots(figsize=(5, 3))
    draw_surface(ax)
    ax.plot(hand_path[:, 0].numpy(), hand_path[:, 1].numpy(), ".-", ms=4, label="gradient descent, lr = 0.4")
    ax.legend(fontsize=8, loc="lower right")
    plt.show()
    plt.close(fig)
    """),
    md(r"""
    ## 3. The same with `torch.optim.SGD`

    An optimizer is given the parameters to update when it is made. Then each step is three calls:
    **`zero_grad()`** (clear the old gradients), **`backward()`** (compute new ones), **`step()`** (update).
    `SGD` (stochastic gradient descent, 随机梯度下降) with no options is exactly our rule. The helper
    `run` below is the loop we will reuse for every optimizer in this lesson.
    """),
    code(r"""
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
    """),
    md(r"""
    ## 4. The learning rate: too small, too large

    For this quadratic we can say exactly what happens: each coordinate is multiplied per step by
    $1 - \gamma\,c$, where $c$ is its curvature ($0.1$ or $2$). If $|1 - 2\gamma| > 1$, i.e.
    $\gamma > 1$, the steep coordinate grows each step: the run **diverges** (发散). A tiny $\gamma$ is
    safe but barely moves. Just below the limit, $w_2$ flips sign each step: a zig-zag.
    """),
    code(r"""
    rates = [0.02, 0.4, 0.95, 1.05]
    paths = {lr: run(lambda params: torch.optim.SGD(params, lr=lr), steps=30) for lr in rates}
    for lr, path in paths.items():
        print(f"lr = {lr:<5} f after 30 steps: {loss_fn(path[-1]).item():10.3g}")
    """),
    code(r"""
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
    """),
    md(r"""
    `lr = 1.05` explodes; `lr = 0.02` hardly moves. The zig-zagging `lr = 0.95` ends lowest: it
    moves fastest along the valley, and the best learning rate is often just below the divergence
    limit. But that limit is set by the **steepest** direction, and the flat direction still crawls.
    The optimizers below are different answers to that problem.

    ## 5. Better optimizers

    With $g_t$ the gradient at step $t$ (all operations elementwise):

    | optimizer | update | idea |
    |---|---|---|
    | **momentum** (动量) | $b_t = \mu b_{t-1} + g_t,\; w \mathrel{-}= \gamma b_t$ | a heavy ball: consistent directions build up speed, zig-zags cancel |
    | **Nesterov** | $b_t = \mu b_{t-1} + g_t,\; w \mathrel{-}= \gamma (g_t + \mu b_t)$ | look one step ahead along the momentum |
    | **Adagrad** | $s_t = s_{t-1} + g_t^2,\; w \mathrel{-}= \gamma\, g_t / (\sqrt{s_t} + \epsilon)$ | each coordinate gets its own step size, shrinking as gradients pile up |
    | **RMSprop** | $v_t = \alpha v_{t-1} + (1-\alpha) g_t^2,\; w \mathrel{-}= \gamma\, g_t / (\sqrt{v_t} + \epsilon)$ | Adagrad with a moving average, so the step does not shrink forever |
    | **Adam** | $m_t$ = average of $g$, $v_t$ = average of $g^2$, both bias-corrected; $w \mathrel{-}= \gamma\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)$ | momentum + RMSprop |

    Dividing by $\sqrt{v}$ makes a step of roughly $\gamma$ in **every** coordinate, steep or flat: the
    adaptive methods do not care that the valley is narrow. Let them race from the same start for 40
    steps, each with a learning rate that suits it:
    """),
    code(r"""
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
    """),
    code(r"""
    fig, axes = plt.subplots(2, 3, figsize=(9, 4.2), sharex=True, sharey=True)
    for ax, (name, path) in zip(axes.flat, race.items()):
        draw_surface(ax)
        ax.plot(path[:, 0].numpy(), path[:, 1].numpy(), ".-", ms=3, lw=1, color="C3")
        ax.set_title(name, fontsize=9)
    plt.tight_layout()
    plt.show()
    plt.close(fig)
    """),
    md(r"""
    What to see: momentum overshoots across the valley but races along it; Nesterov brakes earlier;
    Adagrad, RMSprop and Adam head almost diagonally at first (equal-sized steps in both coordinates),
    and Adam, a heavy ball too, overshoots and circles in. Adam ends worst here: with a fixed learning
    rate its steps stay about $\gamma$ long even near the minimum, so it keeps circling; a schedule that
    lowers the learning rate (section 8) fixes that. The best optimizer depends on the problem and
    its learning rate: on real networks Adam with `lr=1e-3` is a robust default, and SGD with momentum,
    well tuned, often generalises a little better.

    ### Check your understanding

    Predict the position after two steps of `SGD(lr=0.4, momentum=0.7)` from `START`, using the rule in
    the table (the buffer starts as the first gradient), then check:
    """),
    code(r"""
    w0 = torch.tensor(START)
    g1 = torch.tensor([0.1, 2.0]) * w0          # ∇f(w0)
    b1 = g1
    w1 = w0 - 0.4 * b1
    g2 = torch.tensor([0.1, 2.0]) * w1
    b2 = 0.7 * b1 + g2
    w2 = w1 - 0.4 * b2
    assert torch.allclose(w2, race["momentum"][2])
    print(w2)
    """),
    md(r"""
    And Adam's first step: after one gradient, $\hat m_1 = g_1$ and $\sqrt{\hat v_1} = |g_1|$, so every
    coordinate moves by almost exactly $\gamma$, whatever the size of its gradient:
    """),
    code(r"""
    first_step = race["Adam"][1] - race["Adam"][0]
    assert torch.allclose(first_step.abs(), torch.tensor([0.3, 0.3]))
    print(first_step)
    """),
    md(r"""
    ## 6. Inside an optimizer: parameter groups, `defaults`, `state`

    Usually we pass `model.parameters()`. We can instead pass a list of **parameter groups**: dicts
    with a `'params'` entry and any options that should differ from the defaults. A common use is
    fine-tuning (lesson 12): a small learning rate for pretrained layers, a bigger one for a new head.
    """),
    code(r"""
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
    """),
    md(r"""
    - `optimizer.defaults`: the keyword arguments given to the constructor (and PyTorch's
      implementation switches `foreach`, `fused`, `differentiable`, which do not change the maths);
    - `optimizer.param_groups`: a list of dicts, each the defaults plus what its group overrides, and
      the group's `'params'`. Schedulers (section 8) work by changing `group['lr']` here;
    - `optimizer.state`: a dict keyed by **parameter**, with what the algorithm remembers between steps.
    """),
    code(r"""
    print(optimizer.defaults)
    for i, group in enumerate(optimizer.param_groups):
        print(f"group {i}: lr = {group['lr']}, momentum = {group['momentum']}, "
              f"params: {[tuple(p.shape) for p in group['params']]}")
    print("state before the first step:", dict(optimizer.state))
    """),
    md(r"""
    The state is filled **lazily**, at the first `step()`. SGD with momentum remembers one momentum
    buffer per parameter; Adam remembers a step count and two running averages.
    """),
    code(r"""
    x = torch.linspace(-1, 1, 10).reshape(5, 2)
    net(x).pow(2).mean().backward()
    optimizer.step()
    for p, s in optimizer.state.items():
        print(tuple(p.shape), {k: tuple(v.shape) for k, v in s.items()})

    adam = torch.optim.Adam(net.classifier.parameters(), lr=1e-3)
    adam.step()
    print(sorted(adam.state[net.classifier.bias]), adam.state[net.classifier.bias]["step"])
    """),
    md(r"""
    ### `zero_grad()`

    `step()` reads `p.grad`; it never clears it. `zero_grad()` does, by setting every `.grad` of the
    optimizer's parameters to `None` (the default `set_to_none=True`: cheaper than writing zeros, and
    an optimizer skips a parameter whose grad is `None`). With `set_to_none=False` the gradients are
    filled with zeros instead.
    """),
    code(r"""
    print("after step(), the gradient is still there:", net.classifier.bias.grad is not None)
    optimizer.zero_grad(set_to_none=False)
    print(net.classifier.bias.grad)
    optimizer.zero_grad()
    print(net.classifier.bias.grad)
    """),
    md(r"""
    ## 7. A training loop with an optimizer

    The loop every PyTorch program shares. We fit the small network to $y = x_1 - 2 x_2$ on a grid of
    points, using Adam and the two parameter groups.
    """),
    code(rf"""
    {IGNORE}
    torch.manual_seed(0)
    grid = torch.linspace(-1, 1, 8)
    X = torch.stack([grid.reshape(-1, 1).expand(8, 8), grid.expand(8, 8)], dim=2).reshape(64, 2)  # all pairs
    y = (X[:, 0] - 2 * X[:, 1]).unsqueeze(1)         # targets, shape (64, 1)

    net = Net()
    optimizer = torch.optim.Adam([
        {{"params": net.features.parameters()}},
        {{"params": net.classifier.parameters(), "lr": 3e-2}},
    ], lr=1e-2)
    losses = []
    for epoch in range(300):
        optimizer.zero_grad()                       # 1. clear old gradients
        loss = F.mse_loss(net(X), y)               # 2. forward
        loss.backward()                             # 3. backward
        optimizer.step()                            # 4. update
        losses.append(loss.item())
    print(f"loss: first {{losses[0]:.3f}}, last {{losses[-1]:.5f}}")
    """),
    md(r"""
    The losses depend on the random initial weights (not compared above); the check is:
    """),
    code(r"""
    assert losses[-1] < 0.01 * losses[0]
    print("loss fell by more than 100x:", losses[-1] < 0.01 * losses[0])
    """),
    md(r"""
    ## 8. Learning-rate schedulers

    A large learning rate makes fast progress early; a small one settles into a minimum late. A
    **scheduler** changes `group['lr']` of an optimizer as training goes on. Call `scheduler.step()`
    once per epoch, **after** `optimizer.step()` (PyTorch warns if you do it the other way round), and
    read the current value with `scheduler.get_last_lr()`.

    | scheduler | the learning rate |
    |---|---|
    | `StepLR(step_size=10, gamma=0.5)` | halves every 10 epochs |
    | `MultiStepLR(milestones=[15, 25], gamma=0.1)` | drops ×0.1 at the epochs listed |
    | `ExponentialLR(gamma=0.9)` | × 0.9 every epoch |
    | `CosineAnnealingLR(T_max=30)` | follows half a cosine from lr down to `eta_min` |
    | `OneCycleLR(max_lr=0.1, total_steps=30)` | warms up to `max_lr`, then anneals far below the start |
    """),
    code(r"""
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
    """),
    code(r"""
    fig, axes = plt.subplots(1, 5, figsize=(11, 2.2), sharey=True)
    for ax, (name, lrs) in zip(axes, schedules.items()):
        ax.plot(lrs, ".-", ms=3)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("epoch", fontsize=8)
    axes[0].set_ylabel("lr")
    plt.tight_layout()
    plt.show()
    plt.close(fig)
    """),
    md(r"""
    `OneCycleLR` is meant to be stepped once per **batch** (then `total_steps` is epochs × batches per
    epoch). One more, different in kind: **`ReduceLROnPlateau`** watches a number you pass to `step`,
    usually the validation loss, and cuts the learning rate when it stops improving for `patience`
    epochs.
    """),
    code(r"""
    p = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=0.1)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=2)
    val_losses = [1.0, 0.8, 0.7, 0.7, 0.7, 0.7, 0.69, 0.69, 0.69, 0.69]
    for epoch, val_loss in enumerate(val_losses):
        optimizer.step()
        plateau.step(val_loss)
        print(epoch, val_loss, optimizer.param_groups[0]["lr"])
    """),
    md(r"""
    ### Check your understanding

    With `StepLR(step_size=10, gamma=0.5)` and `lr=0.1`, what is the learning rate at epoch 25? And
    `CosineAnnealingLR(T_max=30)` at epoch 15, halfway?
    """),
    code(r"""
    assert math.isclose(schedules["StepLR"][25], 0.1 * 0.5 ** 2)
    assert math.isclose(schedules["CosineAnnealingLR"][15], 0.05)
    print(schedules["StepLR"][25], round(schedules["CosineAnnealingLR"][15], 6))
    """),
    md(r"""
    ## Look inside

    An optimizer is plain Python in edutorch too: `step()` loops over the groups and their parameters
    and applies the rule written in the class docstring. Note `p.grad is None` (skipped: this is what
    `zero_grad()` arranges), the lazily created momentum buffer in `self.state[p]`, and the in-place
    update of the parameter's array.

    *edutorch-only cell* (on PyTorch it does nothing):
    """),
    code(rf"""
    {IGNORE}
    if EDUTORCH:
        show_source(torch.optim.SGD.step)
    """),
    md(r"""
    Try `show_source(torch.optim.Adam)` to read Adam's algorithm box and its `step`, and
    `show_source(torch.optim.lr_scheduler.StepLR)` to see that a scheduler only computes a number and
    writes it into `group['lr']`.

    ## Summary

    - Training loop: `optimizer.zero_grad()`, `loss.backward()`, `optimizer.step()`, and
      `scheduler.step()` once per epoch after the optimizer.
    - Gradient descent: $w \leftarrow w - \gamma \nabla f$. The steepest direction limits the
      learning rate; too large diverges, too small crawls.
    - Momentum and Nesterov accumulate a velocity; Adagrad, RMSprop and Adam scale each coordinate by
      its gradient history; Adam does both.
    - An optimizer holds `defaults`, `param_groups` (per-group options such as `lr`) and `state`
      (per-parameter buffers, created at the first step).
    - Schedulers (`StepLR`, `MultiStepLR`, `ExponentialLR`, `CosineAnnealingLR`, `OneCycleLR`,
      `ReduceLROnPlateau`, ...) change `group['lr']` over time.

    ## Exercises

    1. Find the largest learning rate for which plain SGD still converges on `loss_fn`, first on paper,
       then by experiment. Does momentum raise or lower it?
    2. Add `optim.SGD(params, lr=0.4, momentum=0.9)` and `optim.AdamW(params, lr=0.3)` to the race.
    3. Change the surface to the Rosenbrock function $(1 - w_1)^2 + 100 (w_2 - w_1^2)^2$ and race again
       from $(-1.5, 2)$. Which optimizer reaches $(1, 1)$?
    4. Train the network of section 7 with `SGD(momentum=0.9)` and a `CosineAnnealingLR`, and plot the
       loss curve next to Adam's.
    5. Call `scheduler.step()` **before** `optimizer.step()` in `lr_curve` and read the warning.
    """),
]

# ===================================================================================== 12 save and resume
L12 = [
    md(r"""
    # 12 · Saving, loading and resuming training

    Training can take hours; a laptop sleeps, a job is killed, a notebook kernel dies. And a trained
    model is only useful if you can keep it and give it to someone else. This lesson is about writing
    models, optimizers and whole training runs to files, reading them back, and doing so **safely**.

    **Goals.** After this lesson you can

    - say what serialisation (序列化) means and what a `.pt` file contains;
    - save and load a model's `state_dict`, and know why that beats saving the whole model;
    - write a **checkpoint** (检查点) with model, optimizer, scheduler, epoch and RNG state, and resume
      an interrupted run so that it ends exactly where an uninterrupted run ends;
    - explain why loading an untrusted file can run code, and what `weights_only=True` does about it;
    - fine-tune (微调) a saved model by freezing layers (冻结层) and by using parameter groups.
    """),
    setup("import os", "import pickle", "import pickletools", "import tempfile", "import zipfile", nn=True),
    md(r"""
    Every file in this lesson goes into a temporary directory that is deleted at the end, so the
    lesson leaves nothing behind.
    """),
    code(r"""
    workdir = tempfile.TemporaryDirectory()
    folder = workdir.name
    def path(name):
        return os.path.join(folder, name)
    """),
    md(r"""
    ## 1. What serialisation means

    Objects in memory (a dict, a tensor, a model) are linked structures full of pointers.
    **Serialisation** turns them into a flat sequence of bytes that can be written to a file or sent
    over a network; **deserialisation** builds equal objects from the bytes. Python's own format is
    **pickle** (the `pickle` module):
    """),
    code(r"""
    settings = {"epochs": 3, "lr": 0.1, "layers": [4, 8, 1]}
    blob = pickle.dumps(settings)
    print(type(blob), len(blob), "bytes")
    print(blob[:40], "...")
    print(pickle.loads(blob) == settings)
    """),
    md(r"""
    `torch.save(obj, f)` serialises tensors and containers of tensors to a file (a path or an open binary
    file), `torch.load(f)` reads them back. The tensor's numbers are stored as raw bytes, its dtype and
    shape beside them.
    """),
    code(r"""
    t = torch.arange(6.0).reshape(2, 3)
    torch.save(t, path("t.pt"))
    u = torch.load(path("t.pt"))
    print(u, u.dtype)
    print(torch.equal(t, u), os.path.getsize(path("t.pt")), "bytes on disk")
    """),
    md(r"""
    ## 2. Saving a model's `state_dict`

    A model's **state_dict** is an ordered dict from names to tensors: every parameter and buffer
    (lesson 06). It holds the numbers, not the code. The recommended way to save a model:
    """),
    code(r"""
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    for name, tensor in model.state_dict().items():
        print(f"{name:9} {tuple(tensor.shape)}")
    torch.save(model.state_dict(), path("model.pt"))
    """),
    md(r"""
    To load it, build the model with **code** (the same architecture, here freshly initialised with
    other random weights), then copy the saved numbers in with `load_state_dict`. It reports which
    names matched:
    """),
    code(r"""
    restored = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    print(restored.load_state_dict(torch.load(path("model.pt"))))
    x = torch.linspace(-1, 1, 6).reshape(2, 3)
    print(torch.equal(restored(x), model(x)))
    """),
    md(r"""
    ## 3. Inside a `.pt` file

    A `.pt` file is a **zip archive** (you can open it with any zip tool). This is PyTorch's own format,
    and edutorch writes and reads exactly the same format, so a model trained in edutorch loads in
    PyTorch and the other way round. Its members:

    - `data.pkl`: a pickle of the object's *structure* (the dict, its names, each tensor's shape,
      stride and dtype), with each tensor's numbers replaced by a reference to a storage;
    - `data/0`, `data/1`, ...: the raw bytes of each storage;
    - `byteorder` (`little`: how multi-byte numbers are laid out), `version`, and a few bookkeeping
      entries.

    All members sit in a folder named after the file, `model/`:
    """),
    code(r"""
    with zipfile.ZipFile(path("model.pt")) as archive:
        for info in archive.infolist():
            print(f"{info.filename:30} {info.file_size:4} bytes")
        print(archive.read("model/byteorder"), archive.read("model/version"))
        raw = archive.read("model/data/0")
        data_pkl = archive.read("model/data.pkl")
    """),
    md(r"""
    `data/0` is the first weight, `0.weight` (4 × 3 float32 numbers = 48 bytes), exactly as it lies in
    memory. NumPy can read it directly:
    """),
    code(r"""
    first_weight = np.frombuffer(raw, dtype=np.float32).reshape(4, 3)
    print(first_weight.shape, np.array_equal(first_weight, model.state_dict()["0.weight"].numpy()))
    """),
    md(r"""
    And `data.pkl` names the Python functions that must be called to rebuild the objects. Keep this
    list in mind for section 6:
    """),
    code(r"""
    globals_named = {arg for op, arg, pos in pickletools.genops(data_pkl) if op.name == "GLOBAL"}
    print(sorted(globals_named))
    """),
    md(r"""
    ## 4. Saving the whole model, and why not to

    `torch.save(model, f)` pickles the module object itself. Loading it back is refused by default:
    """),
    code(r"""
    torch.save(model, path("whole.pt"))
    try:
        torch.load(path("whole.pt"))
    except pickle.UnpicklingError as error:
        print(type(error).__name__, "| mentions Sequential:", "Sequential" in str(error))
    """),
    md(r"""
    Rebuilding a module object means calling its class, and a file that may call classes may call
    *anything* (section 6). `weights_only=True`, the default since PyTorch 2.6, only rebuilds plain data:
    tensors, dicts, lists, tuples, numbers, strings. To load a whole model you must say that you
    trust the file with `weights_only=False` (edutorch also warns):
    """),
    code(rf"""
    {IGNORE}
    whole = torch.load(path("whole.pt"), weights_only=False)
    whole
    """),
    code(r"""
    print(type(whole).__name__, torch.equal(whole(x), model(x)))
    """),
    md(r"""
    It works, but the file now depends on the code: pickle stores *where* the class lives
    (`torch.nn.modules.container.Sequential`, or `__main__.Net` for a class you wrote in a notebook),
    and loading fails once that code is renamed, moved or changed. A `state_dict` is only names and
    tensors: it survives refactoring, loads safely, and opens in any PyTorch version. **Save
    `state_dict`s.**

    ## 5. Checkpoints and resuming after an interruption

    To continue training later, the weights are not enough. A **checkpoint** holds everything the
    training loop remembers:

    - the model's `state_dict`;
    - the optimizer's `state_dict`: its `param_groups` and its `state` (momentum buffers, Adam's running
      averages), with parameters referred to by **index**, so it loads into a fresh optimizer;
    - the scheduler's `state_dict` (which epoch it is at, the current learning rate);
    - the epoch, and the random number generator's state (`torch.get_rng_state()`) when training uses
      randomness, like the dropout below.
    """),
    code(r"""
    X = torch.linspace(-1, 1, 32).reshape(16, 2)
    y = (X[:, :1] * X[:, 1:] + X[:, :1])            # a fixed, deterministic regression target

    def make_training():
        model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Dropout(0.2), nn.Linear(16, 1))
        optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
        return model, optimizer, scheduler

    def train(model, optimizer, scheduler, epochs):
        losses = []
        for epoch in range(epochs):
            optimizer.zero_grad()
            loss = F.mse_loss(model(X), y)
            loss.backward()
            optimizer.step()
            scheduler.step()
            losses.append(loss.item())
        return losses
    """),
    md(r"""
    **Run A**, uninterrupted: 10 epochs.
    """),
    code(r"""
    torch.manual_seed(0)
    model_a, optimizer_a, scheduler_a = make_training()
    losses_a = train(model_a, optimizer_a, scheduler_a, epochs=10)
    """),
    md(r"""
    **Run B**: the same start, 5 epochs, then a checkpoint:
    """),
    code(r"""
    torch.manual_seed(0)
    model_b, optimizer_b, scheduler_b = make_training()
    losses_b = train(model_b, optimizer_b, scheduler_b, epochs=5)
    torch.save({
        "epoch": 5,
        "model": model_b.state_dict(),
        "optimizer": optimizer_b.state_dict(),
        "scheduler": scheduler_b.state_dict(),
        "rng_state": torch.get_rng_state(),
    }, path("checkpoint.pt"))
    del model_b, optimizer_b, scheduler_b               # ... and the power goes out
    """),
    md(r"""
    What the checkpoint holds. Note the optimizer's `params`: indices `0..3`, in the order of
    `model.parameters()`, never the tensors themselves:
    """),
    code(r"""
    checkpoint = torch.load(path("checkpoint.pt"))
    print(list(checkpoint))
    print("epoch", checkpoint["epoch"])
    print("optimizer:", list(checkpoint["optimizer"]), "params", checkpoint["optimizer"]["param_groups"][0]["params"])
    print("state of param 0:", sorted(checkpoint["optimizer"]["state"][0]))
    print("scheduler: last_epoch", checkpoint["scheduler"]["last_epoch"], "lr", checkpoint["scheduler"]["_last_lr"])
    """),
    md(r"""
    Later, in a new process: make **fresh** objects (their random initial weights are different, a
    different seed shows it), load every part of the checkpoint into them, and train the remaining 5
    epochs.
    """),
    code(r"""
    torch.manual_seed(1234)
    model_b, optimizer_b, scheduler_b = make_training()
    checkpoint = torch.load(path("checkpoint.pt"))
    model_b.load_state_dict(checkpoint["model"])
    optimizer_b.load_state_dict(checkpoint["optimizer"])
    scheduler_b.load_state_dict(checkpoint["scheduler"])
    torch.set_rng_state(checkpoint["rng_state"])
    start_epoch = checkpoint["epoch"]
    losses_resumed = train(model_b, optimizer_b, scheduler_b, epochs=10 - start_epoch)
    """),
    md(r"""
    The two runs end **bit for bit** equal: `torch.equal`, not just close.
    """),
    code(r"""
    same = [torch.equal(pa, pb) for pa, pb in zip(model_a.parameters(), model_b.parameters())]
    assert all(same)
    assert scheduler_a.get_last_lr() == scheduler_b.get_last_lr()
    print(same, scheduler_b.get_last_lr())
    """),
    md(r"""
    ### Check your understanding

    Which part of the checkpoint could you drop and still get identical parameters? Predict, then
    test each: resume without the optimizer state (Adam restarts its averages and its step count),
    without the scheduler (the learning rate jumps back to 0.05), without the RNG state (dropout draws
    other masks). Here is the first:
    """),
    code(r"""
    torch.manual_seed(1234)
    model_c, optimizer_c, scheduler_c = make_training()
    model_c.load_state_dict(checkpoint["model"])
    scheduler_c.load_state_dict(checkpoint["scheduler"])
    torch.set_rng_state(checkpoint["rng_state"])
    losses_c = train(model_c, optimizer_c, scheduler_c, epochs=5)   # optimizer state not loaded
    differs = not all(torch.equal(pa, pc) for pa, pc in zip(model_a.parameters(), model_c.parameters()))
    assert differs
    print("without the optimizer state the result differs:", differs)
    """),
    md(r"""
    The loss curves: the resumed run lands exactly on run A, the run without Adam's state does not.
    """),
    code(r"""
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.plot(range(1, 11), losses_a, "o-", color="0.7", ms=8, label="A: 10 epochs straight")
    ax.plot(range(1, 6), losses_b, "kx", label="B: epochs 1-5, then checkpoint")
    ax.plot(range(6, 11), losses_resumed, "r+", ms=10, label="B: resumed, epochs 6-10")
    ax.plot(range(6, 11), losses_c, "b^--", ms=4, lw=1, label="resumed without optimizer state")
    ax.axvline(5.5, color="0.8", ls=":")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    ax.legend(fontsize=7)
    plt.show()
    plt.close(fig)
    """),
    md(r"""
    Habits worth having: save a checkpoint every epoch or so; for *inference*, call `model.eval()`
    after loading; and never let a crash during saving destroy the last good checkpoint. edutorch's
    `save` writes a temporary file and renames it over the old one only when complete; with PyTorch
    do the same yourself: `torch.save(ckpt, "last.pt.tmp")` then `os.replace("last.pt.tmp", "last.pt")`.
    A damaged file is refused with an error instead of giving garbage (PyTorch raises `RuntimeError`
    or `OSError`, depending on where the file was cut):
    """),
    code(r"""
    intact = open(path("checkpoint.pt"), "rb").read()
    with open(path("broken.pt"), "wb") as f:
        f.write(intact[: len(intact) // 2])               # a half-copied file
    try:
        torch.load(path("broken.pt"))
    except (RuntimeError, OSError):
        print("broken.pt refused; checkpoint.pt still loads:", list(torch.load(path("checkpoint.pt"))))
    """),
    md(r"""
    ## 6. Why loading untrusted files is dangerous

    Pickle does not only store data: it can store **"call this function with these arguments"**. Any
    object can ask for that with a `__reduce__` method, and `pickle.load` obeys. A model file from the
    internet could therefore delete files or install malware the moment you load it.

    We demonstrate it safely: our "payload" only appends a message to a list.
    """),
    code(r"""
    ALARMS = []

    def alarm(message):          # stands in for anything an attacker might want to run
        ALARMS.append(message)

    class Payload:
        def __reduce__(self):    # "to rebuild me, call alarm('...')"
            return (alarm, ("code from the file ran while loading!",))

    pickle.loads(pickle.dumps(Payload()))   # plain pickle runs the call
    print(ALARMS)
    ALARMS.clear()
    """),
    md(r"""
    Hide the payload in a checkpoint. With the default `weights_only=True`, `torch.load` uses a
    restricted unpickler that accepts only an **allow-list** of globals (the tensor rebuilders and
    containers we saw in `data.pkl`) and refuses everything else *before* calling it:
    """),
    code(r"""
    torch.save({"weights": torch.zeros(3), "bonus": Payload()}, path("evil.pt"))
    try:
        torch.load(path("evil.pt"))
    except pickle.UnpicklingError as error:
        print(type(error).__name__, "| names the culprit:", "__main__.alarm" in str(error))
    print("ALARMS after the default load:", ALARMS)
    """),
    md(r"""
    With `weights_only=False` the same file runs its code (here harmlessly). Never do this with a file
    you did not make or do not trust.
    """),
    code(rf"""
    {IGNORE}
    loaded = torch.load(path("evil.pt"), weights_only=False)
    """),
    code(r"""
    print(ALARMS)
    """),
    md(r"""
    Rules of thumb: keep the default `weights_only=True`; share `state_dict`s, not whole models; prefer
    formats that cannot contain code (such as *safetensors*) for files from strangers.

    ## 7. Fine-tuning: freezing layers and parameter groups

    **Fine-tuning** (微调) starts from a model trained on one task and adapts it to another. Typically
    the feature layers are kept and the last layer, the "head", is replaced. Suppose a classifier was
    trained on 3 classes and saved:
    """),
    code(r"""
    class Classifier(nn.Module):
        def __init__(self, num_classes):
            super().__init__()
            self.features = nn.Sequential(nn.Linear(4, 16), nn.ReLU())
            self.classifier = nn.Linear(16, num_classes)

        def forward(self, x):
            return self.classifier(self.features(x))

    pretrained = Classifier(num_classes=3)
    torch.save(pretrained.state_dict(), path("pretrained.pt"))
    """),
    md(r"""
    The new task has 2 classes. Load everything except the old head; `strict=False` accepts the
    missing keys and lists them:
    """),
    code(r"""
    model = Classifier(num_classes=2)
    state = torch.load(path("pretrained.pt"))
    state = {name: tensor for name, tensor in state.items() if not name.startswith("classifier.")}
    print(model.load_state_dict(state, strict=False))
    """),
    md(r"""
    **Freezing** (冻结): `requires_grad_(False)` on the feature layers means autograd computes no
    gradients for them and their `.grad` stays `None`, so no optimizer changes them. Only the head's
    parameters are given to the optimizer.
    """),
    code(r"""
    model.features.requires_grad_(False)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    print(f"trainable {trainable} of {total} parameters")

    inputs = torch.linspace(-1, 1, 32).reshape(8, 4)
    labels = torch.tensor([0, 1, 0, 1, 1, 0, 1, 0])
    features_before = model.features[0].weight.clone()
    head_before = model.classifier.weight.clone()

    optimizer = torch.optim.SGD(model.classifier.parameters(), lr=0.1)
    for step in range(5):
        optimizer.zero_grad()
        F.cross_entropy(model(inputs), labels).backward()
        optimizer.step()
    print("features unchanged:", torch.equal(model.features[0].weight, features_before),
          "| head changed:", not torch.equal(model.classifier.weight, head_before),
          "| features grad:", model.features[0].weight.grad)
    """),
    md(r"""
    Once the new head is reasonable, a common second stage **unfreezes** the features and trains
    everything, the pretrained layers with a much smaller learning rate, using parameter groups
    (lesson 10):
    """),
    code(r"""
    model.features.requires_grad_(True)
    optimizer = torch.optim.SGD([
        {"params": model.features.parameters(), "lr": 1e-3},   # gentle: keep what was learned
        {"params": model.classifier.parameters()},             # the default lr below
    ], lr=1e-1, momentum=0.9)
    print([group["lr"] for group in optimizer.param_groups])
    """),
    md(r"""
    Finally, clean up the temporary directory:
    """),
    code(r"""
    workdir.cleanup()
    print(os.path.exists(folder))
    """),
    md(r"""
    ## Summary

    - Serialisation turns objects into bytes. `torch.save(obj, f)` writes a zip archive: `data.pkl`
      (the structure, as a pickle) plus `data/0, data/1, ...` (raw tensor bytes); `torch.load(f)`
      reads it. edutorch and PyTorch read each other's files.
    - Save `model.state_dict()`; restore with `model.load_state_dict(torch.load(f))` into a model built
      by code. A whole pickled model needs `weights_only=False` and breaks when the code changes.
    - A checkpoint holds model, optimizer and scheduler `state_dict`s, the epoch and the RNG state;
      loading all of them into fresh objects resumes training exactly.
    - A pickle can run code when loaded. The default `weights_only=True` allows only plain data and
      raises `UnpicklingError` for anything else: never turn it off for files you do not trust.
    - Fine-tuning: load the pretrained weights (`strict=False` when the head changes), freeze layers
      with `requires_grad_(False)`, or give them a smaller learning rate with parameter groups.

    ## Exercises

    1. Save a state_dict into an `io.BytesIO()` buffer instead of a file, rewind it with `seek(0)`,
       and load it back.
    2. Save `{"a": t, "b": t}` (the same tensor twice) and `{"a": t, "b": t[1:]}` (a view). How many
       `data/` members does each archive have? Are `a` and `b` still sharing memory after loading?
    3. Resume the training of section 5 without the scheduler state, and without the RNG state. Which
       parameters differ, and why?
    4. Write a function `save_checkpoint(path, **objects)` that saves the `state_dict()` of every object
       that has one, and a matching `load_checkpoint(path, **objects)`.
    5. Fine-tune with `model.features` frozen for 20 steps, then unfrozen with parameter groups for 20
       more, and plot the loss.
    """),
]

NOTEBOOKS = {"10_optimizers": L10, "12_save_and_resume": L12}


if __name__ == "__main__":
    sys.exit(main(NOTEBOOKS, sys.argv[1:]))
