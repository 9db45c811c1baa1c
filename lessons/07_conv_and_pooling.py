# %% [markdown]
# # 07 · Convolution and pooling
#
# *Runs in about 5 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
#
# A **convolution** (卷积) slides a small grid of weights, the **kernel** (卷积核), over an image and
# takes a weighted sum at every position. The same few weights are used everywhere, so a
# convolutional layer has far fewer parameters than a fully connected one and finds a pattern
# wherever it appears. **Pooling** (汇聚/池化) then shrinks the resulting maps. Together they make
# convolutional neural networks (CNNs).
#
# **Goals.** After this lesson you can
#
# - compute a small convolution by hand, with `F.conv2d`, and as **im2col** (`F.unfold`) followed by
#   one matrix multiply, and say why the three agree;
# - predict the output size from $H$, kernel size $k$, stride $s$, padding $p$ and dilation $d$;
# - say what stride, padding, dilation and groups do, and count the parameters of a conv layer;
# - explain the **transposed convolution** (转置卷积) as the gradient of a convolution;
# - use max and average **pooling**, with `ceil_mode` and `return_indices`.

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
# ## 1. A 5×5 input and a 3×3 kernel, three ways
#
# Our input is the numbers 0 to 24 in a 5×5 grid and our kernel a 3×3 grid of small integers.
# Place the kernel on the top-left 3×3 window of the input, multiply elementwise and add up: that is
# the top-left output. Then move one step right, and so on. A 3×3 kernel fits in $5 - 3 + 1 = 3$
# positions along each axis, so the output is 3×3:
#
# $$\text{out}[i, j] = \sum_{u=0}^{2}\sum_{v=0}^{2} x[i + u,\ j + v]\; k[u, v].$$
#
# Strictly speaking this is a **cross-correlation** (互相关): the kernel is used as it is. The
# *mathematical* convolution flips the kernel first (upside down and left to right), which here means
# $k[2 - u, 2 - v]$ in place of $k[u, v]$. Deep learning calls the cross-correlation "convolution"
# anyway, and `F.conv2d` computes it, with no flip: the kernel is learned, so a network that needed
# the flipped kernel would simply learn that one. A mathematical convolution is therefore `F.conv2d`
# with a flipped kernel, as we check below.

# %%
x = torch.arange(25, dtype=torch.float32).reshape(5, 5)
k = torch.tensor([[0.0, 1.0, 2.0],
                  [2.0, 2.0, 0.0],
                  [0.0, 1.0, 2.0]])
print(x)
print(k)

# %% [markdown]
# **By hand**, with two loops over the output positions (fine for learning; the library never loops
# over pixels):

# %%
by_hand = torch.zeros(3, 3)
for i in range(3):
    for j in range(3):
        window = x[i:i + 3, j:j + 3]
        by_hand[i, j] = (window * k).sum()
print(by_hand)
print("top-left:", (x[0:3, 0:3] * k).sum().item(), "= 0*0 + 1*1 + 2*2 + 5*2 + 6*2 + 7*0 + 10*0 + 11*1 + 12*2")

# %% [markdown]
# **With `F.conv2d`.** It works on batches of multi-channel images: the input has shape
# `(N, C_in, H, W)` (batch, channels, height, width) and the weight `(C_out, C_in, kH, kW)`. One
# image with one channel and one kernel: add two leading dimensions of size 1 to each with `None`.

# %%
out = F.conv2d(x[None, None], k[None, None])
print(x[None, None].shape, "*", k[None, None].shape, "->", out.shape)
print(out[0, 0])
assert torch.equal(out[0, 0], by_hand)

# %% [markdown]
# **The flip, checked.** NumPy's `np.convolve` computes the mathematical convolution (in 1-D). With a
# kernel that is not symmetric, `F.conv1d` agrees with it only after flipping the kernel:

# %%
a = torch.tensor([1.0, 2.0, 0.0, -1.0, 3.0])
v = torch.tensor([1.0, 0.0, -2.0])                       # not symmetric, so the flip matters
print("np.convolve (mathematical):", np.convolve(a.numpy(), v.numpy(), mode="valid").tolist())
print("conv1d, kernel as it is:   ", F.conv1d(a[None, None], v[None, None])[0, 0].tolist())
print("conv1d, flipped kernel:    ", F.conv1d(a[None, None], v.flip(0)[None, None])[0, 0].tolist())

