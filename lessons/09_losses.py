# %% [markdown]
# # 09 · Loss functions
#
# *Runs in about 5 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
#
# A **loss function** (损失函数) turns the model's output and the target into one number that says
# how wrong the model is. Training makes that number small, so the loss decides what "good" means:
# choosing it is choosing the task.
#
# **Goals.** After this lesson you can
#
# - write the formula of each loss in `torch.nn` and compute it by hand with tensor ops;
# - use `reduction='none' | 'mean' | 'sum'`;
# - explain why `cross_entropy` takes raw scores (logits, 未归一化的分数) and equals
#   `log_softmax` + `nll_loss`; use class weights, `ignore_index`, label smoothing and
#   probability targets;
# - explain why `BCEWithLogitsLoss` is preferred over `sigmoid` + `BCELoss`;
# - pick a loss for regression (回归), classification (分类), distributions and ranking;
# - read cross-entropy, BCE and MSE as negative log-likelihoods of `torch.distributions` objects.
#
# Every loss exists twice: as a function `F.mse_loss(input, target)` and as a module
# `nn.MSELoss()`, which stores the options and calls the function in its `forward`. Each example
# below computes the loss **by hand**, then checks that both built-in versions agree.

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
def check(name, by_hand, *builtins):
    "Assert that the built-in losses equal the hand-computed one, and print them."
    for b in builtins:
        assert torch.allclose(b, by_hand, atol=1e-5), (name, by_hand, b)
    print(f"{name:28s} {by_hand.item():.4f}")


# %% [markdown]
# ## 1. Regression losses
#
# Four predictions $x$ and their targets $y$; the errors $d = x - y$ are $-0.5, 0.5, 0, 1$.
#
# | loss | per element $\ell(d)$ |
# |---|---|
# | `L1Loss` | $\lvert d\rvert$ |
# | `MSELoss` | $d^2$ |
# | `SmoothL1Loss(beta)` | $\frac{0.5\,d^2}{\beta}$ if $\lvert d\rvert < \beta$, else $\lvert d\rvert - 0.5\,\beta$ |
# | `HuberLoss(delta)` | $0.5\,d^2$ if $\lvert d\rvert \le \delta$, else $\delta\,(\lvert d\rvert - 0.5\,\delta)$ |
#
# With the default `reduction='mean'` the loss is the mean of $\ell$ over all elements.

# %%
pred = torch.tensor([2.5, 0.0, 2.0, 8.0])
target = torch.tensor([3.0, -0.5, 2.0, 7.0])
d = pred - target

check("L1", d.abs().mean(), F.l1_loss(pred, target), nn.L1Loss()(pred, target))
check("MSE", (d ** 2).mean(), F.mse_loss(pred, target), nn.MSELoss()(pred, target))
small = d.abs() < 1.0
check("SmoothL1 (beta=1)", torch.where(small, 0.5 * d ** 2, d.abs() - 0.5).mean(),
      F.smooth_l1_loss(pred, target), nn.SmoothL1Loss()(pred, target))
check("Huber (delta=1)", torch.where(d.abs() <= 1.0, 0.5 * d ** 2, d.abs() - 0.5).mean(),
      F.huber_loss(pred, target), nn.HuberLoss()(pred, target))

# %% [markdown]
# ### `reduction`
#
# `reduction='none'` returns the loss of every element, `'sum'` their sum and `'mean'` (the
# default) their mean. `'none'` is useful to weight or mask elements yourself.

# %%
for reduction in ("none", "sum", "mean"):
    print(f"{reduction:5s}", F.mse_loss(pred, target, reduction=reduction))
assert torch.equal(F.mse_loss(pred, target, reduction="sum"), F.mse_loss(pred, target, reduction="none").sum())

# %% [markdown]
# ### Picture: how each loss punishes an error
#
# MSE grows quadratically, so one large error (an outlier, 离群值) dominates the mean. L1 grows
# linearly but has a kink at 0. SmoothL1 and Huber are quadratic near 0 and linear far away: the
# best of both. They differ only by a factor: SmoothL1 with `beta` equals Huber with
# `delta = beta`, divided by `beta`.

# %%
err = torch.linspace(-3, 3, 301)
zero = torch.zeros_like(err)
curves = {
    "L1": F.l1_loss(err, zero, reduction="none"),
    "MSE": F.mse_loss(err, zero, reduction="none"),
    "SmoothL1 (beta=2)": F.smooth_l1_loss(err, zero, reduction="none", beta=2.0),
    "Huber (delta=2)": F.huber_loss(err, zero, reduction="none", delta=2.0),
}
assert torch.allclose(curves["SmoothL1 (beta=2)"], curves["Huber (delta=2)"] / 2)

fig, ax = plt.subplots(figsize=(5, 3))
for name, c in curves.items():
    ax.plot(err.numpy(), c.numpy(), label=name)
ax.set_xlabel("error  x - y")
ax.set_ylabel("loss")
ax.set_ylim(0, 4)
ax.legend(fontsize=8)
plt.show()
plt.close(fig)

