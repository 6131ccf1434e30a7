"""Where do the shipped models lose on the held-out test set: in its sounds or in its production?

    python benchmarks/heldout_factors.py OUT [--models SpectrogramNetSimple ...] [--check TEST_SET_7]

Test set 7 (`auralflow generate ... --seed 1 --backend heldout --generator-version 4`) changes two things at once
against the training data: the sounds (MuseScore General only, never used for training) and the production (effect
settings outside the training ranges, and a phaser). This script renders its ten compositions four ways, each factor
on its own, with `generate_track(..., effects=)`:

| variant | sounds | effect ranges |
|---|---|---|
| training | training ('mixed': the training SoundFonts and synths) | training |
| heldout-effects | training | held-out |
| heldout-sounds | held-out (MuseScore General) | training |
| heldout | held-out | held-out (= test set 7) |

and scores every shipped model (or `--models`, and a `--candidate` weight file) on each with
`auralflow.evaluate.evaluate`, as `pretrained_scores.py` does: per stem, the median over songs of the per-song median
SI-SDR; the table shows those and their mean. The songs are written to OUT/<variant>/test/ and the scores, per model
with the date and machine, to `--results` (benchmarks/results/heldout_factors.json); a second run renders and scores
only what is missing (a model is scored again when its shipped weights changed).
`--candidate PATH --record LABEL` keeps the candidate's scores under LABEL in `--candidates`
(benchmarks/results/heldout_candidates.json), with its source, date and machine, for experiments that README cites
but that are never shipped (e.g. `production_oracle.py`'s).
`--check DIR` first compares the 'heldout' variant with test set 7 as stored in DIR, sample for sample.

`--groups` adds one variant per group of effect settings (EFFECT_GROUPS): the training sounds and ranges, but that
group's settings drawn from their held-out ranges, and one with only the held-out phaser added, to tell which part of
the production costs the most.
"""
import argparse
import datetime
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from pretrained_scores import TARGETS, medians  # noqa: E402
from readme_tables import machine  # noqa: E402

from auralflow.audio import load_audio, save_audio  # noqa: E402
from auralflow.evaluate import evaluate  # noqa: E402
from auralflow import generate  # noqa: E402
from auralflow.generate import STEMS, compose, generate_track, track_name  # noqa: E402
from auralflow.persistence import load_model  # noqa: E402
from auralflow.pretrained import list_pretrained, load_pretrained, read_registry  # noqa: E402

SEED, TRACKS, SECONDS, VERSION = 1, 10, 20.0, 4  # test set 7's parameters
VARIANTS = {'training': ('mixed', 'training'), 'heldout-effects': ('mixed', 'heldout'),
            'heldout-sounds': ('heldout', 'training'), 'heldout': ('heldout', 'heldout')}
EFFECT_GROUPS = {'eq': ('eq_db', 'highpass_hz'), 'dynamics': ('threshold_db', 'ratio', 'bus_ratio', 'limit_db'),
                 'drive': ('drive_db',), 'chorus': ('chorus_hz',),
                 'space': ('delay_feedback', 'delay_mix', 'room_size', 'reverb_wet'), 'width': ('width',)}


def mean(scores: dict) -> float:
    return sum(scores[t] for t in TARGETS) / len(TARGETS)


def show(name: str, scores: dict, variants):
    "The table rows of one model: the mean over stems, then each stem."
    print(f'| {name} | ' + ' | '.join(f'{mean(scores[v]):+.1f}' for v in variants) + ' |', flush=True)
    for t in TARGETS: print(f'|   {t} | ' + ' | '.join(f'{scores[v][t]:+.1f}' for v in variants) + ' |')


