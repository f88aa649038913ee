"""A tiny loopback HTTP server serving a JWKS, for the async tests (127.0.0.1 only)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class JwksServer:
    """Serves ``/jwks`` (the current document), ``/slow`` (after a delay) and 404 elsewhere."""

    def __init__(self, jwks: str, delay: float = 0.5) -> None:
        self.jwks = jwks
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                outer.hits += 1
                if self.path == "/slow":
                    time.sleep(delay)
                if self.path in ("/jwks", "/slow"):
                    body = outer.jwks.encode()
                    self.send_response(200)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    try:
                        self.wfile.write(body)
                    except OSError:  # the client went away (cancelled or exited)
                        pass
                else:
                    self.send_response(404)
                    self.send_header("content-length", "0")
                    self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str = "/jwks") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> "JwksServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


if __name__ == "__main__":
    import sys

    with JwksServer(sys.argv[1] if len(sys.argv) > 1 else '{"keys":[]}') as s:
        print(s.port, flush=True)
        sys.stdin.read()
