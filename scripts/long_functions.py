#!/usr/bin/env python3
"""Lists the longest function bodies in the C++ sources under src/ (tests excluded by default).

A function is a brace block opened at namespace scope (or class scope, for inline members) whose
opening is preceded by a closing parenthesis (optionally followed by qualifiers such as const,
noexcept, override or a trailing return type). Comments, string and character literals are
blanked out first, so braces inside them do not count. Lambdas and nested blocks count towards
the function that contains them, which is what a reader has to hold in mind.

Usage: scripts/long_functions.py [--limit N] [--top K] [--tests] [--fail] [paths...]
  --limit N  report functions longer than N lines (default 150)
  --top K    also print the K longest functions (default 10)
  --tests    include *_test.cc files
  --fail     exit 1 when a function is over the limit (CI uses it as a warning, without --fail)
"""
import argparse
import os
import re
import sys

QUALIFIERS = re.compile(r"\)\s*(?:const|noexcept|override|final|mutable|volatile|&|&&|\s|->\s*[\w:<>,\s\*&]+)*$")


def strip_comments_and_strings(text):
    """Replaces comments and literals by spaces, keeping newlines, so line numbers stay right."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == 'R' and text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == '_')):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            if m:
                end = text.find(")" + m.group(1) + '"', i)
                end = n if end < 0 else end + len(m.group(1)) + 2
                out.append(re.sub(r"[^\n]", " ", text[i:end]))
                i = end
            else:
                out.append(c)
                i += 1
        elif c in "\"'":
            # A digit separator (1'000'000) is not a character literal.
            if c == "'" and i > 0 and text[i - 1].isalnum() and i + 1 < n and text[i + 1].isalnum():
                out.append(" ")
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(path):
    text = strip_comments_and_strings(open(path, encoding="utf-8", errors="replace").read())
    results = []
    stack = []  # (kind, start_line, name)
    line = 1
    last_stmt_start = 0
    for i, c in enumerate(text):
        if c == "\n":
            line += 1
        elif c == "{":
            before = text[last_stmt_start:i]
            inside_function = any(kind == "function" for kind, _, _ in stack)
            kind = "block"
            name = ""
            if not inside_function:
                head = before.strip()
                if QUALIFIERS.search(head) and not re.search(r"\b(if|for|while|switch|catch)\s*\(", head.split("\n")[-1]):
                    m = re.search(r"([~\w:]+(?:operator\s*\S+)?)\s*\([^;]*$", head, re.S)
                    kind, name = "function", (m.group(1) if m else "?")
                elif re.search(r"\b(namespace|struct|class|union|enum)\b", head) or head.endswith("extern \"C\""):
                    kind = "scope"
            stack.append((kind, line, name))
            last_stmt_start = i + 1
        elif c == "}":
            if stack:
                kind, start, name = stack.pop()
                if kind == "function":
                    results.append((line - start + 1, path, start, name))
            last_stmt_start = i + 1
        elif c == ";":
            last_stmt_start = i + 1
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=150)
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("--tests", action="store_true")
    ap.add_argument("--fail", action="store_true")
    ap.add_argument("paths", nargs="*")
    args = ap.parse_args()
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    paths = args.paths or [os.path.join(root, "src")]
    files = []
    for p in paths:
        if os.path.isfile(p):
            files.append(p)
            continue
        for d, _, names in os.walk(p):
            for f in names:
                if f.endswith((".cc", ".h")) and (args.tests or not f.endswith("_test.cc")):
                    files.append(os.path.join(d, f))
    found = []
    for f in sorted(files):
        found.extend(functions(f))
    found.sort(key=lambda r: -r[0])
    over = [r for r in found if r[0] > args.limit]
    for lines, path, start, name in found[: max(args.top, len(over))]:
        mark = "OVER" if lines > args.limit else "    "
        print(f"{mark} {lines:5d} {os.path.relpath(path, root)}:{start} {name}")
    if over:
        print(f"long_functions: {len(over)} function(s) over {args.limit} lines", file=sys.stderr)
        return 1 if args.fail else 0
    print(f"long_functions: no function over {args.limit} lines", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
