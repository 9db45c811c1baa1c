# %% [markdown]
# # 25 · Recurrent networks: RNN, LSTM, GRU and a character-level language model
#
# *Runs in about 10 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
#
# A milestone lesson on sequences. A recurrent network reads a sequence one step at a time and carries
# a **hidden state** (隐状态) from step to step: the same small network, applied again and again, with
# its own output fed back in. You will see how PyTorch batches sequences of different lengths
# (padding and packing), unroll an RNN by hand, measure why plain RNNs forget (vanishing and exploding
# gradients), read the gates of an LSTM and a GRU out of their weight matrices, and finally train a
# **character-level language model** (语言模型) on Shakespeare that writes (bad) Shakespeare.
#
# The milestone: on a held-out slice of the text the model must need **at least 1.5 bits per character
# fewer than the unigram baseline** (the best you can do knowing only how common each letter is) and
# beat the bigram baseline clearly, after a few seconds of training with edutorch on a 2-core CPU. The
# lesson asserts it.
#
# **Goals.** After this lesson you can
#
# - batch sequences of different lengths with `pad_sequence`, `pack_padded_sequence` and
#   `pad_packed_sequence`, and say what a `PackedSequence` holds;
# - write one step of an RNN, an LSTM and a GRU from their equations and match `nn.RNNCell`,
#   `nn.LSTM` and `nn.GRUCell`;
# - measure the gradient flowing back through time (时间反向传播) and recognise vanishing and exploding
#   gradients (梯度消失 / 梯度爆炸);
# - train a language model with truncated backpropagation through time, report its validation loss in
#   bits per character and perplexity (困惑度), and sample text from it with a temperature.

# %%
# %matplotlib inline
import math
import time

import matplotlib.pyplot as plt
import numpy as np

import edutorch as torch                    # <- change `edutorch` to `torch` in these
import edutorch.nn as nn                    #    four lines to run this lesson
import edutorch.nn.functional as F          #    on PyTorch
from edutorch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence
EDUTORCH = torch.__name__ == "edutorch"
if EDUTORCH:  # edutorch-only helper: print the source code behind an op or a graph node
    from edutorch.notebook import show_source

torch.manual_seed(0)
plt.rcParams["figure.dpi"] = 80

# %% [markdown]
# ## 1. Sequences as tensors: padding and packing
#
# PyTorch's recurrent layers take a sequence as a tensor of shape `(T, N, features)` — time first —
# or `(N, T, features)` with `batch_first=True` (we use that). A batch needs one `T`, but real
# sequences (sentences, words, time series) have different lengths. Three words, as character codes:

# %%
words = ["kings", "a", "rome"]
alphabet = sorted(set("".join(words)))
codes = [torch.tensor([alphabet.index(c) + 1 for c in w]) for w in words]   # 0 is kept for padding
lengths = torch.tensor([len(w) for w in words])
print(alphabet)
print(codes, lengths)

# %% [markdown]
# **Padding.** `pad_sequence` stacks them into one rectangle, filling the short ones with
# `padding_value` (0 here) at the end:

# %%
padded = pad_sequence(codes, batch_first=True, padding_value=0)
print(padded)
print(padded.shape)

# %% [markdown]
# An RNN run on `padded` would keep stepping through the zeros after "a" ended: its last hidden state
# for "a" would have seen four padding steps. **Packing** fixes that. `pack_padded_sequence` stores
# only the real steps, **time-major**: first the first character of every sequence, then the second
# character of the sequences that have one, and so on. `batch_sizes[t]` says how many sequences are
# still running at step `t`. The sequences are sorted by length, longest first
# (`enforce_sorted=False` lets PyTorch sort them for you and remember the order in `sorted_indices`).

# %%
packed = pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
print(packed)
print("steps stored:", packed.data.numel(), "= total length", lengths.sum().item())

# %% [markdown]
# Read it (the letters are coded 1 = a, 2 = e, ...): the words go longest first, "kings", "rome",
# "a" (`sorted_indices = [0, 2, 1]`). `data` starts with `k, r, a` (the three first letters), then
# `i, o` (only two words have a second letter), `n, m`, `g, e`, and the `s` of "kings":
# `batch_sizes = [3, 2, 2, 2, 1]`. A recurrent layer given a `PackedSequence`
# runs step `t` on the first `batch_sizes[t]` rows only, so every sequence stops at its own end.
# `pad_packed_sequence` turns the output back into a padded tensor, in the original order, and
# returns the lengths.

