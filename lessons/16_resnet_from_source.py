# %% [markdown]
# # 16 · ResNet, read from its source
#
# Before ResNet (He et al., 2015), stacking more layers eventually made networks *worse*, even on
# the training data. ResNet's fix is one line: a block computes $F(x)$ and outputs
# $\mathrm{relu}(F(x) + x)$. The **shortcut** (捷径连接) carries $x$ — and its gradient — past the block
# unchanged, so 50, 101 or 152 layers still train.
#
# **Goals.** After this lesson you can
#
# - explain residual learning and show why the shortcut helps gradients flow;
# - read `BasicBlock` and `Bottleneck`, and say what `expansion` means;
# - follow the shapes through the stem and the four stages, and map the code to the paper's table;
# - say when a block needs a `downsample` shortcut, and what `zero_init_residual` does;
# - classify digits with the shipped pretrained model and read its top-5.

# %%
# %matplotlib inline
import math
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
# Take 30 layers of `Linear(16, 16) + tanh`, once plain and once with a shortcut around each layer,
# and measure the gradient that reaches the first layer. In the plain stack it is multiplied by
# 30 Jacobians and shrinks; the shortcut adds an identity to each of them, so it survives.

# %%
class Plain(nn.Module):
    def __init__(self, depth=30, width=16):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])

    def forward(self, x):
        for layer in self.layers:
            x = torch.tanh(layer(x))
        return x

class Residual(Plain):
    def forward(self, x):
        for layer in self.layers:
            x = x + torch.tanh(layer(x))        # the shortcut: F(x) + x
        return x

def first_layer_grad(model):
    model(torch.randn(8, 16)).pow(2).mean().backward()
    return model.layers[0].weight.grad.norm().item()

torch.manual_seed(0)
plain, residual = Plain(), Residual()
residual.load_state_dict(plain.state_dict())        # the same weights in both
plain_grad, residual_grad = first_layer_grad(plain), first_layer_grad(residual)
print(residual_grad > 10 * plain_grad)

# %%
# NBVAL_IGNORE_OUTPUT
# the numbers depend on the random weights
print(f"plain: {plain_grad:.2e}   residual: {residual_grad:.2e}")

# %% [markdown]
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
# When a block halves the resolution (`stride=2`) and doubles the channels, `x` no longer has the
# output's shape, so the shortcut becomes a **downsample**: a 1×1 convolution with the same stride,
# then batch norm.

# %%
downsample = nn.Sequential(nn.Conv2d(64, 128, kernel_size=1, stride=2, bias=False), nn.BatchNorm2d(128))
block = BasicBlock(64, 128, stride=2, downsample=downsample)
print(tuple(block(x).shape))

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
# **`zero_init_residual=True`** sets the last batch-norm weight of every block to zero, so each
# block starts as the identity (`F(x) = 0`, output `relu(x)`): the untrained network behaves like a
# shallower one, which helps large-batch training.

# %%
zero = models.resnet18(weights=None, zero_init_residual=True).eval()
print(all(block.bn2.weight.abs().sum().item() == 0 for stage in [zero.layer1, zero.layer2, zero.layer3, zero.layer4]
          for block in stage))
x = torch.randn(1, 64, 56, 56).relu()           # block inputs come after a ReLU
with torch.no_grad():
    print(torch.equal(zero.layer1[0](x), x))

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
# model: a LeNet trained on the real digits (lesson 15). Its checkpoint's tensors, in order, load
# into the same layers written as one `Sequential`. The **top-5** are the five classes with the
# highest probability, as ImageNet results report them.

# %%
digit_model = nn.Sequential(
    nn.Conv2d(1, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(6, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.AdaptiveAvgPool2d((2, 2)), nn.Flatten(),
    nn.Linear(64, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
state = torch.load("../data/weights/lenet_digits-386f0c7a.pth", weights_only=True)
digit_model.load_state_dict(dict(zip(digit_model.state_dict(), state.values())))
digit_model.eval()

test_data = datasets.MNIST("../data/digits", train=False,
                           transform=transforms.Compose([transforms.ToTensor(),
                                                         transforms.Normalize([0.3054], [0.3753])]))
images, labels = next(iter(DataLoader(test_data, batch_size=8)))
with torch.no_grad():
    top5 = digit_model(images).softmax(dim=1).topk(5, dim=1)
for i in range(4):
    print(f"true {labels[i].item()}:", "  ".join(f"{c}:{p:.2f}" for c, p in zip(top5.indices[i].tolist(),
                                                                                  top5.values[i].tolist())))
print("top-1 correct:", (top5.indices[:, 0] == labels).sum().item(), "of 8 | in the top-5:",
      (top5.indices == labels[:, None]).any(dim=1).sum().item(), "of 8")

# %% [markdown]
# ## Summary
#
# - A residual block outputs `relu(F(x) + x)`; the shortcut keeps gradients alive through depth.
# - `BasicBlock` (two 3×3, `expansion = 1`) for ResNet-18/34; `Bottleneck` (1×1 → 3×3 → 1×1,
#   `expansion = 4`) for ResNet-50/101/152.
# - Stem (stride 4 in total), four stages (each later one halves the resolution and doubles the
#   channels), average pool, `fc`. A `downsample` (1×1 conv + BN) shortcut fixes the shape when needed.
# - `zero_init_residual=True` starts every block as the identity.
#
# ## Exercises
#
# 1. Count the convolutions of ResNet-50 and check that the name's "50" counts them plus `fc`.
# 2. Write `BasicBlock.forward` yourself from the printed block and compare outputs with the real one.
# 3. Repeat section 1 with 60 layers. What happens to each gradient?