def render(folder: Path, backend: str, effects: str, ranges_from: dict | None = None):
    """Write the ten songs of one variant as a stem folder (folder/test/<song>/<stem>.wav); kept songs are not redone.
    `ranges_from` maps effect settings to the range both effect modes draw them from here (True: held-out)."""
    ranges = dict(generate.EFFECT_RANGES)
    for name, heldout in (ranges_from or {}).items():  # restored below
        generate.EFFECT_RANGES[name] = (ranges[name][-1 if heldout else 0],) * len(ranges[name])  # every column
    try:
        for index in range(TRACKS):
            song = compose(index, SEED, SECONDS, version=VERSION)
            track = folder / 'test' / track_name(index, song)
            if (track / 'other.wav').is_file(): continue
            _, audio = generate_track(index, SEED, SECONDS, backend, song=song, version=VERSION, effects=effects)
            for name in ('mixture',) + STEMS: save_audio(track / f'{name}.wav', audio[name], 44100)
    finally: generate.EFFECT_RANGES.update(ranges)


def same_as_stored(folder: Path, stored: Path) -> bool:
    "Whether the rendered songs equal the stored test set's (to 16-bit rounding, if it was written so)."
    for track in sorted((stored / 'test').iterdir()):
        a, _ = load_audio(track / 'mixture.wav')
        b, _ = load_audio(folder / 'test' / track.name / 'mixture.wav')
        if a.shape != b.shape or not np.allclose(np.asarray(a), np.asarray(b), atol=1e-4): return False
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('out', type=Path, help='folder for the rendered variants')
    parser.add_argument('--results', type=Path, default=Path(__file__).parent / 'results' / 'heldout_factors.json')
    parser.add_argument('--models', nargs='+', default=None, help='shipped models to score (default: all)')
    parser.add_argument('--candidate',
                        help='also score this weight file, checkpoint or training folder (kept only with --record)')
    parser.add_argument('--record', metavar='LABEL', help="keep the candidate's scores under LABEL in --candidates")
    parser.add_argument('--candidates', type=Path,
                        default=Path(__file__).parent / 'results' / 'heldout_candidates.json')
    parser.add_argument('--check', type=Path, help="test set 7's folder, to check the 'heldout' variant against")
    parser.add_argument('--groups', action='store_true', help='add a variant per group of effect settings')
    args = parser.parse_args(argv)
    if args.record and not args.candidate: parser.error('--record needs --candidate')
    variants = {v: (*VARIANTS[v], {}) for v in VARIANTS}
    if args.groups:
        variants |= {f'heldout-{g}': ('mixed', 'training', dict.fromkeys(names, True))
                     for g, names in EFFECT_GROUPS.items()}
        variants['heldout-phaser'] = ('mixed', 'heldout', dict.fromkeys(generate.EFFECT_RANGES, False))
    for variant, (backend, effects, ranges_from) in variants.items():
        render(args.out / variant, backend, effects, ranges_from)
    if args.check and not same_as_stored(args.out / 'heldout', args.check):
        sys.exit(f"the 'heldout' variant differs from the test set in {args.check}")
    results = json.loads(args.results.read_text()) if args.results.exists() else {}
    print('| model | ' + ' | '.join(variants) + ' |\n|---|' + '---|' * len(variants))
    for name in args.models or list_pretrained():
        sha256 = read_registry()[name].sha256
        kept = results.get(name, {})
        scores = kept.get('scores', {}) if kept.get('sha256') == sha256 else {}  # other weights: score again
        missing = [v for v in variants if v not in scores]
        if missing:
            model = load_pretrained(name, progress=False)
            scores |= {v: medians(evaluate(model, args.out / v, 'test', progress=False)) for v in missing}
            results[name] = dict(sha256=sha256, date=str(datetime.date.today()), machine=machine(), scores=scores)
            args.results.write_text(json.dumps(results, indent=1) + '\n')
        show(name, scores, variants)
    if args.candidate:
        model = load_model(args.candidate)
        scores = {v: medians(evaluate(model, args.out / v, 'test', progress=False)) for v in variants}
        show(args.record or args.candidate, scores, variants)
        if args.record: record_candidate(args.candidates, args.record, args.candidate, scores)


def record_candidate(path: Path, label: str, source: str, scores: dict):
    "Keep a candidate's scores under `label` in the JSON file `path` (other labels are kept)."
    kept = json.loads(path.read_text()) if path.exists() else {}
    kept[label] = dict(source=source, date=str(datetime.date.today()), machine=machine(), scores=scores)
    path.write_text(json.dumps(kept, indent=1) + '\n')


if __name__ == '__main__':
    main()
