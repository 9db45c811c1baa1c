# %% [markdown]
# # 15 · Pretrained models and fine-tuning
#
# *Runs in about 15 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
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
# - load pretrained weights from a checkpoint file, predict with them, and say which data they
#   were trained on;
# - do **feature extraction** (freeze the backbone, train a new head) and **fine-tuning** (train all,
#   with a smaller learning rate for the pretrained part), with few examples the model never saw;
# - use a validation set to choose and a test set only to report, and compare with a baseline;
# - publish and load a model through `torch.hub` with a `hubconf.py`;
# - move a model between edutorch and PyTorch through a checkpoint file.

# %%
# %matplotlib inline
import os
import tempfile
import zipfile
from pathlib import Path
import matplotlib.cbook as cbook
from PIL import Image

import matplotlib.pyplot as plt

# to run this lesson on PyTorch, change `edutorch` to `torch` and `edutorch.vision` to
# `torchvision` in the import lines below
import edutorch as torch
import edutorch.nn as nn
import edutorch.nn.functional as F
from edutorch.utils.data import DataLoader
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
# **Which data did these weights see?** `data/digits` has two splits, stored as MNIST stores them:
# `train=True` holds the first 1437 digits, `train=False` the last 360, written by *other people*.
# The shipped LeNet was trained on the 1437 of the train split only (30 epochs of Adam, see
# `data/weights/README.md`), with pixels scaled to `[0, 1]` and normalised with that split's mean and
# std. Measure it on both splits:

# %%
to_input = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.3054], [0.3753])])
train_split = datasets.MNIST("../data/digits", train=True, transform=to_input)
new_writers = datasets.MNIST("../data/digits", train=False, transform=to_input)
train_images, train_labels = next(iter(DataLoader(train_split, batch_size=len(train_split))))
new_images, new_digits = next(iter(DataLoader(new_writers, batch_size=len(new_writers))))

def accuracy(model, images, labels):
    model.eval()
    with torch.no_grad():
        return (model(images).argmax(dim=1) == labels).float().mean().item()

print(f"train split, {len(train_split)} digits the model was trained on: {accuracy(pretrained, train_images, train_labels):.3f}")
print(f"test split,   {len(new_writers)} digits by writers it never saw:  {accuracy(pretrained, new_images, new_digits):.3f}")

# %% [markdown]
# 100 % on the images it learned from, 92.5 % (333 of 360) on new writers. A model fits its own
# training images better than any new ones, which is why it is always measured on data it did not
# see. The 92.5 % is the number the weights' README reports as their test accuracy.
#
# The predicted probabilities say more than the accuracy. Most digits get almost all of the
# probability on one class, so printing the first few digits would show `1.0, 0.0, 0.0` again and
# again. The mistakes are more telling:

# %%
with torch.no_grad():
    probabilities = pretrained(new_images).softmax(dim=1)
confidence, predicted = probabilities.max(dim=1)
right = predicted == new_digits
wrong = (~right).nonzero().flatten()
print(f"{len(wrong)} mistakes | mean top-1 probability: {confidence[right].mean().item():.2f} when right, "
      f"{confidence[wrong].mean().item():.2f} when wrong")
top3 = probabilities[wrong[:4]].topk(3, dim=1)
for i, index in enumerate(wrong[:4].tolist()):
    print(f"digit #{index:3d}: true {new_digits[index].item()} | top-3:",
          [(c, round(p, 2)) for c, p in zip(top3.indices[i].tolist(), top3.values[i].tolist())])

fig, axes = plt.subplots(1, 4, figsize=(6, 1.8))
for ax, index in zip(axes, wrong[:4].tolist()):
    ax.imshow(new_images[index, 0].numpy(), cmap="gray_r")
    ax.set_title(f"true {new_digits[index].item()}, said {predicted[index].item()}", fontsize=8)
    ax.axis("off")
plt.show()
plt.close(fig)

