"""Generation speed: `auralflow generate OUT --tracks 4 --seconds 15` against real time, for both backends.

Each run is the whole command in a fresh subprocess (`python -m auralflow generate ...`), start-up and imports
included, exactly as a user (or a training run that makes its own data) pays for it. For each run it prints

* `x cpu`: seconds of audio written per CPU second of the command and all its worker processes
  (`resource.getrusage(RUSAGE_CHILDREN)` before and after): the speed per core, the number that does not depend on
  what else the shared machine is doing;
* `x wall/core`: seconds of audio per (wall-clock second x jobs), the speed per core as a user sees it;
* `x wall`: seconds of audio per wall-clock second.

The peer is real time (1.0x: one second of audio per second), and generator version 3 run by the same script (the
previous generator, `--generator-version 3`) on the backends it has. The goal of issue 18 is 10x per core for
generators 4 to 6 (several SoundFonts, pedalboard effects, layered vocals), i.e. at most 6 CPU seconds for the 60 s of
audio of 4 songs of 15 s; issue 22's 20x was met by generator 3. Math libraries are pinned to one thread.

    python benchmarks/generate_speed.py         # versions 6, 5, 4 and 3; synth, soundfont, mixed, heldout; --jobs 1, 2
    python benchmarks/generate_speed.py --backends synth --versions 4 --jobs 1 --repeat 3
"""
from __future__ import annotations

import argparse
import datetime
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL = 10.0  # times real time per core (issue 18)


def cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_generate(backend: str, jobs: int, tracks: int, seconds: float, version: int) -> tuple[float, float]:
    "Wall and CPU seconds of one `auralflow generate` command (raises CalledProcessError with its stderr)."
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1', OPENBLAS_NUM_THREADS='1')
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, '-m', 'auralflow', 'generate', str(Path(tmp) / 'out'), '--tracks', str(tracks),
               '--seconds', str(seconds), '--backend', backend, '--generator-version', str(version)]
        if jobs != 1: cmd += ['--jobs', str(jobs)]
        cpu0, t0 = cpu_children(), time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
        return time.perf_counter() - t0, cpu_children() - cpu0


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--backends', nargs='+', default=['synth', 'soundfont', 'mixed', 'heldout'])
    p.add_argument('--versions', nargs='+', type=int, default=[6, 5, 4, 3])
    p.add_argument('--jobs', nargs='+', type=int, default=[1, 2])
    p.add_argument('--tracks', type=int, default=4)
    p.add_argument('--seconds', type=float, default=15.0)
    p.add_argument('--repeat', type=int, default=3, help='runs of each setting; the fastest (least CPU) is kept')
    args = p.parse_args()
    audio = args.tracks * args.seconds
    cpu_name = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '?')
    print(f"# {datetime.date.today()} on {cpu_name}, {os.cpu_count()} cores; python benchmarks/generate_speed.py")
    print(f"auralflow generate OUT --tracks {args.tracks} --seconds {args.seconds:g}: {audio:g} s of audio per run; "
          f"peer: real time (1.0x); goal {GOAL:g}x per core (<= {audio / GOAL:.2f} CPU s)")
    print(f"load average before: {os.getloadavg()[0]:.1f} (this machine's other work inflates CPU time too)")
    print('version backend    jobs  wall s   cpu s   x cpu x wall/core  x wall  goal')
    for version in args.versions:
        for backend in args.backends:
            if version < 4 and backend in ('mixed', 'heldout'): continue  # generator 3 has neither
            for jobs in args.jobs:
                try: runs = [run_generate(backend, jobs, args.tracks, args.seconds, version)
                             for _ in range(args.repeat)]
                except subprocess.CalledProcessError as e:
                    last = (e.stderr.strip().splitlines() or ['?'])[-1]
                    print(f"{version:>7} {backend:<10} {jobs:>4}  failed: {last}")
                    continue
                wall, cpu = min(runs, key=lambda r: r[1])
                ok = 'met' if audio / cpu >= GOAL else 'NOT met'
                if backend == 'heldout': ok += ' (test set only)'
                print(f"{version:>7} {backend:<10} {jobs:>4} {wall:7.2f} {cpu:7.2f} {audio / cpu:7.1f} "
                      f"{audio / (wall * jobs):11.1f} {audio / wall:7.1f}  {ok}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == '__main__':
    main()
