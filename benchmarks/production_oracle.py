"""A diagnostic, never a recipe to ship: can the model learn the held-out production at all, in the steps a CPU gives?

    python benchmarks/production_oracle.py DATA [--tracks 128] [--jobs 2]
    python benchmarks/train_pretrained.py RUNS --models SpectrogramNetSimple --data DATA --init --set lr=3e-4 \
        --minutes 80
    python benchmarks/heldout_factors.py FACTORS --models SpectrogramNetSimple --candidate RUNS/SpectrogramNetSimple \
        --record LABEL

Test set 7 loses about 4 dB to its production (effect settings outside the training ranges, and a phaser:
`heldout_factors.py`), and widening the training ranges towards it (generator 6) moved nothing in 320 fine-tuning
steps. This script renders a training set that covers the held-out production: DATA/train holds
`--tracks` generator 6 training songs (seed 100, the first songs of `train_pretrained.py --generate`'s set) and as
many songs with the training sounds but the held-out effect ranges (seed 300, folders named `h0000 - ...`). A model
fine-tuned on it has seen test set 7's kind of production (not its songs, nor its sounds). If even that model does not
recover the 'heldout-effects' variant of `heldout_factors.py`, then the gap is not one of coverage that a wider
generator could close in these steps; if it does, the size of the recovery bounds what coverage can give.
Weights trained on DATA must never be shipped or scored as a result: they have seen the held-out ranges.
"""
import argparse
import json
import multiprocessing
from pathlib import Path

from auralflow.audio import save_audio
from auralflow.generate import STEMS, compose, generate_track, track_name

SECONDS, VERSION = 20.0, 6
HALVES = {'': (100, None), 'h': (300, 'heldout')}  # folder prefix: (seed, effect ranges: None = the backend's)


def render(job: tuple) -> str:
    "Render and write one song; `job` is (train folder, prefix, index)."
    train, prefix, index = job
    seed, effects = HALVES[prefix]
    song = compose(index, seed, SECONDS, version=VERSION)  # cheap: names the folder, so a rerun skips written songs
    folder = train / (prefix + track_name(index, song))
    if not (folder / 'other.wav').is_file():
        _, audio = generate_track(index, seed, SECONDS, 'mixed', song=song, version=VERSION, effects=effects)
        for name in ('mixture',) + STEMS: save_audio(folder / f'{name}.wav', audio[name], 44100)
    return folder.name


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('data', type=Path, help='folder to write (DATA/train/<song>/<stem>.wav)')
    parser.add_argument('--tracks', type=int, default=128, help='songs of each half')
    parser.add_argument('--jobs', type=int, default=2, help='processes rendering songs')
    args = parser.parse_args(argv)
    train = args.data / 'train'
    jobs = [(train, prefix, i) for prefix in HALVES for i in range(args.tracks)]
    with multiprocessing.Pool(args.jobs) as pool:
        for n, name in enumerate(pool.imap_unordered(render, jobs), 1): print(f"{n}/{len(jobs)} {name}", flush=True)
    (args.data / 'recipe_data.json').write_text(json.dumps(dict(
        diagnostic='production_oracle.py: never ship weights trained on this', tracks=2 * args.tracks,
        seconds=SECONDS, backend='mixed', generator_version=VERSION,
        halves={prefix or 'training': dict(seed=s, effects=e or 'training') for prefix, (s, e) in HALVES.items()}),
        indent=1) + '\n')


if __name__ == '__main__':
    main()
