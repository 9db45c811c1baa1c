# Solutions to the exercises of lesson 06 (modules).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()                      # first: it creates the dictionaries registration fills
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = torch.relu(layer(x))
        return self.layers[-1](x)               # no ReLU on the class scores

# %% Exercise 2
class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean)      # saved in the state_dict, not learned
        self.register_buffer("std", std)

    def forward(self, x):
        return (x - self.mean) / self.std

# %% Exercise 3
def nan_guard(module, args):
    for a in args:
        if torch.isnan(a).any():
            raise ValueError(f"NaN in the input of {type(module).__name__}")
    # returning nothing (None) lets the call go on with the inputs unchanged

# %% Exercise 4
def grad_norms(model, x):
    norms = {}

    def recorder(name):
        def hook(module, grad_input, grad_output):
            norms[name] = grad_output[0].norm().item()
        return hook

    handles = [m.register_full_backward_hook(recorder(name))
               for name, m in model.named_modules() if isinstance(m, nn.Linear)]
    model(x).sum().backward()
    for handle in handles:
        handle.remove()
    return norms
