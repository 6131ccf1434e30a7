"""Score the shipped pretrained models, the oracle ideal ratio mask and the do-nothing baseline on a test split.

    python benchmarks/pretrained_scores.py DATA [DATA ...] [--out benchmarks/results/pretrained_scores.json]

Each DATA is a dataset folder (e.g. one written by `auralflow generate`), scored separately. Every number is the median over the split's
tracks of the per-track median SI-SDR (dB), computed by `auralflow.evaluate.evaluate` — the same code path as
`auralflow evaluate NAME --dataset DATA`, so that command reproduces the table. The scores are also recorded in the
pretrained registry, and `python benchmarks/readme_tables.py scores OUT` puts them in the README.
"""
import argparse
import json
from pathlib import Path

from auralflow.evaluate import evaluate
from auralflow.pretrained import load_pretrained, read_registry, write_registry

TARGETS = ['vocals', 'drums', 'bass', 'other']


def describe(root: Path, split: str) -> str:
    "What the data is, for every caption."
    manifest = root / 'auralflow_generate.json'
    count = len([p for p in (root / split).iterdir() if p.is_dir()])
    if not manifest.exists(): return f'{count} tracks of {root.name}/{split}'
    p = json.loads(manifest.read_text())['parameters']
    return (f"{count} generated songs of {p['seconds']:g} s ({split} split of `auralflow generate --tracks {p['tracks']} "
            f"--seconds {p['seconds']:g} --seed {p['seed']} --split-test {p['split_test']} --backend {p['backend']}`, generator v{p.get('generator_version', 1)}; "
            f"rendered, not recorded)")


def medians(results, column='SI-SDR') -> dict:
    return {t: round(float(results[results.target == t][column].median()), 2) for t in TARGETS}


def score_set(root: Path, split: str, registry: dict) -> dict:
    "Baseline, every shipped model and the IRM oracle on one dataset's split: {'data': ..., 'rows': [...]}."
    data = describe(root, split)
    oracle = evaluate(None, root, split, targets=TARGETS, oracle='irm', progress=False)
    baseline = oracle.assign(**{'SI-SDR': oracle['SI-SDR'] - oracle['SI-SDRi']})  # the mixture as every estimate
    rows = [{'method': 'mixture as estimate (no separation)', **medians(baseline)}]
    for name, entry in sorted(registry.items()):
        scores = medians(evaluate(load_pretrained(name, progress=False), root, split, progress=False))
        rows.append({'method': f'{name} (pretrained)', **scores})
        entry.scores.setdefault('test sets', []).append({'data': data, 'SI-SDR median (dB)': scores})
    rows.append({'method': 'oracle ideal ratio mask (upper bound for masks)', **medians(oracle)})
    for r in rows: print(r, flush=True)
    return {'data': data, 'rows': rows}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('data', type=Path, nargs='+')
    parser.add_argument('--split', default='test')
    parser.add_argument('--out', type=Path, default=Path(__file__).parent / 'results' / 'pretrained_scores.json')
    args = parser.parse_args(argv)
    registry = read_registry()
    for entry in registry.values(): entry.scores = {}
    sets = [score_set(root, args.split, registry) for root in args.data]
    write_registry(registry)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({'sets': sets}, indent=1) + '\n')


if __name__ == '__main__':
    main()