# %% [markdown]
# ## 2. Classification with several classes: `NLLLoss` and `CrossEntropyLoss`
#
# A classifier outputs one raw score (a **logit**) per class. `softmax` turns the scores $z$ into
# probabilities $p_c = e^{z_c} / \sum_k e^{z_k}$, and the loss is the **negative log-likelihood**
# (负对数似然) of the correct class $y$:
#
# $$\ell = -\log p_y = -z_y + \log \sum_k e^{z_k}.$$
#
# `NLLLoss` takes log-probabilities and picks $-\log p_y$; `CrossEntropyLoss` (交叉熵) takes the
# raw logits and does both steps. Three samples, three classes; the model is wrong on the second:

# %%
logits = torch.tensor([[2.0, 1.0, 0.1],
                       [0.5, 2.5, 0.3],
                       [1.2, 0.2, 3.1]])
labels = torch.tensor([0, 2, 2])              # class indices, int64

log_probs = logits - logits.logsumexp(dim=1, keepdim=True)   # log_softmax by hand
assert torch.allclose(log_probs, F.log_softmax(logits, dim=1))
picked = log_probs[torch.arange(3), labels]                  # log p_y for each sample
print("log p_y:", picked)

check("NLL", -picked.mean(), F.nll_loss(log_probs, labels), nn.NLLLoss()(log_probs, labels))
check("CrossEntropy", -picked.mean(), F.cross_entropy(logits, labels),
      nn.CrossEntropyLoss()(logits, labels))

# %% [markdown]
# **Cross-entropy = `log_softmax` + `nll_loss`**, in code. Computing `log_softmax` in one step (with
# the log-sum-exp trick, $\log\sum_k e^{z_k} = m + \log\sum_k e^{z_k - m}$ with $m = \max_k z_k$)
# stays finite for any logits, while `softmax` followed by `log` underflows: $e^{-200}$ is 0 in
# float32, and $\log 0 = -\infty$, where `log_softmax` gives the right $-200$ and $-400$.

# %%
assert torch.equal(F.cross_entropy(logits, labels), F.nll_loss(F.log_softmax(logits, dim=1), labels))

extreme = torch.tensor([[200.0, 0.0, -200.0]])
wrong = torch.tensor([2])
print("softmax:      ", F.softmax(extreme, dim=1))      # log of these zeros would be -inf
print("log_softmax:  ", F.log_softmax(extreme, dim=1))
print("cross_entropy:", F.cross_entropy(extreme, wrong))

# %% [markdown]
# The gradient of cross-entropy with respect to the logits is simply $p - \text{onehot}(y)$ (divided
# by $N$ for the mean): push the correct score up and the others down, in proportion to the
# probabilities.

# %%
z = logits.clone().requires_grad_()
F.cross_entropy(z, labels).backward()
expected = (F.softmax(logits, dim=1) - F.one_hot(labels, 3)) / 3
assert torch.allclose(z.grad, expected, atol=1e-6)
print(z.grad)

# %% [markdown]
# ### Class weights and `ignore_index`
#
# `weight` gives each class $c$ a weight $w_c$ (for unbalanced data: rare classes get larger
# weights). With `reduction='mean'` the result is a **weighted** mean:
# $\sum_n w_{y_n}\ell_n / \sum_n w_{y_n}$.
#
# Targets equal to `ignore_index` (default $-100$) contribute nothing, not even to the count of
# the mean: padding tokens in a sentence, unlabelled pixels in an image.

# %%
w = torch.tensor([1.0, 1.0, 4.0])
losses = -picked
check("CE weight", (w[labels] * losses).sum() / w[labels].sum(),
      F.cross_entropy(logits, labels, weight=w), nn.CrossEntropyLoss(weight=w)(logits, labels))

masked = torch.tensor([0, -100, 2])            # ignore the second sample
check("CE ignore_index", (losses[0] + losses[2]) / 2,
      F.cross_entropy(logits, masked), nn.CrossEntropyLoss(ignore_index=-100)(logits, masked))

# %% [markdown]
# An edge case that happens in real batches (a batch of padding only): when **every** target is
# ignored, the mean is $0/0$, so the loss is `nan`. But no logit took part in it, so every gradient is
# exactly 0, and an optimizer step leaves the weights alone instead of turning them into `nan`.

# %%
scores = logits.detach().clone().requires_grad_()
loss = F.cross_entropy(scores, torch.tensor([-100, -100, -100]))
loss.backward()
print(loss.item(), scores.grad.abs().sum().item())

# %% [markdown]
# ### Label smoothing and probability targets
#
# With `label_smoothing=ε` the target is no longer "all on class $y$" but the distribution
# $q = (1-ε)\,\text{onehot}(y) + ε/C$, and the loss is the cross-entropy
# $-\sum_c q_c \log p_c$. It stops the model from pushing its logits to infinity to reach
# probability 1. You can also pass such target distributions yourself: a **float** target of the
# same shape as the logits is read as probabilities.

# %%
eps, C = 0.1, 3
q = (1 - eps) * F.one_hot(labels, C) + eps / C
by_hand = -(q * log_probs).sum(dim=1).mean()
check("CE label_smoothing=0.1", by_hand, F.cross_entropy(logits, labels, label_smoothing=eps),
      nn.CrossEntropyLoss(label_smoothing=eps)(logits, labels))
check("CE probability target", by_hand, F.cross_entropy(logits, q))

# %% [markdown]
# ### More dimensions
#
# For a prediction per position (a class per pixel, per word) the input is $(N, C, d_1, \dots)$ and
# the target $(N, d_1, \dots)$: the class dimension is always dim 1. It is the same as moving the
# class dimension last and flattening:

