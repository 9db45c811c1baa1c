# Solutions to the exercises of lesson 09 (loss functions).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
def cross_entropy(logits, target):
    m = logits.max(dim=1, keepdim=True).values                  # each row's maximum, shape (N, 1)
    lse = m.squeeze(1) + (logits - m).exp().sum(dim=1).log()    # log Σ e^z: the largest term is e^0 = 1
    picked = logits[torch.arange(logits.shape[0]), target]      # z_y, one logit per row
    return (lse - picked).mean()

# %% Exercise 2
def bce_with_logits(z, y):
    # -[y log σ(z) + (1 - y) log(1 - σ(z))], rewritten so that no exp() can overflow.
    # One catch: at exactly z = 0 autograd takes the gradient of clamp as 1 and of abs as 0 (their
    # kinks), so it finds 1 - y instead of σ(0) - y = 0.5 - y. The built-in loss has its own backward
    # and is right everywhere: one more reason to use it in real code.
    return (z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))).mean()

# %% Exercise 3
def weighted_mean(losses, target, weight, ignore_index):
    keep = target != ignore_index                 # mask first: w[-100] would fail or pick the wrong class
    w = weight[target[keep]]                      # the weight of each kept sample's class
    return (w * losses[keep]).sum() / w.sum()

# %% Exercise 4
def class_targets(raw):
    return raw.reshape(-1).long()                 # (N, 1) -> (N,) even for N = 1; int64

def regression_loss(pred, target):
    return F.mse_loss(pred, target.view_as(pred))
