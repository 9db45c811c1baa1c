# %% [markdown]
# # 18 · Generative adversarial networks
#
# *Runs in about 15 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
#
# In **supervised** training (监督学习) a loss compares the model's output with a known answer. A
# **GAN** (生成对抗网络) has no answer to compare with: a **generator** $G$ turns random noise into
# samples, a **discriminator** $D$ says how likely a sample is real, and the two train against each
# other. $D$ learns to tell real from fake; $G$ learns to fool $D$. When neither can improve, $G$'s
# samples look like the data.
#
# **Goals.** After this lesson you can
#
# - write the two training steps of a GAN, and say why the discriminator step uses `detach()` and
#   why the generator step uses the label "real" (the non-saturating loss);
# - read a GAN's curves: the two losses, $D(x)$ against $D(G(z))$, and what they are at equilibrium;
# - train a GAN that learns a 1-D Gaussian, check it against the real distribution, and see why it
#   needs a faster discriminator and a decaying learning rate to get the spread right;
# - train a small DCGAN on real handwritten digits, and measure its samples (distance to real
#   digits, which digits it makes) instead of trusting its loss.

# %%
# %matplotlib inline
import math
import os

import matplotlib.pyplot as plt
import numpy as np

# to run this lesson on PyTorch, change `edutorch` to `torch` and `edutorch.vision` to
# `torchvision` in the import lines below
import edutorch as torch
import edutorch.nn as nn
import edutorch.nn.functional as F
from edutorch.utils.data import DataLoader, TensorDataset
from edutorch.vision import datasets, transforms
from edutorch.vision.utils import make_grid
EDUTORCH = torch.__name__ == "edutorch"
if EDUTORCH:  # edutorch-only helper: print the source code behind an op or a graph node
    from edutorch.notebook import show_source

torch.manual_seed(0)
plt.rcParams["figure.dpi"] = 80

# %% [markdown]
# ## 1. The two steps
#
# $D$ outputs a **logit** $s$ (any real number); $\sigma(s)$ is its probability that the input is
# real. With labels 1 = real and 0 = fake and the binary cross-entropy $\ell$ (`nn.BCEWithLogitsLoss`
# applies the sigmoid itself, lesson 09):
#
# - **discriminator step**: $\ell(D(x_\text{real}), 1) + \ell(D(G(z)), 0)$, gradients for $D$ only;
# - **generator step**: $\ell(D(G(z)), 1)$ — "make $D$ call the fakes real" — gradients for $G$ only.
#
# In the discriminator step the fakes are `G(z).detach()`: the graph stops there, so the
# discriminator's loss does not compute (useless) gradients for $G$. Watch the difference:

# %%
torch.manual_seed(0)
G = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
D = nn.Sequential(nn.Linear(1, 8), nn.ReLU(), nn.Linear(8, 1))
bce = nn.BCEWithLogitsLoss()
z = torch.randn(4, 2)

d_loss = bce(D(G(z)), torch.zeros(4, 1))          # no detach: the graph reaches into G
d_loss.backward()
print("without detach, G got gradients:", G[0].weight.grad is not None)

G.zero_grad(set_to_none=True)
D.zero_grad(set_to_none=True)
d_loss = bce(D(G(z).detach()), torch.zeros(4, 1))  # detach: the graph stops at the fake samples
d_loss.backward()
print("with detach, G got gradients:   ", G[0].weight.grad is not None)

# %% [markdown]
# Without `detach()` the discriminator's `backward()` runs through all of $G$ too: wasted work, and
# gradients in `G`'s `.grad` that nobody wants. Worse, `backward()` frees the graph it ran through
# (lesson 02), including $G$'s part. A training loop makes **one** fake batch and uses it in both
# steps, so the generator step then has nothing left to run through:

# %%
fake = G(z)
bce(D(fake), torch.zeros(4, 1)).backward()        # a discriminator step that forgot detach()
try:
    bce(D(fake), torch.ones(4, 1)).backward()     # the generator step on the same fake batch
except RuntimeError as error:
    print("RuntimeError:", str(error).split(" (")[0])

