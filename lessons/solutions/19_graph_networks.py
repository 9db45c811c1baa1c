# Solutions to the exercises of lesson 19 (graph neural networks).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
def normalized_adjacency(pairs, n):
    a_hat = torch.eye(n)
    a_hat[pairs[0], pairs[1]] = 1.0          # each undirected edge both ways
    a_hat[pairs[1], pairs[0]] = 1.0
    d_inv_sqrt = a_hat.sum(dim=1).pow(-0.5)  # degrees of A + I: never 0
    return d_inv_sqrt[:, None] * a_hat * d_inv_sqrt[None, :]

# %% Exercise 2
def neighbour_mean(x, edge_index):
    src, dst = edge_index
    n = x.shape[0]
    total = torch.zeros(n, x.shape[1]).index_add_(0, dst, x[src])       # sum of the messages
    count = torch.zeros(n).index_add_(0, dst, torch.ones(dst.shape[0]))  # incoming edges per node
    return total / count.clamp(min=1).unsqueeze(1)                       # 0 where nothing arrives

# %% Exercise 3
class WeightedGCNLayer(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features, bias=False)

    def forward(self, h, edge_index, edge_weight):
        n = h.shape[0]
        loops = torch.arange(n)
        src = torch.cat([edge_index[0], loops])
        dst = torch.cat([edge_index[1], loops])
        weight = torch.cat([edge_weight.to(h.dtype), torch.ones(n)])      # self-loops of weight 1
        degree = torch.zeros(n).index_add_(0, dst, weight)                # weighted degrees
        norm = degree.pow(-0.5)
        h = self.linear(h)
        messages = h[src] * (weight * norm[src] * norm[dst]).unsqueeze(1)
        return torch.zeros(n, h.shape[1]).index_add_(0, dst, messages)
