"""torch.fx: symbolic tracing and graph rewriting of modules. Not in edutorch, which runs eagerly; the
autograd graph (``y.grad_fn.next_functions``) is the graph edutorch shows. Every name raises the
out-of-scope error."""
from .._out_of_scope import module_getattr

__getattr__ = module_getattr("torch.fx", "edutorch runs eagerly and has no symbolic tracing.")