# %%
seg_logits = torch.arange(24.0).reshape(2, 3, 4).sin()      # N=2, C=3, 4 positions
seg_labels = torch.tensor([[0, 1, 2, 1], [2, 2, 0, 1]])
flat = F.cross_entropy(seg_logits.permute(0, 2, 1).reshape(-1, 3), seg_labels.reshape(-1))
check("CE (N, C, d)", flat, F.cross_entropy(seg_logits, seg_labels))

# %% [markdown]
# ## 3. Binary classification: `BCELoss` and `BCEWithLogitsLoss`
#
# For a yes/no target $y \in \{0, 1\}$ and a predicted probability $p$, the **binary
# cross-entropy** is
#
# $$\ell = -\big[\,y \log p + (1 - y)\log(1 - p)\,\big].$$
#
# `BCELoss` takes probabilities $p$ (after a sigmoid). `BCEWithLogitsLoss` takes the logit $z$ and
# computes $p = \sigma(z)$ inside, in the stable form
# $\ell = \max(z, 0) - z\,y + \log(1 + e^{-\lvert z\rvert})$.
# `pos_weight` multiplies the positive term $y \log p$ (to balance rare positives).

# %%
z = torch.tensor([1.5, -0.5, 3.0, -2.0])
y = torch.tensor([1.0, 0.0, 0.0, 1.0])
p = torch.sigmoid(z)
bce = -(y * torch.log(p) + (1 - y) * torch.log(1 - p))

check("BCE", bce.mean(), F.binary_cross_entropy(p, y), nn.BCELoss()(p, y))
stable = z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))
check("BCEWithLogits", stable.mean(), F.binary_cross_entropy_with_logits(z, y),
      nn.BCEWithLogitsLoss()(z, y))
pw = torch.tensor(3.0)
check("BCEWithLogits pos_weight=3", (-(pw * y * torch.log(p) + (1 - y) * torch.log(1 - p))).mean(),
      F.binary_cross_entropy_with_logits(z, y, pos_weight=pw), nn.BCEWithLogitsLoss(pos_weight=pw)(z, y))

# %% [markdown]
# ### Why take logits: stability at extreme values
#
# At a logit of $30$, $\sigma(30) = 1 - 10^{-13}$ rounds to exactly `1.0` in float32, so
# $\log(1 - p) = -\infty$. `BCELoss` clamps the log at $-100$ (as PyTorch does) so the loss stays
# finite, but it is wrong (100 instead of 30), and its gradient is **zero**: a model that is very
# confidently wrong gets no signal to change. `BCEWithLogitsLoss` never forms $p$ and gets both
# right.

# %%
z = torch.tensor([-1e4, 0.0, 30.0, 1e4], requires_grad=True)
y = torch.tensor([1.0, 1.0, 0.0, 0.0])     # very wrong, unsure, wrong, very wrong

naive = F.binary_cross_entropy(torch.sigmoid(z), y, reduction="none")
naive_grad, = torch.autograd.grad(naive.sum(), z)
logit = F.binary_cross_entropy_with_logits(z, y, reduction="none")
logit_grad, = torch.autograd.grad(logit.sum(), z)

print("sigmoid + BCE   loss", naive.detach(), " grad", naive_grad)
print("BCEWithLogits   loss", logit.detach(), " grad", logit_grad)

# %% [markdown]
# The loss against the logit when the target is 0: the true loss grows linearly, like $z$. Once
# $\sigma(z)$ rounds to 1 (near $z \approx 17$ in float32), sigmoid + `BCELoss` jumps to the clamp
# at 100 and becomes flat.

# %%
zs = torch.linspace(-5, 40, 451)
zeros = torch.zeros_like(zs)
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(zs.numpy(), F.binary_cross_entropy_with_logits(zs, zeros, reduction="none").numpy(),
        label="BCEWithLogitsLoss(z, 0)")
ax.plot(zs.numpy(), F.binary_cross_entropy(torch.sigmoid(zs), zeros, reduction="none").numpy(),
        "--", label="BCELoss(sigmoid(z), 0)")
ax.set_xlabel("logit z")
ax.set_ylabel("loss")
ax.legend(fontsize=8)
plt.show()
plt.close(fig)

# %% [markdown]
# ## 4. Losses between distributions and for counts
#
# **`KLDivLoss`**: the Kullback-Leibler divergence (KL 散度) from a target distribution $q$ to the
# model's $p$. The **input is $\log p$** (like `NLLLoss`), the target is $q$ (or $\log q$ with
# `log_target=True`):
#
# $$\ell = \sum_c q_c\,(\log q_c - \log p_c).$$
#
# Use `reduction='batchmean'` (sum, divided by the batch size $N$): that is the mathematical KL
# divergence. `'mean'` divides by the number of elements $N \cdot C$ instead.

# %%
log_p = F.log_softmax(logits, dim=1)
q = F.softmax(torch.tensor([[1.0, 1.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 1.0]]), dim=1)
kl = (q * (q.log() - log_p)).sum() / 3
check("KLDiv batchmean", kl, F.kl_div(log_p, q, reduction="batchmean"),
      nn.KLDivLoss(reduction="batchmean")(log_p, q))
check("KLDiv log_target", kl, F.kl_div(log_p, q.log(), reduction="batchmean", log_target=True))

