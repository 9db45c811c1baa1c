# %% [markdown]
# # 26 · Attention and Transformers: from soft lookup to a tiny GPT
#
# *Runs in about 20 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
#
# A recurrent network (lesson 25) reads a sequence one step at a time and squeezes everything it has
# seen into one hidden state. **Attention** (注意力机制) lets every position look directly at every other
# position and decide, with learned weights, which ones matter. Stacked with small MLPs, normalisation
# and residual connections it makes the **Transformer**, the architecture behind GPT. In this lesson we
# build attention up from a dictionary lookup, check every piece against PyTorch's own
# (`F.scaled_dot_product_attention`, `nn.MultiheadAttention`, `nn.TransformerEncoderLayer`), and train a
# tiny GPT on Shakespeare, one character at a time.
#
# **Goals.** After this lesson you can
#
# - explain attention as a *soft* dictionary lookup: a query against keys, softmax weights, a weighted
#   sum of values;
# - write scaled dot-product attention (缩放点积注意力) by hand, and measure why it divides by $\sqrt{d}$;
# - build causal masks (因果掩码) and use PyTorch's two conventions for them without mixing them up;
# - split a model dimension into heads and reproduce `nn.MultiheadAttention` (多头注意力) from its
#   weights;
# - show that attention without positions cannot tell word order apart, and fix it with positional
#   encodings (位置编码);
# - train a decoder-only Transformer, measure it in bits per character against simple baselines,
#   sample text from it, and look at what its heads attend to.

# %%
# %matplotlib inline
import math

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
# ## 1. Attention is a soft dictionary lookup
#
# A Python `dict` is a lookup: a query is compared with every key, the one equal key wins, and you get
# its value. Nothing in between: a query that is *almost* `"Bob"` gets a `KeyError`.

# %%
ages = {"Ann": 31.0, "Bob": 45.0, "Cid": 27.0}
print(ages["Bob"])

# %% [markdown]
# Attention makes the lookup soft. Keys and the query are **vectors**; the match between the query $q$
# and key $k_j$ is a score, their dot product $q \cdot k_j$; a softmax turns the scores into weights
# that are positive and sum to 1; and the answer is the weighted average of the values:
#
# $$\mathrm{attention}(q, K, V) = \sum_j \alpha_j v_j, \qquad
#   \alpha = \mathrm{softmax}(K q), \quad \alpha_j = \frac{e^{q \cdot k_j}}{\sum_i e^{q \cdot k_i}}.$$
#
# Here each name is a direction (one-hot key), and the query is "mostly Bob, a bit Cid":

# %%
keys = torch.tensor([[1.0, 0.0, 0.0],      # Ann
                     [0.0, 1.0, 0.0],      # Bob
                     [0.0, 0.0, 1.0]])     # Cid
values = torch.tensor([31.0, 45.0, 27.0])
query = torch.tensor([0.0, 2.0, 1.0])

scores = keys @ query                       # one score per key
weights = F.softmax(scores, dim=0)          # positive, sum to 1
print("scores ", scores)
print("weights", weights.round(decimals=3))
print("answer ", (weights @ values).round(decimals=2))

# %% [markdown]
# The answer, about 39, is mostly Bob's 45 pulled towards Cid's 27. Scale the query up and the softmax
# gets sharper: the weights approach one-hot and soft lookup becomes the `dict` lookup again. Scale it
# down and every key gets the same weight: the answer is the plain average. This sharpness is exactly
# what the next section has to control.

# %%
for scale in (0.1, 1.0, 10.0):
    w = F.softmax(keys @ (scale * query), dim=0)
    print(f"query x {scale:>4}: weights {[round(x, 3) for x in w.tolist()]}  answer {(w @ values).item():.2f}")

# %% [markdown]
# Nothing in this is learned yet. In a network the queries, keys and values are all **computed from
# the input** by linear layers, so the network learns what to ask for (queries), how to be found
# (keys) and what to hand over (values). When all three come from the same sequence it is called
# **self-attention** (自注意力): every position asks every other position.

# %% [markdown]
# ## 2. Scaled dot-product attention, by hand and by PyTorch
#
# With many queries at once, stack them as rows of $Q$ ($L \times d$), keys as rows of $K$
# ($S \times d$) and values as rows of $V$ ($S \times d_v$). All scores are one matrix product, the
# softmax runs along each row (over the keys), and one more product takes the weighted sums:
#
# $$\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{Q K^\top}{\sqrt{d}}\right) V
#   \qquad (L \times S \text{ weights}, \; L \times d_v \text{ output}).$$
#
# Leading dimensions (batch, heads) just come along. PyTorch has it as one function,
# `F.scaled_dot_product_attention`; ours by hand gives the same numbers:

# %%
torch.manual_seed(0)
q = torch.randn(2, 5, 8)     # (batch, L queries, d)
k = torch.randn(2, 7, 8)     # (batch, S keys, d)
v = torch.randn(2, 7, 3)     # (batch, S values, d_v)

scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])    # (2, 5, 7)
attn = F.softmax(scores, dim=-1)                              # each query's weights over the 7 keys
by_hand = attn @ v                                            # (2, 5, 3)
print(by_hand.shape, torch.allclose(by_hand, F.scaled_dot_product_attention(q, k, v), atol=1e-6))
print("every row of weights sums to 1:", torch.allclose(attn.sum(dim=-1), torch.ones(2, 5)))

# %% [markdown]
# ### Why divide by $\sqrt{d}$? Measure it
#
# If the entries of $q$ and $k$ are independent with variance 1, then $q \cdot k$ is a sum of $d$
# such products and has variance $d$: its typical size grows like $\sqrt d$. Large scores make the
# softmax **saturate**: one weight is almost 1, the others almost 0, and the gradient through the
# softmax almost vanishes (the softmax is flat there), so the model stops learning which keys to use.
# Dividing by $\sqrt d$ brings the scores back to variance 1 whatever the width. Below: 1000 random
# queries against 32 random keys, for growing $d$ — the standard deviation of the scores, the mean
# largest weight, the share of queries whose largest weight is above 0.99, and the mean size of the
# gradient that flows back into the scores.

# %%
def saturation(d, scaled):
    q, k = torch.randn(1000, d), torch.randn(32, d)
    scores = (q @ k.T / (math.sqrt(d) if scaled else 1.0)).requires_grad_()
    w = F.softmax(scores, dim=-1)
    (w * torch.randn(1000, 32)).sum().backward()            # any loss: how much gradient gets through?
    peak = w.max(dim=-1).values
    return [scores.std().item(), peak.mean().item(), (peak > 0.99).float().mean().item(),
            scores.grad.abs().mean().item()]

torch.manual_seed(0)
table = {(d, scaled): saturation(d, scaled) for d in (4, 16, 64, 256) for scaled in (False, True)}

# %%
# NBVAL_IGNORE_OUTPUT
# random queries and keys: the exact numbers depend on the random generator
print("   d  scaled   std(scores)  mean max weight  max > 0.99  mean |grad|")
for (d, scaled), (std, peak, saturated, grad) in table.items():
    print(f"{d:4d}  {str(scaled):6}  {std:11.2f}  {peak:15.3f}  {saturated:10.1%}  {grad:11.4f}")

# %% [markdown]
# Unscaled, the scores' spread grows like $\sqrt d$ (about 2, 4, 8, 16); at $d = 256$ most queries put
# almost all their weight on a single key and the gradient is a fraction of what it is at $d = 4$.
# Scaled, every width behaves like $d = 1$: spread about 1, soft weights, healthy gradients.

# %%
unscaled_256, scaled_256 = table[(256, False)], table[(256, True)]
print("unscaled d=256: most queries saturated:", unscaled_256[2] > 0.5)
print("scaled: std of scores within 15% of 1 for every d:",
      all(abs(table[(d, True)][0] - 1) < 0.15 for d in (4, 16, 64, 256)))
print("scaled d=256 passes over 3x more gradient than unscaled:", scaled_256[3] > 3 * unscaled_256[3])

# %% [markdown]
# ### Look inside: edutorch's `scaled_dot_product_attention`
#
# *edutorch-only cell.* The function checks and converts the masks, then one `Function`, `Attention`,
# computes the scores, the softmax and the weighted sum — and, in `backward`, the softmax's gradient.

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    show_source(F.scaled_dot_product_attention)
    from edutorch.ops.attention import Attention
    show_source(Attention)

# %% [markdown]
# ## 3. Causal masks: no peeking at the future
#
# A language model predicts character $t + 1$ from characters $0 \dots t$. If position $t$ could attend
# to position $t + 1$ it would simply copy the answer. A **mask** (掩码) removes those scores before the
# softmax: query $i$ may attend to keys $j \le i$ only — a lower-triangular pattern, the **causal
# mask**. PyTorch accepts it in three forms, and (a classic trap) its boolean conventions disagree:
#
# | form | meaning | used by |
# | --- | --- | --- |
# | `torch.ones(L, L, dtype=torch.bool).tril()` | **True = may attend** | `F.scaled_dot_product_attention(attn_mask=...)` |
# | `nn.Transformer.generate_square_subsequent_mask(L)` | float, **added** to the scores: 0 or $-\infty$ | every attention API |
# | `~tril` (the upper triangle) | **True = masked out** | `nn.MultiheadAttention`, `nn.Transformer*` `attn_mask`/`mask` |
#
# and `is_causal=True` asks for the causal mask without building one.

# %%
L = 4
allowed = torch.ones(L, L, dtype=torch.bool).tril()          # SDPA: True = may attend
additive = nn.Transformer.generate_square_subsequent_mask(L)  # 0 = keep, -inf = remove
print(allowed)
print(additive)

