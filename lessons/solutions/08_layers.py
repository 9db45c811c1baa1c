# Solutions to the exercises of lesson 08 (layers).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
class MyLinear(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))  # one row per output
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k))

    def forward(self, x):
        return x @ self.weight.T + self.bias

# %% Exercise 2
def silu_derivative(x):
    s = torch.sigmoid(x)
    return s + x * s * (1 - s)          # product rule: (x * s)' = 1 * s + x * s'

# %% Exercise 3
def batch_norm_train(x, running_mean, running_var, weight, bias, momentum=0.1, eps=1e-5):
    mean = x.mean(dim=0)
    var = x.var(dim=0, unbiased=False)                 # biased: normalises the batch
    y = (x - mean) / torch.sqrt(var + eps) * weight + bias
    new_running_mean = (1 - momentum) * running_mean + momentum * mean
    new_running_var = (1 - momentum) * running_var + momentum * x.var(dim=0)   # unbiased: estimates the data's
    return y, new_running_mean, new_running_var

# %% Exercise 4
def dropout(x, p, training):
    if not training:
        return x
    mask = (torch.rand(x.shape) >= p).float()          # 1 with probability 1 - p
    return x * mask / (1 - p)

# %% Exercise 5
def predict(model, x):
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return model(x)
    finally:
        model.train(was_training)                      # sets the flag on every sub-module
