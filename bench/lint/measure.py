#!/usr/bin/env python3
"""Runs a command several times; prints median and min wall time and the peak RSS of
the child (wait4 rusage), as one JSON line. Output of the command goes to /dev/null.
Usage: measure.py --runs N --label L -- CMD ARGS...
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--label", required=True)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    walls, rss, codes = [], [], set()
    devnull = os.open(os.devnull, os.O_WRONLY)
    for i in range(a.warmup + a.runs):
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=devnull, stderr=devnull)
        _, status, usage = os.wait4(p.pid, 0)
        t1 = time.perf_counter()
        if i >= a.warmup:
            walls.append(t1 - t0)
            rss.append(usage.ru_maxrss)  # KiB on Linux
            codes.add(os.waitstatus_to_exitcode(status))
    print(json.dumps({"label": a.label, "runs": a.runs, "median_s": round(statistics.median(walls), 4),
                      "min_s": round(min(walls), 4), "peak_rss_mib": round(max(rss) / 1024, 1),
                      "exit_codes": sorted(codes)}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