# %% [markdown]
# $e^{-\infty} = 0$, so an added $-\infty$ gives the key exactly zero weight, and the remaining
# weights still sum to 1. All forms give the same attention:

# %%
torch.manual_seed(1)
q, k, v = torch.randn(3, 1, L, 8).unbind(0)
causal = F.scaled_dot_product_attention(q, k, v, is_causal=True)
print(torch.allclose(causal, F.scaled_dot_product_attention(q, k, v, attn_mask=allowed), atol=1e-6),
      torch.allclose(causal, F.scaled_dot_product_attention(q, k, v, attn_mask=additive), atol=1e-6))
weights = F.softmax(q @ k.transpose(-2, -1) / math.sqrt(8) + additive, dim=-1)
print(weights[0].round(decimals=2) > 0)     # which keys each query uses: the lower triangle

# %% [markdown]
# The test that matters: with the mask, the output at position $t$ does not change when the *future*
# changes. Replace the last two positions of the keys and values with noise and compare:

# %%
torch.manual_seed(2)
q, k, v = torch.randn(3, 1, 6, 8).unbind(0)
k2, v2 = k.clone(), v.clone()
k2[:, 4:], v2[:, 4:] = torch.randn(1, 2, 8), torch.randn(1, 2, 8)
before = F.scaled_dot_product_attention(q, k, v, is_causal=True)
after = F.scaled_dot_product_attention(q, k2, v2, is_causal=True)
print("positions 0-3 unchanged:", torch.allclose(before[:, :4], after[:, :4]),
      "| positions 4-5 changed:", not torch.allclose(before[:, 4:], after[:, 4:]))

# %% [markdown]
# And `nn.MultiheadAttention`, with its opposite boolean convention (True = masked), agrees with the
# float mask:

# %%
torch.manual_seed(3)
mha = nn.MultiheadAttention(8, 2, batch_first=True)
x = torch.randn(1, L, 8)
out_float, _ = mha(x, x, x, attn_mask=additive)
out_bool, _ = mha(x, x, x, attn_mask=~allowed)               # True = NOT allowed here
print(torch.allclose(out_float, out_bool, atol=1e-6))

# %% [markdown]
# ## 4. Multi-head attention
#
# One attention compares queries and keys in one way. **Multi-head attention** (多头注意力) runs $h$
# attentions side by side, each on its own $d = E / h$ slice of learned projections, so one head can
# track the previous character while another tracks the start of the word:
#
# $$\mathrm{MultiHead}(X) = \mathrm{Concat}(\mathrm{head}_1, \dots, \mathrm{head}_h)\, W_O, \qquad
#   \mathrm{head}_i = \mathrm{Attention}(X W_{Q,i}, X W_{K,i}, X W_{V,i}).$$
#
# `nn.MultiheadAttention` stores $W_Q, W_K, W_V$ stacked as `in_proj_weight` ($3E \times E$) with
# `in_proj_bias`, and $W_O$ as `out_proj`. The heads are not separate layers: one projection to $E$
# features is cut into $h$ groups of $d$. Reproduce it by hand:

# %%
torch.manual_seed(4)
E, H = 16, 4
mha = nn.MultiheadAttention(E, H, batch_first=True)
x = torch.randn(2, 5, E)                                      # (N, L, E)
print(mha.in_proj_weight.shape, mha.in_proj_bias.shape, mha.out_proj)

q, k, v = F.linear(x, mha.in_proj_weight, mha.in_proj_bias).chunk(3, dim=-1)   # each (N, L, E)

