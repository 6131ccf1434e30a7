"""Train pretrained models with the fixed recipe, time-boxed, on generated songs; optionally publish their weights.

    python benchmarks/train_pretrained.py RUNS --models SpectrogramNetSimple AudioNetSimple \\
        --generate 256 --minutes 6 --publish WEIGHTS_DIR

1. Data: `--data DATA` uses a dataset folder; `--generate N` renders N training songs into RUNS/data with
   `auralflow.generate` (`--seed`), in `--jobs` processes; the songs do not depend on `--jobs`, so the set is the same
   on any machine for the same arguments and installed SoundFonts (before 2026-12-01 each process rendered its own seed,
   `--seed + j`, so the set changed with `--jobs`). `--backend` is the generator's default `mixed` (generator 6:
   FluidR3_GM, TimGM6mb, Csound's GM bank, OPL3 FM and two recorded AVL drum kits through FluidSynth, and the
   built-in synths, with generator 6's effect chains), `synth` or `soundfont`; never `heldout` (the test set's sounds).
   A backend that cannot run here stops the script before rendering (no silent fallback to synth).
   RUNS/data/recipe_data.json records the generator version, backend and SoundFonts used; `--publish` copies that
   into each model's `trained_on`.
2. Every model of `--models` trains at its default size from the recipe below, all at once (one process each, on the
   same GPU if there is one), each stopping cleanly after the epoch that passes `--minutes`. Rerunning resumes.
3. `--openunmix` trains Open-Unmix (umxhq, four networks) beside them on the same data and budget.
4. `--smoke M ...` trains the models M for two short epochs (CUDA, AMP) to show they run there, keeping nothing.
5. `--init` fine-tunes: each model starts from its shipped weights (and the design stored with them) instead of from
   scratch, so that training goes on from the last published weights; `trained_on` and config.json record the source.
6. `--publish DIR` exports each trained model's best checkpoint as an int8 weight file + registry entry in DIR
   (with `--minutes 0`, what earlier runs trained is published without training more).

The recipe: 3 s chunks, batch 16, 1024 chunks an epoch with gain/channel-swap/remix augmentation, AdamW at the model's
default rate (`auralflow.config.default_lr`: 2e-3 for SpectrogramNetSimple's strided U-Net since 2026-12-03, else
1e-3; every shipped model trained at 1e-3 or was fine-tuned at 3e-4), plateau schedule, L1 loss on waveforms (+ 0.01
KL for the VAEs), AMP on CUDA, validation on held-out training songs every epoch.
"""
import argparse
import contextlib
import json
import multiprocessing
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

RECIPE = dict(batch_size=16, samples_per_epoch=1024, chunk_seconds=3.0, valid_seconds=10.0, epochs=1000,
              lr_patience=8, patience=40, amp=True, evaluate=False, tensorboard=False, image_every=0, audio_every=0)


def parse_settings(items: list) -> dict:
    "`--set KEY=VALUE ...` as a dict (VALUE in JSON, e.g. samples_per_epoch=32 or amp=false); one line if malformed."
    settings = {}
    for item in items:
        key, eq, value = item.partition('=')
        try:
            if not (key and eq): raise ValueError
            settings[key] = json.loads(value)
        except ValueError:  # json.JSONDecodeError is one
            raise SystemExit(f"--set {item!r}: give KEY=VALUE with a JSON value, e.g. batch_size=8 or amp=false")
    return settings


def apply_overrides(items: list):
    "Update RECIPE from `--set KEY=VALUE ...`."
    RECIPE.update(parse_settings(items))


def check_backend(backend: str):
    "Stop (one line on stderr, exit 1) unless `backend` renders here as asked, without falling back to synth."
    from auralflow.core import UserError
    from auralflow.generate import resolve_backend
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        try: resolve_backend(backend)
        except (UserError, UserWarning) as e: raise SystemExit(f"train_pretrained: backend {backend}: {e}") from None


