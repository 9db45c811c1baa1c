# %% [markdown]
# # 08 · Layers: Linear, activations, Flatten, BatchNorm, Dropout
#
# *Runs in about 5 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
#
# A **layer** (层) is a module that does one job: a linear map, a nonlinearity, a reshape, a
# normalisation. Models are stacks of them. This lesson opens the most common layers one by one and
# checks each against its formula.
#
# **Goals.** After this lesson you can
#
# - say what `nn.Linear` computes ($y = xW^\top + b$), the shapes of its weight and bias, how they
#   are initialised and how many parameters a model has;
# - plot an **activation function** (激活函数) and its derivative, computed with autograd, and say
#   which ones saturate;
# - reshape with `nn.Flatten` and `nn.Unflatten`;
# - explain **batch normalisation** (批量规范化): batch statistics in training, running statistics
#   in evaluation, and how `momentum` updates them;
# - explain **dropout** (暂退法): zeros in training, scaling by $1/(1-p)$, the identity in
#   evaluation, and switch a whole model with `model.train()` / `model.eval()`;
# - choose a **padding mode** (填充方式) for the border of an image, follow the shapes through a
#   **3-d convolution** (三维卷积) for videos and volumes, and let `nn.LazyLinear` work out its
#   `in_features` from the first batch.

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
# ## 1. `nn.Linear`: $y = xW^\top + b$
#
# `nn.Linear(in_features, out_features)` is a **fully connected** (全连接) layer. Its `weight` has
# shape `(out_features, in_features)`, one row per output, and its `bias` has shape
# `(out_features,)`.

# %%
lin = nn.Linear(in_features=3, out_features=2)
print(lin)
print("weight", tuple(lin.weight.shape), "  bias", tuple(lin.bias.shape))

# %% [markdown]
# To check the formula we overwrite the random parameters with numbers we know. Writing into
# parameters must not be recorded by autograd, hence `torch.no_grad()`. Each **row** of the input is
# one sample; each output is a weighted sum of the inputs plus a bias.

# %%
with torch.no_grad():
    lin.weight.copy_(torch.tensor([[1.0, 0.0, -1.0],
                                   [0.5, 0.5, 0.5]]))
    lin.bias.copy_(torch.tensor([0.0, 10.0]))

x = torch.tensor([[1.0, 2.0, 3.0],
                  [4.0, 5.0, 6.0]])          # a batch of 2 samples with 3 features
y = lin(x)
assert torch.allclose(y, x @ lin.weight.T + lin.bias)
print(y)

# %% [markdown]
# `nn.Linear` acts on the **last** dimension, so any number of leading (batch) dimensions is fine:

# %%
print(lin(torch.zeros(4, 5, 3)).shape)
print(nn.Linear(3, 2, bias=False).bias)      # no bias: y = x W^T

# %% [markdown]
# ### Default initialisation
#
# A fresh `nn.Linear` draws every weight and bias from the uniform distribution
# $U(-k, k)$ with $k = 1/\sqrt{\text{in\_features}}$. (In code it is
# `kaiming_uniform_(weight, a=math.sqrt(5))`, which works out to exactly this bound; lesson 14
# explains Kaiming initialisation and when you want something else.) The more inputs, the smaller
# the weights, so that the sum over the inputs stays of order one.

# %%
big = nn.Linear(400, 100)
k = 1 / math.sqrt(400)
w, b = big.weight.detach(), big.bias.detach()
print("k =", k)
print("all weights in [-k, k]:", w.abs().max().item() <= k, "  all biases:", b.abs().max().item() <= k)
print("largest |weight| / k:", round(w.abs().max().item() / k, 2))
print("std / (k / sqrt(3)):", round(w.std().item() / (k / math.sqrt(3)), 1), "  (the std of U(-k, k))")

# %%
fig, ax = plt.subplots(figsize=(4, 2.5))
ax.hist(w.flatten().numpy(), bins=40, range=(-0.06, 0.06))
ax.axvline(-k, color="k", ls="--")
ax.axvline(k, color="k", ls="--")
ax.set_title("nn.Linear(400, 100).weight: uniform on [-k, k]", fontsize=9)
plt.show()
plt.close(fig)

# %% [markdown]
# ### Counting parameters
#
# A `Linear(n_in, n_out)` has $n_\text{in} \cdot n_\text{out}$ weights and $n_\text{out}$ biases.
# Here is a classifier for 28×28 images with 10 classes; almost all its parameters sit in the first
# layer:

# %%
model = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 128), nn.ReLU(), nn.Linear(128, 10))
for name, p in model.named_parameters():
    print(f"{name:10s} {str(tuple(p.shape)):11s} {p.numel():7d}")
n_params = sum(p.numel() for p in model.parameters())
assert n_params == (784 * 128 + 128) + (128 * 10 + 10)
print("total", n_params)

# %% [markdown]
# ## 2. Activation functions and their derivatives
#
# Without a nonlinearity between them, two linear layers are just one linear layer:
# $(xW_1^\top)W_2^\top = x(W_2W_1)^\top$. An **activation function** (激活函数) applied elementwise
# after each layer is what makes a deep network more than a linear map.
#
# How well a network learns depends on the activation's **derivative** (导数) too: backpropagation
# multiplies the gradient by $f'(x)$ at every layer. We compute the derivatives with autograd:
# because $f$ acts elementwise, $\partial \sum_j f(x_j) / \partial x_i = f'(x_i)$, so the gradient of
# `f(x).sum()` on a grid of points is $f'$ on that grid.

# %%
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

# %% [markdown]
# The same numbers at a few points. Note the conventions at the kinks, where the derivative is not
# defined: PyTorch (and edutorch) use ReLU$'(0) = 0$, LeakyReLU$'(0) =$ the negative slope,
# SELU$'(0) = 1.7581$ (the slope just left of 0) and Hardtanh$'(\pm 1) = 0$.

# %%
points = torch.tensor([-3.0, -1.0, 0.0, 1.0, 3.0])
print(f"{'':15s} f'(x) at x = {points.tolist()}")
for name, f in activations.items():
    _, dy = value_and_derivative(f, points)
    print(f"{name:15s}", "  ".join(f"{d:7.4f}" for d in dy.tolist()))

# %% [markdown]
# What to read in the plots and the table:
#
# - **Sigmoid** and **Tanh** *saturate* (饱和): for large $|x|$ the derivative is almost 0, so the
#   gradient reaching earlier layers shrinks at every layer. Sigmoid's derivative is at most 0.25.
# - **ReLU** has derivative exactly 1 for $x > 0$, which passes gradients through unchanged, and
#   exactly 0 for $x < 0$: a unit whose input is always negative never learns again (a "dead ReLU").
#   **LeakyReLU**, **ELU** and **SELU** keep a small slope for $x < 0$.
# - **GELU**, **SiLU** (also called swish) and **Mish** are smooth versions of ReLU, used in
#   transformers and modern CNNs. **Hardswish** and **Hardtanh** are cheap piecewise-linear
#   approximations.
#
# Each module has a matching function in `torch.nn.functional` (`F`): use modules inside
# `nn.Sequential`, functions inside your own `forward`.

# %%
assert torch.equal(F.relu(points), nn.ReLU()(points))
assert torch.equal(F.gelu(points), nn.GELU()(points))
print(F.relu(points))
print(F.leaky_relu(points, negative_slope=0.1))

# %% [markdown]
# ## 3. `nn.Flatten` and `nn.Unflatten`
#
# A batch of images has shape `(N, C, H, W)`, but `nn.Linear` wants one vector per sample.
# `nn.Flatten()` merges every dimension from `start_dim=1` to `end_dim=-1` and keeps the batch
# dimension; `nn.Unflatten(dim, sizes)` splits one dimension back into several.

# %%
images = torch.arange(2 * 3 * 4 * 4, dtype=torch.float32).reshape(2, 3, 4, 4)   # (N, C, H, W)
flat = nn.Flatten()(images)
print(nn.Flatten(), "->", tuple(flat.shape))
print("Flatten(2)      ->", tuple(nn.Flatten(2)(images).shape))       # (N, C, H*W)
print("Flatten(0, -1)  ->", tuple(nn.Flatten(0, -1)(images).shape))   # everything
back = nn.Unflatten(1, (3, 4, 4))(flat)
print(nn.Unflatten(1, (3, 4, 4)), "->", tuple(back.shape), torch.equal(back, images))

# %% [markdown]
# ## 4. Batch normalisation: train versus eval
#
# `nn.BatchNorm1d(C)` normalises each of the `C` features (特征) of a batch `(N, C)`:
#
# $$y = \frac{x - \mu}{\sqrt{\sigma^2 + \varepsilon}} \cdot \gamma + \beta$$
#
# with a learnable scale $\gamma$ (`weight`, starts at 1) and shift $\beta$ (`bias`, starts at 0).
# Which $\mu$ and $\sigma^2$?
#
# - **In training** (`bn.train()`): the mean and the (biased) variance of **this batch**, feature by
#   feature. At the same time the layer updates two **buffers** (缓冲区), its running estimates:
#   $\text{running} \leftarrow (1 - m)\cdot\text{running} + m \cdot \text{batch statistic}$ with
#   momentum $m = 0.1$ (the running variance uses the unbiased variance, dividing by $N - 1$).
# - **In evaluation** (`bn.eval()`): the running estimates, fixed. The output of a sample then no
#   longer depends on the other samples in the batch, and a batch of one works.

