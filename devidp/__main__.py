"""`python -m devidp`: serve the development identity provider (the stand-in for Sweden Connect).

    python -m devidp --host 127.0.0.1 --port 8091 [--base-url http://127.0.0.1:8091]
                     [--key-dir var/devidp] [--stop-with PID]

The portal's SAML settings then point at {base-url}/idp as the identity provider's entity id,
{base-url}/sso as its SingleSignOnService and the certificate in {key-dir}/idp-cert.pem (or read
it all from {base-url}/metadata).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from devidp import keys
from devidp.server import make_server


def _stop_with(pid: int, server: Any) -> None:
    """Shut the server down once process `pid` is gone (checked every second)."""

    def watch() -> None:
        while True:
            time.sleep(1)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                server.shutdown()
                return
            except PermissionError:  # it exists, owned by someone else
                continue

    threading.Thread(target=watch, daemon=True).start()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devidp",
        description="A SAML identity provider for development and tests, standing in for "
        "Sweden Connect. Never expose it: anyone who reaches it can log in as anyone it knows.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8091, help="port to listen on (0: any free)")
    parser.add_argument(
        "--base-url",
        help="the address the browser and the portal reach it at (default http://HOST:PORT)",
    )
    parser.add_argument(
        "--key-dir",
        type=Path,
        default=None,
        help=f"where its key and certificate are kept, made if missing (default {keys.DEFAULT_KEY_DIR})",
    )
    parser.add_argument(
        "--stop-with",
        type=int,
        default=None,
        metavar="PID",
        help="stop when this process has ended (`make run` passes its own: the identity "
        "provider stops with the portal)",
    )
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    server = make_server(args.host, args.port, base_url=args.base_url, key_dir=args.key_dir)
    _, cert_path = keys.idp_key_pair(args.key_dir)
    print(
        f"Testlegitimering (endast utveckling) at {server.base_url}\n"
        f"  entity id:   {server.base_url}/idp\n"
        f"  SSO:         {server.base_url}/sso (HTTP-Redirect and HTTP-POST)\n"
        f"  metadata:    {server.base_url}/metadata\n"
        f"  certificate: {cert_path}",
        flush=True,
    )
    if args.stop_with:
        _stop_with(args.stop_with, server)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
