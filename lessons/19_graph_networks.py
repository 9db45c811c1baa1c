# %% [markdown]
# # 19 · Graph neural networks: message passing with `index_add_`
#
# *Runs in about 5 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
#
# Many data are **graphs** (图): people and friendships, atoms and bonds, papers and citations. A
# **graph neural network** (图神经网络) updates every node from its neighbours — **message passing**
# (消息传递). Libraries such as PyTorch Geometric store a graph as
#
# - `x`: node features, shape `(N, F)`;
# - `edge_index`: the edges, shape `(2, E)` — row 0 the source node of each edge, row 1 its target;
#
# and implement message passing with scatter operations. We do the same with plain PyTorch
# (`index_add_`, `scatter_reduce`), then train a graph convolutional network on a real social network.
#
# **Goals.** After this lesson you can
#
# - store a graph as `edge_index` and aggregate messages along its edges with `index_add_` and
#   `scatter_reduce`, and say why repeated indices must be summed, not assigned;
# - write the normalised adjacency $\hat D^{-1/2}(A + I)\hat D^{-1/2}$ and a **graph convolution**
#   (图卷积) layer, both as a dense matrix product and edge by edge;
# - train a GCN from two labelled nodes and measure it honestly: accuracy on the nodes it never saw a
#   label for, against a baseline that ignores the graph;
# - explain why a few layers suffice and many layers hurt (**over-smoothing**, 过平滑).

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
# ## 1. A real graph: Zachary's karate club
#
# 34 members of a karate club and who met whom outside the club (`data/karate`, see its README).
# The club split in two: `club` says which side each member joined, 0 for the instructor's (member 0)
# and 1 for the administrator's (member 33). Each friendship becomes two directed edges, one each way.

# %%
table = np.loadtxt("../data/karate/edges.csv", delimiter=",", skiprows=1, dtype=np.int64)
club = torch.from_numpy(np.loadtxt("../data/karate/clubs.csv", delimiter=",", skiprows=1, dtype=np.int64)[:, 1])
pairs = torch.from_numpy(table[:, :2]).T                                  # (2, 78)
edge_index = torch.cat([pairs, pairs.flip(0)], dim=1)                     # both directions: (2, 156)
N = 34
print(tuple(pairs.shape), "->", tuple(edge_index.shape), "| first edges", edge_index[:, :5].tolist(),
      "| members per side", torch.bincount(club).tolist())

# %% [markdown]
# 78 friendships become 156 directed edges. The first five edges go from member 0 to members 1–5
# (row 0 the sources, row 1 the targets); the last 78 columns are the same pairs flipped. The two
# sides have 17 members each, so guessing one side for everybody is right half the time.
#
# ## 2. Messages and aggregation
#
# The **degree** of a node is how many edges point to it: add a 1 for every edge at its target.
# `index_add_(0, index, values)` adds `values[k]` into row `index[k]`, summing repeated indices —
# exactly what aggregation needs.

# %%
src, dst = edge_index
degree = torch.zeros(N).index_add_(0, dst, torch.ones(dst.shape[0]))
print(degree[:8].tolist(), torch.equal(degree.long(), torch.bincount(dst, minlength=N)))
print("most connected:", degree.argsort(descending=True)[:3].tolist(), "with", degree.sort(descending=True).values[:3].tolist(), "friends")

# %% [markdown]
# The instructor (0) and the administrator (33) are the hubs, with 16 and 17 friends; member 32 comes
# next with 12. `bincount` of the targets gives the same degrees: counting is a sum of ones.
#
# One round of message passing: every edge sends its source's features to its target; each node
# aggregates what it receives — sum (`index_add_`), or mean / max (`scatter_reduce`).