# %%
bn = nn.BatchNorm1d(2)          # 2 features
print(bn)
for name, buf in bn.named_buffers():
    print(f"{name:20s}", buf)

# %% [markdown]
# Three small batches of 4 samples (the second and the third are the first plus 1 and plus 2); the
# second feature is about ten times the first. In training mode each feature of the output has mean 0
# and standard deviation 1 over the batch, whatever the scale of the input:

# %%
batches = [torch.tensor([[1.0, 10.0], [3.0, 30.0], [5.0, 50.0], [7.0, 70.0]]) + k for k in range(3)]
bn.train()
out = bn(batches[0])
print(out)
print("mean ≈ 0:", out.mean(0).abs().max().item() < 1e-6,
      "  std ≈ 1:", torch.allclose(out.std(0, unbiased=False), torch.ones(2), atol=1e-3))

# %% [markdown]
# Each call in training mode moved the running statistics a tenth of the way towards the batch's.
# After the other two batches:

# %%
for x in batches[1:]:
    bn(x)
print("running_mean       ", bn.running_mean)
print("running_var        ", bn.running_var)
print("num_batches_tracked", bn.num_batches_tracked)

# %% [markdown]
# The same numbers by hand, from the formula above (`x.var(0)` is the unbiased variance):

# %%
m = bn.momentum
mean, var = torch.zeros(2), torch.ones(2)        # the initial buffers
for x in batches:
    mean = (1 - m) * mean + m * x.mean(0)
    var = (1 - m) * var + m * x.var(0)
assert torch.allclose(bn.running_mean, mean) and torch.allclose(bn.running_var, var)
print(mean, var)

# %% [markdown]
# In evaluation mode the layer uses exactly these running statistics, and leaves them alone:

# %%
bn.eval()
x = torch.tensor([[4.0, 40.0]])                  # a single sample is fine in eval mode
y = bn(x)
expected = (x - bn.running_mean) / torch.sqrt(bn.running_var + bn.eps) * bn.weight + bn.bias
assert torch.allclose(y, expected)
assert torch.allclose(bn.running_mean, mean)    # not updated in eval mode
print(y)

# %% [markdown]
# In training mode a single sample has no spread to normalise by, and the layer refuses it:

# %%
bn.train()
try:
    bn(x)
except ValueError as e:
    print("ValueError:", e)

# %% [markdown]
# Only three batches were seen, so the running mean (1.37, 11.1) is still far from the mean of the
# data (about 5 and 41): it starts at 0 and needs tens of batches to get there. Here is a running mean
# following batches drawn from a distribution with mean 3, for three momentums. `momentum=None`
# means a plain **cumulative average** of all batches so far.

# %%
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

# %% [markdown]
# Large momentum follows the latest batches (noisy); small momentum averages over many (smooth but
# slow to start).
#
# For images, `nn.BatchNorm2d(C)` does the same per **channel** of an `(N, C, H, W)` batch, with
# statistics over the `N·H·W` values of each channel:

# %%
bn2 = nn.BatchNorm2d(3)
out2 = bn2(images)
print(tuple(out2.shape), "per-channel mean ≈ 0:", out2.mean(dim=(0, 2, 3)).abs().max().item() < 1e-5)
print(bn2.running_mean)                          # 0.1 x each channel's mean: 31.5, 47.5, 63.5

# %% [markdown]
# ## 5. Dropout: zeros in training, identity in evaluation
#
# `nn.Dropout(p)` sets each element to zero with probability $p$ during training, a different
# random choice on every call, so the network cannot rely on any single unit. The elements it keeps
# are multiplied by $1/(1-p)$:

# %%
# NBVAL_IGNORE_OUTPUT
torch.manual_seed(0)
drop = nn.Dropout(p=0.5)
print(drop)
print(drop(torch.ones(2, 8)))

