# Solutions to the exercises of lesson 24 (milestone: fine-tuning a digits CNN on real textures).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
def five_crops(images, size):
    h, w = images.shape[-2:]
    top, left = (h - size) // 2, (w - size) // 2
    return torch.stack([
        images[..., :size, :size],                            # top-left
        images[..., :size, w - size:],                        # top-right
        images[..., h - size:, :size],                        # bottom-left
        images[..., h - size:, w - size:],                    # bottom-right
        images[..., top:top + size, left:left + size],        # centre
    ])

# %% Exercise 2
def best_epoch(val_acc, val_loss):
    # tuples compare element by element: accuracy first, then -loss breaks the ties
    return max(range(len(val_acc)), key=lambda epoch: (val_acc[epoch], -val_loss[epoch]))

# %% Exercise 3
def extract_features(model, images):
    model.eval()                      # batch norm: use (and keep) the running statistics
    with torch.no_grad():             # no graph: nothing is trained through the backbone
        return torch.flatten(model.avgpool(model.features(images)), 1)

# %% Exercise 4
def train_head(features, labels, num_classes, steps, lr):
    head = nn.Linear(features.shape[1], num_classes)
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(head(features), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return head, losses
