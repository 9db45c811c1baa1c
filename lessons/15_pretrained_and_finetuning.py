# %% [markdown]
# # 15 · Pretrained models and fine-tuning
#
# Training a large network from scratch needs millions of labelled images. A **pretrained model**
# (预训练模型) has already learned useful features on such a data set; **transfer learning**
# (迁移学习) reuses them for a new task that has only a little data.
#
# **Goals.** After this lesson you can
#
# - find models and their weights in the model zoo, read a weights enum's `meta`, and get the
#   preprocessing that belongs to the weights;
# - build, print and count `vgg16` and `resnet50`;
# - load pretrained weights from a checkpoint file and predict with them;
# - do **feature extraction** (freeze the backbone, train a new head) and **fine-tuning** (train all,
#   with a smaller learning rate for the pretrained part);
# - publish and load a model through `torch.hub` with a `hubconf.py`;
# - move a model between edutorch and PyTorch through a checkpoint file.

# %%
# %matplotlib inline
import math
import os
import tempfile
import zipfile
from pathlib import Path
import matplotlib.cbook as cbook
from PIL import Image

import matplotlib.pyplot as plt
import numpy as np

# to run this lesson on PyTorch, change `edutorch` to `torch` and `edutorch.vision` to
# `torchvision` in the import lines below
import edutorch as torch
import edutorch.nn as nn
import edutorch.nn.functional as F
from edutorch.utils.data import DataLoader, Subset
from edutorch.vision import datasets, models, transforms
EDUTORCH = torch.__name__ == "edutorch"
if EDUTORCH:  # edutorch-only helper: print the source code behind an op or a graph node
    from edutorch.notebook import show_source

torch.manual_seed(0)
plt.rcParams["figure.dpi"] = 80

# %% [markdown]
# ## 1. The model zoo and its weights
#
# `models` holds architectures (functions such as `models.resnet50`) and, for each, an enum of the
# weights published for it. A weights entry knows its download address, its accuracy, the class
# names, and the preprocessing its training used.

# %%
wanted = ["alexnet", "vgg16", "vgg16_bn", "resnet18", "resnet50", "mobilenet_v2", "squeezenet1_0", "googlenet"]
print([name for name in wanted if name in models.list_models()])

weights = models.ResNet50_Weights.IMAGENET1K_V2
print(weights, "| DEFAULT is", models.ResNet50_Weights.DEFAULT)
print(weights.url)
print(weights.meta["num_params"], "parameters,", len(weights.meta["categories"]), "classes:",
      weights.meta["categories"][:4], "...")
print(weights.meta["_metrics"])

# %% [markdown]
# `weights.transforms()` is the preprocessing the model expects: resize the shorter side, crop the
# centre, scale to `[0, 1]`, normalise with the ImageNet mean and std. Always use the one that goes
# with the weights.

# %%
preprocess = weights.transforms()
print(preprocess)
photo = Image.open(cbook.get_sample_data("grace_hopper.jpg")).convert("RGB")
batch = preprocess(photo).unsqueeze(0)
print(photo.size, "->", tuple(batch.shape), batch.dtype)

# %% [markdown]
# Asking for weights, `models.resnet50(weights=weights)`, downloads the file from `weights.url` into
# the **hub cache**, `torch.hub.get_dir()` + `/checkpoints` (set `TORCH_HOME` to move it), once;
# later calls read the cached file. Without a network, put the file there by hand. These lessons stay
# offline, so we build the architectures with `weights=None` (random weights):

# %%
resnet50 = models.resnet50(weights=None)
print(sum(p.numel() for p in resnet50.parameters()) == weights.meta["num_params"])
print(resnet50.fc)
print(Path(weights.url).name, "would be stored in <hub dir>/checkpoints/")

# %% [markdown]
# ## 2. VGG16 and ResNet-50, printed
#
# VGG16 is a stack: `features` (13 convolutions in 5 blocks, each block ending in max pooling),
# `avgpool`, then a `classifier` of three linear layers. Most of its 138 million parameters sit in the
# first linear layer (`512 * 7 * 7 * 4096`).

# %%
vgg16 = models.vgg16(weights=None)
print(vgg16)
first_fc = vgg16.classifier[0]
print(sum(p.numel() for p in vgg16.parameters()), first_fc.weight.numel())

# %% [markdown]
# ResNet-50 is a stem, four stages of bottleneck blocks, global average pooling and one linear
# layer. Lesson 16 reads its source. Top-level children and their sizes:

# %%
for name, child in resnet50.named_children():
    print(f"{name:8s} {type(child).__name__:18s} {sum(p.numel() for p in child.parameters()):>10,}")

# %%
# NBVAL_IGNORE_OUTPUT
# edutorch-only: a torchinfo-like table, one row per stage (depth=1)
if EDUTORCH:
    from edutorch.notebook import summary
    print(summary(resnet50, input_size=(1, 3, 224, 224), depth=1))


