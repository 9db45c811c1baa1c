"""``DatasetFolder`` and ``ImageFolder``: one sub-folder per class, as ``torchvision.datasets.folder``.

::

    root/dog/xxx.png            classes      = ['cat', 'dog']          (sorted folder names)
    root/dog/nested/xxy.png     class_to_idx = {'cat': 0, 'dog': 1}
    root/cat/123.jpg            samples      = [('root/cat/123.jpg', 0), ('root/dog/nested/xxy.png', 1),
                                                ('root/dog/xxx.png', 1)]

Files are found recursively (sub-folders of a class belong to it), in sorted order, and only those
whose extension is allowed (or for which ``is_valid_file(path)`` is True) become samples. Nothing is
read until ``dataset[i]`` calls ``loader(path)``.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Optional, Union, cast

from PIL import Image

from .vision import VisionDataset

__all__ = ["DatasetFolder", "ImageFolder", "IMG_EXTENSIONS", "has_file_allowed_extension", "is_image_file",
           "find_classes", "make_dataset", "pil_loader", "default_loader"]

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename: str, extensions: Union[str, tuple[str, ...]]) -> bool:
    """True if ``filename`` ends with one of ``extensions`` (compared in lower case)."""
    return filename.lower().endswith(extensions if isinstance(extensions, str) else tuple(extensions))


def is_image_file(filename: str) -> bool:
    """True if ``filename`` ends with a known image extension (``IMG_EXTENSIONS``)."""
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def find_classes(directory: Union[str, Path]) -> tuple[list[str], dict[str, int]]:
    """The class folders of ``directory``: sorted names, and each name's index.

    Raises:
        FileNotFoundError: if ``directory`` has no sub-folder.
    """
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    class_to_idx = {cls_name: i for i, cls_name in enumerate(classes)}
    return classes, class_to_idx


def make_dataset(directory: Union[str, Path], class_to_idx: Optional[dict[str, int]] = None,
                 extensions: Optional[Union[str, tuple[str, ...]]] = None,
                 is_valid_file: Optional[Callable[[str], bool]] = None,
                 allow_empty: bool = False) -> list[tuple[str, int]]:
    """The list of samples ``(path_to_sample, class_index)``: every valid file under each class folder.

    Exactly one of ``extensions`` and ``is_valid_file`` must be given.

    Raises:
        ValueError: if ``class_to_idx`` is empty, or if both or neither of ``extensions`` and
            ``is_valid_file`` are given.
        FileNotFoundError: if a class folder holds no valid file (unless ``allow_empty``).
    """
    directory = os.path.expanduser(directory)

    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any samples.")

    both_none = extensions is None and is_valid_file is None
    both_something = extensions is not None and is_valid_file is not None
    if both_none or both_something:
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the same time")

    if extensions is not None:
        def is_valid_file(x: str) -> bool:
            return has_file_allowed_extension(x, extensions)  # type: ignore[arg-type]
    is_valid_file = cast(Callable[[str], bool], is_valid_file)

    instances = []
    available_classes = set()
    for target_class in sorted(class_to_idx.keys()):
        class_index = class_to_idx[target_class]
        target_dir = os.path.join(directory, target_class)
        if not os.path.isdir(target_dir):
            continue
        # os.walk yields (folder, sub-folders, files); sorting both makes the order the same on every
        # machine (the file system's own order is arbitrary).
        for root, _, fnames in sorted(os.walk(target_dir, followlinks=True)):
            for fname in sorted(fnames):
                path = os.path.join(root, fname)
                if is_valid_file(path):
                    instances.append((path, class_index))
                    available_classes.add(target_class)

    empty_classes = set(class_to_idx.keys()) - available_classes
    if empty_classes and not allow_empty:
        msg = f"Found no valid file for the classes {', '.join(sorted(empty_classes))}. "
        if extensions is not None:
            msg += f"Supported extensions are: {extensions if isinstance(extensions, str) else ', '.join(extensions)}"
        raise FileNotFoundError(msg)

    return instances


class DatasetFolder(VisionDataset):
    """A generic data loader for ``root/<class>/**/<file>`` trees (override :meth:`find_classes` for
    another layout).

    Args:
        root (str or ``pathlib.Path``): Root directory path.
        loader (callable): A function to load a sample given its path.
        extensions (tuple[string]): allowed extensions. Give either this or ``is_valid_file``.
        transform (callable, optional): takes a sample and returns a transformed version.
        target_transform (callable, optional): takes the target and transforms it.
        is_valid_file (callable, optional): takes the path of a file and says whether it is a valid sample
            (e.g. to skip corrupt files). Give either this or ``extensions``.
        allow_empty (bool, optional): If True, empty folders are considered valid classes; otherwise
            (default) they raise FileNotFoundError.

    Attributes:
        classes (list): the class names, sorted alphabetically.
        class_to_idx (dict): ``{class_name: class_index}``.
        samples (list): ``(sample path, class_index)`` tuples.
        targets (list): the class_index of each sample.
    """

    def __init__(self, root: Union[str, Path], loader: Callable[[str], Any],
                 extensions: Optional[tuple[str, ...]] = None, transform: Optional[Callable] = None,
                 target_transform: Optional[Callable] = None,
                 is_valid_file: Optional[Callable[[str], bool]] = None, allow_empty: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        classes, class_to_idx = self.find_classes(self.root)
        samples = self.make_dataset(self.root, class_to_idx=class_to_idx, extensions=extensions,
                                    is_valid_file=is_valid_file, allow_empty=allow_empty)

        self.loader = loader
        self.extensions = extensions

        self.classes = classes
        self.class_to_idx = class_to_idx
        self.samples = samples
        self.targets = [s[1] for s in samples]

    @staticmethod
    def make_dataset(directory: Union[str, Path], class_to_idx: dict[str, int],
                     extensions: Optional[tuple[str, ...]] = None,
                     is_valid_file: Optional[Callable[[str], bool]] = None,
                     allow_empty: bool = False) -> list[tuple[str, int]]:
        """The samples ``(path, class_index)``; override to read e.g. from a zip instead of the disk.

        Raises:
            ValueError: if ``class_to_idx`` is None or empty, or both/neither of ``extensions`` and
                ``is_valid_file`` are given.
            FileNotFoundError: if a class has no valid file (and not ``allow_empty``).
        """
        if class_to_idx is None:
            # The module-level make_dataset would call the module-level find_classes, silently ignoring
            # an overridden find_classes method.
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions=extensions, is_valid_file=is_valid_file,
                            allow_empty=allow_empty)

    def find_classes(self, directory: Union[str, Path]) -> tuple[list[str], dict[str, int]]:
        """Find the class folders of ``directory`` (override to use only some, or another layout).

        Raises:
            FileNotFoundError: If ``directory`` has no class folders.
        """
        return find_classes(directory)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Returns ``(sample, target)``: ``loader(path)`` and the class index, after the transforms."""
        path, target = self.samples[index]
        sample = self.loader(path)
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def __len__(self) -> int:
        return len(self.samples)


