# Common wrong answers to the exercises of lesson 14: each `# %% Exercise N: <hint>` cell must make
# exercise N's check print ✗ with <hint> in its message (tests/lessons/test_lessons.py).

# %% Exercise 1: that is the standard deviation
def xavier_bound(shape, gain=1.0):
    field = math.prod(shape[2:])
    return gain * math.sqrt(2 / ((shape[0] + shape[1]) * field))

def kaiming_bound(shape, gain=math.sqrt(2)):
    return gain / math.sqrt(shape[1] * math.prod(shape[2:]))

# %% Exercise 2: the biases are included
def l2_penalty(model, lam):
    return lam / 2 * sum((p ** 2).sum() for p in model.parameters())

# %% Exercise 3: the surviving elements are not scaled
class MyDropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training:
            return x
        return x * (torch.rand_like(x) > self.p).float()

# %% Exercise 4: that is AdamW's default
def make_adamw(model, lr, weight_decay):
    decay = [p for p in model.parameters() if p.dim() > 1]
    no_decay = [p for p in model.parameters() if p.dim() <= 1]
    return torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay}, {"params": no_decay}], lr=lr)
