"""Open-Unmix trained with Auralflow's pretrained recipe (same data, chunks, batches and budget), then scored.

    python benchmarks/openunmix_baseline.py train RUNS/OpenUnmix --data DATA --minutes 8.5   # or --steps 2496
    python benchmarks/openunmix_baseline.py score RUNS/OpenUnmix TEST [TEST ...]
    python benchmarks/openunmix_baseline.py hour RUNS/OpenUnmix TEST [TEST ...] --labels NAME [NAME ...]

`train` builds `openunmix.umxhq(pretrained=False)` (four OpenUnmix networks, one per target) and trains it the way
Open-Unmix trains (mixture magnitude in, MSE against each target's magnitude, Adam(W) at 1e-3) on the chunks that
`benchmarks/train_pretrained.py` feeds Auralflow's models: the same dataset, 3 s chunks, batch 16, 1024 chunks an epoch
with the same augmentations and seed. It stops after the epoch that passes `--minutes` or reaches `--steps`, writes
RUNS/OpenUnmix/last.pt every epoch and resumes from it. For an equal budget, run it beside train_pretrained.py on the
same GPU, or anywhere with `--steps` set to the step count of the model it is compared with.

`score` separates each TEST set's test split with the trained separator (Open-Unmix's own Wiener post-filter, one
iteration) through `auralflow.evaluate`, the code path of every other row, and adds the row "Open-Unmix (same recipe)"
to benchmarks/results/pretrained_scores.json, next to the sets that file already holds.

One CPU hour: with `train --cpu-minutes 60 --workers 0 --set samples_per_epoch=256`, pinned to one core with one
thread (`OMP_NUM_THREADS=1 taskset -c 0 ...`), it trains the way `equal_cpu_time.py --models` trains Auralflow's
models: it stops before the epoch that would pass the budget of process CPU time, judged by its previous epoch, and
logs each epoch's CPU seconds. `hour` then adds its row "Open-Unmix umxhq" to benchmarks/results/one_cpu_hour.json
(CPU time, steps, and the mean of the four targets' median SI-SDR on each TEST set, named by `--labels`). It has no
validation, so its last weights are scored.
"""
import argparse
import json
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).parent))
from train_pretrained import RECIPE, apply_overrides, describe, device_name  # noqa: E402

RESULTS = Path(__file__).parent / 'results' / 'pretrained_scores.json'
ROW = 'Open-Unmix (same recipe)'
HOUR_ROW = 'Open-Unmix umxhq'  # its row in one_cpu_hour.json


def new_separator():
    import openunmix
    return openunmix.umxhq(pretrained=False)


class OpenUnmixModel(torch.nn.Module):
    "An Open-Unmix separator behind the interface `auralflow.separate` expects (targets, sample_rate, audio_channels)."
    def __init__(self, separator):
        super().__init__()
        self.separator, self.targets = separator, list(separator.target_models)
        self.sample_rate, self.audio_channels = int(separator.sample_rate), 2
    def forward(self, mixture): return self.separator(mixture)  # [B, K, C, T]


def training_step(separator, optimizer, max_norm: float = 5.0):
    "Open-Unmix's training step: mixture magnitude in, MSE against each target's magnitude, clipped update."
    nets = list(separator.target_models.values())
    params = [p for net in nets for p in net.parameters()]
    magnitude = lambda x: separator.complexnorm(separator.stft(x))  # [B, C, F, N]
    def step(mixture, targets):
        optimizer.zero_grad(set_to_none=True)
        X = magnitude(mixture)
        loss = sum(F.mse_loss(net(X), magnitude(targets[:, k].contiguous())) for k, net in enumerate(nets))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, max_norm)
        optimizer.step()
        return float(loss.detach())
    return step


def datasets(data: Path):
    "Training and validation sets exactly as the recipe's Auralflow runs get them."
    from auralflow.config import config_template, update_config
    from auralflow.trainer import make_datasets
    recipe = {k: v for k, v in RECIPE.items()
              if k in ('batch_size', 'samples_per_epoch', 'chunk_seconds', 'valid_seconds')}
    cfg = update_config(config_template('SpectrogramNetSimple'), dataset=str(data), **recipe)
    train, valid, _ = make_datasets(cfg, data)
    return train, valid


