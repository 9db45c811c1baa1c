# %% [markdown]
# # 11 · The training loop, start to finish
#
# *Runs in about 15 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
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
# **Goals.** After this lesson you can
#
# - write that loop from memory, and evaluate correctly (`eval()` + `no_grad()`);
# - split off a **validation set** (验证集) from the training data, choose the best epoch on it, and
#   touch the **test set** (测试集) only once, at the very end;
# - log to TensorBoard, keep the best checkpoint (检查点) and resume from it;
# - read a confusion matrix (混淆矩阵) to see which classes the model mixes up.
#
# We train **LeNet**, the classic small convolutional network (two convolutions, three fully
# connected layers, made for 32×32 images), on the real handwritten digits in `data/digits` (grey,
# so 1 input channel; 8×8 images enlarged to 32×32).

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
from edutorch.utils.data import DataLoader, Subset, random_split
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
# The digits come as two files: a training file (1437 images) and a test file (360). The **test
# set** is for the final report only. If we chose the epoch, the learning rate or the model by their
# test accuracy, we would be tuning on the test set, and its accuracy would no longer say how the
# model does on digits it has never influenced. So we carve a **validation set** out of the training
# file — 20 %, drawn by `random_split` with a seeded generator (lesson 03), so that every run gets the
# same split — make every choice on it, and evaluate on the test set once, at the end.

# %%
raw = datasets.MNIST("../data/digits", train=True)
train_part, valid_part = random_split(range(len(raw)), [0.8, 0.2], generator=torch.Generator().manual_seed(0))
train_idx, valid_idx = list(train_part.indices), list(valid_part.indices)
print(len(train_idx), "training and", len(valid_idx), "validation images; disjoint:",
      set(train_idx).isdisjoint(valid_idx))

# %% [markdown]
# Training images get **augmentation** (a random crop of the padded digit); validation and test
# images get only the deterministic part. All are normalised with the mean and standard deviation of
# the training part: the validation and test images play "new data", so nothing is computed from them.

# %%
# NBVAL_IGNORE_OUTPUT
# the split (and so the statistics) depends on the engine's random generator
pixels = raw.data[train_idx].float() / 255
MEAN, STD = round(pixels.mean().item(), 4), round(pixels.std().item(), 4)
print("mean", MEAN, "std", STD)

# %%
train_transform = transforms.Compose([
    transforms.Resize(32),
    transforms.RandomCrop(32, padding=2),
    transforms.ToTensor(),
    transforms.Normalize([MEAN], [STD]),
])
eval_transform = transforms.Compose([
    transforms.Resize(32),
    transforms.ToTensor(),
    transforms.Normalize([MEAN], [STD]),
])
# the same training file twice, with two transforms; the indices decide who sees which image
train_data = Subset(datasets.MNIST("../data/digits", train=True, transform=train_transform), train_idx)
valid_data = Subset(datasets.MNIST("../data/digits", train=True, transform=eval_transform), valid_idx)
test_data = datasets.MNIST("../data/digits", train=False, transform=eval_transform)
train_loader = DataLoader(train_data, batch_size=BATCH_SIZE, shuffle=True)
valid_loader = DataLoader(valid_data, batch_size=120)
test_loader = DataLoader(test_data, batch_size=120)
images, labels = next(iter(train_loader))
print(len(train_data), len(valid_data), len(test_data), "|", len(train_loader), "iterations per epoch |",
      tuple(images.shape), labels.dtype, "| statistics near the whole file's:",
      abs(MEAN - 0.305) < 0.01 and abs(STD - 0.375) < 0.01)


# %% [markdown]
# ## Step 2 · Model
#
# LeNet: two conv–ReLU–pool stages, then three fully connected layers. `initialize_weights` is one
# common choice (lesson 14): Xavier for the convolutions, a small normal for the linear layers, zero
# biases.

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
# - the loss is a *mean over the batch*: multiply it by the batch size before adding it up, then
#   divide by the number of samples seen, so that the smaller last batch (1150 = 35 × 32 + 30)
#   counts for what it is.

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
# The loop itself: train, evaluate **on the validation set**, log, step the schedule, and save a
# checkpoint whenever the validation accuracy improves. The checkpoint holds everything needed to
# resume (lesson 12). The test loader does not appear in the loop at all.
#
# *edutorch-only*: `TrainingMonitor` draws the curves live while the loop runs (in a script or under
# the tests it prints lines instead); on PyTorch the same loop prints one line per epoch. (The monitor
# itself also takes real `torch` tensors and a `torch.utils.tensorboard.SummaryWriter`.)

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
# Which epoch wins is decided by the validation set alone. The last epoch is often, but not
# always, the best one; keeping the best checkpoint protects you when a late epoch gets worse.

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
# model mixes up. We compute it on the validation set: looking at mistakes is a way of choosing
# what to change next, and choices are made on validation data.

# %%
restored.eval()
with torch.no_grad():
    predictions = torch.cat([restored(images).argmax(dim=1) for images, _ in valid_loader])
targets = torch.cat([labels for _, labels in valid_loader])
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
plt.title(f"validation confusion matrix, accuracy {acc:.2f}", fontsize=9)
plt.show()

