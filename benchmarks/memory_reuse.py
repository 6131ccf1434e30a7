"""What glibc's malloc costs a CPU training step and a separation, and what keep_freed_memory() changes.

Each measurement runs in a fresh process (malloc settings cannot be undone), with glibc's defaults or after
`auralflow.core.keep_freed_memory()`, on 1 thread:
* training: the step of train_throughput.py (batch 4 x 3 s stereo) of the default SpectrogramNetSimple and of
  Open-Unmix umxhq, the mean of `--steps` steps after a warm-up;
* separation: `auralflow.separate.separate` with the pretrained SpectrogramNetSimple on a 60 s stereo song (as
  separation_speed.py makes it), after a 1 s warm-up.
Columns: wall time, user and kernel (system) CPU time, minor page faults, and the process's peak RSS.

    python benchmarks/memory_reuse.py
"""
import argparse
import datetime
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TASKS = {'SpectrogramNetSimple training step': 'train', 'Open-Unmix umxhq training step': 'train_umx',
         'separate() 60 s, pretrained SpectrogramNetSimple': 'separate'}


def work(task: str, steps: int):
    "A function doing the timed work of `task` once; its warm-up is done."
    import torch
    if task == 'separate':
        from separation_speed import SAMPLE_RATE, make_track
        from auralflow.separate import load_model, separate
        model, audio = load_model('SpectrogramNetSimple'), make_track(60.0)
        run = lambda x: separate(model, x, SAMPLE_RATE, progress=False)
        with torch.inference_mode(): run(audio[:, :SAMPLE_RATE])
        def timed():
            with torch.inference_mode(): run(audio)
        return timed, 1
    from train_throughput import auralflow_step, openunmix_step
    step = (openunmix_step() if task == 'train_umx' else auralflow_step('SpectrogramNetSimple'))[0]
    targets = 0.1 * torch.randn(4, 4, 2, 3 * 44100)
    mixture = targets.sum(1)
    step(mixture, targets)
    return lambda: step(mixture, targets), steps


def measure(task: str, keep: bool, steps: int) -> dict:
    "In this process: per-repetition wall, user and system seconds and page faults, and the peak RSS."
    import resource
    import time
    import torch
    from auralflow.core import keep_freed_memory
    applied = keep_freed_memory() if keep else False
    torch.set_num_threads(1)
    torch.manual_seed(0)
    timed, repeats = work(task, steps)
    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    for _ in range(repeats): timed()
    r1, t1 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    return {'applied': applied, 'wall': (t1 - t0) / repeats, 'user': (r1.ru_utime - r0.ru_utime) / repeats,
            'system': (r1.ru_stime - r0.ru_stime) / repeats, 'faults': (r1.ru_minflt - r0.ru_minflt) / repeats,
            'peak MB': r1.ru_maxrss / 1024}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--steps', type=int, default=3, help='timed training steps (default 3)')
    p.add_argument('--child', nargs=2, metavar=('TASK', 'SETTING'), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        sys.path.insert(0, str(HERE))
        task, setting = args.child
        print(json.dumps(measure(task, setting == 'keep', args.steps)))
        return 0
    from readme_tables import machine
    import torch
    labels = {'default': "glibc's default", 'keep': 'keep_freed_memory()'}
    print(f"1 thread, torch {torch.__version__}; training: batch 4 x 3 s stereo, mean of {args.steps} steps; "
          f"{datetime.date.today()} on {machine()}")
    print('| work | malloc | wall s | user s | system s | page faults | peak RSS MB |\n|---|---|---|---|---|---|---|')
    for name, task in TASKS.items():
        for setting, label in labels.items():
            out = subprocess.run([sys.executable, __file__, '--child', task, setting, '--steps', str(args.steps)],
                                 capture_output=True, text=True, check=True).stdout
            r = json.loads(out.splitlines()[-1])
            if setting == 'keep' and not r['applied']: label += ' (did nothing: not glibc)'
            print(f"| {name} | {label} | {r['wall']:.2f} | {r['user']:.2f} | {r['system']:.2f} | "
                  f"{r['faults']:,.0f} | {r['peak MB']:.0f} |", flush=True)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