# %%
torch.manual_seed(0)
embed = nn.Embedding(len(alphabet) + 1, 4, padding_idx=0)
gru = nn.GRU(4, 3, batch_first=True)
out_packed, h_n = gru(pack_padded_sequence(embed(padded), lengths, batch_first=True, enforce_sorted=False))
out, out_lengths = pad_packed_sequence(out_packed, batch_first=True)
print(type(out_packed).__name__, out.shape, out_lengths)
print("outputs after the end are zeros:", bool((out[1, 1:] == 0).all()))

# %% [markdown]
# `h_n` (shape `(num_layers, N, hidden)`) holds each sequence's hidden state **at its own last step**:
# for "a" that is the output at step 0. Without packing, the hidden state of "a" has also read three
# padding steps and is a different vector.

# %%
_, h_padded = gru(embed(padded))
last = out[torch.arange(3), lengths - 1]             # each word's output at its last real step
print("packed h_n = output at each last step:", torch.allclose(h_n[0], last, atol=1e-6))
print("padded h_n for 'a' differs:", not torch.allclose(h_padded[0, 1], h_n[0, 1], atol=1e-4))
print("for the longest word they agree:", torch.allclose(h_padded[0, 0], h_n[0, 0], atol=1e-6))

# %% [markdown]
# ## 2. An RNN, unrolled by hand
#
# The simplest recurrent layer (PyTorch's `nn.RNN`, an Elman network) computes, for each step $t$,
#
# $$h_t = \tanh\left(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh}\right),$$
#
# with $h_0 = 0$ unless you pass one. The output of the layer is the sequence $h_1, \dots, h_T$; the
# same weights are used at every step. `nn.RNNCell` is exactly one step, so a Python loop over
# `nn.RNNCell` must give what `nn.RNN` gives — when both hold the same weights (`nn.RNN` names them
# `weight_ih_l0`, ...: `l0` is layer 0).

# %%
torch.manual_seed(0)
T, N, D, H = 5, 2, 3, 4
x = torch.randn(N, T, D)
rnn = nn.RNN(D, H, batch_first=True)
cell = nn.RNNCell(D, H)
with torch.no_grad():
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        getattr(cell, name).copy_(getattr(rnn, name + "_l0"))

h = torch.zeros(N, H)
steps = []
for t in range(T):
    h = cell(x[:, t], h)
    steps.append(h)
by_hand = torch.stack(steps, dim=1)                  # (N, T, H)
out, h_n = rnn(x)
print(out.shape, h_n.shape)
print("loop of RNNCell == nn.RNN:", torch.allclose(by_hand, out, atol=1e-6))
print("h_n is the last output:", torch.allclose(h_n[0], out[:, -1], atol=1e-6))

# %% [markdown]
# *edutorch-only*: the graph of three unrolled steps. Each step adds the same pattern (two linear maps,
# an add, a `tanh`), and the arrows from `weight_hh` go into every step: that is **weight sharing**.
# Backward through this graph is *backpropagation through time*: the gradient of the last step reaches
# the first only by passing through every `tanh` and every multiplication by $W_{hh}$ on the way.

# %%
# NBVAL_IGNORE_OUTPUT
# an interactive widget
h = torch.zeros(1, H)
for t in range(3):
    h = cell(x[:1, t], h)
if EDUTORCH:
    from edutorch.notebook import draw_graph as graph_view
    view = graph_view(h.sum(), params=dict(cell.named_parameters()))
    display(view)

# %% [markdown]
# The layer itself does not build one small graph per step: edutorch runs each layer of a sequence as
# one autograd node whose backward is BPTT written out in NumPy (PyTorch fuses it too). Read the RNN's:

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    from edutorch.ops.recurrent import RNNLayer
    show_source(RNNLayer)

# %% [markdown]
# ## 3. Vanishing and exploding gradients, measured
#
# How much does the last step depend on the first? Take a loss $L$ of the last hidden state and look at
# $\lVert \partial L / \partial h_t \rVert$ for every step $t$. By the chain rule it is a product of
# $T - t$ Jacobians, each $\mathrm{diag}(1 - h_s^2)\, W_{hh}$ for the tanh RNN. If those shrink vectors
# the gradient **vanishes** exponentially in the distance; if they stretch them it **explodes**.
#
# We run 40 steps of random input through four cells and ask `torch.autograd.grad` for the gradient
# with respect to each of the 40 hidden states:
#
# - a tanh `RNNCell` with PyTorch's default initialisation;
# - the same with $W_{hh}$ multiplied by 5;
# - an `LSTMCell` (explained in section 4) with the default initialisation: its **forget gate**
#   $f_t = \sigma(\dots)$ starts near $\sigma(0) = 0.5$;
# - an `LSTMCell` whose forget-gate biases are set to 2, so $f_t \approx 0.9$ ("keep the memory").

