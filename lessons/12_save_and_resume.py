# %% [markdown]
# # 12 · Saving, loading and resuming training
#
# *Runs in about 5 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
#
# Training can take hours; a laptop sleeps, a job is killed, a notebook kernel dies. And a trained
# model is only useful if you can keep it and give it to someone else. This lesson is about writing
# models, optimizers and whole training runs to files, reading them back, and doing so **safely**.
#
# **Goals.** After this lesson you can
#
# - say what serialisation (序列化) means and what a `.pt` file contains;
# - save and load a model's `state_dict`, and know why that beats saving the whole model;
# - write a **checkpoint** (检查点) with model, optimizer, scheduler, epoch and RNG state, and resume
#   an interrupted run so that it ends exactly where an uninterrupted run ends;
# - explain why loading an untrusted file can run code, and what `weights_only=True` does about it;
# - fine-tune (微调) a saved model by freezing layers (冻结层) and by using parameter groups.

# %%
# %matplotlib inline
import math
import os
import pickle
import pickletools
import tempfile
import zipfile

import matplotlib.pyplot as plt
import numpy as np

import edutorch as torch                    # <- change `edutorch` to `torch` in these
import edutorch.nn as nn                    #    three lines to run this lesson
import edutorch.nn.functional as F          #    on PyTorch
EDUTORCH = torch.__name__ == "edutorch"
if EDUTORCH:  # edutorch-only helper: print the source code behind an op or a graph node
    from edutorch.notebook import show_source

torch.manual_seed(0)
plt.rcParams["figure.dpi"] = 80

# %% [markdown]
# Every file in this lesson goes into a temporary directory that is deleted at the end, so the
# lesson leaves nothing behind.

# %%
workdir = tempfile.TemporaryDirectory()
folder = workdir.name
def path(name):
    return os.path.join(folder, name)


# %% [markdown]
# ## 1. What serialisation means
#
# Objects in memory (a dict, a tensor, a model) are linked structures full of pointers.
# **Serialisation** turns them into a flat sequence of bytes that can be written to a file or sent
# over a network; **deserialisation** builds equal objects from the bytes. Python's own format is
# **pickle** (the `pickle` module):

# %%
settings = {"epochs": 3, "lr": 0.1, "layers": [4, 8, 1]}
blob = pickle.dumps(settings)
print(type(blob), len(blob), "bytes")
print(blob[:40], "...")
print(pickle.loads(blob) == settings)

# %% [markdown]
# `torch.save(obj, f)` serialises tensors and containers of tensors to a file (a path or an open binary
# file), `torch.load(f)` reads them back. The tensor's numbers are stored as raw bytes, its dtype and
# shape beside them.

# %%
t = torch.arange(6.0).reshape(2, 3)
torch.save(t, path("t.pt"))
u = torch.load(path("t.pt"))
print(u, u.dtype)
print(torch.equal(t, u), os.path.getsize(path("t.pt")), "bytes on disk")

# %% [markdown]
# ## 2. Saving a model's `state_dict`
#
# A model's **state_dict** is an ordered dict from names to tensors: every parameter and buffer
# (lesson 06). It holds the numbers, not the code. The recommended way to save a model:

# %%
model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
for name, tensor in model.state_dict().items():
    print(f"{name:9} {tuple(tensor.shape)}")
torch.save(model.state_dict(), path("model.pt"))

# %% [markdown]
# To load it, build the model with **code** (the same architecture, here freshly initialised with
# other random weights), then copy the saved numbers in with `load_state_dict`. It reports which
# names matched:

# %%
restored = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
print(restored.load_state_dict(torch.load(path("model.pt"))))
x = torch.linspace(-1, 1, 6).reshape(2, 3)
print(torch.equal(restored(x), model(x)))

