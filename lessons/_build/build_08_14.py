#!/usr/bin/env python
"""Build lessons 08 (layers) and 14 (initialisation and regularisation) from the cells written below,
execute them, and check them against PyTorch.

    python lessons/_build/build_08_14.py                     # write and execute both notebooks
    python lessons/_build/build_08_14.py 08_layers           # only the lessons named
    python lessons/_build/build_08_14.py --torch             # also run a copy on real PyTorch and compare
    python lessons/_build/build_08_14.py --torch-only        # only the PyTorch comparison (notebooks as stored)
    python lessons/_build/build_08_14.py --no-execute        # write the notebooks without outputs

The machinery (``md``, ``code``, ``setup``, building, executing, the PyTorch cross-run) lives in
``_common.py``; see its docstring for the rules every cell follows.
"""
from __future__ import annotations

import sys

from _common import IGNORE, code, main, md, setup  # the shared machinery: lessons/_build/_common.py

# ===================================================================================== 08 layers
L08 = [
    md(r"""
    # 08 · Layers: Linear, activations, Flatten, BatchNorm, Dropout

    A **layer** (层) is a module that does one job: a linear map, a nonlinearity, a reshape, a
    normalisation. Models are stacks of them. This lesson opens the most common layers one by one and
    checks each against its formula.

    **Goals.** After this lesson you can

    - say what `nn.Linear` computes ($y = xW^\top + b$), the shapes of its weight and bias, how they
      are initialised and how many parameters a model has;
    - plot an **activation function** (激活函数) and its derivative, computed with autograd, and say
      which ones saturate;
    - reshape with `nn.Flatten` and `nn.Unflatten`;
    - explain **batch normalisation** (批归一化): batch statistics in training, running statistics
      in evaluation, and how `momentum` updates them;
    - explain **dropout** (丢弃法): zeros in training, scaling by $1/(1-p)$, the identity in
      evaluation, and switch a whole model with `model.train()` / `model.eval()`.
    """),
    setup(nn=True),
    md(r"""
    ## 1. `nn.Linear`: $y = xW^\top + b$

    `nn.Linear(in_features, out_features)` is a **fully connected** (全连接) layer. Its `weight` has
    shape `(out_features, in_features)`, one row per output, and its `bias` has shape
    `(out_features,)`.
    """),
    code(r"""
    lin = nn.Linear(in_features=3, out_features=2)
    print(lin)
    print("weight", tuple(lin.weight.shape), "  bias", tuple(lin.bias.shape))
    """),
    md(r"""
    To check the formula we overwrite the random parameters with numbers we know. Writing into
    parameters must not be recorded by autograd, hence `torch.no_grad()`. Each **row** of the input is
    one sample; each output is a weighted sum of the inputs plus a bias.
    """),
    code(r"""
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([[1.0, 0.0, -1.0],
                                       [0.5, 0.5, 0.5]]))
        lin.bias.copy_(torch.tensor([0.0, 10.0]))

    x = torch.tensor([[1.0, 2.0, 3.0],
                      [4.0, 5.0, 6.0]])          # a batch of 2 samples with 3 features
    y = lin(x)
    assert torch.allclose(y, x @ lin.weight.T + lin.bias)
    print(y)
    """),
    md(r"""
    `nn.Linear` acts on the **last** dimension, so any number of leading (batch) dimensions is fine:
    """),
    code(r"""
    print(lin(torch.zeros(4, 5, 3)).shape)
    print(nn.Linear(3, 2, bias=False).bias)      # no bias: y = x W^T
    """),
    md(r"""
    ### Default initialisation

    A fresh `nn.Linear` draws every weight and bias from the uniform distribution
    $U(-k, k)$ with $k = 1/\sqrt{\text{in\_features}}$. (In code it is
    `kaiming_uniform_(weight, a=math.sqrt(5))`, which works out to exactly this bound; lesson 14
    explains Kaiming initialisation and when you want something else.) The more inputs, the smaller
    the weights, so that the sum over the inputs stays of order one.
    """),
    code(r"""
    big = nn.Linear(400, 100)
    k = 1 / math.sqrt(400)
    w, b = big.weight.detach(), big.bias.detach()
    print("k =", k)
    print("all weights in [-k, k]:", w.abs().max().item() <= k, "  all biases:", b.abs().max().item() <= k)
    print("largest |weight| / k:", round(w.abs().max().item() / k, 2))
    print("std / (k / sqrt(3)):", round(w.std().item() / (k / math.sqrt(3)), 1), "  (the std of U(-k, k))")
    """),
    code(r"""
    fig, ax = plt.subplots(figsize=(4, 2.5))
    ax.hist(w.flatten().numpy(), bins=40, range=(-0.06, 0.06))
    ax.axvline(-k, color="k", ls="--")
    ax.axvline(k, color="k", ls="--")
    ax.set_title("nn.Linear(400, 100).weight: uniform on [-k, k]", fontsize=9)
    plt.show()
    plt.close(fig)
    """),
    md(r"""
    ### Counting parameters

    A `Linear(n_in, n_out)` has $n_\text{in} \cdot n_\text{out}$ weights and $n_\text{out}$ biases.
    Here is a classifier for 28×28 images with 10 classes; almost all its parameters sit in the first
    layer:
    """),
    code(r"""
    model = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 128), nn.ReLU(), nn.Linear(128, 10))
    for name, p in model.named_parameters():
        print(f"{name:10s} {str(tuple(p.shape)):11s} {p.numel():7d}")
    n_params = sum(p.numel() for p in model.parameters())
    assert n_params == (784 * 128 + 128) + (128 * 10 + 10)
    print("total", n_params)
    """),
    md(r"""
    ## 2. Activation functions and their derivatives

    Without a nonlinearity between them, two linear layers are just one linear layer:
    $(xW_1^\top)W_2^\top = x(W_2W_1)^\top$. An **activation function** (激活函数) applied elementwise
    after each layer is what makes a deep network more than a linear map.

    How well a network learns depends on the activation's **derivative** (导数) too: backpropagation
    multiplies the gradient by $f'(x)$ at every layer. We compute the derivatives with autograd:
    because $f$ acts elementwise, $\partial \sum_j f(x_j) / \partial x_i = f'(x_i)$, so the gradient of
    `f(x).sum()` on a grid of points is $f'$ on that grid.
    """),
    code(r"""
    activations = {
        "ReLU": nn.ReLU(), "LeakyReLU(0.1)": nn.LeakyReLU(0.1), "ELU": nn.ELU(), "SELU": nn.SELU(),
        "GELU": nn.GELU(), "SiLU": nn.SiLU(), "Mish": nn.Mish(), "Softplus": nn.Softplus(),
        "Sigmoid": nn.Sigmoid(), "Tanh": nn.Tanh(), "Hardswish": nn.Hardswish(), "Hardtanh": nn.Hardtanh(),
    }

    def value_and_derivative(f, x):
        x = x.detach().requires_grad_()
        y = f(x)
        (dy,) = torch.autograd.grad(y.sum(), x)
        return y.detach(), dy

    grid = torch.linspace(-4, 4, 401)
    fig, axes = plt.subplots(3, 4, figsize=(10, 6.5), sharex=True)
    for ax, (name, f) in zip(axes.flat, activations.items()):
        y, dy = value_and_derivative(f, grid)
        ax.plot(grid.numpy(), y.numpy(), label="f(x)")
        ax.plot(grid.numpy(), dy.numpy(), "--", label="f'(x)")
        ax.axhline(0, color="gray", lw=0.5)
        ax.set_ylim(-2, 3)
        ax.set_title(name, fontsize=9)
    axes[0, 0].legend(fontsize=8)
    plt.tight_layout()
    plt.show()
    plt.close(fig)
    """),
    md(r"""
    The same numbers at a few points. Note the conventions at $x = 0$, where ReLU has a kink:
    PyTorch (and edutorch) use ReLU$'(0) = 0$ and LeakyReLU$'(0) =$ the negative slope.
    """),
    code(r"""
    points = torch.tensor([-3.0, -1.0, 0.0, 1.0, 3.0])
    print(f"{'':15s} f'(x) at x = {points.tolist()}")
    for name, f in activations.items():
        _, dy = value_and_derivative(f, points)
        print(f"{name:15s}", "  ".join(f"{d:7.4f}" for d in dy.tolist()))
    """),
    md(r"""
    What to read in the plots and the table:

    - **Sigmoid** and **Tanh** *saturate* (饱和): for large $|x|$ the derivative is almost 0, so the
      gradient reaching earlier layers shrinks at every layer. Sigmoid's derivative is at most 0.25.
    - **ReLU** has derivative exactly 1 for $x > 0$, which passes gradients through unchanged, and
      exactly 0 for $x < 0$: a unit whose input is always negative never learns again (a "dead ReLU").
      **LeakyReLU**, **ELU** and **SELU** keep a small slope for $x < 0$.
    - **GELU**, **SiLU** (also called swish) and **Mish** are smooth versions of ReLU, used in
      transformers and modern CNNs. **Hardswish** and **Hardtanh** are cheap piecewise-linear
      approximations.

    Each module has a matching function in `torch.nn.functional` (`F`): use modules inside
    `nn.Sequential`, functions inside your own `forward`.
    """),
    code(r"""
    assert torch.equal(F.relu(points), nn.ReLU()(points))
    assert torch.equal(F.gelu(points), nn.GELU()(points))
    print(F.relu(points))
    print(F.leaky_relu(points, negative_slope=0.1))
    """),
    md(r"""
    ## 3. `nn.Flatten` and `nn.Unflatten`

    A batch of images has shape `(N, C, H, W)`, but `nn.Linear` wants one vector per sample.
    `nn.Flatten()` merges every dimension from `start_dim=1` to `end_dim=-1` and keeps the batch
    dimension; `nn.Unflatten(dim, sizes)` splits one dimension back into several.
    """),
    code(r"""
    images = torch.arange(2 * 3 * 4 * 4, dtype=torch.float32).reshape(2, 3, 4, 4)   # (N, C, H, W)
    flat = nn.Flatten()(images)
    print(nn.Flatten(), "->", tuple(flat.shape))
    print("Flatten(2)      ->", tuple(nn.Flatten(2)(images).shape))       # (N, C, H*W)
    print("Flatten(0, -1)  ->", tuple(nn.Flatten(0, -1)(images).shape))   # everything
    back = nn.Unflatten(1, (3, 4, 4))(flat)
    print(nn.Unflatten(1, (3, 4, 4)), "->", tuple(back.shape), torch.equal(back, images))
    """),
    md(r"""
    ## 4. Batch normalisation: train versus eval

    `nn.BatchNorm1d(C)` normalises each of the `C` features (特征) of a batch `(N, C)`:

    $$y = \frac{x - \mu}{\sqrt{\sigma^2 + \varepsilon}} \cdot \gamma + \beta$$

    with a learnable scale $\gamma$ (`weight`, starts at 1) and shift $\beta$ (`bias`, starts at 0).
    Which $\mu$ and $\sigma^2$?

    - **In training** (`bn.train()`): the mean and the (biased) variance of **this batch**, feature by
      feature. At the same time the layer updates two **buffers** (缓冲区), its running estimates:
      $\text{running} \leftarrow (1 - m)\cdot\text{running} + m \cdot \text{batch statistic}$ with
      momentum $m = 0.1$ (the running variance uses the unbiased variance, dividing by $N - 1$).
    - **In evaluation** (`bn.eval()`): the running estimates, fixed. The output of a sample then no
      longer depends on the other samples in the batch, and a batch of one works.
    """),
    code(r"""
    bn = nn.BatchNorm1d(2)          # 2 features
    print(bn)
    for name, buf in bn.named_buffers():
        print(f"{name:20s}", buf)
    """),
    md(r"""
    Three small batches, 4 samples each; the second feature is ten times the first. In training mode
    each feature of the output has mean 0 and standard deviation 1 over the batch, whatever the scale
    of the input:
    """),
    code(r"""
    batches = [torch.tensor([[1.0, 10.0], [3.0, 30.0], [5.0, 50.0], [7.0, 70.0]]) + k for k in range(3)]
    bn.train()
    out = bn(batches[0])
    print(out)
    print("mean ≈ 0:", out.mean(0).abs().max().item() < 1e-6,
          "  std ≈ 1:", torch.allclose(out.std(0, unbiased=False), torch.ones(2), atol=1e-3))
    """),
    md(r"""
    Each call in training mode moved the running statistics a tenth of the way towards the batch's.
    After the other two batches:
    """),
    code(r"""
    for x in batches[1:]:
        bn(x)
    print("running_mean       ", bn.running_mean)
    print("running_var        ", bn.running_var)
    print("num_batches_tracked", bn.num_batches_tracked)
    """),
    md(r"""
    The same numbers by hand, from the formula above (`x.var(0)` is the unbiased variance):
    """),
    code(r"""
    m = bn.momentum
    mean, var = torch.zeros(2), torch.ones(2)        # the initial buffers
    for x in batches:
        mean = (1 - m) * mean + m * x.mean(0)
        var = (1 - m) * var + m * x.var(0)
    assert torch.allclose(bn.running_mean, mean) and torch.allclose(bn.running_var, var)
    print(mean, var)
    """),
    md(r"""
    In evaluation mode the layer uses exactly these running statistics, and leaves them alone:
    """),
    code(r"""
    bn.eval()
    x = torch.tensor([[4.0, 40.0]])                  # a single sample is fine in eval mode
    y = bn(x)
    expected = (x - bn.running_mean) / torch.sqrt(bn.running_var + bn.eps) * bn.weight + bn.bias
    assert torch.allclose(y, expected)
    assert torch.allclose(bn.running_mean, mean)    # not updated in eval mode
    print(y)
    """),
    md(r"""
    In training mode a single sample has no spread to normalise by, and the layer refuses it:
    """),
    code(r"""
    bn.train()
    try:
        bn(x)
    except ValueError as e:
        print("ValueError:", e)
    """),
    md(r"""
    Only three batches were seen, so the running mean (1.37, 11.1) is still far from the mean of the
    data (about 5 and 41): it starts at 0 and needs tens of batches to get there. Here is a running mean
    following batches drawn from a distribution with mean 3, for three momentums. `momentum=None`
    means a plain **cumulative average** of all batches so far.
    """),
    code(r"""
    torch.manual_seed(0)
    data = [3 + 2 * torch.randn(32, 1) for _ in range(60)]
    fig, ax = plt.subplots(figsize=(5, 2.8))
    for momentum in [0.1, 0.5, None]:
        layer = nn.BatchNorm1d(1, momentum=momentum)
        trace = []
        for batch in data:
            layer(batch)
            trace.append(layer.running_mean.item())
        ax.plot(trace, label=f"momentum={momentum}")
    ax.axhline(3, color="k", ls=":", lw=1)
    ax.set_xlabel("batches seen")
    ax.set_ylabel("running_mean")
    ax.legend(fontsize=8)
    plt.show()
    plt.close(fig)
    """),
    md(r"""
    Large momentum follows the latest batches (noisy); small momentum averages over many (smooth but
    slow to start).

    For images, `nn.BatchNorm2d(C)` does the same per **channel** of an `(N, C, H, W)` batch, with
    statistics over the `N·H·W` values of each channel:
    """),
    code(r"""
    bn2 = nn.BatchNorm2d(3)
    out2 = bn2(images)
    print(tuple(out2.shape), "per-channel mean ≈ 0:", out2.mean(dim=(0, 2, 3)).abs().max().item() < 1e-5)
    print(bn2.running_mean)
    """),
    md(r"""
    ## 5. Dropout: zeros in training, identity in evaluation

    `nn.Dropout(p)` sets each element to zero with probability $p$ during training, a different
    random choice on every call, so the network cannot rely on any single unit. The elements it keeps
    are multiplied by $1/(1-p)$:
    """),
    code(rf"""
    {IGNORE}
    torch.manual_seed(0)
    drop = nn.Dropout(p=0.5)
    print(drop)
    print(drop(torch.ones(2, 8)))
    """),
    md(r"""
    Why scale? Each element survives with probability $1 - p$, so

    $$\mathbb{E}[\text{dropout}(x)] = (1 - p)\cdot\frac{x}{1 - p} + p \cdot 0 = x .$$

    On average the next layer sees the same input as without dropout, so at evaluation time dropout
    can simply do nothing. (This is "inverted dropout"; the alternative, scaling by $1 - p$ at test
    time, is what the original paper described.) The exact outputs are random, but the statistics are
    not:
    """),
    code(r"""
    torch.manual_seed(0)
    ones = torch.ones(100_000)
    for p in [0.1, 0.3, 0.5, 0.8]:
        y = nn.Dropout(p)(ones)
        zeros = (y == 0).float().mean().item()
        kept = sorted({round(v, 4) for v in y[y != 0].tolist()})
        print(f"p={p}: zeros {zeros:.2f}   kept values {kept}   1/(1-p) = {1 / (1 - p):.4f}   mean {y.mean().item():.1f}")
    """),
    code(r"""
    torch.manual_seed(0)
    ps = [0.0, 0.2, 0.4, 0.6, 0.8]
    x = torch.ones(10_000)
    scaled = [nn.Dropout(p)(x).mean().item() for p in ps]
    unscaled = [(nn.Dropout(p)(x) * (1 - p)).mean().item() for p in ps]   # undo the 1/(1-p)
    fig, ax = plt.subplots(figsize=(4, 2.6))
    ax.plot(ps, scaled, "o-", label="nn.Dropout(p)(x)")
    ax.plot(ps, unscaled, "s--", label="without the 1/(1-p)")
    ax.set_xlabel("p")
    ax.set_ylabel("mean output (x = 1)")
    ax.set_ylim(0, 1.2)
    ax.legend(fontsize=8)
    plt.show()
    plt.close(fig)
    """),
    md(r"""
    The gradient goes through the same mask: a dropped element gets gradient 0, a kept one
    $1/(1-p)$. And in evaluation mode dropout returns its input unchanged:
    """),
    code(r"""
    torch.manual_seed(0)
    drop = nn.Dropout(p=0.25)
    x = torch.ones(1000, requires_grad=True)
    y = drop(x)
    y.sum().backward()
    assert torch.equal(x.grad, y.detach())           # d y_i / d x_i = mask_i / (1 - p)
    print("gradient values:", sorted({round(v, 4) for v in x.grad.tolist()}))

    drop.eval()
    print("eval is the identity:", torch.equal(drop(x), x))
    """),
    md(r"""
    **A classic bug.** The function `F.dropout(x, p)` has `training=True` by default: it does not know
    whether your model is in evaluation mode. Inside your own `forward`, pass
    `training=self.training` (or use an `nn.Dropout` module, which does this for you).
    """),
    code(r"""
    x = torch.ones(100)
    print("F.dropout(x, 0.5, training=False) is x:", F.dropout(x, 0.5, training=False) is x)
    print("F.dropout(x, 0.5) changes x:", not torch.equal(F.dropout(x, 0.5), x))
    """),
    md(r"""
    ## 6. `model.train()` and `model.eval()`

    BatchNorm and Dropout behave differently in training and evaluation; most other layers do not
    care. Every module has a `training` flag; `model.train()` and `model.eval()` set it on the model
    **and all its sub-modules** at once. A fresh model starts in training mode.
    """),
    code(r"""
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 2))
    print("fresh:  ", net.training, [layer.training for layer in net])
    net.eval()
    print("eval(): ", net.training, [layer.training for layer in net])
    net.train()
    print("train():", net.training, [layer.training for layer in net])
    """),
    md(r"""
    In training mode two calls on the same batch give different outputs (new dropout masks, and the
    batch statistics); in evaluation mode the network is a fixed function. `eval()` does **not** turn
    off autograd: wrap evaluation in `torch.no_grad()` when you do not need gradients.
    """),
    code(r"""
    torch.manual_seed(0)
    x = torch.randn(8, 4)
    net.train()
    print("train: two calls equal?", torch.equal(net(x), net(x)))
    net.eval()
    print("eval:  two calls equal?", torch.equal(net(x), net(x)))
    print("eval output requires grad:", net(x).requires_grad)
    with torch.no_grad():
        print("under no_grad:", net(x).requires_grad)
    """),
    md(r"""
    ## 7. Look inside

    *edutorch-only cell*: dropout in edutorch is a random 0/1 mask, scaled by $1/(1-p)$, multiplied
    into the input. The multiplication is an ordinary tensor op, so autograd already knows its
    gradient: no special backward needed.
    """),
    code(rf"""
    {IGNORE}
    if EDUTORCH:
        show_source(F.dropout)
        show_source(F._dropout)
        show_source(F._keep_mask)
    """),
    md(r"""
    *edutorch-only cell*: batch normalisation is a `Function` of its own, with forward (normalise,
    update the running buffers in place) and backward (the gradient through the mean and the variance
    of the batch) side by side.
    """),
    code(rf"""
    {IGNORE}
    if EDUTORCH:
        show_source(nn.BatchNorm1d(2)(batches[0]).grad_fn)
    """),
    md(r"""
    ### Check your understanding

    1. How many parameters has `nn.Linear(20, 5)`? And without bias?
    2. Sigmoid's derivative is $\sigma(x)(1 - \sigma(x))$; check it with autograd.
    3. A `BatchNorm1d` layer in evaluation mode: do its buffers change when you call it?
    4. What does `nn.Dropout(0.2)` do to `torch.ones(5)` in evaluation mode?

    Predict, then run:
    """),
    code(r"""
    assert sum(p.numel() for p in nn.Linear(20, 5).parameters()) == 20 * 5 + 5
    assert sum(p.numel() for p in nn.Linear(20, 5, bias=False).parameters()) == 100

    s, ds = value_and_derivative(torch.sigmoid, grid)
    assert torch.allclose(ds, s * (1 - s), atol=1e-6)

    check = nn.BatchNorm1d(2).eval()
    check(batches[0])
    assert torch.equal(check.running_mean, torch.zeros(2)) and check.num_batches_tracked.item() == 0

    assert torch.equal(nn.Dropout(0.2).eval()(torch.ones(5)), torch.ones(5))
    print("all correct")
    """),
    md(r"""
    ## Summary

    - `nn.Linear(n_in, n_out)`: $y = xW^\top + b$ on the last dimension, `weight` of shape
      `(n_out, n_in)`, initialised from $U(-1/\sqrt{n_\text{in}}, 1/\sqrt{n_\text{in}})$;
      $n_\text{in} n_\text{out} + n_\text{out}$ parameters.
    - Activations add the nonlinearity; their derivative (autograd on `f(x).sum()`) decides how
      gradients flow. Sigmoid and tanh saturate; ReLU passes or blocks; GELU/SiLU/Mish are smooth ReLUs.
    - `nn.Flatten()` keeps the batch dimension and merges the rest; `nn.Unflatten` splits.
    - BatchNorm: batch statistics and a running-average update (`momentum`, unbiased variance) in
      training; the running statistics, unchanged, in evaluation.
    - Dropout: zero with probability $p$ and scale by $1/(1-p)$ in training (the mean is preserved);
      the identity in evaluation. `F.dropout` needs `training=self.training`.
    - `model.train()` / `model.eval()` set the `training` flag of every sub-module; `eval()` does not
      disable autograd.

    ## Exercises

    1. Write `nn.Linear(3, 2)` by hand as an `nn.Module` with two `nn.Parameter`s and the same default
       initialisation, and check it against `nn.Linear` after copying the parameters.
    2. Add `nn.ELU(alpha=0.5)`, `nn.CELU()`, `nn.Softsign()` and `nn.ReLU6()` to the activation grid.
       Which have a continuous derivative at 0?
    3. Compute the batch-norm output of `batches[0]` by hand (mean, biased variance, `eps`) and compare
       with `nn.BatchNorm1d(2)` in training mode.
    4. Create `nn.BatchNorm1d(2, momentum=None)`, feed it the three batches and check that
       `running_mean` is the plain average of the three batch means.
    5. Write a module whose `forward` uses `F.dropout(x, 0.5, training=self.training)` and check that
       `eval()` makes it deterministic. What happens if you forget the `training=` argument?
    """),
]

