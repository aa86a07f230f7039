"""The start-up cache: what a worker process builds from data files at start-up, kept between processes as pickles.

Every Beam worker process builds the same read-only structures from the same files: the gazetteer
(``gazetteer.py``), the actor lexicon (``actors/lexicon.py``), the event pattern lexicon (``events/lexicon.py``)
and the actor phrase matcher's token patterns (``actors/recognizer.py``). The first process builds each one and
writes it to :func:`cache_dir`; the others read it back in a fraction of the time.

A cached object is named by a digest of everything it is built from (:func:`fingerprint`): the content of its
data files, the source of this package (any code change rebuilds every cache) and the versions of the packages it
reads. A stale cache can therefore not be read, only ignored; several code versions may share one folder. A cache
that cannot be read or written is ignored (the object is built as without a cache), and a build that fails (a
data file error) writes nothing, so the error is raised again by the next process.

``DEMARCHE_CACHE_DIR`` names the folder (default: ``$XDG_CACHE_HOME/demarche`` or ``~/.cache/demarche``); an empty
value disables the cache.
"""
from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import logging
import os
import pickle
import tempfile
from typing import Callable, Iterable, Iterator, Optional, TypeVar

T = TypeVar("T")
_LOGGER = logging.getLogger(__name__)

#: Environment variable naming the folder of the start-up cache (empty: no cache).
CACHE_DIR_VARIABLE = "DEMARCHE_CACHE_DIR"
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def cache_dir() -> Optional[str]:
    """Folder of the start-up cache, or None when caching is disabled (``DEMARCHE_CACHE_DIR=""``)."""
    configured = os.environ.get(CACHE_DIR_VARIABLE)
    if configured is not None:
        return configured or None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "demarche")


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Digest of the source of every module of ``transforms.coding`` (read once per process)."""
    digest = hashlib.sha1()
    for folder, dirs, files in os.walk(_PACKAGE_DIR):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, _PACKAGE_DIR).encode())
                with open(path, "rb") as handle:
                    digest.update(hashlib.sha1(handle.read()).digest())
    return digest.hexdigest()


def fingerprint(*, files: Iterable[Optional[str]] = (), parts: Iterable[str] = ()) -> Optional[str]:
    """Digest naming an object built from ``files`` (path and content; None entries are skipped), ``parts``
    (versions, options, digests of other cached objects) and this package's code; None when a file cannot be
    read (the object is then built, which reports the problem, and not cached).
    """
    digest = hashlib.sha1(code_fingerprint().encode())
    for path in files:
        if path is None:
            continue
        try:
            with open(path, "rb") as handle:
                content = handle.read()
        except OSError:
            return None
        digest.update(f"\0file:{os.path.abspath(path)}\0".encode())
        digest.update(hashlib.sha1(content).digest())
    for part in parts:
        digest.update(f"\0part:{part}".encode())
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Create objects that live as long as the process (start-up structures) without the cyclic garbage collector.

    Loading or building one creates hundreds of thousands of containers that all stay alive, and every collection
    the allocations trigger walks all of them again (reading the gazetteer pickle took 0.6 CPU-s with collections,
    0.12 without). At the end of the block the process's objects are moved to the permanent generation
    (``gc.freeze``), so that no later collection walks them either: collections after start-up (the model load,
    the job) cost what they did before these structures existed.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def cache_path(kind: str, key: Optional[str]) -> Optional[str]:
    """Where the object ``kind`` with digest ``key`` is cached; None without a cache folder or a key."""
    folder = cache_dir()
    if folder is None or key is None:
        return None
    return os.path.join(folder, f"{kind}-{key}.pickle")


def read(path: Optional[str], expected: type) -> Optional[object]:
    """The object cached at ``path`` when it is an instance of ``expected``; None when absent or unreadable."""
    if path is None or not os.path.exists(path):
        return None
    try:
        with open(path, "rb") as handle, no_gc():
            cached = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, IndexError, TypeError,
            ValueError, KeyError):
        return None  # a damaged cache (or one of another code version) is rebuilt by the caller
    return cached if isinstance(cached, expected) else None


def write(path: Optional[str], value: object) -> None:
    """Cache ``value`` at ``path`` atomically (concurrent workers never read a partial file); errors are ignored.
    Files of other code versions are left alone (several versions may run side by side on one machine)."""
    if path is None:
        return
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as err:  # a read-only or full disk: the process goes on with what it built
        _LOGGER.info("start-up cache %s not written: %s", path, err)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError) as err:  # an object that cannot be pickled
        _LOGGER.warning("start-up cache %s not written, every process builds it: %s", path, err)


def read_or_build(kind: str, key: Optional[str], build: Callable[[], T], expected: type) -> T:
    """The object ``kind`` with digest ``key`` from the cache, else ``build()`` (then cached).

    kind: File name prefix ("actor-lexicon").
    key: Its :func:`fingerprint`; None builds without the cache.
    build: Builds the object (raises on bad data: nothing is cached then).
    expected: Its type (a cached object of another type is ignored).
    """
    path = cache_path(kind, key)
    cached = read(path, expected)
    if cached is not None:
        return cached  # type: ignore[return-value]
    with no_gc():
        value = build()
    write(path, value)
    return value
