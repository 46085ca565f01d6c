#!/usr/bin/env python3
"""Machine calibration for lvssim's speed figures.

A lean plain-Python (heapq) model of the skewed experiment of issue #4:
4 identical servers x 4 workers, FCFS, Poisson arrivals at 1280/s, lognormal
service demand with mean 10 ms and CV 4, and a director that picks a server
round robin (rr) or the one with the fewest active connections (wlc with equal
weights). It has no connection table, timers or statistics beyond the mean
response time: it only measures how fast this machine runs such a loop, so
run it on an otherwise idle machine.

The issue's reference machine ran the wlc model with 1,000,000 connections in
about 1.2 s. Divide this script's wall time by 1.2 to get this machine's
slowdown factor, then scale lvssim's targets (0.3 s for 1M skewed
connections, 20 M events/s on the hold benchmark) by it.

Usage: python3 scripts/calibrate-python.py [--scheduler wlc|rr] [--connections N] [--seed S]
"""

import argparse
import heapq
import math
import random
import time


def run(scheduler: str, connections: int, seed: int) -> tuple[float, int]:
    """Connections in arrival order. Each server keeps a heap of its workers'
    free times (FCFS with c workers: a connection starts when it arrives or
    when the earliest worker frees, whichever is later) and a heap of the
    departure times of its connections, popped up to each arrival so that its
    length is the server's active connection count."""
    rng = random.Random(seed)
    servers, workers = 4, 4
    rate, mean, cv = 1280.0, 0.010, 4.0
    sigma2 = math.log(1.0 + cv * cv)
    mu, sigma = math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2)
    push, pop, replace = heapq.heappush, heapq.heappop, heapq.heapreplace
    expovariate, lognormvariate = rng.expovariate, rng.lognormvariate

    free = [[0.0] * workers for _ in range(servers)]  # per server: when each worker frees
    departures = [[] for _ in range(servers)]  # per server: departure times of active connections
    wlc = scheduler == "wlc"
    next_rr = 0
    now = 0.0
    total_response = 0.0
    for _ in range(connections):
        now += expovariate(rate)
        demand = lognormvariate(mu, sigma)
        for heap in departures:
            while heap and heap[0] <= now:
                pop(heap)
        if wlc:  # least active connections, first in list order on ties
            server, least = 0, len(departures[0])
            for candidate in range(1, servers):
                active = len(departures[candidate])
                if active < least:
                    server, least = candidate, active
        else:
            server = next_rr
            next_rr = (next_rr + 1) % servers
        workers_free = free[server]
        start = workers_free[0]
        if start < now:
            start = now
        finish = start + demand
        replace(workers_free, finish)  # the earliest worker takes it and frees at `finish`
        push(departures[server], finish)
        total_response += finish - now
    return total_response / connections, connections


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scheduler", choices=["wlc", "rr"], default="wlc")
    parser.add_argument("--connections", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()

    start = time.perf_counter()
    mean_response, completed = run(args.scheduler, args.connections, args.seed)
    wall = time.perf_counter() - start
    reference = 1.2 * args.connections / 1_000_000
    print(f"scheduler          {args.scheduler}")
    print(f"connections        {completed:,}")
    print(f"mean response      {mean_response * 1000:.2f} ms")
    print(f"wall               {wall:.2f} s")
    if args.scheduler == "wlc":
        factor = wall / reference
        print(f"vs reference       {factor:.2f}x the issue's 1.2 s machine (for 1M connections)")
        print(f"lvssim targets     1M skewed run under {0.3 * factor:.2f} s; hold benchmark over {20 / factor:.1f} M events/s")


if __name__ == "__main__":
    main()
