"""A local SMTP sink (aiosmtpd) that accepts every message and logs one JSON line per recipient.

    python -m loadtest.smtp_sink --host 127.0.0.1 --port 8025 --log var/smtp-sink.jsonl

`make serve-prod` uses it when EMAIL_URL is not set; `make loadtest` counts its log by recipient
(loadtest/figures.py) to prove each email arrived exactly once. Loopback only: it refuses to bind
anywhere else.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from email.parser import BytesHeaderParser, BytesParser
from email.policy import default as default_policy
from pathlib import Path

LOOPBACK_PREFIXES = ("127.", "::1", "localhost")


def sink_rows(
    rcpt_tos: list[str], content: bytes, *, at: float, bodies: bool = False
) -> list[dict]:
    """One row per recipient: who, the subject, the Message-ID, when it arrived (and the text)."""
    if bodies:
        message = BytesParser(policy=default_policy).parsebytes(content)
        part = message.get_body(preferencelist=("plain",))
        body = part.get_content() if part is not None else ""
    else:
        message = BytesHeaderParser(policy=default_policy).parsebytes(content)
    row = {
        "subject": str(message.get("Subject", "") or ""),
        "message_id": str(message.get("Message-ID", "") or ""),
        "at": round(at, 3),
    }
    if bodies:
        row["body"] = body
    return [{"to": rcpt.lower(), **row} for rcpt in rcpt_tos]


class JsonLinesHandler:
    """aiosmtpd handler: append each accepted message to a JSON-lines file, flushed at once."""

    def __init__(self, log_path: Path | None, *, echo: bool = False, bodies: bool = False):
        self.log_path = log_path
        self.echo = echo
        self.bodies = bodies
        self.count = 0
        self._lock = threading.Lock()
        self._file = open(log_path, "a", encoding="utf-8") if log_path else None  # noqa: SIM115

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        rows = sink_rows(
            list(envelope.rcpt_tos),
            envelope.original_content or b"",
            at=time.time(),
            bodies=self.bodies,
        )
        with self._lock:
            for row in rows:
                self.count += 1
                if self._file:
                    self._file.write(json.dumps(row) + "\n")
                if self.echo:
                    print(f"[smtp-sink] #{self.count} to {row['to']}: {row['subject']}", flush=True)
            if self._file:
                self._file.flush()
        return "250 Message accepted for delivery"

    def close(self):
        if self._file:
            self._file.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--log", type=Path, default=None, help="JSON-lines file to append to")
    parser.add_argument("--echo", action="store_true", help="print a line per message")
    parser.add_argument("--bodies", action="store_true", help="log the text body too")
    args = parser.parse_args(argv)
    if not args.host.startswith(LOOPBACK_PREFIXES):
        parser.error("the sink listens on loopback only (127.0.0.1)")
    from aiosmtpd.controller import Controller

    if args.log:
        args.log.parent.mkdir(parents=True, exist_ok=True)
    handler = JsonLinesHandler(args.log, echo=args.echo, bodies=args.bodies)
    controller = Controller(handler, hostname=args.host, port=args.port)
    controller.start()
    print(f"[smtp-sink] listening on {args.host}:{args.port}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        controller.stop()
        handler.close()
        print(f"[smtp-sink] stopped after {handler.count} messages", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
