# %% [markdown]
# # 22 · Build it yourself (2/2): the pieces of a network
#
# *Runs in about 5 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
#
# The second build-it lesson. In lesson 21 you wrote autograd; now you write the pieces a training run
# is made of — a loss, a convolution, batch normalisation, two optimizers and a data loader — and at
# the end you train a network on real handwritten digits **made only of your pieces**. As before:
# fill in each `# Exercise N` cell, run the check under it (✓, or ✗ with a hint), and compare with
# [solutions/22_build_a_network.py](solutions/22_build_a_network.py) when you are done or stuck.
#
# **Goals.** After this lesson you have written
#
# 1. cross-entropy (交叉熵) as `log_softmax` + negative log-likelihood, stable for huge logits, with its
#    backward $(\mathrm{softmax} - \mathrm{onehot}) / N$;
# 2. `conv2d` (卷积) as `unfold` + one matrix product, with its weight and input gradients;
# 3. batch normalisation (批量规范化): train and eval modes, running statistics, and its backward;
# 4. SGD with momentum (动量法) and Adam as `torch.optim.Optimizer` subclasses whose trajectories equal
#    `torch.optim`'s;
# 5. a `DataLoader` in about 20 lines (sampler, batching, collate);
# 6. a small CNN from those pieces, trained to over 90 % accuracy on real digits.

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

# %%
from checks.lesson22 import Checks   # the checks of this lesson: lessons/checks/lesson22.py
check = Checks(torch)

# %% [markdown]
# ## 1. Cross-entropy, stable, with its backward
#
# For logits $z \in \mathbb{R}^{N \times C}$ and class indices $y$, cross-entropy is the mean of
# $-\log \mathrm{softmax}(z_n)_{y_n}$. Computed naively, $e^{1000}$ overflows to `inf` and the loss
# becomes `nan`. The fix is exact, not an approximation: subtracting any constant from a row leaves
# softmax unchanged, so subtract the row's maximum first (every exponent is then $\le 0$):
#
# $$\log \mathrm{softmax}(z)_c = (z_c - m) - \log \sum_j e^{z_j - m}, \qquad m = \max_j z_j .$$
#
# The gradient of the mean loss with respect to the logits is beautifully simple:
# $\frac{\partial L}{\partial z} = \frac{1}{N}\left(\mathrm{softmax}(z) - \mathrm{onehot}(y)\right)$.
#
# **Exercise 1.** Write `CrossEntropy` as a `torch.autograd.Function` with that forward and backward
# (`backward` returns `None` for the target, which needs no gradient). The check compares with
# `F.cross_entropy` on ordinary and on huge logits and runs `gradcheck`.

# %%
# Exercise 1: stable cross-entropy (mean over the batch) and its backward
class CrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits, target):
        raise NotImplementedError("log_softmax with the max subtracted, pick the target's entry, mean; save softmax")

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("(softmax - onehot) / N * grad_output, and None for the target")


def cross_entropy(logits, target):
    return CrossEntropy.apply(logits, target)

# %%
check.ex1(cross_entropy)

# %% [markdown]
# ### Look inside: edutorch's `LogSoftmax`
#
# *edutorch-only cell.* The same max shift, with its backward beside it.

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    from edutorch.ops.activation import LogSoftmax
    show_source(LogSoftmax)

# %% [markdown]
# ## 2. Convolution as `unfold` + one matrix product
#
# `F.unfold(x, k, padding=p)` cuts every $k \times k$ window of every channel out of `x`
# (shape $N \times C \times H \times W$) and lays each window out as a column: the result has shape
# $N \times (C k k) \times L$, one column per output position ($L = H' W'$). A convolution is then one
# matrix product of the weights, reshaped to $O \times (C k k)$, with those columns — this trick is
# called *im2col*:
#
# $$Y_n = W_{\text{mat}} \cdot \mathrm{cols}_n \;(+\; b), \qquad Y_n \in \mathbb{R}^{O \times L}.$$
#
# Backward follows from lesson 21's matmul rule, with $G_n$ the upstream gradient as $O \times L$:
# $\partial L / \partial W_{\text{mat}} = \sum_n G_n \mathrm{cols}_n^\top$;
# $\partial L / \partial \mathrm{cols}_n = W_{\text{mat}}^\top G_n$, and `F.fold` (the adjoint of
# `unfold`) **adds** each column back into the pixels it came from — a pixel that sits in several
# windows gets the sum of their gradients; $\partial L / \partial b = \sum_{n, l} G_{n,:,l}$.
#
# **Exercise 2.** Write `Conv2dFunction` (stride 1, square kernel, zero padding `padding`). The module
# `MyConv2d` below it is given: it holds the weight and bias and initialises them as `nn.Conv2d` does.