def split_heads(t):                       # (N, L, E) -> (N, H, L, d): one attention per head
    n, length, _ = t.shape
    return t.reshape(n, length, H, E // H).transpose(1, 2)

heads = F.scaled_dot_product_attention(split_heads(q), split_heads(k), split_heads(v))   # (N, H, L, d)
merged = heads.transpose(1, 2).reshape(2, 5, E)               # concatenate the heads again
by_hand = mha.out_proj(merged)

out, w = mha(x, x, x)
print(torch.allclose(by_hand, out, atol=1e-5))

# %% [markdown]
# `need_weights=True` (the default) also returns the attention weights, averaged over the heads;
# `average_attn_weights=False` keeps one table per head; `need_weights=False` skips them (faster:
# PyTorch can then use its fused kernels, which is why `nn.TransformerEncoderLayer` asks for no weights).

# %%
_, per_head = mha(x, x, x, average_attn_weights=False)
_, nothing = mha(x, x, x, need_weights=False)
print(w.shape, per_head.shape, nothing)
print("averaged = mean of the heads:", torch.allclose(w, per_head.mean(dim=1), atol=1e-6))
scale = math.sqrt(E // H)                 # each head scales by its own width d, not E
mine = F.softmax(split_heads(q) @ split_heads(k).transpose(-2, -1) / scale, dim=-1)
print("head weights = softmax(q k^T / sqrt(d)):", torch.allclose(mine, per_head, atol=1e-6))

# %% [markdown]
# ## 5. Positions: attention alone cannot see word order
#
# Look at the formula again: nothing in it knows *where* a key is. Shuffle the input positions and
# self-attention's outputs are shuffled the same way — it is **permutation-equivariant**. So
# "dog bites man" and "man bites dog" give the word *dog* exactly the same vector. Measure it:

# %%
torch.manual_seed(5)
vocab = {"dog": 0, "bites": 1, "man": 2}
embed = nn.Embedding(3, E)
mha = nn.MultiheadAttention(E, H, batch_first=True)

def self_attend(words, positions=None):
    x = embed(torch.tensor([[vocab[w] for w in words]]))
    if positions is not None:
        x = x + positions[: len(words)]
    return mha(x, x, x, need_weights=False)[0][0]           # (L, E)

a, b = self_attend(["dog", "bites", "man"]), self_attend(["man", "bites", "dog"])
print("without positions, 'dog' is the same vector in both sentences:", torch.allclose(a[0], b[2], atol=1e-6))
perm = torch.tensor([2, 0, 1])
x = torch.randn(1, 3, E)
print("and any permutation just permutes the outputs:",
      torch.allclose(mha(x[:, perm], x[:, perm], x[:, perm])[0], mha(x, x, x)[0][:, perm], atol=1e-6))

# %% [markdown]
# The fix: add to each token's vector a vector that depends on its **position** — a positional
# encoding (位置编码). Two common choices:
#
# - **learned**: `nn.Embedding(max_len, E)`, one trained vector per position (GPT-2, and our model
#   below);
# - **sinusoidal** (the original Transformer): fixed waves of geometrically spaced wavelengths,
#
# $$PE_{p,\,2i} = \sin\!\left(p / 10000^{2i/E}\right), \qquad PE_{p,\,2i+1} = \cos\!\left(p / 10000^{2i/E}\right),$$
#
#   so every position gets a distinct pattern and nearby positions similar ones.

# %%
def sinusoidal(num_positions, dim):
    position = torch.arange(num_positions, dtype=torch.float32)[:, None]     # (P, 1)
    frequency = 10000.0 ** (-torch.arange(0, dim, 2, dtype=torch.float32) / dim)  # (dim/2,)
    pe = torch.zeros(num_positions, dim)
    pe[:, 0::2] = torch.sin(position * frequency)
    pe[:, 1::2] = torch.cos(position * frequency)
    return pe

pe = sinusoidal(64, 32)
fig, ax = plt.subplots(figsize=(7, 2.6))
ax.imshow(pe.T.numpy(), cmap="RdBu", aspect="auto")
ax.set_xlabel("position p")
ax.set_ylabel("feature")
ax.set_title("sinusoidal positional encoding: fast waves at the top, slow ones below")
plt.show()

# %%
pe = sinusoidal(3, E)
a, b = self_attend(["dog", "bites", "man"], pe), self_attend(["man", "bites", "dog"], pe)
print("with positions, 'dog' differs between the sentences:", not torch.allclose(a[0], b[2], atol=1e-3))
print("distinct positions, |PE| constant:", torch.allclose(sinusoidal(64, 32).norm(dim=1), torch.full((64,), 4.0)))

# %% [markdown]
# (Each sine–cosine pair has norm 1, so every row has norm $\sqrt{E/2} = 4$ for $E = 32$: the
# encoding moves vectors around without making any position louder than another.)

# %% [markdown]
# ## 6. A tiny GPT: a decoder-only Transformer on Shakespeare
#
# Everything together. A **Transformer block** is self-attention and a small MLP, each wrapped in a
# residual connection with **layer normalisation** (层规范化) in front (`norm_first=True`, the
# "pre-norm" form GPT-2 uses, which trains stably without warm-up):
#
# $$x \leftarrow x + \mathrm{MultiHead}(\mathrm{LayerNorm}(x)), \qquad
#   x \leftarrow x + \mathrm{MLP}(\mathrm{LayerNorm}(x)).$$
#
# That is exactly `nn.TransformerEncoderLayer(..., norm_first=True, batch_first=True)`. An *encoder*
# layer with a *causal mask* is a GPT "decoder" block: "decoder-only" means masked self-attention and
# no cross-attention (`nn.TransformerDecoderLayer` adds attention to an encoder's output, which a
# language model does not have). Our GPT: token embedding + learned position embedding → 2 blocks →
# a final `LayerNorm` → a linear **LM head** giving scores for the next character.
#
# The data: the first 100,000 characters of Shakespeare's *Coriolanus* (`data/text`, the corpus of
# lesson 25), at character level: 61 distinct characters, each one a token.

# %%
text = open("../data/text/shakespeare_100k.txt", encoding="utf-8").read()
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}

def encode(s):
    return [stoi[c] for c in s]

def decode(ids):
    return "".join(chars[i] for i in ids)

data = torch.tensor(encode(text))
n_train = int(0.9 * len(data))
train_ids, val_ids = data[:n_train], data[n_train:]
V = len(chars)
print(f"{len(text):,} characters, vocabulary of {V}: {''.join(chars)!r}")
print(f"train {len(train_ids):,} / validation {len(val_ids):,} characters")

# %% [markdown]
# ### Baselines: what does "good" mean in bits per character?
#
# A language model is measured by its cross-entropy on text it was not trained on. In bits
# ($\log_2$) it says how many yes/no questions per character a compressor built on the model would
# need. Two baselines from counting alone: **unigram** (each character's frequency, no context) and
# **bigram** (the next character's frequency given the previous one), both counted on the training
# part with add-one smoothing and measured on the validation part. The Transformer has 64 characters
# of context; it should beat both.

# %%
counts = torch.bincount(train_ids, minlength=V).float() + 1
unigram_bits = -(counts / counts.sum())[val_ids].log2().mean().item()
pairs = torch.bincount(train_ids[:-1] * V + train_ids[1:], minlength=V * V).float().reshape(V, V) + 1
bigram = pairs / pairs.sum(dim=1, keepdim=True)
bigram_bits = -bigram[val_ids[:-1], val_ids[1:]].log2().mean().item()
print(f"uniform {math.log2(V):.2f} bits/char, unigram {unigram_bits:.2f}, bigram {bigram_bits:.2f}")

# %% [markdown]
# The model. `nn.TransformerEncoder` stacks copies of the layer; the float causal mask goes in as
# `mask` with `is_causal=True` as a hint (PyTorch may then use a faster kernel; the mask itself is
# still what is applied). `enable_nested_tensor=False` switches off an inference fast path that
# pre-norm layers cannot use anyway (PyTorch would warn).

# %%
CONTEXT, D_MODEL, HEADS, LAYERS = 64, 64, 4, 2

class TinyGPT(nn.Module):
    def __init__(self, vocab_size, context=CONTEXT, d_model=D_MODEL, nhead=HEADS, num_layers=LAYERS):
        super().__init__()
        self.token = nn.Embedding(vocab_size, d_model)
        self.position = nn.Embedding(context, d_model)            # learned positions
        block = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=4 * d_model, dropout=0.0,
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(block, num_layers, norm=nn.LayerNorm(d_model),
                                            enable_nested_tensor=False)
        self.lm_head = nn.Linear(d_model, vocab_size)

    def forward(self, ids):                                       # ids (N, T) -> logits (N, T, vocab)
        T = ids.shape[1]
        x = self.token(ids) + self.position(torch.arange(T))
        mask = nn.Transformer.generate_square_subsequent_mask(T)
        return self.lm_head(self.blocks(x, mask=mask, is_causal=True))

torch.manual_seed(0)
model = TinyGPT(V)
print(model.blocks.layers[0])
print(f"{sum(p.numel() for p in model.parameters()):,} parameters")

# %% [markdown]
# Training: random windows of 65 characters from the training text; the input is the first 64, the
# target the same window shifted by one, so **every position is a training example** (predict
# character $t + 1$ from characters $0 \dots t$) — the causal mask is what makes that honest. AdamW,
# 200 steps of 32 windows at a constant learning rate.

# %%
STEPS, BATCH, LR = 200, 32, 6e-3

def get_batch(ids, batch_size):
    starts = torch.randint(len(ids) - CONTEXT - 1, (batch_size,))
    window = ids[starts[:, None] + torch.arange(CONTEXT + 1)]    # (batch, CONTEXT + 1)
    return window[:, :-1], window[:, 1:]

torch.manual_seed(0)
model = TinyGPT(V)
optimizer = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01)
losses = []
model.train()
for step in range(STEPS):
    x, y = get_batch(train_ids, BATCH)
    loss = F.cross_entropy(model(x).reshape(-1, V), y.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())

