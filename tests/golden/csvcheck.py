#!/usr/bin/python3
"""Checks ecmptrace -C/--csv output: Python's csv module (RFC 4180) reads
it, the first line is the header ecmptrace documents, every row has as
many fields as the header, and every statistics cell is a number (or
empty where there is no sample).  Prints one line per problem; exit 1 if
there is any.

Usage: csvcheck.py FILE
"""
import csv
import sys

# The columns every row has, in this order (doc/ecmptrace.8, -C).
HEADER = ["Ecmptrace_Version", "Start_Time", "Status", "Host", "Target",
          "Protocol", "Port", "Hop", "Branch", "Ip", "Name", "Via_Hop", "Via",
          "Loss%", "Snt", "Last", "Avg", "Best", "Wrst", "StDev", "Flows",
          "Jttr", "Javg", "Jmax", "Jint", "Rcv", "Flow_Ids", "Source_Ports", "Found", "Router", "Findings"]
INTEGER = {"Start_Time", "Hop", "Snt", "Flows", "Rcv"}
INTEGER_OR_EMPTY = {"Port", "Branch", "Via_Hop", "Router"}
NUMBER_OR_EMPTY = {"Loss%", "Last", "Avg", "Best", "Wrst", "StDev", "Jttr", "Javg", "Jmax",
                   "Jint"}
INTEGER_LISTS = {"Flow_Ids", "Source_Ports"}


def cell_problem(col, v):
    """What is wrong with value v in column col, or None."""
    try:
        if col in INTEGER or (col in INTEGER_OR_EMPTY and v != ""):
            int(v)
        elif col in NUMBER_OR_EMPTY and v != "":
            float(v)
        elif col in INTEGER_LISTS:
            [int(x) for x in v.split()]
        elif col == "Status" and v not in ("done", "signal", "error"):
            return "unknown status %r" % v
        elif col == "Loss%" and v != "" and not 0 <= float(v) <= 100:
            return "loss %s out of 0-100" % v
    except ValueError:
        return "%r is not a number" % v
    return None


def main():
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, strict=True))
    problems = []
    if not rows or rows[0] != HEADER:
        problems.append("header %r, want %r" % (rows[0] if rows else None, HEADER))
    if len(rows) < 2:
        problems.append("no data rows")
    for n, row in enumerate(rows[1:], 2):
        if len(row) != len(HEADER):
            problems.append("line %d: %d fields, the header has %d" % (n, len(row), len(HEADER)))
            continue
        for col, v in zip(HEADER, row):
            why = cell_problem(col, v)
            if why:
                problems.append("line %d, %s: %s" % (n, col, why))
    for p in problems[:20]:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