# %%
def hidden_grad_norms(cell, x, lstm=False):
    """||dL/dh_t|| for each step t, where L = sum of the last hidden state."""
    h = torch.zeros(1, cell.hidden_size)
    c = torch.zeros(1, cell.hidden_size)
    hs = []
    for t in range(x.shape[0]):
        if lstm:
            h, c = cell(x[t], (h, c))
        else:
            h = cell(x[t], h)
        hs.append(h)
    grads = torch.autograd.grad(hs[-1].sum(), hs)
    return [g.norm().item() for g in grads]


torch.manual_seed(0)
T_LONG, D_IN, H_SIZE = 40, 8, 64
x_long = torch.randn(T_LONG, 1, D_IN)
rnn_cell = nn.RNNCell(D_IN, H_SIZE)
big_rnn_cell = nn.RNNCell(D_IN, H_SIZE)
lstm_cell = nn.LSTMCell(D_IN, H_SIZE)
open_lstm_cell = nn.LSTMCell(D_IN, H_SIZE)
with torch.no_grad():
    big_rnn_cell.weight_hh.mul_(5)
    open_lstm_cell.bias_ih[H_SIZE:2 * H_SIZE] = 2.0     # the gates are stacked i, f, g, o: f is the 2nd
    open_lstm_cell.bias_hh[H_SIZE:2 * H_SIZE] = 0.0
curves = {"tanh RNN": hidden_grad_norms(rnn_cell, x_long),
          "tanh RNN, W_hh x 5": hidden_grad_norms(big_rnn_cell, x_long),
          "LSTM (default)": hidden_grad_norms(lstm_cell, x_long, lstm=True),
          "LSTM, forget bias 2": hidden_grad_norms(open_lstm_cell, x_long, lstm=True)}

# %%
# NBVAL_IGNORE_OUTPUT
shown = [0, 10, 20, 30, 35, 38, 39]
print(f"{'||dL/dh_t||':22s}" + "".join(f"t={t:<8d}" for t in shown))
for name, norms in curves.items():
    print(f"{name:22s}" + "".join(f"{norms[t]:<10.1e}" for t in shown))

# %%
ratio = {name: norms[0] / norms[-2] for name, norms in curves.items()}   # t = 0 vs t = 38
print("tanh RNN: the gradient at t=0 is < 1e-4 of the one at t=38 (vanishes):", ratio["tanh RNN"] < 1e-4)
print("tanh RNN, W_hh x 5: > 100 times larger at t=0 (explodes):", ratio["tanh RNN, W_hh x 5"] > 100)
print("LSTM at default init: vanishes too:", ratio["LSTM (default)"] < 1e-4)
print("LSTM with an open forget gate: still > 1% after 38 steps back:", 0.01 < ratio["LSTM, forget bias 2"] < 100)

# %%
fig, ax = plt.subplots(figsize=(6, 3))
for name, norms in curves.items():
    ax.semilogy(range(T_LONG), norms, label=name)
ax.set_xlabel("time step t (the loss is computed at t = 39)")
ax.set_ylabel(r"$\|\partial L / \partial h_t\|$")
ax.legend(fontsize=8)
plt.tight_layout()
plt.show()
plt.close(fig)

# %% [markdown]
# (At $t = 39$ every row shows the same number: $\partial L / \partial h_{39}$ is a vector of ones, norm
# $\sqrt{64} = 8$. The comparisons above therefore start one step earlier, at $t = 38$.)
#
# Two lessons from the table. **Vanishing**: a plain RNN cannot learn that step 39 depends on step 0,
# because the training signal from step 39 is $10^{-8}$ by the time it gets there. **Exploding**: with
# larger weights a single step's gradient can be huge and one SGD update destroys the model; the usual
# guard is **gradient clipping**, `torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)`, which
# rescales all gradients together when their total norm exceeds `max_norm` (we use it in section 5).
#
# The LSTM is not magic at initialisation: with the forget gate at 0.5 its memory halves at every step.
# What it offers is an **additive** path: $c_t = f_t \odot c_{t-1} + i_t \odot g_t$, so
# $\partial c_t / \partial c_{t-1} = \mathrm{diag}(f_t)$ — no squashing, no $W_{hh}$. When the forget
# gate is open ($f_t \approx 1$), the gradient travels far, and the network *learns* when to open it.
# (Initialising the forget bias to 1 or 2 is a common trick for that reason.)
#
# ## 4. LSTM and GRU: gates
#
# **LSTM** (long short-term memory, 长短期记忆网络) keeps two states: the hidden state $h_t$ (the
# output) and the **memory cell** (记忆元) $c_t$. Four gates are computed from $x_t$ and $h_{t-1}$:
#
# $$\begin{aligned}
# i_t &= \sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi}) &&\text{input gate (输入门)}\\
# f_t &= \sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf}) &&\text{forget gate (遗忘门)}\\
# g_t &= \tanh(W_{ig} x_t + b_{ig} + W_{hg} h_{t-1} + b_{hg}) &&\text{candidate memory (候选记忆元)}\\
# o_t &= \sigma(W_{io} x_t + b_{io} + W_{ho} h_{t-1} + b_{ho}) &&\text{output gate (输出门)}\\
# c_t &= f_t \odot c_{t-1} + i_t \odot g_t, \qquad h_t = o_t \odot \tanh(c_t).
# \end{aligned}$$
#
# PyTorch stores the four input matrices stacked in **one** `weight_ih_l0` of shape `(4H, D)`, in the
# order $i, f, g, o$ (and the same for `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`). So one matrix
# product computes all four gates, and `chunk(4)` splits them.

