# %% [markdown]
# # 05 · TensorBoard: watching training
#
# *Runs in about 5 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
#
# Printing numbers in a loop shows one moment; **TensorBoard** (可视化工具) shows the whole run:
# loss curves, images, weight histograms, the model graph. PyTorch writes its files with
# `torch.utils.tensorboard.SummaryWriter`; the `tensorboard` program reads them and serves a web page.
#
# **Goals.** After this lesson you can
#
# - log scalars, several curves in one chart, images, histograms, text, hyperparameters and a model graph;
# - open the logs in TensorBoard — and, inside the notebook, with edutorch's board;
# - read them back in Python with `EventAccumulator`, and know why it shows only the last histogram
#   unless you ask for more;
# - read an event file record by record, and know what its bytes mean;
# - fix the usual errors ("`%tensorboard` not found", "No dashboards are active").

# %%
# %matplotlib inline
import math
import os
import shutil
import struct
import warnings
from pathlib import Path

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
from edutorch.vision.utils import make_grid
EDUTORCH = torch.__name__ == "edutorch"
if EDUTORCH:  # edutorch-only helper: print the source code behind an op or a graph node
    from edutorch.notebook import show_source

torch.manual_seed(0)
plt.rcParams["figure.dpi"] = 80

# %%
LOG_ROOT = "runs/05_tensorboard"
shutil.rmtree(LOG_ROOT, ignore_errors=True)   # a fresh start on every run of the notebook

# %% [markdown]
# ## 1. Scalars: the curve of y = x²
#
# A `SummaryWriter(log_dir)` creates the folder and one **event file** in it. `add_scalar(tag, value,
# global_step)` appends one point to the chart named `tag`. `close()` (or a `with` block) writes
# everything still in memory to disk.

# %%
with SummaryWriter(log_dir=f"{LOG_ROOT}/x_squared") as writer:
    for x in range(10):
        writer.add_scalar("y=x^2", x ** 2, global_step=x)
        writer.add_scalar("y=2^x", 2 ** x, global_step=x)
print(sorted(os.listdir(LOG_ROOT)))
event_file = next(Path(LOG_ROOT, "x_squared").glob("events.out.tfevents.*"))
print(event_file.name.split(".")[:3], "...")

# %% [markdown]
# The file name is `events.out.tfevents.<time>.<host>...`: TensorBoard recognises event files by that
# prefix, and reads every one below the folder you give it. **Each sub-folder is a run** (one curve
# colour). `add_scalars` puts several curves in one chart by writing one sub-run per key:

# %%
with SummaryWriter(log_dir=f"{LOG_ROOT}/waves") as writer:
    for step in range(50):
        t = step / 5
        writer.add_scalars("waves", {"sin": math.sin(t), "cos": math.cos(t)}, step)
print(sorted(p.name for p in Path(LOG_ROOT, "waves").iterdir() if p.is_dir()))

# %% [markdown]
# ## 2. Reading the logs back
#
# The real `tensorboard` package reads the files (it does not need TensorFlow for that). Its
# `EventAccumulator` is what the TensorBoard server uses for each run:

# %%
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

run = EventAccumulator(f"{LOG_ROOT}/x_squared")
run.Reload()
print(run.Tags()["scalars"])
print([(e.step, e.value) for e in run.Scalars("y=x^2")])

# %% [markdown]
# ## 3. Images, histograms, text, a model graph
#
# One small training run logs everything at once: a batch of digits (`add_image` on a `make_grid`),
# the loss and accuracy, the histograms of a layer's weights and gradients at each epoch, a line of
# text, and the model's graph.

# %%
train_data = datasets.MNIST("../data/digits", train=True, transform=transforms.ToTensor())
loader = DataLoader(train_data, batch_size=64, shuffle=True)
images, labels = next(iter(loader))
model = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

writer = SummaryWriter(log_dir=f"{LOG_ROOT}/digits_mlp")
writer.add_image("a batch of digits", make_grid(images[:32], nrow=8, pad_value=1.0), 0)
with warnings.catch_warnings():   # PyTorch's add_graph warns that its tracer (torch.jit.trace) is deprecated
    warnings.simplefilter("ignore", FutureWarning)
    writer.add_graph(model, images)