@torch.no_grad()
def bits_per_char(model, ids):
    """Cross-entropy in bits on ids cut into windows of CONTEXT (every character predicted once)."""
    model.eval()
    n = (len(ids) - 1) // CONTEXT
    x = ids[: n * CONTEXT].reshape(n, CONTEXT)
    y = ids[1: n * CONTEXT + 1].reshape(n, CONTEXT)
    return F.cross_entropy(model(x).reshape(-1, V), y.reshape(-1)).item() / math.log(2)

val_bits = bits_per_char(model, val_ids)

# %%
# NBVAL_IGNORE_OUTPUT
# depends on the training run
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(np.array(losses) / math.log(2), lw=0.8, label="training batch")
ax.axhline(unigram_bits, color="gray", ls=":", label="unigram")
ax.axhline(bigram_bits, color="gray", ls="--", label="bigram")
ax.axhline(val_bits, color="C3", label="validation, after training")
ax.set_xlabel("step")
ax.set_ylabel("bits per character")
ax.set_ylim(0, 7)
ax.legend(fontsize=8)
plt.show()
print(f"validation: {val_bits:.2f} bits/char (unigram {unigram_bits:.2f}, bigram {bigram_bits:.2f}); "
      f"first batch {losses[0] / math.log(2):.2f}, last {losses[-1] / math.log(2):.2f}")