# %%
torch.manual_seed(0)
lstm = nn.LSTM(input_size=3, hidden_size=2, batch_first=True)
for name, p in lstm.named_parameters():
    print(f"{name:14s} {tuple(p.shape)}")
W_ii, W_if, W_ig, W_io = lstm.weight_ih_l0.chunk(4, dim=0)
print("W_if (the forget gate's input weights):", tuple(W_if.shape))

# %% [markdown]
# One step by hand, with matrix products, against `nn.LSTM`:

# %%
x1 = torch.randn(1, 1, 3)                           # (N=1, T=1, D=3)
h0, c0 = torch.randn(1, 1, 2), torch.randn(1, 1, 2)  # (layers, N, H)
out, (h1, c1) = lstm(x1, (h0, c0))

with torch.no_grad():
    gates = (x1[:, 0] @ lstm.weight_ih_l0.T + lstm.bias_ih_l0
             + h0[0] @ lstm.weight_hh_l0.T + lstm.bias_hh_l0)         # (1, 4H): all gates at once
    i, f, g, o = gates.chunk(4, dim=1)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c_mine = f * c0[0] + i * g
    h_mine = o * torch.tanh(c_mine)
print("c by hand == nn.LSTM's c:", torch.allclose(c_mine, c1[0], atol=1e-6))
print("h by hand == nn.LSTM's h:", torch.allclose(h_mine, h1[0], atol=1e-6))
print("parameters per layer, RNN : LSTM : GRU =",
      [sum(p.numel() for p in m.parameters()) // sum(p.numel() for p in nn.RNN(3, 2).parameters())
       for m in (nn.RNN(3, 2), nn.LSTM(3, 2), nn.GRU(3, 2))])

# %% [markdown]
# **GRU** (gated recurrent unit, 门控循环单元) is a lighter design with three gate blocks and no separate
# memory cell: a **reset gate** (重置门) $r_t$, an **update gate** (更新门) $z_t$ and a candidate
# hidden state (候选隐状态) $n_t$, stacked in the order $r, z, n$:
#
# $$\begin{aligned}
# r_t &= \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr})\\
# z_t &= \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz})\\
# n_t &= \tanh\big(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn})\big)\\
# h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}.
# \end{aligned}$$
#
# $z_t \approx 1$ copies the old state forward (the additive path again); note that the reset gate
# multiplies $W_{hn} h_{t-1} + b_{hn}$, **bias included** — PyTorch's (and cuDNN's) form, which
# differs from the original paper. You write a GRU step in Exercise 2.
#
# *edutorch-only*: the LSTM layer's forward and backward through time:

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    from edutorch.ops.recurrent import LSTMLayer
    show_source(LSTMLayer)

# %% [markdown]
# ## 5. A character-level language model
#
# A **language model** gives the probability of the next token given the ones before it. Here the tokens
# are characters: the model reads `"First Citize"` and should put a high probability on `"n"`. Trained
# with cross-entropy on next-character prediction, it learns spelling, words, punctuation and the layout
# of a play.
#
# **The data**: 100,000 characters of Shakespeare (*Coriolanus*), in `data/text/` (public domain; see
# its README). The first 90 % trains, the last 10 % is the held-out validation slice (验证集).