# ===================================================================================== 14 init and regularisation
L14 = [
    md(r"""
    # 14 · Initialisation and regularisation

    Two things decide whether a deep network trains well before you have even chosen an optimizer:
    the **initial weights** (初始化) and how you keep it from **overfitting** (过拟合) a small
    training set. This lesson measures both.

    **Goals.** After this lesson you can

    - explain, with one line of variance arithmetic, why the scale of random initial weights makes
      activations and gradients **vanish** (消失) or **explode** (爆炸) in a deep network;
    - watch it happen layer by layer, and fix it with **Xavier** (for tanh) and **Kaiming** (for ReLU)
      initialisation applied with `model.apply(init_fn)`;
    - say what **weight decay** (权重衰减, L2 regularisation) does to the weights, and why `AdamW`
      differs from `Adam(weight_decay=...)`;
    - use **dropout** against overfitting on a small noisy data set, reading train and test curves.
    """),
    setup(nn=True),
    md(r"""
    ## 1. One layer: how the variance grows

    A unit of a linear layer computes $y = \sum_{i=1}^{n} w_i x_i$. If the inputs and the weights are
    independent with mean 0, the variances multiply and add up:

    $$\operatorname{Var}(y) = n \cdot \operatorname{Var}(w) \cdot \operatorname{Var}(x).$$

    So with $n = 512$ inputs, weights of standard deviation 1 make the output $\sqrt{512} \approx 22.6$
    times larger than the input, and the output keeps the input's scale only when
    $\operatorname{std}(w) = 1/\sqrt{n}$.
    """),
    code(r"""
    torch.manual_seed(0)
    n = 512
    x = torch.randn(1000, n)                       # inputs with std 1
    for w_std in [1.0, 0.01, 1 / math.sqrt(n)]:
        W = torch.randn(n, n) * w_std
        y = x @ W.T
        predicted = math.sqrt(n) * w_std
        print(f"std(w) = {w_std:.4f}:  predicted std(y) = {predicted:6.3f}   measured / predicted = {y.std().item() / predicted:.1f}")
    """),
    md(r"""
    ## 2. A deep network: vanishing and exploding activations

    Stack ten such layers, each followed by an activation, and the factor is applied ten times. To
    watch it we build an MLP (多层感知机) of 10 layers of width 256 and record, with forward hooks
    (lesson 06), the standard deviation of each activation layer's output; after a backward pass we
    also record the standard deviation of each weight's gradient.
    """),
    code(r"""
    def deep_mlp(act, depth=10, width=256):
        layers = []
        for _ in range(depth):
            layers += [nn.Linear(width, width), act()]
        return nn.Sequential(*layers)

    def layer_stats(model, x):
        # Per layer: std of the activation outputs, fraction of them saturated (|h| > 0.99),
        # and std of the weight gradients after a backward pass.
        acts, saturated = [], []
        def record(module, inputs, output):
            acts.append(output.std().item())
            saturated.append((output.abs() > 0.99).float().mean().item())
        hooks = [m.register_forward_hook(record) for m in model if not isinstance(m, nn.Linear)]
        model(x).sum().backward()
        for h in hooks:
            h.remove()
        grads = [m.weight.grad.std().item() for m in model if isinstance(m, nn.Linear)]
        return acts, saturated, grads

    print(deep_mlp(nn.Tanh, depth=2, width=4))
    """),
    md(r"""
    ### Initialising with `model.apply(init_fn)`

    `model.apply(fn)` calls `fn(module)` on every sub-module (children first, then the model itself).
    An **init function** checks the module's type and fills its parameters in place with the
    functions of `nn.init`, which run without recording gradients:
    """),
    code(r"""
    def normal_init(std):
        def init(m):
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, mean=0.0, std=std)
                nn.init.zeros_(m.bias)
        return init

    def xavier_init(m):          # for tanh (and sigmoid, with gain 1)
        if isinstance(m, nn.Linear):
            nn.init.xavier_normal_(m.weight, gain=nn.init.calculate_gain("tanh"))
            nn.init.zeros_(m.bias)

    def kaiming_init(m):         # for ReLU
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)

    small = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Sequential(nn.Linear(4, 2)))
    small.apply(lambda m: print("visiting", type(m).__name__))
    small.apply(normal_init(0.5))
    print("biases are zero:", all(torch.all(m.bias == 0).item() for m in small.modules() if isinstance(m, nn.Linear)))
    """),
    md(r"""
    Now the experiment: a tanh network and a ReLU network, each with weights from $N(0, 0.01^2)$
    (too small), $N(0, 1)$ (too large), the matched initialisation, and PyTorch's default (what
    `nn.Linear` does by itself, lesson 08). Every run starts from the same seed and the same input batch.
    """),
    code(r"""
    experiments = {
        "Tanh": (nn.Tanh, {"N(0, 0.01²)": normal_init(0.01), "N(0, 1)": normal_init(1.0),
                           "xavier": xavier_init, "default": None}),
        "ReLU": (nn.ReLU, {"N(0, 0.01²)": normal_init(0.01), "N(0, 1)": normal_init(1.0),
                           "kaiming": kaiming_init, "default": None}),
    }
    stats = {}
    for net_name, (act, inits) in experiments.items():
        for init_name, init_fn in inits.items():
            torch.manual_seed(0)
            model = deep_mlp(act)
            if init_fn is not None:
                model.apply(init_fn)
            stats[net_name, init_name] = layer_stats(model, torch.randn(512, 256))

    fig, axes = plt.subplots(2, 2, figsize=(9, 6), sharex=True)
    for row, net_name in enumerate(experiments):
        for init_name in experiments[net_name][1]:
            acts, _, grads = stats[net_name, init_name]
            style = ":" if init_name == "default" else "-"
            axes[row, 0].semilogy(range(1, 11), acts, style, marker="o", ms=3, label=init_name)
            axes[row, 1].semilogy(range(1, 11), grads, style, marker="o", ms=3, label=init_name)
        axes[row, 0].set_title(f"{net_name} net: std of activations", fontsize=9)
        axes[row, 1].set_title(f"{net_name} net: std of weight gradients", fontsize=9)
        axes[row, 0].legend(fontsize=7)
    for ax in axes[1]:
        ax.set_xlabel("layer")
    plt.tight_layout()
    plt.show()
    plt.close(fig)
    """),
    md(r"""
    Read the left column first:

    - **Too small** ($N(0, 0.01^2)$): each layer multiplies the scale by about
      $\sqrt{256}\cdot 0.01 = 0.16$ (tanh) or $0.16/\sqrt 2$ (ReLU, which zeroes half its inputs).
      After ten layers the signal has **vanished**, and the gradients with it.
    - **Too large** ($N(0, 1)$): the ReLU network's activations grow by $\sqrt{256/2} \approx 11$
      per layer and **explode**. The tanh network cannot explode, since tanh is bounded, but its units
      **saturate** (饱和) at $\pm 1$, where tanh's derivative is almost 0 (lesson 08); and its weight
      gradients grow by orders of magnitude towards the input (exploding gradients).
    - **Xavier / Kaiming**: the scale stays put, layer after layer, in both directions.

    The numbers behind the picture, as verdicts that do not depend on the random draws:
    """),
    code(r"""
    def verdict(acts, saturated):
        if acts[-1] < 1e-3 * acts[0]:
            return "vanished"
        if acts[-1] > 1e3 * acts[0]:
            return "exploded"
        if saturated[-1] > 0.5:
            return "saturated"
        return "healthy" if 0.3 < acts[-1] / acts[0] < 3 else "shrinking"

    for (net_name, init_name), (acts, saturated, grads) in stats.items():
        print(f"{net_name} {init_name:12s} {verdict(acts, saturated)}")
    """),
    md(r"""
    PyTorch's **default** `nn.Linear` initialisation, $U(-1/\sqrt{n}, 1/\sqrt{n})$, has standard
    deviation $1/\sqrt{3n}$: each layer scales the signal by about $1/\sqrt 3$ (tanh) or $1/\sqrt 6$
    (ReLU). It shrinks for a few layers and is then held up only by the random biases. Fine for
    shallow networks, not what you want for a deep one without normalisation layers.

    ## 3. Xavier and Kaiming

    Both choose $\operatorname{std}(w)$ so that the variance is preserved, with a **gain** (增益) that
    makes up for what the activation does to the variance:

    | | std of $w$ | made for |
    |---|---|---|
    | `xavier_normal_` (Glorot) | $\text{gain}\cdot\sqrt{2 / (n_\text{in} + n_\text{out})}$ | tanh, sigmoid: keeps forward *and* backward variance |
    | `kaiming_normal_` (He) | $\text{gain} / \sqrt{n_\text{in}}$, gain $= \sqrt 2$ for ReLU | ReLU family: ReLU halves the variance |

    (`xavier_uniform_` and `kaiming_uniform_` draw from a uniform distribution with the same standard
    deviation.) `nn.init.calculate_gain` knows the recommended gains:
    """),
    code(r"""
    for name in ["linear", "sigmoid", "tanh", "relu", "selu"]:
        print(f"{name:8s} {nn.init.calculate_gain(name):.4f}")
    print(f"{'leaky_relu(0.2)':8s} {nn.init.calculate_gain('leaky_relu', 0.2):.4f}")
    """),
    code(r"""
    torch.manual_seed(0)
    w = torch.empty(256, 512)                       # (fan_out, fan_in), as in nn.Linear(512, 256)
    nn.init.kaiming_normal_(w, nonlinearity="relu")
    print("kaiming_normal_: std / sqrt(2/512)       =", round(w.std().item() / math.sqrt(2 / 512), 1))
    nn.init.xavier_normal_(w)
    print("xavier_normal_:  std / sqrt(2/(512+256)) =", round(w.std().item() / math.sqrt(2 / (512 + 256)), 1))
    nn.init.xavier_uniform_(w)
    print("xavier_uniform_: max |w| <= sqrt(6/(512+256)):", w.abs().max().item() <= math.sqrt(6 / (512 + 256)))
    """),
    md(r"""
    ## 4. Weight decay

    **Weight decay** adds $\frac{\lambda}{2}\lVert w\rVert^2$ to the loss. Its gradient is
    $\lambda w$, so a plain SGD step becomes

    $$w \leftarrow w - \text{lr}\,(g + \lambda w) = (1 - \text{lr}\,\lambda)\,w - \text{lr}\,g :$$

    before each gradient step the weights shrink by a constant factor, pulling them towards 0 unless
    the data keeps them large. `torch.optim.SGD(..., weight_decay=λ)` does exactly this; check it
    against the penalty written into the loss by hand:
    """),
    code(r"""
    torch.manual_seed(0)
    a = nn.Linear(3, 1)
    b = nn.Linear(3, 1)
    b.load_state_dict(a.state_dict())                 # two identical layers
    x = torch.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]])
    y = torch.tensor([[1.0], [0.0]])
    lam = 0.1

    opt_a = torch.optim.SGD(a.parameters(), lr=0.1, weight_decay=lam)
    opt_b = torch.optim.SGD(b.parameters(), lr=0.1)
    for _ in range(5):
        opt_a.zero_grad()
        F.mse_loss(a(x), y).backward()
        opt_a.step()
        opt_b.zero_grad()
        penalty = lam / 2 * sum((p ** 2).sum() for p in b.parameters())
        (F.mse_loss(b(x), y) + penalty).backward()
        opt_b.step()
    print(all(torch.allclose(pa, pb, atol=1e-6) for pa, pb in zip(a.parameters(), b.parameters())))
    """),
    md(r"""
    With a zero gradient only the decay acts, and the difference between optimizers shows. Three steps
    with `lr=0.1`, `weight_decay=0.5` on $w = (1, -2)$ and a loss that does not depend on $w$:

    - **SGD**: $w \leftarrow 0.95\,w$ each step: $0.95^3 = 0.857$.
    - **Adam** adds $\lambda w$ to the gradient *and then* divides by its running size: every weight
      moves by about `lr` per step, big or small (1 → 0.70, −2 → −1.70). The decay is no longer
      proportional to the weight.
    - **AdamW** ("decoupled weight decay") shrinks $w$ by $(1 - \text{lr}\,\lambda)$ directly, like
      SGD, outside Adam's normalisation. This is why AdamW is the usual choice with weight decay.
    """),
    code(r"""
    for opt_class in [torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW]:
        w = nn.Parameter(torch.tensor([1.0, -2.0]))
        opt = opt_class([w], lr=0.1, weight_decay=0.5)
        for _ in range(3):
            opt.zero_grad()
            (0 * w).sum().backward()                 # gradient 0: only weight decay acts
            opt.step()
        print(f"{opt_class.__name__:6s}", [round(v, 4) for v in w.tolist()])
    """),
    md(r"""
    ## 5. A small data set to overfit

    Twenty noisy samples of $\sin(2x)$ on $[-2, 2]$ (noise std 0.5), and a network far bigger than
    they need: two hidden layers of 128 units, about 17 000 parameters for 20 numbers. The test set
    is the noise-free curve. `fit` trains a fresh network for 400 full-batch AdamW steps and records
    the train and test losses (in evaluation mode) and the norm of the weights after every step.
    `torch.manual_seed(0)` inside `fit` gives every run the same initial weights, so the runs differ
    only in the regularisation.
    """),
    code(r"""
    torch.manual_seed(6)
    x_train = torch.rand(20, 1) * 4 - 2
    y_train = torch.sin(2 * x_train) + 0.5 * torch.randn(20, 1)
    x_test = torch.linspace(-2, 2, 200).unsqueeze(1)
    y_test = torch.sin(2 * x_test)

    def net(p=0.0):
        return nn.Sequential(nn.Linear(1, 128), nn.ReLU(), nn.Dropout(p),
                             nn.Linear(128, 128), nn.ReLU(), nn.Dropout(p),
                             nn.Linear(128, 1))

    def weight_norm(model):
        return math.sqrt(sum((p ** 2).sum().item() for name, p in model.named_parameters() if name.endswith("weight")))

    def fit(p=0.0, weight_decay=0.0, steps=400):
        torch.manual_seed(0)                          # the same initial weights for every run
        model = net(p)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=weight_decay)
        history = {"train": [], "test": [], "norm": []}
        for step in range(steps):
            model.train()
            loss = F.mse_loss(model(x_train), y_train)
            opt.zero_grad()
            loss.backward()
            opt.step()
            model.eval()
            with torch.no_grad():
                history["train"].append(F.mse_loss(model(x_train), y_train).item())
                history["test"].append(F.mse_loss(model(x_test), y_test).item())
                history["norm"].append(weight_norm(model))
        return model, history

    def final(values):                                # average of the last 50 steps: less jumpy
        return sum(values[-50:]) / 50

    print(sum(p.numel() for p in net().parameters()), "parameters")
    """),
    md(r"""
    ### Weight decay shrinks the weights

    Three runs with `weight_decay` 0, 0.1 and 1 (with `lr=0.01`, AdamW shrinks the weights by
    `lr·λ` = 0%, 0.1% and 1% per step):
    """),
    code(r"""
    runs = {wd: fit(weight_decay=wd) for wd in [0.0, 0.1, 1.0]}

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
    for wd, (model, history) in runs.items():
        ax1.plot(history["norm"], label=f"weight_decay={wd}")
        with torch.no_grad():
            ax2.plot(x_test.squeeze().numpy(), model(x_test).squeeze().numpy(), label=f"weight_decay={wd}")
    ax2.plot(x_test.squeeze().numpy(), y_test.squeeze().numpy(), "k:", label="sin(2x)")
    ax2.scatter(x_train.squeeze().numpy(), y_train.squeeze().numpy(), s=12, c="k", zorder=3)
    ax1.set_xlabel("step")
    ax1.set_title("norm of the weights", fontsize=9)
    ax2.set_title("fitted functions", fontsize=9)
    ax1.legend(fontsize=7)
    ax2.legend(fontsize=7)
    plt.tight_layout()
    plt.show()
    plt.close(fig)
    """),
    code(rf"""
    {IGNORE}
    for wd, (model, history) in runs.items():
        print(f"weight_decay={{wd}}:  weight norm {{history['norm'][-1]:5.1f}}   "
              f"train loss {{final(history['train']):.3f}}   test loss {{final(history['test']):.3f}}")
    """),
    md(r"""
    Stronger decay, smaller weights, and a smoother function that fits the noise less: a higher train
    loss, and here a lower test loss. The trend, checked:
    """),
    code(r"""
    norms = [runs[wd][1]["norm"][-1] for wd in [0.0, 0.1, 1.0]]
    assert norms[2] < norms[1] and norms[2] < 0.75 * norms[0]
    assert final(runs[1.0][1]["train"]) > final(runs[0.0][1]["train"])
    assert final(runs[1.0][1]["test"]) < final(runs[0.0][1]["test"])
    print("weight decay: smaller weights, higher train loss, lower test loss")
    """),
    md(r"""
    ## 6. Dropout against overfitting

    Now the same network with `nn.Dropout(0.5)` after each hidden layer, no weight decay. The train
    loss plotted is measured in evaluation mode (dropout off), like the test loss, so the two curves
    are comparable.
    """),
    code(r"""
    plain_model, plain = runs[0.0]
    dropout_model, dropped = fit(p=0.5)

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
    for name, history, color in [("no dropout", plain, "C0"), ("dropout 0.5", dropped, "C1")]:
        ax1.semilogy(history["train"], color=color, lw=1, label=f"{name}: train")
        ax1.semilogy(history["test"], color=color, ls="--", lw=1, label=f"{name}: test")
    ax1.set_xlabel("step")
    ax1.set_title("MSE loss", fontsize=9)
    ax1.legend(fontsize=7)
    with torch.no_grad():
        for name, model in [("no dropout", plain_model), ("dropout 0.5", dropout_model)]:
            ax2.plot(x_test.squeeze().numpy(), model(x_test).squeeze().numpy(), label=name)
    ax2.plot(x_test.squeeze().numpy(), y_test.squeeze().numpy(), "k:", label="sin(2x)")
    ax2.scatter(x_train.squeeze().numpy(), y_train.squeeze().numpy(), s=12, c="k", zorder=3)
    ax2.set_title("fitted functions", fontsize=9)
    ax2.legend(fontsize=7)
    plt.tight_layout()
    plt.show()
    plt.close(fig)
    """),
    code(rf"""
    {IGNORE}
    for name, history in [("no dropout ", plain), ("dropout 0.5", dropped)]:
        print(f"{{name}}:  train loss {{final(history['train']):.3f}}   test loss {{final(history['test']):.3f}}")
    """),
    md(r"""
    Without dropout the network drives its train loss well below the noise variance
    ($0.5^2 = 0.25$, the loss of the true curve): it bends to pass near noisy points, and the test
    loss stays high and jumpy. With dropout it cannot rely on any
    single unit, fits the noise less (a higher train loss) and follows the true curve more closely
    (a lower test loss):
    """),
    code(r"""
    assert final(plain["train"]) < 0.25                        # below the noise variance: fits noise
    assert final(dropped["train"]) > final(plain["train"])
    assert final(dropped["test"]) < final(plain["test"])
    print("dropout: higher train loss, lower test loss")
    """),
    md(r"""
    On twenty points the size of the effect depends on the draw of the data (try other seeds in the
    first cell of section 5): regularisation is a statistical effect, clearest on average. Dropout
    and weight decay are often combined, and both are tuned by watching the test (validation) loss.

    ### Check your understanding

    1. A `Linear(1024, 1024)` layer followed by ReLU: which standard deviation keeps the activations'
       scale? (Kaiming: $\sqrt{2/1024}$.)
    2. With SGD, `lr=0.5` and `weight_decay=0.2`, a zero gradient: by which factor is a weight
       multiplied per step?
    3. Does `model.apply(kaiming_init)` also change layers nested inside an inner `nn.Sequential`?

    Predict, then run:
    """),
    code(r"""
    torch.manual_seed(0)
    layer = nn.Linear(1024, 1024)
    nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
    assert abs(layer.weight.std().item() - math.sqrt(2 / 1024)) < 0.01 * math.sqrt(2 / 1024)

    w = nn.Parameter(torch.tensor([2.0]))
    opt = torch.optim.SGD([w], lr=0.5, weight_decay=0.2)
    (0 * w).sum().backward()
    opt.step()
    assert torch.allclose(w.detach(), torch.tensor([2.0 * (1 - 0.5 * 0.2)]))

    nested = nn.Sequential(nn.Linear(4, 4), nn.Sequential(nn.ReLU(), nn.Linear(4, 4)))
    nested.apply(normal_init(0.0))                    # std 0: every weight becomes 0
    assert all(torch.all(p == 0).item() for p in nested.parameters())
    print("all correct")
    """),
    md(r"""
    ## Summary

    - $\operatorname{Var}(y) = n\,\operatorname{Var}(w)\operatorname{Var}(x)$: with the wrong weight
      scale a deep network's activations and gradients shrink or grow geometrically with depth
      (vanishing / exploding), or tanh units saturate.
    - **Xavier** ($\text{gain}\sqrt{2/(n_\text{in}+n_\text{out})}$) for tanh/sigmoid, **Kaiming**
      ($\sqrt{2/n_\text{in}}$) for ReLU keep the scale; apply them with `model.apply(init_fn)` and the
      in-place functions of `nn.init`. Gains come from `nn.init.calculate_gain`.
    - **Weight decay** $\lambda$ = an L2 penalty $\frac\lambda2\lVert w\rVert^2$ = shrinking the weights
      by $(1-\text{lr}\,\lambda)$ each SGD step. With Adam use **AdamW** (decoupled decay).
    - **Dropout** and weight decay trade a higher train loss for a lower test loss when a big network
      meets little data: watch both curves.

    ## Exercises

    1. Repeat section 2 with 30 layers and with `nn.init.orthogonal_`. Does orthogonal initialisation
       keep the scale of a linear network (no activation) exactly?
    2. Add `nn.BatchNorm1d(256)` after each linear layer of the badly initialised ReLU network. What
       happens to the activation plot?
    3. Weight decay usually skips biases. Build an AdamW optimizer with two parameter groups, weights
       with `weight_decay=1.0` and biases with `weight_decay=0.0`, and compare with section 5.
    4. Run `fit` with dropout 0.1, 0.3 and 0.7, and with data seeds 0 to 4. When does dropout help,
       and by how much on average?
    5. Combine dropout 0.3 and `weight_decay=0.1`. Is the test loss lower than with either alone?
    """),
]

NOTEBOOKS = {"08_layers": L08, "14_init_and_regularisation": L14}


if __name__ == "__main__":
    sys.exit(main(NOTEBOOKS, sys.argv[1:]))