# %% [markdown]
# Why scale? Each element survives with probability $1 - p$, so
#
# $$\mathbb{E}[\text{dropout}(x)] = (1 - p)\cdot\frac{x}{1 - p} + p \cdot 0 = x .$$
#
# On average the next layer sees the same input as without dropout, so at evaluation time dropout
# can simply do nothing. (This is "inverted dropout"; the alternative, scaling by $1 - p$ at test
# time, is what the original paper described.) The exact outputs are random, but the statistics are
# not:

# %%
torch.manual_seed(0)
ones = torch.ones(100_000)
for p in [0.1, 0.3, 0.5, 0.8]:
    y = nn.Dropout(p)(ones)
    zeros = (y == 0).float().mean().item()
    kept = sorted({round(v, 4) for v in y[y != 0].tolist()})
    print(f"p={p}: zeros {zeros:.2f}   kept values {kept}   1/(1-p) = {1 / (1 - p):.4f}   mean {y.mean().item():.1f}")

# %%
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

# %% [markdown]
# The gradient goes through the same mask: a dropped element gets gradient 0, a kept one
# $1/(1-p)$. And in evaluation mode dropout returns its input unchanged:

# %%
torch.manual_seed(0)
drop = nn.Dropout(p=0.25)
x = torch.ones(1000, requires_grad=True)
y = drop(x)
y.sum().backward()
assert torch.equal(x.grad, y.detach())           # d y_i / d x_i = mask_i / (1 - p)
print("gradient values:", sorted({round(v, 4) for v in x.grad.tolist()}))

drop.eval()
print("eval is the identity:", torch.equal(drop(x), x))

# %% [markdown]
# **A classic bug.** The function `F.dropout(x, p)` has `training=True` by default: it does not know
# whether your model is in evaluation mode. Inside your own `forward`, pass
# `training=self.training` (or use an `nn.Dropout` module, which does this for you).

# %%
x = torch.ones(100)
print("F.dropout(x, 0.5, training=False) is x:", F.dropout(x, 0.5, training=False) is x)
print("F.dropout(x, 0.5) changes x:", not torch.equal(F.dropout(x, 0.5), x))

# %% [markdown]
# ## 6. `model.train()` and `model.eval()`
#
# BatchNorm and Dropout behave differently in training and evaluation; most other layers do not
# care. Every module has a `training` flag; `model.train()` and `model.eval()` set it on the model
# **and all its sub-modules** at once. A fresh model starts in training mode.

# %%
torch.manual_seed(0)
net = nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 2))
print("fresh:  ", net.training, [layer.training for layer in net])
net.eval()
print("eval(): ", net.training, [layer.training for layer in net])
net.train()
print("train():", net.training, [layer.training for layer in net])

# %% [markdown]
# In training mode two calls on the same batch give different outputs (new dropout masks, and the
# batch statistics); in evaluation mode the network is a fixed function. `eval()` does **not** turn
# off autograd: wrap evaluation in `torch.no_grad()` when you do not need gradients.

# %%
torch.manual_seed(0)
x = torch.randn(8, 4)
net.train()
print("train: two calls equal?", torch.equal(net(x), net(x)))
net.eval()
print("eval:  two calls equal?", torch.equal(net(x), net(x)))
print("eval output requires grad:", net(x).requires_grad)
with torch.no_grad():
    print("under no_grad:", net(x).requires_grad)

# %% [markdown]
# ## 7. Padding layers: what goes around the border
#
# `nn.Conv2d(..., padding=1)` puts a frame of zeros around each image so that a 3×3 kernel can be
# centred on the border pixels too. Zeros are one choice; the **padding layers** offer four. Here is
# what each puts around the row `1 2 3 4 5`, two pixels on each side:

# %%
row = torch.arange(1.0, 6.0).reshape(1, 1, 5)      # (N, C, W): one image row
for pad in [nn.ZeroPad1d(2), nn.ConstantPad1d(2, -1.0), nn.ReflectionPad1d(2),
            nn.ReplicationPad1d(2), nn.CircularPad1d(2)]:
    print(f"{str(pad):42s}", pad(row)[0, 0].tolist())

# %% [markdown]
# - **reflect** (反射填充) mirrors the row about its edge pixel, which is not repeated: no hard
#   seam, the usual choice for images in style transfer and super-resolution;
# - **replicate** (复制填充) repeats the edge pixel;
# - **circular** (循环填充) wraps around as if the row were a ring: right for periodic data
#   (textures, angles, the days of a week).
#
# `padding` counts *last dimension first*: `(left, right)` in 1-d, `(left, right, top, bottom)` in
# 2-d, `(left, right, top, bottom, front, back)` in 3-d; an int pads every side equally. The 2-d
# layers pad the last two dimensions of an image:

