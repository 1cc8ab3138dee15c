#!/usr/bin/python3
"""Peer for bench/networks.sql: NetBox's allocation algorithm, re-implemented
with netaddr.IPSet (NetBox's Prefix.get_available_prefixes / the
available-prefixes API view, and Prefix.get_available_ips /
get_first_available_ip), on the rows of the bench database.

    networks_netbox.py prefix KEY PARENT LENGTH RUNS
    networks_netbox.py ip     KEY PARENT IGNORED RUNS

Each run fetches the children (psql COPY ... TO STDOUT, the way any client
would read them) and computes the answer; the median run time (fetch +
compute) and the answer go into bench_netaddr(key, ...) for networks.sql to
check against ours.  Connection: PGHOST/PGPORT/PGUSER from the environment,
database PGDATABASE (default mountaineer_bench).  Run with /usr/bin/python3
(Debian's python3-netaddr).
"""
import os
import statistics
import subprocess
import sys
import time

import netaddr

DB = os.environ.get("PGDATABASE", "mountaineer_bench")


def psql(sql, stdin=None):
    r = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", DB, "-c", sql],
                       capture_output=True, text=True, input=stdin)
    if r.returncode != 0:
        sys.exit(f"networks_netbox.py: psql failed: {r.stderr.strip()}")
    return r.stdout


def first_available_prefix(parent, length):
    # NetBox: get_child_prefixes() = prefixes of the VRF inside the parent
    rows = psql(f"COPY (SELECT prefix FROM mountaineer.prefix WHERE vrf_id IS NULL "
                f"AND prefix << '{parent}') TO STDOUT").split()
    t_fetched = time.perf_counter()
    # get_available_prefixes(): IPSet(prefix) - IPSet(child prefixes)
    available = netaddr.IPSet([parent]) - netaddr.IPSet(rows)
    # AvailablePrefixesView: the first available CIDR that can hold the length
    for block in available.iter_cidrs():
        if length >= block.prefixlen:
            return f"{block.network}/{length}", t_fetched
    return None, t_fetched


def first_available_ip(parent):
    net = netaddr.IPNetwork(parent)
    addrs = psql(f"COPY (SELECT host(host_addr) FROM mountaineer.ip_address WHERE vrf_id IS NULL "
                 f"AND host_addr <<= '{parent}') TO STDOUT").split()
    ranges = psql(f"COPY (SELECT host(start_address), host(end_address) FROM mountaineer.ip_range "
                  f"WHERE vrf_id IS NULL AND host(start_address)::inet <<= '{parent}') TO STDOUT").splitlines()
    t_fetched = time.perf_counter()
    # get_available_ips(): prefix - child IPs - child ranges, minus network
    # and broadcast (IPv4) or the subnet-router anycast address (IPv6)
    available = netaddr.IPSet(net) - netaddr.IPSet(addrs)
    for r in ranges:
        a, b = r.split("\t")
        available -= netaddr.IPSet(netaddr.IPRange(a, b))
    pool = False
    if not pool and net.version == 4 and net.prefixlen < 31:
        available -= netaddr.IPSet([netaddr.IPAddress(net.first), netaddr.IPAddress(net.last)])
    elif not pool and net.version == 6 and net.prefixlen < 127:
        available -= netaddr.IPSet([netaddr.IPAddress(net.first)])
    # get_first_available_ip()
    for ip in available:
        return f"{ip}/{net.prefixlen}", t_fetched
    return None, t_fetched


def main():
    mode, key, parent, length, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    times, fetches, computes, answers = [], [], [], set()
    for _ in range(runs):
        t0 = time.perf_counter()
        if mode == "prefix":
            answer, t1 = first_available_prefix(parent, length)
        else:
            answer, t1 = first_available_ip(parent)
        t2 = time.perf_counter()
        times.append(t2 - t0)
        fetches.append(t1 - t0)
        computes.append(t2 - t1)
        answers.add(answer)
    if len(answers) != 1:
        sys.exit(f"networks_netbox.py: runs disagree: {answers}")
    answer = answers.pop()
    print(f"   netaddr {key}: {answer}, median {statistics.median(times):.3f} s "
          f"(fetch {statistics.median(fetches):.3f} s + compute {statistics.median(computes):.3f} s) over {runs} runs")
    psql("INSERT INTO bench_netaddr VALUES ('%s', %r, %s, %d, %r, %r)" % (
        key, statistics.median(times), "NULL" if answer is None else f"'{answer}'", runs,
        statistics.median(fetches), statistics.median(computes)))


if __name__ == "__main__":
    main()
