"""Serve the sample web in the foreground: ``python -m crawler.sampleweb [--today YYYY-MM-DD]``."""

from __future__ import annotations

import argparse
import datetime as dt
import threading

from . import SampleWeb


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m crawler.sampleweb", description=__doc__)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--sources", action="store_true", help="print the sources file too")
    return parser.parse_args()


def main() -> None:
    arguments = parse_arguments()
    with SampleWeb(arguments.today, host=arguments.host) as web:
        for name, url in web.sites.items():
            print(f"{name:15} {url}", flush=True)
        if arguments.sources:
            print(web.sources_toml(), flush=True)
        print("Serving; press Ctrl+C to stop.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("Stopped.")


if __name__ == "__main__":
    main()