# %%
img = torch.arange(1.0, 10.0).reshape(1, 1, 3, 3)
print(nn.ReflectionPad2d((1, 1, 1, 0))(img)[0, 0])
print(nn.ReplicationPad2d(1)(img).shape, nn.CircularPad2d(1)(img).shape)

# %% [markdown]
# A convolution's `padding_mode` is exactly this: pad with that mode, then convolve without
# padding. And because every new pixel is a *copy* of an input pixel, the gradient of each copy goes
# back to that pixel: `row.grad` counts how often each pixel appears in the padded row. Reflection
# can only mirror what exists, so its padding must be smaller than the dimension.

# %%
torch.manual_seed(0)
conv = nn.Conv2d(1, 1, 3, padding=1, padding_mode="reflect", bias=False)
image = torch.rand(1, 1, 6, 6)
assert torch.allclose(conv(image), F.conv2d(nn.ReflectionPad2d(1)(image), conv.weight), atol=1e-6)
print(conv)

row = torch.arange(1.0, 6.0).reshape(1, 1, 5).requires_grad_()
nn.ReflectionPad1d(2)(row).sum().backward()
print("copies of each pixel:", row.grad[0, 0].tolist())
try:
    nn.ReflectionPad1d(5)(row)
except RuntimeError as err:
    print("RuntimeError:", err)

# %% [markdown]
# ## 8. 3-d convolution: videos and volumes
#
# A video clip is a stack of frames, `(N, C, T, H, W)`; a CT or MRI scan is a stack of slices,
# `(N, 1, D, H, W)`. `nn.Conv3d` slides a `kT × kH × kW` kernel along depth (time) as well as height
# and width, so one filter can see motion across neighbouring frames. Every formula of lesson 07
# holds per axis: `D_out = (D + 2p − d(k − 1) − 1) // s + 1`. `nn.MaxPool3d`, `nn.AvgPool3d`,
# `nn.AdaptiveAvgPool3d` and `nn.BatchNorm3d` follow the same pattern. The shapes through a tiny
# video classifier:

# %%
torch.manual_seed(0)
clip = torch.randn(2, 3, 8, 32, 32)          # 2 clips, RGB, 8 frames of 32x32
net3d = nn.Sequential(
    nn.Conv3d(3, 8, kernel_size=3, padding=1), nn.BatchNorm3d(8), nn.ReLU(),
    nn.MaxPool3d((1, 2, 2)),                  # halve H and W, keep all 8 frames
    nn.Conv3d(8, 16, kernel_size=3, stride=(2, 1, 1), padding=1), nn.ReLU(),
    nn.MaxPool3d(2),
    nn.AdaptiveAvgPool3d(1), nn.Flatten(), nn.Linear(16, 5),
)
h = clip
print(f"{'input':18s} {tuple(h.shape)}")
for layer in net3d:
    h = layer(h)
    print(f"{type(layer).__name__:18s} {tuple(h.shape)}")
print("Conv3d(3, 8, 3) parameters:", sum(p.numel() for p in net3d[0].parameters()), "= 8 * (3 * 3*3*3) + 8")
assert sum(p.numel() for p in net3d[0].parameters()) == 8 * 3 * 27 + 8

# %% [markdown]
# A kernel one frame deep, `(1, 3, 3)`, sees one frame at a time: `Conv3d` then is a `Conv2d` applied
# to every frame with the same weights. Kernels deeper than 1 mix neighbouring frames, which a
# per-frame `Conv2d` cannot do.

# %%
frames = nn.Conv3d(3, 4, kernel_size=(1, 3, 3), padding=(0, 1, 1))
per_frame = nn.Conv2d(3, 4, 3, padding=1)
with torch.no_grad():
    per_frame.weight.copy_(frames.weight[:, :, 0])
    per_frame.bias.copy_(frames.bias)
by_frame = torch.stack([per_frame(clip[:, :, t]) for t in range(clip.shape[2])], dim=2)
assert torch.allclose(frames(clip), by_frame, atol=1e-5)
print(tuple(frames(clip).shape), "== Conv2d on each of the", clip.shape[2], "frames")

# %% [markdown]
# ## 9. Lazy layers: `in_features` from the first batch
#
# After a few convolutions, the `in_features` of the first `nn.Linear` is tedious to work out by
# hand (below: 28 → 24 after a 5×5 kernel, → 12 after pooling, times 6 channels).
# `nn.LazyLinear(out_features)` leaves it open: its weight and bias are `UninitializedParameter`s
# with no shape yet, and the first forward call reads `in_features` off the input, creates and
# initialises them as `nn.Linear` would, and turns the layer into an ordinary `nn.Linear`. Build the
# optimizer *after* that first call: before it there are no parameters to optimise.
# (`nn.LazyConv2d` does the same for `in_channels`.)