# %% [markdown]
# ## 3. A pretrained model you have: LeNet on the digits
#
# `data/weights/` holds a LeNet trained on the real handwritten digits of `data/digits` (its README
# gives the training script, the accuracy and the file's hash). The file is in PyTorch's checkpoint
# format, so both edutorch and PyTorch load it. Here is the architecture, as in edutorch's
# `models.lenet`, so that this cell runs on either:

# %%
class LeNet(nn.Module):
    def __init__(self, num_classes=10, in_channels=1):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Conv2d(6, 16, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=2, stride=2))
        self.avgpool = nn.AdaptiveAvgPool2d((2, 2))
        self.classifier = nn.Sequential(
            nn.Linear(16 * 2 * 2, 120), nn.ReLU(inplace=True),
            nn.Linear(120, 84), nn.ReLU(inplace=True),
            nn.Linear(84, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))

WEIGHTS_FILE = "../data/weights/lenet_digits-386f0c7a.pth"
state_dict = torch.load(WEIGHTS_FILE, weights_only=True)
pretrained = LeNet()
print(pretrained.load_state_dict(state_dict))
pretrained.eval()
print(list(state_dict)[:4], "...")

# %% [markdown]
# The weights were trained on pixels scaled to `[0, 1]` and normalised with the training set's mean
# and std; the test split holds digits by writers the training split never saw.

# %%
to_input = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.3054], [0.3753])])
test_data = datasets.MNIST("../data/digits", train=False, transform=to_input)
test_images, test_labels = next(iter(DataLoader(test_data, batch_size=len(test_data))))
with torch.no_grad():
    probabilities = pretrained(test_images).softmax(dim=1)
accuracy = (probabilities.argmax(dim=1) == test_labels).float().mean().item()
print(f"test accuracy {accuracy:.3f}")
top3 = probabilities[:4].topk(3, dim=1)
for i in range(4):
    print("true", test_labels[i].item(), "| top-3:",
          [(c, round(p, 2)) for c, p in zip(top3.indices[i].tolist(), top3.values[i].tolist())])

# %% [markdown]
# *edutorch-only*: the same model through the zoo, with its own weights enum; nothing is downloaded,
# the enum points at the shipped file.

# %%
# NBVAL_IGNORE_OUTPUT
# edutorch-only
if EDUTORCH:
    zoo_model = models.lenet(weights=models.LeNet_Weights.DIGITS).eval()
    print(models.LeNet_Weights.DIGITS.transforms())
    with torch.no_grad():
        print(torch.equal(zoo_model(test_images), pretrained(test_images)))

# %% [markdown]
# ## 4. Transfer to a new task with little data
#
# New task: sort digits by their strokes — **round** (0, 6, 8, 9), **straight** (1, 4, 7) or
# **mixed** (2, 3, 5) — with only **30** labelled examples. Three ways:
#
# 1. **from scratch**: a new LeNet with 3 outputs, all weights random;
# 2. **feature extraction** (特征提取): the pretrained LeNet, all of it frozen
#    (`requires_grad_(False)`), its last layer replaced by a new `Linear(84, 3)` — only that trains;
# 3. **fine-tuning** (微调): the pretrained LeNet with a new last layer, everything trains, but the
#    pretrained part with a 30× smaller learning rate (two **parameter groups**), so its features
#    are adjusted, not destroyed.

# %%
GROUP = torch.tensor([0, 1, 2, 2, 1, 2, 0, 1, 0, 0])      # digit -> 0 round, 1 straight, 2 mixed
to_group = lambda digit: int(GROUP[digit])
train_data = datasets.MNIST("../data/digits", train=True, transform=to_input, target_transform=to_group)
few = Subset(train_data, range(30))                        # the first 30 digits: 3 of each
few_images, few_labels = next(iter(DataLoader(few, batch_size=30)))
test_groups = GROUP[test_labels]
print(len(few), torch.bincount(few_labels).tolist(), tuple(few_images.shape))