# %%
# Exercise 2: conv2d as unfold + matmul, with its weight, bias and input gradients
class Conv2dFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias, padding):
        raise NotImplementedError("cols = F.unfold(...); out = weight matrix @ cols + bias; reshape to N, O, H', W'")

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("return grad_x (via F.fold), grad_weight, grad_bias, None")


class MyConv2d(nn.Module):
    """A Conv2d (stride 1) on your Conv2dFunction, initialised as nn.Conv2d is."""

    def __init__(self, in_channels, out_channels, kernel_size, padding=0):
        super().__init__()
        self.padding = padding
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.empty(out_channels))
        bound = 1 / math.sqrt(in_channels * kernel_size * kernel_size)
        nn.init.uniform_(self.weight, -bound, bound)
        nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        return Conv2dFunction.apply(x, self.weight, self.bias, self.padding)

# %%
check.ex2(Conv2dFunction)

# %% [markdown]
# ### Look inside: edutorch's convolution
#
# *edutorch-only cell.* edutorch's `Convolution` is the same idea, made faster: the windows are a
# strided *view* in channels-last order (no copy until the matrix product needs one), and the input
# gradient is computed as a transposed convolution instead of a `fold` scatter-add.

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    from edutorch.ops.conv import Convolution
    show_source(Convolution)

# %% [markdown]
# ## 3. Batch normalisation: two modes and a backward
#
# In **training** mode `BatchNorm2d` normalises each channel with the mean $\mu$ and the *biased*
# variance $\sigma^2$ of the batch (over $N$, $H$, $W$: $M$ numbers per channel), then scales and
# shifts: $y = \gamma \hat x + \beta$, $\hat x = (x - \mu) / \sqrt{\sigma^2 + \epsilon}$. It also
# keeps running estimates for later: `running_mean` $\leftarrow (1 - m)\,$`running_mean`$ + m \mu$ and
# `running_var` $\leftarrow (1 - m)\,$`running_var`$ + m \frac{M}{M - 1}\sigma^2$ (the *unbiased*
# variance), with momentum $m = 0.1$. In **eval** mode it uses the running estimates instead, so a
# prediction does not depend on the rest of the batch.
#
# The backward of training mode has to account for $\mu$ and $\sigma$ depending on every input. With
# $g = \partial L / \partial \hat x = \gamma \cdot \partial L / \partial y$ and sums over the $M$
# positions of a channel:
#
# $$\frac{\partial L}{\partial x} = \frac{1}{M \sqrt{\sigma^2 + \epsilon}}
#   \left(M g - \textstyle\sum g - \hat x \sum g \hat x\right), \qquad
#   \frac{\partial L}{\partial \gamma} = \textstyle\sum \frac{\partial L}{\partial y} \hat x, \qquad
#   \frac{\partial L}{\partial \beta} = \textstyle\sum \frac{\partial L}{\partial y}.$$
#
# **Exercise 3.** Write `BatchNormFunction` (training-mode forward and backward; `gamma`, `beta` of
# shape $(C,)$) and the module `MyBatchNorm2d` with PyTorch's parameter and buffer names (`weight`,
# `bias`, `running_mean`, `running_var`), using the function in training mode and the running
# statistics in eval mode.

# %%
# Exercise 3: batch normalisation (train and eval), with its backward
class BatchNormFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, gamma, beta, eps):
        raise NotImplementedError("mean and biased var over (0, 2, 3); x_hat; gamma * x_hat + beta; save what backward needs")

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("the formula above; return grad_x, grad_gamma, grad_beta, None")