# %% [markdown]
# The model is less sure when it is wrong (a lower top-1 probability on average), but not always:
# some mistakes still get most of the probability. A softmax output is a score, not a guaranteed
# probability of being right. On 8×8 pixels, some of these digits are hard for a person too.

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
        print(torch.equal(zoo_model(new_images), pretrained(new_images)))

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
#
# **Where the data comes from matters.** The 30 examples must not come from the train split: the
# pretrained LeNet was trained on those very images, with digit labels that fix the group labels, and
# it fits them perfectly (100 % above). Its features for those images are the ones it was trained to
# produce, cleaner than any new image will give, so a head trained on them would show the pretrained
# methods at their best rather than as they will do. In a real transfer, the new task's data is new
# to the model, and so the experiment must be too. Everything here comes from the **test split**, the
# 360 digits by other writers, cut into three disjoint parts:
#
# - **training set** (训练集): 30 examples, the first 3 of each digit;
# - **validation set** (验证集): 130 digits, used to *choose* things — here, when to stop training;
# - **test set** (测试集): the last 200 digits, used once per method for the final number and for
#   nothing else. A set that helped choose is no longer an unbiased measure.

# %%
GROUP = torch.tensor([0, 1, 2, 2, 1, 2, 0, 1, 0, 0])      # digit -> 0 round, 1 straight, 2 mixed
new_groups = GROUP[new_digits]

few_index, rest = [], []
taken = [0] * 10
for i, digit in enumerate(new_digits.tolist()):
    if taken[digit] < 3:                                   # the first 3 of each digit
        few_index.append(i)
        taken[digit] += 1
    else:
        rest.append(i)
few_index, val_index, test_index = torch.tensor(few_index), torch.tensor(rest[:130]), torch.tensor(rest[130:])
few_images, few_groups = new_images[few_index], new_groups[few_index]
val_images, val_groups = new_images[val_index], new_groups[val_index]
test_images, test_groups = new_images[test_index], new_groups[test_index]
for name, groups in [("training", few_groups), ("validation", val_groups), ("test", test_groups)]:
    print(f"{name:10s} {len(groups):3d} digits, per group (round, straight, mixed): {torch.bincount(groups).tolist()}")

# %% [markdown]
# One training function for all three methods. It runs 100 steps of Adam on the 30 examples, measures
# the validation accuracy every 10 steps, and keeps a copy of the weights at the best validation
# accuracy (**early stopping**: with 30 examples, training too long only memorises them). The copy
# needs `.clone()`: `state_dict()` returns the live parameter tensors, which the next step would change.

# %%
def train(model, param_groups, steps=100, every=10):
    optimizer = torch.optim.Adam(param_groups)
    curve = [accuracy(model, val_images, val_groups)]
    best_acc, best_state = curve[0], {k: v.clone() for k, v in model.state_dict().items()}
    for step in range(1, steps + 1):
        model.train()
        loss = F.cross_entropy(model(few_images), few_groups)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % every == 0:
            curve.append(accuracy(model, val_images, val_groups))
            if curve[-1] > best_acc:
                best_acc, best_state = curve[-1], {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)          # the weights the validation set chose
    return curve

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
print("the extractor's:", trainable(extractor) == 84 * 3 + 3, "| the fine-tuned backbone's:",
      sum(p.numel() for p in backbone) == trainable(finetuned) - (84 * 3 + 3))

# %% [markdown]
# Feature extraction trains 255 numbers (84 × 3 weights + 3 biases); the other two train all
# 19,159 (the new LeNet has a 3-way head, hence fewer than the 19,754 of the 10-way one).

# %%
# NBVAL_IGNORE_OUTPUT
# training from random starts: the numbers vary a little between runs and engines
curves = {"from scratch": train(scratch, [{"params": scratch.parameters(), "lr": 0.003}]),
          "feature extraction": train(extractor, [{"params": extractor.classifier[4].parameters(), "lr": 0.01}]),
          "fine-tuning": train(finetuned, [{"params": backbone, "lr": 0.0003}, {"params": head, "lr": 0.01}])}
models_ = {"from scratch": scratch, "feature extraction": extractor, "fine-tuning": finetuned}
test_acc = {}
for name, curve in curves.items():
    test_acc[name] = accuracy(models_[name], test_images, test_groups)      # once, at the end
    print(f"{name:19s} best validation {max(curve):.3f} | test {test_acc[name]:.3f}")

