"""The overhead of saturate.jax.stabilize on the judge's public cases:
trace, translate, optimize (through one running `saturate serve`) and
rebuild, for each case at the shapes of its first input set, in a fresh
process state (no cached plan or optimization). Prints a table and the
median; the target is under 100 ms.

    python python/bench/overhead.py [--runs N]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

import cases  # noqa: E402
from saturate import Server  # noqa: E402
from saturate.jax import stabilize  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per case; the median is reported (default 5)")
    runs = parser.parse_args().runs
    functions = cases.jax_functions()
    server = Server()
    server.optimize("(input x [1])\n(output y (exp x))\n")  # the process start, paid once per Python process
    rows = []
    for name in cases.NAMES:
        inputs, _, function = functions[name]
        _, values = next(cases.input_sets(name))
        arguments = [jnp.asarray(values[key]) for key in inputs]
        times = []
        for _ in range(runs):
            server._cache.clear()  # each run optimizes afresh
            start = time.perf_counter()
            stable = stabilize(function, server=server)
            jax.block_until_ready(stable(*arguments))
            times.append((time.perf_counter() - start) * 1000)
        rows.append((name, statistics.median(times), len(stable.report(*arguments).regions)))
    width = max(len(name) for name, _, _ in rows)
    print(f"{'case':<{width}}  {'ms (median)':>11}  programs")
    for name, milliseconds, regions in rows:
        print(f"{name:<{width}}  {milliseconds:>11.1f}  {regions:>8}")
    median = statistics.median(milliseconds for _, milliseconds, _ in rows)
    print(f"{'median':<{width}}  {median:>11.1f}  (target < 100 ms)")
    server.close()
    return 0 if median < 100 else 1


if __name__ == "__main__":
    sys.exit(main())
