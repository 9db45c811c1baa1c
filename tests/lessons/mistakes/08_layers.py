# Common wrong answers to the exercises of lesson 08: each `# %% Exercise N: <hint>` cell must make
# exercise N's check print ✗ with <hint> in its message (tests/lessons/test_lessons.py).

# %% Exercise 1: (out_features, in_features)
class MyLinear(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(in_features, out_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k))

    def forward(self, x):
        return x @ self.weight + self.bias

# %% Exercise 2: only one half of the product rule
def silu_derivative(x):
    return torch.sigmoid(x)

# %% Exercise 3: normalised with the unbiased variance
def batch_norm_train(x, running_mean, running_var, weight, bias, momentum=0.1, eps=1e-5):
    mean, var = x.mean(dim=0), x.var(dim=0)
    y = (x - mean) / torch.sqrt(var + eps) * weight + bias
    return y, (1 - momentum) * running_mean + momentum * mean, (1 - momentum) * running_var + momentum * var

# %% Exercise 4: not scaled
def dropout(x, p, training):
    if not training:
        return x
    return x * (torch.rand(x.shape) >= p).float()

# %% Exercise 5: remember model.training
def predict(model, x):
    model.eval()
    with torch.no_grad():
        return model(x)