# %% [markdown]
# **`PoissonNLLLoss`**: for counts $y$ (events per hour, ...) predicted with rate $\lambda$. With
# the default `log_input=True` the input is $\log\lambda$:
#
# $$\ell = e^{x} - y\,x \quad(\text{`log\_input=True`}), \qquad \ell = \lambda - y\log(\lambda + \text{eps}) \quad(\text{`log\_input=False`}).$$
#
# (`full=True` adds Stirling's approximation of $\log y!$.)
#
# **`GaussianNLLLoss`**: the model predicts a mean $\mu$ **and a variance** $\sigma^2$ per target;
#
# $$\ell = \tfrac12\Big(\log \max(\sigma^2, \text{eps}) + \frac{(\mu - y)^2}{\max(\sigma^2, \text{eps})}\Big)
# \quad (+\tfrac12\log 2\pi \text{ with } \texttt{full=True}).$$
#
# A large predicted variance makes errors cheap but costs $\log\sigma^2$: the model learns how
# unsure it is.

# %%
log_rate = torch.tensor([0.5, 1.0, -1.0])
counts = torch.tensor([1.0, 3.0, 0.0])
check("PoissonNLL", (log_rate.exp() - counts * log_rate).mean(),
      F.poisson_nll_loss(log_rate, counts), nn.PoissonNLLLoss()(log_rate, counts))
rate = log_rate.exp()
check("PoissonNLL log_input=False", (rate - counts * torch.log(rate + 1e-8)).mean(),
      F.poisson_nll_loss(rate, counts, log_input=False))

mu, y_true, var = torch.tensor([0.5, 1.0, 2.0]), torch.tensor([1.0, 3.0, 2.0]), torch.tensor([0.5, 2.0, 0.1])
check("GaussianNLL", (0.5 * (var.log() + (mu - y_true) ** 2 / var)).mean(),
      F.gaussian_nll_loss(mu, y_true, var), nn.GaussianNLLLoss()(mu, y_true, var))

# %% [markdown]
# ## 5. Margin and ranking losses
#
# These losses do not ask for a probability. They ask that a score be on the right side of a
# **margin** (间隔), and are zero once it is: a hinge $\max(0, \cdot)$.
#
# | loss | per sample | target |
# |---|---|---|
# | `MarginRankingLoss` | $\max(0,\ -y\,(x_1 - x_2) + \text{margin})$ | $y = 1$: $x_1$ should rank higher; $-1$: $x_2$ |
# | `HingeEmbeddingLoss` | $x$ if $y = 1$, $\max(0, \text{margin} - x)$ if $y = -1$ | $x$ is a distance |
# | `SoftMarginLoss` | $\log(1 + e^{-y x})$ | $y \in \{1, -1\}$ |
# | `CosineEmbeddingLoss` | $1 - \cos(x_1, x_2)$ if $y = 1$, $\max(0, \cos(x_1, x_2) - \text{margin})$ if $y = -1$ | similar or not |
# | `TripletMarginLoss` | $\max(d(a, p) - d(a, n) + \text{margin},\ 0)$ | anchor, positive, negative |

# %%
x1, x2 = torch.tensor([0.8, 0.2, 0.5]), torch.tensor([0.3, 0.6, 0.4])
y = torch.tensor([1.0, 1.0, -1.0])
check("MarginRanking (margin=0.2)", (-y * (x1 - x2) + 0.2).clamp(min=0).mean(),
      F.margin_ranking_loss(x1, x2, y, margin=0.2), nn.MarginRankingLoss(margin=0.2)(x1, x2, y))

dist = torch.tensor([0.3, 2.0, 0.5])
check("HingeEmbedding (margin=1)", torch.where(y == 1, dist, (1 - dist).clamp(min=0)).mean(),
      F.hinge_embedding_loss(dist, y), nn.HingeEmbeddingLoss()(dist, y))

check("SoftMargin", torch.log1p(torch.exp(-y * x1)).mean(),
      F.soft_margin_loss(x1, y), nn.SoftMarginLoss()(x1, y))

# %%
u = torch.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]])
v = torch.tensor([[1.0, 1.0], [-1.0, 1.0], [0.0, 1.0]])
cos = (u * v).sum(dim=1) / (u.norm(dim=1) * v.norm(dim=1))
print("cos:", cos)
check("CosineEmbedding (margin=0)", torch.where(y == 1, 1 - cos, cos.clamp(min=0)).mean(),
      F.cosine_embedding_loss(u, v, y), nn.CosineEmbeddingLoss()(u, v, y))

anchor, positive, negative = u, u + 0.1, v
d_ap = (anchor - positive + 1e-6).norm(dim=1)    # pairwise_distance adds eps = 1e-6
d_an = (anchor - negative + 1e-6).norm(dim=1)
check("TripletMargin (margin=1)", (d_ap - d_an + 1.0).clamp(min=0).mean(),
      F.triplet_margin_loss(anchor, positive, negative), nn.TripletMarginLoss()(anchor, positive, negative))

