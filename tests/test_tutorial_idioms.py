"""The first lines a new user runs, from PyTorch's beginner tutorials and well-known examples, run
unchanged on edutorch and print what PyTorch prints.

Each program is plain PyTorch code (``torch`` / ``nn`` / ``F`` names). It runs twice, once with ``torch``
bound to edutorch and once to real PyTorch, and everything it prints must be equal. Random numbers
differ between the engines (until they share PyTorch's generator), so the programs print only what does
not depend on them: shapes, dtypes, reprs, values computed from fixed data.
"""
from __future__ import annotations

import contextlib
import io
import textwrap

import pytest

import edutorch

PROGRAMS = {
    "device idiom": """
        device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
        print(f"Using {device} device")
        cudnn = torch.backends.cudnn  # (an import statement would find the real torch: see _run)
        cudnn.benchmark = True
        print(torch.backends.mps.is_available(), torch.cuda.is_available(), torch.tensor([1.0]).is_xpu)
        torch.set_default_device("cpu")
        print(torch.get_default_device())
    """,
    "tensors": """
        data = [[1, 2], [3, 4]]
        x_data = torch.tensor(data)
        x_ones = torch.ones_like(x_data)
        print(f"Ones Tensor: \\n {x_ones} \\n")
        shape = (2, 3,)
        print(torch.ones(shape), torch.zeros(shape), sep="\\n")
        tensor = torch.arange(12.).reshape(3, 4)
        print(f"Shape of tensor: {tensor.shape}")
        print(f"Datatype of tensor: {tensor.dtype}")
        print(f"Device tensor is stored on: {tensor.device}")
        print(f"First row: {tensor[0]}")
        print(f"First column: {tensor[:, 0]}")
        print(f"Last column: {tensor[..., -1]}")
        tensor[:, 1] = 0
        print(torch.cat([tensor, tensor, tensor], dim=1))
        y1 = tensor @ tensor.T
        y2 = tensor.matmul(tensor.T)
        y3 = torch.rand_like(y1)
        torch.matmul(tensor, tensor.T, out=y3)
        print(y1, torch.equal(y1, y2), torch.equal(y1, y3))
        z1 = tensor * tensor
        agg = tensor.sum()
        agg_item = agg.item()
        print(agg_item, type(agg_item))
        tensor.add_(5)
        print(tensor)
        t = torch.ones(5)
        n = t.numpy()
        t.add_(1)
        print(f"t: {t}", f"n: {n}")
    """,
    "autograd": """
        x = torch.ones(5)
        y = torch.zeros(3)
        w = torch.tensor([[0.1 * i - 0.3 * j for j in range(3)] for i in range(5)], requires_grad=True)
        b = torch.tensor([0.5, -0.5, 0.25], requires_grad=True)
        z = torch.matmul(x, w) + b
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
        print(f"Gradient function for z = {type(z.grad_fn).__name__}")
        print(f"Gradient function for loss = {type(loss.grad_fn).__name__}")
        loss.backward()
        print(w.grad)
        print(b.grad)
        z = torch.matmul(x, w) + b
        print(z.requires_grad)
        with torch.no_grad():
            z = torch.matmul(x, w) + b
        print(z.requires_grad)
        z_det = (torch.matmul(x, w) + b).detach()
        print(z_det.requires_grad)
        inp = torch.eye(4, 5, requires_grad=True)
        out = (inp + 1).pow(2).t()
        out.backward(torch.ones_like(out), retain_graph=True)
        print(f"First call\\n{inp.grad}")
        out.backward(torch.ones_like(out), retain_graph=True)
        print(f"\\nSecond call\\n{inp.grad}")
        inp.grad.zero_()
        out.backward(torch.ones_like(out), retain_graph=True)
        print(f"\\nCall after zeroing gradients\\n{inp.grad}")
    """,
    "graph walk as torchviz reads it": """
        a = torch.tensor([2.0, 3.0], requires_grad=True)
        b = torch.tensor([6.0, 4.0], requires_grad=True)
        Q = 3 * a ** 3 - b ** 2
        def walk(fn, depth=0):
            print("  " * depth + type(fn).__name__)
            for child, _ in fn.next_functions:
                if child is not None:
                    walk(child, depth + 1)
        walk(Q.grad_fn)
        Q.backward(gradient=torch.tensor([1., 1.]))
        print(9 * a ** 2 == a.grad, -2 * b == b.grad)
    """,
    "build the model": """
        class NeuralNetwork(nn.Module):
            def __init__(self):
                super().__init__()
                self.flatten = nn.Flatten()
                self.linear_relu_stack = nn.Sequential(
                    nn.Linear(28*28, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))

            def forward(self, x):
                x = self.flatten(x)
                return self.linear_relu_stack(x)

        model = NeuralNetwork().to("cpu")
        print(model)
        for name, param in model.named_parameters():
            print(f"Layer: {name} | Size: {param.size()}")
        X = torch.zeros(1, 28, 28)
        logits = model(X)
        pred_probab = nn.Softmax(dim=1)(logits)
        y_pred = pred_probab.argmax(1)
        print(logits.shape, pred_probab.shape, y_pred.shape, y_pred.dtype)
        input_image = torch.zeros(3, 28, 28)
        print(nn.Flatten()(input_image).size())
    """,
    "training loop": """
        X = torch.linspace(-1, 1, 64).reshape(16, 4)
        y = (X.sum(1) > 0).long()
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        with torch.no_grad():
            for i, p in enumerate(model.parameters()):
                p.copy_(torch.linspace(-0.5, 0.5, p.numel()).reshape(p.shape) * (1 + 0.1 * i))
        loss_fn = nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-1)
        dataset = torch.utils.data.TensorDataset(X, y)
        loader = torch.utils.data.DataLoader(dataset, batch_size=4)
        for epoch in range(3):
            model.train()
            for batch, (xb, yb) in enumerate(loader):
                pred = model(xb)
                loss = loss_fn(pred, yb)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
            model.eval()
            correct = 0
            with torch.no_grad():
                for xb, yb in loader:
                    correct += (model(xb).argmax(1) == yb).type(torch.float).sum().item()
            print(f"epoch {epoch}: loss {loss.item():>7f}, accuracy {correct / len(dataset):.3f}")
    """,
    "save and load": """
        import os, tempfile
        model = nn.Linear(3, 2)
        with torch.no_grad():
            model.weight.copy_(torch.arange(6.).reshape(2, 3))
            model.bias.fill_(0.5)
        path = os.path.join(tempfile.mkdtemp(), "model_weights.pth")
        torch.save(model.state_dict(), path)
        model2 = nn.Linear(3, 2)
        model2.load_state_dict(torch.load(path, weights_only=True))
        model2.eval()
        print(model2.weight, model2.bias)
        print(list(model2.state_dict().keys()))
    """,
    "classic idioms": """
        logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
        target = torch.tensor([0, 1])
        n = logits.shape[0]
        log_probs = logits.log_softmax(dim=1)
        print(-log_probs[range(n), target].mean(), nn.functional.cross_entropy(logits, target))
        idx = torch.randint(10, size=(1,)).item()
        print(0 <= idx < 10, type(idx))
        x = torch.LongTensor([1, 2, 3])
        print(x, x.type(), isinstance(x, torch.LongTensor), torch.FloatTensor(2, 3).shape)
        print(torch.pi, torch.tensor([1.0, 2.0]).bfloat16().dtype)
        print(callable(torch.onnx.export), callable(torch.jit.script))
        m = nn.Linear(2, 2)
        with torch.autocast(device_type="cpu", enabled=False):
            print(m(torch.zeros(1, 2)).shape)
        torch.testing.assert_close(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-7]))
        print(torch.linalg.norm(torch.tensor([3.0, 4.0])), torch.linalg.solve(torch.eye(2) * 2, torch.ones(2)))
        print(torch.distributions.Normal(0.0, 1.0).log_prob(torch.tensor(0.0)))
        print(torch.autograd.functional.jacobian(lambda v: v ** 2, torch.tensor([1.0, 2.0])))
    """,
    "sequence layers": """
        lstm = nn.LSTM(input_size=4, hidden_size=3, num_layers=2, batch_first=True)
        print(lstm)
        print([name for name, _ in lstm.named_parameters()])
        out, (h, c) = lstm(torch.zeros(5, 7, 4))
        print(out.shape, h.shape, c.shape)
        seqs = [torch.ones(3, 4), torch.ones(2, 4), torch.ones(1, 4)]
        padded = nn.utils.rnn.pad_sequence(seqs, batch_first=True)
        packed = nn.utils.rnn.pack_padded_sequence(padded, [3, 2, 1], batch_first=True)
        print(padded.shape, packed.batch_sizes)
        layer = nn.TransformerEncoderLayer(d_model=8, nhead=2, batch_first=True)
        encoder = nn.TransformerEncoder(layer, num_layers=2)
        print(encoder(torch.zeros(2, 5, 8)).shape)
        print(nn.Transformer.generate_square_subsequent_mask(3))
    """,
}


def _run(lib, code: str) -> str:
    """Run ``code`` with ``torch`` bound to ``lib``. Import statements inside the code would look the
    real ``torch`` package up, whatever ``torch`` names here, so the programs use attributes instead
    (``torch.backends.cudnn``); ``import edutorch.onnx``-style imports are tested elsewhere."""
    namespace = {"torch": lib, "nn": lib.nn, "F": lib.nn.functional}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(textwrap.dedent(code), namespace)  # noqa: S102 - our own test programs
    return out.getvalue()


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_tutorial_code_runs_unchanged_and_prints_the_same(name, torch):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. the one-time autocast or deprecation notes
        ours = _run(edutorch, PROGRAMS[name])
        theirs = _run(torch, PROGRAMS[name])
    assert ours.splitlines() == theirs.splitlines()