# %% [markdown]
# In 2-D, the mathematical convolution of `x` and `k` (the positions where the kernel fits) sums
# $x[i + u,\ j + v]\; k[2 - u,\ 2 - v]$. It equals `F.conv2d` with `k.flip((0, 1))` (both axes
# flipped), and differs from `F.conv2d` with `k` itself:

# %%
math_conv = torch.zeros(3, 3)
for i in range(3):
    for j in range(3):
        math_conv[i, j] = sum(x[i + u, j + v] * k[2 - u, 2 - v] for u in range(3) for v in range(3))
print(math_conv)
assert torch.equal(math_conv, F.conv2d(x[None, None], k.flip((0, 1))[None, None])[0, 0])
assert not torch.equal(math_conv, out[0, 0])
print("mathematical convolution == F.conv2d with the flipped kernel != F.conv2d with k")

# %% [markdown]
# **As im2col + matrix multiply.** `F.unfold` (im2col, "image to columns") copies every 3×3 window
# into one column: 9 windows, 9 numbers each, so a `(1, 9, 9)` tensor. The convolution is then one
# matrix product of the flattened kernel (a `1 × 9` row) with these columns, which is how convolution
# libraries (edutorch included) make it fast: a single large matrix multiply.

# %%
cols = F.unfold(x[None, None], kernel_size=3)
print(cols.shape)
print(cols[0])                       # column j = the window of output position j (row by row)

# %%
as_matmul = (k.reshape(1, 9) @ cols[0]).reshape(3, 3)
print(as_matmul)
assert torch.equal(as_matmul, by_hand) and torch.equal(as_matmul, out[0, 0])
print("by hand == F.conv2d == unfold + matmul")

# %% [markdown]
# The first column is the top-left window read row by row, `[0, 1, 2, 5, 6, 7, 10, 11, 12]`, and the
# first output is its dot product with the kernel row `[0, 1, 2, 2, 2, 0, 0, 1, 2]`.
#
# With $C_\text{in}$ channels each window has $C_\text{in} \cdot k_H k_W$ numbers and with
# $C_\text{out}$ kernels the weight matrix has $C_\text{out}$ rows; it is still one matrix product.
# Each output channel sums over **all** input channels:

# %%
torch.manual_seed(0)
xb = torch.randint(0, 5, (2, 3, 6, 6)).float()        # 2 images, 3 channels, 6x6
w = torch.randint(-1, 2, (4, 3, 3, 3)).float()         # 4 kernels, each 3 channels x 3x3
cols = F.unfold(xb, 3)                                 # (2, 3*3*3, 4*4)
manual = (w.reshape(4, -1) @ cols).reshape(2, 4, 4, 4)
assert torch.equal(manual, F.conv2d(xb, w))
print("cols", tuple(cols.shape), "-> output", tuple(F.conv2d(xb, w).shape))


# %% [markdown]
# ## 2. The output size
#
# Along one axis, an input of size $H$ is padded by $p$ zeros on both sides. A kernel of size $k$
# with dilation $d$ (gaps of $d - 1$ between its taps, section 3) spans $d(k-1) + 1$ pixels. It
# starts at position 0 and moves in steps of $s$ as long as it still fits, so the output size is
#
# $$H_\text{out} = \left\lfloor \frac{H + 2p - d(k - 1) - 1}{s} \right\rfloor + 1 .$$
#
# A leftover that is too small for another step is dropped (the floor). Let's check the formula
# against `F.conv2d` for a few settings:

# %%
def out_size(H, k, s=1, p=0, d=1):
    return (H + 2 * p - d * (k - 1) - 1) // s + 1

print(" H  k  s  p  d | formula  conv2d")
for H, kk, s, p, d in [(5, 3, 1, 0, 1), (5, 3, 2, 0, 1), (5, 3, 1, 1, 1), (5, 3, 2, 1, 1),
                       (7, 3, 1, 0, 2), (6, 3, 2, 0, 1), (32, 5, 1, 2, 1), (28, 4, 3, 1, 2)]:
    shape = F.conv2d(torch.zeros(1, 1, H, H), torch.zeros(1, 1, kk, kk), stride=s, padding=p, dilation=d).shape
    assert shape[-1] == out_size(H, kk, s, p, d)
    print(f"{H:2d} {kk:2d} {s:2d} {p:2d} {d:2d} | {out_size(H, kk, s, p, d):7d}  {shape[-1]:6d}")