# %%
torch.manual_seed(0)
lenet_head = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.LazyLinear(10))
print(lenet_head[-1], lenet_head[-1].weight)
out = lenet_head(torch.randn(2, 1, 28, 28))   # the first batch fixes in_features
print(lenet_head[-1], tuple(lenet_head[-1].weight.shape), tuple(out.shape))
assert lenet_head[-1].in_features == 6 * 12 * 12 and type(lenet_head[-1]) is nn.Linear

# %% [markdown]
# ## 10. Look inside
#
# *edutorch-only cell*: dropout in edutorch is a random 0/1 mask, scaled by $1/(1-p)$, multiplied
# into the input. The multiplication is an ordinary tensor op, so autograd already knows its
# gradient: no special backward needed.

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    show_source(F.dropout)
    show_source(F._dropout)
    show_source(F._keep_mask)

# %% [markdown]
# *edutorch-only cell*: batch normalisation is a `Function` of its own, with forward (normalise,
# update the running buffers in place) and backward (the gradient through the mean and the variance
# of the batch) side by side.

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    show_source(nn.BatchNorm1d(2)(batches[0]).grad_fn)

# %% [markdown]
# ### Check your understanding
#
# 1. How many parameters has `nn.Linear(20, 5)`? And without bias?
# 2. Sigmoid's derivative is $\sigma(x)(1 - \sigma(x))$; check it with autograd.
# 3. A `BatchNorm1d` layer in evaluation mode: do its buffers change when you call it?
# 4. What does `nn.Dropout(0.2)` do to `torch.ones(5)` in evaluation mode?
#
# Predict, then run:

# %%
assert sum(p.numel() for p in nn.Linear(20, 5).parameters()) == 20 * 5 + 5
assert sum(p.numel() for p in nn.Linear(20, 5, bias=False).parameters()) == 100

s, ds = value_and_derivative(torch.sigmoid, grid)
assert torch.allclose(ds, s * (1 - s), atol=1e-6)

frozen = nn.BatchNorm1d(2).eval()
frozen(batches[0])
assert torch.equal(frozen.running_mean, torch.zeros(2)) and frozen.num_batches_tracked.item() == 0

assert torch.equal(nn.Dropout(0.2).eval()(torch.ones(5)), torch.ones(5))
print("all correct")

# %% [markdown]
# ## Summary
#
# - `nn.Linear(n_in, n_out)`: $y = xW^\top + b$ on the last dimension, `weight` of shape
#   `(n_out, n_in)`, initialised from $U(-1/\sqrt{n_\text{in}}, 1/\sqrt{n_\text{in}})$;
#   $n_\text{in} n_\text{out} + n_\text{out}$ parameters.
# - Activations add the nonlinearity; their derivative (autograd on `f(x).sum()`) decides how
#   gradients flow. Sigmoid and tanh saturate; ReLU passes or blocks; GELU/SiLU/Mish are smooth ReLUs.
# - `nn.Flatten()` keeps the batch dimension and merges the rest; `nn.Unflatten` splits.
# - BatchNorm: batch statistics and a running-average update (`momentum`, unbiased variance) in
#   training; the running statistics, unchanged, in evaluation.
# - Dropout: zero with probability $p$ and scale by $1/(1-p)$ in training (the mean is preserved);
#   the identity in evaluation. `F.dropout` needs `training=self.training`.
# - `model.train()` / `model.eval()` set the `training` flag of every sub-module; `eval()` does not
#   disable autograd.
# - Padding layers fill the border with a constant (`ZeroPad2d`, `ConstantPad2d`), a mirror image
#   (`ReflectionPad2d`), the edge pixel (`ReplicationPad2d`) or the other side (`CircularPad2d`);
#   a convolution's `padding_mode` does the same. `Conv3d`, `MaxPool3d`, `BatchNorm3d` work on
#   `(N, C, D, H, W)` videos and volumes with the same formulas per axis. `nn.LazyLinear` takes its
#   `in_features` from the first batch.

# %% [markdown]
# ## Exercises
#
# Write the code in each `# Exercise` cell, run it, then run the check below it: the check says
# ✓ when your code is right, or ✗ with a hint that names what is wrong. The checks work on
# edutorch and on real PyTorch alike. Stuck? The solutions are in
# [solutions/08_layers.py](solutions/08_layers.py) (one click; try first!).