# %% [markdown]
# ### Multi-class and multi-label margins
#
# **`MultiMarginLoss`** (the multi-class SVM loss): the correct score $x_y$ should beat every other
# score $x_i$ by the margin; per sample,
# $\frac{1}{C}\sum_{i \ne y} \max(0,\ \text{margin} - x_y + x_i)^p$.
#
# In **multi-label** problems a sample can belong to several classes at once (a photo with a cat
# *and* a dog).
#
# - **`MultiLabelSoftMarginLoss`**: a binary cross-entropy per class on the logits,
#   averaged over the $C$ classes: $-\frac1C\sum_c \big[y_c\log\sigma(x_c) + (1 - y_c)\log\sigma(-x_c)\big]$,
#   with a 0/1 target of shape $(N, C)$.
# - **`MultiLabelMarginLoss`**: the target lists the sample's classes as indices, padded with
#   $-1$ (`[3, 0, -1, 1]` means classes 3 and 0; everything after the first $-1$ is ignored). Every
#   target class $j$ should beat every other class $i$ by 1:
#   $\frac1C\sum_{j}\sum_{i \notin \text{targets}} \max(0,\ 1 - (x_j - x_i))$.

# %%
scores = torch.tensor([[0.1, 0.2, 0.4, 0.8],
                       [0.9, 0.3, 0.5, 0.2]])
cls = torch.tensor([3, 2])
correct = scores.gather(1, cls[:, None])                       # x_y, shape (N, 1)
hinge = (1.0 - correct + scores).clamp(min=0)
hinge = hinge * (1 - F.one_hot(cls, 4))                        # leave out i = y
check("MultiMargin", (hinge.sum(dim=1) / 4).mean(),
      F.multi_margin_loss(scores, cls), nn.MultiMarginLoss()(scores, cls))

multi_hot = torch.tensor([[1.0, 0.0, 0.0, 1.0],
                          [1.0, 0.0, 1.0, 0.0]])
per_class = -(multi_hot * F.logsigmoid(scores) + (1 - multi_hot) * F.logsigmoid(-scores))
check("MultiLabelSoftMargin", per_class.mean(dim=1).mean(),
      F.multilabel_soft_margin_loss(scores, multi_hot), nn.MultiLabelSoftMarginLoss()(scores, multi_hot))

index_target = torch.tensor([[3, 0, -1, 1],                    # classes {3, 0}
                             [0, 2, -1, -1]])                  # classes {0, 2}
pos = multi_hot.bool()                                         # the same classes, as a mask
pair = (1 - (scores[:, :, None] - scores[:, None, :])).clamp(min=0)   # pair[n, j, i]
pair = pair * (pos[:, :, None] & ~pos[:, None, :])             # j a target class, i not
check("MultiLabelMargin", (pair.sum(dim=(1, 2)) / 4).mean(),
      F.multilabel_margin_loss(scores, index_target), nn.MultiLabelMarginLoss()(scores, index_target))

# %% [markdown]
# ## 6. Wrong targets give clear errors
#
# The most common loss bug is a target of the wrong dtype or shape. `cross_entropy` wants class
# indices as `int64` (shape $(N,)$), or probabilities as float with the same shape as the input:

# %%
for bad in (torch.tensor([0.0, 2.0, 2.0]), torch.tensor([[0, 2, 2]])):
    try:
        F.cross_entropy(logits, bad)
    except (RuntimeError, ValueError) as e:
        print(type(e).__name__)     # print(e) to read the message: it names the dtype or the shapes

# %% [markdown]
# ### Look inside
#
# *edutorch-only cell*: `cross_entropy` really is `log_softmax` followed by `nll_loss` (plus the
# options), and `BinaryCrossEntropyWithLogits` computes the stable form and its gradient
# $\sigma(z) - y$ side by side.

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    show_source(F.cross_entropy)
    show_source(F.binary_cross_entropy_with_logits(torch.zeros(1, requires_grad=True), torch.ones(1)).grad_fn)

# %% [markdown]
# ### Check your understanding
#
# 1. A model that knows nothing outputs equal logits for all $C = 10$ classes. What is its
#    cross-entropy loss?

# %%
uniform = torch.zeros(4, 10)
assert torch.allclose(F.cross_entropy(uniform, torch.tensor([0, 3, 5, 9])), torch.tensor(math.log(10)))
print(round(math.log(10), 4))

# %% [markdown]
# 2. What is `BCEWithLogitsLoss` at logit 0, for either target? And how do `'sum'` and `'mean'`
#    relate?

# %%
zero_logits = torch.zeros(6)
targets = torch.tensor([0.0, 1.0, 0.0, 1.0, 1.0, 1.0])
mean = F.binary_cross_entropy_with_logits(zero_logits, targets)
total = F.binary_cross_entropy_with_logits(zero_logits, targets, reduction="sum")
assert torch.allclose(mean, torch.tensor(math.log(2)))
assert torch.allclose(total, 6 * mean)
print(f"mean {mean.item():.4f} = log 2 for either target; sum {total.item():.4f} = 6 x mean")

# %% [markdown]
# 3. Which is the same loss: `nn.CrossEntropyLoss()(z, y)`, `nn.NLLLoss()(z, y)` or
#    `nn.NLLLoss()(nn.LogSoftmax(dim=1)(z), y)`?

# %%
ce = nn.CrossEntropyLoss()(logits, labels)
assert torch.allclose(ce, nn.NLLLoss()(nn.LogSoftmax(dim=1)(logits), labels))
assert not torch.allclose(ce, nn.NLLLoss()(logits, labels))
print(f"CrossEntropyLoss {ce.item():.4f} = NLLLoss(LogSoftmax) {nn.NLLLoss()(nn.LogSoftmax(dim=1)(logits), labels).item():.4f};"
      f" NLLLoss on raw logits gives {nn.NLLLoss()(logits, labels).item():.4f}")