def train(folder: Path, data: Path, minutes: float, workers: int, steps: int | None = None,
          cpu_minutes: float | None = None) -> dict:
    from auralflow.datasets import create_dataloader
    from auralflow.trainer import save_checkpoint
    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    separator = new_separator().to(device)
    nets = list(separator.target_models.values())
    params = [p for net in nets for p in net.parameters()]
    optimizer = torch.optim.AdamW(params, lr=RECIPE.get('lr', 1e-3), weight_decay=1e-5)  # Open-Unmix's own rate
    state = {'epoch': 0, 'step': 0, 'cpu_s': 0.0, 'threads': torch.get_num_threads(), 'data': describe(data),
             'history': []}
    checkpoint = folder / 'last.pt'
    if checkpoint.is_file():
        saved = torch.load(checkpoint, map_location=device, weights_only=True)
        separator.load_state_dict(saved['model']); optimizer.load_state_dict(saved['optimizer'])
        state = {**state, **saved['state']}  # runs saved before 2026-12-03 lack the CPU clock: it starts at 0
    train_set, _ = datasets(data)
    loader = create_dataloader(train_set, RECIPE['batch_size'], workers, epoch=state['epoch'],
                               pin_memory=device.type == 'cuda')
    step = training_step(separator, optimizer)
    torch.manual_seed(state['epoch'])
    start, clock, epoch_cpu = time.monotonic(), time.process_time() - state.get('cpu_s', 0.0), 0.0
    within_cpu = lambda: cpu_minutes is None or state['cpu_s'] + epoch_cpu <= 60 * cpu_minutes  # judged by the last epoch
    while time.monotonic() - start < 60 * minutes and (steps is None or state['step'] < steps) and within_cpu():
        for net in nets: net.train()
        losses = []
        for mixture, targets in loader:
            losses.append(step(mixture.to(device), targets.to(device))); state['step'] += 1
        state['epoch'] += 1
        cpu_s = round(time.process_time() - clock, 1)
        epoch_cpu, state['cpu_s'] = cpu_s - state.get('cpu_s', 0.0), cpu_s
        state['history'].append({'epoch': state['epoch'], 'step': state['step'], 'cpu_s': cpu_s,
                                 'train_loss': sum(losses) / len(losses)})
        save_checkpoint({'model': separator.state_dict(), 'optimizer': optimizer.state_dict(), 'state': state,
                         'trained_on': f"{describe(data)}; {state['step']} steps of batch {RECIPE['batch_size']} x "
                                       f"{RECIPE['chunk_seconds']:g} s on {device_name()}"}, checkpoint)
        loss = state['history'][-1]['train_loss']
        print(f"epoch {state['epoch']}  train {loss:.4f}  steps {state['step']}", flush=True)
    return state


def load(folder: Path) -> OpenUnmixModel:
    separator = new_separator()
    separator.load_state_dict(torch.load(folder / 'last.pt', map_location='cpu', weights_only=True)['model'])
    return OpenUnmixModel(separator).eval()


def score(folder: Path, tests: list, split: str = 'test', results: Path = RESULTS) -> list:
    "Score the trained separator on each test set and add its row to the results file; returns the rows."
    sys.path.insert(0, str(Path(__file__).parent))
    from pretrained_scores import describe as describe_set, medians, put_row
    from auralflow.evaluate import evaluate
    model = load(folder)
    table = json.loads(results.read_text()) if results.is_file() else {'sets': []}
    rows = []
    for root in map(Path, tests):
        row = {'method': ROW, **medians(evaluate(model, root, split, progress=False, name='OpenUnmix'))}
        put_row(table, describe_set(root, split), row)
        rows.append(row); print(row, flush=True)
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(table, indent=1) + '\n')
    return rows


def score_hour(folder: Path, tests: list, labels: list) -> dict:
    "Add the one-CPU-hour run's row to results/one_cpu_hour.json, replacing an earlier one; returns it."
    from auralflow.evaluate import evaluate
    from cpu_hour import mean_of_medians
    from equal_cpu_time import merge_rows
    from readme_tables import machine
    state = torch.load(folder / 'last.pt', map_location='cpu', weights_only=True)['state']
    model = load(folder)
    scores = {f'{label} (dB)': mean_of_medians(evaluate(model, root, 'test', progress=False, name='OpenUnmix'))
              for label, root in zip(labels, tests)}
    today = dict(date=time.strftime('%Y-%m-%d'), machine=machine())
    row = dict(design=HOUR_ROW, cpu_s=state['cpu_s'], steps=state['step'], best_step=state['step'],
               precision='float32', threads=state['threads'], data=state['data'], **scores, **today,
               curve=state['history'])
    out = Path(__file__).parent / 'results' / 'one_cpu_hour.json'
    saved = json.loads(out.read_text())
    rows = merge_rows(saved, [row])
    out.write_text(json.dumps(dict(saved, model=[r['design'] for r in rows], rows=rows), indent=1) + '\n')
    print({k: v for k, v in row.items() if k != 'curve'}, flush=True)
    return row


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='command', required=True)
    t = sub.add_parser('train'); t.add_argument('folder', type=Path); t.add_argument('--data', type=Path, required=True)
    t.add_argument('--minutes', type=float, default=60.0); t.add_argument('--workers', type=int, default=4)
    t.add_argument('--steps', type=int, help='stop after the epoch that reaches this many steps in all (a budget that '
                   'does not depend on the hardware: match the step count of the model it is compared with)')
    t.add_argument('--cpu-minutes', type=float, help='stop before the epoch that would pass this much process CPU '
                   'time (with --workers 0, so that it counts the data loading too)')
    t.add_argument('--set', nargs='*', default=[], metavar='KEY=VALUE',
                   help='recipe overrides, e.g. samples_per_epoch=32')
    s = sub.add_parser('score'); s.add_argument('folder', type=Path); s.add_argument('tests', type=Path, nargs='+')
    s.add_argument('--results', type=Path, default=RESULTS)
    h = sub.add_parser('hour', help="add the run's row to results/one_cpu_hour.json")
    h.add_argument('folder', type=Path); h.add_argument('tests', type=Path, nargs='+')
    h.add_argument('--labels', nargs='+', required=True, help='the test sets\' names, e.g. "test set 3"')
    a = p.parse_args(argv)
    if a.command == 'train':
        apply_overrides(a.set)
        train(a.folder, a.data.resolve(), a.minutes, a.workers, a.steps, a.cpu_minutes)
    elif a.command == 'hour':
        if len(a.labels) != len(a.tests): p.error('give one --labels name per test set')
        score_hour(a.folder, a.tests, a.labels)
    else: score(a.folder, a.tests, results=a.results)


if __name__ == '__main__':
    main()
