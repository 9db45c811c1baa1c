"""edutorch.hub: cache folders, downloads (atomic, hash-checked) from a local HTTP server, offline errors,
checkpoints written by real PyTorch, and hubconf.py repositories (local, and GitHub's code path served
from the cache or from a local server).

Every server here listens on 127.0.0.1 only and is shut down by its fixture.
"""
from __future__ import annotations

import functools
import hashlib
import http.server
import os
import socket
import threading
import zipfile
from pathlib import Path
from urllib.error import URLError

import numpy as np
import pytest

import edutorch
from edutorch import hub

HUBCONF = '''
"""A tiny hub repository."""
dependencies = ["numpy"]

import edutorch
from helper import WIDTH  # hubconf may import modules of its own repository


def tiny(out_features=2, *, bias=True):
    """A Linear(WIDTH, out_features) layer: the docstring hub.help shows."""
    return edutorch.nn.Linear(WIDTH, out_features, bias=bias)


def _private():
    return "not an entry point"


NOT_CALLABLE = 3
'''


@pytest.fixture(autouse=True)
def _forget_repo_modules():
    """A hubconf's own modules stay in sys.modules after loading (as in torch): forget them between tests."""
    yield
    __import__("sys").modules.pop("helper", None)


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))
    monkeypatch.setattr(hub, "_hub_dir", None)
    return tmp_path / "torch_home"


