"""python -m site_builder [--live] [--out DIR]: build the rendered site."""

import argparse
import os
import sys
import time
from pathlib import Path

from site_builder.build import ROOT, SiteError, build


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m site_builder",
        description="Execute the tutorials and render them with the guides into a static "
        "bilingual site. Offline, run it inside the mirror (`python -m mirror run -- python "
        "-m site_builder`, as `make site` does); against the live API, pass --live.",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "_site", help="output folder, emptied first (default _site/)")
    parser.add_argument("--live", action="store_true",
                        help="the notebooks reach the live API: no mirror banner (make site LIVE=1)")
    args = parser.parse_args(argv)

    # The banner must say the truth: through the mirror exactly when not --live.
    mirror_running = "MIRROR_RUNNING" in os.environ
    if args.live and mirror_running:
        parser.error("--live inside the offline mirror: the figures would be synthetic but carry "
                     "no banner; run it outside `python -m mirror run`")
    if not args.live and not mirror_running:
        parser.error("run it inside the offline mirror (`python -m mirror run -- python -m "
                     "site_builder`, as `make site` does), or pass --live to use the live API")

    started = time.monotonic()
    try:
        problems = build(args.out, live=args.live)
    except SiteError as error:
        print(f"site: {error}", file=sys.stderr)
        return 1
    if problems:
        print(f"site: built {args.out}, but it fails its checks:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print(f"site: built {args.out} in {time.monotonic() - started:.0f} s; open {args.out / 'index.html'}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
