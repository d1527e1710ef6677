#!/usr/bin/env python3
"""Check `saturate eval` against the judge's own evaluators on every corpus case.

Usage: python3 scripts/check-eval-against-judge.py [SATURATE] [--corpus DIR] [-v]

SATURATE is the `saturate` executable (default .build/release/saturate); the
corpus defaults to ../shared/judge/corpus relative to the repository root, and
judge.py is imported from ../shared/judge. For every case and input set:

  (a) float64: for cases whose program has no `grad` (whose expansion is the
      judge's own, not ours, and may round differently), `saturate eval` must
      equal judge.py's float64 evaluation (parse_program, bind_inputs,
      lower_program, eval_f64) within 4 ulps at every element, and be non-finite
      exactly where it is (the same nan / inf / -inf);
  (b) reference: `saturate eval --reference` must agree with the judge's cached
      truth (NAME.truth.json: the correctly rounded binary64 value of each
      element) to within one binary64 rounding error relative to max(|t|, 1),
      |c - t| <= 2^-52 * max(|t|, 1), wherever the truth is finite and scored.
      Elements the judge does not score from the program itself are skipped:
      `unresolved` ones, and `oracle_used` ones whose truth came from the case's
      oracle program because the program's own truth was not finite.

Prints one line per case and a summary `N passed, M failed`; exits 1 on any
failure. Needs numpy only (the truths are read from the cache).
"""

import json
import math
import os
import struct
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JUDGE_DIR = os.path.normpath(os.path.join(ROOT, "..", "shared", "judge"))
F64_ULPS = 4
REL_TOL = 2.0 ** -52


def ordinal(x):
    i = struct.unpack("<q", struct.pack("<d", x))[0]
    return i if i >= 0 else -(i & 0x7FFFFFFFFFFFFFFF)


def ulps(a, b):
    return abs(ordinal(a) - ordinal(b))


