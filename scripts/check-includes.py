#!/usr/bin/env python3
"""Checks the include order of docs/design.md: a module under src/ includes
headers of its own module and of modules below it, never above.

  wire < crypto < quirk < capture < analysis < report < engine < server < sweep < cli

It also checks that the calls between the files of one module go one way
where docs/design.md draws the arrows (ACYCLIC below): a function defined in
one file and called from another is an arrow between the two files, and a
circle of arrows is a violation (server/: server.c -> conn.c -> modes.c
through mode.h, and both to common.c; modes.c calls back only through the
handle it is handed, never by name).

Prints each violation as FILE:LINE and exits 1 when there is one.
"""
import os
import re
import sys

ORDER = ["wire", "crypto", "quirk", "capture", "analysis", "report", "engine", "server", "sweep", "cli"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"(?:\.\./)?([a-z]+)/[^"]+"')
# Modules whose files must not call each other in a circle.
ACYCLIC = ["server"]
# A function definition: at the start of a line, not static, not a
# prototype (this tree puts the opening brace on the next line).
DEFINITION = re.compile(r'^(?!static\b|typedef\b|extern\b)[A-Za-z_][\w \t\*]*?\b([a-z_][a-z0-9_]*)\s*\([^;]*$')
CALL = re.compile(r'\b([a-z_][a-z0-9_]*)\s*\(')
COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\])*"', re.S)


def call_arrows(d):
    """{caller file: {callee file: first line of a call}} among d's .c files."""
    texts, defined = {}, {}
    for name in sorted(os.listdir(d)):
        if name.endswith(".c"):
            with open(os.path.join(d, name), encoding="utf-8") as f:
                texts[name] = f.read()
            for line in texts[name].splitlines():
                m = DEFINITION.match(line)
                if m:
                    defined[m.group(1)] = name
    arrows = {}
    for name, text in texts.items():
        code = COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
        for no, line in enumerate(code.splitlines(), 1):
            if DEFINITION.match(line):
                continue
            for m in CALL.finditer(line):
                callee = defined.get(m.group(1))
                if callee and callee != name:
                    arrows.setdefault(name, {}).setdefault(callee, (no, m.group(1)))
    return arrows


def find_circle(arrows):
    """One circle of files as a list [a, b, ..., a], or None."""
    state = {}

    def visit(node, path):
        state[node] = 1
        path.append(node)
        for nxt in sorted(arrows.get(node, {})):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if not state.get(nxt):
                found = visit(nxt, path)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(arrows):
        if not state.get(node):
            found = visit(node, [])
            if found:
                return found
    return None


def check_calls(src):
    bad = 0
    for mod in ACYCLIC:
        d = os.path.join(src, mod)
        arrows = call_arrows(d)
        circle = find_circle(arrows)
        if circle:
            steps = []
            for a, b in zip(circle, circle[1:]):
                no, fn = arrows[a][b]
                steps.append("%s:%d calls %s() of %s" % (os.path.join(d, a), no, fn, b))
            print("%s/: the files call each other in a circle: %s"
                  % (mod, "; ".join(steps)))
            bad += 1
        else:
            print("%s/: %d arrows between files, no circle"
                  % (mod, sum(len(v) for v in arrows.values())))
    return bad


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
    bad += check_calls(src)
    return 1 if bad or not checked else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else
                  os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")))
