"""Peer driver: the official Python client (hazelcast-python-client), with the options and the
one-line JSON output of the Rust `loadgen` (benches/src/cli.rs, report.rs).

Installed and run by `cargo xtask bench` in a venv under target/bench/.

Closed loop: a semaphore of C permits; the main thread takes a permit and issues a non-blocking
map call (the client's futures); the completion callback records the latency and releases it.
Open loop: operation i is due at start + i/R; latency runs from that intended time.
Latencies go into a list, sorted at the end (nearest-rank percentiles).
"""

import argparse
import json
import logging
import math
import random
import resource
import sys
import threading
import time

import hazelcast


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--members", default="127.0.0.1:5701")
    p.add_argument("--cluster-name", default="dev")
    p.add_argument("--workload", default="get", choices=["get", "put", "set", "mix"])
    p.add_argument("--concurrency", type=int, default=1)
    p.add_argument("--rate", type=float, default=0.0)
    p.add_argument("--keys", type=int, default=10000)
    p.add_argument("--value-size", type=int, default=100)
    p.add_argument("--warmup", type=float, default=5.0)
    p.add_argument("--duration", type=float, default=10.0)
    p.add_argument("--map", default="bench")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--progress", type=float, default=1.0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--prefill", action="store_true")
    return p.parse_args()


def status(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field):
                    return int(line[len(field):].replace("kB", "").strip())
    except OSError:
        pass
    return 0


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def pct(s, q):
    if not s:
        return 0.0
    i = max(0, min(len(s) - 1, math.ceil(q * len(s)) - 1))
    return s[i] / 1e3


def main():
    o = parse()
    logging.basicConfig(level=logging.WARNING)
    members = [m for m in o.members.split(",") if m]
    client = hazelcast.HazelcastClient(
        cluster_name=o.cluster_name,
        cluster_members=members,
        smart_routing=True,
        statistics_enabled=False,
    )
    m = client.get_map(o.map)
    m.get("probe").result()
    time.sleep(0.2)
    idle_rss = status("VmRSS:")

    keys = ["k-%d" % i for i in range(o.keys)]
    value = "x" * o.value_size
    if o.prefill:
        blocking = m.blocking()
        for k in keys:
            blocking.set(k, value)

    state = {"phase": 0, "completed": 0, "failed": 0}
    lat = []
    errors = [0]
    permits = threading.Semaphore(o.concurrency)
    now = time.perf_counter_ns

    def done(start):
        def cb(f):
            ns = now() - start
            state["completed"] += 1
            ok = f.exception() is None
            if not ok:
                state["failed"] += 1
            if state["phase"] == 1:
                lat.append(ns)
                if not ok:
                    errors[0] += 1
            permits.release()

        return cb

    edges = {}

    def timer():
        time.sleep(o.warmup)
        edges["cpu0"], edges["t0"] = cpu(), time.perf_counter()
        state["phase"] = 1
        time.sleep(o.duration)
        state["phase"] = 2
        edges["cpu1"], edges["t1"] = cpu(), time.perf_counter()

    def progress():
        start = last_t = time.perf_counter()
        last = 0
        while state["phase"] != 2:
            time.sleep(o.progress)
            t, c = time.perf_counter(), state["completed"]
            phase = ("warm-up", "measure", "stop")[state["phase"]]
            print("[python %5.1fs %s] %9.0f ops/s, %d errors" % (t - start, phase, (c - last) / (t - last_t), state["failed"]),
                  file=sys.stderr, flush=True)
            last, last_t = c, t

    th = threading.Thread(target=timer, daemon=True)
    th.start()
    if o.progress > 0:
        threading.Thread(target=progress, daemon=True).start()
    rnd = random.Random(o.seed)
    period = 1e9 / o.rate if o.rate > 0 else 0
    t_start = now()
    i = 0
    while state["phase"] != 2:
        if o.rate > 0:
            start = t_start + int(i * period)
            wait = start - now()
            if wait > 0:
                time.sleep(wait / 1e9)
            i += 1
            permits.acquire()
        else:
            permits.acquire()
            start = now()
        k = keys[rnd.randrange(o.keys)]
        w = o.workload
        if w == "mix":
            r = rnd.randrange(10)
            w = "get" if r < 4 else "set" if r < 8 else "remove"
        if w == "get":
            f = m.get(k)
        elif w == "set":
            f = m.set(k, value)
        elif w == "put":
            f = m.put(k, value)
        else:
            f = m.remove(k)
        f.add_done_callback(done(start))
    th.join()
    for _ in range(o.concurrency):
        permits.acquire(timeout=5)
    s = sorted(lat)
    secs = edges["t1"] - edges["t0"]
    cpu_s = edges["cpu1"] - edges["cpu0"]
    ops = len(s)
    print(json.dumps({
        "driver": "python", "api": "Map futures (hazelcast-python-client %s)" % hazelcast.__version__,
        "workload": o.workload, "mode": "open" if o.rate > 0 else "closed", "concurrency": o.concurrency,
        "rate": o.rate, "members": len(members), "value_size": o.value_size, "duration_s": secs,
        "ops": ops, "errors": errors[0], "throughput": ops / secs if secs > 0 else 0,
        "p50_us": pct(s, 0.5), "p90_us": pct(s, 0.9), "p99_us": pct(s, 0.99), "p999_us": pct(s, 0.999),
        "max_us": s[-1] / 1e3 if s else 0, "cpu_s": cpu_s, "cpu_us_per_op": cpu_s * 1e6 / ops if ops else 0,
        "idle_rss_kb": idle_rss, "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }), flush=True)
    client.shutdown()


if __name__ == "__main__":
    main()
