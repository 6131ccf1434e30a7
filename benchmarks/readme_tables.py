"""Regenerate the tables of README.md (via nbs/index.ipynb) from measurements, never by hand.

    python benchmarks/readme_tables.py params            # parameter counts of the seven models (default config)
    python benchmarks/readme_tables.py scores RESULTS    # SI-SDR table from a results JSON (see --help)

Each table replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->` in a markdown cell of
nbs/index.ipynb; then README.md is rebuilt with `python .ci/build_docs.py --readme`.
"""
import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
INDEX = ROOT / 'nbs' / 'index.ipynb'
PROMISED = {'SpectrogramNetSimple': 7.9, 'SpectrogramNetLSTM': 32.3, 'SpectrogramNetVAE': 40.0, 'AudioNetSimple': 7.9,
            'AudioNetSimpleLSTM': 32.3, 'AudioNetVAE': 40.0, 'HybridNet': 65.5}  # millions, the 2022 README's table


def replace_block(name: str, text: str, path: Path = INDEX):
    "Put `text` between the `name` markers of the notebook's markdown cells."
    nb = nbformat.read(path, as_version=4)
    pattern = re.compile(rf'(<!-- {name}:start -->).*?(<!-- {name}:end -->)', re.S)
    hits = [c for c in nb.cells if c.cell_type == 'markdown' and pattern.search(c.source)]
    if len(hits) != 1: sys.exit(f'expected one block named {name!r} in {path}, found {len(hits)}')
    hits[0].source = pattern.sub(lambda m: f'{m.group(1)}\n{text}\n{m.group(2)}', hits[0].source)
    nbformat.write(nb, path)


WHERE = {None: 'no (recipe only)', 'package': 'in the package (generated data)',
         'download': 'download (generated data)', 'unpublished': 'no (file not published)'}


def where_pretrained(entry) -> str:
    "Where a model's pretrained weights are: in the package, at a URL, or nowhere yet."
    return WHERE[entry and entry.availability]


def params_table() -> str:
    import torch
    from auralflow.models import create_model, list_models
    from auralflow.pretrained import read_registry
    shipped = read_registry()
    rows = ['| Model | Domain | Parameters (counted) | Promised (2022) | Pretrained | Trainable |',
            '|---|---|---|---|---|---|']
    for name in list_models():
        model = create_model(name)
        count = sum(p.numel() for p in model.parameters()) / 1e6
        domain = 'both' if name == 'HybridNet' else 'spectrogram' if name.startswith('Spectrogram') else 'waveform'
        pretrained = where_pretrained(shipped.get(name))
        trainable = 'yes' if any(p.requires_grad for p in model.parameters()) else 'no'
        rows.append(f'| {name} | {domain} | {count:.1f} M | {PROMISED[name]} M | {pretrained} | {trainable} |')
    return '\n'.join(rows)


def scores_table(results: dict) -> str:
    "results: {'sets': [{'data': '...', 'rows': [{'method': ..., 'vocals': dB, ...}, ...]}, ...]}: one table per set."
    targets = ['vocals', 'drums', 'bass', 'other']
    tables = []
    for n, s in enumerate(results['sets'], 1):
        rows = [f'| Method | {" | ".join(targets)} | mean |', '|---|' + '---|' * (len(targets) + 1)]
        for r in s['rows']:
            values = [r[t] for t in targets]
            cells = [f'{round(v, 1) + 0.0:+.1f}' for v in values + [sum(values) / len(values)]]  # no -0.0
            rows.append(f'| {r["method"]} | ' + ' | '.join(cells) + ' |')
        tables.append(f'**Test set {n}**: {s["data"]}. Median SI-SDR (dB) over tracks.\n\n' + '\n'.join(rows))
    return '\n\n'.join(tables)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='table', required=True)
    sub.add_parser('params', help='parameter counts of every model at its default configuration')
    p = sub.add_parser('scores', help='SI-SDR table from a results JSON written by benchmarks/pretrained_scores.py')
    p.add_argument('results', type=Path)
    args = parser.parse_args(argv)
    text = params_table() if args.table == 'params' else scores_table(json.loads(args.results.read_text()))
    replace_block(args.table, text)
    print(text)
    subprocess.run([sys.executable, str(ROOT / '.ci' / 'build_docs.py'), '--readme'], check=True)


if __name__ == '__main__':
    main()
