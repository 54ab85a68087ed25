#!/usr/bin/env python3
"""Lists import loops between hetsim's modules: top-level modules (sim/<m>) and,
inside each, their direct submodules (sim/<m>/<s>). A `use crate::a::b` or
`crate::a::b::...` path in a file of module X is an edge X -> a (and X -> a::b within
the same parent). Exit 1 when a loop exists.

Usage: tools/module-loops.py   (from the repository root)
"""
import os, re, sys
from collections import defaultdict

root = "sim"
edges = defaultdict(set)
path_re = re.compile(r"crate::([a-z_]+)(?:::([a-z_]+))?")
for base, _, files in os.walk(root):
    for f in files:
        if not f.endswith(".rs"):
            continue
        p = os.path.join(base, f)
        rel = os.path.relpath(p, root)[:-3].split(os.sep)
        if rel[-1] == "mod":
            rel = rel[:-1]
        if not rel or rel[0] in ("lib", "main"):
            continue
        top = rel[0]
        sub = rel[1] if len(rel) > 1 else None
        text = open(p).read()
        # Drop comments and the test module (tests may reach anywhere).
        text = re.sub(r"//[^\n]*", "", text)
        text = text.split("#[cfg(test)]")[0]
        uses = set(path_re.findall(text))
        # `use super::x` inside a submodule: an edge to its sibling.
        for m in re.findall(r"super::([a-z_]+)", text):
            if sub:
                uses.add((top, m))
        for a, b in uses:
            if a != top:
                edges[top].add(a)
            elif sub and b and b != sub:
                edges[f"{top}::{sub}"].add(f"{top}::{b}")

def cycles():
    found = set()
    def dfs(n, stack, on):
        for m in sorted(edges.get(n, ())):
            if m in on:
                cyc = stack[stack.index(m):]
                k = min(range(len(cyc)), key=lambda i: cyc[i])
                found.add(tuple(cyc[k:] + cyc[:k]))
            elif len(stack) < 8:
                dfs(m, stack + [m], on | {m})
    for n in sorted(edges):
        dfs(n, [n], {n})
    return sorted(found)

c = cycles()
for cyc in c:
    print(" -> ".join(cyc + (cyc[0],)))
print(f"{len(c)} import loop(s) among {len(edges)} modules")
sys.exit(1 if c else 0)