def train_and_test(model, param_groups, steps=150):
    optimizer = torch.optim.Adam(param_groups)
    model.train()
    for _ in range(steps):
        loss = F.cross_entropy(model(few_images), few_labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        return (model(test_images).argmax(dim=1) == test_groups).float().mean().item()

def trainable(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


# %%
torch.manual_seed(0)
scratch = LeNet(num_classes=3)

extractor = LeNet()
extractor.load_state_dict(state_dict)
extractor.requires_grad_(False)                 # freeze everything ...
extractor.classifier[4] = nn.Linear(84, 3)      # ... then a new head (new layers require grad)

finetuned = LeNet()
finetuned.load_state_dict(state_dict)
finetuned.classifier[4] = nn.Linear(84, 3)
head = list(finetuned.classifier[4].parameters())
backbone = [p for name, p in finetuned.named_parameters() if not name.startswith("classifier.4")]

print("trainable parameters:", trainable(scratch), trainable(extractor), trainable(finetuned))

# %%
# NBVAL_IGNORE_OUTPUT
# training from random starts: the numbers vary a little between runs and engines
scratch_acc = train_and_test(scratch, [{"params": scratch.parameters(), "lr": 0.003}])
extract_acc = train_and_test(extractor, [{"params": extractor.classifier[4].parameters(), "lr": 0.01}])
finetune_acc = train_and_test(finetuned, [{"params": backbone, "lr": 0.0003},
                                          {"params": head, "lr": 0.01}])
print(f"from scratch {scratch_acc:.3f} | feature extraction {extract_acc:.3f} | fine-tuning {finetune_acc:.3f}")

# %%
print(extract_acc > scratch_acc, finetune_acc > scratch_acc)   # the pretrained features help

# %% [markdown]
# With 30 examples, a network trained from scratch has too little to learn from; the pretrained
# LeNet already detects strokes and loops, and only needs a new way to group them.
#
# ## 5. `torch.hub`: publishing a model with `hubconf.py`
#
# A repository (on GitHub, or a local folder) publishes models through a file `hubconf.py`: a
# `dependencies` list and one function per **entry point**, whose docstring is its help.
# `torch.hub.load(repo_or_dir, entry_point, source="local")` imports the file and calls the function;
# for a GitHub repository (`"owner/repo"`), `torch.hub.list` and `torch.hub.help` show the entry
# points and their docstrings. Our hubconf imports the engine this notebook runs on.

# %%
hub_dir = Path(tempfile.mkdtemp())
(hub_dir / "hubconf.py").write_text(f'''
dependencies = ["{torch.__name__}"]

def lenet_digits(weights_file=None):
    "LeNet for 8x8 grey digits; weights_file: a state_dict checkpoint to load."
    import {torch.__name__} as torch
    import {torch.__name__}.nn as nn
    model = nn.Sequential(
        nn.Conv2d(1, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.AdaptiveAvgPool2d((2, 2)), nn.Flatten(),
        nn.Linear(64, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    if weights_file is not None:
        state = torch.load(weights_file, weights_only=True)
        # the checkpoint's names (features.0, classifier.0, ...) -> this Sequential's (0, 8, ...)
        model.load_state_dict(dict(zip(model.state_dict(), state.values())))
    return model
''')
hub_model = torch.hub.load(str(hub_dir), "lenet_digits", source="local", weights_file=WEIGHTS_FILE).eval()
with torch.no_grad():
    print(torch.allclose(hub_model(test_images), pretrained(test_images), atol=1e-6))

# %% [markdown]
# ## 6. Between edutorch and PyTorch
#
# `torch.save` writes PyTorch's checkpoint format: a zip archive holding a pickle of the structure
# (`data.pkl`) and one file per tensor's storage. edutorch writes and reads the same format, so a
# model trained here loads in PyTorch with `torch.load` + `load_state_dict` — and back. (The LeNet
# weights above were written by edutorch; this notebook's PyTorch twin loads them with PyTorch.)

# %%
checkpoint = os.path.join(tempfile.mkdtemp(), "finetuned.pth")
torch.save(finetuned.state_dict(), checkpoint)
with zipfile.ZipFile(checkpoint) as archive:
    names = archive.namelist()
print(sorted(name.split("/", 1)[1] for name in names if not name.split("/", 1)[1].startswith("data/")))
print(len([n for n in names if "/data/" in n]), "storage files for", len(finetuned.state_dict()), "tensors")
again = LeNet(num_classes=3)
print(again.load_state_dict(torch.load(checkpoint, weights_only=True)))

# %% [markdown]
# In PyTorch, the same three lines load it: `model = LeNet(num_classes=3)`,
# `model.load_state_dict(torch.load("finetuned.pth", weights_only=True))`, `model.eval()`.
# `weights_only=True` (the default in both) refuses files that would run code when loaded.
#
# ## Summary
#
# - `models.<arch>(weights=<Arch>_Weights.<NAME>)`; `weights.meta` (categories, metrics, number of
#   parameters) and `weights.transforms()` (the matching preprocessing); files go to the hub cache.
# - Feature extraction: freeze (`requires_grad_(False)`), replace the head, train the head.
#   Fine-tuning: replace the head, train everything with a smaller learning rate for the backbone
#   (parameter groups).
# - `hubconf.py` + `torch.hub.load(..., source="local")` publishes and loads models.
# - Checkpoints are PyTorch's format: models move between edutorch and PyTorch.
#
# ## Exercises
#
# 1. Repeat section 4 with 10 and with 300 labelled examples. When does pretraining stop helping?
# 2. In fine-tuning, give the backbone the same learning rate as the head. What happens to the
#    test accuracy, and why?
# 3. Freeze only `features` (the convolutions) and train the whole `classifier`.
# 4. Add a second entry point to the hubconf that returns the 3-group model, and load it.