# %% [markdown]
# ## 7. Losses are negative log-likelihoods: `torch.distributions`
#
# Most losses of this lesson are one idea: the model outputs the parameters of a **probability
# distribution** (概率分布) over the target, and the loss is the **negative log-likelihood** (负对数似然)
# $-\log p(y)$ of the true target under it, averaged over the batch. Minimising it is **maximum
# likelihood estimation** (极大似然估计). `torch.distributions` makes the distributions explicit: a
# distribution object holds parameters (tensors with gradients) and answers `log_prob(y)`,
# `sample()`, `entropy()`, `mean`, ...
#
# Logits for $C$ classes define a **categorical** distribution, $\log p(k) = \log\text{softmax}(z)_k$:
# its negative log-probability of the label, averaged, *is* the cross-entropy of section 2.

# %%
dist = torch.distributions.Categorical(logits=logits)    # one distribution per row: batch_shape (3,)
print(dist.batch_shape, dist.sample((5,)).shape)          # 5 draws of a class for each of the 3 rows
print(dist.probs[0])                                      # softmax of the first row
check("-Categorical.log_prob, mean", -dist.log_prob(labels).mean(), F.cross_entropy(logits, labels))
check("kl_divergence(q, p), mean",
      torch.distributions.kl_divergence(torch.distributions.Categorical(probs=q), dist).mean(),
      F.kl_div(log_p, q, reduction="batchmean"))

# %% [markdown]
# The same for yes/no targets: a logit $z$ defines a **Bernoulli** distribution with $p = \sigma(z)$,
# and `BCEWithLogitsLoss` is its negative log-likelihood. For regression, a **normal** distribution
# $\mathcal N(\mu, \sigma^2)$ around the prediction $\mu$ has
#
# $$-\log p(y) = \frac{(y - \mu)^2}{2\sigma^2} + \log\sigma + \tfrac12\log 2\pi :$$
#
# with a fixed $\sigma = 1$ that is half the squared error plus a constant, so **least squares is
# maximum likelihood under Gaussian noise**, and `MSELoss` has the same minimum. Let the model predict
# $\sigma$ too and you get `GaussianNLLLoss` (section 4).

# %%
z, y01 = torch.tensor([2.0, -1.0, 0.5]), torch.tensor([1.0, 0.0, 0.0])
check("-Bernoulli.log_prob, mean", -torch.distributions.Bernoulli(logits=z).log_prob(y01).mean(),
      F.binary_cross_entropy_with_logits(z, y01))
normal_nll = -torch.distributions.Normal(mu, 1.0).log_prob(y_true).mean()
check("-Normal(mu, 1).log_prob, mean", normal_nll, 0.5 * F.mse_loss(mu, y_true) + 0.5 * math.log(2 * math.pi))
check("-Normal(mu, sigma).log_prob, mean", -torch.distributions.Normal(mu, var.sqrt()).log_prob(y_true).mean(),
      F.gaussian_nll_loss(mu, y_true, var, full=True))

# %%
errors = torch.linspace(-3, 3, 61)
fig, ax = plt.subplots(figsize=(5, 3))
for sigma in (0.5, 1.0, 2.0):
    nll = -torch.distributions.Normal(0.0, sigma).log_prob(errors)
    ax.plot(errors.numpy(), nll.numpy(), label=f"-log N(y; μ, σ={sigma})")
ax.plot(errors.numpy(), (0.5 * errors ** 2 + 0.5 * math.log(2 * math.pi)).numpy(), "k:",
        label="½ (y - μ)² + const")
ax.set_xlabel("y - μ")
ax.legend(fontsize=8)
plt.show()
plt.close(fig)

# %% [markdown]
# The σ = 1 curve lies on the dotted parabola. A small σ is a confident model: errors cost much more,
# but the curve starts lower ($\log\sigma < 0$); a large σ flattens the parabola and pays $\log\sigma$.
#
# The log-probabilities are differentiable in the parameters, which is what training needs:

# %% [markdown]
# Two more pairs of the same kind: a **Poisson** distribution (泊松分布) of counts with rate
# $\lambda = e^{\text{log\_rate}}$ gives `PoissonNLLLoss` (up to the constant $\log y!$, which it leaves
# out by default), and a **Laplace** distribution (拉普拉斯分布) around the prediction gives the
# absolute error, so **L1 regression is maximum likelihood under Laplace noise**.

# %%
poisson = torch.distributions.Poisson(log_rate.exp())
check("-Poisson.log_prob - log y!, mean", -(poisson.log_prob(counts) + torch.lgamma(counts + 1)).mean(),
      F.poisson_nll_loss(log_rate, counts))
laplace_nll = -torch.distributions.Laplace(mu, 1.0).log_prob(y_true).mean()
check("-Laplace(mu, 1).log_prob, mean", laplace_nll, F.l1_loss(mu, y_true) + math.log(2))

# %%
mu_param = torch.tensor([0.0, 0.0, 0.0], requires_grad=True)
(-torch.distributions.Normal(mu_param, 1.0).log_prob(y_true).mean()).backward()
assert torch.allclose(mu_param.grad, (mu_param - y_true).detach() / 3)   # d/dμ of ½(y - μ)², averaged
print(mu_param.grad)


