#!/usr/bin/python3
"""Validates ecmptrace JSON output against doc/ecmptrace.schema.json.

Usage: validate-json.py SCHEMA report FILE      (one -j document)
       validate-json.py SCHEMA stream FILE      (--json-stream: one object per line)
Prints one line per problem and exits 1 if there is any.
"""
import json
import sys

import jsonschema


def main():
    schema_path, kind, path = sys.argv[1:4]
    with open(schema_path) as f:
        schema = json.load(f)
    validator = jsonschema.Draft202012Validator(schema)
    with open(path) as f:
        text = f.read()
    docs = [text] if kind == "report" else [l for l in text.splitlines() if l.strip()]
    problems = 0
    if not docs:
        print("no JSON found")
        return 1
    for n, doc in enumerate(docs, 1):
        try:
            obj = json.loads(doc)
        except ValueError as e:
            print(f"{kind} {n}: not JSON: {e}")
            problems += 1
            continue
        if kind == "stream" and "type" not in obj:
            print(f"stream line {n}: no type")
            problems += 1
        for err in validator.iter_errors(obj):
            print(f"{kind} {n}: {err.message} at {list(err.absolute_path)}")
            problems += 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