def generate(root: Path, tracks: int, seconds: float, seed: int, backend: str, jobs: int) -> Path:
    "Render `tracks` training songs into root/train in `jobs` processes (the songs depend on `seed`, not on `jobs`)."
    check_backend(backend)
    from auralflow.core import UserError
    from auralflow.generate import MANIFEST, generate_dataset
    try: generate_dataset(root, tracks=tracks, seconds=seconds, seed=seed, split_test=0, backend=backend,
                          progress=False, jobs=jobs)
    except UserError as e: raise SystemExit(f"train_pretrained: {e}") from None
    rendered = json.loads((root / MANIFEST).read_text())['parameters']  # as resolved by the generator
    record = dict(tracks=tracks, seconds=seconds, seed=seed, backend=rendered['backend'],
                  soundfonts=rendered['soundfont'], generator_version=rendered['generator_version'])
    (root / 'recipe_data.json').write_text(json.dumps(record, indent=1))
    return root


def prepare(folder: Path, model: str, data: Path, workers: int, overrides: dict, init: str | None = None):
    "A training folder for `model` with the recipe (kept as is when it exists, so a rerun resumes), from `init`'s weights."
    from auralflow.config import ConfigError, config_template, init_config, save_config, update_config
    if (folder / 'config.json').is_file(): return
    cfg = update_config(config_template(model), dataset=str(data.resolve()), num_workers=workers, **overrides)
    if init is not None:
        try: cfg = init_config(cfg, init, overrides)
        except ConfigError as e: raise SystemExit(f"train_pretrained: {model}: {e}") from None
    save_config(cfg, folder)


CLI = "import sys; from auralflow.cli import main; sys.exit(main(sys.argv[1:]))"  # `auralflow`, with this Python


def train_command(folder: Path, minutes: float) -> list:
    "`auralflow train FOLDER --max-minutes M`, run by this interpreter (whatever scripts folder it installs into)."
    return [sys.executable, '-c', CLI, 'train', str(folder), '--max-minutes', str(minutes), '--no-progress']


def train_all(runs: Path, models: list, minutes: float, openunmix: Path | None = None, workers: int = 4) -> dict:
    "Train every model (and Open-Unmix on `openunmix` data) in its own process at the same time; model -> exit status."
    procs = {}
    if openunmix is not None:
        procs['OpenUnmix'] = subprocess.Popen(
            [sys.executable, str(Path(__file__).parent / 'openunmix_baseline.py'), 'train', str(runs / 'OpenUnmix'),
             '--data', str(openunmix), '--minutes', str(minutes), '--workers', str(workers),
             '--set', *(f'{k}={json.dumps(v)}' for k, v in RECIPE.items())],  # the same recipe, overrides included
            stdout=open(runs / 'OpenUnmix.log', 'a'), stderr=subprocess.STDOUT)
    for m in models:
        log = open(runs / f'{m}.log', 'a')
        procs[m] = subprocess.Popen(train_command(runs / m, minutes), stdout=log, stderr=subprocess.STDOUT)
    return {m: p.wait() for m, p in procs.items()}


def smoke(runs: Path, models: list, data: Path, workers: int, recipe: dict):
    "Two short epochs of each model, to show it trains on this device; prints the losses and the time per step."
    from auralflow.trainer import train
    for m in models:
        folder = runs / 'smoke' / m
        short = dict(recipe, batch_size=8, samples_per_epoch=min(64, recipe['samples_per_epoch']), epochs=2)
        prepare(folder, m, data, workers, short)
        start = time.time()
        t = train(folder, progress=False)
        steps = t.state['step']
        print(f"smoke {m}: {steps} steps in {time.time() - start:.1f} s; "
              f"losses {[round(r['train_loss'], 4) for r in t.state['history']]}", flush=True)


def smoke_logged(log: Path, *args):
    "`smoke(*args)` with its output appended to `log` (the target of the background process of `--smoke`)."
    with open(log, 'a') as f, contextlib.redirect_stdout(f), contextlib.redirect_stderr(f): smoke(*args)


def describe(data: Path) -> str:
    "The training data, in words."
    recipe = data / 'recipe_data.json'
    if not recipe.is_file(): return f"dataset {data.name}"
    r = json.loads(recipe.read_text())
    if 'description' in r: return r['description']  # a set put together by hand, e.g. from two generated sets
    fonts = f"SoundFonts {r['soundfonts']}, " if r.get('soundfonts') else ''
    seeds = f"seed {r['seed']}" if 'seed' in r else f"seeds {r['seeds'][0]}-{r['seeds'][-1]}"  # before 2026-12-01
    return (f"{r['tracks']} songs of {r['seconds']:g} s rendered by `auralflow generate --backend {r['backend']}` "
            f"(generator v{r.get('generator_version', 1)}, {fonts}{seeds}; "
            "rendered, not recorded)")