# %%
x = torch.arange(N, dtype=torch.float32).unsqueeze(1)                    # feature = the node's number
messages = x[src]                                                          # one message per edge
summed = torch.zeros(N, 1).index_add_(0, dst, messages)
index = dst.unsqueeze(1)
mean = torch.zeros(N, 1).scatter_reduce(0, index, messages, reduce="mean", include_self=False)
biggest = torch.zeros(N, 1).scatter_reduce(0, index, messages, reduce="amax", include_self=False)
neighbours_of_9 = sorted(src[dst == 9].tolist())
print("node 9's neighbours", neighbours_of_9, "-> sum", summed[9].item(), "mean", mean[9].item(), "max", biggest[9].item())

# %% [markdown]
# Node 9 has two friends, 2 and 33: their features sum to 35, average 17.5, and the largest is 33.
#
# **Why not simply `out[dst] = messages`?** Indexed assignment writes each message into its target's
# row, but a node with several incoming edges gets only *one* of them (which one is not defined);
# `index_add_` adds them all. The sum is the same as multiplying by the **adjacency matrix**
# (邻接矩阵) $A$ with $A_{ij} = 1$ for an edge $j \to i$, which `index_add_` never builds:

# %%
assigned = torch.zeros(N, 1)
assigned[dst] = messages
print("assignment gives node 9 a single message:", assigned[9].item() in (2.0, 33.0), "| index_add_:", summed[9].item())

A = torch.zeros(N, N)
A[dst, src] = 1.0
print("A @ x == index_add_:", torch.equal(A @ x, summed), "| A stores", A.numel(), "numbers for", edge_index.shape[1], "edges")

# %% [markdown]
# For 34 nodes the matrix is small, but it has $N^2$ entries of which only $E$ are not zero: 1156
# numbers for 156 edges here, $10^{12}$ for a million-node graph. Message passing costs memory and
# time in proportion to the edges, which is what lets GNNs run on graphs with millions of nodes.
#
# ## 3. A graph convolution (GCN) layer
#
# Kipf & Welling's GCN layer adds self-loops ($\hat A = A + I$, so a node also keeps its own
# features) and normalises by the degrees $\hat d_i$ of $\hat A$:
#
# $$H' = \hat D^{-1/2} \hat A \hat D^{-1/2} \, H W, \qquad
#   h'_i = \sum_{j \in \mathcal{N}(i) \cup \{i\}} \frac{1}{\sqrt{\hat d_i \hat d_j}}\, W^\top h_j .$$
#
# Write $S = \hat D^{-1/2} \hat A \hat D^{-1/2}$ for the **normalised adjacency** (归一化邻接矩阵). Why
# normalise? A plain sum grows with the degree, and applying $\hat A$ again and again multiplies the
# features by about its largest eigenvalue each time. $S$ has largest eigenvalue exactly 1 (its
# eigenvector is $\sqrt{\hat d}$), so features keep their scale however often it is applied:

# %%
a_hat = A + torch.eye(N)
d_hat = a_hat.sum(dim=1)                                         # degree + 1 (the self-loop)
S = a_hat / torch.sqrt(d_hat[:, None] * d_hat[None, :])
print("S[0, 0] =", round(S[0, 0].item(), 4), "= 1/17 | S[0, 1] =", round(S[0, 1].item(), 4), "= 1/sqrt(17 * 10)")
print("symmetric:", torch.allclose(S, S.T), "| S @ sqrt(d) == sqrt(d):", torch.allclose(S @ d_hat.sqrt(), d_hat.sqrt(), atol=1e-5))
print("largest eigenvalue of A + I:", round(float(np.linalg.eigvalsh(a_hat.numpy().astype(np.float64))[-1]), 3),
      "| of S:", round(float(np.linalg.eigvalsh(S.numpy().astype(np.float64))[-1]), 3))