# %% [markdown]
# The loss starts near $\log_2 61 \approx 5.9$ bits (a uniform guess), drops below the unigram
# baseline within a few steps, sits near the bigram baseline for a while (it has learned which
# character tends to follow which) and then goes below it: the model uses more than the previous
# character. The lesson's check:

# %%
print("beats the unigram baseline by over 1 bit/char:", val_bits < unigram_bits - 1.0)
print("beats the bigram baseline by over 0.2 bit/char:", val_bits < bigram_bits - 0.2)
assert val_bits < bigram_bits - 0.2, f"{val_bits:.2f} bits/char: the model did not learn to use its context"

# %% [markdown]
# ### Generating text
#
# To write, the model predicts the next character from the last `CONTEXT` ones, we pick one and feed
# it back. **Greedy** decoding takes the most likely character every time (and soon repeats itself);
# **sampling** draws from the softmax, and a **temperature** $\tau$ divides the logits first:
# $\tau < 1$ sharpens the distribution (safer, duller), $\tau > 1$ flattens it (more surprising, more
# typos).

# %%
@torch.no_grad()
def generate(model, prompt, n, temperature=1.0):
    model.eval()
    ids = torch.tensor([encode(prompt)])
    for _ in range(n):
        logits = model(ids[:, -CONTEXT:])[:, -1]                  # the scores for the next character
        if temperature == 0:
            next_id = logits.argmax(dim=-1, keepdim=True)         # greedy
        else:
            next_id = torch.multinomial(F.softmax(logits / temperature, dim=-1), 1)
        ids = torch.cat([ids, next_id], dim=1)
    return decode(ids[0].tolist())

# %%
# NBVAL_IGNORE_OUTPUT
# depends on the training run and on the random generator
torch.manual_seed(0)
for temperature in (0, 0.8):
    print(f"--- temperature {temperature}")
    print(generate(model, "MENENIUS:\n", 160, temperature))

# %% [markdown]
# After a few seconds of training it has learned the format (names in capitals, a colon, a line break,
# short lines), common words and spelling-like fragments — not meaning. Two hundred steps see about
# 410,000 characters, between four and five passes over the text; larger models trained for hours on the whole of
# Shakespeare write passable pastiche with the very same code.

# %% [markdown]
# ## 7. What do the heads look at?
#
# The attention weights of a trained model can be read out. `nn.TransformerEncoderLayer` calls its
# `self_attn` with `need_weights=False`, so we run the blocks ourselves, layer by layer, asking each
# `self_attn` for its per-head weights (pre-norm: attention sees `norm1(x)`):

# %%
line = text[n_train + 200: n_train + 200 + 48]                   # 48 characters of validation text
ids = torch.tensor([encode(line)])
mask = nn.Transformer.generate_square_subsequent_mask(len(line))
maps = []
with torch.no_grad():
    model.eval()
    h = model.token(ids) + model.position(torch.arange(len(line)))
    for layer in model.blocks.layers:
        a = layer.norm1(h)
        _, w = layer.self_attn(a, a, a, attn_mask=mask, need_weights=True, average_attn_weights=False)
        maps.append(w[0])                                       # (heads, T, T)
        h = layer(h, src_mask=mask, is_causal=True)
    same = torch.allclose(model.blocks.norm(h), model.blocks(model.token(ids) + model.position(torch.arange(len(line))),
                                                             mask=mask, is_causal=True), atol=1e-5)
print("layer by layer = the whole stack:", same)
print("weights shape per layer:", tuple(maps[0].shape))
print("causal (nothing above the diagonal):", all(bool((m.triu(1) == 0).all()) for m in maps),
      "| rows sum to 1:", all(torch.allclose(m.sum(-1), torch.ones(HEADS, len(line)), atol=1e-5) for m in maps))

