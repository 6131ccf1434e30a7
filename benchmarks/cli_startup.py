"""Start-up of the `auralflow` command: wall time and peak memory of `--help`, `--version` and each command's `--help`.

Each command line runs in a fresh subprocess, `--repeat` times; the best wall time is printed with the peak RSS of
that process (getrusage of the child). The baseline is a bare `python -c pass` in the same run, and the goal of
issue 20 is `--help` and `--version` under 0.5 s and 100 MB on the 2-core CPU machine.

    python benchmarks/cli_startup.py
    python benchmarks/cli_startup.py --repeat 10
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time

COMMANDS = ['generate', 'config', 'train', 'separate', 'evaluate', 'info']


def run_once(argv: list[str]) -> tuple[float, float]:
    "(wall seconds, peak RSS in MB) of one subprocess."
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0: raise SystemExit(f"{' '.join(argv)} failed")
    return wall, usage.ru_maxrss / 1024


def best(argv: list[str], repeat: int) -> tuple[float, float]:
    return min(run_once(argv) for _ in range(repeat))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--repeat', type=int, default=5, help='runs per command line; the fastest is reported (default 5)')
    args = p.parse_args()
    exe = shutil.which('auralflow') or sys.exit('the auralflow command is not installed: pip install -e .')
    lines = [('python -c pass (baseline)', [sys.executable, '-c', 'pass']),
             ('auralflow --version', [exe, '--version']), ('auralflow --help', [exe, '--help'])]
    lines += [(f'auralflow {c} --help', [exe, c, '--help']) for c in COMMANDS]
    print(f"{'command line':<28} {'wall s':>7} {'peak MB':>8}   (best of {args.repeat}, {os.cpu_count()} CPUs)")
    for name, argv in lines:
        wall, rss = best(argv, args.repeat)
        goal = '  goal < 0.5 s, < 100 MB: ' + ('met' if wall < 0.5 and rss < 100 else 'NOT met') \
            if name in ('auralflow --version', 'auralflow --help') else ''
        print(f"{name:<28} {wall:7.2f} {rss:8.0f}{goal}")


if __name__ == '__main__':
    main()
