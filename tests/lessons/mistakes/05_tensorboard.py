# Common wrong answers to the exercises of lesson 05: each `# %% Exercise N: <hint>` cell must make
# exercise N's check print ✗ with <hint> in its message (tests/lessons/test_lessons.py).

# %% Exercise 1: you logged after scheduler.step()
def log_learning_rate(log_dir, epochs):
    model = nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    with SummaryWriter(log_dir=log_dir) as writer:
        for epoch in range(epochs):
            model(torch.ones(8, 4)).pow(2).mean().backward()
            optimizer.step()
            optimizer.zero_grad()
            scheduler.step()
            writer.add_scalar("lr", optimizer.param_groups[0]["lr"], epoch)

# %% Exercise 2: one sub-folder per key
def read_scalars_group(log_dir, main_tag):
    run = EventAccumulator(log_dir)
    run.Reload()
    return {tag: [(e.step, e.value) for e in run.Scalars(tag)] for tag in run.Tags()["scalars"] if tag == main_tag}

# %% Exercise 3: by default EventAccumulator keeps 1 histogram per tag
def histogram_steps(log_dir, tag):
    run = EventAccumulator(log_dir)
    run.Reload()
    return [h.step for h in run.Histograms(tag)]

# %% Exercise 4: global_step restarts every epoch
def train_and_log(model, loader, epochs, writer):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(epochs):
        for i, (inputs, targets) in enumerate(loader):
            loss = F.cross_entropy(model(inputs), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            writer.add_scalar("train/loss", loss.item(), i)
        writer.add_histogram("weight", model.weight, epoch)