def same_special(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


def decode(v):
    if isinstance(v, list):
        return [decode(x) for x in v]
    return float(v)  # numbers, and the strings "inf", "-inf", "nan"


def run_eval(saturate, eqs, json_path, set_name, reference):
    cmd = [saturate, "eval", eqs, "--inputs", json_path, "--input-set", set_name]
    if reference:
        cmd.append("--reference")
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        return None, f"exit {p.returncode}: {p.stderr.strip()[:300]}"
    try:
        d = json.loads(p.stdout)
    except ValueError as ex:
        return None, f"output is not JSON ({ex}): {p.stdout[:200]!r}"
    return {k: np.array(decode(v), dtype=np.float64) for k, v in d.items()}, None


def compare_f64(ours, theirs):
    """Problems (list of str) and the largest ulp distance between finite pairs."""
    problems, worst = [], 0
    if ours.shape != theirs.shape:
        return [f"shape {list(ours.shape)} vs the judge's {list(theirs.shape)}"], worst
    for idx in np.ndindex(theirs.shape):
        c, t = float(ours[idx]), float(theirs[idx])
        if not math.isfinite(t) or not math.isfinite(c):
            if not same_special(c, t):
                problems.append(f"[{','.join(map(str, idx))}] {c!r} vs judge {t!r}")
            continue
        d = ulps(c, t)
        worst = max(worst, d)
        if d > F64_ULPS:
            problems.append(f"[{','.join(map(str, idx))}] {c!r} vs judge {t!r} ({d} ulps)")
    return problems, worst


def compare_reference(ours, truth, unresolved, oracle_used):
    """Problems, the largest error in units of 2^-52 * max(|t|, 1), and counts (checked, exact, skipped)."""
    problems, worst, checked, exact, skipped = [], 0.0, 0, 0, 0
    if ours.shape != truth.shape:
        return [f"shape {list(ours.shape)} vs the truth's {list(truth.shape)}"], worst, 0, 0, 0
    for idx in np.ndindex(truth.shape):
        t, c = float(truth[idx]), float(ours[idx])
        if unresolved[idx] or oracle_used[idx] or not math.isfinite(t):
            skipped += 1
            continue
        checked += 1
        err = abs(c - t) / max(abs(t), 1.0) if math.isfinite(c) else math.inf
        if c == t:
            exact += 1
        worst = max(worst, err / REL_TOL)
        if not err <= REL_TOL:
            problems.append(f"[{','.join(map(str, idx))}] {c!r} vs truth {t!r}")
    return problems, worst, checked, exact, skipped


def main(argv):
    args = [a for a in argv if not a.startswith("-")]
    verbose = "-v" in argv
    corpus = os.path.join(JUDGE_DIR, "corpus")
    if "--corpus" in argv:
        i = argv.index("--corpus")
        corpus = argv[i + 1]
        args.remove(corpus)
    saturate = os.path.abspath(args[0] if args else os.path.join(ROOT, ".build", "release", "saturate"))
    if not os.access(saturate, os.X_OK):
        print(f"no executable at {saturate}; build it with swift build -c release --product saturate",
              file=sys.stderr)
        return 2
    sys.path.insert(0, JUDGE_DIR)
    import judge  # noqa: E402  (the judge lives outside the repository)

    cases = judge.load_corpus(corpus)
    npass = nfail = 0
    for case in cases:
        problems, notes = [], []
        truth = case.load_truth()
        if truth is None:
            problems.append("no current truth cache (run judge.py --make-truth)")
            truth = [None] * len(case.sets)
        has_grad = case.prog.has_grad()
        f64_worst, ref_worst, n_checked, n_exact, n_skipped = 0, 0.0, 0, 0, 0
        json_path = case.path[:-4] + ".json"
        for s, t in zip(case.sets, truth):
            name = s["name"]
            if not has_grad:
                ours, err = run_eval(saturate, case.path, json_path, name, False)
                if err:
                    problems.append(f"{name}: eval failed: {err}")
                else:
                    shapes = judge.bind_inputs(case.prog, s["values"])
                    _, outs = judge.lower_program(case.prog, shapes)
                    vals = judge.eval_f64([n for _, n in outs], s["values"])
                    if list(ours) != [nm for nm, _ in outs]:
                        problems.append(f"{name}: outputs {list(ours)} vs {[nm for nm, _ in outs]}")
                    for (nm, _), theirs in zip(outs, vals):
                        if nm not in ours:
                            continue
                        p, w = compare_f64(ours[nm], np.asarray(theirs, dtype=np.float64))
                        f64_worst = max(f64_worst, w)
                        problems += [f"{name}/{nm} f64 {x}" for x in p[:3]]
            if t is None:
                continue
            ours, err = run_eval(saturate, case.path, json_path, name, True)
            if err:
                problems.append(f"{name}: eval --reference failed: {err}")
                continue
            if list(ours) != list(t["values"]):
                problems.append(f"{name}: reference outputs {list(ours)} vs truth {list(t['values'])}")
            for nm, tv in t["values"].items():
                if nm not in ours:
                    continue
                p, w, c, e, sk = compare_reference(ours[nm], np.asarray(tv), t["unresolved"][nm],
                                                   t["oracle_used"][nm])
                ref_worst = max(ref_worst, w)
                n_checked, n_exact, n_skipped = n_checked + c, n_exact + e, n_skipped + sk
                problems += [f"{name}/{nm} reference {x}" for x in p[:3]]
        f64_text = "f64 skipped (grad)" if has_grad else f"f64 max {f64_worst} ulps"
        line = (f"{case.name:<28} {'PASS' if not problems else 'FAIL'}  {f64_text:<18} | reference "
                f"{n_exact}/{n_checked} exact, max {ref_worst:.2f} units of 2^-52*max(|t|,1)"
                + (f", {n_skipped} not scored" if n_skipped else ""))
        print(line, flush=True)
        for p in problems[: (len(problems) if verbose else 5)]:
            print(f"    {p}")
        if problems:
            nfail += 1
        else:
            npass += 1
    print(f"{npass} passed, {nfail} failed")
    return 0 if nfail == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