# %% [markdown]
# Member 0 has 16 friends, so $\hat d_0 = 17$ and it keeps $1/17$ of its own features; member 1 has
# $\hat d_1 = 10$, and the edge between them carries the weight $1/\sqrt{17 \cdot 10}$: a friendship
# between two hubs counts less than one between two members with few friends. Ten rounds of
# $\hat A$ would multiply the features by about $7.7^{10} \approx 10^9$; ten rounds of $S$ keep them
# at their size.
#
# The right-hand form of the formula is message passing: each edge $j \to i$ carries $W^\top h_j$ scaled by
# $1/\sqrt{\hat d_i \hat d_j}$, and `index_add_` sums them at $i$. It never builds the $N \times N$
# matrix:

# %%
class GCNLayer(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features, bias=False)

    def forward(self, h, edge_index):
        n = h.shape[0]
        loops = torch.arange(n)
        src = torch.cat([edge_index[0], loops])                       # A + I
        dst = torch.cat([edge_index[1], loops])
        degree = torch.zeros(n).index_add_(0, dst, torch.ones(dst.shape[0]))
        norm = degree.pow(-0.5)
        h = self.linear(h)                                            # W^T h_j for every node
        messages = h[src] * (norm[src] * norm[dst]).unsqueeze(1)
        return torch.zeros(n, h.shape[1]).index_add_(0, dst, messages)


# %% [markdown]
# **Check it** against the dense formula $S H W$, with the matrix `S` from above:

# %%
torch.manual_seed(0)
layer = GCNLayer(4, 2)
h = torch.randn(N, 4)
dense = S @ h @ layer.linear.weight.T
edgewise = layer(h, edge_index)
assert torch.allclose(edgewise, dense, atol=1e-5)
print(tuple(edgewise.shape), "edge by edge == dense:", torch.allclose(edgewise, dense, atol=1e-5))
print("parameters:", [tuple(p.shape) for p in layer.parameters()])

# %% [markdown]
# The layer's only parameter is $W$, stored as `linear.weight` of shape `(out, in) = (2, 4)`: the
# same weights for every node, however many nodes and edges the graph has (like a convolution
# kernel, shared across positions).
#
# ## 4. Predicting the split from two labels
#
# A classic semi-supervised task: we know the side of only **two** members — the instructor (node 0)
# and the administrator (node 33) — and predict everyone else's from the friendships. Node features
# are just one-hot identities (`torch.eye(34)`): all the information is in the graph.
#
# The accuracy on the two labelled members says nothing (the loss is minimised on them); what counts
# is the accuracy on the **other 32**. As a baseline, the same model without the friendships: with an
# empty `edge_index` only the self-loops remain, $S = I$, and the GCN becomes a plain two-layer
# perceptron (多层感知机) on the one-hot identities.

# %%
class GCN(nn.Module):
    def __init__(self, in_features, hidden, classes):
        super().__init__()
        self.conv1 = GCNLayer(in_features, hidden)
        self.conv2 = GCNLayer(hidden, classes)

    def forward(self, x, edge_index):
        h = torch.relu(self.conv1(x, edge_index))
        return self.conv2(h, edge_index)


features = torch.eye(N)
labelled = torch.tensor([0, 33])
unlabelled = torch.ones(N, dtype=torch.bool)
unlabelled[labelled] = False


def train(edges, steps=200):
    "Train a fresh GCN on the 2 labelled nodes; record the loss and the accuracies after every step."
    model = GCN(N, 16, 2)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    history = {"loss": [], "labelled": [], "other 32": []}
    for step in range(steps):
        logits = model(features, edges)
        loss = F.cross_entropy(logits[labelled], club[labelled])      # the loss sees 2 labels only
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        right = logits.argmax(dim=1) == club
        history["loss"].append(loss.item())
        history["labelled"].append(right[labelled].float().mean().item())
        history["other 32"].append(right[unlabelled].float().mean().item())
    with torch.no_grad():
        predicted = model(features, edges).argmax(dim=1)
    return model, predicted, history