fig, ax = plt.subplots(figsize=(5.5, 3))
for name, curve in curves.items():
    ax.plot(range(0, 10 * len(curve), 10), curve, "o-", ms=3, label=name)
ax.axhline(1 / 3, color="0.8", ls=":", label="chance (1/3)")
ax.set_xlabel("training step")
ax.set_ylabel("validation accuracy")
ax.set_ylim(0, 1)
ax.legend(fontsize=7)
plt.show()
plt.close(fig)

# %%
print(test_acc["feature extraction"] > test_acc["from scratch"], test_acc["fine-tuning"] > test_acc["from scratch"],
      min(test_acc["feature extraction"], test_acc["fine-tuning"]) >= 0.8)   # the pretrained features help

# %% [markdown]
# How to read this:
#
# - **Step 0** is before any training. The new heads are random, so the validation accuracy there is
#   anywhere around chance (1/3), sometimes below it.
# - All three level off within 20 to 30 steps: 30 examples are fitted quickly. What differs is the
#   level. The pretrained features were learned from 1437 digits, so a new head on top of them carries
#   over to other writers' digits; the network trained from scratch learned its features from 30
#   images, and they generalise worse.
# - The curves then flatten or drop a little: the 30 examples are soon fitted exactly, and more steps
#   only memorise them. The validation set chose the step whose weights `train` keeps.
# - On the test set (one number per method, used to choose nothing), both pretrained methods beat
#   training from scratch. By how much varies from run to run: re-run with ten different seeds, this
#   section gave on average 0.72 from scratch (between 0.66 and 0.81), 0.86 for feature extraction
#   and 0.87 for fine-tuning (each within about 4 points of that). With 30 examples the random start
#   matters, so do not read much into a difference of one or two points, such as the one between the
#   two pretrained methods.
#
# And the leak described above? Over the same ten seeds, taking the 30 examples from the train split
# instead raised both pretrained methods by about 3 points on the same test set and left training from
# scratch where it was. Small here, but a leak like this only ever flatters the method.
#
# ### Check your understanding
#
# Why a smaller learning rate for the pretrained part? Predict how far each backbone moved from the
# pretrained weights, then measure it: the relative change $\lVert w - w_0 \rVert / \lVert w_0 \rVert$
# over all backbone tensors. A fourth model fine-tunes with the head's learning rate for everything.

# %%
def moved(model):
    names = [name for name, _ in model.named_parameters() if not name.startswith("classifier.4")]
    current = dict(model.named_parameters())
    change = sum(((current[n].detach() - state_dict[n]) ** 2).sum() for n in names)
    return (change / sum((state_dict[n] ** 2).sum() for n in names)).sqrt().item()

torch.manual_seed(0)
same_lr = LeNet()
same_lr.load_state_dict(state_dict)
same_lr.classifier[4] = nn.Linear(84, 3)
same_curve = train(same_lr, [{"params": same_lr.parameters(), "lr": 0.01}])

# %%
# NBVAL_IGNORE_OUTPUT
# depends on the random heads
print(f"backbone moved: extraction {moved(extractor):.4f} | fine-tuning (lr 3e-4) {moved(finetuned):.4f} | "
      f"one lr for all (1e-2) {moved(same_lr):.4f}")
print(f"one lr for all: best validation {max(same_curve):.3f}, test {accuracy(same_lr, test_images, test_groups):.3f}")

# %%
print(moved(extractor) == 0, moved(finetuned) < 0.05, moved(same_lr) > 3 * moved(finetuned))

# %% [markdown]
# The frozen backbone did not move at all (exactly 0: no gradient reached it). Fine-tuning moved it by
# about 2 %: adjusted, not replaced. With the head's learning rate the backbone moved by tens of
# percent in the same number of steps: what it knew about digits is being overwritten to fit 30
# examples. Its test accuracy is usually a few points below careful fine-tuning (about 0.80 over ten
# seeds), though on a single seed the two can come close.
#
# **A baseline worth computing first.** The new groups are unions of the old classes, so the old
# 10-digit head already answers the new question: predict the digit, then look up its group.

