"""judge_files.py -- writing cases in the judge's format, shared by the generators.

scripts/make-corpus.py (Tests/Corpus) and scripts/make-models.py
(Benchmarks/Models) both write NAME.eqs and NAME.json files the judge reads
(../shared/judge/README.md), mark the ones they own with a "generator" key,
and remove the files of cases they no longer make. This is that part, once.
"""

import json
import math
import os
import sys


def encode(value):
    """A value of an input set as JSON can hold it: infinities and NaN as the
    strings the judge reads, nested lists kept."""
    if isinstance(value, list):
        return [encode(x) for x in value]
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def json_text(meta, sets):
    """A case's .json: `meta` (name, description, generator, ...) indented,
    then one line per input set, so a diff shows which set changed."""
    head = json.dumps(meta, indent=1)[:-2]
    lines = [json.dumps({"name": s["name"], "values": {k: encode(v) for k, v in s["values"].items()}},
                        allow_nan=False) for s in sets]
    return head + ',\n "input_sets": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n"


def owned_on_disk(out, generator):
    """The names of the cases in `out` whose .json says `generator` wrote them."""
    names = set()
    for f in os.listdir(out):
        if f.endswith(".json") and not f.endswith(".truth.json"):
            try:
                with open(os.path.join(out, f)) as fh:
                    if json.load(fh).get("generator") == generator:
                        names.add(f[:-5])
            except (OSError, ValueError):
                pass
    return names


def write_cases(out, files, generator, root):
    """Writes each (name, eqs text, json text) of `files` into `out` where it
    changed, removes the files (truth caches included) of cases `generator`
    wrote before and no longer makes, and says what it did on stderr."""
    os.makedirs(out, exist_ok=True)
    made = set()
    for name, eqs, json_ in files:
        for path, text in ((name + ".eqs", eqs), (name + ".json", json_)):
            p = os.path.join(out, path)
            old = open(p).read() if os.path.exists(p) else None
            if old != text:
                with open(p, "w") as fh:
                    fh.write(text)
        made.add(name)
    for stale in sorted(owned_on_disk(out, generator) - made):
        for ext in (".eqs", ".json", ".truth.json"):
            p = os.path.join(out, stale + ext)
            if os.path.exists(p):
                os.remove(p)
        print(f"removed {stale}", file=sys.stderr)
    print(f"wrote {len(made)} cases in {os.path.relpath(out, root)}", file=sys.stderr)
