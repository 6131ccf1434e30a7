"""The pooled (2022) and the strided U-Net of SpectrogramNetSimple, trained side by side for the same CPU time.

    python benchmarks/equal_cpu_time.py train RUNS --data DATA --cpu-minutes 60
    python benchmarks/equal_cpu_time.py score RUNS --data TEST_SETS... [--labels NAMES...]

`train` runs the README's recipe (`train_pretrained.RECIPE`) for both designs at once, each in its own process, pinned
to its own core with one torch thread and loading its data in that process (`num_workers=0`). So its process CPU time
counts all of its work, and both designs see the same machine at the same time. Each run validates every
`--samples-per-epoch` examples (256: a point every 16 steps, where the recipe's 1024 would give the pooled design one
point an hour) and stops before the epoch that would pass `--cpu-minutes` of CPU time, judged by its previous epoch.
Running `train` again on the same RUNS resumes both runs (the trainer's checkpoints) and their CPU clocks.
Every epoch is appended to RUNS/<design>/cpu_curve.jsonl: CPU seconds, step, training loss and validation SI-SDR.

`score` scores each design's best checkpoint on the test sets (the README's tables: median over tracks of each target,
mean over the four targets) and writes the curves and the scores to benchmarks/results/equal_cpu_time.json, replacing
the rows of the designs it scored and keeping the others (each row has its date, machine, precision, threads and
training data). `--designs` picks the runs (default: pooled and strided; the others are variants of the strided
design, listed with their settings in `designs()`: a first-level block, k x k kernels, time dilation, dropout,
a full-resolution refiner, learning rates, a cosine decay of the rate). Design runs train at 1e-3 unless their design
sets `lr`, as they did before SpectrogramNetSimple's default rate became 2e-3; `--models` runs take each model's
default.

With `--steps N` (for both actions) the comparison is at equal steps instead: `train` also stops each run at step N
(whichever comes first, so a long run can be trained over several sittings by raising `--cpu-minutes`), and `score`
writes benchmarks/results/equal_steps.json (or `--results NAME`: the pair trained in bfloat16 is in
equal_steps_bfloat16.json). Train a copy of the equal-time RUNS to keep both sets of checkpoints.

With `--models A B` (for both actions) the runs are those default models instead, side by side in the same way: what
one CPU hour (one core, one thread) trains of each. `score` then adds their rows to
benchmarks/results/one_cpu_hour.json, replacing earlier rows of the same models; each row keeps its date and machine.
`--set KEY=VALUE ...` gives those models other settings (JSON values, e.g. `--set wave_lstm_stride=2`); their runs and
rows are then named `Model (KEY=VALUE)`, beside the default rows. `--results NAME` puts such rows in another file of
benchmarks/results (the float32 and bfloat16 runs of `10_trainer`'s "Faster on a CPU: bfloat16" are in
mixed_precision.json), and `train --core N` pins the first run to core N, so that two invocations with different
`--set` can train side by side. `train --threads N` gives each run N cores and torch threads (for a long `--steps`
run on a machine with cores to spare; its CPU minutes then count all N threads):

    python benchmarks/equal_cpu_time.py train RUNS --data DATA --models SpectrogramNetSimple --set amp=false --core 0 &
    python benchmarks/equal_cpu_time.py train RUNS --data DATA --models SpectrogramNetSimple --set amp=true --core 1
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import torch
from auralflow.core import precision_name
from auralflow.trainer import Callback

HERE = Path(__file__).parent
MODEL = 'SpectrogramNetSimple'


class CpuBudget(Callback):
    "Trainer callback: log each epoch's CPU time and scores; stop at `steps` or before passing `seconds` of CPU."
    def __init__(self, seconds: float, log: Path, steps: int | None = None):
        self.seconds, self.log, self.steps = seconds, log, steps
    def on_train_begin(self, trainer):  # a resumed run goes on from the CPU time its log reached
        spent = json.loads(self.log.read_text().splitlines()[-1])['cpu_s'] if self.log.is_file() else 0.0
        self.last = time.process_time()
        self.start = self.last - spent
        self._stop_if_done(trainer, spent)  # a finished run stays as it is

    def on_epoch_end(self, trainer):
        now = time.process_time()
        record = trainer.state['history'][-1]
        row = dict(cpu_s=round(now - self.start, 1), step=trainer.state['step'], epoch=trainer.epoch,
                   train_loss=record['train_loss'], valid_si_sdr=record.get('valid_si_sdr'),
                   precision=precision_name(trainer.amp_dtype), threads=torch.get_num_threads())
        with open(self.log, 'a') as f: f.write(json.dumps(row) + '\n')
        self._stop_if_done(trainer, now - self.start + (now - self.last))  # judged by this epoch's CPU time
        self.last = now

    def _stop_if_done(self, trainer, cpu_s: float):
        "Stop the trainer once `cpu_s` passes the budget or its step count reaches `steps`."
        if cpu_s > self.seconds: trainer.stop_reason = 'CPU budget reached'
        if self.steps and trainer.state['step'] >= self.steps: trainer.stop_reason = f'{self.steps} steps reached'


def train_one(folder: Path, seconds: float, steps: int | None = None, threads: int = 1):
    "Train `folder` (prepared by `train`) in this process on `threads` torch threads until the CPU budget or `steps`."
    from auralflow.trainer import train
    torch.set_num_threads(threads)
    train(folder, callbacks=[CpuBudget(seconds, folder / 'cpu_curve.jsonl', steps)], progress=False)


def trained_with(folder: Path, last: dict) -> dict:
    """A run's precision and torch threads (from its curve's last row) and its training data, in words. Curves
    written before 2026-12-01 lack the first two: one thread then, and the precision that the run's `amp` setting
    gives on this CPU (score where it trained)."""
    from auralflow.config import load_config
    from auralflow.core import mixed_precision
    from train_pretrained import describe
    config = load_config(folder)
    amp = mixed_precision('cpu') if config.training.amp else None
    return dict(precision=last.get('precision', precision_name(amp)), threads=last.get('threads', 1),
                data=describe(Path(config.data.dataset)))


def designs() -> dict:
    """design name -> settings: the U-Nets of SpectrogramNetSimple compared here. The strided runs before 2026-12-01
    dropped out the residual sums (`dropout_branch=False`), so their designs keep that; `strided_branch_dropout` is
    today's default."""
    from auralflow.models import POOLED_2022
    strided = {'unet': 'strided', 'dropout_branch': False}  # the default strided design until 2026-12-01
    branch = {'unet': 'strided', 'dropout_branch': True}  # today's default: dropout before the residual sums
    return {'pooled': POOLED_2022, 'strided': strided,
            'strided_first_block': {**strided, 'spec_first_blocks': 1},
            'strided_freq_levels': {**strided, 'spec_first_blocks': 1, 'spec_freq_levels': 2},
            # k x k at level 2 only (level 1 keeps no block, so nothing there is k x k)
            'strided_freq_level2': {**strided, 'spec_freq_levels': 2},
            # time dilation growing 2x (3x) along each level's blocks: a wider time context, no more weights or FLOPs
            'strided_dilation2': {**strided, 'spec_dilation': 2},
            'strided_dilation3': {**strided, 'spec_dilation': 3},
            'strided_no_dropout': {**strided, 'dropout_p': 0.0},  # no dropout in the decoder blocks
            'strided_branch_dropout': branch,
            # strided_freq_levels with today's branch dropout (its blocks no longer drop out residual sums)
            'strided_freq_levels_branch': {**branch, 'spec_first_blocks': 1, 'spec_freq_levels': 2},
            # today's default with a full-resolution correction of the mask logits (16 channels, 3 x 3)
            'strided_refine16': {**branch, 'spec_refine': 16},
            # both of the two above: does their gain add up?
            'strided_freq_levels_refine16': {**branch, 'spec_first_blocks': 1, 'spec_freq_levels': 2,
                                             'spec_refine': 16},
            # branch dropout at half, twice, four and eight times 1e-3, the recipe's rate until 2e-3 won (2026-12-03)
            **{f'strided_lr{name}': {**branch, 'lr': float(name)} for name in ('5e-4', '2e-3', '4e-3', '8e-3')},
            # cosine decay from four and eight times 1e-3 to 1e-6 over the 512-step run (32 epochs of 256 examples)
            **{f'strided_cosine{name}': {**branch, 'lr': float(name), 'lr_scheduler': 'cosine', 'epochs': 32}
               for name in ('4e-3', '8e-3')}}