# %%
text = open("../data/text/shakespeare_100k.txt", encoding="utf-8").read()
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
V = len(chars)
data = torch.tensor([stoi[c] for c in text])
split = int(0.9 * len(data))
train_ids, valid_ids = data[:split], data[split:]
print(f"{len(text):,} characters, {V} distinct:", repr("".join(chars)))
print(f"train {len(train_ids):,}, validation {len(valid_ids):,}")
print(text[:120])

# %% [markdown]
# **Bits per character** (bpc) is the cross-entropy of the next-character predictions measured in bits
# instead of nats: the mean of $-\log_2 p(\text{next char})$, i.e. the loss divided by $\ln 2$. It is
# the number of bits an ideal compressor driven by the model would spend per character. **Perplexity**
# is $2^{\text{bpc}}$: the model is as unsure as if it chose uniformly among that many characters.
#
# Two baselines, both estimated on the training part and measured on the validation slice (with +1
# smoothing so no probability is 0):
#
# - **unigram**: $p(\text{next}) = $ how often each character occurs;
# - **bigram**: $p(\text{next} \mid \text{previous character})$, a table of $V \times V$ counts.

# %%
counts = torch.bincount(train_ids, minlength=V).double() + 1
unigram_bpc = -(counts / counts.sum()).log2()[valid_ids].mean().item()
pairs = torch.bincount(train_ids[:-1] * V + train_ids[1:], minlength=V * V).double().reshape(V, V) + 1
bigram_bpc = -(pairs / pairs.sum(1, keepdim=True)).log2()[valid_ids[:-1], valid_ids[1:]].mean().item()
print(f"unigram: {unigram_bpc:.3f} bpc (perplexity {2 ** unigram_bpc:.1f})")
print(f"bigram:  {bigram_bpc:.3f} bpc (perplexity {2 ** bigram_bpc:.1f})")

# %% [markdown]
# **The model**: an embedding (嵌入) of each character in 32 numbers → a one-layer LSTM with 128 hidden
# units → a linear layer to $V$ logits at every step. `forward` takes and returns the recurrent state,
# so that we can continue a sequence where we stopped.

# %%
class CharModel(nn.Module):
    def __init__(self, vocab_size, embed_size=32, hidden_size=128):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.LSTM(embed_size, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, state=None):           # x: (N, T) character ids
        out, state = self.rnn(self.embed(x), state)
        return self.head(out), state             # logits (N, T, V), (h, c)


torch.manual_seed(0)
model = CharModel(V)
print(model)
print("parameters:", sum(p.numel() for p in model.parameters()))

# %% [markdown]
# **Truncated backpropagation through time.** We cannot backpropagate through 90,000 steps. Instead:
#
# 1. cut the training text into `BATCH` equally long **streams** (rows), so a batch holds `BATCH`
#    different places of the text, each continuing where its previous window stopped;
# 2. take windows of `BPTT` characters from every stream; the targets are the same windows shifted by
#    one character;
# 3. carry the LSTM state from one window to the next (the model still *sees* the context) but
#    `detach()` it, so backward stops at the window's start (the gradient is *truncated*).
#
# Adam with gradient clipping at norm 1 trains it; each step is one window of `BATCH × BPTT` characters.

# %%
BATCH, BPTT, STEPS, LR = 32, 32, 150, 2e-2
stream_len = (len(train_ids) - 1) // BATCH
inputs = train_ids[:BATCH * stream_len].reshape(BATCH, stream_len)
targets = train_ids[1:BATCH * stream_len + 1].reshape(BATCH, stream_len)
print(f"{BATCH} streams of {stream_len} characters; windows of {BPTT}; "
      f"{STEPS} steps = {STEPS * BATCH * BPTT / len(train_ids):.1f} passes over the training text")
print("the targets are the inputs shifted by one:", torch.equal(inputs[:, 1:5], targets[:, :4]))


def evaluate_bpc(model, ids):
    """Bits per character of the model's next-character predictions over ids, read as one sequence."""
    model.eval()
    with torch.no_grad():
        logits, _ = model(ids[:-1].unsqueeze(0))
        loss = F.cross_entropy(logits[0], ids[1:])
    model.train()
    return loss.item() / math.log(2)


optimizer = torch.optim.Adam(model.parameters(), lr=LR)
history = {"step": [], "train_bpc": [], "valid_step": [], "valid_bpc": []}
state, position = None, 0
start = time.perf_counter()
for step in range(STEPS):
    if position + BPTT > stream_len:            # back to the start of the streams: forget the state
        state, position = None, 0
    x, y = inputs[:, position:position + BPTT], targets[:, position:position + BPTT]
    position += BPTT
    if state is not None:
        state = tuple(s.detach() for s in state)   # truncate: no gradient into earlier windows
    logits, state = model(x, state)
    loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()
    history["step"].append(step)
    history["train_bpc"].append(loss.item() / math.log(2))
    if (step + 1) % 50 == 0:
        history["valid_step"].append(step + 1)
        history["valid_bpc"].append(evaluate_bpc(model, valid_ids))
