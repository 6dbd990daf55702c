"""python -m sqlquarry.testing: run one emulator (Roe AI by default) until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from ._demo import load_demo_dataset


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sqlquarry.testing",
        description="Serve a local emulator of a hosted query API (chDB inside).",
    )
    parser.add_argument(
        "--service", choices=("roe", "slateo", "aifordb"), default="roe",
        help="which API to emulate (default: roe)",
    )  # fmt: skip
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--api-key", default="test-key")
    parser.add_argument("--demo-rows", type=int, default=0, help="load the demo dataset")
    parser.add_argument(
        "--compression", choices=("gzip", "deflate", "br", "zstd", "none"), default="gzip",
        help="Content-Encoding of answers the client accepts it for (default gzip)",
    )  # fmt: skip
    roe = parser.add_argument_group("roe")
    roe.add_argument("--encoding", choices=("native", "string"), default="native")
    roe.add_argument("--submit-response", choices=("object", "string"), default="object")
    slateo = parser.add_argument_group("slateo")
    slateo.add_argument(
        "--run-seconds", type=float, default=0.0,
        help="how long a refresh stays pending, then running",
    )  # fmt: skip
    slateo.add_argument(
        "--query", action="append", default=[], metavar="SQL",
        help="register a saved query (repeatable); its id is printed",
    )  # fmt: skip
    aifordb = parser.add_argument_group("aifordb")
    aifordb.add_argument("--base-path", default="/v1", help='e.g. "/api/v1" (self-hosted)')
    aifordb.add_argument(
        "--rate-limit", type=int, default=None, help="requests per 60 s (default: no limit)"
    )
    aifordb.add_argument(
        "--question", action="append", default=[], metavar="QUESTION=SQL",
        help="a question the emulator answers with SQL (repeatable); with --demo-rows, "
        "the demo questions are registered too",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.query and args.service != "slateo":
        parser.error("--query needs --service slateo")
    if args.question and args.service != "aifordb":
        parser.error("--question needs --service aifordb")
    for q in args.question:
        if "=" not in q:
            parser.error(f"--question takes QUESTION=SQL, got {q!r}")
    return args


def _make_server(args: argparse.Namespace):
    common = {
        "api_key": args.api_key,
        "host": args.host,
        "port": args.port,
        "compression": None if args.compression == "none" else args.compression,
    }
    if args.service == "slateo":
        from ._slateo import SlateoServer

        return SlateoServer(run_seconds=args.run_seconds, **common)
    if args.service == "aifordb":
        from ._aifordb import AIForDatabaseServer

        return AIForDatabaseServer(base_path=args.base_path, rate_limit=args.rate_limit, **common)
    from ._roe import RoeServer

    return RoeServer(
        encoding=args.encoding,
        submit_response=args.submit_response,
        demo_rows=args.demo_rows,
        **common,
    )


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    server = _make_server(args)
    if args.service != "roe" and args.demo_rows > 0:
        load_demo_dataset(server.engine, args.demo_rows)  # RoeServer loads it in start()
    server.start()
    try:
        # Scripts wait for this exact line to learn the port.
        print(f"sqlquarry emulator listening on {server.url}", flush=True)
        for line in _what_a_client_needs(args, server):
            print(line, flush=True)
        # A timed wait lets the main thread run the signal handlers promptly.
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


def _what_a_client_needs(args: argparse.Namespace, server) -> list[str]:
    """Everything a client needs to talk to `server`, as lines to paste in a shell."""
    if args.service == "roe":
        return [
            "A client takes these (any organization id is accepted):",
            f"  export ROE_BASE_URL={server.url} ROE_API_KEY={args.api_key} "
            "ROE_ORGANIZATION_ID=demo",
            "  python -c 'import sqlquarry; print(sqlquarry.RoeClient().query(\"SELECT 1\"))'",
        ]
    if args.service == "slateo":
        lines = [
            "A client takes these:",
            f"  export SLATEO_BASE_URL={server.url} SLATEO_API_KEY={args.api_key}",
        ]
        for sql in args.query:
            lines.append(f"saved query {server.add_query(sql)}: {sql}")
        return lines
    from ._demo import DEMO_QUESTIONS

    questions = dict(q.split("=", 1) for q in args.question)
    if args.demo_rows > 0:
        questions = {**DEMO_QUESTIONS, **questions}
    for question, sql in questions.items():
        server.register_question(question, sql)
    lines = [
        f"API base URL: {server.base_url}",
        "A client takes these; questions run on connection conn_local:",
        f"  export AIFORDATABASE_BASE_URL={server.base_url} AIFORDATABASE_API_KEY={args.api_key}",
        "It answers SQL itself, and these questions (add more with --question 'TEXT=SQL'):",
    ]
    return lines + [f"  {q}" for q in questions] + ([] if questions else ["  (none yet)"])


if __name__ == "__main__":
    sys.exit(main())
