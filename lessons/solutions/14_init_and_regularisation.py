# Solutions to the exercises of lesson 14 (initialisation and regularisation).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
def fans(shape):
    receptive_field = math.prod(shape[2:])          # kh * kw for a Conv2d weight, 1 for a Linear weight
    return shape[1] * receptive_field, shape[0] * receptive_field   # (fan_in, fan_out)

def xavier_bound(shape, gain=1.0):
    fan_in, fan_out = fans(shape)
    std = gain * math.sqrt(2 / (fan_in + fan_out))
    return math.sqrt(3) * std                       # U(-a, a) has std a / sqrt(3)

def kaiming_bound(shape, gain=math.sqrt(2)):
    fan_in, _ = fans(shape)
    std = gain / math.sqrt(fan_in)
    return math.sqrt(3) * std

# %% Exercise 2
def l2_penalty(model, lam):
    # the gradient of lam / 2 * ||W||² is lam * W: exactly the term weight_decay adds
    return lam / 2 * sum((p ** 2).sum() for p in model.parameters() if p.dim() > 1)

# %% Exercise 3
class MyDropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        mask = (torch.rand_like(x) > self.p).float()     # keep with probability 1 - p
        return x * mask / (1 - self.p)                   # inverted dropout: the expected value is unchanged

# %% Exercise 4
def make_adamw(model, lr, weight_decay):
    decay = [p for p in model.parameters() if p.dim() > 1]        # weights of Linear / Conv layers
    no_decay = [p for p in model.parameters() if p.dim() <= 1]    # biases, normalisation scale and shift
    return torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                              {"params": no_decay, "weight_decay": 0.0}], lr=lr)