class MyBatchNorm2d(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        raise NotImplementedError("weight (ones) and bias (zeros) Parameters; running_mean/running_var buffers")

    def forward(self, x):
        raise NotImplementedError("training: BatchNormFunction + update the running statistics; eval: use them")

# %%
check.ex3(BatchNormFunction, MyBatchNorm2d)

# %% [markdown]
# ### Look inside: edutorch's `NativeBatchNorm`

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    from edutorch.ops.normalization import NativeBatchNorm
    show_source(NativeBatchNorm)

# %% [markdown]
# ## 4. Optimizers as `torch.optim.Optimizer` subclasses
#
# An optimizer holds `param_groups` (lists of parameters with their settings, e.g. `lr`) and a
# per-parameter `state` dictionary; `step()` reads each `p.grad` and updates `p` in place under
# `torch.no_grad()`. The base class gives you `zero_grad`, `state_dict` and parameter groups.
#
# - **SGD with momentum** (PyTorch's form): $b \leftarrow \mu b + g$ (the first step sets $b = g$),
#   then $p \leftarrow p - \eta b$.
# - **Adam**: $m \leftarrow \beta_1 m + (1 - \beta_1) g$, $v \leftarrow \beta_2 v + (1 - \beta_2) g^2$,
#   bias corrections $\hat m = m / (1 - \beta_1^t)$, $\hat v = v / (1 - \beta_2^t)$ at step $t$, then
#   $p \leftarrow p - \eta \hat m / (\sqrt{\hat v} + \epsilon)$.
#
# **Exercise 4.** Write `MySGD(params, lr, momentum=0.0)` and `MyAdam(params, lr=1e-3,
# betas=(0.9, 0.999), eps=1e-8)`. The check runs each for 25 steps beside `torch.optim.SGD` /
# `torch.optim.Adam` from the same start and compares the trajectories.

# %%
# Exercise 4: SGD with momentum and Adam
class MySGD(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        raise NotImplementedError("for each group, each p with a grad: momentum buffer in self.state[p], then update p")


class MyAdam(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps))

    @torch.no_grad()
    def step(self):
        raise NotImplementedError("state: step, exp_avg, exp_avg_sq; bias-corrected update")

# %%
check.ex4(MySGD, MyAdam)

# %% [markdown]
# ### Look inside: edutorch's `Adam.step`

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    show_source(torch.optim.Adam.step)

# %% [markdown]
# ## 5. A data loader in twenty lines
#
# A `DataLoader` is three small ideas: a **sampler** gives the order of the indices (`0..n-1`, or a
# random permutation: `torch.randperm(n, generator=...)`), **batching** cuts that order into chunks of
# `batch_size` (the last one shorter, or dropped with `drop_last=True`), and **collate** turns a list
# of samples into a batch: a list of `(x, y)` pairs becomes the pair `(stack of x, stack of y)`.
#
# **Exercise 5.** Write `MyDataLoader(dataset, batch_size=1, shuffle=False, drop_last=False,
# generator=None)` with `__iter__` and `__len__` (the number of batches). Samples are tuples of
# tensors; collate with `torch.stack`. The check compares every batch with `DataLoader`'s: in order,
# with `drop_last`, and shuffled in the order `RandomSampler` draws from the same seeded generator.
# (The real `DataLoader` first draws a seed for its worker processes from that generator, so its own
# shuffled order differs from a bare `randperm`: a detail that lets workers be reproducible.)

# %%
# Exercise 5: a DataLoader: sampler, batches, collate
class MyDataLoader:
    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, generator=None):
        self.dataset, self.batch_size, self.shuffle = dataset, batch_size, shuffle
        self.drop_last, self.generator = drop_last, generator

    def __len__(self):
        raise NotImplementedError("the number of batches")

    def __iter__(self):
        raise NotImplementedError("order (randperm if shuffle), chunks of batch_size, stack each field")

# %%
check.ex5(MyDataLoader)

# %% [markdown]
# ### Look inside: edutorch's sampler, batches and collate
#
# *edutorch-only cell.* The real loader splits the same three ideas into three objects, so each can be
# swapped: a `Sampler` (here `BatchSampler.__iter__`, which cuts any sampler's order into batches) and
# `default_collate`, which also handles dicts, numbers and nested tuples.

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    from edutorch.utils.data import BatchSampler, default_collate
    show_source(BatchSampler.__iter__)
    show_source(default_collate)

