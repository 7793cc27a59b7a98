#!/usr/bin/env python3
"""Checks the folder layering of docs/design.md section 1, from the #include lines.

Fails (exit 1) when
  - a library folder includes a folder it may not use (one above it in the order
    base < engine < layers < quant < optim < datasets < train < apps, or one the table
    rules out, such as quant/ using engine/), unless the include is a listed known exception;
  - the includes inside one folder form a cycle, between files or between units (a unit
    is a header and its .cpp: quant/a.cpp including quant/b.h while quant/b.h includes
    quant/a.h is a cycle of units a and b), unless the cycle is a listed known exception.
Known exceptions that no longer occur are reported so the lists can shrink.
Run from anywhere: tools/check_layering.py [REPO]. Standard library only.
"""
import os
import re
import sys

# Which folders each library folder may include besides itself (docs/design.md section 1).
# base/ (laq::Error) sits below them all.
ALLOWED = {
    "base": set(),
    "engine": {"base"},
    "layers": {"base", "engine"},
    "quant": {"base"},  # and the standard library: the caller hands it its threads
    "optim": {"base", "engine", "layers", "quant"},
    "datasets": {"base", "engine"},
    "train": {"base", "engine", "layers", "quant", "optim", "datasets"},
    "apps": {"base", "engine", "layers", "quant", "optim", "datasets", "train"},
}

# Includes that break the rules today, each to be removed by the change that names it.
KNOWN_INCLUDES = set()

# Unit cycles that exist today, each the sorted set of units in the cycle.
KNOWN_UNIT_CYCLES = set()

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def includes_of(repo):
    """{repo-relative file: [included repo-relative paths]} for the library folders."""
    out = {}
    for folder in ALLOWED:
        base = os.path.join(repo, folder)
        for root, _, files in os.walk(base):
            for name in sorted(files):
                if not name.endswith((".h", ".cpp")):
                    continue
                path = os.path.join(root, name)
                rel = os.path.relpath(path, repo).replace(os.sep, "/")
                with open(path, encoding="utf-8", errors="replace") as f:
                    out[rel] = INCLUDE.findall(f.read())
    return out


def cycles(graph):
    """Every elementary cycle's node set (as a sorted tuple), found by depth-first search."""
    found = set()
    for start in sorted(graph):
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in sorted(graph.get(node, ())):
                if nxt == start:
                    found.add(tuple(sorted(set(path))))
                elif nxt not in path and nxt > start:  # each cycle once, from its smallest node
                    stack.append((nxt, path + [nxt]))
    return found


def main():
    repo = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    incs = includes_of(repo)
    errors, seen_known = [], set()

    for f, targets in sorted(incs.items()):
        folder = f.split("/")[0]
        for t in targets:
            top = t.split("/")[0]
            if "/" not in t or top == folder or top not in ALLOWED:
                continue  # same folder, a local name, or outside the stack (gtest, ...)
            if top in ALLOWED[folder]:
                continue
            if (f, t) in KNOWN_INCLUDES:
                seen_known.add((f, t))
                continue
            errors.append(f"{f}: includes {t}, but {folder}/ may use only "
                          f"{', '.join(sorted(ALLOWED[folder])) or 'the standard library'} (docs/design.md §1)")

    file_graph, unit_graph = {}, {}
    for f, targets in incs.items():
        folder = f.split("/")[0]
        for t in targets:
            if t.split("/")[0] != folder or t not in incs:
                continue
            file_graph.setdefault(f, set()).add(t)
            uf, ut = os.path.splitext(f)[0], os.path.splitext(t)[0]
            if uf != ut:
                unit_graph.setdefault(uf, set()).add(ut)
    for c in sorted(cycles(file_graph)):
        errors.append(f"include cycle between files: {' <-> '.join(c)}")
    seen_cycles = set()
    for c in sorted(cycles(unit_graph)):
        if c in KNOWN_UNIT_CYCLES:
            seen_cycles.add(c)
            continue
        errors.append(f"include cycle between units (a header and its .cpp): {' <-> '.join(c)}")

    for f, t in sorted(KNOWN_INCLUDES - seen_known):
        print(f"check_layering: note: known exception {f} -> {t} no longer occurs; remove it from the list")
    for c in sorted(KNOWN_UNIT_CYCLES - seen_cycles):
        print(f"check_layering: note: known cycle {' <-> '.join(c)} no longer occurs; remove it from the list")
    if errors:
        for e in errors:
            print(f"check_layering: {e}", file=sys.stderr)
        return 1
    print(f"check_layering: {len(incs)} files, layering ok "
          f"({len(seen_known)} known exceptions, {len(seen_cycles)} known unit cycles)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