# %% [markdown]
# (With `retain_graph=True`, or a second `G(z)` for the generator step, it would run — doing the
# work through $G$ twice.) With `detach()` in the discriminator step, the graph from `z` through $G$
# to `fake` stays intact for the generator step.
#
# The *order* matters in the other direction as well: the generator step's `backward()` goes through
# $D$ and fills **$D$'s** `.grad`. That is harmless only because the next discriminator step starts
# with `opt_D.zero_grad()`.
#
# ### Why the generator uses the label "real"
#
# The original GAN objective is a **minimax game**: $D$ maximises, $G$ minimises the same value
# $\mathbb{E}\log D(x) + \mathbb{E}\log(1 - D(G(z)))$. So $G$ would minimise $\log(1 - D(G(z)))$:
# the **saturating** loss. Early in training $D$ easily rejects the fakes ($D(G(z)) \approx 0$), and
# there $\log(1-\sigma(s))$ is flat. The **non-saturating** loss $-\log D(G(z)) = \ell(D(G(z)), 1)$ has
# the same goal (push $D(G(z))$ up) but is steep exactly there. Compare their gradients with respect to
# $D$'s logit $s$ on a fake sample:

# %%
s = torch.tensor([-6.0, -3.0, 0.0, 3.0], requires_grad=True)     # D's logits on four fake samples
saturating = torch.log(1 - torch.sigmoid(s)).sum()                 # G minimises log(1 - D(G(z)))
non_saturating = -torch.log(torch.sigmoid(s)).sum()               # G minimises -log D(G(z))
(grad_sat,) = torch.autograd.grad(saturating, s)
(grad_non,) = torch.autograd.grad(non_saturating, s)
print("D(G(z))                ", [round(v, 4) for v in torch.sigmoid(s).tolist()])
print("saturating gradient    ", [round(v, 4) for v in grad_sat.tolist()])
print("non-saturating gradient", [round(v, 4) for v in grad_non.tolist()])

# %% [markdown]
# Both gradients are negative (gradient descent raises $s$, i.e. makes the fake look more real), but
# where $D$ is sure a sample is fake ($D(G(z)) = 0.0025$) the saturating loss gives $-0.0025$ and the
# non-saturating one $-0.9975$: 400 times more signal. ($\frac{d}{ds}\log(1-\sigma(s)) = -\sigma(s)$ and
# $\frac{d}{ds}(-\log\sigma(s)) = -(1-\sigma(s))$.) Every GAN in this lesson uses the non-saturating
# loss, written as `bce(D(fake), ones)`.
#
# ### What equilibrium looks like
#
# For a fixed $G$ whose samples have density $p_g$, the best discriminator is
# $D^*(x) = \dfrac{p_\text{data}(x)}{p_\text{data}(x) + p_g(x)}$ (Exercise 4 writes it). When $G$ has
# learned the data, $p_g = p_\text{data}$, so $D^*(x) = \tfrac12$ everywhere, and the losses are
# $\ell(\tfrac12, 1) + \ell(\tfrac12, 0) = 2\ln 2 \approx 1.386$ for $D$ and $\ln 2 \approx 0.693$ for $G$.
# These are the numbers to look for in the curves below — not zero.

# %%
print(f"D loss at equilibrium: {2 * math.log(2):.3f}   G loss at equilibrium: {math.log(2):.3f}")

# %% [markdown]
# ## 2. A GAN that learns a Gaussian
#
# Real data: numbers from $\mathcal{N}(4, 1.25^2)$. $G$ maps 8 noise numbers to one number; $D$ maps
# one number to a logit. Each step trains $D$ once, then $G$ once, with Adam and
# `betas=(0.5, 0.999)` (a smaller $\beta_1$ than the default 0.9: less momentum, which the chasing
# between $D$ and $G$ turns into overshooting). Two choices make this GAN learn the *spread* of the
# data, not only its centre:
#
# - **a faster discriminator**: $D$'s learning rate is 4× $G$'s (the "two time-scale update rule",
#   TTUR). $G$ can only learn what $D$ has noticed; the signal "your samples are too narrow" comes
#   from the few samples in the tails, and a slow $D$ gives it too late;
# - **a decaying learning rate**: full rate for the first half, then down linearly to 10 % (a
#   `LambdaLR` schedule, lesson 10). The two players never stop pushing each other; with a constant
#   rate the spread keeps wandering, with a shrinking one it settles.
#
# `train_gaussian_gan` records, at every step, the two losses, $D$'s average probability on the real
# and on the fake batch, and the mean and std of the fake batch.

# %%
REAL_MEAN, REAL_STD, NOISE_1D = 4.0, 1.25, 8

