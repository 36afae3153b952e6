"""Offline mirror of the hosts the tutorials use.

``datacube.services.geo.ca`` (the CCMEO STAC API) is answered by rustac's STAC
API server over the snapshot in ``mirror/catalog``; the asset bucket
``canelevation-dem.s3.ca-central-1.amazonaws.com`` is answered from COGs built
by ``python -m mirror build``. A TLS-intercepting proxy (mitmproxy) sits in
front of them, so notebooks call the real URLs unchanged. PROJ's CDN ``cdn.proj.org`` is answered
S3-style like the bucket, from synthetic geoid grids (``mirror/geoid.py``).
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
CATALOG_DIR = PACKAGE_DIR / "catalog"

STAC_HOST = "datacube.services.geo.ca"
ASSET_HOST = "canelevation-dem.s3.ca-central-1.amazonaws.com"
STAC_ROOT = f"https://{STAC_HOST}/stac/api/"
ASSET_ROOT = f"https://{ASSET_HOST}/"
CDN_HOST = "cdn.proj.org"
CDN_ROOT = f"https://{CDN_HOST}/"


def run_command(*command, log=None, faults: str | None = None) -> list[str]:
    """The command line that runs `command` through the mirror: python -m mirror run [--log] [--faults] -- ...
    (with this interpreter), for the programs that start one (benchmarks, the suite's fault-mode runs)."""
    import sys

    options = [*(["--log", str(log)] if log else []), *(["--faults", faults] if faults else [])]
    return [sys.executable, "-m", "mirror", "run", *options, "--", *map(str, command)]
