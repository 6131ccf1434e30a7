"""What page faults cost a CPU training step and a separation, and two environment settings that avoid them.

Each measurement runs in a fresh process, on 1 thread, in one of three memory settings, all set in the environment:
* as it comes: PyTorch and glibc's defaults (what Auralflow runs with);
* huge pages: `THP_MEM_ALLOC_ENABLE=1`, PyTorch's switch putting tensors over 2 MiB on 2 MiB transparent pages;
* never unmap: `GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=1073741824`: glibc serves large
  blocks from its heap and keeps up to 1 GiB of freed memory, so freed blocks are reused without faults.
Work measured:
* training: the step of train_throughput.py for the default SpectrogramNetSimple at the recipe's batch (16 x 3 s
  stereo), the mean of `--steps` steps after a warm-up step;
* separation: `auralflow.separate.separate` with the pretrained SpectrogramNetSimple on a 60 s stereo song (as
  separation_speed.py makes it), after a 1 s warm-up.
Columns: wall time, user and kernel (system) CPU time, minor page faults, and the process's peak RSS.

    python benchmarks/page_faults.py
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

from auralflow.trainer import NEVER_UNMAP

HERE = Path(__file__).resolve().parent
SETTINGS = {'as it comes': {}, 'huge pages (THP_MEM_ALLOC_ENABLE=1)': {'THP_MEM_ALLOC_ENABLE': '1'},
            'never unmap (GLIBC_TUNABLES)': {'GLIBC_TUNABLES': NEVER_UNMAP}}
TASKS = {'SpectrogramNetSimple training step, batch 16': 'train',
         'separate() 60 s, pretrained SpectrogramNetSimple': 'separate'}


def work(task: str, steps: int):
    "The timed work of `task`, warmed up: (a function doing it once, how many times to run it)."
    import torch
    if task == 'separate':
        from separation_speed import SAMPLE_RATE, make_track
        from auralflow.separate import load_model, separate
        model, audio = load_model('SpectrogramNetSimple'), make_track(60.0)
        def run(x):
            with torch.inference_mode(): separate(model, x, SAMPLE_RATE, progress=False)
        run(audio[:, :SAMPLE_RATE])
        return lambda: run(audio), 1
    from train_throughput import auralflow_step
    step = auralflow_step('SpectrogramNetSimple')[0]
    targets = 0.1 * torch.randn(16, 4, 2, 3 * 44100)
    mixture = targets.sum(1)
    step(mixture, targets)
    return lambda: step(mixture, targets), steps


def measure(task: str, steps: int) -> dict:
    "In this process: per-repetition wall, user and system seconds and page faults, and the peak RSS."
    import resource
    import time
    import torch
    torch.set_num_threads(1)
    torch.manual_seed(0)
    timed, repeats = work(task, steps)
    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    for _ in range(repeats): timed()
    r1, t1 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    return {'wall': (t1 - t0) / repeats, 'user': (r1.ru_utime - r0.ru_utime) / repeats,
            'system': (r1.ru_stime - r0.ru_stime) / repeats, 'faults': (r1.ru_minflt - r0.ru_minflt) / repeats,
            'peak MB': r1.ru_maxrss / 1024}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--steps', type=int, default=2, help='timed training steps (default 2)')
    p.add_argument('--child', help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        sys.path.insert(0, str(HERE))
        print(json.dumps(measure(args.child, args.steps)))
        return 0
    from readme_tables import machine
    import torch
    thp = Path('/sys/kernel/mm/transparent_hugepage/enabled')
    print(f"1 thread, torch {torch.__version__}; training: mean of {args.steps} steps; transparent huge pages: "
          f"{thp.read_text().strip() if thp.exists() else 'not available'}; {datetime.date.today()} on {machine()}")
    print('| work | memory | wall s | user s | system s | page faults | peak RSS MB |\n|---|---|---|---|---|---|---|')
    for name, task in TASKS.items():
        for setting, env in SETTINGS.items():
            env = {k: v for k, v in os.environ.items() if k not in ('THP_MEM_ALLOC_ENABLE', 'GLIBC_TUNABLES')} | env
            out = subprocess.run([sys.executable, __file__, '--child', task, '--steps', str(args.steps)], env=env,
                                 capture_output=True, text=True, check=True).stdout
            r = json.loads(out.splitlines()[-1])
            print(f"| {name} | {setting} | {r['wall']:.2f} | {r['user']:.2f} | {r['system']:.2f} | "
                  f"{r['faults']:,.0f} | {r['peak MB']:.0f} |", flush=True)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
