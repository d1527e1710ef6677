#!/usr/bin/env python3
"""egg-compare.py -- the engine's workloads in egg (through snake-egg) and in Saturate, side by side.

Usage: python3 scripts/egg-compare.py SATURATE_BENCH [--runs N] [--workloads FILE]
       python3 scripts/egg-compare.py --egg-node-limits [--runs N] [--workloads FILE]

Runs the `ac` cases (x1 + (x2 + ... xn) under comm-add and assoc-add, to
saturation) and the `micro` workload of Benchmarks/workloads.json with egg
0.9 through its Python binding snake-egg (`pip install snake-egg`), timing
only `EGraph.run` (the saturation itself, in Rust), median of N runs; then
runs `SATURATE_BENCH --workload ac-binary --workload micro --json --runs N` (a
release build of saturate-bench), and prints one table: both medians and
their ratio. snake-egg does not report the e-graph's size, so the node and
class counts are Saturate's (the workload file holds the exact saturated
sizes, which saturate-bench checks).

Both run egg's default back-off scheduler (threshold 1,000, ban 5) and
the iteration and time limits of the workload file. The ratio compares the
same saturated e-graph, so egg's node limit is lifted for the `ac` cases:
egg checks it against its hash-cons before rebuilding (`total_size`, every
node an iteration added, congruent duplicates included), and the file's
100,000 stops `ac_sum_10` in its largest iteration, short of saturation,
while the file's convention counts canonical nodes after a rebuild, under
which the run saturates (57,012 nodes, as Saturate reaches). Measured: egg
took about 0.58 s on `ac_sum_10` with the limit, 1.3-1.7 s with limits of
200,000 to 10^9 alike (so those saturate); `ac_sum_8` and `ac_sum_9` take
the same time either way. The table also prints egg's time under the
file's node limit (`egg@limit`), for reference. The machine is shared:
quote medians and ratios, never single runs.

`--egg-node-limits` prints only egg's medians on `ac_sum_8` to `ac_sum_10`
under node limits from the file's 100,000 to 10^9, the measurement behind
lifting the limit: a time that stops growing with the limit is a run the
limit no longer stops.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import NamedTuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse(text):
    """An s-expression as nested lists of atoms."""
    tokens = text.replace("(", " ( ").replace(")", " ) ").split()
    position = 0

    def read():
        nonlocal position
        token = tokens[position]
        position += 1
        if token != "(":
            return token
        items = []
        while tokens[position] != ")":
            items.append(read())
        position += 1
        return items

    return read()


class Builder:
    """Turns parsed s-expressions into snake-egg terms: one NamedTuple class
    per operator and arity, pattern variables as snake-egg Vars, numbers as
    ints, other atoms as strings."""

    def __init__(self, snake_egg):
        self.snake_egg = snake_egg
        self.classes = {}
        self.variables = {}

    def operator(self, name, arity):
        key = (name, arity)
        if key not in self.classes:
            fields = [(f"a{i}", object) for i in range(arity)]
            self.classes[key] = NamedTuple(f"Op{len(self.classes)}", fields)
        return self.classes[key]

    def term(self, tree):
        if isinstance(tree, list):
            return self.operator(tree[0], len(tree) - 1)(*[self.term(child) for child in tree[1:]])
        if tree.startswith("?"):
            if tree not in self.variables:
                self.variables[tree] = self.snake_egg.Var(tree[1:])
            return self.variables[tree]
        try:
            number = float(tree)
            return int(number) if number.is_integer() else number
        except ValueError:
            return tree


# A node limit egg's `ac` runs never reach: they saturate first (see the
# module's docstring).
SATURATING_NODE_LIMIT = 10**9


def egg_times(snake_egg, workloads, runs):
    """Median seconds of `EGraph.run` per case name."""
    results = {}
    builder = Builder(snake_egg)

    def rewrites(rules):
        return [
            snake_egg.Rewrite(builder.term(parse(r["lhs"])), builder.term(parse(r["rhs"])), name=r["name"])
            for r in rules
        ]

    ac_rules = rewrites(workloads["ac"]["rules"])
    for case in workloads["ac"]["cases"]:
        limits = case["limits"]
        for key, node_limit in ((("ac", case["name"]), SATURATING_NODE_LIMIT),
                                (("ac@limit", case["name"]), limits["nodes"])):
            times = []
            for _ in range(runs):
                egraph = snake_egg.EGraph()
                egraph.add(builder.term(parse(case["start"])))
                start = time.perf_counter()
                egraph.run(ac_rules, iter_limit=limits["iter"], time_limit=limits["time_s"], node_limit=node_limit)
                times.append(time.perf_counter() - start)
            results[key] = statistics.median(times)
    micro = workloads["micro"]
    micro_rules = rewrites([r for r in micro["rules"] if not r.get("conds")])
    iterations = micro.get("iterations", 11)
    times = []
    for _ in range(runs):
        egraph = snake_egg.EGraph()
        for expression in micro["exprs"]:
            egraph.add(builder.term(parse(expression)))
        start = time.perf_counter()
        egraph.run(micro_rules, iter_limit=iterations, time_limit=1e9, node_limit=10**9)
        times.append(time.perf_counter() - start)
    results[("micro", micro["name"])] = statistics.median(times)
    return results


def egg_node_limit_sweep(snake_egg, workloads, runs):
    """Prints egg's median milliseconds on the largest `ac` cases per node limit."""
    builder = Builder(snake_egg)
    rules = [
        snake_egg.Rewrite(builder.term(parse(r["lhs"])), builder.term(parse(r["rhs"])), name=r["name"])
        for r in workloads["ac"]["rules"]
    ]
    node_limits = [100_000, 200_000, 400_000, 1_000_000, SATURATING_NODE_LIMIT]
    print(f"{'case':12} " + " ".join(f"{limit:>12,}" for limit in node_limits))
    for case in workloads["ac"]["cases"][-3:]:
        medians = []
        for node_limit in node_limits:
            times = []
            for _ in range(runs):
                egraph = snake_egg.EGraph()
                egraph.add(builder.term(parse(case["start"])))
                start = time.perf_counter()
                egraph.run(rules, iter_limit=case["limits"]["iter"], time_limit=case["limits"]["time_s"],
                           node_limit=node_limit)
                times.append(time.perf_counter() - start)
            medians.append(statistics.median(times) * 1e3)
        print(f"{case['name']:12} " + " ".join(f"{median:12.1f}" for median in medians))