def train_gaussian_gan(lr_G, lr_D, decay, steps=1500, batch=128):
    torch.manual_seed(0)
    G = nn.Sequential(nn.Linear(NOISE_1D, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
    D = nn.Sequential(nn.Linear(1, 32), nn.LeakyReLU(0.2), nn.Linear(32, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1))
    opt_G = torch.optim.Adam(G.parameters(), lr=lr_G, betas=(0.5, 0.999))
    opt_D = torch.optim.Adam(D.parameters(), lr=lr_D, betas=(0.5, 0.999))

    def rate(step):  # full rate for the first half, then linearly down to 10 % at the end
        if not decay or step < steps // 2:
            return 1.0
        return 1.0 - 0.9 * (step - steps // 2) / (steps - steps // 2)
    schedulers = [torch.optim.lr_scheduler.LambdaLR(opt, rate) for opt in (opt_G, opt_D)]

    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)
    history = {key: [] for key in ("d_loss", "g_loss", "D(x)", "D(G(z))", "mean", "std")}
    for step in range(steps):
        real = REAL_MEAN + REAL_STD * torch.randn(batch, 1)
        fake = G(torch.randn(batch, NOISE_1D))
        # discriminator step: real -> 1, fake -> 0 (the fakes detached)
        logits_real, logits_fake = D(real), D(fake.detach())
        d_loss = bce(logits_real, ones) + bce(logits_fake, zeros)
        opt_D.zero_grad()
        d_loss.backward()
        opt_D.step()
        # generator step, non-saturating: make D answer 1 on the fakes
        g_loss = bce(D(fake), ones)
        opt_G.zero_grad()
        g_loss.backward()
        opt_G.step()
        for scheduler in schedulers:
            scheduler.step()
        for key, value in [("d_loss", d_loss), ("g_loss", g_loss), ("D(x)", torch.sigmoid(logits_real).mean()),
                           ("D(G(z))", torch.sigmoid(logits_fake).mean()), ("mean", fake.mean()), ("std", fake.std())]:
            history[key].append(value.item())
    return G, history

G_1d, history = train_gaussian_gan(lr_G=1e-3, lr_D=4e-3, decay=True)
with torch.no_grad():
    samples = G_1d(torch.randn(5000, NOISE_1D)).flatten()

# %%
# NBVAL_IGNORE_OUTPUT
# a training run: the last digits may differ from engine to engine (floating-point sums add up differently)
def smooth(values, width=50):  # moving average over `width` steps, to see the trend through the noise
    return np.convolve(values, np.ones(width) / width, mode="valid")

last = slice(-100, None)
print(f"generated: mean {samples.mean().item():.3f}, std {samples.std().item():.3f}   "
      f"(real: {REAL_MEAN}, {REAL_STD})")
print(f"last 100 steps: D(x) {np.mean(history['D(x)'][last]):.3f}, D(G(z)) {np.mean(history['D(G(z))'][last]):.3f}, "
      f"D loss {np.mean(history['d_loss'][last]):.3f}, G loss {np.mean(history['g_loss'][last]):.3f}")

fig, axes = plt.subplots(1, 3, figsize=(13, 3))
axes[0].plot(smooth(history["d_loss"]), label="D loss")
axes[0].plot(smooth(history["g_loss"]), label="G loss")
axes[0].axhline(2 * math.log(2), color="C0", ls=":", label="2 ln 2")
axes[0].axhline(math.log(2), color="C1", ls=":", label="ln 2")
axes[0].set_xlabel("step")
axes[0].legend(fontsize=8)
axes[1].plot(smooth(history["D(x)"]), label="D(x), real")
axes[1].plot(smooth(history["D(G(z))"]), label="D(G(z)), fake")
axes[1].axhline(0.5, color="gray", ls=":")
axes[1].set_xlabel("step")
axes[1].legend(fontsize=8)
grid = np.linspace(-1, 9, 200)
axes[2].hist(samples.numpy(), bins=60, density=True, alpha=0.6, label="G(z), 5000 samples")
axes[2].plot(grid, np.exp(-(grid - REAL_MEAN) ** 2 / (2 * REAL_STD ** 2)) / (REAL_STD * math.sqrt(2 * math.pi)),
             label="real density")
axes[2].legend(fontsize=8)
plt.show()

# %% [markdown]
# Reading the three plots (on PyTorch the numbers may differ a little in their last digits, the shapes do not):
#
# - **Losses** (left). In the first hundred steps $D$ wins easily — its loss is far below
#   $2\ln 2$ and $G$'s far above $\ln 2$ — because $G$'s first samples sit near 0, far from 4.
#   As $G$ catches up, both losses move to their equilibrium values, the dotted lines, and stay
#   there. A GAN's loss does not go to zero; when it does, one player has won and training has
#   failed.
# - **$D(x)$ against $D(G(z))$** (middle). At first $D$ says "real" to real data and "fake" to the
#   fakes (the curves far apart); after about 250 steps both are $\frac12$: on average, $D$ can no
#   longer tell.
# - **Histogram** (right): the 5000 generated numbers follow the real density, centre and spread.
#
# The check below is tight: it fails for a generator whose centre is off by more than 0.15, or
# whose spread is off by more than 12 %.

# %%
print("mean within 0.15 of 4:   ", abs(samples.mean().item() - REAL_MEAN) < 0.15)
print("std within 0.15 of 1.25: ", abs(samples.std().item() - REAL_STD) < 0.15)
print("D cannot tell (D(x) and D(G(z)) within 0.1 of 1/2):",
      all(abs(np.mean(history[key][last]) - 0.5) < 0.1 for key in ("D(x)", "D(G(z))")))

# %% [markdown]
# ### Without the two fixes
#
# An earlier version of this lesson trained the same networks with one learning rate, `1e-3` for
# both, kept constant. Its generator ended with std 0.83 instead of 1.25 — too narrow — and a loose
# check (`0.5 < std < 2.5`) let that pass. Train it that way again and watch the fake batch's std
# over training, next to the run above:

# %%
# NBVAL_IGNORE_OUTPUT
# two training runs: the last digits may differ from engine to engine
G_plain, history_plain = train_gaussian_gan(lr_G=1e-3, lr_D=1e-3, decay=False)
with torch.no_grad():
    plain = G_plain(torch.randn(5000, NOISE_1D)).flatten()
print(f"equal constant rates:  mean {plain.mean().item():.3f}, std {plain.std().item():.3f}, "
      f"last 100 steps D(x) {np.mean(history_plain['D(x)'][last]):.3f}, D(G(z)) {np.mean(history_plain['D(G(z))'][last]):.3f}")
print(f"D 4x faster, decaying: mean {samples.mean().item():.3f}, std {samples.std().item():.3f}, "
      f"last 100 steps D(x) {np.mean(history['D(x)'][last]):.3f}, D(G(z)) {np.mean(history['D(G(z))'][last]):.3f}")
plt.figure(figsize=(6, 2.8))
plt.plot(smooth(history_plain["std"]), label="equal constant rates")
plt.plot(smooth(history["std"]), label="D 4× faster, decaying rate")
plt.axhline(REAL_STD, color="gray", ls=":", label="real std 1.25")
plt.xlabel("step")
plt.ylabel("std of the fake batch")
plt.legend(fontsize=8)
plt.show()

# %% [markdown]
# The mean is learned within the first couple of hundred steps in both runs: $D$ notices a
# shifted batch at once. The **spread** is harder. Its signal comes from the tails, a few samples
# per batch, so $D$'s verdict on it is weak and late, and $G$ keeps over- and undershooting: with
# equal constant rates the std wanders for the whole run, and where it ends is luck — over several
# seeds we saw it end anywhere from about 0.9 to 1.8. That is how the earlier version got 0.83. A
# generator that is too narrow, like that one, is a mild case of **mode collapse** (模式崩溃), the GAN
# failure where $G$ covers only part of the data because $D$ never pushes it to cover the rest.
#
# Note that $D(x)$ and $D(G(z))$ are close to $\frac12$ in *both* runs, although one spread is
# wrong: $D$'s average verdict is a coarse signal. It is necessary for a good generator, not
# sufficient — compare the distributions themselves, as the check above does.
#
# The faster $D$ notices the spread in time, and the decaying rate lets the wandering die down: in
# 24 runs of this recipe with other seeds the std ended between 1.14 and 1.31. Research GANs use
# stronger tools for the same problem (gradient penalties on $D$, averaging $G$'s weights), and
# they too are judged by their samples, never by their losses alone.

# %% [markdown]
# ## 3. A DCGAN on handwritten digits
#
# A **DCGAN** uses convolutions: the generator grows a noise vector into an image with transposed
# convolutions (lesson 07), the discriminator shrinks an image to one logit with strided
# convolutions. The data are the 1437 training digits of `data/digits` (8×8, grey), scaled to
# `[-1, 1]` to match the generator's `tanh`.
#
# The data set is small, so we apply the transform **once** to all of it and keep the result in one
# tensor (a `TensorDataset`), instead of converting every image again in every epoch.
# `ToTensor()` divides by 255 and `Normalize([0.5], [0.5])` maps $[0, 1]$ to $[-1, 1]$; on the whole
# `uint8` tensor `digits.data` that is one line:

# %%
to_input = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.5], [0.5])])
digits = datasets.MNIST("../data/digits", train=True, transform=to_input)
test_digits = datasets.MNIST("../data/digits", train=False)

