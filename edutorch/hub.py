"""``torch.hub``: fetch files and models by URL or repository, cached on disk.

Two jobs, both as PyTorch does them:

1. **Weights files.** ``load_state_dict_from_url(url)`` keeps one copy of each file in
   ``get_dir()/checkpoints`` (``$TORCH_HOME/hub/checkpoints``, by default ``~/.cache/torch/hub/checkpoints``,
   the very folder PyTorch uses, so a torchvision ``.pth`` already there is used as is). The first call
   downloads it with a progress bar into a temporary file, checks the sha256 prefix written in the file
   name (``resnet18-f37072fd.pth``), then renames it into place: a broken download never looks like a
   finished one. Offline, it fails at once and says which file to put where.

2. **Models from a repository's** ``hubconf.py``. ``load("owner/repo:ref", "entry", ...)`` downloads the
   GitHub archive into ``get_dir()``, imports its ``hubconf.py`` and calls the entry point;
   ``load(path, "entry", source="local")`` does the same on a local folder, offline. A hubconf lists
   the packages it needs in ``dependencies`` (checked before anything is called) and every public
   callable in it is an entry point whose docstring ``help`` shows::

       # hubconf.py
       dependencies = ["edutorch"]

       def lenet(pretrained=False, **kwargs):
           '''LeNet for 8x8 digits. pretrained (bool): load the shipped weights.'''
           ...

Importing a repository's ``hubconf.py`` runs its code: GitHub repositories outside PyTorch's own
organisations must be trusted first (``trust_repo``), as in PyTorch.
"""
from __future__ import annotations

import builtins
import contextlib
import errno
import hashlib
import importlib.util
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import uuid
import warnings
import zipfile
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlparse
from urllib.request import Request, urlopen

try:
    from tqdm import tqdm
except ImportError:  # tqdm is a dependency; this keeps the hub usable in a bare environment
    tqdm = None

__all__ = ["download_url_to_file", "get_dir", "help", "list", "load", "load_state_dict_from_url", "set_dir"]

# matches bfd8deac from resnet18-bfd8deac.pth
HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")

_TRUSTED_REPO_OWNERS = ("facebookresearch", "facebookincubator", "pytorch", "fairinternal")
ENV_GITHUB_TOKEN = "GITHUB_TOKEN"
ENV_TORCH_HOME = "TORCH_HOME"
ENV_XDG_CACHE_HOME = "XDG_CACHE_HOME"
DEFAULT_CACHE_DIR = "~/.cache"
VAR_DEPENDENCY = "dependencies"
MODULE_HUBCONF = "hubconf.py"
READ_DATA_CHUNK = 128 * 1024
# Seconds to wait for a server to answer: offline, a download should fail in seconds, not hang.
_TIMEOUT = 15

_hub_dir: str | None = None


# ====================================================================================================
# Where things are cached
# ====================================================================================================
def _get_torch_home() -> str:
    return os.path.expanduser(
        os.getenv(ENV_TORCH_HOME, os.path.join(os.getenv(ENV_XDG_CACHE_HOME, DEFAULT_CACHE_DIR), "torch")))


def get_dir() -> str:
    """The hub cache folder: the one ``set_dir`` chose, else ``$TORCH_HOME/hub``, where ``$TORCH_HOME``
    defaults to ``$XDG_CACHE_HOME/torch`` and ``$XDG_CACHE_HOME`` to ``~/.cache``."""
    if os.getenv("TORCH_HUB"):
        warnings.warn("TORCH_HUB is deprecated, please use env TORCH_HOME instead", stacklevel=2)
    if _hub_dir is not None:
        return _hub_dir
    return os.path.join(_get_torch_home(), "hub")


def set_dir(d: str | os.PathLike) -> None:
    """Use ``d`` as the hub cache folder from now on (weights go to ``d/checkpoints``)."""
    global _hub_dir
    _hub_dir = os.path.expanduser(d)


