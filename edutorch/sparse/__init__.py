"""torch.sparse: tensors that store only their non-zero entries. Not in edutorch, whose tensors are dense
NumPy arrays (``x.is_sparse`` is False); ``x.to_sparse()`` and every name here raise the out-of-scope
error (see edutorch/_out_of_scope.py)."""
from .._out_of_scope import module_getattr

WHY = "edutorch tensors are dense NumPy arrays; it has no sparse layouts."
__getattr__ = module_getattr("torch.sparse", WHY)