writer.add_text("notes", "**MLP** 64-32-10, SGD lr=0.1, momentum 0.9", 0)
step = 0
for epoch in range(4):
    for images, labels in loader:
        outputs = model(images)
        loss = F.cross_entropy(outputs, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        writer.add_scalar("train/loss", loss.item(), step)
        writer.add_scalar("train/accuracy", (outputs.argmax(1) == labels).float().mean().item(), step)
        step += 1
    writer.add_histogram("fc1/weight", model[1].weight, epoch)
    writer.add_histogram("fc1/weight.grad", model[1].weight.grad, epoch)
writer.close()
print(step, "steps logged")

# %%
run = EventAccumulator(f"{LOG_ROOT}/digits_mlp")
run.Reload()
tags = run.Tags()
for kind in ("scalars", "images", "histograms", "tensors"):
    print(f"{kind:10s}", sorted(tags[kind]))
print("graph:", tags["graph"])
image = run.Images("a batch of digits")[0]
print("image", image.width, "x", image.height, "| loss points:", len(run.Scalars("train/loss")))
print("histogram steps:", [h.step for h in run.Histograms("fc1/weight")])

# %% [markdown]
# The image is the grid of 32 digits (4 rows × 8), 8×8 pixels each plus 2 pixels of padding:
# `4 * 10 + 2 = 42` by `8 * 10 + 2 = 82`. Text is stored as a tensor (the `text_summary` plugin).
#
# **Where are the other histograms?** We logged `fc1/weight` at the end of each of the 4 epochs, yet
# the reader returned only step 3. The file holds all four; the *reader* dropped three. An
# `EventAccumulator` keeps at most a fixed number of items per tag, its `size_guidance`: by default
# 10 000 scalars, 4 images, 10 tensors and only **1 histogram** (histograms are big). Beyond that it
# keeps a random sample (*reservoir sampling*) that always includes the newest item — here step 3.
# The TensorBoard server asks for more (500 histograms per tag; `--samples_per_plugin` changes it),
# so its HISTOGRAMS tab shows every epoch. Reading files yourself, ask for everything with `0`:

# %%
everything = EventAccumulator(f"{LOG_ROOT}/digits_mlp", size_guidance={"histograms": 0})   # 0: keep all
everything.Reload()
histograms = everything.Histograms("fc1/weight")
print("histogram steps:", [h.step for h in histograms])
last = histograms[-1].histogram_value          # what TensorBoard draws: counts in buckets, min, max, sum
print(int(last.num), "weights in the last one; its max is the final weights' max:",
      math.isclose(last.max, model[1].weight.max().item(), rel_tol=1e-6))

# %% [markdown]
# **Hyperparameters.** `add_hparams(hparam_dict, metric_dict)` logs one row of the *HPARAMS* table,
# to compare runs with different settings. Give it a `run_name`, or it makes a sub-run named after
# the current time.

# %%
with SummaryWriter(log_dir=f"{LOG_ROOT}/hparams") as writer:
    for lr in (0.01, 0.1):
        writer.add_hparams({"lr": lr, "batch_size": 64}, {"hparam/accuracy": 0.8 + lr}, run_name=f"lr={lr}")
print(sorted(p.name for p in Path(LOG_ROOT, "hparams").iterdir() if p.is_dir()))

# %% [markdown]
# ## 4. Looking at it: TensorBoard, or the board in the notebook
#
# In a terminal, from the folder that holds `runs/`:
#
# ```
# tensorboard --logdir runs
# ```
#
# then open http://localhost:6006 (on a remote machine add `--bind_all`, or forward the port with
# `ssh -L 6006:localhost:6006 ...`). In Jupyter, `%load_ext tensorboard` followed by
# `%tensorboard --logdir runs` embeds the same page.
#
# *edutorch-only*: `%load_ext edutorch` adds the `%edutorch_board` magic, a dashboard made of
# notebook widgets — runs, tags, scalar curves with a smoothing slider, images with a step slider,
# histograms, text, the graph — with a refresh button and `--refresh SECONDS` to watch a run that is
# still training. It needs no server and no TensorFlow.

# %%
# NBVAL_IGNORE_OUTPUT
# an interactive widget (edutorch-only)
if EDUTORCH:
    # %load_ext edutorch
    # %edutorch_board --logdir runs/05_tensorboard

# %% [markdown]
# Where widgets cannot be drawn (a terminal, an automatic test) or with `--text`, the board prints a
# summary instead: runs, tags, how many points, the step range and the last value.

# %%
# NBVAL_IGNORE_OUTPUT
# edutorch-only text
if EDUTORCH:
    # %edutorch_board --logdir runs/05_tensorboard --kind scalars --tags "y=*" --text


# %% [markdown]
# The smoothed value the board prints is TensorBoard's: an exponential moving average with weight
# `smoothing` (0.6 by default), divided by `1 - smoothing**(i+1)` so that the first points are not
# pulled towards zero. The same numbers, by hand:

# %%
def smooth(values, weight=0.6):
    last, out = 0.0, []
    for i, v in enumerate(values):
        last = last * weight + (1 - weight) * v
        out.append(last / (1 - weight ** (i + 1)))
    return out

print(round(smooth([x ** 2 for x in range(10)])[-1], 4))

# %% [markdown]
# ## 5. Inside an event file
#
# An event file is a sequence of **records** (TFRecord format). Each record is:
#
# | bytes | what |
# |---|---|
# | 8 | `length` of the data, little-endian unsigned integer |
# | 4 | masked CRC-32C checksum of those 8 bytes |
# | `length` | the data: one `Event` message in protocol-buffer encoding |
# | 4 | masked CRC-32C of the data |
#
# The checksums let a reader detect a half-written record (a crash while writing) and stop there
# instead of reading garbage. Read the first records of the `y = x²` file by hand:

# %%
raw = event_file.read_bytes()
records, pos = [], 0
while pos < len(raw):
    (length,) = struct.unpack("<Q", raw[pos:pos + 8])
    records.append(raw[pos + 12: pos + 12 + length])
    pos += 12 + length + 4
print(len(records), "records; the first holds the format name:", b"brain.Event:2" in records[0])
print("sizes of the next records:", [len(r) for r in records[1:5]], "...")


# %% [markdown]
# The first record says which format follows (`brain.Event:2`) and which program wrote the file
# (PyTorch's writer and edutorch's each put their own name there). The others each hold one point.
# Protocol buffers store a message as *(field number, wire type)* keys followed by values: type 1 is
# 8 bytes, type 5 is 4 bytes, type 0 a variable-length integer (*varint*), type 2 a length-prefixed
# byte string (a string, or a nested message). A 20-line decoder:

# %%
def read_varint(data, pos):
    result, shift = 0, 0
    while True:
        byte = data[pos]
        result |= (byte & 0x7F) << shift
        pos, shift = pos + 1, shift + 7
        if byte < 0x80:
            return result, pos

def fields(data):
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            size, pos = read_varint(data, pos)
            value, pos = data[pos:pos + size], pos + size
        yield number, wire, value

event = records[7]                                  # y=x^2 at step 3
for number, wire, value in fields(event):
    print("Event field", number, "wire type", wire, "" if number == 1 else value)

# %% [markdown]
# Event field 1 is the wall time (a double), field 2 the step, field 5 a `Summary`. Unwrap it:
# `Summary.value` (field 1) holds the tag (field 1) and `simple_value` (field 2, a 4-byte float).

# %%
summary = dict((n, v) for n, w, v in fields(event))[5]
value = dict((n, v) for n, w, v in fields(summary))[1]
parts = dict((n, v) for n, w, v in fields(value))
print(parts[1].decode(), struct.unpack("<f", parts[2])[0])

# %% [markdown]
# *edutorch-only*: edutorch's writer is written that way — a small documented encoder for the few
# messages TensorBoard needs, and the record framing with its checksum. Read them:

# %%
# NBVAL_IGNORE_OUTPUT
# edutorch's source
if EDUTORCH:
    from edutorch.utils.tensorboard import _events
    show_source(_events.frame_record)
    show_source(_events.masked_crc32c)

# %% [markdown]
# ## 6. When TensorBoard shows nothing
#
# | symptom | cause and fix |
# |---|---|
# | `UsageError: Line magic function %tensorboard not found` | run `%load_ext tensorboard` first (and `pip install tensorboard`) |
# | "No dashboards are active for the current data set" | TensorBoard found no event files: `--logdir` is relative to where *tensorboard* was started, not to the notebook; point it at the folder that holds `runs/` or use an absolute path |
# | the newest points are missing | the writer keeps up to `max_queue` events in memory and writes them every `flush_secs` (120 s): call `writer.flush()` or `writer.close()` |
# | curves from old runs mixed with new ones | each `SummaryWriter()` without `log_dir` makes a new `runs/<date>_<host>` folder; delete old runs, or give each experiment its own `log_dir` |
# | port 6006 in use | another TensorBoard is running: `tensorboard --logdir runs --port 6007` |
#
# The edutorch board says which directory it searched and what it expected when it finds nothing.
#
# ## Summary
#
# - `SummaryWriter(log_dir)`; `add_scalar`, `add_scalars`, `add_image(s)`, `add_histogram`,
#   `add_text`, `add_graph`, `add_hparams`; always `close()` (or use `with`).
# - A folder with an event file is a run; `tensorboard --logdir runs` shows all runs below `runs/`.
# - An event file is a list of checksummed records, each a protocol-buffer `Event`.
# - `EventAccumulator` reads a run; it keeps only `size_guidance` items per tag (1 histogram by
#   default): pass `size_guidance={"histograms": 0}` to read them all.


# %% [markdown]
# ## Exercises
#
# Write the code in each `# Exercise` cell, run it, then run the check below it: the check says
# ✓ when your code is right, or ✗ with a hint that names what is wrong. The checks work on
# edutorch and on real PyTorch alike: each one gives your function a fresh temporary folder as
# `log_dir`, and reads back what it finds there with TensorBoard's `EventAccumulator`. Stuck? The
# solutions are in [solutions/05_tensorboard.py](solutions/05_tensorboard.py) (one click; try first!).

# %%
from checks.lesson05 import Checks   # the checks of these exercises: lessons/checks/lesson05.py
check = Checks(torch)
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator   # to read logs back (exercises 2, 3)

# %% [markdown]
# **Exercise 1 — log a learning-rate schedule.** `StepLR(optimizer, step_size=3, gamma=0.5)` halves
# the learning rate every 3 epochs. Complete `log_learning_rate(log_dir, epochs)`: open a
# `SummaryWriter(log_dir)`, and for each epoch train (call `train_one_epoch()`), log the learning
# rate that epoch used (`optimizer.param_groups[0]["lr"]`) under the tag `"lr"` at step `epoch`, then
# call `scheduler.step()`. Close the writer at the end. The check reads the curve back.

# %%
# Exercise 1: one point per epoch of the learning rate under the tag "lr"
def log_learning_rate(log_dir, epochs):
    model = nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)

    def train_one_epoch():                       # stands in for a real epoch of training
        loss = model(torch.ones(8, 4)).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    raise NotImplementedError("a SummaryWriter; each epoch: train, add_scalar('lr', ...), scheduler.step(); close")

