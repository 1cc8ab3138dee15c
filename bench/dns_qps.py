#!/usr/bin/env python3
"""Queries per second a DNS server answers: A queries for names read from a
file (one a line), in random order, over UDP, from THREADS threads each with
one query in flight, for SECONDS seconds.  Prints "qps answered noerror
nxdomain other timeouts".  Standard library only (dnsperf is not in Debian).

usage: dns_qps.py HOST PORT NAMES_FILE [SECONDS [THREADS]]
"""
import random
import socket
import struct
import sys
import threading
import time


def query(qid, name):
    # header: id, flags (RD off: an authoritative server), 1 question
    q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode("ascii")
    return q + b"\x00" + struct.pack(">HH", 1, 1)  # type A, class IN


def worker(host, port, names, deadline, counts, lock):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    local = {"answered": 0, "noerror": 0, "nxdomain": 0, "other": 0, "timeouts": 0}
    rnd = random.Random()
    qid = rnd.randrange(65536)
    while time.monotonic() < deadline:
        qid = (qid + 1) & 0xFFFF
        s.sendto(query(qid, rnd.choice(names)), (host, port))
        try:
            while True:
                data, _ = s.recvfrom(4096)
                if len(data) >= 4 and struct.unpack(">H", data[:2])[0] == qid:
                    break
        except socket.timeout:
            local["timeouts"] += 1
            continue
        local["answered"] += 1
        rcode = data[3] & 0x0F
        local["noerror" if rcode == 0 else "nxdomain" if rcode == 3 else "other"] += 1
    with lock:
        for k, v in local.items():
            counts[k] += v


def main():
    host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 5.0
    threads = int(sys.argv[5]) if len(sys.argv) > 5 else 4
    with open(path) as f:
        names = [line.strip() for line in f if line.strip()]
    counts = {"answered": 0, "noerror": 0, "nxdomain": 0, "other": 0, "timeouts": 0}
    lock = threading.Lock()
    start = time.monotonic()
    deadline = start + seconds
    ts = [threading.Thread(target=worker, args=(host, port, names, deadline, counts, lock)) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.monotonic() - start
    print("%.1f %d %d %d %d %d" % (counts["answered"] / elapsed, counts["answered"], counts["noerror"],
                                   counts["nxdomain"], counts["other"], counts["timeouts"]))


if __name__ == "__main__":
    main()
