"""Download, verify and unpack data sets, as ``torchvision.datasets.utils``.

The life of a ``download=True``::

    download_and_extract_archive(url, root, md5=...)
      -> download_url:     skip if the file is already there with the right md5, else fetch it with a
                           progress bar into ``<file>.part`` and rename it when complete
      -> check_integrity:  the md5 of what arrived must be the published one (a corrupted or truncated
                           file raises instead of being silently used)
      -> extract_archive:  .tar / .tar.gz / .tgz / .zip are unpacked, .gz / .bz2 / .xz decompressed

Archives are unpacked SAFELY: a member whose path would land outside the target directory (an absolute
name, ``..`` components, a symlink or hard link pointing outside) is refused with a RuntimeError
naming it. Archives from the internet are untrusted input: without this check a crafted
``../../.bashrc`` member would overwrite files anywhere the user can write ("path traversal",
CVE-2007-4559 for Python's tarfile).

Without a network, a download raises RuntimeError naming the URL that failed and the exact file path to
put a hand-downloaded copy at.
"""
from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import os
import pathlib
import tarfile
import urllib.error
import urllib.request
import zipfile
from typing import Any, Callable, IO, Iterable, Optional, Union

from tqdm.auto import tqdm

__all__ = ["calculate_md5", "check_md5", "check_integrity", "download_url", "list_dir", "list_files",
           "extract_archive", "download_and_extract_archive", "verify_str_arg", "iterable_to_str"]

USER_AGENT = "pytorch/vision"  # some servers refuse urllib's default agent; torchvision sends this one

PathLike = Union[str, pathlib.Path]


# ---------------------------------------------------------------------------------------------------------
# Checksums
# ---------------------------------------------------------------------------------------------------------

def calculate_md5(fpath: PathLike, chunk_size: int = 1024 * 1024) -> str:
    """The md5 hex digest of a file, read in chunks so a 1 GB archive never sits in memory at once."""
    # usedforsecurity=False: md5 only detects corruption here, which keeps it usable on FIPS systems.
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        while chunk := f.read(chunk_size):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath: PathLike, md5: str, **kwargs: Any) -> bool:
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath: PathLike, md5: Optional[str] = None) -> bool:
    """True if ``fpath`` is a file and (when ``md5`` is given) its md5 matches."""
    if not os.path.isfile(fpath):
        return False
    if md5 is None:
        return True
    return check_md5(fpath, md5)


# ---------------------------------------------------------------------------------------------------------
# Downloading
# ---------------------------------------------------------------------------------------------------------

def _urlretrieve(url: str, filename: PathLike, chunk_size: int = 1024 * 32) -> None:
    """Stream ``url`` into ``filename`` with a tqdm progress bar (bytes, total from Content-Length).

    The bytes go to ``<filename>.part`` first and are renamed only once complete, so an interrupted
    download never leaves a truncated file that looks like a finished one.
    """
    partial = f"{os.fspath(filename)}.part"
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            with open(partial, "wb") as fh, tqdm(total=response.length, unit="B", unit_scale=True,
                                                 desc=os.path.basename(filename)) as pbar:
                while chunk := response.read(chunk_size):
                    fh.write(chunk)
                    pbar.update(len(chunk))
        os.replace(partial, filename)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def download_url(url: str, root: PathLike, filename: Optional[PathLike] = None, md5: Optional[str] = None,
                 max_redirect_hops: int = 3) -> None:
    """Download a file from ``url`` and place it in ``root``.

    Args:
        url (str): URL to download the file from.
        root (str): Directory to place the downloaded file in (created if missing).
        filename (str, optional): Name to save the file under. If None, the basename of the URL.
        md5 (str, optional): MD5 checksum of the download. If None, it is not checked.
        max_redirect_hops (int, optional): kept for torchvision's signature; urllib follows HTTP
            redirects itself.

    Raises:
        RuntimeError: if the download fails (the message names the URL and where to put a copy
            downloaded by hand), or if the downloaded file's md5 is not ``md5``.
    """
    root = os.path.expanduser(root)
    if not filename:
        filename = os.path.basename(url)
    fpath = os.fspath(os.path.join(root, filename))
    os.makedirs(root, exist_ok=True)

    # Already there and intact: no network access at all (this is what makes download=True idempotent).
    if check_integrity(fpath, md5):
        return

    try:
        _urlretrieve(url, fpath)
    except (urllib.error.URLError, OSError) as e:
        # 'HTTP Error 404: Not Found' for a server's answer; for no connection, the OS's reason
        # ('[Errno 111] Connection refused', 'Name or service not known', a timeout...)
        reason = e if isinstance(e, urllib.error.HTTPError) else getattr(e, "reason", e)
        raise RuntimeError(
            f"Failed to download {url} ({reason}).\n"
            f"If this machine has no internet access, download {url} by hand on one that has, and put "
            f"it at {fpath}"
        ) from e

    if not check_integrity(fpath, md5):
        got = calculate_md5(fpath) if os.path.isfile(fpath) else "no file"
        raise RuntimeError(f"File not found or corrupted: {fpath} has md5 {got}, expected {md5}. "
                           f"Delete it and download it again.")