@pytest.fixture
def server(tmp_path):
    """An HTTP server on 127.0.0.1 serving tmp_path/www; yields (folder, base url)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _make_repo(folder: Path, hubconf: str = HUBCONF) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hubconf.py").write_text(hubconf)
    (folder / "helper.py").write_text("WIDTH = 3\n")
    return folder


# ---------------------------------------------------------------------------------------- cache folders
def test_get_dir_honours_torch_home_xdg_and_set_dir(tmp_path, monkeypatch, torch):
    monkeypatch.setattr(hub, "_hub_dir", None)
    monkeypatch.delenv("TORCH_HOME", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert hub.get_dir() == str(tmp_path / "xdg" / "torch" / "hub") == torch.hub.get_dir()
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "th"))
    assert hub.get_dir() == str(tmp_path / "th" / "hub") == torch.hub.get_dir()
    hub.set_dir(tmp_path / "elsewhere")
    assert hub.get_dir() == str(tmp_path / "elsewhere")


def test_default_dir_is_torch_s(monkeypatch):
    monkeypatch.setattr(hub, "_hub_dir", None)
    for name in ("TORCH_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    assert hub.get_dir() == os.path.expanduser("~/.cache/torch/hub")


# ---------------------------------------------------------------------------------------- downloads
def test_download_url_to_file_checks_the_hash_and_is_atomic(server, tmp_path):
    root, url = server
    payload = np.arange(100_000, dtype=np.int64).tobytes()
    (root / "blob.bin").write_bytes(payload)
    digest = hashlib.sha256(payload).hexdigest()
    dst = tmp_path / "out" / "blob.bin"
    dst.parent.mkdir()
    hub.download_url_to_file(f"{url}/blob.bin", str(dst), hash_prefix=digest[:10], progress=False)
    assert dst.read_bytes() == payload

    dst.write_bytes(b"a good file from before")
    with pytest.raises(RuntimeError, match=f'invalid hash value \\(expected "0000", got "{digest}"\\)'):
        hub.download_url_to_file(f"{url}/blob.bin", str(dst), hash_prefix="0000", progress=False)
    assert dst.read_bytes() == b"a good file from before"  # never replaced by a bad download
    assert os.listdir(dst.parent) == ["blob.bin"]  # and no .partial file left behind


def test_download_shows_a_progress_bar(server, tmp_path, capsys):
    root, url = server
    (root / "blob.bin").write_bytes(b"x" * 300_000)
    hub.download_url_to_file(f"{url}/blob.bin", str(tmp_path / "blob.bin"), progress=True)
    assert "293k/293k" in capsys.readouterr().err.replace("K", "k")  # tqdm, 1024-byte units


def test_load_state_dict_from_url_downloads_once_checks_hash_and_loads(server, torch_home, torch, capsys):
    root, url = server
    state = {"weight": torch.arange(6, dtype=torch.float32).reshape(2, 3), "steps": torch.tensor(7)}
    torch.save(state, root / "tmp.pth")  # written by real PyTorch
    name = f"tiny-{_sha256(root / 'tmp.pth')[:8]}.pth"
    (root / "tmp.pth").rename(root / name)

    loaded = hub.load_state_dict_from_url(f"{url}/{name}", check_hash=True, progress=False)
    cached = torch_home / "hub" / "checkpoints" / name
    assert cached.exists() and f'Downloading: "{url}/{name}" to {cached}' in capsys.readouterr().out
    np.testing.assert_array_equal(loaded["weight"].numpy(), state["weight"].numpy())
    assert loaded["steps"].dtype == edutorch.int64 and loaded["steps"].item() == 7

    (root / name).unlink()  # the server no longer has it: the cached copy is used, no request made
    again = hub.load_state_dict_from_url(f"{url}/{name}", check_hash=True)
    np.testing.assert_array_equal(again["weight"].numpy(), state["weight"].numpy())
    assert "Downloading" not in capsys.readouterr().out


def test_load_state_dict_from_url_rejects_a_bad_hash(server, torch_home):
    root, url = server
    edutorch.save({"w": edutorch.ones(2)}, root / "model-deadbeef.pth")
    with pytest.raises(RuntimeError, match='invalid hash value \\(expected "deadbeef"'):
        hub.load_state_dict_from_url(f"{url}/model-deadbeef.pth", check_hash=True, progress=False)
    assert os.listdir(torch_home / "hub" / "checkpoints") == []
    # without check_hash the name is just a name
    assert hub.load_state_dict_from_url(f"{url}/model-deadbeef.pth", progress=False)["w"].tolist() == [1.0, 1.0]


def test_load_state_dict_from_url_file_name_and_model_dir(server, tmp_path):
    root, url = server
    edutorch.save({"w": edutorch.zeros(1)}, root / "a.pth")
    out = hub.load_state_dict_from_url(f"{url}/a.pth", model_dir=str(tmp_path / "md"), file_name="b.pth",
                                       progress=False)
    assert (tmp_path / "md" / "b.pth").exists() and out["w"].tolist() == [0.0]


def test_unreachable_url_fails_fast_naming_url_file_and_folder(torch_home):
    url = f"http://127.0.0.1:{_closed_port()}/models/resnet18-f37072fd.pth"
    with pytest.raises(RuntimeError) as info:
        hub.load_state_dict_from_url(url, check_hash=True, progress=False)
    message = str(info.value)
    folder = str(torch_home / "hub" / "checkpoints")
    assert url in message and "resnet18-f37072fd.pth" in message and folder in message
    assert "Connection refused" in message
    assert os.listdir(folder) == []


def test_http_errors_are_not_called_offline(server, torch_home):
    _, url = server
    from urllib.error import HTTPError

    with pytest.raises(HTTPError):
        hub.load_state_dict_from_url(f"{url}/missing-0000.pth", progress=False)


# ---------------------------------------------------------------------------------------- hubconf repos
def test_load_local_calls_the_entry_point_with_args_and_kwargs(tmp_path):
    repo = _make_repo(tmp_path / "repo")
    layer = hub.load(str(repo), "tiny", 4, source="local", bias=False)
    assert isinstance(layer, edutorch.nn.Linear) and tuple(layer.weight.shape) == (4, 3) and layer.bias is None
    assert str(repo) not in __import__("sys").path  # the repo folder was on sys.path only while loading


def test_load_local_errors_as_torch(tmp_path):
    repo = _make_repo(tmp_path / "repo")
    with pytest.raises(RuntimeError, match="Cannot find callable nope in hubconf"):
        hub.load(str(repo), "nope", source="local")
    with pytest.raises(RuntimeError, match="Cannot find callable NOT_CALLABLE in hubconf"):
        hub.load(str(repo), "NOT_CALLABLE", source="local")
    with pytest.raises(ValueError, match='Unknown source: "ftp". Allowed values: "github" | "local".'):
        hub.load(str(repo), "tiny", source="ftp")
    with pytest.raises(ValueError, match="model should be a string of function name"):
        hub.load(str(repo), 3, source="local")


def test_missing_dependencies_raise_runtime_error_as_torch(tmp_path, torch):
    hubconf = HUBCONF.replace('["numpy"]', '["numpy", "surely_not_installed_pkg", "nor_this_one"]')
    repo = _make_repo(tmp_path / "repo", hubconf)
    with pytest.raises(RuntimeError) as ours:
        hub.load(str(repo), "tiny", source="local")
    with pytest.raises(RuntimeError) as theirs:
        torch.hub.load(str(repo), "tiny", source="local")
    assert str(ours.value) == str(theirs.value) == "Missing dependencies: surely_not_installed_pkg, nor_this_one"


def test_github_source_from_cache_list_help_load(torch_home):
    _make_repo(torch_home / "hub" / "someone_tinyrepo_main")  # as a previous download left it
    assert hub.list("someone/tinyrepo:main", trust_repo=True) == ["tiny"]
    assert hub.help("someone/tinyrepo:main", "tiny", trust_repo=True).startswith("A Linear(WIDTH, out_features)")
    layer = hub.load("someone/tinyrepo:main", "tiny", 5, trust_repo=True)
    assert tuple(layer.weight.shape) == (5, 3)
    # a repo already in the cache counts as trusted (torch's rule from before trust_repo existed): not listed
    assert (torch_home / "hub" / "trusted_list").read_text() == ""


def test_untrusted_repo_asks_and_no_refuses(torch_home, monkeypatch):
    (torch_home / "hub").mkdir(parents=True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    with pytest.raises(Exception, match="Untrusted repository."):
        hub.load("someone/otherrepo:main", "tiny", trust_repo="check")
    monkeypatch.setattr("builtins.input", lambda prompt: "maybe")
    with pytest.raises(ValueError, match="Unrecognized response maybe."):
        hub.load("someone/otherrepo:main", "tiny", trust_repo=False)


def test_github_offline_fails_with_a_clear_message(torch_home, monkeypatch):
    def no_network(*args, **kwargs):
        raise URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(hub, "urlopen", no_network)
    with pytest.raises(RuntimeError, match="no internet connection and the repo could not be found in the cache"):
        hub.load("someone/tinyrepo", "tiny", trust_repo=True)  # no ref: main or master is asked online
    with pytest.raises(RuntimeError) as info:
        hub.load("someone/tinyrepo:v1", "tiny", trust_repo=True)
    message = str(info.value)
    assert "https://github.com/someone/tinyrepo/zipball/v1" in message and "source='local'" in message
    assert str(torch_home / "hub" / "someone_tinyrepo_v1") in message


def test_github_archive_download_and_extraction(server, torch_home, monkeypatch):
    root, url = server
    with zipfile.ZipFile(root / "archive.zip", "w") as zf:  # GitHub's layout: one top folder owner-repo-sha
        zf.writestr("someone-tinyrepo-abc123/", "")
        zf.writestr("someone-tinyrepo-abc123/hubconf.py", HUBCONF)
        zf.writestr("someone-tinyrepo-abc123/helper.py", "WIDTH = 6\n")
    monkeypatch.setattr(hub, "_git_archive_link", lambda owner, name, ref: f"{url}/archive.zip")
    layer = hub.load("someone/tinyrepo:v2", "tiny", trust_repo=True, skip_validation=True)
    assert tuple(layer.weight.shape) == (2, 6)
    assert sorted(os.listdir(torch_home / "hub")) == ["someone_tinyrepo_v2", "trusted_list"]
    assert (torch_home / "hub" / "trusted_list").read_text().splitlines() == ["someone_tinyrepo"]


def test_safe_extract_refuses_path_traversal(tmp_path):
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as zf:
        zf.writestr("../escaped.txt", "no")
    with zipfile.ZipFile(tmp_path / "evil.zip") as zf, pytest.raises(ValueError, match="directory traversal"):
        hub._safe_extract_zip(zf, str(tmp_path / "out"))
    assert not (tmp_path / "escaped.txt").exists()