# %% [markdown]
# Two rules of thumb: with stride 1, `padding = (k - 1) // 2` for odd $k$ keeps the size (`32, 5, 1,
# 2` above); PyTorch also accepts `padding="same"` for that (stride 1 only) and `padding="valid"` for
# no padding.
#
# ## 3. Stride, padding, dilation
#
# We use the 5×5 input and a 3×3 kernel of ones, so every output is simply the sum of a window.

# %%
X = x[None, None]                                 # (1, 1, 5, 5)
ones = torch.ones(1, 1, 3, 3)
print("stride 1 (the default): windows at columns 0, 1, 2")
print(F.conv2d(X, ones)[0, 0])
print("stride 2: windows at columns 0 and 2 -> 2x2")
print(F.conv2d(X, ones, stride=2)[0, 0])

# %% [markdown]
# **Stride** (步幅) $s$ moves the kernel $s$ pixels at a time: the output shrinks about $s$-fold in
# each dimension. The stride-2 output is every other entry of the stride-1 output.
#
# **Padding** (填充) surrounds the input with $p$ rings of zeros, so the border pixels are seen as
# often as the others and the size can be kept. `F.pad` shows the padded input the convolution sees:

# %%
print(F.pad(X, (1, 1, 1, 1))[0, 0])           # (left, right, top, bottom)
print(F.conv2d(X, ones, padding=1)[0, 0])     # 5x5 again; the corner sums only 4 real pixels
assert torch.equal(F.conv2d(X, ones, padding=1), F.conv2d(F.pad(X, (1, 1, 1, 1)), ones))
assert torch.equal(F.conv2d(X, ones, padding="same"), F.conv2d(X, ones, padding=1))

# %% [markdown]
# **Dilation** (空洞/膨胀) $d$ spreads the kernel's taps $d$ pixels apart: a 3×3 kernel with
# $d = 2$ reads a 5×5 area (its corners and midpoints) with only 9 weights. On our 5×5 input it fits
# exactly once, so it sums the 9 entries at even rows and even columns:

# %%
print(F.conv2d(X, ones, dilation=2))
print(x[::2, ::2].sum())
assert F.conv2d(X, ones, dilation=2).item() == x[::2, ::2].sum().item()

# %% [markdown]
# All three combine; the formula of section 2 always gives the size. (Here the four windows read
# the same four real pixels, `x[1, 1]`, `x[1, 3]`, `x[3, 1]` and `x[3, 3]`, because their other taps
# fall on the padding: hence $6 + 8 + 16 + 18 = 48$ four times.)

# %%
y = F.conv2d(X, ones, stride=2, padding=1, dilation=2)
print(y.shape, " formula:", out_size(5, 3, s=2, p=1, d=2))
print(y[0, 0])

# %% [markdown]
# ### Play with it
#
# *edutorch-only*: the **convolution playground** (卷积演示) draws the padded input, the kernel's
# window at one output position, and the number it produces, computed by the engine's own
# `F.conv2d`. Move the sliders (input size, kernel, stride, padding, dilation), tick *transposed*,
# switch to max/avg pooling, or press ▶ to slide the window over every output position. Invalid
# combinations say why. `ConvPlayground(engine=torch)` computes the same numbers with real PyTorch.

# %%
# NBVAL_IGNORE_OUTPUT
# an interactive widget
if EDUTORCH:
    from edutorch.notebook import ConvPlayground, conv_gallery
    playground = ConvPlayground(input_size=5, kernel_size=3, stride=2, padding=1)
    display(playground)

# %% [markdown]
# The cases of the classic *convolution arithmetic* guide (Dumoulin & Visin) as one static gallery:
# no padding, half ("same") and full padding, strides, dilation, and their transposed forms.

# %%
# NBVAL_IGNORE_OUTPUT
# edutorch-only figure
if EDUTORCH:
    display(conv_gallery())


# %% [markdown]
# The formula the playground shows, checked against the engine for the same settings:

# %%
def check_formula(n, k, s=1, p=0, d=1):
    formula = (n + 2 * p - d * (k - 1) - 1) // s + 1
    engine = F.conv2d(torch.ones(1, 1, n, n), torch.ones(1, 1, k, k), stride=s, padding=p, dilation=d)
    print(f"n={n} k={k} s={s} p={p} d={d}: formula {formula}, conv2d {engine.shape[-1]}")