def list_dir(root: PathLike, prefix: bool = False) -> list[str]:
    """The directories directly inside ``root`` (with ``root/`` in front when ``prefix``)."""
    root = os.path.expanduser(root)
    directories = [p for p in os.listdir(root) if os.path.isdir(os.path.join(root, p))]
    return [os.path.join(root, d) for d in directories] if prefix else directories


def list_files(root: PathLike, suffix: Union[str, tuple], prefix: bool = False) -> list[str]:
    """The files directly inside ``root`` whose name ends with ``suffix``."""
    root = os.path.expanduser(root)
    files = [p for p in os.listdir(root) if os.path.isfile(os.path.join(root, p)) and p.endswith(suffix)]
    return [os.path.join(root, f) for f in files] if prefix else files


# ---------------------------------------------------------------------------------------------------------
# Extracting, safely
# ---------------------------------------------------------------------------------------------------------

def _is_inside(directory: str, path: str) -> bool:
    """True if ``path`` (already resolved) is ``directory`` or below it."""
    return os.path.commonpath([directory, path]) == directory


def _refuse(archive: PathLike, member: str, why: str, to_path: str):
    raise RuntimeError(f"Refusing to extract {member!r} from {os.fspath(archive)}: {why}, outside the "
                       f"target directory {to_path}. The archive is unsafe (path traversal); it was not "
                       f"extracted any further.")


def _check_member(archive: PathLike, to_path: str, name: str, link: Optional[str] = None,
                  link_relative_to_member: bool = True) -> None:
    """Raise unless member ``name`` (and the ``link`` it points to, for links) stays inside ``to_path``.

    Checked with ``realpath`` right before each member is written, so symlinks created by earlier
    members of the same archive are followed too (a chain like ``a -> .`` then ``a/../../x`` is caught).
    """
    if os.path.isabs(name) or name.startswith(("/", "\\")):
        _refuse(archive, name, "it has an absolute path", to_path)
    target = os.path.realpath(os.path.join(to_path, name))
    if not _is_inside(to_path, target):
        _refuse(archive, name, f"its path resolves to {target}", to_path)
    if link is not None:
        base = os.path.dirname(os.path.join(to_path, name)) if link_relative_to_member else to_path
        link_target = os.path.realpath(os.path.join(base, link))  # an absolute link replaces base
        if not _is_inside(to_path, link_target):
            _refuse(archive, name, f"it links to {link!r}, which resolves to {link_target}", to_path)


def _extract_tar(from_path: PathLike, to_path: str, compression: Optional[str]) -> None:
    # The 'data' filter (Python >= 3.11.4 / 3.10.12) is a second line of defence behind our own check.
    filter_kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
    with tarfile.open(from_path, f"r:{compression[1:]}" if compression else "r") as tar:
        for member in tar:
            if member.isdev() or member.isfifo():
                raise RuntimeError(f"Refusing to extract {member.name!r} from {os.fspath(from_path)}: "
                                   f"device files and FIFOs do not belong in a data set archive.")
            if member.issym():
                _check_member(from_path, to_path, member.name, member.linkname, link_relative_to_member=True)
            elif member.islnk():  # a hard link names another member, relative to the archive root
                _check_member(from_path, to_path, member.name, member.linkname, link_relative_to_member=False)
            else:
                _check_member(from_path, to_path, member.name)
            tar.extract(member, to_path, **filter_kwargs)


def _extract_zip(from_path: PathLike, to_path: str, compression: Optional[str]) -> None:
    with zipfile.ZipFile(from_path, "r") as archive:
        for info in archive.infolist():
            # zipfile would silently rewrite '../x' to 'x'; we refuse, so a bad archive is noticed.
            if info.filename.startswith(("/", "\\")) or ":" in info.filename.split("/")[0]:
                _refuse(from_path, info.filename, "it has an absolute path", to_path)
            _check_member(from_path, to_path, info.filename)
            archive.extract(info, to_path)


_ARCHIVE_EXTRACTORS: dict[str, Callable[[PathLike, str, Optional[str]], None]] = {
    ".tar": _extract_tar,
    ".zip": _extract_zip,
}
_COMPRESSED_FILE_OPENERS: dict[str, Callable[..., IO]] = {
    ".bz2": bz2.open,
    ".gz": gzip.open,
    ".xz": lzma.open,
}
_FILE_TYPE_ALIASES: dict[str, tuple[Optional[str], Optional[str]]] = {
    ".tbz": (".tar", ".bz2"),
    ".tbz2": (".tar", ".bz2"),
    ".tgz": (".tar", ".gz"),
}


