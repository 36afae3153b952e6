"""Where the mirror keeps what it generates: one cache folder, nothing outside it."""

import os
import tempfile
from pathlib import Path

from mirror import REPO_DIR


def cache_dir() -> Path:
    return Path(os.environ.get("MIRROR_CACHE") or REPO_DIR / ".mirror-cache").resolve()


def assets_dir() -> Path:
    """Answers for the bucket: ``<assets>/<collection>/<file>``."""
    return cache_dir() / "assets"


def cdn_dir() -> Path:
    """Answers for PROJ's CDN (``cdn.proj.org``): the synthetic geoid grids, ``<cdn>/<file>``."""
    return cache_dir() / "cdn"


def scratch(fallback: Path) -> Path:
    """A new folder for the build's intermediate rasters: in memory when the machine has /dev/shm."""
    shm = Path("/dev/shm")
    return Path(tempfile.mkdtemp(prefix="mirror-scratch-", dir=shm if shm.is_dir() else fallback))


def proxy_confdir() -> Path:
    """mitmproxy's configuration and CA, never the user's ~/.mitmproxy."""
    return cache_dir() / "mitmproxy"


def ca_bundle() -> Path:
    return cache_dir() / "ca-bundle.pem"


def state_file() -> Path:
    return cache_dir() / "run" / "mirror.json"
