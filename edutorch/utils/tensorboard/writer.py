"""``SummaryWriter``: PyTorch's TensorBoard writer, without TensorFlow or protobuf.

Every ``add_*`` call builds one ``Summary`` (see ``_summary.py``), wraps it in an ``Event`` with the
step and wall time, encodes it (``_proto.py``) and queues it as one framed record (``_events.py``).
TensorBoard (``tensorboard --logdir runs``) and ``edutorch.utils.tensorboard.read_events`` read the
files back.

Examples::

    from edutorch.utils.tensorboard import SummaryWriter
    with SummaryWriter("runs/exp1") as writer:
        for step in range(100):
            writer.add_scalar("y=x^2", step ** 2, step)
"""
from __future__ import annotations

import os
import socket
import time
from datetime import datetime

import numpy as np

from . import _embedding, _proto, _summary
from ._events import EventFileWriter

__all__ = ["FileWriter", "SummaryWriter"]


class FileWriter:
    """Writes ``Event`` messages to one event file in ``log_dir`` (PyTorch's FileWriter)."""

    def __init__(self, log_dir, max_queue: int = 10, flush_secs: float = 120, filename_suffix: str = ""):
        self.event_writer = EventFileWriter(str(log_dir), max_queue, flush_secs, filename_suffix)
        # The first record of every event file names the format version (and who wrote it).
        self.add_event({"file_version": "brain.Event:2",
                        "source_metadata": {"writer": "edutorch.utils.tensorboard"}})
        self.flush()

    def get_logdir(self) -> str:
        return self.event_writer.log_dir

    def add_event(self, event: dict, step=None, walltime=None) -> None:
        """``event``: a dict of Event fields (``_proto.EVENT``); step and wall time are filled in here."""
        event = dict(event)
        event["wall_time"] = time.time() if walltime is None else float(walltime)
        if step is not None:
            event["step"] = int(step)
        self.event_writer.add_record(_proto.encode(_proto.EVENT, event))

    def add_summary(self, summary: dict, global_step=None, walltime=None) -> None:
        self.add_event({"summary": summary}, global_step, walltime)

    def add_graph(self, graph_def: bytes, run_metadata: bytes, walltime=None) -> None:
        self.add_event({"graph_def": graph_def}, None, walltime)
        self.add_event({"tagged_run_metadata": {"tag": "step1", "run_metadata": run_metadata}}, None, walltime)

    def flush(self) -> None:
        self.event_writer.flush()

    def close(self) -> None:
        self.event_writer.close()