def run_name(model: str, settings: dict) -> str:
    "A run's (and its row's) name: the model, with the settings that differ from its defaults."
    return f"{model} ({', '.join(f'{k}={v}' for k, v in settings.items())})" if settings else model


def runs_of(models: list | None, names: list | None = None, settings: dict | None = None) -> dict:
    """run name -> (model, settings): SpectrogramNetSimple in the U-Net designs `names` (default: pooled and strided),
    or `models` in their default configuration with `settings` applied."""
    if models: return {run_name(m, settings or {}): (m, settings or {}) for m in models}
    return {name: (MODEL, designs()[name]) for name in names or ['pooled', 'strided']}


def train(runs: Path, data: Path, cpu_minutes: float, samples_per_epoch: int, models: list | None = None,
          steps: int | None = None, names: list | None = None, settings: dict | None = None, first_core: int = 0,
          threads: int = 1):
    sys.path.insert(0, str(HERE))
    from train_pretrained import RECIPE, prepare
    recipe = dict(RECIPE, samples_per_epoch=samples_per_epoch)
    at_rate = {} if models else {'lr': 1e-3}  # the designs compare at the recipe's rate until 2026-12-03
    procs = []
    for core, (design, (model, overrides)) in enumerate(runs_of(models, names, settings).items()):
        folder = runs / design
        prepare(folder, model, data, 0, {**recipe, **at_rate, **overrides})
        code = (f"import sys; sys.path.insert(0, {str(HERE)!r}); from equal_cpu_time import train_one; "
                f"from pathlib import Path; train_one(Path({str(folder)!r}), {60 * cpu_minutes}, {steps}, {threads})")
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
        first = first_core + core * threads
        pin = ','.join(str(c % os.cpu_count()) for c in range(first, first + threads))
        procs.append(subprocess.Popen(['taskset', '-c', pin, sys.executable, '-c', code], env=env,
                                      stdout=open(runs / f'{design}.log', 'a'), stderr=subprocess.STDOUT))
    return max(p.wait() for p in procs)