for setting in [(5, 3, 1, 0, 1), (5, 3, 2, 1, 1), (5, 3, 1, 2, 1), (7, 3, 2, 1, 2)]:
    check_formula(*setting)

# %% [markdown]
# ## 4. Conv layers and their parameters
#
# `nn.Conv2d(in_channels, out_channels, kernel_size)` holds a weight of shape
# `(out_channels, in_channels, k, k)` and one bias per output channel, so it has
#
# $$C_\text{out} \cdot C_\text{in} \cdot k^2 + C_\text{out}$$
#
# parameters, **independent of the image size**. The first layer of a small CIFAR-10 network,
# `nn.Conv2d(3, 32, 5)`, has $3 \cdot 32 \cdot 25 + 32 = 2432$; a fully connected layer from a 32×32
# RGB image to 32 × 28 × 28 outputs would need about 77 million.

# %%
conv = nn.Conv2d(3, 32, 5)
print(conv)
print("weight", tuple(conv.weight.shape), "  bias", tuple(conv.bias.shape))
n_params = sum(p.numel() for p in conv.parameters())
assert n_params == 3 * 32 * 25 + 32
print("parameters:", n_params, "  vs. Linear:", (3 * 32 * 32) * (32 * 28 * 28) + 32 * 28 * 28)
print(conv(torch.zeros(8, 3, 32, 32)).shape)     # a batch of 8 RGB 32x32 images

# %% [markdown]
# ### Groups and depthwise convolution
#
# With `groups=g` the input channels are split into $g$ groups and each output channel sees only its
# own group: the weight shrinks to `(C_out, C_in / g, k, k)`. With `groups = C_in = C_out` every
# channel is filtered on its own, a **depthwise** (逐通道) convolution, as in MobileNet:

# %%
C = 8
for g in [1, 2, C]:
    layer = nn.Conv2d(C, C, 3, groups=g)
    n = sum(p.numel() for p in layer.parameters())
    print(f"groups={g}: weight {str(tuple(layer.weight.shape)):14s} parameters {n:4d}")
assert sum(p.numel() for p in nn.Conv2d(C, C, 3).parameters()) == C * C * 9 + C
assert sum(p.numel() for p in nn.Conv2d(C, C, 3, groups=C).parameters()) == C * 1 * 9 + C

# %% [markdown]
# A grouped convolution is the same as running separate convolutions on the channel groups and
# concatenating the results:

# %%
torch.manual_seed(0)
xg = torch.randint(0, 5, (1, 4, 5, 5)).float()
wg = torch.randint(-1, 2, (6, 2, 3, 3)).float()        # groups=2: 6 outputs, 4 / 2 = 2 inputs each
grouped = F.conv2d(xg, wg, groups=2)
separate = torch.cat([F.conv2d(xg[:, :2], wg[:3]), F.conv2d(xg[:, 2:], wg[3:])], dim=1)
assert torch.equal(grouped, separate)
print(grouped.shape)

# %% [markdown]
# ## 5. Transposed convolution
#
# A strided convolution makes images smaller. The **transposed convolution**
# `F.conv_transpose2d` goes the other way: every input pixel *spreads* a copy of the kernel, scaled
# by the pixel, over the output, the copies placed $s$ pixels apart, and overlapping copies add up.
# On a 2×2 input of ones with a 3×3 kernel of ones you can see the overlaps:

# %%
small = torch.ones(1, 1, 2, 2)
print(F.conv_transpose2d(small, ones)[0, 0])               # stride 1: copies overlap a lot
print(F.conv_transpose2d(small, ones, stride=2)[0, 0])     # stride 2: they overlap on one row/column

# %%
z = torch.tensor([[[[1.0, 2.0],
                    [3.0, 4.0]]]])
print(F.conv_transpose2d(z, k[None, None], stride=2)[0, 0])  # four copies of k, scaled by 1, 2, 3, 4

# %% [markdown]
# The output size undoes the convolution's formula:
#
# $$H_\text{out} = (H - 1)\,s - 2p + d(k - 1) + \text{output\_padding} + 1 .$$
#
# Because the convolution's floor can map several sizes to the same one (5 and 6 both give 2 with
# $k = 3, s = 2$), `output_padding` picks which one you get back.