def scale(data):        # uint8 (N, 8, 8) -> float (N, 8, 8) in [-1, 1], as to_input does per image
    return (data.float() / 255 - 0.5) / 0.5

images, labels = scale(digits.data).unsqueeze(1), digits.targets
test_images = scale(test_digits.data).unsqueeze(1)
print(tuple(images.shape), tuple(test_images.shape), images.min().item(), images.max().item())
print("same as the transform:", torch.allclose(images[7], digits[7][0], atol=1e-6))
loader = DataLoader(TensorDataset(images), batch_size=64, shuffle=True, drop_last=True)
print(len(loader), "batches of 64 per epoch")

# %%
NOISE = 16

class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.project = nn.Linear(NOISE, 32 * 2 * 2)
        self.net = nn.Sequential(
            nn.BatchNorm2d(32), nn.ReLU(),
            nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1), nn.BatchNorm2d(16), nn.ReLU(),   # 2 -> 4
            nn.ConvTranspose2d(16, 1, 4, stride=2, padding=1), nn.Tanh())                       # 4 -> 8

    def forward(self, z):
        return self.net(self.project(z).view(-1, 32, 2, 2))

class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 16, 4, stride=2, padding=1), nn.LeakyReLU(0.2),                         # 8 -> 4
            nn.Conv2d(16, 32, 4, stride=2, padding=1), nn.BatchNorm2d(32), nn.LeakyReLU(0.2),    # 4 -> 2
            nn.Flatten(), nn.Linear(32 * 2 * 2, 1))

    def forward(self, x):
        return self.net(x)