torch.manual_seed(0)
model, predicted, history = train(edge_index)
no_edges = torch.zeros(2, 0, dtype=torch.int64)
mlp, mlp_predicted, mlp_history = train(no_edges)
wrong = torch.nonzero(predicted != club).flatten().tolist()
gcn_other = (predicted[unlabelled] == club[unlabelled]).float().mean().item()
mlp_other = (mlp_predicted[unlabelled] == club[unlabelled]).float().mean().item()

# %%
# NBVAL_IGNORE_OUTPUT
# depends on the random initialisation
print(f"GCN: final loss {history['loss'][-1]:.4f}, accuracy on the other 32 after step 1: "
      f"{history['other 32'][0]:.3f}, after 10 steps: {history['other 32'][9]:.3f}")
print(f"MLP: final loss {mlp_history['loss'][-1]:.4f}, accuracy on the other 32: {mlp_other:.3f}")

# %%
print(f"GCN: accuracy on the 2 labelled {history['labelled'][-1]:.2f} | on the other 32 {gcn_other:.3f} "
      f"| on all 34 {(predicted == club).float().mean().item():.3f} | wrong: {wrong}")
print("GCN >= 0.9 on the other 32:", gcn_other >= 0.9, "| MLP (no edges) <= 0.75:", mlp_other <= 0.75)

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
ax1.semilogy(history["loss"], label="GCN")
ax1.semilogy(mlp_history["loss"], label="MLP (no edges)")
ax1.set_xlabel("step")
ax1.set_title("loss on the 2 labelled nodes", fontsize=9)
ax1.legend(fontsize=8)
ax2.plot(history["other 32"], label="GCN, other 32")
ax2.plot(mlp_history["other 32"], label="MLP, other 32")
ax2.plot(history["labelled"], ":", color="grey", label="both, the 2 labelled")
ax2.axhline(0.5, color="grey", lw=0.5)
ax2.set_ylim(0, 1.05)
ax2.set_xlabel("step")
ax2.set_title("accuracy", fontsize=9)
ax2.legend(fontsize=8)
plt.tight_layout()
plt.show()
plt.close(fig)

# %% [markdown]
# What the numbers say:
#
# - Both models reach a loss near 0 and 100 % accuracy on the 2 labelled members within a few steps
#   (dotted line): that tells nothing about the others.
# - The GCN gets 31 of the other 32 right, usually within the first 10 steps: once the two labelled
#   nodes are pushed apart, their neighbours follow, because every node's output is a mixture of its
#   neighbourhood's.
# - The MLP sees the same two labels but no friendships. With one-hot inputs, the weights of an
#   unlabelled member are used by that member alone and get no gradient from the loss (weight decay
#   only shrinks them towards zero), so its predictions for the other 32 wander around chance (0.5);
#   where the curve ends depends on the random start.
#
# **The one mistake** is always member 8. Look at its friends:

# %%
friends_of_8 = sorted(src[dst == 8].tolist())
print("member 8 joined side", club[8].item(), "| friends", friends_of_8, "on sides", club[friends_of_8].tolist())

# %% [markdown]
# Three of its five friends, including the administrator himself, joined side 1; member 8 joined the
# instructor's side anyway. A model that sees only the friendships has every reason to get this
# member wrong. (Zachary's own analysis in 1977 also put exactly one member on the wrong side.)
#
# Draw the network: positions from the graph's normalised Laplacian $I - D^{-1/2} A D^{-1/2}$ (its
# eigenvectors 2 and 3, a *spectral layout*: well-connected groups land close together), colours
# from the model's prediction, rings for the true side.

# %%
adjacency = np.zeros((N, N))
adjacency[dst.numpy(), src.numpy()] = 1.0
deg = adjacency.sum(1)
laplacian = np.eye(N) - adjacency / np.sqrt(deg[:, None] * deg[None, :])
_, vectors = np.linalg.eigh(laplacian)
pos = vectors[:, 1:3] / np.sqrt(deg)[:, None]
plt.figure(figsize=(5, 4))
for a, b in pairs.T.tolist():
    plt.plot(pos[[a, b], 0], pos[[a, b], 1], color="grey", lw=0.5, zorder=1)