# %% [markdown]
# ## Summary
#
# | task | output of the model | loss |
# |---|---|---|
# | regression | a number | `MSELoss`; `L1Loss`, `HuberLoss` / `SmoothL1Loss` when there are outliers; `GaussianNLLLoss` with a variance; `PoissonNLLLoss` for counts |
# | one class out of $C$ | $C$ logits | `CrossEntropyLoss` (= `LogSoftmax` + `NLLLoss`); `MultiMarginLoss` |
# | yes / no, or several labels | logits | `BCEWithLogitsLoss` (not sigmoid + `BCELoss`); `MultiLabelSoftMarginLoss`; `MultiLabelMarginLoss` |
# | match a distribution | log-probabilities | `KLDivLoss(reduction='batchmean')` |
# | ranking, similarity | scores, embeddings | `MarginRankingLoss`, `HingeEmbeddingLoss`, `SoftMarginLoss`, `CosineEmbeddingLoss`, `TripletMarginLoss` |
#
# - `reduction='mean'` (default), `'sum'`, `'none'`; with class weights, `'mean'` is a weighted mean.
# - Give losses **logits** whenever they accept them: `log_softmax` and the log-sum-exp trick keep
#   them finite and their gradients alive.
# - `ignore_index` drops targets, `label_smoothing` softens them, a float target of the input's
#   shape is a distribution.
# - These losses are negative log-likelihoods: cross-entropy is
#   `-Categorical(logits=z).log_prob(y).mean()`, `BCEWithLogitsLoss` is the same with `Bernoulli`, and
#   MSE is `-Normal(μ, 1).log_prob(y)` up to a factor ½ and a constant (`torch.distributions`).

# %% [markdown]
# ## Exercises
#
# Write the code in each `# Exercise` cell, run it, then run the check below it: the check says
# ✓ when your code is right, or ✗ with a hint that names what is wrong. The checks work on
# edutorch and on real PyTorch alike. Stuck? The solutions are in
# [solutions/09_losses.py](solutions/09_losses.py) (one click; try first!).

# %%
from checks.lesson09 import Checks   # the checks of these exercises: lessons/checks/lesson09.py
check = Checks(torch)

# %% [markdown]
# **Exercise 1 — a cross-entropy that never overflows.** Write `cross_entropy(logits, target)` for
# logits of shape $(N, C)$ and class indices of shape $(N,)$, returning the mean of
# $\ell_n = \log\sum_k e^{z_{nk}} - z_{n,y_n}$, using only tensor operations (`max`, `exp`, `sum`,
# `log`, indexing), not `F.cross_entropy`, `log_softmax` or `logsumexp`. The straightforward formula
# overflows: $e^{1000}$ is `inf` in float32. Use the log-sum-exp trick of section 2 with **each row's**
# maximum $m_n$: $\log\sum_k e^{z_{nk}} = m_n + \log\sum_k e^{z_{nk} - m_n}$. The check compares with
# `F.cross_entropy` on ordinary logits, on logits of $\pm 1000$, and on a batch that mixes both.

# %%
# Exercise 1: the mean cross-entropy from logits (N, C) and class indices (N,), stable for huge logits
def cross_entropy(logits, target):
    raise NotImplementedError("log-sum-exp with each row's max, minus the logit of the correct class; then the mean")

# %%
check.ex1(cross_entropy)

# %% [markdown]
# **Exercise 2 — `BCEWithLogitsLoss` by hand.** Write `bce_with_logits(z, y)`: the mean binary
# cross-entropy of logits `z` and 0/1 targets `y`, without ever computing $p = \sigma(z)$ (section 3
# shows why). Use the stable form $\max(z, 0) - z\,y + \log(1 + e^{-\lvert z\rvert})$
# (`torch.log1p` computes $\log(1 + x)$ accurately for small $x$). The check tries logits up to
# $\pm 10^4$, compares the loss with `F.binary_cross_entropy_with_logits` and its gradient with
# $(\sigma(z) - y)/N$ (away from $z = 0$: the solution explains why that point is special).

# %%
# Exercise 2: the mean binary cross-entropy from logits z and targets y, without forming sigmoid(z)
def bce_with_logits(z, y):
    raise NotImplementedError("max(z, 0) - z * y + log(1 + exp(-|z|)), then the mean")

# %%
check.ex2(bce_with_logits)

# %% [markdown]
# **Exercise 3 — what `reduction='mean'` really divides by.** Given the per-sample losses of
# `F.cross_entropy(..., reduction='none')`, the targets, the class weights and the `ignore_index`,
# write `weighted_mean(losses, target, weight, ignore_index)` that returns what the default
# `reduction='mean'` gives: the weighted mean $\sum_n w_{y_n}\ell_n / \sum_n w_{y_n}$ over the samples
# whose target is **not** `ignore_index` (section 2, "Class weights and `ignore_index`"). The check
# compares with `F.cross_entropy(logits, target, weight=weight, ignore_index=ignore_index)`, with and
# without weights and ignored samples.

# %%
# Exercise 3: reduction='mean' of cross_entropy, from the per-sample losses (reduction='none')
def weighted_mean(losses, target, weight, ignore_index):
    raise NotImplementedError("keep the samples whose target is not ignore_index; weight them; divide by the total weight")

