# %% [markdown]
# # 05 · TensorBoard: watching training
#
# Printing numbers in a loop shows one moment; **TensorBoard** (可视化工具) shows the whole run:
# loss curves, images, weight histograms, the model graph. PyTorch writes its files with
# `torch.utils.tensorboard.SummaryWriter`; the `tensorboard` program reads them and serves a web page.
#
# **Goals.** After this lesson you can
#
# - log scalars, several curves in one chart, images, histograms, text, hyperparameters and a model graph;
# - open the logs in TensorBoard — and, inside the notebook, with edutorch's board;
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
print("image", image.width, "x", image.height, "| histogram steps", [h.step for h in run.Histograms("fc1/weight")])

# %% [markdown]
# The image is the grid of 32 digits (4 rows × 8), 8×8 pixels each plus 2 pixels of padding:
# `4 * 10 + 2 = 42` by `8 * 10 + 2 = 82`. Text is stored as a tensor (the `text_summary` plugin).
#
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
#
# ## Exercises
#
# 1. Log the learning rate of a `StepLR` schedule with `add_scalar` and look at it next to the loss.
# 2. Log `make_grid` of the first layer's weights (reshaped to 32 images of 8×8) every epoch and watch
#    them change with the image step slider.
# 3. Write a record by hand: frame the bytes of an `Event` with `struct.pack("<Q", len(data))` and the
#    checksums, append it to a copy of an event file, and check that `EventAccumulator` reads it.