def saturate_times(bench, workloads_path, runs):
    """Median milliseconds, nodes and classes per case, from saturate-bench --json."""
    output = subprocess.run(
        [bench, "--workload", "ac-binary", "--workload", "micro", "--json", "--runs", str(runs), "--workloads",
         workloads_path],
        check=True, capture_output=True, text=True).stdout
    results = {}
    for line in output.splitlines():
        if line.strip():
            row = json.loads(line)
            results[("ac" if row["workload"] == "ac-binary" else row["workload"], row["case"])] = row
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("bench", nargs="?", help="a release build of saturate-bench")
    parser.add_argument("--egg-node-limits", action="store_true",
                        help="only time egg on the largest ac cases under several node limits")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workloads", default=os.path.join(ROOT, "Benchmarks", "workloads.json"))
    args = parser.parse_args()
    try:
        import snake_egg
    except ImportError:
        sys.exit("egg-compare.py: needs snake-egg (pip install snake-egg)")
    with open(args.workloads) as handle:
        workloads = json.load(handle)
    if args.egg_node_limits:
        egg_node_limit_sweep(snake_egg, workloads, args.runs)
        return
    if args.bench is None:
        parser.error("SATURATE_BENCH is required unless --egg-node-limits is given")
    egg = egg_times(snake_egg, workloads, args.runs)
    ours = saturate_times(args.bench, args.workloads, args.runs)
    print(f"{'workload':9} {'case':18} {'egg ms':>9} {'saturate ms':>12} {'ratio':>6} {'nodes':>7} {'classes':>8} "
          f"{'egg@limit ms':>13}")
    for key, seconds in egg.items():
        if key[0] == "ac@limit":
            continue
        at_limit = egg.get(("ac@limit", key[1]))
        at_limit_text = f"{at_limit * 1e3:13.2f}" if at_limit is not None else f"{'':>13}"
        row = ours.get(key)
        if row is None:
            print(f"{key[0]:9} {key[1]:18} {seconds * 1e3:9.2f} {'missing':>12}")
            continue
        ratio = row["median_ms"] / (seconds * 1e3) if seconds > 0 else float("nan")
        print(f"{key[0]:9} {key[1]:18} {seconds * 1e3:9.2f} {row['median_ms']:12.2f} {ratio:6.2f} "
              f"{row.get('nodes', ''):>7} {row.get('classes', ''):>8} {at_limit_text}")


if __name__ == "__main__":
    main()