# ====================================================================================================
# Files: download (atomic, hash-checked) and load
# ====================================================================================================
class _PlainProgress:
    """A minimal stand-in for tqdm: percentage (or byte count) on stderr."""

    def __init__(self, total=None, disable=False, **kwargs):
        self.total, self.disable, self.n = total, disable, 0

    def update(self, n):
        if self.disable:
            return
        self.n += n
        sys.stderr.write(f"\r{self.n:.1f} bytes" if self.total is None else f"\r{100 * self.n / self.total:.1f}%")
        sys.stderr.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if not self.disable:
            sys.stderr.write("\n")


def download_url_to_file(url: str, dst: str, hash_prefix: str | None = None, progress: bool = True) -> None:
    """Download ``url`` to the path ``dst``.

    The bytes go to a temporary file beside ``dst`` (``dst.<random>.partial``) that is renamed to ``dst``
    only once complete and, if ``hash_prefix`` is given, only if the sha256 of the content starts with it
    (else RuntimeError): an interrupted or corrupted download never replaces a good file.

    Args:
        url (str): what to download.
        dst (str): where to save it, e.g. ``/tmp/temporary_file``.
        hash_prefix (str, optional): expected start of the content's sha256 hex digest.
        progress (bool): show a progress bar on stderr. Default: True.
    """
    dst = os.path.expanduser(dst)
    # A uniquely named temporary file, not NamedTemporaryFile: that one gets restrictive permissions
    # which would stay on the renamed file.
    for _ in range(tempfile.TMP_MAX):
        tmp_dst = dst + "." + uuid.uuid4().hex + ".partial"
        try:
            f = open(tmp_dst, "x+b")
        except FileExistsError:
            continue
        break
    else:
        raise FileExistsError(errno.EEXIST, "No usable temporary file name found")

    req = Request(url, headers={"User-Agent": "torch.hub"})
    try:
        with urlopen(req, timeout=_TIMEOUT) as u:
            content_length = u.info().get_all("Content-Length")
            file_size = int(content_length[0]) if content_length else None
            sha256 = hashlib.sha256() if hash_prefix is not None else None
            bar = tqdm if tqdm is not None else _PlainProgress
            with bar(total=file_size, disable=not progress, unit="B", unit_scale=True, unit_divisor=1024) as pbar:
                while True:
                    buffer = u.read(READ_DATA_CHUNK)
                    if len(buffer) == 0:
                        break
                    f.write(buffer)
                    if sha256 is not None:
                        sha256.update(buffer)
                    pbar.update(len(buffer))
        f.close()
        if sha256 is not None and hash_prefix is not None:
            digest = sha256.hexdigest()
            if digest[: len(hash_prefix)] != hash_prefix:
                raise RuntimeError(f'invalid hash value (expected "{hash_prefix}", got "{digest}")')
        shutil.move(f.name, dst)
    finally:
        f.close()
        if os.path.exists(f.name):
            os.remove(f.name)


def _is_unreachable(error: BaseException) -> bool:
    """No network, unknown host, refused connection, time-out: an HTTP answer (404, ...) is not this."""
    return (isinstance(error, (URLError, socket.timeout, TimeoutError, ConnectionError))
            and not isinstance(error, HTTPError))


def _offline_message(url: str, filename: str, model_dir: str, error: BaseException) -> str:
    reason = getattr(error, "reason", error)
    return (f'Could not download "{url}" ({reason}). If this machine is offline, fetch the file elsewhere '
            f"and put it, named {filename}, in {model_dir} (that is {os.path.join(model_dir, filename)}); "
            f"it is then loaded from there without any download. The folder is $TORCH_HOME/hub/checkpoints "
            f"(TORCH_HOME defaults to ~/.cache/torch), the folder PyTorch uses: a file torchvision already "
            f"downloaded there is used as is.")