torch.manual_seed(0)
G, D = Generator(), Discriminator()
print(tuple(G(torch.randn(2, NOISE)).shape), tuple(D(torch.randn(2, 1, 8, 8)).shape))
print("parameters: G", sum(p.numel() for p in G.parameters()), "| D", sum(p.numel() for p in D.parameters()))

# %% [markdown]
# The transposed convolutions double the size each time: $(H-1)\cdot 2 - 2\cdot 1 + 4 = 2H$, so
# $2 \to 4 \to 8$ (lesson 07's formula). $D$ has no sigmoid at the end: `BCEWithLogitsLoss` wants
# the logit.
#
# **How to measure a GAN's samples?** There is no test accuracy. Two cheap measurements in pixel
# space, against the 1437 training digits:
#
# - the distance from each sample to its **nearest training digit** (small = looks like *some*
#   real digit). The bar to compare with: the 360 *test* digits, which are real but were never seen,
#   have their own nearest-neighbour distance;
# - the **label of that nearest digit**: if the samples' nearest digits cover all ten classes, $G$
#   has not collapsed onto a few kinds of digit (mode collapse).
#
# Squared distances for all pairs at once: $\lVert a-b\rVert^2 = \lVert a\rVert^2 + \lVert b\rVert^2 - 2\,a\cdot b$,
# one matrix product.

# %%
train_flat = images.reshape(len(images), -1)

def nearest_real(samples):
    """For each sample: the distance to its nearest training digit, and that digit's label."""
    flat = samples.reshape(len(samples), -1)
    squared = (flat ** 2).sum(1, keepdim=True) + (train_flat ** 2).sum(1) - 2 * flat @ train_flat.T
    best, index = squared.min(dim=1)
    return best.clamp(min=0).sqrt(), labels[index]

def measure(samples):
    distance, nearest = nearest_real(samples)
    return distance.mean().item(), torch.bincount(nearest, minlength=10)

eval_noise = torch.randn(500, NOISE)   # the same 500 noise vectors for every measurement
G.eval()
with torch.no_grad():
    untrained = measure(G(eval_noise))
G.train()
real_test = measure(test_images)

# %% [markdown]
# The training loop is the one of section 2, with a `DataLoader` for the real batches; the two
# networks' learning rates are equal here (`2e-3`, `betas=(0.5, 0.999)`, as in the DCGAN paper but a
# larger rate for a short run). Per epoch we keep the average losses and $D$'s average probabilities,
# and after epochs 1, 6 and 12 the samples of one fixed noise batch.

# %%
EPOCHS = 12
opt_G = torch.optim.Adam(G.parameters(), lr=2e-3, betas=(0.5, 0.999))
opt_D = torch.optim.Adam(D.parameters(), lr=2e-3, betas=(0.5, 0.999))
fixed_noise = torch.randn(32, NOISE)          # the same noise every time: watch one set of samples evolve
snapshots, curves = [], {key: [] for key in ("d_loss", "g_loss", "D(x)", "D(G(z))")}

