"""Local stand-ins for the outside services the programme uses: map tiles and the address API."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# A 1×1 grey PNG, served as every tile.
TILE = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b55"
    "0000000a49444154789c63f80f00010101001b9f6b8b0000000049454e44ae426082")


class Stub:
    """A local HTTP server answering with ``answer(path, query) -> (status, content type, body)``;
    ``requests`` records the paths asked."""

    def __init__(self, answer: Callable[[str, dict], tuple[int, str, bytes]]):
        stub = self
        self.requests: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                stub.requests.append(self.path)
                status, content_type, body = answer(parts.path, parse_qs(parts.query))
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def tiles() -> Stub:
    return Stub(lambda path, query: (200, "image/png", TILE))


def address_api(known: dict[str, tuple[float, float, str, str]]) -> Stub:
    """The address API's /search/ for the addresses in ``known`` (→ latitude, longitude,
    city, citycode); anything else is not found."""

    def answer(path: str, query: dict) -> tuple[int, str, bytes]:
        address = query.get("q", [""])[0]
        features = []
        if address in known:
            latitude, longitude, city, citycode = known[address]
            features.append({
                "type": "Feature", "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
                "properties": {"label": address, "score": 0.93, "city": city, "citycode": citycode}})
        body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
        return 200, "application/json", body

    return Stub(answer)
