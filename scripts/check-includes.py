#!/usr/bin/env python3
"""Checks the include order of docs/design.md: a module under src/ includes
headers of its own module and of modules below it, never above.

  wire < crypto < quirk < capture < analysis < report < engine < server < sweep < cli

It also checks that the calls between the files of each module go one way
(docs/design.md, "The calls go one way"): a function defined in one file and
called from another is an arrow between the two files, and a circle of
arrows is a violation, in every module under src/ (e.g. server/: server.c
-> conn.c -> modes.c through mode.h, and both to common.c; modes.c calls
back only through the handle it is handed, never by name).

Prints each violation as FILE:LINE and exits 1 when there is one.

  check-includes.py [SRC]          checks SRC (default: the tree's src/)
  check-includes.py --self-test T  runs the check on the fixture tree T
      (tests/data/includes_bad/src) and passes only when it fails there
      with the include and the circle planted in it, and not elsewhere.
"""
import os
import re
import sys

ORDER = ["wire", "crypto", "quirk", "capture", "analysis", "report", "engine", "server", "sweep", "cli"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"(?:\.\./)?([a-z]+)/[^"]+"')
# Modules whose files must not call each other in a circle: all of them.
ACYCLIC = ORDER
# A function definition: at the start of a line, not static, not a
# prototype (this tree puts the opening brace on the next line).
DEFINITION = re.compile(r'^(?!static\b|typedef\b|extern\b)[A-Za-z_][\w \t\*]*?\b([a-z_][a-z0-9_]*)\s*\([^;]*$')
CALL = re.compile(r'\b([a-z_][a-z0-9_]*)\s*\(')
COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\])*"', re.S)


def call_arrows(d):
    """{caller file: {callee file: first line of a call}} among d's .c files."""
    texts, defined, own = {}, {}, {}
    for name in sorted(os.listdir(d)):
        if name.endswith(".c"):
            with open(os.path.join(d, name), encoding="utf-8") as f:
                texts[name] = f.read()
            for line in texts[name].splitlines():
                m = DEFINITION.match(line)
                if m:
                    defined[m.group(1)] = name
                    own.setdefault(name, set()).add(m.group(1))
    arrows = {}
    for name, text in texts.items():
        code = COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
        for no, line in enumerate(code.splitlines(), 1):
            if DEFINITION.match(line):
                continue
            for m in CALL.finditer(line):
                # a name the file defines itself is its own (engine/: each
                # engine file defines engine.h's names under its prefix)
                callee = defined.get(m.group(1)) if m.group(1) not in own.get(name, ()) else None
                if callee and callee != name:
                    arrows.setdefault(name, {}).setdefault(callee, (no, m.group(1)))
    return arrows


def groups(arrows):
    """The files that reach each other (strongly connected, 2 or more), each
    as a sorted list (Tarjan's algorithm)."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(arrows.get(v, {})):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(set(arrows) | {w for ws in arrows.values() for w in ws}):
        if v not in index:
            visit(v)
    return found


def find_circle(arrows, within):
    """One circle of files inside `within` as a list [a, b, ..., a]."""
    start = within[0]
    prev, todo = {start: None}, [start]
    while todo:  # breadth first from start, back to start: a shortest circle
        node = todo.pop(0)
        for nxt in sorted(arrows.get(node, {})):
            if nxt == start:
                path = [node]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return path[::-1] + [start]
            if nxt in within and nxt not in prev:
                prev[nxt] = node
                todo.append(nxt)
    return None


def check_calls(src):
    bad = 0
    for mod in ACYCLIC:
        d = os.path.join(src, mod)
        if not os.path.isdir(d):
            continue
        arrows = call_arrows(d)
        circles = [find_circle(arrows, g) for g in groups(arrows)]
        for circle in circles:
            steps = []
            for a, b in zip(circle, circle[1:]):
                no, fn = arrows[a][b]
                steps.append("%s:%d calls %s() of %s" % (os.path.join(d, a), no, fn, b))
            print("%s/: the files call each other in a circle: %s"
                  % (mod, "; ".join(steps)))
            bad += 1
        if not circles:
            print("%s/: %d arrows between files, no circle"
                  % (mod, sum(len(v) for v in arrows.values())))
    return bad


def main(src, fixture=False):
    """fixture: a tree with only some of the modules (the self-test)."""
    bad = 0
    checked = 0
    for mod in ORDER:
        d = os.path.join(src, mod)
        if not os.path.isdir(d):
            if not fixture:
                print("%s/: no such module folder" % d)
                bad += 1
            continue
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


def self_test(fixture):
    """The checker must fail on the fixture: its wire/ includes analysis/
    (a higher module) and its wire/ files call each other in a circle, while
    its analysis/ files call one way (no circle to report there)."""
    import contextlib
    import io
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(fixture, fixture=True)
    text = out.getvalue()
    print(text, end="")
    expect = [(status == 1, "exit status 1"),
              ("wire/ includes analysis/ (a higher module)" in text, "the include against the order"),
              ("wire/: the files call each other in a circle" in text, "the circle in wire/"),
              ("calls wire_loop_b() of loop_b.c" in text and "calls wire_loop_a() of loop_a.c" in text,
               "both calls of the circle named"),
              ("analysis/: 1 arrows between files, no circle" in text, "no circle in a one-way analysis/")]
    failed = [what for ok, what in expect if not ok]
    for what in failed:
        print("self-test: the checker missed: %s" % what)
    print("self-test: %d passed, %d failed" % (len(expect) - len(failed), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--self-test":
        sys.exit(self_test(sys.argv[2]))
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else
                  os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")))
