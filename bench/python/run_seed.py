"""Runs the seed report's workload through the seed's own Python packages and prints JSON.

Started by bench/src/python-columns.ts with the workload (the same texts, models, deployments,
keys and local endpoint URLs the TS suites use) as JSON on stdin. Contenders:

- LiteLLM 1.80.0 itself: ``litellm.token_counter`` and ``litellm.Router.get_available_deployment``;
  for the pool rows, ``httpx`` (the HTTP client LiteLLM sends through) against the local servers.
- fast-litellm 0.1.10, its Rust classes called directly (the seed's "Rust" rows).

Every connection this process opens must go to 127.0.0.1: a guard refuses any other address
before LiteLLM is imported (and LiteLLM is told to use its bundled cost map).
"""

import json
import os
import socket
import sys
import threading
import time

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
os.environ.setdefault("LITELLM_LOG", "ERROR")

_connect = socket.socket.connect


def _local_only(sock, address):
    host = address[0] if isinstance(address, tuple) else address
    if host not in ("127.0.0.1", "::1", "localhost"):
        raise ConnectionRefusedError(f"bench guard: refused a connection to {host!r}")
    return _connect(sock, address)


socket.socket.connect = _local_only

import httpx  # noqa: E402
import litellm  # noqa: E402
from importlib.metadata import version  # noqa: E402

litellm.telemetry = False
LITELLM = f"LiteLLM {version('litellm')} (Python)"
FAST = f"fast-litellm {version('fast-litellm')} (Rust via PyO3)"
fast = None  # imported after the LiteLLM cells: importing fast_litellm patches LiteLLM
HTTPX = f"httpx {version('httpx')} (LiteLLM's client)"


def measure(run, warmup, quick, units=1):
    for _ in range(warmup):
        run()
    times = []
    budget = 0.05 if quick else 0.6
    least = 3 if quick else 20
    started = time.perf_counter()
    while len(times) < least or time.perf_counter() - started < budget:
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1000 / units)
        if len(times) >= 100_000:
            break
    return summary(times)


def summary(times):
    mean = sum(times) / len(times)
    std = (sum((t - mean) ** 2 for t in times) / len(times)) ** 0.5
    ordered = sorted(times)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return {"iterations": len(times), "meanMs": mean, "medianMs": median, "minMs": min(times), "maxMs": max(times), "stdDevMs": std}


def concurrent(make_op, ops_per_thread, rounds, threads=8):
    """Per-operation ms over `rounds`: wall time / operations; threads start before the clock."""
    times = []
    for round_index in range(rounds + 1):
        barrier = threading.Barrier(threads + 1)
        errors = []

        def body(index):
            op = make_op(index)
            barrier.wait()
            try:
                for i in range(ops_per_thread):
                    op(i)
            except Exception as error:  # reported, never swallowed
                errors.append(repr(error))

        workers = [threading.Thread(target=body, args=(i,)) for i in range(threads)]
        for worker in workers:
            worker.start()
        barrier.wait()
        t0 = time.perf_counter()
        for worker in workers:
            worker.join()
        elapsed = (time.perf_counter() - t0) * 1000 / (ops_per_thread * threads)
        if errors:
            raise RuntimeError(errors[0])
        if round_index > 0:  # the first round warms up
            times.append(elapsed)
    return summary(times)


def cell(results, row, contender, run):
    try:
        results.setdefault(row, {})[contender] = run()
    except Exception as error:
        results.setdefault(row, {})[contender] = {"skipped": f"failed: {type(error).__name__}: {str(error)[:120]}"}


