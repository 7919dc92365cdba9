#!/usr/bin/env python3
"""The project's annotated example extends the contract's: every line of the contract's example
stands in the project's, in the same order (the project adds keys between them, as each capability
lands, but renames and drops none). Usage: contract_example_extends.py OURS CONTRACT"""
import sys

ours = open(sys.argv[1], encoding="utf-8").read().splitlines()
theirs = open(sys.argv[2], encoding="utf-8").read().splitlines()
i = 0
for n, line in enumerate(theirs, 1):
    while i < len(ours) and ours[i] != line:
        i += 1
    if i == len(ours):
        print(f"{sys.argv[1]}: line {n} of {sys.argv[2]} is missing or out of order: {line!r}")
        sys.exit(1)
    i += 1
