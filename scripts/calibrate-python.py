#!/usr/bin/env python3
"""Machine calibration for lvssim's speed figures.

A lean plain-Python (heapq) model of the skewed experiment of issue #4:
4 identical servers x 4 workers, FCFS, Poisson arrivals at 1280/s, lognormal
service demand with mean 10 ms and CV 4, and a director that picks a server
round robin (rr) or the one with the fewest active connections (wlc with equal
weights). It has no connection table, timers or statistics beyond the mean
response time: it only measures how fast this machine runs such a loop.

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


def run(scheduler: str, connections: int, seed: int) -> tuple[float, float, int]:
    rng = random.Random(seed)
    servers, workers = 4, 4
    rate, mean, cv = 1280.0, 0.010, 4.0
    sigma2 = math.log(1.0 + cv * cv)
    mu, sigma = math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2)

    busy = [0] * servers          # workers in use
    active = [0] * servers        # connections at the server (in service or queued)
    queues = [[] for _ in range(servers)]  # FIFO of (arrival time, demand), head index below
    heads = [0] * servers
    events = []                   # (time, sequence, kind, server, arrival time)
    sequence = 0
    next_rr = 0
    arrived = completed = 0
    total_response = 0.0
    processed = 0

    push, pop = heapq.heappush, heapq.heappop
    expovariate, lognormvariate = rng.expovariate, rng.lognormvariate
    wlc = scheduler == "wlc"
    push(events, (expovariate(rate), sequence, 0, 0, 0.0))
    sequence += 1
    while events:
        now, _, kind, server, born = pop(events)
        processed += 1
        if kind == 0:  # an arrival
            arrived += 1
            if arrived < connections:
                push(events, (now + expovariate(rate), sequence, 0, 0, 0.0))
                sequence += 1
            demand = lognormvariate(mu, sigma)
            if wlc:  # least active connections, first in list order on ties
                server, least = 0, active[0]
                for candidate in range(1, servers):
                    if active[candidate] < least:
                        server, least = candidate, active[candidate]
            else:
                server = next_rr
                next_rr = (next_rr + 1) % servers
            active[server] += 1
            if busy[server] < workers:
                busy[server] += 1
                push(events, (now + demand, sequence, 1, server, now))
                sequence += 1
            else:
                queues[server].append((now, demand))
        else:  # a departure
            completed += 1
            total_response += now - born
            active[server] -= 1
            queue = queues[server]
            if heads[server] < len(queue):
                waiting_since, demand = queue[heads[server]]
                heads[server] += 1
                if heads[server] > 4096 and heads[server] * 2 > len(queue):
                    del queue[: heads[server]]
                    heads[server] = 0
                push(events, (now + demand, sequence, 1, server, waiting_since))
                sequence += 1
            else:
                busy[server] -= 1
    return total_response / max(1, completed), float(completed), processed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scheduler", choices=["wlc", "rr"], default="wlc")
    parser.add_argument("--connections", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()

    start = time.perf_counter()
    mean_response, completed, events = run(args.scheduler, args.connections, args.seed)
    wall = time.perf_counter() - start
    reference = 1.2 * args.connections / 1_000_000
    print(f"scheduler          {args.scheduler}")
    print(f"connections        {int(completed):,}")
    print(f"events             {events:,}")
    print(f"mean response      {mean_response * 1000:.2f} ms")
    print(f"wall               {wall:.2f} s")
    if args.scheduler == "wlc":
        factor = wall / reference
        print(f"vs reference       {factor:.2f}x the issue's 1.2 s machine (for 1M connections)")
        print(f"lvssim targets     1M skewed run under {0.3 * factor:.2f} s; hold benchmark over {20 / factor:.1f} M events/s")


if __name__ == "__main__":
    main()
