# Solutions to the exercises of lesson 15 (pretrained models and fine-tuning).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
def freeze_and_replace_head(model, num_classes):
    model.requires_grad_(False)                  # first freeze everything pretrained ...
    old_head = model.classifier[-1]
    model.classifier[-1] = nn.Linear(old_head.in_features, num_classes)   # ... then add the new head
    return model                                 # (a new layer's parameters require grad)

# %% Exercise 2
def count_trainable(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)

# %% Exercise 3
def finetune_optimizer(model, backbone_lr, head_lr):
    head = list(model.classifier[-1].parameters())
    head_ids = {id(p) for p in head}
    backbone = [p for p in model.parameters() if id(p) not in head_ids]
    return torch.optim.Adam([{"params": backbone, "lr": backbone_lr},
                             {"params": head, "lr": head_lr}])

# %% Exercise 4
def train_head(model, images, labels, steps, lr):
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=lr)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return optimizer, losses
