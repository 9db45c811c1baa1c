# Common wrong answers to the exercises of lesson 13: each `# %% Exercise N: <hint>` cell must make
# exercise N's check print ✗ with <hint> in its message (tests/lessons/test_lessons.py).

# %% Exercise 1: in a `finally:` block so that they go even after an error
def record_shapes(model, x):
    shapes = {}

    def recorder(name):
        def hook(module, inputs, output):
            shapes[name] = tuple(output.shape)
        return hook

    handles = [m.register_forward_hook(recorder(name))
               for name, m in model.named_modules() if not list(m.children())]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return shapes

# %% Exercise 2: those are the norms of grad_input
def gradient_norms(model, x, y):
    norms = {}

    def recorder(name):
        def hook(module, grad_input, grad_output):
            norms[name] = grad_input[0].norm().item() if grad_input[0] is not None else 0.0
        return hook

    handles = [m.register_full_backward_hook(recorder(name)) for name, m in model.named_modules()
               if isinstance(m, (nn.Conv2d, nn.Linear))]
    F.cross_entropy(model(x), y).backward()
    for h in handles:
        h.remove()
    return norms

# %% Exercise 3: you detached them
class FeatureExtractor(nn.Module):
    def __init__(self, model, layers):
        super().__init__()
        self.model = model
        self.layers = list(layers)
        self._features = {}
        for name in self.layers:
            model.get_submodule(name).register_forward_hook(self._keep(name))

    def _keep(self, name):
        def hook(module, inputs, output):
            self._features[name] = output.detach()
        return hook

    def forward(self, x):
        self.model(x)
        return {name: self._features[name] for name in self.layers}

# %% Exercise 4: that is the plain mean of the feature maps
def cam_of(model, image, class_idx):
    captured = {}
    handle = model.features.register_forward_hook(lambda m, inputs, output: captured.update(maps=output))
    with torch.no_grad():
        model(image.unsqueeze(0))
    handle.remove()
    return captured["maps"][0].mean(dim=0)