for epoch in range(EPOCHS):
    totals = dict.fromkeys(curves, 0.0)
    for (real,) in loader:
        ones, zeros = torch.ones(len(real), 1), torch.zeros(len(real), 1)
        fake = G(torch.randn(len(real), NOISE))
        logits_real, logits_fake = D(real), D(fake.detach())
        d_loss = bce(logits_real, ones) + bce(logits_fake, zeros)
        opt_D.zero_grad()
        d_loss.backward()
        opt_D.step()
        g_loss = bce(D(fake), ones)
        opt_G.zero_grad()
        g_loss.backward()
        opt_G.step()
        for key, value in [("d_loss", d_loss), ("g_loss", g_loss), ("D(x)", torch.sigmoid(logits_real).mean()),
                           ("D(G(z))", torch.sigmoid(logits_fake).mean())]:
            totals[key] += value.item() / len(loader)
    for key in curves:
        curves[key].append(totals[key])
    if epoch + 1 in (1, EPOCHS // 2, EPOCHS):
        G.eval()                                  # batch norm: use the running statistics
        with torch.no_grad():
            snapshots.append((epoch + 1, G(fixed_noise)))
        G.train()

G.eval()
with torch.no_grad():
    trained = measure(G(eval_noise))

# %%
# NBVAL_IGNORE_OUTPUT
# random training: samples of the fixed noise after the first, middle and last epoch, and the curves
real_batch = images[:32]
fig, axes = plt.subplots(1, len(snapshots) + 1, figsize=(14, 3.6))
for ax, (title, batch) in zip(axes, [(f"epoch {e}", b) for e, b in snapshots] + [("real", real_batch)]):
    ax.imshow(make_grid(batch * 0.5 + 0.5, nrow=8, pad_value=1.0).permute(1, 2, 0).numpy())
    ax.set_title(title)
    ax.axis("off")
plt.show()
fig, axes = plt.subplots(1, 2, figsize=(9, 2.6))
epochs = range(1, EPOCHS + 1)
axes[0].plot(epochs, curves["d_loss"], "o-", label="D loss")
axes[0].plot(epochs, curves["g_loss"], "o-", label="G loss")
axes[0].axhline(2 * math.log(2), color="C0", ls=":")
axes[0].axhline(math.log(2), color="C1", ls=":")
axes[1].plot(epochs, curves["D(x)"], "o-", label="D(x), real")
axes[1].plot(epochs, curves["D(G(z))"], "o-", label="D(G(z)), fake")
axes[1].axhline(0.5, color="gray", ls=":")
for ax in axes:
    ax.set_xlabel("epoch")
    ax.legend(fontsize=8)
plt.show()
for name, (distance, counts) in [("untrained G", untrained), ("trained G", trained), ("real test digits", real_test)]:
    print(f"{name:17} nearest-digit distance {distance:.2f} | nearest digit's label, counts 0-9: {counts.tolist()}")

# %% [markdown]
# What the run shows:
#
# - **Samples.** After one epoch (22 steps) the 32 samples are nearly the same grey blob: $G$ has
#   not learned to use its noise yet. After 6 epochs they differ and have strokes; after 12 many are
#   readable digits, noisier than the real ones.
# - **Curves.** $D$ wins the first epochs ($D$ loss far below $2\ln 2$, $G$ loss 2 to 2.5). Then the
#   losses move towards $2\ln 2$ and $\ln 2$ without reaching them, and $D(x)$ stays above
#   $D(G(z))$ (about 0.6 against 0.4): unlike the 1-D GAN, $D$ still sees a difference — 8×8 digits
#   are harder to imitate than one number — but it no longer wins outright.
# - **Distance.** Real test digits are about 2.3 from their nearest training digit: that is how
#   close *new real* data gets. The trained $G$'s samples are about 3.3–3.5 away, the untrained
#   $G$'s about 6.5–7: much closer to real digits, not yet as close as real data. (A generator that
#   *copies* training digits would score 0: a small distance alone is not the goal.)
# - **Labels.** The untrained $G$ makes one kind of blob, nearest to only two or three digit
#   classes. The trained $G$'s samples spread over all ten classes, but not evenly: the real test
#   digits give every class about 36 of 360, the generator gives some classes several times fewer
#   samples than others — a partial **mode collapse**, typical of GANs. Research GANs are compared
#   with statistics such as the FID, which compares the feature statistics of many samples with
#   those of real images.
#
# The checks: the trained samples are closer to real digits than halfway between the untrained $G$
# and real test data, and every class gets at least 1 % (5 of 500) of the samples. The untrained
# generator fails both — the checks can fail.

# %%
def passes(result):
    distance, counts = result
    closer = distance < (untrained[0] + real_test[0]) / 2
    all_classes = bool((counts >= 5).all())
    return closer, all_classes

print("trained G:   closer to real digits", passes(trained)[0], "| all ten classes", passes(trained)[1])
print("untrained G: closer to real digits", passes(untrained)[0], "| all ten classes", passes(untrained)[1])
print(tuple(snapshots[-1][1].shape), all(math.isfinite(v) for values in curves.values() for v in values))

# %% [markdown]
# ## Summary
#
# - $D$ step: real → 1, `G(z).detach()` → 0, update $D$. $G$ step: $D(G(z))$ → 1 (the
#   non-saturating loss), update $G$. `detach()` in the $D$ step cuts the graph, so $D$'s loss does
#   not reach $G$; each step starts with its own `zero_grad()`.
# - The non-saturating loss $-\log D(G(z))$ has a large gradient exactly where $D$ rejects the fakes;
#   the minimax form $\log(1 - D(G(z)))$ is flat there.
# - At equilibrium $D = \frac12$ everywhere, the $D$ loss is $2\ln 2$ and the $G$ loss $\ln 2$. GAN
#   losses do not go to zero; read them together with $D(x)$ and $D(G(z))$.
# - GAN training oscillates. A faster $D$ (TTUR) and a decaying learning rate let the 1-D GAN learn
#   the spread of the data; with equal constant rates it ended with the wrong std.
# - Judge a GAN by its samples: distance to the nearest real example (compared with real held-out
#   data), and coverage of the classes, which shows mode collapse.
# - DCGAN: transposed convolutions up, strided convolutions down, batch norm, `tanh` output with
#   data scaled to `[-1, 1]`, Adam with `betas=(0.5, 0.999)`.

# %% [markdown]
# ## Exercises
#
# Write the code in each `# Exercise` cell, run it, then run the check below it: the check says
# ✓ when your code is right, or ✗ with a hint that names what is wrong. The checks work on
# edutorch and on real PyTorch alike. Stuck? The solutions are in
# [solutions/18_gan.py](solutions/18_gan.py) (one click; try first!).

# %%
from checks.lesson18 import Checks   # the checks of these exercises: lessons/checks/lesson18.py
check = Checks(torch)

# %% [markdown]
# **Exercise 1 — the discriminator step.** Write `d_step(D, G, opt_D, real, z)`: one update of $D$
# with `nn.BCEWithLogitsLoss`, real samples labelled 1 and the fakes `G(z)` labelled 0, the two
# losses **added**. The fakes must not send gradients into $G$. Return the loss (a tensor). The check
# calls it on small networks whose `.grad` already holds leftovers (as after a generator step) and
# compares $D$'s new weights, $G$'s gradients and the loss with the right step.

# %%
# Exercise 1: one discriminator update; return the loss
def d_step(D, G, opt_D, real, z):
    raise NotImplementedError("fakes from G (cut from G's graph), BCE with labels 1 and 0, zero_grad, backward, step")

# %%
check.ex1(d_step)

# %% [markdown]
# **Exercise 2 — the generator step.** Write `g_step(D, G, opt_G, z)`: one update of $G$ with the
# **non-saturating** loss (the fakes labelled *real*, section 1). Return the loss. The check uses a
# discriminator that confidently rejects the fakes — where the saturating loss would give $G$
# almost no gradient.

# %%
# Exercise 2: one generator update with the non-saturating loss; return the loss
def g_step(D, G, opt_G, z):
    raise NotImplementedError("BCE of D(G(z)) with label 1, zero_grad, backward, step")

# %%
check.ex2(g_step)

# %% [markdown]
# **Exercise 3 — a DCGAN generator.** Write `Generator(noise)`, an `nn.Module` that turns a batch of
# noise `(N, noise)` into images `(N, 1, 8, 8)` in $[-1, 1]$:
# `nn.Linear(noise, 32 * 2 * 2)`, reshape to `(N, 32, 2, 2)`, then `BatchNorm2d(32)`, `ReLU`,
# `ConvTranspose2d(32, 16, 4, stride=2, padding=1)`, `BatchNorm2d(16)`, `ReLU`,
# `ConvTranspose2d(16, 1, 4, stride=2, padding=1)`, `Tanh`. The check tries `noise=16` and
# `noise=5`, counts the parameters, and backpropagates to the first layer.

# %%
# Exercise 3: a generator from noise (N, noise) to images (N, 1, 8, 8) in [-1, 1]
class Generator(nn.Module):
    def __init__(self, noise):
        super().__init__()
        raise NotImplementedError("the layers, registered as attributes or in an nn.Sequential")

    def forward(self, z):
        raise NotImplementedError("project, reshape to (N, 32, 2, 2), then the transposed convolutions")

# %%
check.ex3(Generator)

# %% [markdown]
# **Exercise 4 — the optimal discriminator.** For data $\mathcal{N}(\mu_d, \sigma_d^2)$ and a
# generator whose samples are $\mathcal{N}(\mu_g, \sigma_g^2)$, write
# `optimal_discriminator(x, mean_d, std_d, mean_g, std_g)` returning
# $D^*(x) = p_\text{data}(x) / (p_\text{data}(x) + p_g(x))$ for a tensor `x`, with the Gaussian density
# $p(x) = \frac{1}{\sigma\sqrt{2\pi}} e^{-(x-\mu)^2 / 2\sigma^2}$. The check compares it on a grid,
# for a generator that is too narrow, shifted, and perfect.

# %%
# Exercise 4: D*(x) = p_data(x) / (p_data(x) + p_g(x)) for two Gaussians
def optimal_discriminator(x, mean_d, std_d, mean_g, std_g):
    raise NotImplementedError("the two Gaussian densities, then the ratio")

# %%
check.ex4(optimal_discriminator)

# %% [markdown]
# **Exercise 5 — which digits does it make?** Write `nearest_labels(samples, images, labels)`: for
# each of the `samples` (N, 1, 8, 8), the label of the training image (M, 1, 8, 8) with the smallest
# **Euclidean distance** in pixel space. Return an integer tensor of shape `(N,)`; counting its values
# (`torch.bincount`) shows whether a generator covers all classes. The check uses images of different
# brightness, where a dot product is not a distance.

# %%
# Exercise 5: the label of each sample's nearest training image (Euclidean distance)
def nearest_labels(samples, images, labels):
    raise NotImplementedError("flatten, all squared distances, argmin over the training images")

# %%
check.ex5(nearest_labels)

# %% [markdown]
# ## 中文小结
#
# - **生成对抗网络**（GAN）由**生成器** $G$ 和**判别器** $D$ 组成：$G$ 把随机噪声变成样本，$D$ 输出一个
#   logit，判断样本是真是假。两者交替训练、相互对抗。
# - 判别器这一步：真实样本标签为 1，生成样本 `G(z).detach()` 标签为 0，只更新 $D$；`detach()` 切断计算图，
#   $D$ 的损失不会把梯度传到 $G$。生成器这一步：让 $D$ 把生成样本判为“真”（标签 1），只更新 $G$。
#   每一步都要先 `zero_grad()`。
# - 生成器用**非饱和损失** $-\log D(G(z))$：当 $D$ 很确定样本是假的时候，它的梯度仍然很大；
#   原始极小极大形式 $\log(1-D(G(z)))$ 在那里几乎没有梯度。
# - 达到平衡时 $D$ 处处输出 $\frac12$，判别器损失为 $2\ln 2 \approx 1.386$，生成器损失为 $\ln 2$。
#   GAN 的损失不会降到 0，要结合 $D(x)$ 与 $D(G(z))$ 的曲线来看。
# - GAN 的训练会振荡：一维高斯的例子里，学习率相同且不变时，生成分布的标准差一直漂移（旧版本最后只有 0.83）；
#   让判别器的学习率是生成器的 4 倍（TTUR），并在后半程衰减学习率，标准差才稳定在 1.25 附近。
#   生成分布过窄是**模式崩溃**的一种轻微形式。
# - 评价 GAN 要看样本：与最近的真实样本的距离（和真实测试数据比较），以及样本覆盖了哪些类别。
# - DCGAN：生成器用转置卷积放大，判别器用带步幅的卷积缩小，使用批量规范化，输出用 `tanh`，
#   数据缩放到 $[-1, 1]$，优化器为 Adam（`betas=(0.5, 0.999)`）。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | generative adversarial network | 生成对抗网络 | — |
# | generator / discriminator | 生成器 / 判别器 | `torch.nn.Module` |
# | noise (latent) vector | 噪声向量（隐变量） | `torch.randn` |
# | logit | 对数几率（logit） | — |
# | binary cross-entropy | 二元交叉熵 | `torch.nn.BCEWithLogitsLoss` |
# | detach / stop gradient | 分离 / 停止梯度 | `Tensor.detach()` |
# | minimax game | 极小极大博弈 | — |
# | non-saturating loss | 非饱和损失 | `torch.nn.BCEWithLogitsLoss` with label 1 |
# | equilibrium | 均衡 | — |
# | mode collapse | 模式崩溃 | — |
# | two time-scale update rule | 双时间尺度更新规则（TTUR） | — (one optimizer per network, different `lr`) |
# | learning-rate schedule | 学习率调度 | `torch.optim.lr_scheduler.LambdaLR` |
# | transposed convolution | 转置卷积 | `torch.nn.ConvTranspose2d` |
# | batch normalization | 批量规范化 | `torch.nn.BatchNorm2d` |
# | nearest neighbour | 最近邻 | `Tensor.argmin` |
# | deep convolutional GAN | 深度卷积生成对抗网络（DCGAN） | — |
