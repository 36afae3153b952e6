"""python -m mirror {build,run,serve,env,record,drift}: the offline mirror's command line."""

import argparse
import os
import shlex
import subprocess
import sys
from pathlib import Path

from mirror import build, drift, geoid, paths, record
from mirror.proxy.faults import BadFaultSpec, Faults
from mirror.proxy.faults import __doc__ as FAULTS_HELP
from mirror.server import DEFAULT_SERVE_PORT, Mirror, MirrorError, read_running_env, terminate_on_sigterm, write_state

DESCRIPTION = """\
The offline mirror of the CCMEO STAC API (datacube.services.geo.ca) and the
CanElevation asset bucket (canelevation-dem.s3.ca-central-1.amazonaws.com),
and of PROJ's CDN (cdn.proj.org, synthetic geoid grids). Programs reach the
real URLs through a local TLS-intercepting proxy; every other host answers 502.
Elevations and geoid grids are synthetic; the API shapes are the live ones.
"""


RUN_HELP = """\
Start the mirror, run COMMAND with its environment wired to the mirror (HTTPS_PROXY,
REQUESTS_CA_BUNDLE, GDAL_CURL_CA_BUNDLE, ...), stop the mirror, exit with COMMAND's status.

"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mirror", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)

    build_cmd = commands.add_parser("build", help="generate the assets into the cache (skips work when current)")
    build_cmd.add_argument("--force", action="store_true", help="rebuild even when the cache is current")
    build_cmd.add_argument(
        "--print-key",
        action="store_true",
        help="print the build's cache key (a hash of everything the assets depend on) and exit",
    )

    run_cmd = commands.add_parser(
        "run",
        help="start the mirror, run COMMAND wired to it, stop, exit with its status",
        description=RUN_HELP + FAULTS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run_cmd.add_argument("--log", type=Path, help="append one JSON object per request to this file")
    run_cmd.add_argument("--port", type=int, default=0, help="proxy port on 127.0.0.1 (default: a free one)")
    run_cmd.add_argument(
        "--faults", metavar="SPEC", default="", help="fault mode, e.g. 503=0.1,latency=300ms (see above)"
    )
    run_cmd.add_argument("cmd", nargs=argparse.REMAINDER, metavar="-- COMMAND ...")

    serve_cmd = commands.add_parser("serve", help="run the mirror in the foreground until Ctrl-C")
    serve_cmd.add_argument("--log", type=Path, help="append one JSON object per request to this file")
    serve_cmd.add_argument("--faults", metavar="SPEC", default="", help="fault mode, as for run")
    serve_cmd.add_argument(
        "--port", type=int, default=DEFAULT_SERVE_PORT, help=f"proxy port on 127.0.0.1 (default {DEFAULT_SERVE_PORT})"
    )

    commands.add_parser("env", help="print the export lines for the running mirror (from `serve`)")

    record.add_arguments(
        commands.add_parser(
            "record",
            help="refresh the catalog snapshot from the live API (needs internet)",
            description=record.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
    )
    drift.add_arguments(
        commands.add_parser(
            "drift",
            help="report how the live API differs from the catalog snapshot (needs internet)",
            description=drift.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
    )

    args = parser.parse_args(argv)
    try:
        if args.command == "build" and args.print_key:
            print(build.cache_key(build.plan()))
            return 0
        if args.command == "build":
            build.build(force=args.force, log=_say)
            geoid.build(log=_say, force=args.force)
            return 0
        if args.command == "env":
            for name, value in read_running_env().items():
                print(f"export {name}={shlex.quote(value)}")
            return 0
        if args.command == "record":
            return record.main(args)
        if args.command == "drift":
            return drift.main(args)
        if args.command == "run":
            return run(args.cmd, args.log, args.port, _faults(args.faults))
        if args.command == "serve":
            return serve(args.log, args.port, _faults(args.faults))
    except MirrorError as error:
        _say(f"mirror: {error}")
        return 2
    except KeyboardInterrupt:
        return 130
    return 2


def _faults(spec: str) -> str:
    try:
        return Faults.parse(spec).to_json() if spec else ""
    except BadFaultSpec as error:
        raise MirrorError(f"--faults {spec!r}: {error}") from None


def run(command: list[str], log: Path | None, port: int, faults: str = "") -> int:
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        raise MirrorError(
            "nothing to run: give a command after `--`, e.g. `python -m mirror run -- stac-client search ...`."
        )
    build.build(log=_say)
    geoid.build(log=_say)  # PROJ's CDN: its own key, so that the COGs are not rebuilt for it
    with terminate_on_sigterm(), Mirror(port=port, log=log, faults=faults) as mirror:
        env = {**os.environ, **mirror.env}
        try:
            return subprocess.run(command, env=env).returncode
        except FileNotFoundError:
            raise MirrorError(
                f"command not found: {command[0]}. Is it installed in this environment (try `.venv/bin/...`)?"
            ) from None
        except PermissionError:
            raise MirrorError(f"command is not executable: {command[0]}.") from None


def serve(log: Path | None, port: int, faults: str = "") -> int:
    build.build(log=_say)
    geoid.build(log=_say)  # PROJ's CDN: its own key, so that the COGs are not rebuilt for it
    with terminate_on_sigterm(), Mirror(port=port, log=log, faults=faults) as mirror:
        write_state(mirror)
        _say(f"mirror: answering on 127.0.0.1:{mirror.port} for the STAC API and the asset bucket.")
        _say('mirror: in another shell, `eval "$(python -m mirror env)"` wires it in; Ctrl-C stops it.')
        try:
            for process in mirror.processes:
                process.wait()
            raise MirrorError(f"a mirror process stopped on its own; see the logs in {paths.cache_dir() / 'run'}.")
        finally:
            paths.state_file().unlink(missing_ok=True)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
