# %% [markdown]
# # 18 · Generative adversarial networks
#
# In **supervised** training (监督学习) a loss compares the model's output with a known answer. A
# **GAN** (生成对抗网络) has no answer to compare with: a **generator** $G$ turns random noise into
# samples, a **discriminator** $D$ says how likely a sample is real, and the two train against each
# other. $D$ learns to tell real from fake; $G$ learns to fool $D$. When neither can improve, $G$'s
# samples look like the data.
#
# **Goals.** After this lesson you can
#
# - write the two training steps of a GAN, and say why the discriminator step uses `detach()`;
# - train a GAN that learns a 1-D Gaussian, and check it against the real distribution;
# - train a small DCGAN on the real handwritten digits and watch samples improve over epochs.

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
from edutorch.utils.data import DataLoader
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
# With labels 1 = real and 0 = fake and the binary cross-entropy $\ell$:
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
# ## 2. A GAN that learns a Gaussian
#
# Real data: numbers from $\mathcal{N}(4, 1.25^2)$. $G$ maps 8 noise numbers to one number; $D$ maps
# one number to a logit. Each step trains $D$ once, then $G$ once.

# %%
torch.manual_seed(0)
REAL_MEAN, REAL_STD = 4.0, 1.25
G = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
D = nn.Sequential(nn.Linear(1, 32), nn.LeakyReLU(0.2), nn.Linear(32, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1))
opt_G = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))
opt_D = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.999))
real_label, fake_label = torch.ones(128, 1), torch.zeros(128, 1)

for step in range(2000):
    real = REAL_MEAN + REAL_STD * torch.randn(128, 1)
    fake = G(torch.randn(128, 8))
    # discriminator: real -> 1, fake -> 0 (fake detached)
    d_loss = bce(D(real), real_label) + bce(D(fake.detach()), fake_label)
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    # generator: make D answer 1 on fakes
    g_loss = bce(D(fake), real_label)
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()

with torch.no_grad():
    samples = G(torch.randn(5000, 8)).flatten()

# %%
# NBVAL_IGNORE_OUTPUT
# a random training run
print(f"generated: mean {samples.mean().item():.2f}, std {samples.std().item():.2f}   (real: {REAL_MEAN}, {REAL_STD})")
grid = np.linspace(-1, 9, 200)
plt.figure(figsize=(5, 2.5))
plt.hist(samples.numpy(), bins=60, density=True, alpha=0.6, label="G(z)")
plt.plot(grid, np.exp(-(grid - REAL_MEAN) ** 2 / (2 * REAL_STD ** 2)) / (REAL_STD * math.sqrt(2 * math.pi)),
         label="real density")
plt.legend()
plt.show()

# %%
print(abs(samples.mean().item() - REAL_MEAN) < 0.5, 0.5 < samples.std().item() < 2.5)

# %% [markdown]
# ## 3. A DCGAN on handwritten digits
#
# A **DCGAN** uses convolutions: the generator grows a noise vector into an image with transposed
# convolutions (lesson 07), the discriminator shrinks an image to one logit with strided
# convolutions. Images are scaled to `[-1, 1]` to match the generator's `tanh`.

# %%
EPOCHS = int(os.environ.get("EDUTORCH_LESSON_EPOCHS", "8")) * 4
NOISE = 16
to_input = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.5], [0.5])])
digits = datasets.MNIST("../data/digits", train=True, transform=to_input)
loader = DataLoader(digits, batch_size=64, shuffle=True, drop_last=True)

class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.project = nn.Linear(NOISE, 64 * 2 * 2)
        self.net = nn.Sequential(
            nn.BatchNorm2d(64), nn.ReLU(),
            nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1), nn.BatchNorm2d(32), nn.ReLU(),   # 2 -> 4
            nn.ConvTranspose2d(32, 1, 4, stride=2, padding=1), nn.Tanh())                       # 4 -> 8

    def forward(self, z):
        return self.net(self.project(z).view(-1, 64, 2, 2))

