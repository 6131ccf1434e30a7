"""Should newly trained weights replace a shipped model's? Score them on the test sets beside the shipped ones.

    python benchmarks/compare_weights.py CANDIDATE DATA [DATA ...] [--must DATA ...]

CANDIDATE is a weight file (e.g. one written by `train_pretrained.py --publish`), a checkpoint or a training folder;
its model class names the shipped model it would replace. Each DATA is a test set folder, scored with
`auralflow.evaluate.evaluate` exactly as `pretrained_scores.py` scores the shipped models, whose recorded scores
(the registry's) are the comparison; a set they lack is scored now. The table gives the mean over the four stems of
the median SI-SDR, as README's results do. The replacement rule (README): replace only when the candidate is at least
as good on every set of `--must` (default: every DATA), to the 0.1 dB the README shows. Exit status 0 means replace,
1 keep.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from pretrained_scores import TARGETS, describe, medians  # noqa: E402

from auralflow.evaluate import evaluate  # noqa: E402
from auralflow.persistence import load_model  # noqa: E402
from auralflow.pretrained import load_pretrained, read_registry  # noqa: E402


def mean(scores: dict) -> float:
    return round(sum(scores[t] for t in TARGETS) / len(TARGETS), 1)


def shipped_scores(name: str, root: Path, split: str) -> dict:
    "The shipped model's medians on one set: recorded in the registry, or measured now."
    recorded = {s['data']: s['SI-SDR median (dB)'] for s in read_registry()[name].scores.get('test sets', [])}
    data = describe(root, split)
    if data in recorded: return recorded[data]
    return medians(evaluate(load_pretrained(name, progress=False), root, split, progress=False))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('candidate')
    parser.add_argument('data', type=Path, nargs='+')
    parser.add_argument('--must', type=Path, nargs='+', help='the sets on which it must be at least as good '
                        '(default: all)')
    parser.add_argument('--split', default='test')
    args = parser.parse_args(argv)
    candidate = load_model(args.candidate)
    name = type(candidate).__name__
    if name not in read_registry(): parser.error(f"{name} has no shipped weights to compare with")
    must = {p.resolve() for p in args.must or args.data}
    print(f'| test set | {name} shipped | candidate | difference |\n|---|---|---|---|')
    better = True
    for root in args.data:
        old = mean(shipped_scores(name, root, args.split))
        new = mean(medians(evaluate(candidate, root, args.split, progress=False)))
        better &= new >= old or root.resolve() not in must
        print(f'| {root} | {old:+.1f} | {new:+.1f} | {new - old:+.1f} |', flush=True)
    print(f"{'replace' if better else 'keep'}: the candidate is {'' if better else 'not '}at least as good on "
          + ', '.join(str(p) for p in args.must or args.data))
    return 0 if better else 1


if __name__ == '__main__':
    sys.exit(main())