class SummaryWriter:
    """Writes entries to event files in ``log_dir``, to be read by TensorBoard.

    Args:
        log_dir (str): directory to write to. Default ``runs/<Mon>DD_HH-MM-SS_<hostname><comment>``,
            a new one per run. Use e.g. ``runs/exp1``, ``runs/exp2`` to compare experiments.
        comment (str): suffix of the default ``log_dir``; ignored when ``log_dir`` is given.
        purge_step (int): after a crash at step T+X and a restart at step T, events with
            ``global_step >= T`` already in ``log_dir`` are hidden (a SessionLog START at step T).
        max_queue (int): events kept in memory before an ``add_*`` call writes them out. Default 10.
        flush_secs (float): a background thread writes pending events this often. Default 120.
        filename_suffix (str): appended to every event file name.

    Events are also written by ``flush()``, ``close()``, leaving a ``with`` block, and at interpreter
    exit. A killed process (even SIGKILL) keeps everything written before its last ``flush()``.
    """

    def __init__(self, log_dir=None, comment: str = "", purge_step=None, max_queue: int = 10,
                 flush_secs: float = 120, filename_suffix: str = ""):
        if not log_dir:
            current_time = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", current_time + "_" + socket.gethostname() + comment)
        self.log_dir = str(log_dir)
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer = self.all_writers = None
        self._get_file_writer()
        self.default_bins = _summary.DEFAULT_BINS

    def _get_file_writer(self) -> FileWriter:
        """The main FileWriter; recreated (a new event file) if the writer was closed."""
        if self.all_writers is None or self.file_writer is None:
            self.file_writer = FileWriter(self.log_dir, self.max_queue, self.flush_secs, self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                step = self.purge_step
                self.file_writer.add_event({"file_version": "brain.Event:2"}, step)
                self.file_writer.add_event({"session_log": {"status": 1}}, step)  # 1 = START
                self.purge_step = None
        return self.file_writer

    def get_logdir(self) -> str:
        return self.log_dir

    def _add(self, summary: dict, global_step, walltime) -> None:
        self._get_file_writer().add_summary(summary, global_step, walltime)

    # --- scalars -----------------------------------------------------------------------------------

    def add_scalar(self, tag: str, scalar_value, global_step=None, walltime=None, new_style: bool = False,
                   double_precision: bool = False) -> None:
        """Log one number (a Python number, a NumPy value, or a one-element tensor).

        NaN and inf are written (TensorBoard marks them) with a RuntimeWarning naming the tag.
        ``new_style=True`` writes a TensorProto instead of ``simple_value`` (as TF2 writers do)."""
        _summary.check_tag(tag)
        self._add(_summary.scalar(tag, scalar_value, new_style, double_precision), global_step, walltime)

    def add_scalars(self, main_tag: str, tag_scalar_dict: dict, global_step=None, walltime=None) -> None:
        """Several curves in one chart: each key gets its own run directory
        ``<log_dir>/<main_tag with / as _>_<key>``, and all are logged under the tag ``main_tag``."""
        _summary.check_tag(main_tag, "main_tag")
        walltime = time.time() if walltime is None else walltime
        fw_logdir = self._get_file_writer().get_logdir()
        for tag, scalar_value in tag_scalar_dict.items():
            _summary.check_tag(tag, "add_scalars key")
            fw_tag = fw_logdir + "/" + main_tag.replace("/", "_") + "_" + tag
            fw = self.all_writers.get(fw_tag)
            if fw is None:
                fw = self.all_writers[fw_tag] = FileWriter(fw_tag, self.max_queue, self.flush_secs,
                                                           self.filename_suffix)
            fw.add_summary(_summary.scalar(main_tag, scalar_value), global_step, walltime)

    def add_tensor(self, tag: str, tensor, global_step=None, walltime=None) -> None:
        _summary.check_tag(tag)
        self._add(_summary.tensor_summary(tag, tensor), global_step, walltime)

    # --- histograms --------------------------------------------------------------------------------

    def add_histogram(self, tag: str, values, global_step=None, bins="tensorflow", walltime=None,
                      max_bins=None) -> None:
        """Histogram of ``values``. ``bins``: "tensorflow" (TensorFlow's exponential buckets, the
        default), any ``np.histogram`` rule ("auto", "fd", ...), a bin count, or the edges."""
        _summary.check_tag(tag)
        if isinstance(bins, str) and bins == "tensorflow":
            bins = self.default_bins
        self._add(_summary.histogram(tag, values, bins, max_bins=max_bins), global_step, walltime)

    def add_histogram_raw(self, tag: str, min, max, num, sum, sum_squares, bucket_limits,  # noqa: A002
                          bucket_counts, global_step=None, walltime=None) -> None:
        """A histogram already counted: ``bucket_limits`` are the right edges of the buckets."""
        _summary.check_tag(tag)
        if len(bucket_limits) != len(bucket_counts):
            raise ValueError(f"add_histogram_raw('{tag}'): len(bucket_limits) = {len(bucket_limits)} != "
                             f"len(bucket_counts) = {len(bucket_counts)}; give one right edge per bucket.")
        self._add(_summary.histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts),
                  global_step, walltime)

    # --- images, figures, audio --------------------------------------------------------------------

    def add_image(self, tag: str, img_tensor, global_step=None, walltime=None, dataformats: str = "CHW") -> None:
        """One image: (3, H, W) by default; (1, H, W), (H, W), (H, W, 3) ... with the matching
        ``dataformats`` ("CHW", "HWC", "HW", "WH"). Floats in [0, 1] or uint8 in [0, 255]."""
        _summary.check_tag(tag)
        self._add(_summary.image(tag, img_tensor, dataformats=dataformats), global_step, walltime)

    def add_images(self, tag: str, img_tensor, global_step=None, walltime=None, dataformats: str = "NCHW") -> None:
        """A batch (N, 3, H, W) (or "NHWC") shown as one grid of 8 columns."""
        _summary.check_tag(tag)
        self._add(_summary.image(tag, img_tensor, dataformats=dataformats), global_step, walltime)

    def add_figure(self, tag: str, figure, global_step=None, close: bool = True, walltime=None) -> None:
        """Render a matplotlib figure (or a list of them) with Agg and log it as an image; ``close``
        closes the figure afterwards so notebooks do not pile them up."""
        _summary.check_tag(tag)
        if isinstance(figure, list):
            self.add_image(tag, _summary.figure_to_image(figure, close), global_step, walltime, dataformats="NCHW")
        else:
            self.add_image(tag, _summary.figure_to_image(figure, close), global_step, walltime, dataformats="CHW")

    def add_audio(self, tag: str, snd_tensor, global_step=None, sample_rate: int = 44100, walltime=None) -> None:
        """A mono signal (1, L) in [-1, 1], stored as a 16-bit WAV."""
        _summary.check_tag(tag)
        self._add(_summary.audio(tag, snd_tensor, sample_rate=sample_rate), global_step, walltime)

    def add_video(self, tag: str, vid_tensor, global_step=None, fps=4, walltime=None) -> None:
        raise NotImplementedError("add_video needs the moviepy package to encode a GIF; edutorch does not "
                                  "support it. Log frames with add_images instead.")

    # --- text, graphs, hparams, curves, embeddings -------------------------------------------------

    def add_text(self, tag: str, text_string: str, global_step=None, walltime=None) -> None:
        """Markdown text, shown in the Text tab under ``<tag>/text_summary``."""
        _summary.check_tag(tag)
        self._add(_summary.text(tag, text_string), global_step, walltime)

    def add_graph(self, model, input_to_model=None, verbose: bool = False, use_strict_trace: bool = True) -> None:
        """Run ``model(input_to_model)`` once and log its graph (module scopes, ops, shapes) for the
        Graphs tab. ``input_to_model``: a tensor or a tuple of tensors. ``use_strict_trace`` is
        accepted for PyTorch compatibility (there is no TorchScript tracer here)."""
        from ._graph import build_graph

        if input_to_model is None:
            raise ValueError("add_graph: pass an example input, e.g. writer.add_graph(model, "
                             "torch.zeros(1, 3, 32, 32)); the graph is recorded from one forward pass.")
        graph_def, run_metadata = build_graph(model, input_to_model, verbose)
        self._get_file_writer().add_graph(graph_def, run_metadata)

    def add_hparams(self, hparam_dict: dict, metric_dict: dict, hparam_domain_discrete=None, run_name=None,
                    global_step=None) -> None:
        """Hyperparameters and final metrics of a run for the HParams tab. Written, as PyTorch does,
        to a sub-run ``<log_dir>/<run_name or time.time()>`` with the metrics as scalars."""
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        exp, ssi, sei = _summary.hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        if not run_name:
            run_name = str(time.time())
        logdir = os.path.join(self._get_file_writer().get_logdir(), run_name)
        with SummaryWriter(log_dir=logdir) as w_hp:
            w_hp.file_writer.add_summary(exp, global_step)
            w_hp.file_writer.add_summary(ssi, global_step)
            w_hp.file_writer.add_summary(sei, global_step)
            for k, v in metric_dict.items():
                w_hp.add_scalar(k, v, global_step)

    def add_pr_curve(self, tag: str, labels, predictions, global_step=None, num_thresholds: int = 127,
                     weights=None, walltime=None) -> None:
        """Precision-recall curve of binary ``labels`` against ``predictions`` in [0, 1]."""
        _summary.check_tag(tag)
        labels, predictions = _summary.make_np(labels), _summary.make_np(predictions)
        num_thresholds = min(num_thresholds, 127)  # as PyTorch
        data = _summary.compute_curve(labels, predictions, num_thresholds=num_thresholds, weights=weights)
        self._add(_summary.pr_curve_from_data(tag, data, num_thresholds), global_step, walltime)

    def add_pr_curve_raw(self, tag: str, true_positive_counts, false_positive_counts, true_negative_counts,
                         false_negative_counts, precision, recall, global_step=None, num_thresholds: int = 127,
                         weights=None, walltime=None) -> None:
        _summary.check_tag(tag)
        num_thresholds = min(num_thresholds, 127)
        data = [true_positive_counts, false_positive_counts, true_negative_counts, false_negative_counts,
                precision, recall]
        data = np.stack([_summary.make_np(d).reshape(-1) for d in data])
        self._add(_summary.pr_curve_from_data(tag, data, num_thresholds), global_step, walltime)

    def add_custom_scalars(self, layout: dict) -> None:
        """A custom-scalars layout: ``{category: {chart: ["Multiline" or "Margin", [tags]]}}``."""
        self._get_file_writer().add_summary(_summary.custom_scalars(layout))

    def add_custom_scalars_multilinechart(self, tags, category: str = "default", title: str = "untitled") -> None:
        self.add_custom_scalars({category: {title: ["Multiline", tags]}})

    def add_custom_scalars_marginchart(self, tags, category: str = "default", title: str = "untitled") -> None:
        if len(tags) != 3:
            raise ValueError(f"add_custom_scalars_marginchart: expected 3 tags (value, lower, upper), got {len(tags)}.")
        self.add_custom_scalars({category: {title: ["Margin", tags]}})

    def add_embedding(self, mat, metadata=None, label_img=None, global_step=None, tag: str = "default",
                      metadata_header=None) -> None:
        """Points for the Projector: ``mat`` (N, D); optional ``metadata`` (N labels, or rows under
        ``metadata_header``) and ``label_img`` (N, C, H, W) for a sprite. Files go to
        ``<log_dir>/<global_step:05d>/<tag>/`` and ``<log_dir>/projector_config.pbtxt``."""
        _summary.check_tag(tag)
        mat = _summary.make_np(mat, "add_embedding(mat)")
        if global_step is None:
            global_step = 0
        subdir = f"{str(global_step).zfill(5)}/{_embedding.encode_tag(tag)}"
        save_path = os.path.join(self._get_file_writer().get_logdir(), subdir)
        if os.path.exists(save_path):
            if os.path.isdir(save_path):
                print("warning: Embedding dir exists, did you set global_step for add_embedding()?")
            else:
                raise NotADirectoryError(f"Path: `{save_path}` exists, but is a file. Cannot proceed.")
        else:
            os.makedirs(save_path)
        if mat.ndim != 2:
            raise ValueError(f"add_embedding: mat should be 2D (N points, D features), got shape {mat.shape}")
        if metadata is not None:
            if mat.shape[0] != len(metadata):
                raise ValueError(f"add_embedding: {len(metadata)} metadata labels for {mat.shape[0]} points; "
                                 f"give one label per row of mat")
            _embedding.write_metadata(metadata, save_path, metadata_header=metadata_header)
        if label_img is not None:
            label_img = _summary.make_np(label_img, "add_embedding(label_img)")
            if mat.shape[0] != label_img.shape[0]:
                raise ValueError(f"add_embedding: {label_img.shape[0]} label images for {mat.shape[0]} points")
            if label_img.ndim != 4 or label_img.shape[1] not in (1, 3):
                raise ValueError(f"add_embedding: label_img should be (N, C, H, W) with C = 1 or 3, "
                                 f"got shape {label_img.shape}")
            _embedding.write_sprite(label_img, save_path)
        _embedding.write_tensors(mat, save_path)
        info = {"tensor_name": f"{tag}:{str(global_step).zfill(5)}", "tensor_path": f"{subdir}/tensors.tsv"}
        if metadata is not None:
            info["metadata_path"] = f"{subdir}/metadata.tsv"
        if label_img is not None:
            info["sprite"] = {"image_path": f"{subdir}/sprite.png",
                              "single_image_dim": [int(label_img.shape[3]), int(label_img.shape[2])]}
        if not hasattr(self, "_projector_config"):
            self._projector_config = []
        self._projector_config.append(info)
        path = os.path.join(self._get_file_writer().get_logdir(), "projector_config.pbtxt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(_embedding.projector_config_pbtxt(self._projector_config))

    # --- lifetime ----------------------------------------------------------------------------------

    def flush(self) -> None:
        """Write every pending event to disk (to the OS: safe from a crash of this process)."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()

    def close(self) -> None:
        """Flush and close the files. Adding again afterwards opens a new event file."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()
            writer.close()
        self.file_writer = self.all_writers = None

    def __enter__(self) -> "SummaryWriter":
        return self

    def __exit__(self, exc_type, exc_val, exc_tb) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SummaryWriter(log_dir={self.log_dir!r})"