# %%
for H, kk, s, p, op in [(2, 3, 1, 0, 0), (2, 3, 2, 0, 0), (2, 3, 2, 0, 1), (4, 4, 2, 1, 0)]:
    shape = F.conv_transpose2d(torch.zeros(1, 1, H, H), torch.zeros(1, 1, kk, kk),
                               stride=s, padding=p, output_padding=op).shape
    formula = (H - 1) * s - 2 * p + (kk - 1) + op + 1
    assert shape[-1] == formula
    print(f"H={H} k={kk} s={s} p={p} output_padding={op}:  {shape[-1]}")

# %% [markdown]
# **Why "transposed".** A convolution is linear in its input, $y = Ax$ for some big sparse matrix
# $A$. The transposed convolution multiplies by $A^\top$, and $A^\top g$ is exactly what
# backpropagation computes for the gradient of $\sum y \cdot g$ with respect to $x$. So the
# gradient of `conv2d` with respect to its input *is* `conv_transpose2d` with the same kernel,
# stride and padding, and that is how the library computes it. Let's check with autograd:

# %%
xin = x[None, None].clone().requires_grad_()
yout = F.conv2d(xin, k[None, None], stride=2)                     # (1, 1, 2, 2)
g = torch.tensor([[[[1.0, -1.0],
                    [2.0, 0.0]]]])                                # any gradient of yout's shape
(grad_x,) = torch.autograd.grad(yout, xin, grad_outputs=g)
print(grad_x[0, 0])
assert torch.equal(grad_x, F.conv_transpose2d(g, k[None, None], stride=2))
print("d(conv2d)/d(input) applied to g == conv_transpose2d(g)")

# %% [markdown]
# Generators and segmentation networks (U-Net) use `nn.ConvTranspose2d(C_in, C_out, k, stride=2)`
# as a learned upsampling layer. Note its weight shape is `(C_in, C_out, k, k)`, the transpose of
# `nn.Conv2d`'s.
#
# ## 6. Pooling
#
# Pooling shrinks each channel separately, with no parameters: **max pooling** keeps the largest
# value of each window, **average pooling** its mean. The stride defaults to the kernel size, so
# `max_pool2d(x, 2)` halves height and width. The output size uses the same formula as a
# convolution; on our 5×5 input a 2×2 window fits twice, and the last row and column are dropped:

# %%
print(F.max_pool2d(X, 2)[0, 0])
print(F.avg_pool2d(X, 2)[0, 0])

# %% [markdown]
# `ceil_mode=True` rounds the output size **up** instead of down, so a last, partial window is kept
# (as long as it starts inside the input). Max pooling takes the maximum of what is there; average
# pooling divides by the number of pixels actually in the window (the corner window holds only
# `x[4, 4] = 24`):

# %%
print(F.max_pool2d(X, 2, ceil_mode=True)[0, 0])
print(F.avg_pool2d(X, 2, ceil_mode=True)[0, 0])
print(F.avg_pool2d(X, 2, ceil_mode=True)[0, 0, 0, 2], "= (4 + 9) / 2")

# %% [markdown]
# `return_indices=True` also returns where each maximum came from, as an index into the flattened
# H×W input. `F.max_unpool2d` uses them to put the maxima back in place (the rest are zeros), as
# in encoder-decoder networks:

# %%
p = torch.tensor([[[[1.0, 5.0, 2.0, 0.0],
                    [3.0, 4.0, 8.0, 1.0],
                    [0.0, 2.0, 1.0, 1.0],
                    [7.0, 1.0, 3.0, 6.0]]]])
values, indices = F.max_pool2d(p, 2, return_indices=True)
print(values[0, 0])
print(indices[0, 0])             # 1 = row 0 col 1,  6 = row 1 col 2, ...
print(F.max_unpool2d(values, indices, 2)[0, 0])

# %% [markdown]
# The gradient of max pooling flows only to the positions of the maxima, one per window; that of
# average pooling is shared equally by the window:

# %%
pg = p.clone().requires_grad_()
F.max_pool2d(pg, 2).sum().backward()
print(pg.grad[0, 0])
pg.grad = None
F.avg_pool2d(pg, 2).sum().backward()
print(pg.grad[0, 0])

# %% [markdown]
# The modules `nn.MaxPool2d` and `nn.AvgPool2d` take the same arguments. `nn.AdaptiveAvgPool2d(out)`
# chooses the windows itself to produce a given output size, whatever the input size, which is why
# classifiers end with `nn.AdaptiveAvgPool2d(1)` (global average pooling):