# %% [markdown]
# ## Finally · the test set, once
#
# Every choice is made: the architecture, the schedule, the epoch. Now, and only now, the test set
# gives its one honest number for the chosen model:

# %%
# NBVAL_IGNORE_OUTPUT
# depends on the training run
test_loss, test_acc = evaluate(restored, test_loader, criterion)
print(f"chosen epoch {best_epoch}: validation accuracy {best_acc:.3f}, test accuracy {test_acc:.3f}")

# %%
print(test_acc > 0.5)

# %% [markdown]
# The two numbers need not agree: the validation accuracy is the maximum over the epochs (so a
# little optimistic), and both sets are small (one test digit is 0.3 %). But here the test accuracy
# is several points lower, more than that explains. A model with no epochs to choose shows that the
# gap belongs to the data, not to LeNet: a **1-nearest-neighbour** classifier gives each image the
# label of the closest training image (in raw pixels).

# %%
train_pixels = raw.data[train_idx].float().flatten(1)
train_labels = raw.targets[train_idx]
test_raw = datasets.MNIST("../data/digits", train=False)

def nearest_neighbour_accuracy(pixels, labels):
    distances = ((pixels[:, None, :] - train_pixels[None, :, :]) ** 2).sum(dim=2)   # (n, 1150)
    return (train_labels[distances.argmin(dim=1)] == labels).float().mean().item()

knn_valid = nearest_neighbour_accuracy(raw.data[valid_idx].float().flatten(1), raw.targets[valid_idx])
knn_test = nearest_neighbour_accuracy(test_raw.data.float().flatten(1), test_raw.targets)

# %%
# NBVAL_IGNORE_OUTPUT
# depends on the random split
print(f"1-nearest neighbour: validation accuracy {knn_valid:.3f}, test accuracy {knn_test:.3f}")

# %%
print(knn_valid > knn_test)

# %% [markdown]
# It too does better on the validation set. The test file holds the *last* 360 digits of the
# original collection, not a random sample of it, while the validation digits are a random sample
# of the same rows as the training digits — and so more like them (written by the same people,
# perhaps). A validation accuracy is an honest guide only as far as the validation data resembles
# the data the model will meet; when data come in groups (writers, patients, days), split by group.
# The test set has just told us something the validation set could not: that is its job. And if you
# now went back and changed the model because of the test accuracy, the test set would become a
# second validation set, and you would need fresh data for an honest report.

# %% [markdown]
# ## Summary
#
# - Five parts: data, model, loss, optimizer, iteration. Write them in this order, every time.
# - In the loop: `train()`, forward, loss, `zero_grad()`, `backward()`, `step()`; log `loss.item()`.
# - Evaluate with `eval()` and `no_grad()`; keep the checkpoint with the best validation score,
#   with the optimizer and scheduler states so training can resume.
# - Three sets, three jobs: train on the training set, choose (epoch, hyperparameters) on the
#   validation set split off with a seeded `random_split`, report the test accuracy once, at the end.
#   Validation accuracy is only as honest as the validation data is like new data: here a random
#   split of the training file was easier than the test file, for LeNet and nearest neighbours alike.
# - Log to TensorBoard with `SummaryWriter`; watch with `TrainingMonitor` or the board.
#
# ## Exercises
#
# Write the code in each `# Exercise` cell, run it, then run the check below it: the check says
# ✓ when your code is right, or ✗ with a hint that names what is wrong. The checks work on
# edutorch and on real PyTorch alike, and build their own small models and data. Stuck? The
# solutions are in [solutions/11_training_loop.py](solutions/11_training_loop.py) (one click; try
# first!).

# %%
from checks.lesson11 import Checks   # the checks of these exercises: lessons/checks/lesson11.py
check = Checks(torch)

# %% [markdown]
# **Exercise 1 — accuracy from logits.** Write `accuracy(logits, labels)`: `logits` has shape
# `(N, classes)` (one row of scores per sample), `labels` shape `(N,)`. Return the fraction of samples
# whose highest score is at their label, as a Python float.

# %%
# Exercise 1: the fraction of rows whose largest logit is at the label
def accuracy(logits, labels):
    raise NotImplementedError("argmax over the classes, compare with the labels, average")

# %%
check.ex1(accuracy)

# %% [markdown]
# **Exercise 2 — one training epoch, from memory.** Write `train_one_epoch(model, loader, criterion,
# optimizer)` without looking at step 5: put the model in training mode; for every batch do the
# forward pass, the loss, `zero_grad`, `backward` and `step`; return `(mean loss, accuracy)` over the
# epoch, where the mean loss is **per sample** (the last batch may be smaller than the others). The
# check trains a small model with batch normalisation on 10 samples in batches of 4, 4 and 2, handing
# it over in evaluation mode, and compares the weights, the loss and the accuracy with the right loop.

# %%
# Exercise 2: model.train(); per batch: forward, loss, zero_grad, backward, step; return (mean loss, accuracy)
def train_one_epoch(model, loader, criterion, optimizer):
    raise NotImplementedError("write the training loop of one epoch")

