# Common wrong answers to the exercises of lesson 03: each `# %% Exercise N: <hint>` cell must make
# exercise N's check print ✗ with <hint> in its message (tests/lessons/test_lessons.py).

# %% Exercise 1: the labels are shifted by 8
class DigitFiles(Dataset):
    def __init__(self, images_file, labels_file):
        self.images = np.frombuffer(Path(images_file).read_bytes(), dtype=np.uint8, offset=16).reshape(-1, 8, 8)
        self.labels = np.frombuffer(Path(labels_file).read_bytes(), dtype=np.uint8, offset=16)   # header is 8 bytes

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        return torch.from_numpy(self.images[index].astype(np.float32) / 255).unsqueeze(0), int(self.labels[index])

# %% Exercise 2: the last batch is full
def loader_numbers(n, batch_size, drop_last, epochs):
    iterations = n // batch_size if drop_last else math.ceil(n / batch_size)
    last_batch_size = batch_size if drop_last and iterations else n % batch_size
    return iterations, last_batch_size, epochs * iterations

# %% Exercise 3: padded at the front
def sequence_collate(batch):
    longest = max(len(tokens) for tokens, _ in batch)
    tokens = torch.zeros(len(batch), longest, dtype=torch.int64)
    for row, (seq, _) in enumerate(batch):
        tokens[row, longest - len(seq):] = seq
    return {"tokens": tokens, "lengths": torch.tensor([len(t) for t, _ in batch]),
            "labels": torch.tensor([label for _, label in batch])}

# %% Exercise 4: every epoch uses the same samples of the big class
class BalancedBatchSampler(Sampler):
    def __init__(self, labels, per_class):
        self.per_class = per_class
        self.by_class = [torch.nonzero(labels == c).flatten() for c in range(int(labels.max()) + 1)]

    def __iter__(self):
        batches = [[i for indices in self.by_class for i in indices[b * self.per_class:(b + 1) * self.per_class].tolist()]
                   for b in range(len(self))]
        for b in torch.randperm(len(batches)).tolist():     # shuffles the batches, not the samples
            yield batches[b]

    def __len__(self):
        return min(len(indices) for indices in self.by_class) // self.per_class

# %% Exercise 5: Shuffle the indices first
def train_val_split(dataset, val_fraction, seed):
    n_val = int(val_fraction * len(dataset))
    return Subset(dataset, range(len(dataset) - n_val)), Subset(dataset, range(len(dataset) - n_val, len(dataset)))
