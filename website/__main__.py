"""python -m website [--live] [--out DIR] [--reuse]: execute the tutorials and build the site."""

import argparse
import os
import sys
from pathlib import Path

from website.build import LIVE_EXECUTED, OFFLINE_EXECUTED, ROOT, SiteError, build


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m website",
        description="Execute every tutorial once and build the bilingual site (MkDocs Material): "
        "English in OUT, French in OUT/fr. Offline, run it inside the mirror (`python -m mirror run -- "
        "python -m website`, as `make site` does): every page then says the terrain is synthetic. "
        "Against the live API, pass --live (`make site LIVE=1`, as the published site is built).",
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "_site", help="output folder, emptied first (default _site/)"
    )
    parser.add_argument("--live", action="store_true", help="run the notebooks against the live API: no banner")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help=f"offline only: render the executions in {OFFLINE_EXECUTED.relative_to(ROOT)}/ that match "
        "the committed notebooks (as the test suite leaves them) and execute only the others",
    )
    args = parser.parse_args(argv)

    # The banner must tell the truth: the notebooks ran through the mirror exactly when not --live.
    mirror_running = "MIRROR_RUNNING" in os.environ
    if args.live and mirror_running:
        parser.error(
            "--live inside the offline mirror: the figures would be synthetic but carry no "
            "banner; run it outside `python -m mirror run`"
        )
    if not args.live and not mirror_running:
        parser.error(
            "run it inside the offline mirror (`python -m mirror run -- python -m website`, as "
            "`make site` does), or pass --live to use the live API"
        )
    if args.live and args.reuse:
        parser.error("--reuse is for offline builds: a live build always executes every notebook")
    try:
        build(
            args.out,
            executed=LIVE_EXECUTED if args.live else OFFLINE_EXECUTED,
            against="live" if args.live else "mirror",
            reuse=args.reuse,
            log=lambda message: print(message, file=sys.stderr, flush=True),
        )
    except SiteError as error:
        print(f"site: {error}", file=sys.stderr)
        return 1
    print(f"site: open {args.out / 'index.html'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
