# %% [markdown]
# # 16 · ResNet, read from its source
#
# *Runs in about 10 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
#
# Before ResNet (He et al., 2015), stacking more layers eventually made networks *worse*, even on
# the training data. ResNet's fix is one line: a block computes a **residual** $F(x)$ with a few
# layers and outputs $\mathrm{relu}(F(x) + x)$. The **shortcut** (捷径连接) carries $x$ around the
# layers of $F$ to the addition. Backward, the addition passes its incoming gradient unchanged to
# both of its inputs, so part of the gradient reaches $x$ without going through $F$'s layers. The
# final ReLU still sits after the addition: it gates the sum of both paths, forward (negative sums
# become 0) and backward (the gradient is masked where the output was 0). With that direct route for
# the gradient, 50, 101 or 152 layers still train.
#
# **Goals.** After this lesson you can
#
# - show why a shortcut helps a deep stack train: the gradient reaching each layer, and the training
#   loss, with and without shortcuts;
# - read `BasicBlock` and `Bottleneck`, say what `expansion` means, and write a `BasicBlock` yourself;
# - follow the shapes through the stem and the four stages, map the code to the paper's table, and
#   count ResNet-18's parameters from its architecture;
# - say when a block needs a `downsample` shortcut, and what `zero_init_residual` does (and does not) do;
# - measure a pretrained classifier's top-1 and top-5 accuracy.

# %%
# %matplotlib inline
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

# to run this lesson on PyTorch, change `edutorch` to `torch` and `edutorch.vision` to
# `torchvision` in the import lines below
import edutorch as torch
import edutorch.nn as nn
import edutorch.nn.functional as F
from edutorch.utils.data import DataLoader
from edutorch.vision import datasets, models, transforms
from edutorch.vision.models.resnet import BasicBlock, Bottleneck
EDUTORCH = torch.__name__ == "edutorch"
if EDUTORCH:  # edutorch-only helper: print the source code behind an op or a graph node
    from edutorch.notebook import show_source

torch.manual_seed(0)
plt.rcParams["figure.dpi"] = 80


# %% [markdown]
# ## 1. Why a shortcut helps
#
# A small experiment on the real 8×8 digits of `data/digits` (each image flattened to 64 numbers):
# a network of 30 layers `Linear(16, 16) + tanh` between an input layer (64 → 16) and an output layer
# (16 → 10 digits), once **plain** and once with a shortcut around each layer. Both get the same
# weights.

# %%
to_input = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.3054], [0.3753])])
digits = datasets.MNIST("../data/digits", train=True, transform=to_input)
images, labels = next(iter(DataLoader(digits, batch_size=len(digits))))
images = images.flatten(1)                               # (1437, 64)

class Plain(nn.Module):
    def __init__(self, depth=30, width=16):
        super().__init__()
        self.inp = nn.Linear(64, width)
        self.layers = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])
        self.out = nn.Linear(width, 10)

    def forward(self, x):
        x = self.inp(x)
        for layer in self.layers:
            x = torch.tanh(layer(x))
        return self.out(x)

class Residual(Plain):
    def forward(self, x):
        x = self.inp(x)
        for layer in self.layers:
            x = x + torch.tanh(layer(x))        # the shortcut: F(x) + x
        return self.out(x)

def layer_grads(model):
    """The gradient norm that reaches the weight of each of the 30 layers, for one loss."""
    model.zero_grad()
    F.cross_entropy(model(images), labels).backward()
    return [layer.weight.grad.norm().item() for layer in model.layers]

torch.manual_seed(0)
plain, residual = Plain(), Residual()
residual.load_state_dict(plain.state_dict())        # the same weights in both
plain_grads, residual_grads = layer_grads(plain), layer_grads(residual)

fig, ax = plt.subplots(figsize=(5, 3))
ax.semilogy(range(1, 31), plain_grads, "o-", ms=3, label="plain")
ax.semilogy(range(1, 31), residual_grads, "s-", ms=3, label="with shortcuts")
ax.set_xlabel("layer (1 = nearest the input)")
ax.set_ylabel("gradient norm of its weight")
ax.legend(fontsize=8)
plt.show()
plt.close(fig)