# %%
# NBVAL_IGNORE_OUTPUT
# depends on the training run
fig, axes = plt.subplots(2, HEADS, figsize=(12, 6))
for i, layer_maps in enumerate(maps):
    for head in range(HEADS):
        ax = axes[i, head]
        ax.imshow(layer_maps[head].numpy(), cmap="viridis", vmin=0, vmax=1)
        ax.set_title(f"layer {i}, head {head}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
fig.suptitle(repr(line), fontsize=9)
plt.show()
for i, layer_maps in enumerate(maps):        # how far back does each head look, on average?
    positions = torch.arange(len(line)).float()
    distance = (layer_maps * (positions[:, None] - positions[None, :]).clamp(min=0)).sum(-1).mean(-1)
    print(f"layer {i}: mean distance attended per head {[round(d, 1) for d in distance.tolist()]}")

# %% [markdown]
# The mean distance says how far back a head reads on average; the pictures show more. Look for
# heads whose weight sits on a thin band just below the diagonal (the previous character or two: a
# bigram-like job), heads that jump back to the last space or line break (where the current word or
# line began), and heads that spread evenly (an average of the context). With two hundred steps of
# training the specialisation is only beginning. Explore the heads yourself: pick a layer, a head and a
# query character, and see which earlier characters it reads.
#
# *edutorch-only cell.* `edutorch.notebook.AttentionViewer.from_model(model, ids, tokens=...)` hooks
# every `nn.MultiheadAttention` in the model (asking it for `need_weights=True,
# average_attn_weights=False`), runs it once and shows the weights; `attention_figure(...)` draws the
# same picture without controls. Both also accept weights you computed yourself, from edutorch or
# PyTorch tensors.

# %%
# NBVAL_IGNORE_OUTPUT
# an interactive widget
if EDUTORCH:
    from edutorch.notebook import AttentionViewer
    viewer = AttentionViewer.from_model(model, ids, tokens=line, layer=1, head=0)
    display(viewer)

# %% [markdown]
# ## Summary
#
# - Attention is a soft lookup: scores $q \cdot k_j$, softmax weights, a weighted sum of values. A
#   sharper softmax approaches an exact lookup.
# - Scaled dot-product attention is $\mathrm{softmax}(QK^\top / \sqrt d) V$; the $\sqrt d$ keeps the
#   scores at unit spread so the softmax does not saturate and gradients flow.
# - A causal mask lets position $t$ see only $0 \dots t$. In `F.scaled_dot_product_attention` a boolean
#   mask means True = may attend; in `nn.MultiheadAttention` / `nn.Transformer*` True = masked out; a
#   float mask (0 / $-\infty$, `generate_square_subsequent_mask`) is added to the scores everywhere.
# - Multi-head attention projects once (`in_proj_weight`), splits $E$ into $h$ heads of $d = E / h$
#   with `reshape` + `transpose`, attends per head, merges and projects (`out_proj`).
# - Attention without positions is permutation-equivariant; learned or sinusoidal position encodings
#   add order.
# - A decoder-only Transformer = embeddings + pre-norm encoder layers with a causal mask + an LM head.
#   Ours learned Shakespeare's format in seconds and beats the unigram and bigram baselines in bits
#   per character.

# %% [markdown]
# ## Exercises
#
# Each exercise: fill in the cell that starts with `# Exercise N`, run it, then run the check under it.
# The checks print ✓, or ✗ with a hint. The answers are in
# [solutions/26_attention.py](solutions/26_attention.py). The section runs on its own after the setup
# cell at the top.

# %%
from checks.lesson26 import Checks   # the checks of this lesson: lessons/checks/lesson26.py
check = Checks(torch)

# %% [markdown]
# **Exercise 1 — scaled dot-product attention.** Write `attention(q, k, v, mask=None)` for `q` of
# shape (..., L, d), `k` (..., S, d), `v` (..., S, d_v): return the output (..., L, d_v) and the
# weights (..., L, S). `mask`, when given, is boolean (L, S) with **True = may attend** (as in
# `F.scaled_dot_product_attention`). Use only matrix products, `masked_fill` and `F.softmax`. The check
# compares with `F.scaled_dot_product_attention` with and without a mask, and its gradients.

# %%
# Exercise 1: scaled dot-product attention by hand
def attention(q, k, v, mask=None):
    raise NotImplementedError("scores = q k^T / sqrt(d); masked_fill(~mask, -inf); softmax over the keys; @ v")

# %%
check.ex1(attention)

# %% [markdown]
# **Exercise 2 — causal masks in both conventions.** Write `causal_masks(L)` returning a pair:
# `allowed`, a boolean (L, L) tensor for `F.scaled_dot_product_attention` (True = may attend), and
# `additive`, a float (L, L) tensor equal to `nn.Transformer.generate_square_subsequent_mask(L)` — but
# build it yourself from `allowed` (with `torch.zeros` and `masked_fill`, or `torch.where`).

# %%
# Exercise 2: a causal mask, boolean and additive
def causal_masks(L):
    allowed = ...
    additive = ...
    return allowed, additive

# %%
check.ex2(causal_masks)

# %% [markdown]
# **Exercise 3 — multi-head self-attention from `nn.MultiheadAttention`'s weights.** Write
# `multi_head_self_attention(x, mha, attn_mask=None)` for a `batch_first` module `mha` and `x` of shape
# (N, L, E): project with `mha.in_proj_weight` / `mha.in_proj_bias`, split into `mha.num_heads` heads,
# attend (you may use `F.scaled_dot_product_attention`, which takes `attn_mask` as a boolean True =
# may attend mask), merge the heads and apply `mha.out_proj`. The check compares with
# `mha(x, x, x)` for several head counts and a causal mask.

# %%
# Exercise 3: multi-head self-attention by hand
def multi_head_self_attention(x, mha, attn_mask=None):
    raise NotImplementedError("in_proj -> chunk(3) -> (N, H, L, d) -> attention -> (N, L, E) -> out_proj")

# %%
check.ex3(multi_head_self_attention)

# %% [markdown]
# **Exercise 4 — sinusoidal positional encoding.** Write `positional_encoding(num_positions, dim)`
# returning the (num_positions, dim) float tensor with $PE_{p,2i} = \sin(p / 10000^{2i/\mathrm{dim}})$
# and $PE_{p,2i+1} = \cos(p / 10000^{2i/\mathrm{dim}})$ (sine in the even columns, cosine in the odd
# ones, interleaved), without a Python loop over positions.

# %%
# Exercise 4: sinusoidal positional encoding
def positional_encoding(num_positions, dim):
    raise NotImplementedError("angles = positions[:, None] / 10000 ** (2i / dim); sin in columns 0::2, cos in 1::2")

# %%
check.ex4(positional_encoding)

# %% [markdown]
# **Exercise 5 — greedy and temperature sampling.** Write `sample_next(logits, temperature)` for a
# batch of next-token logits (N, V): with `temperature == 0` return the most likely token of each row
# (greedy); otherwise sample one token per row from $\mathrm{softmax}(\text{logits} / \tau)$ with
# `torch.multinomial`. Return int64 indices of shape (N,). The check draws 20,000 samples and compares
# their frequencies with the distribution they should follow.

# %%
# Exercise 5: pick the next token
def sample_next(logits, temperature):
    raise NotImplementedError("temperature 0: argmax over the vocabulary; else multinomial(softmax(logits / T), 1)")

# %%
check.ex5(sample_next)

# %% [markdown]
# ## 中文小结
#
# - **注意力机制**是一种“软”的字典查找：查询（query）与每个键（key）做点积得到分数，softmax 得到权重，
#   再对值（value）加权求和。softmax 越“尖锐”，就越接近精确查找。
# - **缩放点积注意力**：$\mathrm{softmax}(QK^\top/\sqrt d)\,V$。除以 $\sqrt d$ 让分数的方差保持为 1，
#   避免 softmax 饱和、梯度消失——我们用实验测量了这一点。
# - **因果掩码**让位置 $t$ 只能看到 $0\dots t$。注意 PyTorch 的两种布尔约定相反：
#   `F.scaled_dot_product_attention` 中 True 表示“可以关注”，`nn.MultiheadAttention` / `nn.Transformer*`
#   中 True 表示“屏蔽”；浮点掩码（0 / $-\infty$，`generate_square_subsequent_mask`）则是加到分数上。
# - **多头注意力**：一次投影（`in_proj_weight`），用 `reshape` + `transpose` 把 $E$ 维拆成 $h$ 个
#   $d=E/h$ 维的头，分别做注意力，再合并并经过 `out_proj`。
# - 没有位置信息的**自注意力**对输入的排列是等变的（“狗咬人”和“人咬狗”中“狗”的向量完全相同）；
#   加上可学习的或正弦的**位置编码**后才能区分顺序。
# - 仅解码器的 Transformer ＝ 词元嵌入 ＋ 位置嵌入 ＋ 带因果掩码的 pre-norm 编码器层（**层规范化**在前）
#   ＋ 语言模型输出层。我们在莎士比亚文本上按字符训练了两百步，验证集上的每字符比特数低于一元和二元
#   基线；还可以用贪心或带温度的采样生成文本，并查看各个头的注意力权重。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | attention mechanism | 注意力机制 | — |
# | query / key / value | 查询 / 键 / 值 | `query`, `key`, `value` arguments |
# | attention weights | 注意力权重 | `need_weights=True`, `average_attn_weights` |
# | scaled dot-product attention | 缩放点积注意力 | `torch.nn.functional.scaled_dot_product_attention` |
# | self-attention | 自注意力 | `mha(x, x, x)` |
# | multi-head attention | 多头注意力 | `torch.nn.MultiheadAttention` |
# | mask / causal mask | 掩码 / 因果掩码 | `attn_mask`, `is_causal`, `nn.Transformer.generate_square_subsequent_mask` |
# | positional encoding | 位置编码 | — (sinusoidal), `nn.Embedding` (learned) |
# | layer normalization | 层规范化 | `torch.nn.LayerNorm` |
# | residual connection | 残差连接 | `x + f(x)` |
# | Transformer encoder / decoder | Transformer 编码器 / 解码器 | `nn.TransformerEncoderLayer`, `nn.TransformerDecoderLayer` |
# | language model | 语言模型 | — |
# | token / vocabulary | 词元 / 词表 | `nn.Embedding` |
# | temperature / greedy decoding | 温度 / 贪心解码 | `logits / temperature`, `argmax` |
# | sampling | 采样 | `torch.multinomial` |
# | perplexity / bits per character | 困惑度 / 每字符比特数 | `F.cross_entropy(...) / math.log(2)` |
