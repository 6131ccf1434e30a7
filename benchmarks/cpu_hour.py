"""What a time-boxed CPU training run gives: steps, and SI-SDR on the README's test sets.

Train first, for example one CPU hour on 2 cores with the README's recipe and data:

    python benchmarks/train_pretrained.py runs --models SpectrogramNetSimple --generate 256 --jobs 16 --minutes 55
    python benchmarks/cpu_hour.py runs/SpectrogramNetSimple --data synth soundfont --minutes 55

where `synth` and `soundfont` are test sets of the README (`auralflow generate DIR --tracks 10 --seconds 20 --seed 1
--split-test 10 --backend synth|soundfont --generator-version 3` renders sets 3 and 4; `--generator-version 4`
renders sets 5 and 6). Each training folder's best checkpoint is scored with
`auralflow.evaluate.evaluate` (the code of `auralflow evaluate FOLDER --dataset DATA`); every number is the median over
the tracks of a target, then the mean over the four targets, as in the README's tables. The results are printed as a
table row per folder and written to benchmarks/results/cpu_hour.json.
"""
import argparse
import json
import os
from pathlib import Path

import torch

from auralflow.evaluate import evaluate
from auralflow.separate import load_model
from auralflow.trainer import load_checkpoint

TARGETS = ['vocals', 'drums', 'bass', 'other']


def mean_of_medians(results) -> float:
    "Mean over targets of the median SI-SDR (dB) over tracks, from `auralflow.evaluate`'s table."
    return round(sum(results[results.target == t]['SI-SDR'].median() for t in TARGETS) / len(TARGETS), 2)


def score(folder: Path, data: Path) -> float:
    "Mean over targets of the median SI-SDR (dB) of `folder`'s best model on `data`'s test split."
    return mean_of_medians(evaluate(load_model(folder), data, 'test', progress=False))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('folders', type=Path, nargs='+', help='training folders')
    p.add_argument('--data', type=Path, nargs='+', required=True, help='test sets (dataset folders with a test split)')
    p.add_argument('--minutes', type=float, required=True, help='the time box the folders were trained with')
    p.add_argument('--out', type=Path, default=Path(__file__).parent / 'results' / 'cpu_hour.json')
    args = p.parse_args(argv)
    rows = []
    for folder in args.folders:
        last, best = (load_checkpoint(folder / 'checkpoint' / f'{n}.pt') for n in ('last', 'best'))
        config = json.loads((folder / 'config.json').read_text())
        rows.append({'model': last['model_name'], 'unet': config['model'].get('unet', 'pooled'),
                     'minutes': args.minutes, 'cores': os.cpu_count(), 'steps': last['state']['step'],
                     'best step': best['state']['step'], 'torch': torch.__version__,
                     **{f'{d.name} (dB)': score(folder, d) for d in args.data}})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=1) + '\n')
    keys = list(rows[0])
    print('| ' + ' | '.join(keys) + ' |\n|' + '---|' * len(keys))
    for r in rows: print('| ' + ' | '.join(str(r[k]) for k in keys) + ' |')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
