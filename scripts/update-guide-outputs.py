#!/usr/bin/env python3
"""update-guide-outputs.py -- refresh docs/guide.md's output blocks from a GuideTests run.

Usage: swift test --filter GuideTests > /tmp/guide.log 2>&1
       python3 scripts/update-guide-outputs.py /tmp/guide.log

GuideTests runs every command of the guide and fails on a block that shows
something else than the command printed, printing "The whole output". This
replaces each such block with that output, so a change that alters what the
tool prints updates the guide in one step; read the diff before committing.
Times in the `--report` block are masked as "... s" and "... ms", as the test
reads them; the Swift example's output block keeps the program alone.
"""

import re
import sys

GUIDE = "docs/guide.md"


def block_span(text, marker):
    start = text.index(marker)
    opening = text.index("```", start)
    body = text.index("\n", opening) + 1
    return body, text.index("```", body)


def main():
    log = open(sys.argv[1]).read()
    guide = open(GUIDE).read()
    failure = re.compile(
        r"docs/guide\.md:\d+: (\w+) ([\w-]+) shows something else than the test got.*?The whole output:\n(.*?)\n"
        r"(?=\S*Tests/|Test Case)", re.S)
    replaced = 0
    for kind, name, output in failure.findall(log):
        start, end = block_span(guide, f"<!-- guide: {kind} {name} -->")
        new = output.rstrip("\n") + "\n"
        # The test runs the guide in a temporary copy of the package, which
        # the guide shows as ".../".
        new = re.sub(r"/\S*/saturate-[0-9A-Fa-f-]+/saturate/", ".../", new)
        if kind == "stderr":
            new = re.sub(r"\d+\.\d+ s\b", "... s", new)
            new = re.sub(r"\d+\.\d+ ms\b", "... ms", new)
        if kind == "output":
            # The Swift example's block shows the program alone.
            new = new.split("\n\n")[0].rstrip("\n") + "\n"
        guide = guide[:start] + new + guide[end:]
        replaced += 1
    open(GUIDE, "w").write(guide)
    print(f"replaced {replaced} block(s) of {GUIDE}")


if __name__ == "__main__":
    main()