# %% [markdown]
# ## 3. Inside a `.pt` file
#
# A `.pt` file is a **zip archive** (you can open it with any zip tool). This is PyTorch's own format,
# its default since version 1.6 (older versions wrote a plain pickle stream, now called the *legacy*
# format), and edutorch writes and reads exactly the same format, so a model trained in edutorch
# loads in PyTorch and the other way round. Its members:
#
# - `data.pkl`: a pickle of the object's *structure* (the dict, its names, each tensor's shape,
#   stride and dtype), with each tensor's numbers replaced by a reference to a storage;
# - `data/0`, `data/1`, ...: the raw bytes of each storage;
# - `byteorder` (`little`: how multi-byte numbers are laid out), `version`, and a few bookkeeping
#   entries.
#
# All members sit in a folder named after the file, `model/`:

# %%
with zipfile.ZipFile(path("model.pt")) as archive:
    for info in archive.infolist():
        print(f"{info.filename:30} {info.file_size:4} bytes")
    print(archive.read("model/byteorder"), archive.read("model/version"))
    raw = archive.read("model/data/0")
    data_pkl = archive.read("model/data.pkl")

# %% [markdown]
# `data/0` is the first weight, `0.weight` (4 × 3 float32 numbers = 48 bytes), exactly as it lies in
# memory. NumPy can read it directly:

# %%
first_weight = np.frombuffer(raw, dtype=np.float32).reshape(4, 3)
print(first_weight.shape, np.array_equal(first_weight, model.state_dict()["0.weight"].numpy()))

# %% [markdown]
# And `data.pkl` names the Python functions that must be called to rebuild the objects. Keep this
# list in mind for section 6:

# %%
globals_named = {arg for op, arg, pos in pickletools.genops(data_pkl) if op.name == "GLOBAL"}
print(sorted(globals_named))

# %% [markdown]
# ## 4. Saving the whole model, and why not to
#
# `torch.save(model, f)` pickles the module object itself. Loading it back is refused by default:

# %%
torch.save(model, path("whole.pt"))
try:
    torch.load(path("whole.pt"))
except pickle.UnpicklingError as error:
    print(type(error).__name__, "| mentions Sequential:", "Sequential" in str(error))

# %% [markdown]
# Rebuilding a module object means calling its class, and a file that may call classes may call
# *anything* (section 6). `weights_only=True`, the default since PyTorch 2.6, only rebuilds plain data:
# tensors, dicts, lists, tuples, numbers, strings. To load a whole model you must say that you
# trust the file with `weights_only=False` (edutorch also warns):

# %%
# NBVAL_IGNORE_OUTPUT
whole = torch.load(path("whole.pt"), weights_only=False)
whole

# %%
print(type(whole).__name__, torch.equal(whole(x), model(x)))

# %% [markdown]
# It works, but the file now depends on the code: pickle stores *where* the class lives
# (`torch.nn.modules.container.Sequential`, or `__main__.Net` for a class you wrote in a notebook),
# and loading fails once that code is renamed, moved or changed. A `state_dict` is only names and
# tensors: it survives refactoring and loads safely with the default `weights_only=True`. **Save
# `state_dict`s.**
#
# A file still needs a PyTorch that can read its format. The zip format needs PyTorch 1.6 or newer;
# for an older PyTorch, PyTorch can write the legacy format with
# `torch.save(obj, f, _use_new_zipfile_serialization=False)` (edutorch writes only the zip format).
# Newer versions read both.
#
# ## 5. Checkpoints and resuming after an interruption
#
# To continue training later, the weights are not enough. A **checkpoint** holds everything the
# training loop remembers:
#
# - the model's `state_dict`;
# - the optimizer's `state_dict`: its `param_groups` and its `state` (momentum buffers, Adam's running
#   averages), with parameters referred to by **index**, so it loads into a fresh optimizer;
# - the scheduler's `state_dict` (which epoch it is at, the current learning rate);
# - the epoch, and the random number generator's state (`torch.get_rng_state()`) when training uses
#   randomness, like the dropout below.

