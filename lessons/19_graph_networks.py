# %% [markdown]
# # 19 · Graph neural networks: message passing with `index_add_`
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
# The club split in two: `club` says which side each member joined. Each friendship becomes two
# directed edges, one each way.

# %%
table = np.loadtxt("../data/karate/edges.csv", delimiter=",", skiprows=1, dtype=np.int64)
club = torch.from_numpy(np.loadtxt("../data/karate/clubs.csv", delimiter=",", skiprows=1, dtype=np.int64)[:, 1])
pairs = torch.from_numpy(table[:, :2]).T                                  # (2, 78)
edge_index = torch.cat([pairs, pairs.flip(0)], dim=1)                     # both directions: (2, 156)
N = 34
print(tuple(edge_index.shape), edge_index[:, :5].tolist(), torch.bincount(club).tolist())

# %% [markdown]
# ## 2. Messages and aggregation
#
# The **degree** of a node is how many edges point to it: add a 1 for every edge at its target.
# `index_add_(0, index, values)` adds `values[k]` into row `index[k]`, summing repeated indices —
# exactly what aggregation needs.

# %%
src, dst = edge_index
degree = torch.zeros(N).index_add_(0, dst, torch.ones(dst.shape[0]))
print(degree[:8].tolist(), torch.equal(degree.long(), torch.bincount(dst, minlength=N)))
print("most connected:", degree.argsort(descending=True)[:3].tolist())

# %% [markdown]
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
# ## 3. A graph convolution (GCN) layer
#
# Kipf & Welling's GCN layer adds self-loops ($\hat A = A + I$) and normalises by the degrees:
#
# $$H' = \hat D^{-1/2} \hat A \hat D^{-1/2} \, H W, \qquad
#   h'_i = \sum_{j \in \mathcal{N}(i) \cup \{i\}} \frac{1}{\sqrt{\hat d_i \hat d_j}}\, W^\top h_j .$$
#
# The right-hand form is message passing: each edge $j \to i$ carries $W^\top h_j$ scaled by
# $1/\sqrt{\hat d_i \hat d_j}$, and `index_add_` sums them at $i$. It never builds the $N \times N$
# matrix, which is what makes GNNs scale to millions of nodes.

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
# **Check it** against the dense formula, built as matrices (fine for 34 nodes):

# %%
torch.manual_seed(0)
layer = GCNLayer(4, 2)
h = torch.randn(N, 4)
a_hat = torch.eye(N)
a_hat[dst, src] = 1.0
d_inv_sqrt = a_hat.sum(dim=1).pow(-0.5)
dense = (d_inv_sqrt[:, None] * a_hat * d_inv_sqrt[None, :]) @ h @ layer.linear.weight.T
print(torch.allclose(layer(h, edge_index), dense, atol=1e-6))


# %% [markdown]
# ## 4. Predicting the split from two labels
#
# A classic semi-supervised task: we know the side of only **two** members — the instructor (node 0)
# and the administrator (node 33) — and predict everyone else's from the friendships. Node features
# are just one-hot identities (`torch.eye(34)`): all the information is in the graph.

# %%
class GCN(nn.Module):
    def __init__(self, in_features, hidden, classes):
        super().__init__()
        self.conv1 = GCNLayer(in_features, hidden)
        self.conv2 = GCNLayer(hidden, classes)

    def forward(self, x, edge_index):
        h = torch.relu(self.conv1(x, edge_index))
        return self.conv2(h, edge_index)

torch.manual_seed(0)
features = torch.eye(N)
labelled = torch.tensor([0, 33])
model = GCN(N, 16, 2)
optimizer = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
for step in range(200):
    logits = model(features, edge_index)
    loss = F.cross_entropy(logits[labelled], club[labelled])      # the loss sees 2 labels only
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
predicted = model(features, edge_index).argmax(dim=1)
accuracy = (predicted == club).float().mean().item()

# %%
# NBVAL_IGNORE_OUTPUT
# depends on the random initialisation
print(f"loss {loss.item():.4f} | accuracy on all 34 members: {accuracy:.3f}")
print("wrong:", torch.nonzero(predicted != club).flatten().tolist())

# %%
print(accuracy > 0.7)      # from 2 labels; guessing would give 0.5

# %% [markdown]
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
for i in (0, 33):
    plt.annotate(str(i), pos[i], ha="center", va="center", fontsize=8, color="white", zorder=3)
plt.title("prediction (fill) vs. true side (ring)")
plt.axis("off")
plt.show()

# %% [markdown]
# ## Summary
#
# - A graph is `x` `(N, F)` + `edge_index` `(2, E)`; undirected edges are stored both ways.
# - Message passing: gather `x[src]`, transform, aggregate at `dst` with `index_add_` (sum) or
#   `scatter_reduce` (mean, max); repeated indices accumulate.
# - A GCN layer is $\hat D^{-1/2}(A+I)\hat D^{-1/2} H W$, computed edge by edge; two layers learn the
#   karate club's split from two labels.
#
# ## Exercises
#
# 1. Replace the sum in `GCNLayer` by a mean over neighbours (`scatter_reduce(..., "mean")`) and
#    drop the degree normalisation. Does the karate result change?
# 2. Use the edge weights of `edges.csv` in the messages (weighted degree too).
# 3. Add a third GCN layer. What happens to the node embeddings as layers are added (over-smoothing)?