# %%
# NBVAL_IGNORE_OUTPUT
# the numbers depend on the random weights
print(f"plain:          layer 1 {plain_grads[0]:.1e}, layer 30 {plain_grads[-1]:.1e}")
print(f"with shortcuts: layer 1 {residual_grads[0]:.1e}, layer 30 {residual_grads[-1]:.1e}")

# %%
print(plain_grads[0] / plain_grads[-1] < 1e-4, residual_grads[0] / residual_grads[-1] > 0.1)

# %% [markdown]
# In the plain stack, the gradient is multiplied by one Jacobian per layer on its way down. With
# these weights each multiplication shrinks it (the default initialisation gives a gain of about 0.6
# per layer, and tanh's derivative is at most 1), so the first layer receives less than a millionth
# of what the last one gets: on the log scale, the curve falls by six orders of magnitude.
# With shortcuts, each layer's Jacobian is $I + J_F$ instead of $J_F$: the identity part carries the
# gradient down undiminished, and every layer gets a gradient of about the same size.
#
# A vanishing gradient means the early layers do not learn. Train all three for 40 full-batch steps
# of Adam: the two 30-layer networks and, for reference, a plain network of only 3 layers.

# %%
def train_losses(model, steps=40):
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses

torch.manual_seed(0)
shallow = Plain(depth=3)
losses = {"plain, 30 layers": train_losses(plain), "with shortcuts, 30 layers": train_losses(residual),
          "plain, 3 layers": train_losses(shallow)}

fig, ax = plt.subplots(figsize=(5, 3))
for name, curve in losses.items():
    ax.plot(range(1, 41), curve, label=name)
ax.axhline(np.log(10), color="0.7", ls=":", label="ln 10: a uniform guess")
ax.set_xlabel("step")
ax.set_ylabel("training loss")
ax.legend(fontsize=8)
plt.show()
plt.close(fig)

# %%
# NBVAL_IGNORE_OUTPUT
# the numbers depend on the random weights
for name, curve in losses.items():
    print(f"{name:26s} loss {curve[0]:.2f} -> {curve[-1]:.3f}")

# %%
print(losses["plain, 30 layers"][-1] > 2.2, losses["with shortcuts, 30 layers"][-1] < 0.5,
      losses["plain, 3 layers"][-1] < 2.0)

# %% [markdown]
# - The 30-layer plain network sits at $\ln 10 \approx 2.30$, the loss of giving every digit
#   probability 1/10. The forward signal shrinks like the gradient: after 30 layers, every image gives
#   almost the same activations, so the layers near the output have nothing left to tell the digits
#   apart with, and the early layers that could change that receive almost no gradient. A 3-layer
#   plain network does learn (slowly, at this small learning rate): depth, not the task, is the
#   problem.
# - With shortcuts, the 30-layer network learns fastest of all: a deep network that trains.
# - Its loss *starts* higher, about 4 instead of 2.3. Each layer adds its output to the running sum
#   instead of replacing it, so the activations (and the logits) grow with depth, and the untrained
#   network makes large, confident, wrong predictions. Starting every residual branch at 0 avoids
#   this: that is what `zero_init_residual` (section 4) does for real ResNets.
#
# This toy has no batch norm, so the plain stack fails very early. The paper's plain networks had
# batch norm and gradients of a healthy size, and still trained worse at 34 layers than at 18;
# shortcuts fixed that as well.
#
# ## 2. `BasicBlock`: two 3×3 convolutions and a shortcut
#
# ResNet-18 and -34 are built from it: conv–BN–ReLU, conv–BN, add the input, ReLU. When the block
# keeps the shape, the shortcut is the identity.

# %%
block = BasicBlock(64, 64)
print(block)
x = torch.randn(2, 64, 56, 56)
print(tuple(block(x).shape), BasicBlock.expansion)

