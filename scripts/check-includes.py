#!/usr/bin/env python3
"""Checks the include order of docs/design.md: a module under src/ includes
headers of its own module and of modules below it, never above.

  wire < crypto < quirk < capture < analysis < report < engine < server < sweep < cli

Prints each violation as FILE:LINE and exits 1 when there is one.
"""
import os
import re
import sys

ORDER = ["wire", "crypto", "quirk", "capture", "analysis", "report", "engine", "server", "sweep", "cli"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"(?:\.\./)?([a-z]+)/[^"]+"')


def main(src):
    bad = 0
    checked = 0
    for mod in ORDER:
        d = os.path.join(src, mod)
        for name in sorted(os.listdir(d)):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(d, name)
            with open(path, encoding="utf-8") as f:
                for no, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m or m.group(1) not in ORDER:
                        continue
                    checked += 1
                    if ORDER.index(m.group(1)) > ORDER.index(mod):
                        print("%s:%d: %s/ includes %s/ (a higher module): %s"
                              % (path, no, mod, m.group(1), line.strip()))
                        bad += 1
    print("%d includes across modules checked, %d against the order" % (checked, bad))
    return 1 if bad or not checked else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else
                  os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")))