class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 32, 4, stride=2, padding=1), nn.LeakyReLU(0.2),                         # 8 -> 4
            nn.Conv2d(32, 64, 4, stride=2, padding=1), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),    # 4 -> 2
            nn.Flatten(), nn.Linear(64 * 2 * 2, 1))

    def forward(self, x):
        return self.net(x)

torch.manual_seed(0)
G, D = Generator(), Discriminator()
print(tuple(G(torch.randn(2, NOISE)).shape), tuple(D(torch.randn(2, 1, 8, 8)).shape))

# %%
opt_G = torch.optim.Adam(G.parameters(), lr=2e-3, betas=(0.5, 0.999))
opt_D = torch.optim.Adam(D.parameters(), lr=2e-3, betas=(0.5, 0.999))
fixed_noise = torch.randn(32, NOISE)          # the same noise every time: watch one set of samples evolve
snapshots, d_losses, g_losses = [], [], []

for epoch in range(EPOCHS):
    for real, _ in loader:
        ones, zeros = torch.ones(len(real), 1), torch.zeros(len(real), 1)
        fake = G(torch.randn(len(real), NOISE))
        d_loss = bce(D(real), ones) + bce(D(fake.detach()), zeros)
        opt_D.zero_grad()
        d_loss.backward()
        opt_D.step()
        g_loss = bce(D(fake), ones)
        opt_G.zero_grad()
        g_loss.backward()
        opt_G.step()
    d_losses.append(d_loss.item())
    g_losses.append(g_loss.item())
    if epoch in (0, EPOCHS // 2, EPOCHS - 1):
        G.eval()
        with torch.no_grad():
            snapshots.append((epoch, G(fixed_noise)))
        G.train()

# %%
# NBVAL_IGNORE_OUTPUT
# random training: samples of the fixed noise after the first, middle and last epoch
real_batch = next(iter(loader))[0][:32]
fig, axes = plt.subplots(1, len(snapshots) + 1, figsize=(10, 2.6))
for ax, (title, batch) in zip(axes, [(f"epoch {e + 1}", b) for e, b in snapshots] + [("real", real_batch)]):
    ax.imshow(make_grid(batch * 0.5 + 0.5, nrow=8, pad_value=1.0).permute(1, 2, 0).numpy())
    ax.set_title(title)
    ax.axis("off")
plt.show()
print("last D loss", round(d_losses[-1], 3), "| last G loss", round(g_losses[-1], 3))

# %%
last = snapshots[-1][1]
print(tuple(last.shape), last.min().item() >= -1, last.max().item() <= 1,
      all(math.isfinite(v) for v in d_losses + g_losses))

# %% [markdown]
# A GAN's losses do not go to zero as in supervised training: $D$ and $G$ keep pushing each other,
# and the numbers oscillate. Judge a GAN by its samples (and, in research, by statistics such as the
# FID), not by its loss.
#
# ## Summary
#
# - $D$ step: real → 1, `G(z).detach()` → 0, update $D$. $G$ step: $D(G(z))$ → 1, update $G$.
# - `detach()` in the $D$ step cuts the graph, so $D$'s loss does not reach $G$.
# - DCGAN: transposed convolutions up, strided convolutions down, batch norm, `tanh` output with
#   data scaled to `[-1, 1]`, Adam with `betas=(0.5, 0.999)`.
#
# ## Exercises
#
# 1. In the 1-D GAN, make $G$ too small (one hidden unit). What do its samples look like?
# 2. Remove `detach()` from the $D$ step of the DCGAN (and keep `opt_D.zero_grad()` / `opt_G.zero_grad()`
#    where they are). Does training still work? Why is it wasteful?
# 3. Condition the DCGAN on the digit label (concatenate a one-hot label to the noise and to $D$'s
#    features) and generate a chosen digit.