def load_state_dict_from_url(url: str, model_dir: str | None = None, map_location=None, progress: bool = True,
                             check_hash: bool = False, file_name: str | None = None,
                             weights_only: bool = True) -> dict[str, Any]:
    """Load the checkpoint at ``url``, downloading it into ``model_dir`` the first time.

    If ``model_dir/<file name>`` exists it is loaded as is (no network at all); otherwise it is
    downloaded there first. ``model_dir`` defaults to ``get_dir()/checkpoints``.

    Args:
        url (str): where the file downloads from.
        model_dir (str, optional): the folder to keep it in.
        map_location: passed to ``edutorch.load``.
        progress (bool): show a progress bar on stderr. Default: True.
        check_hash (bool): check that the file's sha256 starts with the hex digits after the last ``-``
            in its name (``filename-<sha256>.ext``, eight or more digits). Default: False.
        file_name (str, optional): the name to save under; default: the URL's last path component.
        weights_only (bool): load with the safe unpickler (plain data only). Default: True (PyTorch's
            default here is False; a state_dict needs nothing more).

    Offline, a missing file raises RuntimeError at once, naming the URL, the file and the folder to put
    it in.

    Example::

        >>> state_dict = edutorch.hub.load_state_dict_from_url(
        ...     "https://download.pytorch.org/models/resnet18-f37072fd.pth")
    """
    from .serialization import load  # edutorch imports the hub lazily; the hub needs the loader only here

    if os.getenv("TORCH_MODEL_ZOO"):
        warnings.warn("TORCH_MODEL_ZOO is deprecated, please use env TORCH_HOME instead", stacklevel=2)
    if model_dir is None:
        model_dir = os.path.join(get_dir(), "checkpoints")
    os.makedirs(model_dir, exist_ok=True)

    filename = os.path.basename(urlparse(url).path)
    if file_name is not None:
        filename = file_name
    cached_file = os.path.join(model_dir, filename)
    if not os.path.exists(cached_file):
        sys.stdout.write(f'Downloading: "{url}" to {cached_file}\n')
        hash_prefix = None
        if check_hash:
            r = HASH_REGEX.search(filename)
            hash_prefix = r.group(1) if r else None
        try:
            download_url_to_file(url, cached_file, hash_prefix, progress=progress)
        except OSError as error:  # URLError and socket errors are OSErrors
            if _is_unreachable(error):
                raise RuntimeError(_offline_message(url, filename, model_dir, error)) from error
            raise
    return load(cached_file, map_location=map_location, weights_only=weights_only)


# ====================================================================================================
# Repositories: hubconf.py, entry points, GitHub archives
# ====================================================================================================
@contextlib.contextmanager
def _add_to_sys_path(path):
    """Let ``hubconf.py`` import the modules of its own repository while it is loaded."""
    sys.path.insert(0, path)
    try:
        yield
    finally:
        sys.path.remove(path)