plt.scatter(pos[:, 0], pos[:, 1], c=predicted.numpy(), cmap="coolwarm", s=120, zorder=2,
            edgecolors=np.where(club.numpy() == 1, "darkred", "navy"), linewidths=2)
for i in (0, 8, 33):
    plt.annotate(str(i), pos[i], ha="center", va="center", fontsize=8, color="white", zorder=3)
plt.title("prediction (fill) vs. true side (ring)")
plt.axis("off")
plt.show()

# %% [markdown]
# ## 5. How far does a label travel? Depth and over-smoothing
#
# Each GCN layer mixes every node with its neighbours once, so two layers let information travel two
# edges. How many hops are right? Without any training, spread the two known labels with $S$ alone:
# start from $Y_0$ (a one-hot row for nodes 0 and 33, zeros elsewhere), compute $Y_k = S^k Y_0$ and
# predict the larger of the two columns — a parameter-free **label propagation** (标签传播). Also
# measure how alike the nodes have become: the mean cosine similarity between the rows of $S^k$ (each
# node's mixture of all 34 one-hot features).

# %%
S64 = S.double()
Y = torch.zeros(N, 2, dtype=torch.float64)
Y[0, 0] = Y[33, 1] = 1.0
propagated, mixed = Y.clone(), torch.eye(N, dtype=torch.float64)
ks, accuracy_k, similarity_k = [], [], []
for k in range(101):
    if k in (0, 1, 2, 3, 5, 8, 10, 15, 20, 30, 40, 50, 70, 100):
        rows = mixed / mixed.norm(dim=1, keepdim=True)
        cosine = rows @ rows.T
        ks.append(k)
        accuracy_k.append((propagated.argmax(dim=1)[unlabelled] == club[unlabelled]).double().mean().item())
        similarity_k.append(((cosine.sum() - N) / (N * (N - 1))).item())      # off-diagonal mean
    propagated, mixed = S64 @ propagated, S64 @ mixed

print("k                    ", ks)
print("accuracy on other 32 ", [round(a, 2) for a in accuracy_k])
print("mean cosine of rows  ", [round(c, 2) for c in similarity_k])

fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(ks, accuracy_k, "o-", label="label propagation: accuracy on the other 32")
ax.plot(ks, similarity_k, "s-", label="mean cosine similarity of the nodes")
ax.set_xscale("symlog", linthresh=1)
ax.set_xlabel("k (hops, i.e. layers)")
ax.set_ylim(0, 1.05)
ax.legend(fontsize=7)
plt.show()
plt.close(fig)

# %% [markdown]
# - $k = 0$: only the two labelled nodes have a score; the others tie at 0 and `argmax` picks side 0 for
#   all of them: 16 of 32 right, chance.
# - $k = 1$: the friends of 0 and 33 take their side: 29 of 32 right. Wrong are members 24 and 25,
#   friends of neither (they tie at 0 and default to side 0, like member 16, who is right by luck), and
#   member 31, a friend of both, whom the instructor's smaller degree tips to side 0.
# - From $k = 2$ everybody is reached, and $k = 3$ to 8 give 31 of 32 — the same single mistake,
#   member 8, as the trained GCN.
# - Beyond that the nodes grow alike (the similarity climbs to 1): $S^k$ tends to a matrix whose rows
#   all point the same way, along $\sqrt{\hat d}$. From $k \approx 50$ every node gets the same answer,
#   side 1, because the administrator has one friend more than the instructor, and the accuracy is
#   back at chance.
#
# This is **over-smoothing**: a deep stack of GCN layers averages every node towards the same vector.
# That is why GCNs usually have 2–3 layers, and why deeper graph networks add residual connections or
# other tricks against it. Two hops are plenty for a club whose members are at most 5 friendships
# apart.
#
# ### Check your understanding
#
# Predict each answer, then run.

