"""Start and stop the mirror's two processes: rustac's STAC API server and the proxy."""

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import certifi

from mirror import CATALOG_DIR, PACKAGE_DIR, REPO_DIR, STAC_ROOT, paths, snapshot

STARTUP_TIMEOUT_S = 60
DEFAULT_SERVE_PORT = 8765


class MirrorError(RuntimeError):
    """Something the person running the mirror can fix; the message says what."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def check_port_free(port: int) -> None:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            raise MirrorError(
                f"port {port} on 127.0.0.1 is already in use (another mirror? `python -m mirror env` "
                f"tells). Stop that process or pick another port with --port."
            ) from None


def find_program(name: str, env_var: str, candidates: list[Path], hint: str) -> str:
    explicit = os.environ.get(env_var)
    if explicit:
        if not Path(explicit).is_file():
            raise MirrorError(f"{env_var}={explicit} does not exist.")
        return explicit
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise MirrorError(f"`{name}` was not found. {hint} (or set {env_var} to its path).")


def mitmdump_program() -> str:
    return find_program(
        "mitmdump",
        "MIRROR_MITMDUMP",
        [REPO_DIR / ".venv-proxy" / "bin" / "mitmdump"],
        "Run `make venv`: it installs mirror/requirements-proxy.txt into .venv-proxy",
    )


def rustac_program() -> str:
    return find_program(
        "rustac",
        "MIRROR_RUSTAC",
        [Path(sys.executable).parent / "rustac"],
        "Run `make venv`: it installs requirements-test.txt (rustac) into .venv",
    )


def client_environment(proxy_port: int, proj_dir: Path | None = None) -> dict[str, str]:
    """What a process needs to reach the real URLs through the mirror, and nothing else.

    No GDAL or PROJ setting beyond the CA bundles: a live reader does not have one, so a tutorial
    that needs one must set it itself (PROJ's network is off unless the tutorial turns it on).
    ``PROJ_CURL_CA_BUNDLE`` is for the PROJ inside rasterio's GDAL, which otherwise trusts only
    the public roots (mirror/LIVE-API.md F-PROJ-CA); pyproj ignores it (F-PROJ-CA). ``proj_dir``
    becomes PROJ's user-writable directory, so that grids and grid chunks fetched from the
    mirror's synthetic CDN never land in the user's own (~/.local/share/proj), where a live run
    would later take them for NRCan's.
    """
    proxy = f"http://127.0.0.1:{proxy_port}"
    bundle = str(paths.ca_bundle())
    return {
        "HTTPS_PROXY": proxy,
        "https_proxy": proxy,
        "HTTP_PROXY": proxy,
        "http_proxy": proxy,
        "NO_PROXY": "localhost,127.0.0.1",
        "no_proxy": "localhost,127.0.0.1",
        "REQUESTS_CA_BUNDLE": bundle,
        "SSL_CERT_FILE": bundle,
        "CURL_CA_BUNDLE": bundle,
        "GDAL_CURL_CA_BUNDLE": bundle,
        "PROJ_CURL_CA_BUNDLE": bundle,
        **({"PROJ_USER_WRITABLE_DIRECTORY": str(proj_dir)} if proj_dir else {}),
        "MIRROR_RUNNING": "1",
    }


class Mirror:
    """The running mirror: ``with Mirror(...) as mirror: mirror.env``."""

    def __init__(self, port: int = 0, log: Path | None = None, faults: str = ""):
        self.port = port
        self.log = log
        self.faults = faults
        self.processes: list[subprocess.Popen] = []
        self.env: dict[str, str] = {}
        self.proj_dir: Path | None = None

    def __enter__(self):
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def _start(self):
        cache = paths.cache_dir()
        run_dir = cache / "run"
        run_dir.mkdir(parents=True, exist_ok=True)
        if not paths.assets_dir().is_dir():
            raise MirrorError(
                f"the mirror's assets are missing from {paths.assets_dir()}: run `python -m mirror build` first."
            )
        if not paths.cdn_dir().is_dir():
            raise MirrorError(
                f"the mirror's geoid grids are missing from {paths.cdn_dir()}: run `python -m mirror build` first."
            )
        if self.port:
            check_port_free(self.port)
        else:
            self.port = free_port()
        stac_port = free_port()
        self._spawn(
            "rustac",
            [
                rustac_program(),
                "serve",
                "--addr",
                STAC_ROOT.rstrip("/"),
                "--bind",
                f"127.0.0.1:{stac_port}",
                *sorted(map(str, (CATALOG_DIR / "collections").glob("*.json"))),
                *sorted(map(str, (CATALOG_DIR / "items").glob("*.json"))),
            ],
            run_dir / "rustac.log",
        )
        self._wait(
            lambda: _http_ok(f"http://127.0.0.1:{stac_port}/"), "rustac's STAC API server", run_dir / "rustac.log"
        )
        confdir = paths.proxy_confdir()
        confdir.mkdir(parents=True, exist_ok=True)
        command = [
            mitmdump_program(),
            "--quiet",
            "--listen-host",
            "127.0.0.1",
            "--listen-port",
            str(self.port),
            "--set",
            f"confdir={confdir}",
            "--set",
            "connection_strategy=lazy",
            "--set",
            "termlog_verbosity=warn",
            "-s",
            str(PACKAGE_DIR / "proxy" / "addon.py"),
            "--set",
            f"mirror_stac_upstream=127.0.0.1:{stac_port}",
            "--set",
            f"mirror_assets={paths.assets_dir()}",
            "--set",
            f"mirror_cdn={paths.cdn_dir()}",
            "--set",
            f"mirror_collection_order={','.join(collection_order())}",
        ]
        if self.log:
            self.log.parent.mkdir(parents=True, exist_ok=True)
            self.log.touch()
            command += ["--set", f"mirror_log={self.log.resolve()}"]
        if self.faults:
            command += ["--set", f"mirror_faults={self.faults}"]
        proxy_log = run_dir / f"proxy-{self.port}.log"
        self._spawn("mitmdump", command, proxy_log)
        ca = confdir / "mitmproxy-ca-cert.pem"
        self._wait(lambda: ca.is_file() and _port_open(self.port), "the proxy (mitmdump)", proxy_log)
        write_ca_bundle(ca)
        # A fresh PROJ user-writable directory per run, as a new machine has: removed on stop.
        self.proj_dir = run_dir / f"proj-{self.port}"
        shutil.rmtree(self.proj_dir, ignore_errors=True)
        self.proj_dir.mkdir()
        self.env = client_environment(self.port, self.proj_dir)
        self._wait(lambda: _http_ok(STAC_ROOT, self.env), "the STAC API through the proxy", proxy_log)

    def _spawn(self, name: str, command: list[str], log_path: Path):
        log = open(log_path, "w")
        try:
            process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=paths.cache_dir()
            )
        except OSError as error:
            raise MirrorError(f"could not start {name} ({command[0]}): {error}") from None
        process.mirror_name = name
        process.mirror_log = log_path
        self.processes.append(process)

    def _wait(self, ready, what: str, log_path: Path):
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    raise MirrorError(
                        f"{process.mirror_name} exited with status {process.returncode} "
                        f"while starting. Its output:\n{_tail(process.mirror_log)}"
                    )
            if ready():
                return
            time.sleep(0.2)
        raise MirrorError(
            f"{what} did not answer within {STARTUP_TIMEOUT_S} s. Its log ({log_path}):\n{_tail(log_path)}"
        )

    def stop(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes = []
        if self.proj_dir is not None:
            shutil.rmtree(self.proj_dir, ignore_errors=True)
            self.proj_dir = None


def collection_order() -> list[str]:
    return snapshot.read(CATALOG_DIR).collection_ids()


def write_ca_bundle(mirror_ca: Path) -> None:
    """The public roots plus the mirror's CA, so the real hosts verify against the mirror."""
    bundle = paths.ca_bundle()
    # Written aside then moved: another mirror starting at the same time must never read half a file.
    partial = bundle.with_name(f"{bundle.name}.{os.getpid()}")
    partial.write_text(Path(certifi.where()).read_text() + "\n# The offline mirror's CA\n" + mirror_ca.read_text())
    os.replace(partial, bundle)


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _http_ok(url: str, env: dict[str, str] | None = None) -> bool:
    handlers = []
    if env:
        context = ssl.create_default_context(cafile=env["REQUESTS_CA_BUNDLE"])
        handlers = [
            urllib.request.ProxyHandler({"https": env["HTTPS_PROXY"]}),
            urllib.request.HTTPSHandler(context=context),
        ]
    else:
        handlers = [urllib.request.ProxyHandler({})]
    request = urllib.request.Request(url, headers={"X-Mirror-Probe": "1"})
    try:
        with urllib.request.build_opener(*handlers).open(request, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) or "(empty)"
    except OSError:
        return "(no log)"


@contextmanager
def terminate_on_sigterm():
    """Turn SIGTERM into SystemExit so the mirror's children are stopped on the way out."""

    def handler(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def write_state(mirror: Mirror) -> None:
    paths.state_file().write_text(json.dumps({"pid": os.getpid(), "port": mirror.port, "env": mirror.env}))


def read_running_env() -> dict[str, str]:
    state_path = paths.state_file()
    if not state_path.is_file():
        raise MirrorError("no mirror is running: start one with `python -m mirror serve`.")
    state = json.loads(state_path.read_text())
    if not _pid_alive(state["pid"]) or not _port_open(state["port"]):
        raise MirrorError(
            f"the mirror recorded in {state_path} (pid {state['pid']}, port {state['port']}) "
            "is no longer running: start one with `python -m mirror serve`."
        )
    return state["env"]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
