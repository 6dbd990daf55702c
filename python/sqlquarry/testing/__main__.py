"""python -m sqlquarry.testing: run the Roe AI emulator until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from ._roe import RoeServer


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sqlquarry.testing",
        description="Serve a local emulator of the Roe AI database-query API (chDB inside).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--api-key", default="test-key")
    parser.add_argument("--demo-rows", type=int, default=0, help="load the demo dataset")
    parser.add_argument("--encoding", choices=("native", "string"), default="native")
    parser.add_argument("--submit-response", choices=("object", "string"), default="object")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    server = RoeServer(
        api_key=args.api_key,
        host=args.host,
        port=args.port,
        encoding=args.encoding,
        submit_response=args.submit_response,
        demo_rows=args.demo_rows,
    ).start()
    try:
        # Scripts wait for this exact line to learn the port.
        print(f"sqlquarry emulator listening on {server.url}", flush=True)
        # A timed wait lets the main thread run the signal handlers promptly.
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