def device_name() -> str:
    import torch
    return torch.cuda.get_device_name() if torch.cuda.is_available() else f'CPU ({os.cpu_count()} cores)'


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('runs', type=Path, help='folder for the training folders (and generated data)')
    p.add_argument('--models', nargs='*', default=['SpectrogramNetSimple'],
                   help='models to train (none: only --smoke or --openunmix)')
    p.add_argument('--data', type=Path, help='dataset folder (else --generate)')
    p.add_argument('--generate', type=int, metavar='N', help='render N training songs into RUNS/data')
    p.add_argument('--seconds', type=float, default=20.0)
    p.add_argument('--seed', type=int, default=100)
    p.add_argument('--backend', default='mixed', choices=['mixed', 'synth', 'soundfont'],
                   help="the generator's sounds for the training songs (never 'heldout': the test set's)")
    p.add_argument('--jobs', type=int, default=os.cpu_count())
    p.add_argument('--minutes', type=float, default=60.0,
                   help='training budget of this run, per model (0: train nothing, e.g. to --publish earlier runs)')
    p.add_argument('--workers', type=int, default=None,
                   help='data-loading processes per model (0: in the training process)')
    p.add_argument('--smoke', nargs='*', default=[], metavar='MODEL')
    p.add_argument('--openunmix', action='store_true',
                   help='train Open-Unmix beside them with the same recipe and budget '
                   '(benchmarks/openunmix_baseline.py; score it with its `score` command)')
    p.add_argument('--publish', type=Path, metavar='DIR')
    p.add_argument('--set', nargs='*', default=[], metavar='KEY=VALUE',
                   help='recipe overrides, e.g. samples_per_epoch=32')
    p.add_argument('--init', action='store_true',
                   help="fine-tune: each model starts from its own pretrained weights (its stored design, "
                   "a fresh optimizer; e.g. with --set lr=3e-4), instead of from scratch")
    a = p.parse_args(argv)
    apply_overrides(a.set)
    a.runs.mkdir(parents=True, exist_ok=True)
    start = time.time()
    data = a.data or generate(a.runs / 'data', a.generate, a.seconds, a.seed, a.backend, a.jobs)
    print(f"data ready in {time.time() - start:.0f} s: {data}", flush=True)
    workers = a.workers if a.workers is not None else max(  # 0 loads data in the training process
        1, (os.cpu_count() or 2) // max(1, len(a.models) + bool(a.smoke) + a.openunmix) - 1)
    for m in a.models: prepare(a.runs / m, m, data, workers, RECIPE, init=m if a.init else None)
    smoker = None
    if a.smoke:
        smoker = multiprocessing.get_context('spawn').Process(
            target=smoke_logged, args=(a.runs / 'smoke.log', a.runs, a.smoke, data, workers, RECIPE))  # with --set
        smoker.start()
    status = {}
    if a.minutes > 0: status = train_all(a.runs, a.models, a.minutes, data.resolve() if a.openunmix else None, workers)
    if smoker: smoker.join(); status['smoke'] = smoker.exitcode
    print(f"trained in {time.time() - start:.0f} s: {status}", flush=True)
    if a.publish:
        from auralflow.pretrained import publish_weights
        from auralflow.trainer import load_checkpoint
        for m in a.models:
            ck = a.runs / m / 'checkpoint' / 'last.pt'
            if not ck.is_file(): continue
            state = load_checkpoint(ck)['state']
            trained_on = (f"{describe(data)}; {state['step']} steps of batch {RECIPE['batch_size']} "
                          f"x {RECIPE['chunk_seconds']:g} s on {device_name()}; "
                          f"best validation loss kept (epoch {state['best_epoch']} of {len(state['history'])})")
            publish_weights(a.runs / m, trained_on, weights_dir=a.publish)
            print(f"published {m}: {state['step']} steps, best epoch {state['best_epoch']}", flush=True)
    return max(status.values(), default=0)


if __name__ == '__main__':
    sys.exit(main())
