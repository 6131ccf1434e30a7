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

and scores every shipped model (or `--models`) on each with `auralflow.evaluate.evaluate`, as `pretrained_scores.py`
does: per stem, the median over songs of the per-song median SI-SDR; the table shows those and their mean. The songs
are written to OUT/<variant>/test/ (kept, so a second run only scores) and the scores to OUT/heldout_factors.json.
`--check DIR` first compares the 'heldout' variant with test set 7 as stored in DIR, sample for sample.
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from pretrained_scores import TARGETS, medians  # noqa: E402

from auralflow.audio import load_audio, save_audio  # noqa: E402
from auralflow.evaluate import evaluate  # noqa: E402
from auralflow.generate import STEMS, compose, generate_track, track_name  # noqa: E402
from auralflow.pretrained import list_pretrained, load_pretrained  # noqa: E402

SEED, TRACKS, SECONDS, VERSION = 1, 10, 20.0, 4  # test set 7's parameters
VARIANTS = {'training': ('mixed', 'training'), 'heldout-effects': ('mixed', 'heldout'),
            'heldout-sounds': ('heldout', 'training'), 'heldout': ('heldout', 'heldout')}


def render(folder: Path, backend: str, effects: str):
    "Write the ten songs of one variant as a stem folder (folder/test/<song>/<stem>.wav); kept songs are not redone."
    for index in range(TRACKS):
        song = compose(index, SEED, SECONDS, version=VERSION)
        track = folder / 'test' / track_name(index, song)
        if (track / 'other.wav').is_file(): continue
        _, audio = generate_track(index, SEED, SECONDS, backend, song=song, version=VERSION, effects=effects)
        for name in ('mixture',) + STEMS: save_audio(track / f'{name}.wav', audio[name], 44100)


def same_as_stored(folder: Path, stored: Path) -> bool:
    "Whether the rendered songs equal the stored test set's (to 16-bit rounding, if it was written so)."
    for track in sorted((stored / 'test').iterdir()):
        a, _ = load_audio(track / 'mixture.wav')
        b, _ = load_audio(folder / 'test' / track.name / 'mixture.wav')
        if a.shape != b.shape or not np.allclose(np.asarray(a), np.asarray(b), atol=1e-4): return False
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('out', type=Path)
    parser.add_argument('--models', nargs='+', default=None, help='shipped models to score (default: all)')
    parser.add_argument('--check', type=Path, help="test set 7's folder, to check the 'heldout' variant against")
    args = parser.parse_args(argv)
    for variant, (backend, effects) in VARIANTS.items():
        render(args.out / variant, backend, effects)
    if args.check and not same_as_stored(args.out / 'heldout', args.check):
        sys.exit(f"the 'heldout' variant differs from the test set in {args.check}")
    results_file = args.out / 'heldout_factors.json'
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    print('| model | ' + ' | '.join(VARIANTS) + ' |\n|---|' + '---|' * len(VARIANTS))
    for name in args.models or list_pretrained():
        model = load_pretrained(name, progress=False)
        scores = {v: medians(evaluate(model, args.out / v, 'test', progress=False)) for v in VARIANTS}
        results[name] = scores
        mean = lambda s: sum(s[t] for t in TARGETS) / len(TARGETS)
        print(f'| {name} | ' + ' | '.join(f'{mean(scores[v]):+.1f}' for v in VARIANTS) + ' |', flush=True)
        for t in TARGETS: print(f'|   {t} | ' + ' | '.join(f'{scores[v][t]:+.1f}' for v in VARIANTS) + ' |')
    results_file.write_text(json.dumps(results, indent=1) + '\n')


if __name__ == '__main__':
    main()