train_seconds = time.perf_counter() - start
valid_bpc = history["valid_bpc"][-1]

# %% [markdown]
# The numbers of a run depend on the random initialisation (and on the engine), so they are not
# compared; the checks below them are.

# %%
# NBVAL_IGNORE_OUTPUT
for s, v in zip(history["valid_step"], history["valid_bpc"]):
    print(f"step {s:4d}: train {np.mean(history['train_bpc'][s - 50:s]):.3f} bpc (mean of the last 50 steps)  "
          f"validation {v:.3f} bpc")
print(f"training took {train_seconds:.1f} s")

# %%
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(history["step"], history["train_bpc"], lw=0.8, label="train (each window)")
ax.plot(history["valid_step"], history["valid_bpc"], "o-", label="validation slice")
ax.axhline(unigram_bpc, color="gray", ls="--", lw=1, label="unigram baseline")
ax.axhline(bigram_bpc, color="gray", ls=":", lw=1, label="bigram baseline")
ax.set_xlabel("step")
ax.set_ylabel("bits per character")
ax.legend(fontsize=8)
plt.tight_layout()
plt.show()
plt.close(fig)

# %% [markdown]
# ### The milestone: bits per character on the held-out slice

# %%
# NBVAL_IGNORE_OUTPUT
print(f"validation: {valid_bpc:.3f} bpc (perplexity {2 ** valid_bpc:.1f}); unigram {unigram_bpc:.3f}, "
      f"bigram {bigram_bpc:.3f}; {unigram_bpc - valid_bpc:.2f} bits below the unigram baseline")

# %%
assert valid_bpc < unigram_bpc - 1.5, f"milestone missed: {valid_bpc:.3f} bpc vs unigram {unigram_bpc:.3f}"
assert valid_bpc < bigram_bpc - 0.3, f"milestone missed: {valid_bpc:.3f} bpc vs bigram {bigram_bpc:.3f}"
print("validation bpc at least 1.5 bits below the unigram baseline:", valid_bpc < unigram_bpc - 1.5)
print("and 0.3 bits below the bigram baseline:", valid_bpc < bigram_bpc - 0.3)
print("the validation loss fell at every measurement:",
      all(a > b for a, b in zip(history["valid_bpc"], history["valid_bpc"][1:])))

# %% [markdown]
# ## 6. Sampling text with a temperature
#
# To generate, feed a prompt, then repeat: turn the last step's logits into probabilities, draw a
# character, feed it back in with the state. The **temperature** $\tau$ divides the logits before the
# softmax, $p_i \propto \exp(z_i / \tau)$: $\tau < 1$ sharpens the distribution (safer, more
# repetitive text), $\tau > 1$ flattens it (more surprising, more misspelt), and $\tau \to 0$ always
# picks the most likely character.

# %%
def generate(model, prompt, length, temperature=1.0, generator=None):
    model.eval()
    with torch.no_grad():
        logits, state = model(torch.tensor([[stoi[c] for c in prompt]]))
        result = []
        for _ in range(length):
            probs = F.softmax(logits[0, -1] / temperature, dim=-1)
            nxt = torch.multinomial(probs, 1, generator=generator)
            result.append(chars[nxt.item()])
            logits, state = model(nxt.reshape(1, 1), state)
    model.train()
    return "".join(result)

# %%
# NBVAL_IGNORE_OUTPUT
for tau in (0.5, 1.0):
    print(f"--- temperature {tau}")
    print("MENENIUS:\n" + generate(model, "MENENIUS:\n", 200, tau, torch.Generator().manual_seed(0)))

# %%
with torch.no_grad():
    logits, _ = model(torch.tensor([[stoi[c] for c in "First Citize"]]))
    z = logits[0, -1]
entropy = {tau: -(F.softmax(z / tau, -1) * F.log_softmax(z / tau, -1)).sum().item() for tau in (0.5, 1.0, 2.0)}
print("after 'First Citize' the most likely next character is 'n':", chars[z.argmax().item()] == "n")
print("lower temperature, lower entropy:", entropy[0.5] < entropy[1.0] < entropy[2.0])