# %% [markdown]
# What does the gradient that reaches `x` look like? Switch the residual branch off (its last batch
# norm's weight set to 0, so $F(x) = 0$) and send a gradient `g` back through the block. If the
# shortcut carried the gradient past the block *unchanged*, `x.grad` would equal `g`. It does not:
# the addition passes `g` on unchanged, but the ReLU after it first zeroes it wherever the output was 0.

# %%
block = BasicBlock(64, 64).eval()
with torch.no_grad():
    block.bn2.weight.zero_()                    # F(x) = 0: only the shortcut is left
x = torch.randn(2, 64, 8, 8, requires_grad=True)
out = block(x)
g = torch.randn(out.shape)
out.backward(g)
print(torch.equal(out, x.relu()), torch.equal(x.grad, g), torch.equal(x.grad, g * (out > 0)))

# %% [markdown]
# `out` is `relu(x)`, and `x.grad` is `g` masked by the ReLU (`g * (out > 0)`), not `g`. In a trained
# block both paths contribute: the Jacobian of the block is
# $\partial\,\mathrm{out}/\partial x = \mathrm{diag}(\mathrm{mask})\,(I + J_F)$.
# The identity term is what keeps the gradient alive; the mask is why ResNet's shortcut is a direct
# path only where the block's output is positive. (A later variant, "pre-activation" ResNet, moves
# the ReLU into the branch so that the shortcut path has no mask at all.)
#
# When a block halves the resolution (`stride=2`) and doubles the channels, `x` no longer has the
# output's shape, so the shortcut becomes a **downsample**: a 1×1 convolution with the same stride,
# then batch norm.

# %%
x = torch.randn(2, 64, 56, 56)
downsample = nn.Sequential(nn.Conv2d(64, 128, kernel_size=1, stride=2, bias=False), nn.BatchNorm2d(128))
block = BasicBlock(64, 128, stride=2, downsample=downsample)
print(tuple(block(x).shape))
print([name for name, _ in block.named_parameters()])

# %% [markdown]
# ## 3. `Bottleneck`: 1×1 narrow, 3×3, 1×1 wide
#
# ResNet-50/101/152 use a cheaper block: a 1×1 convolution narrows the channels (256 → 64), the 3×3
# works on the narrow tensor, a 1×1 widens again by `expansion = 4` (64 → 256). Fewer parameters than
# two 3×3 convolutions at full width, and one more nonlinearity.

# %%
bottleneck = Bottleneck(256, 64)                 # planes=64, output channels 64 * expansion = 256
print(Bottleneck.expansion, tuple(bottleneck(torch.randn(1, 256, 14, 14)).shape))
count = lambda m: sum(p.numel() for p in m.parameters())
print("bottleneck 256->64->256:", count(bottleneck), "| two full 3x3 (BasicBlock 256):", count(BasicBlock(256, 256)))
print(count(bottleneck) == 256 * 64 + 9 * 64 * 64 + 64 * 256 + 2 * (64 + 64 + 256))

# %% [markdown]
# The count, layer by layer: 256·64 (1×1) + 9·64·64 (3×3) + 64·256 (1×1) weights, plus a weight and a
# bias per channel in the three batch norms: 70,400, about 17 times fewer than the 1,180,672 of two
# 3×3 convolutions at 256 channels. That is how ResNet-50 has as many blocks per stage as ResNet-34,
# each three layers deep instead of two and with outputs four times wider, for only 17 % more
# parameters (25.6 million against 21.8, section 4).

# %% [markdown]
# ## 4. The whole network and the paper's table
#
# Every ResNet is: a **stem** (7×7 convolution, stride 2, and a 3×3 max pool, stride 2), **four
# stages** `layer1`–`layer4` (64, 128, 256, 512 `planes`; each stage after the first starts with a
# stride-2 block), global average pooling and one linear layer. The depth only changes the block
# type and the number of blocks per stage (Table 1 of the paper):
#
# | model | block | blocks per stage |
# |---|---|---|
# | ResNet-18 | BasicBlock | 2, 2, 2, 2 |
# | ResNet-34 | BasicBlock | 3, 4, 6, 3 |
# | ResNet-50 | Bottleneck | 3, 4, 6, 3 |
# | ResNet-101 | Bottleneck | 3, 4, 23, 3 |
# | ResNet-152 | Bottleneck | 3, 8, 36, 3 |