# %%
check.ex1(log_learning_rate)

# %% [markdown]
# **Exercise 2 — read back an `add_scalars` chart.** Section 1 showed where `add_scalars` puts its
# curves. Write `read_scalars_group(log_dir, main_tag)` that, for a folder where
# `writer.add_scalars(main_tag, {key: value, ...}, step)` was called, returns
# `{key: [(step, value), ...]}` for every key, read from the files with `EventAccumulator`. The check
# also logs a plain scalar and a second group into the same folder: leave them out.

# %%
# Exercise 2: {key: [(step, value), ...]} of one add_scalars chart
def read_scalars_group(log_dir, main_tag):
    raise NotImplementedError("look for the sub-folders add_scalars made, read each with EventAccumulator")

# %%
check.ex2(read_scalars_group)

# %% [markdown]
# **Exercise 3 — read every histogram.** Write `histogram_steps(log_dir, tag)` that returns the list
# of steps at which a histogram was logged under `tag` — *all* of them (remember section 3). The
# check logs five histograms.

# %%
# Exercise 3: the steps of all histograms of a tag
def histogram_steps(log_dir, tag):
    raise NotImplementedError("EventAccumulator(...).Reload(), then .Histograms(tag)")

# %%
check.ex3(histogram_steps)

# %% [markdown]
# **Exercise 4 — a training loop that logs.** Write `train_and_log(model, loader, epochs, writer)`
# for a classifier `model = nn.Linear(4, 3)`: plain SGD with `lr=0.1` on `F.cross_entropy`, and
#
# - after every batch, `add_scalar("train/loss", loss.item(), step)` where `step` counts the batches
#   over **all** epochs (0, 1, 2, …, not restarting each epoch);
# - after every epoch, `add_histogram("weight", model.weight, epoch)`.
#
# Don't close the writer (whoever opened it closes it). The check trains the same model beside
# yours and compares the logged losses, their steps, and the histograms.