# %%
with torch.no_grad():
    relabelled = GROUP[pretrained(val_images).argmax(dim=1)]
print(f"the old head, relabelled: validation accuracy {(relabelled == val_groups).float().mean().item():.3f}")

# %% [markdown]
# Higher than all three trained heads! The old head learned from 1437 labelled digits; the new heads
# learned the same grouping from 30. When the new classes are combinations of the old ones, use the
# old head. Transfer learning with a new head is for classes the old model has no output for —
# photos of your own products, say, from a model pretrained on ImageNet — and there the comparison
# above (pretrained features beat learning from scratch on few examples) is the one that holds.
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
    print(torch.allclose(hub_model(new_images), pretrained(new_images), atol=1e-6))

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
with torch.no_grad():
    print(torch.equal(again.eval()(new_images), finetuned.eval()(new_images)))

# %% [markdown]
# In PyTorch, the same three lines load it: `model = LeNet(num_classes=3)`,
# `model.load_state_dict(torch.load("finetuned.pth", weights_only=True))`, `model.eval()`.
# `weights_only=True` (the default in both) refuses files that would run code when loaded.

# %% [markdown]
# ## Summary
#
# - `models.<arch>(weights=<Arch>_Weights.<NAME>)`; `weights.meta` (categories, metrics, number of
#   parameters) and `weights.transforms()` (the matching preprocessing); files go to the hub cache.
# - Know what data the pretrained weights saw: the shipped LeNet scores 100 % on its train split and
#   92.5 % on new writers. Examples for a new task, and its validation and test sets, must be data
#   the model never trained on, or the transfer looks better than it is.
# - Feature extraction: freeze (`requires_grad_(False)`), replace the head, train the head.
#   Fine-tuning: replace the head, train everything with a smaller learning rate for the backbone
#   (parameter groups). With 30 new examples both beat training from scratch, on average by more
#   than 10 points.
# - Choose with the validation set (here: the step to stop at), report the test set once.
# - Check the cheap baseline first: when the new classes are unions of the old ones, the old head
#   relabelled may beat any new head.
# - `hubconf.py` + `torch.hub.load(..., source="local")` publishes and loads models.
# - Checkpoints are PyTorch's format: models move between edutorch and PyTorch.

# %% [markdown]
# ## Exercises
#
# Write the code in each `# Exercise` cell, run it, then run the check below it: the check says
# ✓ when your code is right, or ✗ with a hint that names what is wrong. The checks work on
# edutorch and on real PyTorch alike, on a small network of their own whose `classifier` is an
# `nn.Sequential` ending in its head, like the LeNet above. Stuck? The solutions are in
# [solutions/15_pretrained_and_finetuning.py](solutions/15_pretrained_and_finetuning.py) (one click;
# try first!).

# %%
from checks.lesson15 import Checks   # the checks of these exercises: lessons/checks/lesson15.py
check = Checks(torch)

# %% [markdown]
# **Exercise 1 — feature extraction, set up.** Write `freeze_and_replace_head(model, num_classes)`:
# freeze every parameter of `model`, then put a new `nn.Linear` with `num_classes` outputs in place of
# the last layer of `model.classifier` (it takes as many inputs as the old one), and return the model.
# The check looks at which parameters still require grad, the new head's size, and that the
# pretrained weights are untouched.

# %%
# Exercise 1: freeze the pretrained model, then give it a new head with num_classes outputs
def freeze_and_replace_head(model, num_classes):
    raise NotImplementedError("freeze with requires_grad_(False), then replace model.classifier[-1]")

# %%
check.ex1(freeze_and_replace_head)

# %% [markdown]
# **Exercise 2 — count what trains.** Write `count_trainable(model)`: the number of parameter
# *elements* that will be trained (those whose tensor requires grad). The check freezes parts of a
# model and compares with its own count.

# %%
# Exercise 2: the number of trainable parameter elements of a model
def count_trainable(model):
    raise NotImplementedError("add up p.numel() over the parameters that require grad")

