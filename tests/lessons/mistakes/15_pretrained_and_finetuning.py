# Common wrong answers to the exercises of lesson 15: each `# %% Exercise N: <hint>` cell must make
# exercise N's check print ✗ with <hint> in its message (tests/lessons/test_lessons.py).

# %% Exercise 1: you froze after replacing it
def freeze_and_replace_head(model, num_classes):
    model.classifier[-1] = nn.Linear(model.classifier[-1].in_features, num_classes)
    model.requires_grad_(False)
    return model

# %% Exercise 2: counts the frozen parameters too
def count_trainable(model):
    return sum(p.numel() for p in model.parameters())

# %% Exercise 3: the head's parameters are in both groups
def finetune_optimizer(model, backbone_lr, head_lr):
    return torch.optim.Adam([{"params": model.parameters(), "lr": backbone_lr},
                             {"params": model.classifier[-1].parameters(), "lr": head_lr}])

# %% Exercise 4: the optimizer still holds the frozen parameters
def train_head(model, images, labels, steps, lr):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return optimizer, losses