def pil_loader(path: Union[str, Path]) -> Image.Image:
    """Open an image file as an RGB PIL image (grey, palette and RGBA images are converted)."""
    # Open the file ourselves so it is closed at once (Image.open alone keeps it open lazily).
    with open(path, "rb") as f:
        img = Image.open(f)
        return img.convert("RGB")


def default_loader(path: Union[str, Path]) -> Any:
    """The loader ``ImageFolder`` uses: :func:`pil_loader` (torchvision's default image backend)."""
    return pil_loader(path)


class ImageFolder(DatasetFolder):
    """A ``DatasetFolder`` of images: ``root/dog/xxx.png``, ``root/cat/123.png``, ...; samples are opened
    with :func:`default_loader` (an RGB PIL image).

    Args:
        root (str or ``pathlib.Path``): Root directory path.
        transform (callable, optional): takes a PIL image and returns a transformed version,
            e.g. ``transforms.RandomCrop``.
        target_transform (callable, optional): takes the target and transforms it.
        loader (callable, optional): A function to load an image given its path.
        is_valid_file (callable, optional): takes the path of a file and says whether it is a valid image
            (then ``IMG_EXTENSIONS`` is not used).
        allow_empty (bool, optional): If True, empty folders are considered valid classes.

    Attributes:
        classes (list), class_to_idx (dict), imgs (list): ``(image path, class_index)`` tuples (the same
        list as ``samples``), targets (list).
    """

    def __init__(self, root: Union[str, Path], transform: Optional[Callable] = None,
                 target_transform: Optional[Callable] = None, loader: Callable[[str], Any] = default_loader,
                 is_valid_file: Optional[Callable[[str], bool]] = None, allow_empty: bool = False):
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None, transform=transform,
                         target_transform=target_transform, is_valid_file=is_valid_file,
                         allow_empty=allow_empty)
        self.imgs = self.samples