# %%
for name in ["resnet18", "resnet34", "resnet50"]:
    model = getattr(models, name)(weights=None)
    stages = [len(getattr(model, f"layer{i}")) for i in range(1, 5)]
    print(f"{name:9s} {type(model.layer1[0]).__name__:10s} {stages}  {sum(p.numel() for p in model.parameters()):,} parameters")

# %% [markdown]
# Follow the shapes through ResNet-18 for one 224×224 image, with a forward hook on each top-level
# child:

# %%
resnet18 = models.resnet18(weights=None).eval()
shapes = []
hooks = [child.register_forward_hook(lambda m, i, out, name=name: shapes.append((name, tuple(out.shape))))
         for name, child in resnet18.named_children()]
with torch.no_grad():
    resnet18(torch.randn(1, 3, 224, 224))
for h in hooks:
    h.remove()
for name, shape in shapes:
    print(f"{name:8s} {shape}")

# %% [markdown]
# `fc` receives `(1, 512)` because `forward` flattens the pooled tensor (`torch.flatten(x, 1)`)
# between `avgpool` and `fc`. Which blocks need a downsample shortcut? The first block of each stage
# whose input shape differs from its output — in ResNet-50 even `layer1`, where 64 channels become 256:

# %%
resnet50 = models.resnet50(weights=None)
for net, name in [(resnet18, "resnet18"), (resnet50, "resnet50")]:
    print(name, [f"layer{i}" for i in range(1, 5) if getattr(net, f"layer{i}")[0].downsample is not None])
print(resnet18.layer2[0].downsample)

# %% [markdown]
# **`zero_init_residual=True`** sets to zero the weight of the *last* batch norm of every residual
# branch (`bn2` in a `BasicBlock`, `bn3` in a `Bottleneck`), so every branch starts with $F(x) = 0$.
# What each block then computes depends on its shortcut:
#
# - a block **without** a downsample outputs $\mathrm{relu}(0 + x) = \mathrm{relu}(x)$: the identity,
#   since its input comes out of a ReLU and is never negative;
# - a block **with** a downsample outputs $\mathrm{relu}(\mathrm{downsample}(x))$: a 1×1 convolution
#   and batch norm with random weights. Not the identity, and it cannot be: its output has another
#   shape.
#
# So the untrained ResNet-18 is the stem, three strided 1×1 projections and the head — a shallow
# network — and the residual branches grow from zero as training needs them (Goyal et al., 2017,
# found this helps large-batch training).

# %%
zero = models.resnet18(weights=None, zero_init_residual=True).eval()
stages = [zero.layer1, zero.layer2, zero.layer3, zero.layer4]
print(all(block.bn2.weight.abs().sum().item() == 0 for stage in stages for block in stage),
      all(block.bn1.weight.abs().sum().item() > 0 for stage in stages for block in stage))
x = torch.randn(1, 64, 56, 56).relu()           # block inputs come after a ReLU
with torch.no_grad():
    no_downsample = zero.layer1[0](x)
    with_downsample = zero.layer2[0](x)
    projected = zero.layer2[0].downsample(x).relu()
print("layer1[0] returns its input:", torch.equal(no_downsample, x))
print("layer2[0] returns relu(downsample(x)):", torch.equal(with_downsample, projected),
      "| shape", tuple(x.shape), "->", tuple(with_downsample.shape))

# %% [markdown]
# ### Check your understanding
#
# Predict before you run: (1) how many `Conv2d` modules does ResNet-50 have, and how do they make the
# "50"? (2) What shape leaves `layer3` of ResNet-18 for one 3×160×160 image? (3) How many parameters
# does one `BasicBlock(128, 128)` have?

# %%
convs = [name for name, m in resnet50.named_modules() if isinstance(m, nn.Conv2d)]
main_path = [name for name in convs if "downsample" not in name]
print(len(convs), len(main_path), len(main_path) + 1 == 50)          # + 1 for fc