# %%
check.ex2(count_trainable)

# %% [markdown]
# **Exercise 3 — parameter groups.** Write `finetune_optimizer(model, backbone_lr, head_lr)` for
# fine-tuning: a `torch.optim.Adam` with two parameter groups, the head (`model.classifier[-1]`) at
# `head_lr` and every other parameter at the smaller `backbone_lr`. Each parameter must be in exactly
# one group.

# %%
# Exercise 3: Adam with two parameter groups: backbone at backbone_lr, head at head_lr
def finetune_optimizer(model, backbone_lr, head_lr):
    raise NotImplementedError("split the parameters into backbone and head, one dict per group")

# %%
check.ex3(finetune_optimizer)

# %% [markdown]
# **Exercise 4 — train only the head.** `model` comes frozen, with a new head (as Exercise 1 makes
# it). Write `train_head(model, images, labels, steps, lr)`: build a `torch.optim.SGD` over the
# **trainable** parameters only, take `steps` steps on the cross-entropy of the whole batch, and
# return `(optimizer, losses)`, where `losses` holds each step's loss as a number (`loss.item()`). The
# check compares your losses with its own loop and looks at what the optimizer holds.

# %%
# Exercise 4: a training loop for feature extraction; return (optimizer, losses)
def train_head(model, images, labels, steps, lr):
    losses = []
    raise NotImplementedError("optimizer over trainable parameters; loop: loss, zero_grad, backward, step")
    return optimizer, losses

# %%
check.ex4(train_head)

# %% [markdown]
# ## 中文小结
#
# - **预训练模型**已经在大数据集上学到了有用的特征；**迁移学习**把这些特征用到只有少量数据的新任务上。
#   `models.<结构>(weights=...)` 构建模型并加载权重，`weights.meta` 给出类别、指标和参数量，
#   `weights.transforms()` 给出与权重配套的预处理。
# - 先弄清预训练权重见过哪些数据：随附的 LeNet 在它的训练集上准确率 100%，在其他书写者的 360 个数字上为
#   92.5%。新任务的训练样本、验证集和测试集都必须来自模型没见过的数据，否则迁移的效果会被高估。
# - **特征提取**：冻结全部参数（`requires_grad_(False)`），换上新的输出层，只训练它；**微调**：换上新的
#   输出层，训练全部参数，但用**参数组**给预训练部分更小的学习率，使特征被调整而不被破坏。
#   只有 30 个样本时，两者的测试准确率都比从零训练平均高出 10 个百分点以上。
# - 用**验证集**做选择（这里是提前停止的步数），**测试集**只在最后报告一次结果。
# - 先算简单的基线：新类别若是旧类别的组合，直接把旧输出层的预测换成新标签可能比任何新输出层都好。
# - `hubconf.py` 与 `torch.hub.load` 发布和加载模型；检查点是 PyTorch 的格式，可在 edutorch 和 PyTorch 之间互通。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | pretrained model | 预训练模型 | `torchvision.models.resnet50(weights=...)` |
# | weights enum | 权重枚举 | `torchvision.models.ResNet50_Weights` |
# | preprocessing | 预处理 | `weights.transforms()` |
# | transfer learning | 迁移学习 | — |
# | feature extraction | 特征提取 | `requires_grad_(False)` |
# | fine-tuning | 微调 | — |
# | freezing parameters | 冻结参数 | `Module.requires_grad_(False)` |
# | output layer (head) | 输出层 | `model.classifier[-1]`, `model.fc` |
# | parameter group | 参数组 | `optimizer.param_groups` |
# | learning rate | 学习率 | `lr` |
# | training / validation / test set | 训练集 / 验证集 / 测试集 | — |
# | early stopping | 提前停止 | — |
# | baseline | 基线 | — |
# | top-k accuracy | top-k 准确率 | `Tensor.topk` |
# | model hub / entry point | 模型中心 / 入口点 | `torch.hub.load`, `hubconf.py` |
# | checkpoint | 检查点 | `torch.save`, `torch.load` |