# %%
# Exercise 4: train with SGD, log the loss of every batch and the weights' histogram of every epoch
def train_and_log(model, loader, epochs, writer):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    raise NotImplementedError("for each epoch, for each batch: loss, zero_grad, backward, step, log; then the histogram")

# %%
check.ex4(train_and_log)

# %% [markdown]
# ## 中文小结
#
# - TensorBoard（可视化工具）把整个训练过程画出来：损失曲线、图像、权重直方图、文本、超参数和模型的计算图。
#   PyTorch 用 `torch.utils.tensorboard.SummaryWriter` 写日志，`tensorboard --logdir runs` 读取并在网页上显示。
# - `SummaryWriter(log_dir)` 在文件夹里写一个**事件文件**；一个含事件文件的文件夹就是一次**运行**（run）。
#   `add_scalars` 会为每条曲线建一个子文件夹（`<log_dir>/<main_tag>_<key>`）。
# - `global_step` 要在所有轮次中连续计数，不能每个轮次从 0 重新开始；用完要 `close()`（或用 `with`），否则最新的数据可能还在内存里。
# - 用 `EventAccumulator` 可以在程序里读回日志。它对每个标签只保留有限个数据（`size_guidance`），
#   直方图默认只留 1 个（最新的），所以要传 `size_guidance={"histograms": 0}` 才能读到全部。
# - 事件文件由一条条带 CRC 校验的记录组成，每条记录是一个 protocol buffer 编码的 `Event`。
# - TensorBoard 显示的平滑曲线是指数移动平均，并做了偏差修正。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | visualization tool | 可视化工具 | TensorBoard |
# | summary writer | 日志写入器 | `torch.utils.tensorboard.SummaryWriter` |
# | event file | 事件文件 | `events.out.tfevents.*` |
# | run | 运行 | a folder with an event file |
# | tag | 标签 | the `tag` of `add_scalar` |
# | scalar | 标量 | `SummaryWriter.add_scalar`, `add_scalars` |
# | histogram | 直方图 | `SummaryWriter.add_histogram` |
# | global step | 全局步数 | `global_step=` |
# | learning rate schedule | 学习率调度 | `torch.optim.lr_scheduler.StepLR` |
# | hyperparameter | 超参数 | `SummaryWriter.add_hparams` |
# | computational graph | 计算图 | `SummaryWriter.add_graph` |
# | smoothing (exponential moving average) | 平滑（指数移动平均） | — |
# | reservoir sampling | 蓄水池抽样 | `EventAccumulator(size_guidance=...)` |
# | checksum | 校验和 | — |
# | protocol buffer | 协议缓冲区 (protobuf) | — |
