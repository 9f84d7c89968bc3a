#!/usr/bin/env python3
"""Open N connections to `admin serve` that each send half a request and stall, then time ten
normal GETs of the page. Usage: admin serve --port 8000 & bench/slow-clients.py 8000 1000"""
import http.client
import socket
import sys
import time

port, n = int(sys.argv[1]), int(sys.argv[2])
slow = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.send(b"GET / HTTP/1.1\r\nHost: ")
    slow.append(s)
times = []
for _ in range(10):
    started = time.time()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/")
    response = conn.getresponse()
    body = response.read()
    times.append(time.time() - started)
    assert response.status == 200 and b"<h1>" in body, response.status
times.sort()
print(f"{n} slow connections: normal GET 200 in max {times[-1] * 1000:.0f} ms, median {times[5] * 1000:.0f} ms")