# %%
print(nn.MaxPool2d(2, stride=1)(X).shape)
print(nn.AdaptiveAvgPool2d(1)(X), "= mean", x.mean().item())
print(nn.AdaptiveAvgPool2d((2, 3))(torch.zeros(1, 1, 7, 11)).shape)

# %% [markdown]
# ## 7. A picture: an edge detector
#
# A kernel is a small pattern detector. The **Sobel** kernel below computes a horizontal difference
# (right minus left, smoothed vertically): it is large where the image gets brighter to the right,
# negative where it gets darker, and zero on flat regions. Its transpose finds horizontal edges. We
# draw a tiny synthetic image, a bright square and a disc, and filter it with both kernels at once:
# the weight has 2 output channels, so the output has 2 feature maps (特征图).

# %%
rows = torch.arange(32, dtype=torch.float32).reshape(32, 1)
cols_ = torch.arange(32, dtype=torch.float32).reshape(1, 32)
square = ((rows >= 4) & (rows < 14) & (cols_ >= 4) & (cols_ < 14)).float()
disc = (((rows - 20) ** 2 + (cols_ - 20) ** 2) <= 64).float()
image = (square + disc).clamp(max=1.0)[None, None]          # (1, 1, 32, 32)

sobel_x = torch.tensor([[-1.0, 0.0, 1.0],
                        [-2.0, 0.0, 2.0],
                        [-1.0, 0.0, 1.0]])
kernels = torch.stack([sobel_x, sobel_x.T])[:, None]        # (2, 1, 3, 3): two output channels
edges = F.conv2d(image, kernels, padding=1)                 # (1, 2, 32, 32)
magnitude = (edges ** 2).sum(dim=1).sqrt()[0]
print(kernels.shape, "->", edges.shape)
print("flat regions give 0:", edges[0, 0, 8, 8].item() == 0, edges[0, 0, 25, 2].item() == 0)
print("left edge of the square:", edges[0, 0, 8, 3].item(), " right edge:", edges[0, 0, 8, 14].item())

# %%
fig, axes = plt.subplots(1, 4, figsize=(10, 2.8))
panels = [(image[0, 0], "image", "gray"), (edges[0, 0], "Sobel x (vertical edges)", "RdBu"),
          (edges[0, 1], "Sobel y (horizontal edges)", "RdBu"), (magnitude, "edge strength", "magma")]
for ax, (img, title, cmap) in zip(axes, panels):
    lim = img.abs().max().item() if cmap == "RdBu" else None   # centre the colours on 0
    ax.imshow(img.numpy(), cmap=cmap, vmin=-lim if lim else None, vmax=lim)
    ax.set_title(title, fontsize=9)
    ax.axis("off")
plt.tight_layout()
plt.show()
plt.close(fig)

# %% [markdown]
# A trained CNN learns kernels like these in its first layer (edges, colour blobs) and, in later
# layers, kernels that combine feature maps into detectors of corners, textures and object parts.
#
# ## 8. Look inside
#
# *edutorch-only cell*: the convolution op. The forward pass is im2col plus one matrix multiply, as
# in section 1. The backward pass computes the weight gradient with one more matrix multiply
# (`cols.T @ G`), and the input gradient, the transposed convolution of section 5, as a convolution
# itself: the output gradient, spread out by the stride and padded, convolved with the flipped
# kernel — im2col plus one matrix multiply again (`_input_grad`, the same function that computes
# `conv_transpose2d`'s forward).

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    show_source(F.conv2d(X, torch.ones(1, 1, 3, 3, requires_grad=True)).grad_fn)

# %% [markdown]
# ### Check your understanding
#
# 1. What output shape has `F.conv2d` for a `(1, 1, 9, 9)` input and a 3×3 kernel with stride 2 and
#    padding 1? With dilation 2 and no padding?
# 2. How many parameters has `nn.Conv2d(16, 32, 3)`? And `nn.Conv2d(32, 32, 3, groups=32, bias=False)`?
# 3. What does `F.max_pool2d` with kernel 3 (stride 3) give for a 7×7 input, and with `ceil_mode=True`?
# 4. What is `F.unfold(torch.zeros(1, 2, 4, 4), 2).shape`?
#
# Predict, then run:

# %%
assert F.conv2d(torch.zeros(1, 1, 9, 9), torch.zeros(1, 1, 3, 3), stride=2, padding=1).shape == (1, 1, 5, 5)
assert F.conv2d(torch.zeros(1, 1, 9, 9), torch.zeros(1, 1, 3, 3), dilation=2).shape == (1, 1, 5, 5)

assert sum(p.numel() for p in nn.Conv2d(16, 32, 3).parameters()) == 16 * 32 * 9 + 32
assert sum(p.numel() for p in nn.Conv2d(32, 32, 3, groups=32, bias=False).parameters()) == 32 * 9

assert F.max_pool2d(torch.zeros(1, 1, 7, 7), 3).shape == (1, 1, 2, 2)
assert F.max_pool2d(torch.zeros(1, 1, 7, 7), 3, ceil_mode=True).shape == (1, 1, 3, 3)

assert F.unfold(torch.zeros(1, 2, 4, 4), 2).shape == (1, 2 * 2 * 2, 3 * 3)
print("all correct")

# %% [markdown]
# ## Summary
#
# - A 2-D convolution slides a $k_H \times k_W$ kernel over the input and takes a weighted sum over
#   the window and **all** input channels; `F.conv2d(input (N, C_in, H, W), weight (C_out, C_in, kH, kW))`.
# - It equals `F.unfold` (im2col: one column per window) followed by one matrix multiply with the
#   weight reshaped to `(C_out, C_in·kH·kW)`.
# - Output size: $\lfloor (H + 2p - d(k-1) - 1)/s \rfloor + 1$. Stride shrinks, padding keeps the
#   border, dilation widens the kernel's reach without adding weights.
# - `nn.Conv2d` has $C_\text{out} C_\text{in} k^2 / g + C_\text{out}$ parameters, whatever the image
#   size; `groups=C` is depthwise.
# - `F.conv_transpose2d` spreads the kernel over the output; it is the gradient of `conv2d` with
#   respect to its input, and upsamples: $(H-1)s - 2p + d(k-1) + \text{output\_padding} + 1$.
# - Max/average pooling reduce each window to its maximum/mean, stride = kernel size by default;
#   `ceil_mode=True` keeps the last partial window; `return_indices=True` gives the argmax positions.

# %% [markdown]
# ## Exercises
#
# Write the code in each `# Exercise` cell, run it, then run the check below it: the check says
# ✓ when your code is right, or ✗ with a hint that names what is wrong. The checks work on
# edutorch and on real PyTorch alike. Stuck? The solutions are in
# [solutions/07_conv_and_pooling.py](solutions/07_conv_and_pooling.py) (one click; try first!).

# %%
from checks.lesson07 import Checks   # the checks of these exercises: lessons/checks/lesson07.py
check = Checks(torch)

# %% [markdown]
# **Exercise 1 — your own `conv2d`.** Write `conv2d(x, weight, bias=None, stride=1, padding=0)` for an
# input `(N, C_in, H, W)` and a weight `(C_out, C_in, kH, kW)`, without calling `F.conv2d`: either
# with `F.unfold` and one matrix multiply (section 1), or with a loop over the kernel offsets
# $(u, v)$ that adds up strided slices of the padded input (`F.pad`), each combined with
# `weight[:, :, u, v]` by a sum over the input channels (`torch.einsum`). Add `bias` (one number per
# output channel) when it is given. The check compares your output and its
# gradients with `F.conv2d` on random integers, with non-square images and kernels, several strides
# and paddings.

# %%
# Exercise 1: conv2d (a cross-correlation, like F.conv2d) with stride, padding and an optional bias
def conv2d(x, weight, bias=None, stride=1, padding=0):
    raise NotImplementedError("F.unfold + one matrix multiply, or a loop over the kernel offsets")

# %%
check.ex1(conv2d)

# %% [markdown]
# **Exercise 2 — the output size.** Write `out_size(size, kernel, stride=1, padding=0, dilation=1,
# ceil_mode=False)`, the output size along one axis (section 2). `ceil_mode=True` is for pooling
# (section 6): round up instead of down, but drop the last window if it would start in the padding on
# the right, beyond the input (PyTorch's rule: such a window is dropped when
# `(out - 1) * stride >= size + padding`). The check compares your sizes with those of `nn.Conv2d`
# and `nn.MaxPool2d` layers for many settings.