def _detect_file_type(file: PathLike) -> tuple[str, Optional[str], Optional[str]]:
    """``(suffix, archive_type, compression)`` from the file name: ``a.tar.gz -> ('.tar.gz', '.tar', '.gz')``,
    ``a.tgz -> ('.tgz', '.tar', '.gz')``, ``a.gz -> ('.gz', None, '.gz')``, ``a.zip -> ('.zip', '.zip', None)``."""
    suffixes = pathlib.Path(file).suffixes
    if not suffixes:
        raise RuntimeError(f"File '{file}' has no suffixes that could be used to detect the archive type "
                           f"and compression.")
    suffix = suffixes[-1]
    if suffix in _FILE_TYPE_ALIASES:
        return (suffix, *_FILE_TYPE_ALIASES[suffix])
    if suffix in _ARCHIVE_EXTRACTORS:
        return suffix, suffix, None
    if suffix in _COMPRESSED_FILE_OPENERS:
        if len(suffixes) > 1 and suffixes[-2] in _ARCHIVE_EXTRACTORS:
            return suffixes[-2] + suffix, suffixes[-2], suffix
        return suffix, None, suffix
    valid_suffixes = sorted(set(_FILE_TYPE_ALIASES) | set(_ARCHIVE_EXTRACTORS) | set(_COMPRESSED_FILE_OPENERS))
    raise RuntimeError(f"Unknown compression or archive type: '{suffix}'.\nKnown suffixes are: '{valid_suffixes}'.")


def _decompress(from_path: PathLike, to_path: PathLike, compression: str) -> pathlib.Path:
    """Decompress one compressed (not archived) file, e.g. ``train-images-idx3-ubyte.gz``."""
    with _COMPRESSED_FILE_OPENERS[compression](from_path, "rb") as rfh, open(to_path, "wb") as wfh:
        while chunk := rfh.read(1024 * 1024):
            wfh.write(chunk)
    return pathlib.Path(to_path)


def extract_archive(from_path: PathLike, to_path: Optional[PathLike] = None,
                    remove_finished: bool = False) -> PathLike:
    """Extract an archive, or decompress a compressed file, chosen by its file name.

    Args:
        from_path (str): Path to the file to be extracted.
        to_path (str): Directory to extract into. If omitted, the directory of the file.
        remove_finished (bool): If ``True``, remove the file after the extraction.

    Returns:
        The directory the archive was extracted to, or the decompressed file's path (a ``str`` if
        ``from_path`` was a ``str``).

    Raises:
        RuntimeError: for an unknown suffix, or a member that would be written outside ``to_path``.
    """
    if to_path is None:
        to_path = os.path.dirname(from_path)
    os.makedirs(to_path, exist_ok=True)
    suffix, archive_type, compression = _detect_file_type(from_path)

    def path_or_str(ret_path: pathlib.Path) -> PathLike:
        return os.fspath(ret_path) if isinstance(from_path, str) else ret_path

    if not archive_type:
        target = os.path.join(to_path, os.path.basename(os.fspath(from_path))[: -len(suffix)])
        ret_path = _decompress(from_path, target, compression)
    else:
        real_to_path = os.path.realpath(to_path)
        _ARCHIVE_EXTRACTORS[archive_type](from_path, real_to_path, compression)
        ret_path = pathlib.Path(to_path)
    if remove_finished:
        os.remove(from_path)
    return path_or_str(ret_path)


def download_and_extract_archive(url: str, download_root: PathLike, extract_root: Optional[PathLike] = None,
                                 filename: Optional[PathLike] = None, md5: Optional[str] = None,
                                 remove_finished: bool = False) -> None:
    """``download_url`` into ``download_root``, then ``extract_archive`` into ``extract_root``
    (default: the same directory)."""
    download_root = os.path.expanduser(download_root)
    if extract_root is None:
        extract_root = download_root
    if not filename:
        filename = os.path.basename(url)
    download_url(url, download_root, filename, md5)
    archive = os.path.join(download_root, filename)
    extract_archive(archive, extract_root, remove_finished)


# ---------------------------------------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------------------------------------

def iterable_to_str(iterable: Iterable) -> str:
    return "'" + "', '".join(str(item) for item in iterable) + "'"


def verify_str_arg(value: str, arg: Optional[str] = None, valid_values: Optional[Iterable[str]] = None,
                   custom_msg: Optional[str] = None) -> str:
    """Check that ``value`` is a str (and one of ``valid_values``), raising ValueError as torchvision does."""
    if not isinstance(value, str):
        if arg is None:
            msg = f"Expected type str, but got type {type(value)}."
        else:
            msg = f"Expected type str for argument {arg}, but got type {type(value)}."
        raise ValueError(msg)
    if valid_values is None:
        return value
    if value not in valid_values:
        if custom_msg is not None:
            msg = custom_msg
        else:
            msg = (f"Unknown value '{value}' for argument {arg}. "
                   f"Valid values are {{{iterable_to_str(valid_values)}}}.")
        raise ValueError(msg)
    return value