# %%
from checks.lesson08 import Checks   # the checks of these exercises: lessons/checks/lesson08.py
check = Checks(torch)

# %% [markdown]
# **Exercise 1 — `nn.Linear` by hand.** Write `MyLinear(in_features, out_features)`, an `nn.Module`
# with two `nn.Parameter`s: `weight` of shape `(out_features, in_features)` and `bias` of shape
# `(out_features,)`, both initialised as in `nn.Linear`: uniformly on $[-k, k]$ with
# $k = 1/\sqrt{\text{in\_features}}$ (`torch.empty(shape).uniform_(-k, k)`). Its `forward` computes
# $y = xW^\top + b$ on the last dimension. The check looks at the names, shapes and initial values of
# the parameters, and compares your output with that of an `nn.Linear` that loads your `state_dict`.

# %%
# Exercise 1: nn.Linear as your own module: two Parameters, the default initialisation, y = x W^T + b
class MyLinear(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        raise NotImplementedError("make self.weight and self.bias, nn.Parameters drawn from U(-k, k)")

    def forward(self, x):
        raise NotImplementedError("y = x W^T + b")

# %%
check.ex1(MyLinear)

# %% [markdown]
# **Exercise 2 — the derivative of SiLU.** SiLU (also called swish) is $f(x) = x\,\sigma(x)$, with the
# sigmoid $\sigma(x) = 1/(1 + e^{-x})$, whose derivative is $\sigma'(x) = \sigma(x)(1 - \sigma(x))$. Work
# out $f'(x)$ on paper, then write `silu_derivative(x)` with tensor operations (`torch.sigmoid`),
# without autograd. The check compares it with autograd's derivative of `nn.SiLU` (section 2) on a
# grid from −6 to 6.

# %%
# Exercise 2: f'(x) for f(x) = x * sigmoid(x), as a formula
def silu_derivative(x):
    raise NotImplementedError("the product rule, with sigmoid'(x) = sigmoid(x) * (1 - sigmoid(x))")

# %%
check.ex2(silu_derivative)

# %% [markdown]
# **Exercise 3 — batch normalisation in training mode, by hand.** Write
# `batch_norm_train(x, running_mean, running_var, weight, bias, momentum=0.1, eps=1e-5)` for a batch
# `x` of shape `(N, C)`. It returns `(y, new_running_mean, new_running_var)`: what `nn.BatchNorm1d`
# computes in training mode (section 4): normalise each feature with the batch mean and the
# **biased** variance (divide by $N$), scale by `weight` and shift by `bias`; move the running
# estimates towards the batch statistics with `momentum`, using the **unbiased** variance (divide by
# $N - 1$). The check compares with `nn.BatchNorm1d` on random batches, one feature of which has a
# tiny variance.

# %%
# Exercise 3: BatchNorm1d's training-mode forward: the output and the updated running statistics
def batch_norm_train(x, running_mean, running_var, weight, bias, momentum=0.1, eps=1e-5):
    raise NotImplementedError("batch statistics, normalise, scale and shift, update the running estimates")
    return y, new_running_mean, new_running_var

# %%
check.ex3(batch_norm_train)

# %% [markdown]
# **Exercise 4 — dropout by hand.** Write `dropout(x, p, training)`: in training, set each element to
# zero with probability `p` (compare `torch.rand(x.shape)` with `p`) and multiply the others by
# $1/(1-p)$; in evaluation (`training=False`) return `x` unchanged. The check counts the zeros and
# looks at the kept values among 100 000 elements, calls your function twice (the masks must
# differ), and tries `p = 0`, evaluation mode and the gradient.

# %%
# Exercise 4: inverted dropout: zero with probability p, scale the rest by 1 / (1 - p); identity in eval
def dropout(x, p, training):
    raise NotImplementedError("a random 0/1 mask in training, scaled by 1 / (1 - p); x itself in evaluation")

# %%
check.ex4(dropout)

# %% [markdown]
# **Exercise 5 — predictions without side effects.** Write `predict(model, x)` that returns the
# model's output for `x` in evaluation mode, without recording a graph (`torch.no_grad()`), and
# leaves the model in the mode it was in before (remember `model.training`, then restore it with
# `model.train(mode)`). The check calls it on a network with `BatchNorm1d` and `Dropout` in training
# mode and in evaluation mode, and checks that its running statistics did not move.

# %%
# Exercise 5: the eval-mode output without a graph; the model's mode and buffers as they were
def predict(model, x):
    raise NotImplementedError("remember model.training, eval(), no_grad(), restore the mode")

# %%
check.ex5(predict)

# %% [markdown]
# ## 中文小结
#
# - `nn.Linear(n_in, n_out)` 是**全连接层**，对最后一维计算 $y = xW^\top + b$；`weight` 的形状是
#   `(n_out, n_in)`，默认从 $U(-1/\sqrt{n_\text{in}}, 1/\sqrt{n_\text{in}})$ 初始化，
#   共 $n_\text{in} n_\text{out} + n_\text{out}$ 个参数（练习 1）。
# - **激活函数**给网络加入非线性；它的**导数**（用自动微分对 `f(x).sum()` 求梯度得到）决定梯度如何
#   传播。sigmoid 和 tanh 会饱和，ReLU 要么原样传递梯度、要么挡住梯度，GELU、SiLU、Mish 是平滑的
#   ReLU（练习 2）。
# - `nn.Flatten()` 保留批量维度、把其余维度展平；`nn.Unflatten` 把一维拆回多维。
# - **批量规范化**：训练时用当前小批量的均值和（有偏）方差做规范化，并按 `momentum` 更新运行均值和
#   运行方差（用无偏方差）；评估时使用固定的运行统计量，不再更新（练习 3）。
# - **暂退法**（Dropout）：训练时以概率 $p$ 把元素置零，其余元素乘以 $1/(1-p)$，使期望不变；评估时
#   什么也不做。自己写 `forward` 时要用 `F.dropout(x, p, training=self.training)`（练习 4）。
# - `model.train()` / `model.eval()` 设置所有子模块的 `training` 标志；`eval()` 不会关闭自动微分，
#   预测时还要用 `torch.no_grad()`（练习 5）。
# - **填充方式**：零填充/常数填充、**反射填充**（以边缘像素为轴镜像）、**复制填充**（重复边缘像素）、
#   **循环填充**（从另一侧绕回）；卷积层的 `padding_mode` 就是先这样填充再卷积。**三维卷积**
#   `nn.Conv3d` 处理形状为 `(N, C, D, H, W)` 的视频和体数据，每个维度的输出大小公式与二维相同。
#   `nn.LazyLinear` 在第一次前向传播时根据输入推断 `in_features`。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | layer | 层 | `torch.nn.Module` |
# | fully connected layer | 全连接层 | `torch.nn.Linear` |
# | weight / bias | 权重 / 偏置 | `Linear.weight`, `Linear.bias` |
# | initialization | 初始化 | `torch.nn.init` |
# | activation function | 激活函数 | `torch.nn.ReLU`, `torch.nn.Sigmoid`, `torch.nn.GELU`, ... |
# | derivative | 导数 | `torch.autograd.grad` |
# | saturation | 饱和 | — |
# | flatten | 展平 | `torch.nn.Flatten`, `torch.nn.Unflatten` |
# | batch normalization | 批量规范化 | `torch.nn.BatchNorm1d`, `torch.nn.BatchNorm2d` |
# | running mean / running variance | 运行均值 / 运行方差 | `running_mean`, `running_var` |
# | momentum (of the running estimates) | 动量 | `BatchNorm1d(momentum=...)` |
# | biased / unbiased variance | 有偏 / 无偏方差 | `Tensor.var(unbiased=...)` |
# | buffer | 缓冲区 | `Module.named_buffers()` |
# | dropout | 暂退法 (Dropout) | `torch.nn.Dropout`, `F.dropout` |
# | training / evaluation mode | 训练模式 / 评估模式 | `Module.train()`, `Module.eval()` |
# | padding mode | 填充方式 | `F.pad(mode=...)`, `Conv2d(padding_mode=...)` |
# | zero / constant padding | 零填充 / 常数填充 | `torch.nn.ZeroPad2d`, `torch.nn.ConstantPad2d` |
# | reflection padding | 反射填充 | `torch.nn.ReflectionPad2d` |
# | replication padding | 复制填充 | `torch.nn.ReplicationPad2d` |
# | circular padding | 循环填充 | `torch.nn.CircularPad2d` |
# | 3-d convolution | 三维卷积 | `torch.nn.Conv3d`, `torch.nn.MaxPool3d`, `torch.nn.BatchNorm3d` |
# | video / volume (volumetric data) | 视频 / 体数据 | `(N, C, D, H, W)` tensors |
# | lazy module / uninitialized parameter | 延迟初始化模块 / 未初始化参数 | `torch.nn.LazyLinear`, `torch.nn.UninitializedParameter` |