# %%
# Exercise 2: the output size of a convolution or pooling along one axis
def out_size(size, kernel, stride=1, padding=0, dilation=1, ceil_mode=False):
    raise NotImplementedError("the formula of section 2, then the ceil_mode rule")

# %%
check.ex2(out_size)

# %% [markdown]
# **Exercise 3 — counting the parameters of a conv layer.** Write `conv_params(c_in, c_out, k,
# groups=1, bias=True)`: the number of parameters of `nn.Conv2d(c_in, c_out, k, groups=groups,
# bias=bias)` (section 4), from the arguments alone. The check builds the layers and counts.

# %%
# Exercise 3: the number of parameters of nn.Conv2d(c_in, c_out, k, groups=groups, bias=bias)
def conv_params(c_in, c_out, k, groups=1, bias=True):
    raise NotImplementedError("weights (with groups) plus biases")

# %%
check.ex3(conv_params)

# %% [markdown]
# **Exercise 4 — max pooling by reshaping.** Write `max_pool(x, k)` for an `(N, C, H, W)` input,
# with a $k \times k$ window and stride $k$ (the default of `F.max_pool2d(x, k)`), without a pooling
# function: crop the rows and columns that do not fill a whole window, `reshape` so that each window
# gets two axes of its own, and take the maximum over them (`amax`). The check compares with
# `F.max_pool2d` for several shapes and window sizes.

# %%
# Exercise 4: max pooling with a k x k window and stride k, by reshape + amax
def max_pool(x, k):
    raise NotImplementedError("crop, reshape so that each window has two axes of its own, max over them")

# %%
check.ex4(max_pool)

# %% [markdown]
# ## 中文小结
#
# - 二维卷积层让一个 $k_H \times k_W$ 的**卷积核**在输入上滑动，在每个位置把窗口内所有输入**通道**的值
#   加权求和：`F.conv2d(input (N, C_in, H, W), weight (C_out, C_in, kH, kW))`。
# - 严格地说，深度学习中的“卷积”是**互相关**运算：卷积核不翻转。数学上的卷积要先把卷积核上下、左右
#   翻转，所以它等于用翻转后的卷积核做 `F.conv2d`。卷积核是学出来的，所以两者没有本质区别。
# - 卷积等于 `F.unfold`（im2col：每个窗口展开成一列）加一次矩阵乘法（练习 1）。
# - 输出大小：$\lfloor (H + 2p - d(k-1) - 1)/s \rfloor + 1$。**步幅**让输出变小，**填充**保留边缘，
#   **空洞（膨胀）**在不增加参数的情况下扩大卷积核覆盖的范围（练习 2）。
# - `nn.Conv2d` 的参数个数是 $C_\text{out} C_\text{in} k^2 / g + C_\text{out}$，与图像大小无关；
#   `groups=C` 时是逐通道卷积（练习 3）。
# - **转置卷积** `F.conv_transpose2d` 把卷积核“撒”到输出上，可以用来上采样；它正是卷积对输入的梯度。
# - 最大**汇聚（池化）**和平均汇聚取每个窗口的最大值或平均值，步幅默认等于窗口大小，没有参数；
#   `ceil_mode=True` 保留最后一个不完整的窗口（练习 4 用 `reshape` 实现最大汇聚）。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | convolution / convolutional layer | 卷积 / 卷积层 | `F.conv2d`, `torch.nn.Conv2d` |
# | cross-correlation | 互相关 | `F.conv2d` |
# | kernel | 卷积核 | `Conv2d.weight` |
# | channel | 通道 | `in_channels`, `out_channels` |
# | feature map | 特征图 | — |
# | padding | 填充 | `padding=` |
# | stride | 步幅 | `stride=` |
# | dilation | 空洞（膨胀） | `dilation=` |
# | im2col | 展开（im2col） | `F.unfold`, `F.fold` |
# | grouped / depthwise convolution | 分组卷积 / 逐通道卷积 | `groups=` |
# | transposed convolution | 转置卷积 | `F.conv_transpose2d`, `torch.nn.ConvTranspose2d` |
# | pooling | 汇聚（池化） | `F.max_pool2d`, `F.avg_pool2d` |
# | max pooling / average pooling | 最大汇聚 / 平均汇聚 | `torch.nn.MaxPool2d`, `torch.nn.AvgPool2d` |
# | global average pooling | 全局平均汇聚 | `torch.nn.AdaptiveAvgPool2d(1)` |
# | edge detection | 边缘检测 | — |
