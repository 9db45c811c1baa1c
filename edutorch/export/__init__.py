"""torch.export: capture a model as a whole-program graph for deployment. Not in edutorch, which runs
eagerly, one op at a time (see also torch.jit / torch.onnx). Every name raises the out-of-scope error."""
from .._out_of_scope import module_getattr

__getattr__ = module_getattr("torch.export", "edutorch runs eagerly and cannot export a program graph.")