# %%
# 1. an undirected graph stored both ways: the degrees add up to the number of directed edges
assert degree.sum().item() == edge_index.shape[1] == 2 * pairs.shape[1]

# 2. index_add_ sums repeated indices; assignment does not
assert torch.zeros(3).index_add_(0, torch.tensor([0, 0, 2]), torch.tensor([1.0, 2.0, 3.0])).tolist() == [3.0, 0.0, 3.0]

# 3. with no edges at all, a GCN layer is a plain linear layer (each node only has its self-loop)
assert torch.allclose(layer(h, no_edges), layer.linear(h))

# 4. GCN(34, 16, 2) has W1 (16, 34) and W2 (2, 16), no biases
assert sum(p.numel() for p in model.parameters()) == 34 * 16 + 16 * 2

# 5. S is symmetric, but its rows do not sum to 1 (it is not an average); D^-1 (A + I) would be
assert torch.allclose(S, S.T) and not torch.allclose(S.sum(dim=1), torch.ones(N))
assert torch.allclose((a_hat / d_hat[:, None]).sum(dim=1), torch.ones(N))
print("all correct")

# %% [markdown]
# ## Summary
#
# - A graph is `x` `(N, F)` + `edge_index` `(2, E)`; undirected edges are stored both ways.
# - Message passing: gather `x[src]`, transform, aggregate at `dst` with `index_add_` (sum) or
#   `scatter_reduce` (mean, max); repeated indices accumulate (assignment would keep only one). It
#   equals multiplying by the adjacency matrix, without building it.
# - A GCN layer is $\hat D^{-1/2}(A+I)\hat D^{-1/2} H W$, computed edge by edge; the normalisation keeps
#   the features' scale (largest eigenvalue 1).
# - From two labels, two GCN layers get 31 of the other 32 karate members right; without the edges
#   the same model is at chance. Judge semi-supervised models on the nodes without labels.
# - More hops spread information further, but too many make all nodes alike (over-smoothing).

# %% [markdown]
# ## Exercises
#
# Write the code in each `# Exercise` cell, run it, then run the check below it: the check says
# ✓ when your code is right, or ✗ with a hint that names what is wrong. The checks work on
# edutorch and on real PyTorch alike. Stuck? The solutions are in
# [solutions/19_graph_networks.py](solutions/19_graph_networks.py) (one click; try first!).

# %%
from checks.lesson19 import Checks   # the checks of these exercises: lessons/checks/lesson19.py
check = Checks(torch)

# %% [markdown]
# **Exercise 1 — the normalised adjacency.** Write `normalized_adjacency(pairs, n)`: `pairs` is a
# `(2, E)` int64 tensor with each undirected edge stored **once** (like `pairs` in section 1), `n` the
# number of nodes. Return the dense `(n, n)` matrix $\hat D^{-1/2}(A + I)\hat D^{-1/2}$, with
# $\hat d_i$ the degrees of $A + I$. The check uses a small graph with an isolated node.

# %%
# Exercise 1: the dense normalised adjacency D^-1/2 (A + I) D^-1/2 from undirected pairs
def normalized_adjacency(pairs, n):
    raise NotImplementedError("A both ways, + I, degrees, then scale rows and columns")

# %%
check.ex1(normalized_adjacency)

# %% [markdown]
# **Exercise 2 — mean aggregation with `index_add_`.** Write `neighbour_mean(x, edge_index)`: for
# every node $i$, the mean of `x[j]` over the edges $j \to i$ (`edge_index[0]` the sources,
# `edge_index[1]` the targets), and zeros for a node with no incoming edge. Use `index_add_` for the
# sums and the counts, no loop and no dense matrix. The result must stay differentiable with respect
# to `x`. The check uses a *directed* graph, so sources and targets matter.

