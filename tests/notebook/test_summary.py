"""summary(model, input_size): rows, shapes, parameter counts and mult-adds by hand, totals, text."""
import math

import pytest

import edutorch
import edutorch.nn as nn
from edutorch.notebook import summary


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
                                      nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
                                      nn.AdaptiveAvgPool2d(1))
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))


def test_rows_shapes_params_and_mult_adds():
    model = Net()
    s = summary(model, (2, 3, 32, 32))
    rows = {r.name: r for r in s.rows}
    assert [r.label for r in s.rows] == [
        "Net", "Sequential: 1-1", "Conv2d: 2-1", "BatchNorm2d: 2-2", "ReLU: 2-3", "MaxPool2d: 2-4",
        "Conv2d: 2-5", "ReLU: 2-6", "AdaptiveAvgPool2d: 2-7", "Linear: 1-2"]
    assert rows["features.0"].output_shape == [2, 16, 32, 32] and rows["fc"].output_shape == [2, 10]
    assert rows["features.3"].output_shape == [2, 16, 16, 16]
    # parameters and mult-adds by hand
    assert rows["features.0"].params == 16 * 3 * 9 + 16
    assert rows["features.0"].mult_adds == 2 * 32 * 32 * (16 * 3 * 9 + 16)
    assert rows["features.1"].mult_adds == 2 * 16 * 32 * 32
    assert rows["features.4"].mult_adds == 2 * 16 * 16 * (32 * 16 * 9 + 32)
    assert rows["fc"].mult_adds == 2 * (32 * 10 + 10)
    assert rows["features.2"].mult_adds == 0 and rows["features"].params == 448 + 32 + 4640
    assert s.total_params == sum(p.numel() for p in model.parameters()) == 5450
    assert s.trainable_params == 5450 and s.non_trainable_params == 0
    assert s.total_mult_adds == sum(r.mult_adds for r in s.rows) == 917504 + 32768 + 2375680 + 660
    assert s.input_bytes == 2 * 3 * 32 * 32 * 4 and s.params_bytes == 5450 * 4
    leaf_out = sum(math.prod(r.output_shape) for r in s.rows if r.is_leaf) * 4
    assert s.forward_backward_bytes == 2 * leaf_out
    assert s.total_bytes == s.input_bytes + s.params_bytes + s.forward_backward_bytes


def test_text_table_is_deterministic_and_depth_hides_rows():
    model = Net()
    text = str(summary(model, (1, 3, 8, 8)))
    assert text == repr(summary(model, (1, 3, 8, 8)))
    lines = text.splitlines()
    assert lines[1].startswith("Layer (type:depth-idx)") and "Mult-Adds" in lines[1]
    assert lines[3].split() == ["Net", "[1,", "10]", "--", "--"]
    assert lines[5].split() == ["│", "└─Conv2d:", "2-1", "[1,", "16,", "8,", "8]", "448", "28,672"]
    assert "Total params: 5,450" in lines and "Non-trainable params: 0" in lines
    assert "Total mult-adds (M): 0.10" in lines            # 28,672 + 1,024 + 16 * 4,640 + 330 = 104,266
    shallow = summary(model, (1, 3, 8, 8), depth=1)
    shown = [r.label for r in shallow.shown_rows()]
    assert shown == ["Net", "Sequential: 1-1", "Linear: 1-2"]
    seq_line = next(line for line in str(shallow).splitlines() if "Sequential" in line)
    assert seq_line.split()[-2:] == ["5,120", f"{28672 + 1024 + 16 * 4640:,}"]   # hidden children summed


def test_model_state_and_rng_untouched_and_frozen_params():
    model = Net()
    model.train()
    model.features[0].requires_grad_(False)
    before = model.features[1].running_mean.clone()
    state = edutorch.get_rng_state()
    s = summary(model, (4, 3, 8, 8))
    assert model.training and model.features[1].training
    assert edutorch.equal(model.features[1].running_mean, before)
    assert edutorch.equal(edutorch.get_rng_state(), state)
    assert s.non_trainable_params == 448 and s.trainable_params == 5450 - 448
    assert not model.features[0]._forward_hooks and not model._forward_pre_hooks


def test_linear_on_sequences_conv_transpose_embedding_and_recursion():
    class Tiny(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(20, 6)
            self.lin = nn.Linear(6, 6)
            self.up = nn.ConvTranspose2d(6, 2, 3, stride=2)

        def forward(self, tokens):
            h = self.lin(self.lin(self.emb(tokens)))          # the same layer twice
            return self.up(h.reshape(1, 6, 2, 3))

    model = Tiny()
    s = summary(model, (1, 6), dtypes=[edutorch.long])
    rows = [r for r in s.rows if r.class_name == "Linear"]
    assert len(rows) == 2 and rows[1].recursive and "(recursive)" in str(s)
    assert rows[0].mult_adds == 6 * (36 + 6)                    # 1 x 6 positions
    up = next(r for r in s.rows if r.class_name == "ConvTranspose2d")
    assert up.output_shape == [1, 2, 5, 7]
    assert up.mult_adds == 2 * 3 * (6 * 2 * 9) + 5 * 7 * 2      # input pixels x kernel + bias per output
    assert next(r for r in s.rows if r.class_name == "Embedding").mult_adds == 0
    assert s.total_params == sum(p.numel() for p in model.parameters())
    with pytest.raises(ValueError, match="input_size"):
        summary(model)
    direct = summary(model, input_data=edutorch.zeros(1, 6, dtype=edutorch.long))
    assert str(direct) == str(s)


def test_output_shapes_match_pytorch(torch):
    ours = Net()
    theirs = torch.nn.Sequential(torch.nn.Conv2d(3, 16, 3, padding=1), torch.nn.BatchNorm2d(16), torch.nn.ReLU(),
                                 torch.nn.MaxPool2d(2), torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(),
                                 torch.nn.AdaptiveAvgPool2d(1))
    shapes = []
    x = torch.zeros(2, 3, 20, 20)
    for layer in theirs:
        x = layer(x)
        shapes.append(list(x.shape))
    s = summary(ours, (2, 3, 20, 20))
    assert [r.output_shape for r in s.rows if r.name.startswith("features.")] == shapes
    assert s.total_params == sum(p.numel() for p in theirs.parameters()) + 330
