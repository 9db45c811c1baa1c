# %% [markdown]
# # 11 · The training loop, start to finish
#
# Every supervised training script has the same five parts, in this order:
#
# 1. **data** (数据): `Dataset` + `transforms` + `DataLoader` (lessons 03–04);
# 2. **model** (模型): an `nn.Module` and its initialisation (lessons 06–08, 14);
# 3. **loss** (损失函数): what "wrong" means (lesson 09);
# 4. **optimizer** (优化器) and learning-rate schedule (lesson 10);
# 5. **iteration** (迭代训练): the loop — forward, loss, `zero_grad`, `backward`, `step` — with
#    `model.train()` / `model.eval()`, accuracy, logging and checkpoints.
#
# **Goals.** After this lesson you can write that loop from memory, evaluate correctly
# (`eval()` + `no_grad()`), log to TensorBoard, keep the best checkpoint and resume from it.
#
# We train **LeNet**, the small network our notes use for CIFAR-10, adapted to the real handwritten
# digits in `data/digits` (grey, so 1 input channel; 8×8 images enlarged to 32×32, LeNet's size).

# %%
# %matplotlib inline
import math
import os
import shutil

import matplotlib.pyplot as plt
import numpy as np

# to run this lesson on PyTorch, change `edutorch` to `torch` and `edutorch.vision` to
# `torchvision` in the import lines below
import edutorch as torch
import edutorch.nn as nn
import edutorch.nn.functional as F
from edutorch.utils.data import DataLoader
from edutorch.utils.tensorboard import SummaryWriter
from edutorch.vision import datasets, transforms
EDUTORCH = torch.__name__ == "edutorch"
if EDUTORCH:  # edutorch-only helper: print the source code behind an op or a graph node
    from edutorch.notebook import show_source

torch.manual_seed(0)
plt.rcParams["figure.dpi"] = 80

# %% [markdown]
# The number of epochs comes from an environment variable, so that the automatic tests can run a
# short version of this notebook (3 epochs) while you run the full one (8).

# %%
EPOCHS = int(os.environ.get("EDUTORCH_LESSON_EPOCHS", "8"))
BATCH_SIZE, LR = 32, 0.01
LOG_DIR, CKPT_DIR = "runs/11_training_loop", "checkpoints/11_training_loop"
shutil.rmtree(LOG_DIR, ignore_errors=True)       # start from empty folders on every run
shutil.rmtree(CKPT_DIR, ignore_errors=True)
os.makedirs(CKPT_DIR)

# %% [markdown]
# ## Step 1 · Data
#
# Training images get **augmentation** (a random crop of the padded digit); validation images get
# only the deterministic part. Both are normalised with the training set's mean and standard deviation.

# %%
raw = datasets.MNIST("../data/digits", train=True)
pixels = raw.data.float() / 255
MEAN, STD = round(pixels.mean().item(), 4), round(pixels.std().item(), 4)
print("mean", MEAN, "std", STD)

train_transform = transforms.Compose([
    transforms.Resize(32),
    transforms.RandomCrop(32, padding=2),
    transforms.ToTensor(),
    transforms.Normalize([MEAN], [STD]),
])
valid_transform = transforms.Compose([
    transforms.Resize(32),
    transforms.ToTensor(),
    transforms.Normalize([MEAN], [STD]),
])
train_data = datasets.MNIST("../data/digits", train=True, transform=train_transform)
valid_data = datasets.MNIST("../data/digits", train=False, transform=valid_transform)
train_loader = DataLoader(train_data, batch_size=BATCH_SIZE, shuffle=True)
valid_loader = DataLoader(valid_data, batch_size=120)
images, labels = next(iter(train_loader))
print(len(train_data), len(valid_data), "|", len(train_loader), "iterations per epoch |",
      tuple(images.shape), labels.dtype)


# %% [markdown]
# ## Step 2 · Model
#
# LeNet: two conv–ReLU–pool stages, then three fully connected layers. `initialize_weights`
# follows our notes: Xavier for convolutions, a small normal for linear layers, zero biases.