def merge_rows(earlier: dict, rows: list, order: list | None = None) -> list:
    "A results file's rows with `rows` replacing those of the same designs (each row keeps its date and machine)."
    new = {r['design'] for r in rows}
    kept = [{'date': earlier.get('date'), 'machine': earlier.get('machine'), **r}
            for r in earlier['rows'] if r['design'] not in new]
    merged = kept + rows
    return sorted(merged, key=lambda r: order.index(r['design'])) if order else merged


def score(runs: Path, data: list, labels: list | None = None, models: list | None = None, steps: int | None = None,
          names: list | None = None, settings: dict | None = None, results: str | None = None):
    sys.path.insert(0, str(HERE))
    from cpu_hour import score as test_score
    from auralflow.trainer import load_checkpoint
    rows = []
    for design, (model, _) in runs_of(models, names, settings).items():
        folder = runs / design
        curve = [json.loads(line) for line in (folder / 'cpu_curve.jsonl').read_text().splitlines()]
        best = load_checkpoint(folder / 'checkpoint' / 'best.pt')
        scores = {f'{name} (dB)': test_score(folder, d) for name, d in zip(labels or [d.name for d in data], data)}
        rows.append(dict(design=design, cpu_s=curve[-1]['cpu_s'], steps=curve[-1]['step'],
                         best_step=best['state']['step'], **trained_with(folder, curve[-1]), **scores, curve=curve))
    out = HERE / 'results' / (results or ('one_cpu_hour.json' if models else 'equal_steps.json' if steps
                                          else 'equal_cpu_time.json'))
    from readme_tables import machine
    today = dict(date=str(datetime.date.today()), machine=machine())
    for r in rows: r.update(today)
    earlier = json.loads(out.read_text()) if out.is_file() else dict(rows=[])
    rows = merge_rows(earlier, rows, list(designs()) if not models else None)
    if models: models = [r['design'] for r in rows]
    goal = dict(target_steps=steps) if steps else {}
    out.write_text(json.dumps(dict(model=models or MODEL, **today, **goal, rows=rows), indent=1) + '\n')
    keys = [k for k in rows[0] if k != 'curve']
    print('| ' + ' | '.join(keys) + ' |\n|' + '---|' * len(keys))
    for r in rows: print('| ' + ' | '.join(str(r[k]) for k in keys) + ' |')


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('action', choices=['train', 'score'])
    p.add_argument('runs', type=Path)
    p.add_argument('--data', type=Path, nargs='+', required=True, help='train: the training set; score: test sets')
    p.add_argument('--cpu-minutes', type=float, default=60.0)
    p.add_argument('--samples-per-epoch', type=int, default=256)
    p.add_argument('--steps', type=int, help='stop each run at this step too; score writes results/equal_steps.json')
    p.add_argument('--core', type=int, default=0, help='train: the core of the first run (the next run takes the next '
                   'core), so that two invocations can run side by side')
    p.add_argument('--threads', type=int, default=1, help='train: torch threads and cores per run (default 1; more '
                   'only for --steps runs, whose CPU minutes then count every thread)')
    p.add_argument('--results', help='score: the file in benchmarks/results to add the rows to (default '
                   'one_cpu_hour.json with --models, else equal_steps.json with --steps, else equal_cpu_time.json)')
    p.add_argument('--labels', nargs='*', help='score: a name per test set for the table (default: folder names)')
    runs = p.add_mutually_exclusive_group()
    runs.add_argument('--models', nargs='*', help='default models to run side by side instead of the two U-Nets '
                      '(one core each: as many as the machine has cores); score adds them to results/one_cpu_hour.json')
    runs.add_argument('--designs', nargs='*', choices=list(designs()), help='the U-Net designs to run (default: pooled '
                      'strided), one core each in this order')
    p.add_argument('--set', nargs='*', default=[], metavar='KEY=VALUE', help='with --models: model settings (JSON '
                   'values), e.g. wave_lstm_stride=2; runs and rows are named "Model (KEY=VALUE)"')
    args = p.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from train_pretrained import parse_settings
    settings = parse_settings(args.set)
    if settings and not args.models: p.error('--set applies to --models runs')
    if not 1 <= args.threads <= os.cpu_count(): p.error(f'--threads must be 1 to {os.cpu_count()} (the cores here)')
    if args.action == 'train':
        return train(args.runs, args.data[0], args.cpu_minutes, args.samples_per_epoch, args.models, args.steps,
                     args.designs, settings, args.core, args.threads)
    score(args.runs, args.data, args.labels, args.models, args.steps, args.designs, settings, args.results)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