# %% [markdown]
# ## Summary
#
# - A recurrent layer applies one cell at every step, $h_t = \text{cell}(x_t, h_{t-1})$, with shared
#   weights; `nn.RNN`/`nn.LSTM`/`nn.GRU` run whole sequences, `nn.RNNCell`/`LSTMCell`/`GRUCell` one
#   step. Shapes: `(N, T, D)` with `batch_first=True`, states `(num_layers, N, H)`.
# - Different lengths: `pad_sequence` makes a rectangle; `pack_padded_sequence` keeps only the real
#   steps (time-major `data` and `batch_sizes`), so `h_n` is each sequence's state at its own end;
#   `pad_packed_sequence` goes back.
# - Backpropagation through time multiplies one Jacobian per step: the gradient of a plain RNN
#   vanishes (or explodes) exponentially with distance. Clip gradients; use gated cells.
# - LSTM: four gates $i, f, g, o$ stacked in `weight_ih_l0`, an additive memory cell
#   $c_t = f_t c_{t-1} + i_t g_t$. GRU: $r, z, n$ and $h_t = (1 - z_t) n_t + z_t h_{t-1}$.
# - A character-level LSTM trained with truncated BPTT (carry the state, `detach()` it) reaches far
#   below the unigram and bigram baselines in bits per character within seconds; sampling with a
#   temperature trades safety against variety.

# %% [markdown]
# ## Exercises
#
# Write the code in each `# Exercise` cell and run the check below it. The checks work on edutorch
# and on PyTorch. Solutions: [solutions/25_recurrent.py](solutions/25_recurrent.py).

# %%
from checks.lesson25 import Checks   # the checks of these exercises: lessons/checks/lesson25.py
check = Checks(torch)

# %% [markdown]
# **Exercise 1 — one RNN step.** Write `rnn_step(x, h, cell)` returning
# $\tanh(W_{ih} x + b_{ih} + W_{hh} h + b_{hh})$ for a batch `x` of shape `(N, D)` and `h` of shape
# `(N, H)`, using the parameters `cell.weight_ih`, `cell.weight_hh`, `cell.bias_ih`, `cell.bias_hh`
# of an `nn.RNNCell` (not calling the cell). The check compares with the cell over several steps.

# %%
# Exercise 1: one step of a tanh RNN from the cell's parameters
def rnn_step(x, h, cell):
    raise NotImplementedError("tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)")

# %%
check.ex1(rnn_step)

# %% [markdown]
# **Exercise 2 — a GRU cell from its equations.** Write `gru_step(x, h, cell)` for an `nn.GRUCell`
# from the equations of section 4: one product with `cell.weight_ih` and one with `cell.weight_hh`
# (each `(3H, ·)`, gates stacked $r, z, n$), then the gates. The check compares with `nn.GRUCell`
# and runs backward through your step.

# %%
# Exercise 2: one GRU step (gates r, z, n) matching nn.GRUCell
def gru_step(x, h, cell):
    raise NotImplementedError("gi = x W_ih^T + b_ih, gh = h W_hh^T + b_hh, chunk(3); r, z, n; (1 - z) n + z h")

# %%
check.ex2(gru_step)

# %% [markdown]
# **Exercise 3 — pad, pack, and read each sequence's final state.** Write `final_states(rnn,
# sequences)`: `sequences` is a list of tensors of shape `(L_i, D)` with different lengths, in any
# order; `rnn` is an `nn.GRU(D, H, batch_first=True)`. Return the hidden state of each sequence after
# its **own** last step, shape `(N, H)`, in the order of `sequences`. Use `pad_sequence` and
# `pack_padded_sequence`. The check compares with running each sequence alone.

# %%
# Exercise 3: final hidden state of each variable-length sequence, via packing
def final_states(rnn, sequences):
    raise NotImplementedError("pad_sequence, pack_padded_sequence(..., enforce_sorted=False), rnn, h_n[-1]")

# %%
check.ex3(final_states)

# %% [markdown]
# **Exercise 4 — the sampling loop.** Write `sample(model, prompt_ids, length, temperature,
# generator)`. `model(x, state)` takes ids of shape `(1, T)` and returns `(logits of shape (1, T, V),
# state)`; `prompt_ids` is a list of ids. Feed the prompt once, then `length` times: divide the last
# logits by `temperature`, softmax, draw **one** id with `torch.multinomial(probs, 1,
# generator=generator)`, and feed that id (shape `(1, 1)`) back in **with the state**. Return the list
# of the `length` drawn ids (ints). The check uses a small untrained model and a seeded generator.

# %%
# Exercise 4: sample `length` ids with a temperature, carrying the recurrent state
def sample(model, prompt_ids, length, temperature, generator):
    raise NotImplementedError("feed the prompt; then softmax(logits[0, -1] / temperature), multinomial, feed back")