seen = {}
hook = resnet18.layer3.register_forward_hook(lambda m, i, out: seen.update(shape=tuple(out.shape)))
with torch.no_grad():
    resnet18(torch.randn(1, 3, 160, 160))
hook.remove()
print(seen["shape"], seen["shape"] == (1, 256, 160 // 16, 160 // 16))

print(count(BasicBlock(128, 128)) == 2 * (128 * 128 * 9) + 2 * (2 * 128))

# %% [markdown]
# (1) 53 convolutions: 1 in the stem, 3 in each of the 16 bottlenecks (48), and the 4 downsample
# 1×1s. The paper counts the 49 on the main path plus `fc`: 50 layers with weights. (2) The stem
# divides the size by 4 and `layer2` and `layer3` by 2 each: 160 / 16 = 10, with 256 channels.
# (3) Two 3×3 convolutions of 128 → 128 channels without bias, and two batch norms with a weight and
# a bias per channel: 295,424.

# %% [markdown]
# ## 5. Look inside
#
# Read the source beside the paper: `BasicBlock.forward` is the residual equation, `_make_layer`
# builds a stage (and its downsample), `_forward_impl` is the stem → stages → head order above.

# %%
# NBVAL_IGNORE_OUTPUT
# edutorch's source
if EDUTORCH:
    show_source(BasicBlock.forward)
    show_source(models.ResNet._make_layer)
    show_source(models.ResNet._forward_impl)

# %% [markdown]
# ## 6. Classifying with a pretrained model: top-5
#
# No ImageNet weights are downloaded in these lessons, but `data/weights/` ships a small pretrained
# model: a LeNet trained on the train split of the real digits (lesson 15). Its checkpoint's tensors,
# in order, load into the same layers written as one `Sequential`. The **top-5** are the five classes
# with the highest probability; ImageNet results report the top-1 accuracy (the first guess is right)
# and the top-5 accuracy (the right class is among the five). Measure both on the 360 digits of the
# test split, written by people whose digits the model never saw:

# %%
digit_model = nn.Sequential(
    nn.Conv2d(1, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(6, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.AdaptiveAvgPool2d((2, 2)), nn.Flatten(),
    nn.Linear(64, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
state = torch.load("../data/weights/lenet_digits-386f0c7a.pth", weights_only=True)
digit_model.load_state_dict(dict(zip(digit_model.state_dict(), state.values())))
digit_model.eval()

test_data = datasets.MNIST("../data/digits", train=False, transform=to_input)
test_images, test_labels = next(iter(DataLoader(test_data, batch_size=len(test_data))))
with torch.no_grad():
    top5 = digit_model(test_images).softmax(dim=1).topk(5, dim=1)
top1_right = top5.indices[:, 0] == test_labels
top5_right = (top5.indices == test_labels[:, None]).any(dim=1)
print(f"top-1 accuracy {top1_right.float().mean().item():.3f} | top-5 accuracy {top5_right.float().mean().item():.3f}")
print("top-1 probability, mean:", round(top5.values[:, 0].mean().item(), 3))
for i in (~top1_right & top5_right).nonzero().flatten()[:3].tolist():
    print(f"digit #{i:3d}, true {test_labels[i].item()}:", "  ".join(
        f"{c}:{p:.2f}" for c, p in zip(top5.indices[i].tolist(), top5.values[i].tolist())))

# %% [markdown]
# The top-1 accuracy is the 92.5 % of lesson 15; within five guesses almost every digit is found.
# Printing the first few digits would show `1.00` for the top class and `0.00` for the other four:
# for most digits the model puts nearly all the probability on one class (the mean top-1
# probability is close to 1). The digits above are the interesting ones: wrong at first guess, with
# the true class close behind. With 10 classes a top-5 is lenient (half the classes); with
# ImageNet's 1000 it is a real measure of how close the model came.

# %% [markdown]
# ## Summary
#
# - A residual block outputs `relu(F(x) + shortcut(x))`. The addition passes the gradient unchanged to
#   the shortcut, so every layer of a deep stack gets a gradient of useful size; the final ReLU still
#   masks it. A 30-layer tanh stack does not train without shortcuts and trains fast with them.
# - `BasicBlock` (two 3×3, `expansion = 1`) for ResNet-18/34; `Bottleneck` (1×1 → 3×3 → 1×1,
#   `expansion = 4`) for ResNet-50/101/152, 17 times fewer parameters than a `BasicBlock` at 256
#   channels.
# - Stem (stride 4 in total), four stages (each later one halves the resolution and doubles the
#   channels), average pool, `fc`. A `downsample` (1×1 conv + BN) shortcut fixes the shape when
#   needed: the first block of `layer2`–`layer4`, and in a `Bottleneck` ResNet also of `layer1`.
# - `zero_init_residual=True` zeroes the last BN weight of each residual branch: a block without
#   downsample starts as `relu(x)` (the identity on its non-negative input), a block with one as
#   `relu(downsample(x))`.

# %% [markdown]
# ## Exercises
#
# Write the code in each `# Exercise` cell, run it, then run the check below it: the check says
# ✓ when your code is right, or ✗ with a hint that names what is wrong. The checks work on
# edutorch and on real PyTorch alike, and compare with the real `BasicBlock` and `ResNet`. Stuck?
# The solutions are in [solutions/16_resnet_from_source.py](solutions/16_resnet_from_source.py)
# (one click; try first!).

# %%
from checks.lesson16 import Checks   # the checks of these exercises: lessons/checks/lesson16.py
check = Checks(torch)

# %% [markdown]
# **Exercise 1 — your own `BasicBlock`.** Write `MyBasicBlock(inplanes, planes, stride=1)` as an
# `nn.Module` that computes the same as the library's `BasicBlock`, with the same parameter names, so
# that a `state_dict` moves between the two: `conv1` (3×3, `stride`, padding 1, no bias), `bn1`,
# `conv2` (3×3, padding 1, no bias), `bn2`, and — only when `stride != 1` or `inplanes != planes` — a
# `downsample = nn.Sequential(1×1 conv with the same stride and no bias, BatchNorm2d)`. Forward:
# `relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut)`. The check loads the real block's weights into
# yours and compares outputs, in training and in eval mode.

# %%
# Exercise 1: a BasicBlock with torchvision's parameter names
class MyBasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        raise NotImplementedError("conv1, bn1, conv2, bn2, and downsample when the shape changes")

    def forward(self, x):
        raise NotImplementedError("the residual branch, plus the shortcut, then ReLU")

# %%
check.ex1(MyBasicBlock)

# %% [markdown]
# **Exercise 2 — shapes without running.** Write `stage_shapes(size, expansion)`: for one
# `3 × size × size` image, the shapes `(channels, height, width)` that leave `layer1`, `layer2`,
# `layer3` and `layer4` of a ResNet whose block has that `expansion` (1 for `BasicBlock`, 4 for
# `Bottleneck`). Compute them with the output-size formula $\lfloor (H + 2p - k) / s \rfloor + 1$
# for the stem's convolution (k 7, s 2, p 3), its max pool (k 3, s 2, p 1) and each stage's strided
# 3×3 convolution (k 3, s 2, p 1) — no model. The check tries sizes 224, 100 and 33.

# %%
# Exercise 2: [(C, H, W) after layer1, layer2, layer3, layer4] for a 3 x size x size input
def stage_shapes(size, expansion):
    raise NotImplementedError("follow the stem, then the four stages")

# %%
check.ex2(stage_shapes)

# %% [markdown]
# **Exercise 3 — count ResNet-18 from its architecture.** Write `basic_resnet_params(blocks,
# num_classes=1000)`: the number of parameters of a `BasicBlock` ResNet with `blocks` blocks per
# stage (`[2, 2, 2, 2]` is ResNet-18), computed with arithmetic from the architecture: the stem's
# convolution and batch norm, every block's two convolutions and two batch norms, the downsample
# shortcuts, and `fc`. Convolutions have no bias; a batch norm has a weight and a bias per channel.
# The check compares with the real models (ResNet-18: 11,689,512).

# %%
# Exercise 3: the number of parameters of a BasicBlock ResNet, from the architecture alone
def basic_resnet_params(blocks, num_classes=1000):
    raise NotImplementedError("add up the stem, the four stages and fc")

# %%
check.ex3(basic_resnet_params)

# %% [markdown]
# **Exercise 4 — `zero_init_residual` by hand.** Write `zero_init_residual(model)`: for every block
# of a ResNet (`BasicBlock` or `Bottleneck`), set the weight of the last batch norm of its residual
# branch to zero, leaving everything else alone, and return the model. The check compares with what
# `zero_init_residual=True` does, on a `BasicBlock` and a `Bottleneck` ResNet.

# %%
# Exercise 4: zero the last BN weight of every residual branch
def zero_init_residual(model):
    raise NotImplementedError("loop over model.modules(); bn2 for a BasicBlock, bn3 for a Bottleneck")

# %%
check.ex4(zero_init_residual)

# %% [markdown]
# ## 中文小结
#
# - **残差网络**的基本单元是**残差块**：几层网络计算残差 $F(x)$，输出 $\mathrm{relu}(F(x) + x)$。
#   **捷径连接**把 $x$ 送到加法处；反向传播时，加法把梯度原样传给捷径，所以很深的网络每一层都能得到
#   足够大的梯度。但加法之后还有 ReLU：它对前向输出和反向梯度都做了“门控”（输出为 0 处梯度也为 0）。
# - 实验：30 层的普通 tanh 网络第一层的梯度只有最后一层的百万分之一，训练损失停在 $\ln 10$；
#   加上捷径连接后，各层梯度大小相近，训练损失很快下降。
# - `BasicBlock`（两个 3×3 卷积，`expansion = 1`）用于 ResNet-18/34；`Bottleneck`（1×1 → 3×3 → 1×1，
#   `expansion = 4`）用于 ResNet-50/101/152，参数少得多。
# - 整个网络：开头的 7×7 卷积层和最大汇聚层（总步幅为 4）、四个阶段（后三个各把分辨率减半、
#   通道数加倍）、全局平均汇聚和全连接层。形状改变时，捷径用 `downsample`（1×1 卷积 + 批量规范化）。
# - `zero_init_residual=True` 把每个残差分支最后一个批量规范化层的权重置零：没有 `downsample` 的块一开始
#   输出 $\mathrm{relu}(x)$（对非负输入就是恒等映射），有 `downsample` 的块输出
#   $\mathrm{relu}(\mathrm{downsample}(x))$，并不是恒等映射。
# - top-1 / top-5 准确率：第一个猜测正确 / 正确类别在概率最高的五个之中。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | residual network | 残差网络 | `torchvision.models.resnet18` |
# | residual block | 残差块 | `torchvision.models.resnet.BasicBlock` |
# | residual mapping | 残差映射 | — |
# | shortcut / skip connection | 捷径连接 / 跳跃连接 | `out += identity` |
# | identity mapping | 恒等映射 | `nn.Identity` |
# | bottleneck block | 瓶颈块 | `torchvision.models.resnet.Bottleneck` |
# | downsampling | 下采样 | `BasicBlock.downsample` |
# | vanishing gradients | 梯度消失 | — |
# | batch normalization | 批量规范化 | `torch.nn.BatchNorm2d` |
# | stage | 阶段 | `model.layer1` … `model.layer4` |
# | stride / padding | 步幅 / 填充 | `torch.nn.Conv2d(stride=..., padding=...)` |
# | global average pooling | 全局平均汇聚 | `torch.nn.AdaptiveAvgPool2d((1, 1))` |
# | fully connected layer | 全连接层 | `torch.nn.Linear` |
# | zero-initialised residual | 残差分支零初始化 | `zero_init_residual=True` |
# | forward hook | 前向钩子 | `Module.register_forward_hook` |
# | top-1 / top-5 accuracy | top-1 / top-5 准确率 | `Tensor.topk` |
