# Common wrong answers to the exercises of lesson 19: each `# %% Exercise N: <hint>` cell must make
# exercise N's check print ✗ with <hint> in its message (tests/lessons/test_lessons.py).

# %% Exercise 1: the matrix is not symmetric
def normalized_adjacency(pairs, n):
    a_hat = torch.eye(n)
    a_hat[pairs[1], pairs[0]] = 1.0
    d_inv_sqrt = a_hat.sum(dim=1).pow(-0.5)
    return d_inv_sqrt[:, None] * a_hat * d_inv_sqrt[None, :]

# %% Exercise 2: that is the sum of the messages
def neighbour_mean(x, edge_index):
    src, dst = edge_index
    return torch.zeros(x.shape[0], x.shape[1]).index_add_(0, dst, x[src])

# %% Exercise 3: the weights were ignored
class WeightedGCNLayer(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features, bias=False)

    def forward(self, h, edge_index, edge_weight):
        n = h.shape[0]
        loops = torch.arange(n)
        src = torch.cat([edge_index[0], loops])
        dst = torch.cat([edge_index[1], loops])
        degree = torch.zeros(n).index_add_(0, dst, torch.ones(dst.shape[0]))
        norm = degree.pow(-0.5)
        h = self.linear(h)
        messages = h[src] * (norm[src] * norm[dst]).unsqueeze(1)
        return torch.zeros(n, h.shape[1]).index_add_(0, dst, messages)