# %%
class LeNet(nn.Module):
    def __init__(self, classes, in_channels=3):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, classes)

    def forward(self, x):
        out = F.max_pool2d(F.relu(self.conv1(x)), 2)     # (N, 6, 14, 14)
        out = F.max_pool2d(F.relu(self.conv2(out)), 2)   # (N, 16, 5, 5)
        out = out.view(out.size(0), -1)                  # (N, 400)
        out = F.relu(self.fc1(out))
        out = F.relu(self.fc2(out))
        return self.fc3(out)

    def initialize_weights(self):
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.xavier_normal_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.1)
                nn.init.zeros_(m.bias)

torch.manual_seed(0)
model = LeNet(classes=10, in_channels=1)
model.initialize_weights()
print(model)
print(sum(p.numel() for p in model.parameters()), "parameters;", tuple(model(images).shape))

# %% [markdown]
# ## Steps 3 and 4 · Loss, optimizer, schedule

# %%
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=max(1, EPOCHS // 2), gamma=0.1)
print(criterion, optimizer, sep="\n")


# %% [markdown]
# ## Step 5 · Iteration
#
# Two functions carry the loop. Note the details that are easy to get wrong:
#
# - `model.train()` before training and `model.eval()` before evaluating (dropout and batch norm
#   behave differently; this model has neither, but the habit matters);
# - `torch.no_grad()` while evaluating: no graph is built, which saves memory and time;
# - `optimizer.zero_grad()` every step, because gradients accumulate (lesson 02);
# - `loss.item()` to log a number, never the tensor (that would keep the whole graph alive).

# %%
def train_one_epoch(model, loader, criterion, optimizer):
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    for images, labels in loader:
        outputs = model(images)                 # forward
        loss = criterion(outputs, labels)
        optimizer.zero_grad()                   # clear last step's gradients
        loss.backward()                         # backward
        optimizer.step()                        # update
        total_loss += loss.item() * len(labels)
        correct += (outputs.argmax(dim=1) == labels).sum().item()
        seen += len(labels)
    return total_loss / seen, correct / seen


def evaluate(model, loader, criterion):
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in loader:
            outputs = model(images)
            total_loss += criterion(outputs, labels).item() * len(labels)
            correct += (outputs.argmax(dim=1) == labels).sum().item()
            seen += len(labels)
    return total_loss / seen, correct / seen


# %% [markdown]
# The loop itself: train, evaluate, log, step the schedule, and save a checkpoint whenever the
# validation accuracy improves. The checkpoint holds everything needed to resume (lesson 12).
#
# *edutorch-only*: `TrainingMonitor` draws the curves live while the loop runs (in a script or under
# the tests it prints lines instead); on PyTorch the same loop prints one line per epoch.

# %%
# NBVAL_IGNORE_OUTPUT
# training is random; the live monitor is edutorch-only
writer = SummaryWriter(log_dir=LOG_DIR)
writer.add_graph(model, images)
if EDUTORCH:
    from edutorch.notebook import TrainingMonitor
    monitor = TrainingMonitor(metrics=["loss", "acc"], total_steps=EPOCHS - 1)

best_acc, best_epoch = 0.0, -1
for epoch in range(EPOCHS):
    train_loss, train_acc = train_one_epoch(model, train_loader, criterion, optimizer)
    valid_loss, valid_acc = evaluate(model, valid_loader, criterion)
    scheduler.step()
    writer.add_scalars("loss", {"train": train_loss, "valid": valid_loss}, epoch)
    writer.add_scalars("accuracy", {"train": train_acc, "valid": valid_acc}, epoch)
    writer.add_histogram("conv1.weight", model.conv1.weight, epoch)
    if EDUTORCH:
        monitor.log(epoch, loss=train_loss, valid_loss=valid_loss, acc=train_acc, valid_acc=valid_acc)
    else:
        print(f"epoch {epoch}: loss {train_loss:.3f}/{valid_loss:.3f}  acc {train_acc:.3f}/{valid_acc:.3f}")
    if valid_acc > best_acc:
        best_acc, best_epoch = valid_acc, epoch
        torch.save({"epoch": epoch, "model_state_dict": model.state_dict(),
                     "optimizer_state_dict": optimizer.state_dict(),
                     "scheduler_state_dict": scheduler.state_dict(), "best_acc": best_acc},
                   os.path.join(CKPT_DIR, "best.pth"))
writer.close()
if EDUTORCH:
    monitor.close()
print(f"best validation accuracy {best_acc:.3f} at epoch {best_epoch}")

# %% [markdown]
# Chance is 10 % with ten classes. Even the short run is far above it:

# %%
print(best_acc > 0.5, 0 <= best_epoch < EPOCHS, sorted(os.listdir(CKPT_DIR)))

# %% [markdown]
# ## Resuming from the best checkpoint
#
# Load the dictionary, put each state back into a freshly built object, and the model predicts
# exactly as it did when it was saved.

# %%
checkpoint = torch.load(os.path.join(CKPT_DIR, "best.pth"))
restored = LeNet(classes=10, in_channels=1)
restored.load_state_dict(checkpoint["model_state_dict"])
restored_optimizer = torch.optim.SGD(restored.parameters(), lr=LR, momentum=0.9)
restored_optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
_, acc = evaluate(restored, valid_loader, criterion)
print(sorted(checkpoint), checkpoint["epoch"] == best_epoch, acc == checkpoint["best_acc"])

# %% [markdown]
# ## What went wrong? Look at the mistakes
#
# The confusion matrix (混淆矩阵) counts, for every true digit (row), which digit the model
# predicted (column). The diagonal is correct; the biggest off-diagonal cells are the digits the
# model mixes up.

# %%
restored.eval()
with torch.no_grad():
    predictions = torch.cat([restored(images).argmax(dim=1) for images, _ in valid_loader])
targets = valid_data.targets
# count each (true, predicted) pair: pair number true * 10 + predicted, counted by bincount
confusion = torch.bincount(targets * 10 + predictions, minlength=100).view(10, 10)
correct = confusion[torch.arange(10), torch.arange(10)].sum().item()
print(confusion.sum().item() == len(valid_data), correct / len(valid_data) == acc)

# %%
# NBVAL_IGNORE_OUTPUT
# depends on the trained weights
plt.figure(figsize=(4, 4))
plt.imshow(confusion.numpy(), cmap="Blues")
plt.xlabel("predicted"); plt.ylabel("true"); plt.xticks(range(10)); plt.yticks(range(10))
plt.title(f"confusion matrix, accuracy {acc:.2f}")
plt.show()

# %% [markdown]
# ## Where the logs went
#
# `SummaryWriter` wrote TensorBoard event files under `runs/11_training_loop` (the `add_scalars`
# keys became sub-runs `loss_train`, `loss_valid`, ...). Open them with the real TensorBoard:
#
# ```
# tensorboard --logdir lessons/runs
# ```
#
# or inline with edutorch's board (lesson 05): `%load_ext edutorch`, then
# `%edutorch_board --logdir runs/11_training_loop`.

# %%
print(sorted(name for name in os.listdir(LOG_DIR) if not name.startswith("events")))

# %% [markdown]
# ## Summary
#
# - Five parts: data, model, loss, optimizer, iteration. Write them in this order, every time.
# - In the loop: `train()`, forward, loss, `zero_grad()`, `backward()`, `step()`; log `loss.item()`.
# - Evaluate with `eval()` and `no_grad()`; keep the checkpoint with the best validation score,
#   with the optimizer and scheduler states so training can resume.
# - Log to TensorBoard with `SummaryWriter`; watch with `TrainingMonitor` or the board.
#
# ## Exercises
#
# 1. Remove `optimizer.zero_grad()` and train again. What happens to the loss, and why?
# 2. Replace `StepLR` with `CosineAnnealingLR(optimizer, T_max=EPOCHS)` and compare the curves in
#    TensorBoard.
# 3. Add `nn.Dropout(0.3)` before `fc2`. Evaluate once with `model.train()` by mistake: what changes
#    between two evaluations?
# 4. Train on `data/textures` (3 classes, RGB, `LeNet(classes=3)`) with `RandomResizedCrop(32)`.