# %%
check.ex2(train_one_epoch)

# %% [markdown]
# **Exercise 3 — evaluation done right.** Write `evaluate(model, loader, criterion)`: evaluation
# mode, no graph (`torch.no_grad()`), no update; return `(mean loss per sample, accuracy)`. The check
# hands you the model in *training* mode and watches its batch-norm statistics, its weights and
# whether gradient recording was on during the forward passes.

# %%
# Exercise 3: model.eval() and torch.no_grad(); return (mean loss, accuracy)
def evaluate(model, loader, criterion):
    raise NotImplementedError("evaluate without building a graph or changing the model")

# %%
check.ex3(evaluate)

# %% [markdown]
# **Exercise 4 — a confusion matrix.** Write `confusion_matrix(predictions, targets, num_classes)`
# returning an int64 tensor of shape `(num_classes, num_classes)` whose entry `[t, p]` counts the
# samples of true class `t` predicted as `p` (as in the section "What went wrong?"). The check
# includes a class that never occurs.

# %%
# Exercise 4: entry [t, p] = number of samples of true class t predicted as class p
def confusion_matrix(predictions, targets, num_classes):
    raise NotImplementedError("count every (true, predicted) pair")

# %%
check.ex4(confusion_matrix)

# %% [markdown]
# **Exercise 5 — choose the epoch on validation.** Write `fit(model, train_loader, valid_loader,
# criterion, optimizer, epochs)`: run your `train_one_epoch` `epochs` times, after each epoch measure
# the accuracy on `valid_loader` with your `evaluate`, and keep a **copy** of the weights of the best
# epoch (`copy.deepcopy(model.state_dict())`). At the end load the best weights back into the model
# and return `(best_epoch, best_valid_acc)`, epochs counted from 0. Note what `fit` is not given: a
# test set. In the check's data the validation accuracy peaks early and the training accuracy late.

# %%
# Exercise 5: train, evaluate on validation after every epoch, keep and restore the best weights
import copy

def fit(model, train_loader, valid_loader, criterion, optimizer, epochs):
    raise NotImplementedError("loop over the epochs; keep copy.deepcopy(model.state_dict()) of the best one")

# %%
check.ex5(fit)

# %% [markdown]
# ## 中文小结
#
# - 监督学习的训练脚本都由五部分组成，按顺序写：数据（`Dataset`、变换、`DataLoader`）、模型、损失函数、
#   优化器与学习率调度、迭代训练。
# - 每个小批量：前向计算、计算损失、`optimizer.zero_grad()`、`loss.backward()`、`optimizer.step()`；
#   训练前调用 `model.train()`。记录损失时用 `loss.item()`，并按样本数加权求平均（练习 2）；
#   准确率是 logits 按类别取 argmax 后与标签相等的比例（练习 1）。
# - 评估时调用 `model.eval()` 并放在 `torch.no_grad()` 中：暂退法和批量规范化切换到评估行为，也不构建
#   计算图（练习 3）。
# - 三个数据集各有用途：在**训练集**上训练；用固定随机种子的 `random_split` 从训练数据中划出**验证集**，
#   在验证集上选择轮次和超参数，并保存验证准确率最高的**检查点**；**测试集**只在最后用一次，报告最终结果。
#   验证集要和将来遇到的数据相似：本课中随机划分的验证集比测试集容易，验证准确率因此偏高。
#   保存最佳权重时要复制 `state_dict`，否则它会随训练继续变化（练习 5）。
# - 检查点包含模型、优化器和调度器的状态，可以从中恢复训练；`SummaryWriter` 把曲线写入 TensorBoard。
# - **混淆矩阵**的第 t 行第 p 列统计真实类别为 t、预测为 p 的样本数，对角线是预测正确的样本；
#   在验证集上分析错误（练习 4）。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | training loop | 训练循环 | — |
# | epoch / iteration | 轮次 (epoch) / 迭代 | — |
# | minibatch | 小批量 | `torch.utils.data.DataLoader(batch_size=...)` |
# | training / validation / test set | 训练集 / 验证集 / 测试集 | `torch.utils.data.random_split`, `Subset` |
# | data augmentation | 图像增广 | `torchvision.transforms.RandomCrop` |
# | normalisation (of inputs) | 标准化 | `torchvision.transforms.Normalize` |
# | loss function | 损失函数 | `torch.nn.CrossEntropyLoss` |
# | optimizer / learning rate | 优化器 / 学习率 | `torch.optim.SGD(lr=...)` |
# | learning-rate schedule | 学习率调度 | `torch.optim.lr_scheduler.StepLR` |
# | training mode / evaluation mode | 训练模式 / 评估模式 | `Module.train()`, `Module.eval()` |
# | gradient accumulation | 梯度累加 | `Optimizer.zero_grad()` |
# | accuracy | 准确率 | `logits.argmax(dim=1) == labels` |
# | model selection | 模型选择 | — |
# | checkpoint | 检查点 | `torch.save`, `Module.state_dict` |
# | confusion matrix | 混淆矩阵 | `torch.bincount` |
# | logging | 日志记录 | `torch.utils.tensorboard.SummaryWriter` |