# %%
check.ex3(weighted_mean)

# %% [markdown]
# **Exercise 4 — targets of the right dtype and shape.** Targets often arrive in the wrong form
# (section 6). Write two small functions:
#
# - `class_targets(raw)`: turns class labels that came as a float column of shape $(N, 1)$ (read
#   from a CSV file) or as `int32` into what `cross_entropy` wants: `int64`, shape $(N,)$. It must
#   work for a batch of one sample too.
# - `regression_loss(pred, target)`: the MSE of predictions and targets that hold the same $N$
#   numbers but in shapes $(N, 1)$ and $(N,)$ (either way round). `F.mse_loss` would **broadcast**
#   them to $(N, N)$ and only warn; reshape the target to the prediction's shape first.

# %%
# Exercise 4: int64 class indices of shape (N,); an MSE that reshapes the target to pred's shape
def class_targets(raw):
    raise NotImplementedError("int64, shape (N,)")

def regression_loss(pred, target):
    raise NotImplementedError("F.mse_loss after giving target the shape of pred")

# %%
check.ex4(class_targets, regression_loss)

# %% [markdown]
# ## 中文小结
#
# - **损失函数**把模型输出和目标变成一个数，训练就是让它变小；每个损失既有函数形式（`F.mse_loss`）
#   也有模块形式（`nn.MSELoss`）。`reduction` 决定返回每个元素的损失（`'none'`）、总和（`'sum'`）
#   还是平均（`'mean'`，默认）；带类别权重时 `'mean'` 是加权平均，除以权重之和（练习 3）。
# - 回归：`MSELoss` 对离群值敏感，`L1Loss`、`HuberLoss` / `SmoothL1Loss` 更稳健；
#   `GaussianNLLLoss` 同时预测方差，`PoissonNLLLoss` 用于计数。
# - 多分类：`CrossEntropyLoss` 接收未归一化的分数（logits），等于 `log_softmax` 加 `nll_loss`。
#   用 log-sum-exp 技巧（先减去每行的最大值）计算才不会上溢或下溢（练习 1）；对 logits 的梯度是
#   $p - \text{onehot}(y)$。类别权重、`ignore_index`、标签平滑和概率形式的目标都是它的选项。
# - 二分类：优先用 `BCEWithLogitsLoss`，它不显式计算 sigmoid，在极端 logit 下损失和梯度仍然正确；
#   sigmoid + `BCELoss` 会把 $\log 0$ 截断在 $-100$，梯度变成 0（练习 2）。
# - 分布之间用 `KLDivLoss(reduction='batchmean')`（输入是对数概率）；排序和相似度用基于间隔的损失。
# - 最常见的错误是目标的数据类型或形状不对：类别索引要 `int64`、形状 $(N,)$；回归时 $(N, 1)$ 与
#   $(N,)$ 会被广播成 $(N, N)$，PyTorch 只给出一个警告（练习 4）。
# - 这些损失都是**负对数似然**：交叉熵等于 `-Categorical(logits=z).log_prob(y).mean()`，
#   `BCEWithLogitsLoss` 对应 `Bernoulli` 分布，均方误差等于 `-Normal(μ, 1).log_prob(y)` 的 2 倍减去常数。
#   最小化它们就是**极大似然估计**；`torch.distributions` 中的分布对象给出 `log_prob`、`sample`、`entropy` 等。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | loss function | 损失函数 | `torch.nn.functional`, `torch.nn.*Loss` |
# | reduction | 归约方式 | `reduction='none' \| 'mean' \| 'sum'` |
# | mean squared error | 均方误差 | `torch.nn.MSELoss` |
# | L1 loss / Huber loss | L1 损失 / Huber 损失 | `torch.nn.L1Loss`, `torch.nn.HuberLoss`, `torch.nn.SmoothL1Loss` |
# | outlier | 离群值 | — |
# | logits (unnormalised scores) | 未归一化的分数（logits） | — |
# | softmax | softmax 函数 | `torch.nn.functional.softmax` |
# | log-sum-exp | 对数和指数（log-sum-exp） | `torch.logsumexp`, `torch.nn.functional.log_softmax` |
# | cross-entropy | 交叉熵 | `torch.nn.CrossEntropyLoss` |
# | negative log-likelihood | 负对数似然 | `torch.nn.NLLLoss` |
# | binary cross-entropy | 二元交叉熵 | `torch.nn.BCEWithLogitsLoss`, `torch.nn.BCELoss` |
# | class weight | 类别权重 | `weight=` |
# | label smoothing | 标签平滑 | `label_smoothing=` |
# | KL divergence | KL 散度 | `torch.nn.KLDivLoss` |
# | margin | 间隔 | `torch.nn.MarginRankingLoss`, `torch.nn.TripletMarginLoss` |
# | overflow / underflow | 上溢 / 下溢 | — |
# | target | 目标（标签） | `target` |
# | probability distribution | 概率分布 | `torch.distributions` |
# | likelihood / log-likelihood | 似然 / 对数似然 | `Distribution.log_prob` |
# | maximum likelihood estimation | 极大似然估计 | — |
# | categorical / Bernoulli / normal distribution | 类别分布 / 伯努利分布 / 正态分布 | `Categorical`, `Bernoulli`, `Normal` |
