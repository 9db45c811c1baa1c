"""Checks for the exercises of lesson 12 (saving, loading and resuming training)."""
from __future__ import annotations

import io
import os
import pickle
import tempfile
import zipfile

from . import Hint, LessonChecks, exercise


class Checks(LessonChecks):
    def _flat(self, model):
        return self.torch.cat([p.detach().reshape(-1) for p in model.parameters()])

    # ------------------------------------------------------------------ exercise 1
    @exercise(1, "save a checkpoint and resume from it")
    def ex1(self, save_checkpoint, load_checkpoint):
        torch, nn, F = self.torch, self.torch.nn, self.torch.nn.functional
        X = torch.linspace(-1, 1, 32).reshape(16, 2)
        y = X[:, :1] * X[:, 1:] + X[:, :1]

        def make(seed):
            torch.manual_seed(seed)
            model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Dropout(0.2), nn.Linear(16, 1))
            return model, torch.optim.Adam(model.parameters(), lr=0.05)

        def train(model, optimizer, first, last):
            for epoch in range(first, last):
                torch.manual_seed(100 + epoch)         # the same dropout masks in every run
                optimizer.zero_grad()
                F.mse_loss(model(X), y).backward()
                optimizer.step()

        model_a, optimizer_a = make(0)                 # run A: 6 epochs straight
        train(model_a, optimizer_a, 0, 6)

        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "checkpoint.pt")
            model_b, optimizer_b = make(0)             # run B: 3 epochs, a checkpoint, ...
            train(model_b, optimizer_b, 0, 3)
            mine = os.path.join(folder, "reference.pt")
            torch.save({"model": model_b.state_dict(), "optimizer": optimizer_b.state_dict()}, mine)
            save_checkpoint(path, model_b, optimizer_b, 3)
            self.require(os.path.exists(path), "save_checkpoint wrote no file at `path`: torch.save(checkpoint, path).")
            del model_b, optimizer_b

            model_c, optimizer_c = make(1)             # ... then fresh objects (other random weights)
            try:
                start = load_checkpoint(path, model_c, optimizer_c)
            except pickle.UnpicklingError:
                raise Hint("torch.load refused your file: it holds whole objects (a model or an optimizer), which "
                           "weights_only=True does not rebuild. Save model.state_dict() and "
                           "optimizer.state_dict() in a dict, and load them with load_state_dict.") from None
            self.answered(start)
            self.require(start is not None, "load_checkpoint returned None: return the epoch stored in the "
                                            "checkpoint, so that training continues with range(epoch, 6).")
            self.require(int(start) == 3, f"load_checkpoint returned {start}, but the checkpoint was saved after "
                                          "3 epochs: return the epoch that save_checkpoint stored (the number of "
                                          "epochs done), so that training continues with range(epoch, 6).")
            self.require(model_c.training, "the model is in eval mode after load_checkpoint, so Dropout is switched "
                                           "off for the rest of training: model.eval() is for inference. To resume "
                                           "training leave it in (or call) model.train().")
            train(model_c, optimizer_c, int(start), 6)

            reference = torch.load(mine)
            model_d, optimizer_d = make(1)             # what forgetting the optimizer state gives
            model_d.load_state_dict(reference["model"])
            train(model_d, optimizer_d, 3, 6)
            model_e, optimizer_e = make(1)             # ... and forgetting the model
            optimizer_e.load_state_dict(reference["optimizer"])
            train(model_e, optimizer_e, 3, 6)

        self.close(self._flat(model_c), self._flat(model_a), "the parameters after resuming (epochs 4-6)",
                   atol=1e-7, rtol=1e-6, mistakes=[
            (self._flat(model_d), "the weights are right but Adam started again from scratch: save "
                                  "optimizer.state_dict() too (its step count and running averages) and load it with "
                                  "optimizer.load_state_dict()."),
            (self._flat(model_e), "the model's weights were not restored (the fresh random ones were trained): save "
                                  "model.state_dict() and load it with model.load_state_dict()."),
        ])
        return "the resumed run ends exactly where the uninterrupted run ends."

    # ------------------------------------------------------------------ exercise 2
    @exercise(2, "load pretrained weights with strict=False")
    def ex2(self, load_pretrained):
        torch, nn = self.torch, self.torch.nn

        class Classifier(nn.Module):
            def __init__(self, num_classes):
                super().__init__()
                self.features = nn.Sequential(nn.Linear(4, 16), nn.ReLU())
                self.classifier = nn.Linear(16, num_classes)

            def forward(self, x):
                return self.classifier(self.features(x))

        torch.manual_seed(0)
        pretrained = Classifier(3)
        aux = nn.Linear(16, 5)                          # an auxiliary head the new model does not have
        saved = {"module." + name: tensor for name, tensor in pretrained.state_dict().items()}
        saved.update({"module.aux." + name: tensor for name, tensor in aux.state_dict().items()})

        torch.manual_seed(1)
        model = Classifier(2)
        head_before = [p.detach().clone() for p in model.classifier.parameters()]
        try:
            result = load_pretrained(model, dict(saved))
        except RuntimeError as error:
            message = str(error)
            if "size mismatch" in message:
                raise Hint("load_state_dict raised 'size mismatch' for the old head (3 classes, the new one has 2): "
                           "strict=False forgives missing and unexpected names, not tensors of the wrong shape. "
                           "Leave out every tensor whose shape differs from the model's.") from None
            if "Missing key" in message or "Unexpected key" in message:
                raise Hint("load_state_dict raised for missing or unexpected keys: pass strict=False, which "
                           "loads what matches and reports the rest.") from None
            raise
        self.answered(result)
        self.require(result is not None and hasattr(result, "missing_keys"),
                     "load_pretrained should return what model.load_state_dict(..., strict=False) returns "
                     "(an object with missing_keys and unexpected_keys).")
        missing, unexpected = sorted(result.missing_keys), sorted(result.unexpected_keys)
        self.require(len(missing) < len(model.state_dict()),
                     "nothing was loaded: every name of the model is missing. The file's names start with "
                     "'module.' (it was saved from a model wrapped in nn.DataParallel): remove that prefix first.")
        self.require(not any(name.startswith("module.") for name in unexpected),
                     "some names still start with 'module.': remove the prefix from every name.")
        for p, q in zip(model.features.parameters(), pretrained.features.parameters()):
            self.close(p, q, "the loaded feature weights")
        for p, before in zip(model.classifier.parameters(), head_before):
            self.close(p, before, "the new head (it must keep its fresh weights)")
        self.require(missing == ["classifier.bias", "classifier.weight"],
                     f"missing_keys is {missing}, expected ['classifier.bias', 'classifier.weight'] (in some order): "
                     "only the head, whose tensors have the wrong shape, should be left out.")
        self.require(unexpected != [], "unexpected_keys is empty: you dropped the aux.* tensors yourself. Leave "
                                       "them in: strict=False skips names the model does not have and reports "
                                       "them as unexpected_keys.")
        self.require(unexpected == ["aux.bias", "aux.weight"],
                     f"unexpected_keys is {unexpected}, expected ['aux.bias', 'aux.weight'].")
        return ("the features came from the file, the new head kept its own weights; missing_keys names the head, "
                "unexpected_keys the aux head.")

    # ------------------------------------------------------------------ exercise 3
    def _gpu_checkpoint(self, obj, path):
        """Write ``obj`` as if it had been saved on a GPU: every storage's location is 'cuda:0'."""
        buffer = io.BytesIO()
        self.torch.save(obj, buffer)
        source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
        with zipfile.ZipFile(path, "w") as target:
            for info in source.infolist():
                data = source.read(info.filename)
                if info.filename.endswith("/data.pkl"):
                    marked = (data.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
                              .replace(b"\x8c\x03cpu", b"\x8c\x06cuda:0"))
                    if marked == data:
                        raise RuntimeError("the check could not mark its checkpoint as a GPU one")
                    data = marked
                target.writestr(info.filename, data)

    @exercise(3, "load a GPU checkpoint on the CPU for inference")
    def ex3(self, load_for_inference):
        torch, nn = self.torch, self.torch.nn

        def make():
            return nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 2))

        torch.manual_seed(0)
        trained = make()
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "gpu_model.pt")
            self._gpu_checkpoint(trained.state_dict(), path)
            torch.manual_seed(1)
            model = make()
            fresh = [p.detach().clone() for p in model.parameters()]
            try:
                result = load_for_inference(path, model)
            except RuntimeError as error:
                if "CUDA" in str(error) or "cuda" in str(error):
                    raise Hint("torch.load tried to put the tensors back on the GPU they were saved from, and "
                               "there is none: pass map_location='cpu' (or torch.device('cpu')) to torch.load.") \
                        from None
                raise
        self.answered(result)
        self.require(result is model, "load_for_inference should return the model it was given (loaded, in "
                                      "eval mode)" + (": did you forget to `return model`?" if result is None else "."))
        for p, q, f in zip(model.parameters(), trained.parameters(), fresh):
            self.require(p.device.type == "cpu", "a parameter is not on the CPU.")
            self.close(p, q, "the loaded parameters", mistakes=[
                (f, "the model still has its own random weights: copy the loaded state_dict into it with "
                    "model.load_state_dict(...).")])
        self.require(not model.training, "the model is still in training mode, so Dropout keeps zeroing half of "
                                         "the hidden units: call model.eval() before using it for inference.")
        x = torch.linspace(-1, 1, 6).reshape(2, 3)
        self.close(model(x), trained.eval()(x), "the predictions of the loaded model")
        return "map_location='cpu' moved the GPU tensors to the CPU, and eval() made the predictions deterministic."