# %%
X = torch.linspace(-1, 1, 32).reshape(16, 2)
y = (X[:, :1] * X[:, 1:] + X[:, :1])            # a fixed, deterministic regression target

def make_training():
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Dropout(0.2), nn.Linear(16, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    return model, optimizer, scheduler

def train(model, optimizer, scheduler, epochs):
    losses = []
    for epoch in range(epochs):
        optimizer.zero_grad()
        loss = F.mse_loss(model(X), y)
        loss.backward()
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
    return losses


# %% [markdown]
# **Run A**, uninterrupted: 10 epochs.

# %%
torch.manual_seed(0)
model_a, optimizer_a, scheduler_a = make_training()
losses_a = train(model_a, optimizer_a, scheduler_a, epochs=10)

# %% [markdown]
# **Run B**: the same start, 5 epochs, then a checkpoint:

# %%
torch.manual_seed(0)
model_b, optimizer_b, scheduler_b = make_training()
losses_b = train(model_b, optimizer_b, scheduler_b, epochs=5)
torch.save({
    "epoch": 5,
    "model": model_b.state_dict(),
    "optimizer": optimizer_b.state_dict(),
    "scheduler": scheduler_b.state_dict(),
    "rng_state": torch.get_rng_state(),
}, path("checkpoint.pt"))
del model_b, optimizer_b, scheduler_b               # ... and the power goes out

# %% [markdown]
# What the checkpoint holds. Note the optimizer's `params`: indices `0..3`, in the order of
# `model.parameters()`, never the tensors themselves:

# %%
checkpoint = torch.load(path("checkpoint.pt"))
print(list(checkpoint))
print("epoch", checkpoint["epoch"])
print("optimizer:", list(checkpoint["optimizer"]), "params", checkpoint["optimizer"]["param_groups"][0]["params"])
print("state of param 0:", sorted(checkpoint["optimizer"]["state"][0]))
print("scheduler: last_epoch", checkpoint["scheduler"]["last_epoch"], "lr", checkpoint["scheduler"]["_last_lr"])

# %% [markdown]
# Later, in a new process: make **fresh** objects (their random initial weights are different, a
# different seed shows it), load every part of the checkpoint into them, and train the remaining 5
# epochs.

# %%
torch.manual_seed(1234)
model_b, optimizer_b, scheduler_b = make_training()
checkpoint = torch.load(path("checkpoint.pt"))
model_b.load_state_dict(checkpoint["model"])
optimizer_b.load_state_dict(checkpoint["optimizer"])
scheduler_b.load_state_dict(checkpoint["scheduler"])
torch.set_rng_state(checkpoint["rng_state"])
start_epoch = checkpoint["epoch"]
losses_resumed = train(model_b, optimizer_b, scheduler_b, epochs=10 - start_epoch)

# %% [markdown]
# The two runs end **bit for bit** equal: `torch.equal`, not just close.

# %%
same = [torch.equal(pa, pb) for pa, pb in zip(model_a.parameters(), model_b.parameters())]
assert all(same)
assert scheduler_a.get_last_lr() == scheduler_b.get_last_lr()
print(same, scheduler_b.get_last_lr())

# %% [markdown]
# ### Check your understanding
#
# Which part of the checkpoint could you drop and still get identical parameters? Predict, then
# test each: resume without the optimizer state (Adam restarts its averages and its step count),
# without the scheduler (the learning rate jumps back to 0.05), without the RNG state (dropout draws
# other masks). Here is the first:

# %%
torch.manual_seed(1234)
model_c, optimizer_c, scheduler_c = make_training()
model_c.load_state_dict(checkpoint["model"])
scheduler_c.load_state_dict(checkpoint["scheduler"])
torch.set_rng_state(checkpoint["rng_state"])
losses_c = train(model_c, optimizer_c, scheduler_c, epochs=5)   # optimizer state not loaded
differs = not all(torch.equal(pa, pc) for pa, pc in zip(model_a.parameters(), model_c.parameters()))
assert differs
print("without the optimizer state the result differs:", differs)

# %% [markdown]
# The loss curves: the resumed run lands exactly on run A, the run without Adam's state does not.

# %%
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(range(1, 11), losses_a, "o-", color="0.7", ms=8, label="A: 10 epochs straight")
ax.plot(range(1, 6), losses_b, "kx", label="B: epochs 1-5, then checkpoint")
ax.plot(range(6, 11), losses_resumed, "r+", ms=10, label="B: resumed, epochs 6-10")
ax.plot(range(6, 11), losses_c, "b^--", ms=4, lw=1, label="resumed without optimizer state")
ax.axvline(5.5, color="0.8", ls=":")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.legend(fontsize=7)
plt.show()
plt.close(fig)

# %% [markdown]
# **A trap: a live `state_dict()` shares its tensors.** `optimizer.state_dict()` does not copy Adam's
# or momentum's buffers, and `load_state_dict` keeps a loaded tensor as it is when its dtype already
# fits (it moves it with `.to()`, which returns the same tensor). So two optimizers loaded from one
# *live* `state_dict()` share their buffers — with each other and with the optimizer it came from —
# and each step changes the others' state. Loading from a saved file, or from
# `copy.deepcopy(optimizer.state_dict())`, gives independent buffers:

# %%
import copy

weights = [torch.nn.Parameter(torch.ones(2)) for _ in range(3)]
source = torch.optim.SGD([weights[0]], lr=0.1, momentum=0.9)
weights[0].grad = torch.ones(2)
source.step()                                         # the momentum buffer now holds [1, 1]
live = source.state_dict()
twin_a = torch.optim.SGD([weights[1]], lr=0.1, momentum=0.9)
twin_b = torch.optim.SGD([weights[2]], lr=0.1, momentum=0.9)
twin_a.load_state_dict(live)
twin_b.load_state_dict(live)
print("same buffer object:", twin_a.state[weights[1]]["momentum_buffer"] is twin_b.state[weights[2]]["momentum_buffer"])
for w, opt in [(weights[1], twin_a), (weights[2], twin_b)]:
    w.grad = torch.ones(2)
    opt.step()
print("after one step each:", weights[1].detach(), weights[2].detach())   # the second saw the first's step
independent = torch.optim.SGD([weights[2]], lr=0.1, momentum=0.9)
independent.load_state_dict(copy.deepcopy(live))
print("from a deep copy, shared:", independent.state[weights[2]]["momentum_buffer"] is source.state[weights[0]]["momentum_buffer"])

# %% [markdown]
# Habits worth having: save a checkpoint every epoch or so; for *inference*, call `model.eval()`
# after loading; and never let a crash during saving destroy the last good checkpoint. edutorch's
# `save` writes a temporary file and renames it over the old one only when complete; with PyTorch
# do the same yourself: `torch.save(ckpt, "last.pt.tmp")` then `os.replace("last.pt.tmp", "last.pt")`.
# A damaged file is refused with an error instead of giving garbage (PyTorch raises `RuntimeError`
# or `OSError`, depending on where the file was cut):

# %%
intact = open(path("checkpoint.pt"), "rb").read()
with open(path("broken.pt"), "wb") as f:
    f.write(intact[: len(intact) // 2])               # a half-copied file
try:
    torch.load(path("broken.pt"))
except (RuntimeError, OSError):
    print("broken.pt refused; checkpoint.pt still loads:", list(torch.load(path("checkpoint.pt"))))

# %% [markdown]
# ## 6. Why loading untrusted files is dangerous
#
# Pickle does not only store data: it can store **"call this function with these arguments"**. Any
# object can ask for that with a `__reduce__` method, and `pickle.load` obeys. A model file from the
# internet could therefore delete files or install malware the moment you load it.
#
# We demonstrate it safely: our "payload" only appends a message to a list.

# %%
ALARMS = []

def alarm(message):          # stands in for anything an attacker might want to run
    ALARMS.append(message)

class Payload:
    def __reduce__(self):    # "to rebuild me, call alarm('...')"
        return (alarm, ("code from the file ran while loading!",))

pickle.loads(pickle.dumps(Payload()))   # plain pickle runs the call
print(ALARMS)
ALARMS.clear()

# %% [markdown]
# Hide the payload in a checkpoint. With the default `weights_only=True`, `torch.load` uses a
# restricted unpickler that accepts only an **allow-list** of globals (the tensor rebuilders and
# containers we saw in `data.pkl`) and refuses everything else *before* calling it:

# %%
torch.save({"weights": torch.zeros(3), "bonus": Payload()}, path("evil.pt"))
try:
    torch.load(path("evil.pt"))
except pickle.UnpicklingError as error:
    print(type(error).__name__, "| names the culprit:", "__main__.alarm" in str(error))
print("ALARMS after the default load:", ALARMS)

# %% [markdown]
# With `weights_only=False` the same file runs its code (here harmlessly). Never do this with a file
# you did not make or do not trust.

# %%
# NBVAL_IGNORE_OUTPUT
loaded = torch.load(path("evil.pt"), weights_only=False)

# %%
print(ALARMS)


# %% [markdown]
# Rules of thumb: keep the default `weights_only=True`; share `state_dict`s, not whole models; prefer
# formats that cannot contain code (such as *safetensors*) for files from strangers.
#
# ## 7. Fine-tuning: freezing layers and parameter groups
#
# **Fine-tuning** (微调) starts from a model trained on one task and adapts it to another. Typically
# the feature layers are kept and the last layer, the "head", is replaced. Suppose a classifier was
# trained on 3 classes and saved:

# %%
class Classifier(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(4, 16), nn.ReLU())
        self.classifier = nn.Linear(16, num_classes)

    def forward(self, x):
        return self.classifier(self.features(x))

pretrained = Classifier(num_classes=3)
torch.save(pretrained.state_dict(), path("pretrained.pt"))

# %% [markdown]
# The new task has 2 classes. Load everything except the old head; `strict=False` accepts the
# missing keys and lists them:

# %%
model = Classifier(num_classes=2)
state = torch.load(path("pretrained.pt"))
state = {name: tensor for name, tensor in state.items() if not name.startswith("classifier.")}
print(model.load_state_dict(state, strict=False))

# %% [markdown]
# **Freezing** (冻结): `requires_grad_(False)` on the feature layers means autograd computes no
# gradients for them and their `.grad` stays `None`, so no optimizer changes them. Only the head's
# parameters are given to the optimizer.

# %%
model.features.requires_grad_(False)
trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
total = sum(p.numel() for p in model.parameters())
print(f"trainable {trainable} of {total} parameters")

inputs = torch.linspace(-1, 1, 32).reshape(8, 4)
labels = torch.tensor([0, 1, 0, 1, 1, 0, 1, 0])
features_before = model.features[0].weight.clone()
head_before = model.classifier.weight.clone()

optimizer = torch.optim.SGD(model.classifier.parameters(), lr=0.1)
for step in range(5):
    optimizer.zero_grad()
    F.cross_entropy(model(inputs), labels).backward()
    optimizer.step()
print("features unchanged:", torch.equal(model.features[0].weight, features_before),
      "| head changed:", not torch.equal(model.classifier.weight, head_before),
      "| features grad:", model.features[0].weight.grad)

# %% [markdown]
# Once the new head is reasonable, a common second stage **unfreezes** the features and trains
# everything, the pretrained layers with a much smaller learning rate, using parameter groups
# (lesson 10):

# %%
model.features.requires_grad_(True)
optimizer = torch.optim.SGD([
    {"params": model.features.parameters(), "lr": 1e-3},   # gentle: keep what was learned
    {"params": model.classifier.parameters()},             # the default lr below
], lr=1e-1, momentum=0.9)
print([group["lr"] for group in optimizer.param_groups])

# %% [markdown]
# Finally, clean up the temporary directory:

# %%
workdir.cleanup()
print(os.path.exists(folder))

# %% [markdown]
# ## Summary
#
# - Serialisation turns objects into bytes. `torch.save(obj, f)` writes a zip archive: `data.pkl`
#   (the structure, as a pickle) plus `data/0, data/1, ...` (raw tensor bytes); `torch.load(f)`
#   reads it (the zip format is PyTorch's since 1.6). edutorch and PyTorch read each other's files.
# - Save `model.state_dict()`; restore with `model.load_state_dict(torch.load(f))` into a model built
#   by code. A whole pickled model needs `weights_only=False` and breaks when the code changes.
# - A checkpoint holds model, optimizer and scheduler `state_dict`s, the epoch and the RNG state;
#   loading all of them into fresh objects resumes training exactly.
# - A pickle can run code when loaded. The default `weights_only=True` allows only plain data and
#   raises `UnpicklingError` for anything else: never turn it off for files you do not trust.
# - Fine-tuning: load the pretrained weights (`strict=False` when the head changes), freeze layers
#   with `requires_grad_(False)`, or give them a smaller learning rate with parameter groups.
# - `map_location='cpu'` loads a checkpoint saved on a GPU on a machine without one; after loading
#   for inference call `model.eval()`, to resume training keep `model.train()`.

# %% [markdown]
# ## Exercises
#
# Write the code in each `# Exercise` cell, run it, then run the check below it: the check says
# ✓ when your code is right, or ✗ with a hint that names what is wrong. The checks work on
# edutorch and on real PyTorch alike. Stuck? The solutions are in
# [solutions/12_save_and_resume.py](solutions/12_save_and_resume.py) (one click; try first!).

# %%
from checks.lesson12 import Checks   # the checks of these exercises: lessons/checks/lesson12.py
check = Checks(torch)

# %% [markdown]
# **Exercise 1 — checkpoint and resume.** Write the pair
#
# - `save_checkpoint(path, model, optimizer, epoch)`: save everything needed to continue training
#   into one file (section 5);
# - `load_checkpoint(path, model, optimizer)`: load it into a **fresh** model and optimizer, leave
#   the model ready to **train**, and return the saved `epoch` (the number of epochs done).
#
# The check trains a small network with dropout and Adam for 6 epochs straight, and again for 3
# epochs, `save_checkpoint`, fresh objects with other random weights, `load_checkpoint`, and the
# remaining epochs. Both runs must end with the same weights. (Its training loop seeds the random
# generator at the start of each epoch, so this time the RNG state need not be saved.)

# %%
# Exercise 1: save model + optimizer + epoch; load them into fresh objects and return the epoch
def save_checkpoint(path, model, optimizer, epoch):
    raise NotImplementedError("torch.save a dict of state_dicts and the epoch")

def load_checkpoint(path, model, optimizer):
    raise NotImplementedError("torch.load, load_state_dict for each object, return the epoch")

# %%
check.ex1(save_checkpoint, load_checkpoint)

# %% [markdown]
# **Exercise 2 — pretrained weights that do not quite fit.** A colleague's file holds the
# `state_dict` of a `Classifier` with 3 classes (the class of section 7), saved from a model wrapped in
# `nn.DataParallel`, so every name starts with `module.` (`module.features.0.weight`, ...). It also
# holds an auxiliary head, `module.aux.weight` and `module.aux.bias`, that your model does not have.
# Write `load_pretrained(model, state)` for a `Classifier` with **2** classes:
#
# 1. remove the leading `module.` from every name;
# 2. leave out the tensors whose shape differs from the model's tensor of the same name (the old
#    3-class head): `strict=False` forgives names that do not match, **not** shapes;
# 3. load the rest with `strict=False` and return what `load_state_dict` returns.
#
# The check looks at the weights and at the returned `missing_keys` and `unexpected_keys`.

# %%
# Exercise 2: strip 'module.', drop tensors of the wrong shape, load with strict=False, return the result
def load_pretrained(model, state):
    raise NotImplementedError("rename, filter by shape (model.state_dict()), load_state_dict(..., strict=False)")

# %%
check.ex2(load_pretrained)

# %% [markdown]
# **Exercise 3 — a GPU checkpoint on a CPU.** `torch.load` puts every tensor back on the device it
# was saved from, so a checkpoint written on a GPU fails to load on a machine without one.
# `map_location` tells `torch.load` where to put the tensors instead. Write
# `load_for_inference(path, model)`: load the `state_dict` in `path` onto the CPU, copy it into
# `model`, make the model ready for **inference** (section 5's habits), and return it. The check
# writes a checkpoint whose tensors are marked as saved on `cuda:0` (the storage location recorded
# in `data.pkl` is all that differs from a CPU checkpoint), and the model it passes has dropout.

# %%
# Exercise 3: load a checkpoint saved on a GPU onto the CPU, into `model`, ready for inference
def load_for_inference(path, model):
    raise NotImplementedError("torch.load with map_location, load_state_dict, then the mode for inference")

# %%
check.ex3(load_for_inference)

# %% [markdown]
# ## 中文小结
#
# - **序列化**把对象变成字节。`torch.save` 写出一个 zip 压缩包（PyTorch 1.6 起的默认格式）：
#   `data.pkl` 是对象结构的 pickle，`data/0`、`data/1` 等是张量的原始字节；`torch.load` 读回。
#   更早的 PyTorch 只能读旧格式，可以用 `_use_new_zipfile_serialization=False` 写出。
# - 推荐保存模型的 `state_dict()`（名字到张量的映射），加载时先用代码建好模型再调用
#   `load_state_dict`；保存整个模型对象依赖代码本身，代码一改就可能加载失败。
# - **检查点**要包含模型、优化器和学习率调度器的 `state_dict`、当前轮次以及随机数生成器状态；
#   全部加载到新对象中，训练就能从中断处精确地继续。只恢复权重而忘了优化器状态，结果就不同（练习 1）。
#   继续训练时模型要处于 `model.train()`，用于推理时调用 `model.eval()`（练习 1、3）。
# - pickle 在加载时可以执行任意代码；默认的 `weights_only=True` 只允许普通数据，
#   对不信任的文件不要关掉它。
# - **微调**：加载预训练权重（换了输出层时用 `strict=False`，它会列出 `missing_keys` 和
#   `unexpected_keys`，但不接受形状不同的张量），用 `requires_grad_(False)` **冻结**层，
#   或用参数组给它们更小的学习率（练习 2）。
# - 在 GPU 上保存的检查点，在只有 CPU 的机器上要用 `map_location='cpu'` 加载（练习 3）。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | serialisation / deserialisation | 序列化 / 反序列化 | `torch.save`, `torch.load` |
# | pickle | pickle（Python 的序列化格式） | `pickle` |
# | state dict | 状态字典 | `Module.state_dict()`, `Optimizer.state_dict()` |
# | load a state dict | 加载状态字典 | `Module.load_state_dict` |
# | missing / unexpected keys | 缺失的键 / 多余的键 | `load_state_dict(..., strict=False)` |
# | checkpoint | 检查点 | — |
# | resume training | 恢复训练 | — |
# | random number generator state | 随机数生成器状态 | `torch.get_rng_state`, `torch.set_rng_state` |
# | training mode / evaluation mode | 训练模式 / 评估模式 | `Module.train()`, `Module.eval()` |
# | inference | 推理 | `torch.no_grad()` |
# | device mapping | 设备映射 | `torch.load(..., map_location=...)` |
# | weights only loading | 仅加载权重 | `torch.load(..., weights_only=True)` |
# | pretrained model | 预训练模型 | — |
# | fine-tuning | 微调 | — |
# | freezing layers | 冻结层 | `Module.requires_grad_(False)` |
# | parameter group | 参数组 | `optimizer.param_groups` |
