"""Score the shipped pretrained models, the oracle ideal ratio mask and the do-nothing baseline on a test split.

    python benchmarks/pretrained_scores.py DATA [DATA ...] [--out benchmarks/results/pretrained_scores.json]
    python benchmarks/pretrained_scores.py DATA [DATA ...] --models SpectrogramNetLSTM   # add or rescore one model

Each DATA is a dataset folder (e.g. one written by `auralflow generate`), scored separately. Every number is the
median over the split's tracks of the per-track median SI-SDR (dB), computed by `auralflow.evaluate.evaluate`, the
code behind `auralflow evaluate NAME --dataset DATA`, so that command reproduces the table. The scores are also
recorded in the pretrained registry, and `python benchmarks/readme_tables.py scores OUT` puts them in the README.
Only the rows of the scored models change; every other row is kept (Open-Unmix's, for one, which
`openunmix_baseline.py score` adds, and those of registry models whose weights are not on this machine). Without
`--models` every pretrained model with weights here is scored. A test set new to the file also gets the baseline and
oracle rows. `--fresh` starts the results file and the scored models' registry scores over.

When a model's shipped weights are replaced, `--retire NAME="earlier weights: LINEAGE"` first renames that model's
existing rows (in every set, including those that can no longer be rendered) so that they stay in the tables beside the
new weights' rows, e.g.

    python benchmarks/pretrained_scores.py DATA ... --models SpectrogramNetSimple \
        --retire SpectrogramNetSimple="earlier weights: generator v1 synth only"
"""
import argparse
import json
from pathlib import Path

from auralflow.evaluate import evaluate
from auralflow.models import list_models
from auralflow.pretrained import list_pretrained, load_pretrained, read_registry, write_registry

TARGETS = ['vocals', 'drums', 'bass', 'other']


def describe(root: Path, split: str) -> str:
    "What the data is, for every caption."
    manifest = root / 'auralflow_generate.json'
    count = len([p for p in (root / split).iterdir() if p.is_dir()])
    if not manifest.exists(): return f'{count} tracks of {root.name}/{split}'
    p = json.loads(manifest.read_text())['parameters']
    version = p.get('generator_version', 1)
    flag = f' --generator-version {version}' if version >= 3 else ''  # the versions `auralflow generate` can still render
    return (f"{count} generated songs of {p['seconds']:g} s ({split} split of `auralflow generate "
            f"--tracks {p['tracks']} --seconds {p['seconds']:g} --seed {p['seed']} --split-test {p['split_test']} "
            f"--backend {p['backend']}{flag}`, generator v{version}; rendered, not recorded)")


def medians(results, column='SI-SDR') -> dict:
    return {t: round(float(results[results.target == t][column].median()), 2) for t in TARGETS}


BASELINE = 'mixture as estimate (no separation)'
ORACLE = 'oracle ideal ratio mask (a reference, not a bound)'


def row_rank(row: dict) -> tuple:
    "Table order: the baseline, the pretrained models by name, other methods, the oracle."
    method = row['method']
    if method == BASELINE: return (0, '')
    if method == ORACLE: return (3, '')
    return (1, method) if method.split(' ')[0] in list_models() else (2, '')


def row_label(entry) -> str:
    "A model's row label: how its weights can be had."
    return 'weights not published' if entry.availability == 'unpublished' else 'pretrained'


def put_row(table: dict, data: str, row: dict):
    "Add `row` to the set described by `data` in a results table, replacing the row of the same method."
    entry = next((s for s in table['sets'] if s['data'] == data), None)
    if entry is None: entry = {'data': data, 'rows': []}; table['sets'].append(entry)
    entry['rows'] = sorted([r for r in entry['rows'] if r['method'] != row['method']] + [row], key=row_rank)


def retire_rows(table: dict, name: str, label: str) -> int:
    "Rename the rows of `name`'s current weights to `name (label)` in every set; the number renamed."
    current = {f'{name} (pretrained)', f'{name} (weights not published)'}
    renamed = 0
    for entry in table['sets']:
        if any(r['method'] == f'{name} ({label})' for r in entry['rows']):
            raise SystemExit(f"--retire {name}: {entry['data']} already has a row '{name} ({label})'; "
                             "choose another label")
        for row in entry['rows']:
            if row['method'] in current: row['method'] = f'{name} ({label})'; renamed += 1
        entry['rows'].sort(key=row_rank)
    return renamed


def parse_retire(item: str) -> tuple:
    "`NAME=LABEL` as (NAME, LABEL); one line if malformed."
    name, eq, label = item.partition('=')
    if not (name and eq and label.strip()):
        raise SystemExit(f"--retire {item!r}: give NAME=LABEL, e.g. "
                         "SpectrogramNetSimple='earlier weights: generator v1 synth only'")
    return name, label.strip()


def score_set(table: dict, root: Path, split: str, registry: dict, names: list):
    "Score the models `names` on one dataset's split (and the baseline and IRM oracle, if the table lacks this set)."
    data = describe(root, split)
    if not any(s['data'] == data for s in table['sets']):
        oracle = evaluate(None, root, split, targets=TARGETS, oracle='irm', progress=False)
        baseline = oracle.assign(**{'SI-SDR': oracle['SI-SDR'] - oracle['SI-SDRi']})  # the mixture as every estimate
        put_row(table, data, {'method': BASELINE, **medians(baseline)})
        put_row(table, data, {'method': ORACLE, **medians(oracle)})
    for name in names:
        scores = medians(evaluate(load_pretrained(name, progress=False), root, split, progress=False))
        put_row(table, data, {'method': f'{name} ({row_label(registry[name])})', **scores})
        sets = registry[name].scores.setdefault('test sets', [])
        sets[:] = [s for s in sets if s['data'] != data] + [{'data': data, 'SI-SDR median (dB)': scores}]
        print(name, scores, flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('data', type=Path, nargs='+')
    parser.add_argument('--split', default='test')
    parser.add_argument('--models', nargs='+', metavar='NAME', help='score only these pretrained models (default: '
                        'every one whose weights are on this machine)')
    parser.add_argument('--fresh', action='store_true', help='start the results file and the scored models\' '
                        'registry scores over, instead of replacing their rows')
    parser.add_argument('--retire', nargs='+', default=[], metavar='NAME=LABEL', help='keep the rows of NAME\'s '
                        'replaced weights, renamed to "NAME (LABEL)", before scoring its new weights')
    parser.add_argument('--out', type=Path, default=Path(__file__).parent / 'results' / 'pretrained_scores.json')
    args = parser.parse_args(argv)
    registry = read_registry()
    unknown = set(args.models or []) - set(registry)
    if unknown: parser.error(f"not in the pretrained registry: {', '.join(sorted(unknown))}")
    names = args.models or list_pretrained(registry)
    if kept := sorted(set(registry) - set(names)): print(f"keeping the recorded scores of {', '.join(kept)}")
    if args.fresh:
        for name in names: registry[name].scores = {}
    table = json.loads(args.out.read_text()) if args.out.is_file() and not args.fresh else {'sets': []}
    for name, label in map(parse_retire, args.retire):
        if name not in names: parser.error(f"--retire {name}: give it to --models too, to score its new weights")
        print(f"{name}: {retire_rows(table, name, label)} rows kept as '{name} ({label})'")
    for root in args.data: score_set(table, root, args.split, registry, names)
    write_registry(registry)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(table, indent=1) + '\n')


if __name__ == '__main__':
    main()
