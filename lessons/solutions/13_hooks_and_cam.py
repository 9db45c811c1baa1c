# Solutions to the exercises of lesson 13 (hooks, feature maps and class activation maps).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
def record_shapes(model, x):
    shapes = {}

    def recorder(name):
        def hook(module, inputs, output):
            shapes[name] = tuple(output.shape)
        return hook

    handles = [m.register_forward_hook(recorder(name))
               for name, m in model.named_modules() if not list(m.children())]   # leaf modules only
    try:
        with torch.no_grad():
            model(x)
    finally:                       # runs even if model(x) raises: no hook is left behind
        for h in handles:
            h.remove()
    return shapes

# %% Exercise 2
def gradient_norms(model, x, y):
    norms = {}

    def recorder(name):
        def hook(module, grad_input, grad_output):
            norms[name] = grad_output[0].norm().item()   # dLoss/d(output of this layer)
        return hook

    handles = [m.register_full_backward_hook(recorder(name)) for name, m in model.named_modules()
               if isinstance(m, (nn.Conv2d, nn.Linear))]
    try:
        F.cross_entropy(model(x), y).backward()
    finally:
        for h in handles:
            h.remove()
    return norms

# %% Exercise 3
class FeatureExtractor(nn.Module):
    def __init__(self, model, layers):
        super().__init__()
        self.model = model                  # registered: its parameters are ours
        self.layers = list(layers)
        self._features = {}
        self._handles = [model.get_submodule(name).register_forward_hook(self._keep(name)) for name in self.layers]

    def _keep(self, name):
        def hook(module, inputs, output):
            self._features[name] = output   # not detached: gradients flow through it
        return hook

    def forward(self, x):
        self._features = {}
        self.model(x)
        return {name: self._features[name] for name in self.layers}

# %% Exercise 4
def cam_of(model, image, class_idx):
    captured = {}
    handle = model.features.register_forward_hook(lambda m, inputs, output: captured.update(maps=output))
    try:
        with torch.no_grad():
            model(image.unsqueeze(0))
    finally:
        handle.remove()
    maps = captured["maps"][0]                              # (C, h, w)
    weights = model.fc.weight[class_idx].detach()           # (C,)
    return (weights.view(-1, 1, 1) * maps).sum(dim=0)       # (h, w)
