"""Open-Unmix trained with Auralflow's pretrained recipe (same data, chunks, batches and budget), then scored.

    python benchmarks/openunmix_baseline.py train RUNS/OpenUnmix --data DATA --minutes 8.5   # or --steps 2496
    python benchmarks/openunmix_baseline.py score RUNS/OpenUnmix TEST [TEST ...]

`train` builds `openunmix.umxhq(pretrained=False)` (four OpenUnmix networks, one per target) and trains it the way
Open-Unmix trains (mixture magnitude in, MSE against each target's magnitude, Adam(W) at 1e-3) on the chunks that
`benchmarks/train_pretrained.py` feeds Auralflow's models: the same dataset, 3 s chunks, batch 16, 1024 chunks an epoch
with the same augmentations and seed. It stops after the epoch that passes `--minutes` or reaches `--steps`, writes
RUNS/OpenUnmix/last.pt every epoch and resumes from it. For an equal budget, run it beside train_pretrained.py on the
same GPU, or anywhere with `--steps` set to the step count of the model it is compared with.

`score` separates each TEST set's test split with the trained separator (Open-Unmix's own Wiener post-filter, one
iteration) through `auralflow.evaluate`, the code path of every other row, and adds the row "Open-Unmix (same recipe)"
to benchmarks/results/pretrained_scores.json, next to the sets that file already holds.
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


def train(folder: Path, data: Path, minutes: float, workers: int, steps: int | None = None) -> dict:
    from auralflow.datasets import create_dataloader
    from auralflow.trainer import save_checkpoint
    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    separator = new_separator().to(device)
    nets = list(separator.target_models.values())
    params = [p for net in nets for p in net.parameters()]
    optimizer = torch.optim.AdamW(params, lr=RECIPE.get('lr', 1e-3), weight_decay=1e-5)  # Open-Unmix's own rate
    state = {'epoch': 0, 'step': 0, 'history': []}
    checkpoint = folder / 'last.pt'
    if checkpoint.is_file():
        saved = torch.load(checkpoint, map_location=device, weights_only=True)
        separator.load_state_dict(saved['model']); optimizer.load_state_dict(saved['optimizer'])
        state = saved['state']
    train_set, _ = datasets(data)
    loader = create_dataloader(train_set, RECIPE['batch_size'], workers, epoch=state['epoch'],
                               pin_memory=device.type == 'cuda')
    step = training_step(separator, optimizer)
    torch.manual_seed(state['epoch'])
    start = time.monotonic()
    while time.monotonic() - start < 60 * minutes and (steps is None or state['step'] < steps):
        for net in nets: net.train()
        losses = []
        for mixture, targets in loader:
            losses.append(step(mixture.to(device), targets.to(device))); state['step'] += 1
        state['epoch'] += 1
        state['history'].append({'epoch': state['epoch'], 'train_loss': sum(losses) / len(losses)})
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


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='command', required=True)
    t = sub.add_parser('train'); t.add_argument('folder', type=Path); t.add_argument('--data', type=Path, required=True)
    t.add_argument('--minutes', type=float, default=60.0); t.add_argument('--workers', type=int, default=4)
    t.add_argument('--steps', type=int, help='stop after the epoch that reaches this many steps in all (a budget that '
                   'does not depend on the hardware: match the step count of the model it is compared with)')
    t.add_argument('--set', nargs='*', default=[], metavar='KEY=VALUE',
                   help='recipe overrides, e.g. samples_per_epoch=32')
    s = sub.add_parser('score'); s.add_argument('folder', type=Path); s.add_argument('tests', type=Path, nargs='+')
    s.add_argument('--results', type=Path, default=RESULTS)
    a = p.parse_args(argv)
    if a.command == 'train':
        apply_overrides(a.set)
        train(a.folder, a.data.resolve(), a.minutes, a.workers, a.steps)
    else: score(a.folder, a.tests, results=a.results)


if __name__ == '__main__':
    main()
