"""TensorBoard event files without TensorFlow: ``SummaryWriter`` writes them, ``read_events`` and
``EventReader`` read them back (ours, PyTorch's and TensorFlow's).

- ``writer.py``: PyTorch's ``SummaryWriter`` API (add_scalar, add_image, add_graph, ...).
- ``_summary.py``: values -> ``Summary`` messages; ``_graph.py``: a model -> ``GraphDef``;
  ``_embedding.py``: the Projector's files.
- ``_proto.py``: the protobuf wire format and the few messages, by field number.
- ``_events.py``: TFRecord framing and the masked CRC32C checksum.
- ``reader.py``: runs -> tags -> series.
"""
from .reader import (Audio, EventReader, Graph, GraphNode, Histogram, Image, Run, Series, read_events)
from .writer import FileWriter, SummaryWriter

__all__ = ["SummaryWriter", "FileWriter", "read_events", "EventReader", "Run", "Series", "Image", "Histogram",
           "Audio", "Graph", "GraphNode"]