def main():
    w = json.load(sys.stdin)
    quick, warmup = w["quick"], w["warmup"]
    texts, models, keys, urls = w["texts"], w["models"], w["keys"], w["urls"]
    pairs = [(t, m) for t in texts for m in models]
    results = {}
    big = 4_000_000_000

    # LiteLLM on its own first, before fast_litellm is imported (its import patches LiteLLM).
    cell(results, "token_counter", LITELLM, lambda: measure(lambda: [litellm.token_counter(model=m, text=t) for t, m in pairs], warmup, quick))
    pressure = w["pressureTexts"]
    cell(results, "memory_pressure_tokens", LITELLM, lambda: measure(lambda: [litellm.token_counter(model="gpt-4o", text=t) for t in pressure], warmup, quick))
    model_list = [
        {"model_name": d["model"], "litellm_params": {"model": f"openai/{d['model']}", "api_base": "http://127.0.0.1:9/v1", "api_key": "sk-bench", "rpm": d["rpm"], "weight": d["weight"]}, "model_info": {"id": d["id"]}}
        for d in w["deployments"]
    ]
    router = litellm.Router(model_list=model_list, routing_strategy="simple-shuffle")
    cell(results, "get_available_deployment", LITELLM, lambda: measure(lambda: [router.get_available_deployment(model=m) for m in models], warmup, quick))
    k = len(models)
    rops = 200 if quick else 2_000
    cell(results, "routing_concurrent", LITELLM, lambda: concurrent(lambda _: (lambda i: router.get_available_deployment(model=models[i % k])), rops // 4, 2 if quick else 4))

    global fast
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):  # its patch messages would spoil the JSON
        from fast_litellm import _rust as fast
    counter = fast.SimpleTokenCounter()
    cell(results, "token_counter", FAST, lambda: measure(lambda: [counter.count_tokens(t, m) for t, m in pairs], warmup, quick))
    cell(results, "memory_pressure_tokens", FAST, lambda: measure(lambda: counter.count_tokens_batch(pressure, "gpt-4o"), warmup, quick))

    # check_rate_limit, concurrent, memory_pressure_rate_limit (LiteLLM has no per-key limiter API)
    limiter = fast.SimpleRateLimiter(requests_per_minute=big)
    cell(results, "check_rate_limit", FAST, lambda: measure(lambda: [limiter.check(k) for k in keys], warmup, quick))
    shared = fast.SimpleRateLimiter(requests_per_minute=big)
    n = len(keys)
    ops = 500 if quick else 5_000
    cell(results, "check_rate_limit_concurrent", FAST, lambda: concurrent(lambda _: (lambda i: shared.check(keys[i % n])), ops, 2 if quick else 6))
    many = [f"tenant:{i}" for i in range(w["pressureKeys"])]

    def pressure_run():
        fresh = fast.SimpleRateLimiter(requests_per_minute=big)
        for k in many:
            fresh.check(k)

    cell(results, "memory_pressure_rate_limit", FAST, lambda: measure(pressure_run, warmup, quick))

    # get_available_deployment and routing_concurrent
    advanced = fast.AdvancedRouter(strategy="simple_shuffle")
    cell(results, "get_available_deployment", FAST, lambda: measure(lambda: [advanced.get_available_deployment(model_list, m) for m in models], warmup, quick))
    cell(results, "routing_concurrent", FAST, lambda: concurrent(lambda _: (lambda i: advanced.get_available_deployment(model_list, models[i % k])), rops, 2 if quick else 6))

    # connection_pool rows: fast-litellm checks a connection out and back (no I/O, the seed's
    # definition); httpx sends the same request as the TS contenders to the same local servers.
    endpoints = [u.rsplit("/v1/", 1)[0] for u in urls]

    def checkout():
        for e in endpoints:
            fast.return_connection(fast.get_connection(e))

    cell(results, "connection_pool", FAST, lambda: measure(checkout, warmup, quick))
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    client = httpx.Client(limits=httpx.Limits(max_connections=64, max_keepalive_connections=64))

    def send(i):
        response = client.post(urls[i % len(urls)], json=body, headers={"authorization": "Bearer sk-bench"})
        response.read()
        if response.status_code != 200:
            raise RuntimeError(f"status {response.status_code}")

    cell(results, "connection_pool", HTTPX, lambda: measure(lambda: [send(i) for i in range(len(urls))], warmup, quick))
    m = len(endpoints)
    cell(results, "connection_pool_concurrent", FAST, lambda: concurrent(lambda _: (lambda i: fast.return_connection(fast.get_connection(endpoints[i % m]))), ops, 2 if quick else 6))
    clients = []

    def sender(_index):
        # One client per thread: a shared httpx.Client failed under 8 threads (bad file descriptor).
        own = httpx.Client(limits=httpx.Limits(max_connections=8, max_keepalive_connections=8))
        clients.append(own)

        def send_own(i):
            response = own.post(urls[i % len(urls)], json=body, headers={"authorization": "Bearer sk-bench"})
            response.read()
            if response.status_code != 200:
                raise RuntimeError(f"status {response.status_code}")

        return send_own

    cell(results, "connection_pool_concurrent", HTTPX, lambda: concurrent(sender, 20 if quick else 200, 2 if quick else 4))
    for own in clients:
        own.close()
    client.close()

    notes = {
        LITELLM: "LiteLLM itself: token_counter, Router.get_available_deployment (no per-key limiter or pool API of its own).",
        FAST: "fast-litellm's Rust classes called directly; its connection_pool is an in-memory checkout with no I/O.",
        HTTPX: "httpx.Client (one, or one per thread in the concurrent row) sending the same request to the same local servers.",
    }
    json.dump({"python": sys.version.split()[0], "contenders": [LITELLM, FAST, HTTPX], "notes": notes, "rows": results}, sys.stdout)


if __name__ == "__main__":
    main()
