#!/usr/bin/env python3
"""A flame graph (SVG) of `perf script` output: each stack folded, each frame a box as wide as
the share of samples it was on the stack for, callers below callees. For docs/performance.md.

    perf record -F 999 -g -p PID -- sleep 60
    perf script | scripts/flamegraph.py --title "idle room" > idle.svg

Only this machine's Python; nothing to download.
"""
import argparse
import html
import sys
from collections import defaultdict


def folded_stacks(lines, comm_filter):
    """perf script's text: a header line per sample, then its frames (innermost first)."""
    stacks = defaultdict(int)
    frames, comm, in_sample = [], None, False
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if in_sample and frames and (comm_filter is None or comm == comm_filter):
                stacks[tuple(reversed(frames))] += 1
            frames, in_sample = [], False
            continue
        if not line.startswith((" ", "\t")):
            in_sample = True
            comm = line.split()[0]
            continue
        parts = line.strip().split(None, 1)
        symbol = parts[1] if len(parts) > 1 else parts[0]
        symbol = symbol.split(" (")[0]  # drop "(/path/to/dso)"
        if symbol.startswith("[unknown]"):
            symbol = "[unknown]"
        frames.append(symbol.split("+0x")[0])
    if in_sample and frames and (comm_filter is None or comm == comm_filter):
        stacks[tuple(reversed(frames))] += 1
    return stacks


def tree_of(stacks):
    root = {"name": "all", "count": 0, "children": {}}
    for stack, count in stacks.items():
        root["count"] += count
        node = root
        for frame in stack:
            node = node["children"].setdefault(frame, {"name": frame, "count": 0, "children": {}})
            node["count"] += count
    return root


def colour(name):
    h = sum(ord(c) for c in name)
    if name.startswith("[k]") or "kernel" in name:
        return "rgb(230,%d,80)" % (120 + h % 80)
    return "rgb(240,%d,%d)" % (100 + h % 120, 40 + h % 50)


def svg(root, title, width=1200, row=17, max_depth=48):
    boxes = []

    def place(node, x, depth, scale):
        w = node["count"] * scale
        if w < 0.5 or depth > max_depth:
            return depth - 1
        boxes.append((x, depth, w, node))
        deepest = depth
        child_x = x
        for child in sorted(node["children"].values(), key=lambda n: n["name"]):
            deepest = max(deepest, place(child, child_x, depth + 1, scale))
            child_x += child["count"] * scale
        return deepest

    total = max(root["count"], 1)
    depth = place(root, 10, 0, (width - 20) / total)
    height = (depth + 1) * row + 60
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="monospace" '
        'font-size="11">' % (width, height),
        '<rect width="100%" height="100%" fill="#fdfdf6"/>',
        '<text x="%d" y="20" font-size="15" text-anchor="middle">%s (%d samples)</text>'
        % (width / 2, html.escape(title), root["count"]),
    ]
    for x, level, w, node in boxes:
        y = height - 20 - (level + 1) * row
        share = 100.0 * node["count"] / total
        label = "%s (%d samples, %.1f%%)" % (node["name"], node["count"], share)
        out.append('<g><title>%s</title><rect x="%.1f" y="%d" width="%.1f" height="%d" '
                   'fill="%s" stroke="#fdfdf6" stroke-width="0.5"/>'
                   % (html.escape(label), x, y, w, row - 1, colour(node["name"])))
        fits = int(w / 6.6)
        if fits >= 3:
            text = node["name"] if len(node["name"]) <= fits else node["name"][: fits - 2] + ".."
            out.append('<text x="%.1f" y="%d">%s</text>' % (x + 3, y + row - 5, html.escape(text)))
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--title", default="flame graph")
    parser.add_argument("--comm", help="only samples of this command name (e.g. sensoryd)")
    args = parser.parse_args()
    stacks = folded_stacks(sys.stdin, args.comm)
    if not stacks:
        sys.exit("flamegraph.py: no samples with stacks in the input (perf record -g?)")
    sys.stdout.write(svg(tree_of(stacks), args.title))


if __name__ == "__main__":
    main()