# %% [markdown]
# ## 6. Your pieces train a network
#
# The finale: a small CNN for the 8 × 8 handwritten digits of `data/digits` (the ones lessons 03 and
# 11 use), built from your `MyConv2d` and `MyBatchNorm2d`, trained with your `cross_entropy`, your
# `MyAdam` and batches from your `MyDataLoader`. Only ReLU, max pooling and the final `nn.Linear`
# are edutorch's.
#
# **Exercise 6.** Complete `DigitNet.forward` (conv → batch norm → ReLU → 2 × 2 max pool → flatten →
# linear) and `train_digits(model, dataset, epochs)`: batches of 64, shuffled, `MyAdam` with
# `lr=0.01`, your `cross_entropy`, the model in training mode. The check trains for 5 epochs and
# measures the accuracy on the 360 test digits in eval mode: it must reach 90 %.

# %%
# Exercise 6: a network from your pieces
class DigitNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = MyConv2d(1, 16, 3, padding=1)
        self.bn = MyBatchNorm2d(16)
        self.fc = nn.Linear(16 * 4 * 4, 10)

    def forward(self, x):
        raise NotImplementedError("conv -> bn -> relu -> 2x2 max pool -> flatten -> fc")


def train_digits(model, dataset, epochs):
    raise NotImplementedError("MyDataLoader (64, shuffle), MyAdam(lr=0.01), your cross_entropy, model.train()")

# %%
check.ex6(DigitNet, train_digits)

# %% [markdown]
# ## Summary
#
# - Cross-entropy is `log_softmax` + picking the target's entry; the max shift makes it exact for any
#   logits, and its gradient is $(\mathrm{softmax} - \mathrm{onehot})/N$.
# - A convolution is im2col (`unfold`) + one matrix product; its weight gradient is another product,
#   and its input gradient goes back through `fold`, which adds overlapping windows.
# - Batch normalisation normalises with batch statistics in training and running statistics in eval;
#   its backward subtracts the mean gradient and the part explained by $\hat x$.
# - An optimizer is `param_groups` + `state` + a `step()` that reads `.grad`; momentum and Adam are a
#   few lines each once the state is in place.
# - A data loader is sampler + batching + collate.
# - Put together, these pieces — yours — train a real network.

# %% [markdown]
# ## 中文小结
#
# - **交叉熵**＝`log_softmax`＋取目标类别的那一项；先减去每行的最大值，计算对任何大小的 logits 都精确、
#   不会溢出；它对 logits 的梯度是 $(\mathrm{softmax} - \mathrm{onehot})/N$。
# - **卷积**可以写成 im2col（`unfold`）加一次矩阵乘法；权重的梯度是另一次矩阵乘法，输入的梯度通过
#   `fold` 传回，重叠窗口的梯度相加。
# - **批量规范化**在训练时用小批量的均值和（有偏）方差，同时更新滑动平均（无偏方差）；评估时用滑动平均。
#   它的反向传播要减去梯度的均值以及能被 $\hat x$ 解释的部分。
# - **优化器**＝参数组（`param_groups`）＋每个参数的状态（`state`）＋读取 `.grad` 的 `step()`；
#   动量法和 Adam 各只需几行。
# - **数据加载器**＝采样器＋分批＋整理（collate）。
# - 把这些你自己写的部件组合起来，就能训练一个真正的卷积神经网络。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | cross-entropy | 交叉熵 | `torch.nn.functional.cross_entropy` |
# | log-softmax | 对数 softmax | `torch.nn.functional.log_softmax` |
# | numerical stability | 数值稳定性 | — |
# | convolution | 卷积 | `torch.nn.functional.conv2d`, `torch.nn.Conv2d` |
# | im2col (unfold / fold) | 图像块展开 / 折叠 | `torch.nn.functional.unfold`, `fold` |
# | batch normalization | 批量规范化 | `torch.nn.BatchNorm2d` |
# | running statistics | 滑动平均统计量 | `running_mean`, `running_var` |
# | training / evaluation mode | 训练模式 / 评估模式 | `Module.train()`, `Module.eval()` |
# | optimizer | 优化器 | `torch.optim.Optimizer` |
# | momentum | 动量法 | `torch.optim.SGD(momentum=...)` |
# | Adam | Adam 算法 | `torch.optim.Adam` |
# | bias correction | 偏差修正 | — |
# | sampler / minibatch | 采样器 / 小批量 | `torch.utils.data.Sampler` |
# | collate | 整理（合并成批） | `collate_fn` |
# | data loader | 数据加载器 | `torch.utils.data.DataLoader` |