def _import_module(name: str, path: str):
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise AssertionError(f"failed to load spec from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load_attr_from_module(module, func_name: str):
    if func_name not in dir(module):
        return None
    return getattr(module, func_name)


def _check_dependencies(m) -> None:
    """``dependencies = ["numpy", ...]`` in hubconf.py: every one must be importable."""
    dependencies = _load_attr_from_module(m, VAR_DEPENDENCY)
    if dependencies is not None:
        missing_deps = [pkg for pkg in dependencies if importlib.util.find_spec(pkg) is None]
        if missing_deps:
            raise RuntimeError(f"Missing dependencies: {', '.join(missing_deps)}")


def _load_entry_from_hubconf(m, model: str):
    if not isinstance(model, str):
        raise ValueError("Invalid input: model should be a string of function name")
    # A missing dependency imported at the top of hubconf.py fails before this check, with Python's own
    # ImportError: we must import hubconf to read its dependencies.
    _check_dependencies(m)
    func = _load_attr_from_module(m, model)
    if func is None or not callable(func):
        raise RuntimeError(f"Cannot find callable {model} in hubconf")
    return func


def _remove_if_exists(path: str) -> None:
    if os.path.exists(path):
        if os.path.isfile(path):
            os.remove(path)
        else:
            shutil.rmtree(path)


def _safe_extract_zip(zip_file: zipfile.ZipFile, extract_to: str) -> None:
    """Extract, refusing entries that would land outside ``extract_to`` (absolute paths, ``..``)."""
    root = Path(extract_to).resolve(strict=False)
    for member in zip_file.infolist():
        name = os.path.normpath(member.filename)
        if name.startswith(("/", "\\")) or (len(name) >= 2 and name[1] == ":" and name[0].isalpha()):
            raise ValueError(f"Archive entry has absolute path: {member.filename}")
        if ".." in re.split(r"[/\\]", name):
            raise ValueError(f"Archive entry contains directory traversal: {member.filename}")
        if not (root / name).resolve(strict=False).is_relative_to(root):
            raise ValueError(f"Archive entry escapes target directory: {member.filename}")
        zip_file.extract(member, root)


def _git_archive_link(repo_owner: str, repo_name: str, ref: str) -> str:
    return f"https://github.com/{repo_owner}/{repo_name}/zipball/{ref}"


def _offline_repo_error(url: str, repo_dir: str, error: BaseException) -> RuntimeError:
    reason = getattr(error, "reason", error)
    return RuntimeError(
        f'Could not reach "{url}" ({reason}): it looks like there is no internet connection and the repo '
        f"is not in the cache ({repo_dir}). Offline, clone or unpack the repository elsewhere and use "
        f"hub.load(path, model, source='local'), or put its files in {repo_dir}.")


def _parse_repo_info(github: str) -> tuple[str, str, str]:
    """``"owner/repo[:ref]"``; without a ref, ``main`` if the repo has it, else ``master``."""
    if ":" in github:
        repo_info, ref = github.split(":")
    else:
        repo_info, ref = github, None
    repo_owner, repo_name = repo_info.split("/")
    if ref is None:
        try:
            with urlopen(f"https://github.com/{repo_owner}/{repo_name}/tree/main/", timeout=_TIMEOUT):
                ref = "main"
        except HTTPError as e:
            if e.code == 404:
                ref = "master"
            else:
                raise
        except (URLError, OSError) as e:
            # No internet connection: a cached copy of either branch is the last resort
            for possible_ref in ("main", "master"):
                if os.path.exists(f"{get_dir()}/{repo_owner}_{repo_name}_{possible_ref}"):
                    ref = possible_ref
                    break
            if ref is None:
                raise RuntimeError("It looks like there is no internet connection and the "
                                   f"repo could not be found in the cache ({get_dir()})") from e
    return repo_owner, repo_name, ref


def _read_url(url) -> str:
    with urlopen(url, timeout=_TIMEOUT) as r:
        return r.read().decode(r.headers.get_content_charset("utf-8"))


def _validate_not_a_forked_repo(repo_owner: str, repo_name: str, ref: str) -> None:
    """A ref must be a branch, tag or commit of the repo itself: a fork's commit could otherwise be served
    under the original's name. Uses the GitHub API (``GITHUB_TOKEN`` if set)."""
    headers = {"Accept": "application/vnd.github.v3+json"}
    token = os.environ.get(ENV_GITHUB_TOKEN)
    if token is not None:
        headers["Authorization"] = f"token {token}"
    for url_prefix in (f"https://api.github.com/repos/{repo_owner}/{repo_name}/branches",
                       f"https://api.github.com/repos/{repo_owner}/{repo_name}/tags"):
        page = 0
        while True:
            page += 1
            url = f"{url_prefix}?per_page=100&page={page}"
            try:
                response = json.loads(_read_url(Request(url, headers=headers)))
            except HTTPError:
                headers.pop("Authorization", None)  # retry without a token that may lack permissions
                response = json.loads(_read_url(Request(url, headers=headers)))
            if not response:
                break
            for br in response:
                if br["name"] == ref or br["commit"]["sha"].startswith(ref):
                    return
    raise ValueError(f"Cannot find {ref} in https://github.com/{repo_owner}/{repo_name}. "
                     "If it's a commit from a forked repo, please call hub.load() with forked repo directly.")


def _check_repo_is_trusted(repo_owner: str, repo_name: str, owner_name_branch: str, trust_repo) -> None:
    """PyTorch's rule: trusted = listed in ``get_dir()/trusted_list``, already downloaded before the list
    existed, or owned by PyTorch's organisations. ``trust_repo=False`` always asks; ``"check"`` asks when
    not trusted; ``True`` trusts. Whatever is trusted is added to the list."""
    hub_dir = get_dir()
    filepath = os.path.join(hub_dir, "trusted_list")
    if not os.path.exists(filepath):
        Path(filepath).touch()
    with open(filepath) as file:
        trusted_repos = tuple(line.strip() for line in file)
    # a repo downloaded before the trust mechanism existed counts as trusted
    trusted_repos_legacy = next(os.walk(hub_dir))[1]
    owner_name = "_".join([repo_owner, repo_name])
    is_trusted = (owner_name in trusted_repos or owner_name_branch in trusted_repos_legacy
                  or repo_owner in _TRUSTED_REPO_OWNERS)

    if (trust_repo is False) or (trust_repo == "check" and not is_trusted):
        response = input(
            f"The repository {owner_name} does not belong to the list of trusted repositories and as such cannot "
            "be downloaded. Do you trust this repository and wish to add it to the trusted list of repositories "
            "(y/N)?")
        if response.lower() in ("y", "yes"):
            if is_trusted:
                print("The repository is already trusted.")
        elif response.lower() in ("n", "no", ""):
            raise Exception("Untrusted repository.")
        else:
            raise ValueError(f"Unrecognized response {response}.")

    if not is_trusted:
        with open(filepath, "a") as file:
            file.write(owner_name + "\n")


def _get_cache_or_reload(github: str, force_reload: bool, trust_repo, verbose: bool = True,
                         skip_validation: bool = False) -> str:
    """The folder ``get_dir()/owner_repo_ref`` holding the repository, downloaded and unzipped if needed."""
    hub_dir = get_dir()
    os.makedirs(hub_dir, exist_ok=True)
    repo_owner, repo_name, ref = _parse_repo_info(github)
    # a branch name may hold "/", which would read as a folder
    normalized_br = ref.replace("/", "_")
    owner_name_branch = "_".join([repo_owner, repo_name, normalized_br])
    repo_dir = os.path.join(hub_dir, owner_name_branch)
    _check_repo_is_trusted(repo_owner, repo_name, owner_name_branch, trust_repo=trust_repo)

    use_cache = (not force_reload) and os.path.exists(repo_dir)
    if use_cache:
        if verbose:
            sys.stderr.write(f"Using cache found in {repo_dir}\n")
        return repo_dir

    url = _git_archive_link(repo_owner, repo_name, ref)
    try:
        if not skip_validation:
            _validate_not_a_forked_repo(repo_owner, repo_name, ref)
        cached_file = os.path.join(hub_dir, normalized_br + ".zip")
        _remove_if_exists(cached_file)
        try:
            sys.stdout.write(f'Downloading: "{url}" to {cached_file}\n')
            download_url_to_file(url, cached_file, progress=False)
        except HTTPError as err:
            if err.code != 300:
                raise
            # 300 Multiple Choices: the ref is both a tag and a branch; like git, take the branch
            warnings.warn(
                f"The ref {ref} is ambiguous. Perhaps it is both a tag and a branch in the repo? "
                "Torchhub will now assume that it's a branch. "
                "You can disambiguate tags and branches by explicitly passing refs/heads/branch_name or "
                "refs/tags/tag_name as the ref. That might require using skip_validation=True.", stacklevel=2)
            url = _git_archive_link(repo_owner, repo_name, ref=f"refs/heads/{ref}")
            download_url_to_file(url, cached_file, progress=False)
    except OSError as error:
        if _is_unreachable(error):
            raise _offline_repo_error(url, repo_dir, error) from error
        raise

    with zipfile.ZipFile(cached_file) as cached_zipfile:
        extracted_repo_name = cached_zipfile.infolist()[0].filename
        extracted_repo = os.path.join(hub_dir, extracted_repo_name)
        _remove_if_exists(extracted_repo)
        _safe_extract_zip(cached_zipfile, hub_dir)
    _remove_if_exists(cached_file)
    _remove_if_exists(repo_dir)
    shutil.move(extracted_repo, repo_dir)  # GitHub names the folder owner-repo-<sha>: rename it
    return repo_dir


def _hubconf(repo_dir: str):
    with _add_to_sys_path(repo_dir):
        return _import_module(MODULE_HUBCONF, os.path.join(repo_dir, MODULE_HUBCONF))


def list(github: str, force_reload: bool = False, skip_validation: bool = False, trust_repo="check",
         verbose: bool = True) -> builtins.list[str]:
    """Names of the entry points in ``github``'s hubconf.py (``"owner/repo[:ref]"``): its public callables.

    Args:
        github (str): ``repo_owner/repo_name[:ref]``; without a ref, ``main`` if it exists, else ``master``.
        force_reload (bool): download afresh even if cached. Default: False.
        skip_validation (bool): skip checking that the ref belongs to the repo (not a fork). Default: False.
        trust_repo (bool, str or None): ``False`` asks, ``True`` trusts, ``"check"`` asks unless already
            trusted. Default: ``"check"``.
        verbose (bool): say when the cache is used. Default: True.
    """
    repo_dir = _get_cache_or_reload(github, force_reload, trust_repo, verbose=verbose,
                                    skip_validation=skip_validation)
    hub_module = _hubconf(repo_dir)
    # names starting with '_' are the hubconf's private helpers
    return [f for f in dir(hub_module) if callable(getattr(hub_module, f)) and not f.startswith("_")]


def help(github: str, model: str, force_reload: bool = False, skip_validation: bool = False,
         trust_repo="check") -> str | None:
    """The docstring of entry point ``model`` in ``github``'s hubconf.py (arguments as ``list``)."""
    repo_dir = _get_cache_or_reload(github, force_reload, trust_repo, verbose=True, skip_validation=skip_validation)
    entry = _load_entry_from_hubconf(_hubconf(repo_dir), model)
    return entry.__doc__


def load(repo_or_dir: str, model: str, *args: Any, source: str = "github", trust_repo="check",
         force_reload: bool = False, verbose: bool = True, skip_validation: bool = False, **kwargs: Any):
    """Call entry point ``model`` of a repository's ``hubconf.py`` with ``*args, **kwargs``.

    Args:
        repo_or_dir (str): ``"owner/repo[:ref]"`` with ``source="github"`` (downloaded and cached in
            ``get_dir()``), or a folder holding ``hubconf.py`` with ``source="local"`` (offline).
        model (str): the entry point's name.
        source (str): ``"github"`` or ``"local"``. Default: ``"github"``.
        trust_repo, force_reload, skip_validation, verbose: as in ``list`` (GitHub only).

    Example::

        >>> model = edutorch.hub.load("path/to/repo", "lenet", source="local", pretrained=True)
    """
    source = source.lower()
    if source not in ("github", "local"):
        raise ValueError(f'Unknown source: "{source}". Allowed values: "github" | "local".')
    if source == "github":
        repo_or_dir = _get_cache_or_reload(repo_or_dir, force_reload, trust_repo, verbose=verbose,
                                           skip_validation=skip_validation)
    return _load_local(repo_or_dir, model, *args, **kwargs)


def _load_local(hubconf_dir: str, model: str, *args: Any, **kwargs: Any):
    """Import ``hubconf_dir/hubconf.py`` (its folder first on ``sys.path``) and call ``model``."""
    with _add_to_sys_path(hubconf_dir):
        hub_module = _import_module(MODULE_HUBCONF, os.path.join(hubconf_dir, MODULE_HUBCONF))
        entry = _load_entry_from_hubconf(hub_module, model)
        model = entry(*args, **kwargs)
    return model