# %%
# Exercise 2: mean of the incoming messages at every node, with index_add_
def neighbour_mean(x, edge_index):
    raise NotImplementedError("sum of x[src] at dst, divided by the number of incoming edges")

# %%
check.ex2(neighbour_mean)

# %% [markdown]
# **Exercise 3 — a weighted GCN layer.** `edges.csv` also gives each friendship a weight (in how many
# settings the two met). Write the module `WeightedGCNLayer(in_features, out_features)` with
# `self.linear = nn.Linear(in_features, out_features, bias=False)` and
# `forward(h, edge_index, edge_weight)`, where `edge_weight[k]` is the weight of edge `k`. It computes
# $\hat D^{-1/2} (A_w + I) \hat D^{-1/2} H W$: $A_w$ holds the weights, self-loops have weight 1, and
# $\hat d_i = 1 + \sum_{j \to i} w_{ji}$. Work edge by edge with `index_add_`, as `GCNLayer` does. The
# check compares it with the dense formula, and its gradient too.

# %%
# Exercise 3: a GCN layer whose messages and degrees use the edge weights
class WeightedGCNLayer(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        raise NotImplementedError("self.linear = nn.Linear(in_features, out_features, bias=False)")

    def forward(self, h, edge_index, edge_weight):
        raise NotImplementedError("self-loops of weight 1, weighted degrees, scaled messages, index_add_")

# %%
check.ex3(WeightedGCNLayer)

# %% [markdown]
# ## 中文小结
#
# - 图可以用节点特征 `x`（形状 `(N, F)`）和边索引 `edge_index`（形状 `(2, E)`，第 0 行是源节点，
#   第 1 行是目标节点）表示；无向图的每条边要按两个方向各存一次。
# - **消息传递**：按边取出源节点的特征 `x[src]`，在目标节点处聚合。求和用 `index_add_`，平均或最大值用
#   `scatter_reduce`；重复的索引会累加，而直接赋值 `out[dst] = ...` 只会留下其中一条消息。
#   求和聚合等价于乘以邻接矩阵，但不需要构造 $N \times N$ 的矩阵，所以能用于很大的图。
# - **图卷积**（GCN）层计算 $\hat D^{-1/2}(A+I)\hat D^{-1/2} H W$：加自环让节点保留自身特征，
#   按度归一化使特征的尺度在多次传播后保持不变（最大特征值为 1）。所有节点共享同一个权重矩阵 $W$。
# - 在空手道俱乐部图上只用两个有标签的节点训练，两层 GCN 就能正确预测其余 32 人中的 31 人；
#   去掉边的同一个模型（即多层感知机）只能达到随机猜测的水平。半监督学习要在**没有标签**的节点上评估。
# - 层数越多，信息传播得越远；但层数太多时所有节点的表示会趋于相同，这就是**过平滑**，
#   所以 GCN 通常只用 2～3 层。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | graph | 图 | — |
# | node / edge | 节点 / 边 | `edge_index` (PyTorch Geometric) |
# | degree | 度 | `torch.bincount`, `Tensor.index_add_` |
# | adjacency matrix | 邻接矩阵 | — |
# | normalised adjacency | 归一化邻接矩阵 | — |
# | self-loop | 自环 | — |
# | graph neural network | 图神经网络 | — |
# | message passing | 消息传递 | `Tensor.index_add_`, `Tensor.scatter_reduce` |
# | aggregation (sum / mean / max) | 聚合（求和 / 平均 / 最大值） | `scatter_reduce(reduce="sum" / "mean" / "amax")` |
# | graph convolutional network | 图卷积网络 | `torch_geometric.nn.GCNConv` |
# | semi-supervised learning | 半监督学习 | — |
# | label propagation | 标签传播 | — |
# | over-smoothing | 过平滑 | — |
# | multilayer perceptron | 多层感知机 | `torch.nn.Sequential`, `torch.nn.Linear` |
# | Laplacian matrix | 拉普拉斯矩阵 | — |
