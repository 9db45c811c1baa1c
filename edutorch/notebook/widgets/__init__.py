"""``edutorch.notebook.widgets``: pictures and controls for looking inside models from a notebook.

Pure ipywidgets + matplotlib (no Graphviz, no JavaScript of our own). Every widget is a thin layer over
pure functions that tests and readers can call without a notebook: ``conv_geometry``,
``layered_layout``, ``TrainingMonitor.history``, ``summary(...).rows``, ``feature_maps``.

- ``conv.py``      ConvPlayground (convolution, transposed convolution, pooling) and conv_gallery()
- ``graph.py``     draw_graph / GraphView: the autograd graph, a layered layout, backward step by step
- ``training.py``  TrainingMonitor: live curves, progress and ETA, text fallback, SummaryWriter mirror
- ``summary.py``   summary(model, input_size): layers, shapes, parameters, mult-adds, memory
- ``features.py``  feature maps and class activation maps through forward hooks
"""
from .conv import ConvPlayground, conv_gallery, conv_geometry, playground_numbers, pool_geometry
from .features import class_activation_map, feature_maps, show_feature_maps
from .graph import GraphView, draw_graph, graph_nodes, layered_layout
from .summary import ModelSummary, summary
from .training import TrainingMonitor

__all__ = [
    "ConvPlayground", "conv_gallery", "conv_geometry", "pool_geometry", "playground_numbers",
    "GraphView", "draw_graph", "graph_nodes", "layered_layout",
    "TrainingMonitor", "ModelSummary", "summary",
    "feature_maps", "show_feature_maps", "class_activation_map",
]