# %%
check.ex4(sample)

# %% [markdown]
# **Exercise 5 — bits per character.** Write `bits_per_char(model, ids)` for a model as in Exercise 4
# and a 1-D tensor of ids: read `ids` as one sequence, predict each character from the ones before it,
# and return the mean cross-entropy **in bits** as a Python float. (Do not rely on section 5's
# `evaluate_bpc`: write it yourself.)

# %%
# Exercise 5: the validation metric of the milestone
def bits_per_char(model, ids):
    raise NotImplementedError("logits for ids[:-1], targets ids[1:], cross-entropy / ln 2, .item()")

# %%
check.ex5(bits_per_char)

# %% [markdown]
# ## 中文小结
#
# - **循环神经网络**在每个时间步用同一组参数更新**隐状态**：$h_t = \tanh(W_{ih}x_t + b_{ih} + W_{hh}h_{t-1} + b_{hh})$。
#   `nn.RNN`/`nn.LSTM`/`nn.GRU` 处理整个序列，`nn.RNNCell` 等只算一步；用 `nn.RNNCell` 手动展开的循环与 `nn.RNN` 结果相同。
# - 长度不同的序列：`pad_sequence` **填充**成矩形；`pack_padded_sequence` 只保存真实的时间步（按时间排列的
#   `data` 与每步仍在运行的序列数 `batch_sizes`），因此 `h_n` 是每个序列在自己最后一步的隐状态；
#   `pad_packed_sequence` 再还原成填充形式。
# - **时间反向传播**要连乘每一步的雅可比矩阵：普通 RNN 的梯度随距离指数级**消失**（或**爆炸**）。
#   对策：**梯度裁剪**（`clip_grad_norm_`）和门控单元。
# - **长短期记忆网络**（LSTM）有输入门、遗忘门、候选记忆元、输出门（在 `weight_ih_l0` 中按 $i, f, g, o$
#   堆叠），记忆元 $c_t = f_t c_{t-1} + i_t g_t$ 提供一条加法通路；遗忘门打开时梯度能传得很远。
#   **门控循环单元**（GRU）有重置门和更新门，$h_t = (1 - z_t) n_t + z_t h_{t-1}$。
# - 在莎士比亚文本上训练的**字符级语言模型**（嵌入 → LSTM → 全连接层），用**截断的时间反向传播**
#   （跨窗口保留状态但 `detach()`）训练几秒钟，验证集上的每字符比特数远低于一元和二元基线；
#   **困惑度**＝$2^{\text{bpc}}$。采样时用**温度**调节：温度低更保守，温度高更多样。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | recurrent neural network (RNN) | 循环神经网络 | `torch.nn.RNN`, `torch.nn.RNNCell` |
# | hidden state | 隐状态 | `h_n`, the `(num_layers, N, H)` state |
# | sequence / time step | 序列 / 时间步 | the `T` axis; `batch_first=True` |
# | padding | 填充 | `torch.nn.utils.rnn.pad_sequence` |
# | packed sequence | 打包序列 | `torch.nn.utils.rnn.pack_padded_sequence`, `PackedSequence` |
# | backpropagation through time (BPTT) | 时间反向传播 | — |
# | truncated BPTT | 截断的时间反向传播 | `state.detach()` between windows |
# | vanishing / exploding gradients | 梯度消失 / 梯度爆炸 | — |
# | gradient clipping | 梯度裁剪 | `torch.nn.utils.clip_grad_norm_` |
# | long short-term memory (LSTM) | 长短期记忆网络 | `torch.nn.LSTM`, `torch.nn.LSTMCell` |
# | memory cell | 记忆元 | the `c` of `(h, c)` |
# | input / forget / output gate | 输入门 / 遗忘门 / 输出门 | rows of `weight_ih_l0` (order i, f, g, o) |
# | gated recurrent unit (GRU) | 门控循环单元 | `torch.nn.GRU`, `torch.nn.GRUCell` |
# | reset gate / update gate | 重置门 / 更新门 | rows of `weight_ih_l0` (order r, z, n) |
# | language model | 语言模型 | — |
# | embedding | 嵌入 | `torch.nn.Embedding` |
# | perplexity | 困惑度 | `2 ** bpc` (or `exp` of the loss in nats) |
# | bits per character | 每字符比特数 | `F.cross_entropy(...) / math.log(2)` |
# | temperature (sampling) | 温度（采样） | `softmax(logits / temperature)` |
# | sampling | 采样 | `torch.multinomial` |
