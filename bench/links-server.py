#!/usr/bin/env python3
"""Loopback HTTP servers for bench/links.sh: one per address 127.0.0.1 .. 127.0.0.N on PORT,
each answering every GET with 200 after DELAY seconds, counting the most requests it was
answering at once. GET /__stats on any of them prints those peaks as JSON. Pages carry an ETag;
a request that sends it back in If-None-Match gets 304 (after the same delay), counted in the
stats as "not_modified".

usage: links-server.py N PORT DELAY
"""
import http.server
import json
import sys
import threading
import time

count, port, delay = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
lock = threading.Lock()
ETAG = '"uof-1"'
now, peak = {}, {}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        host = self.server.server_address[0]
        if self.path == "/__stats":
            body = json.dumps(peak, sort_keys=True).encode()
        else:
            with lock:
                now[host] = now.get(host, 0) + 1
                peak[host] = max(peak.get(host, 0), now[host])
            time.sleep(delay)
            with lock:
                now[host] -= 1
            if self.headers.get("If-None-Match") == ETAG:
                with lock:
                    peak["not_modified"] = peak.get("not_modified", 0) + 1
                self.send_response(304)
                self.send_header("ETag", ETAG)
                self.end_headers()
                return
            body = b"<!doctype html><title>Use of force data</title>"
        self.send_response(200)
        self.send_header("ETag", ETAG)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # a client closing an idle keep-alive connection is not news
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


servers = [Server((f"127.0.0.{i}", port), Handler) for i in range(1, count + 1)]
for server in servers:
    threading.Thread(target=server.serve_forever, daemon=True).start()
print("ready", flush=True)
threading.Event().wait()
