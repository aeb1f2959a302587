#!/usr/bin/env python3
"""Checks the size rules of docs/design.md over src/: no file over 800 lines,
no function over 80 lines (the lines between its opening brace and its closing
one) outside tables.

A function is a line that is just "{" in column 0 after a signature ending in
")" (the house style), up to the next "}" in column 0.  Tables are data, not
functions, and are not counted; a function that is a table in all but name
(one long switch of rows, say) goes in ALLOW_FUNCTIONS with its reason.

Prints each violation as FILE:LINE and exits 1 when there is one.
"""
import os
import re
import sys

MAX_FILE = 800
MAX_FUNCTION = 80

# Files still being split on other branches: remove an entry once its split
# has been merged and the file passes.  (sweep/sweep.c, sweep/results.c,
# sweep/decide.c and cli/cmd_sweep.c were on this list and pass since their
# splits were merged.)
ALLOW_FILES = set()

# "module/file.c:function": functions that are tables in all but name.
ALLOW_FUNCTIONS = set()

NAME = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def functions(lines):
    """(name, first line number, length) of each function in lines."""
    i = 0
    while i < len(lines):
        if lines[i].rstrip("\n") != "{":
            i += 1
            continue
        # the signature: back to the line holding the name and "("
        j = i - 1
        while j >= 0 and lines[j].strip() and not NAME.search(lines[j]):
            j -= 1
        sig = lines[j] if j >= 0 else ""
        if not lines[i - 1].rstrip().endswith(")") and "__attribute__" not in lines[i - 1]:
            i += 1
            continue
        m = NAME.search(sig)
        start = i
        i += 1
        while i < len(lines) and not lines[i].startswith("}"):
            i += 1
        yield (m.group(1) if m else "?"), start + 1, i - start - 1
        i += 1


def main(src):
    bad = 0
    files = 0
    funcs = 0
    for root, _dirs, names in sorted(os.walk(src)):
        for name in sorted(names):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src)
            with open(path, encoding="utf-8") as f:
                lines = f.readlines()
            files += 1
            if rel in ALLOW_FILES:
                continue
            if len(lines) > MAX_FILE:
                print("%s:%d: %d lines, over %d" % (path, len(lines), len(lines), MAX_FILE))
                bad += 1
            for fname, line, length in functions(lines):
                funcs += 1
                if length > MAX_FUNCTION and "%s:%s" % (rel, fname) not in ALLOW_FUNCTIONS:
                    print("%s:%d: function %s is %d lines, over %d"
                          % (path, line, fname, length, MAX_FUNCTION))
                    bad += 1
    print("%d files, %d functions checked, %d over the limits" % (files, funcs, bad))
    return 1 if bad or not funcs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "src"))
