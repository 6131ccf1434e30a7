"""Throughput of the training DataLoader (auralflow.datasets) on a generated dataset.

Writes a small MUSDB18-HQ-style folder (or MUSDB18 .stem.mp4 files with --mp4) of generated songs to a temporary
folder, then times whole epochs of `create_dataloader(AudioDataset(...))` and prints chunks per second, once with the
default augmentations (gain, channelswap, remix) and once without. The first batch is excluded (worker start-up).

    python benchmarks/data_throughput.py                 # 2 workers, 6 s chunks, wav
    python benchmarks/data_throughput.py --mp4 --samples 32
"""
import argparse
import tempfile
import time
from pathlib import Path

import torch

from auralflow.datasets import DEFAULT_AUGMENTATIONS, AudioDataset, create_dataloader, find_tracks
from auralflow.fixtures import make_musdb_folder, make_stem_file


def make_data(root: Path, tracks: int, seconds: float, mp4: bool) -> Path:
    "Generate `tracks` training songs of `seconds` each under `root` (wav folders, or .stem.mp4 with `mp4`)."
    if not mp4: return make_musdb_folder(root, {'train': tracks}, seconds=seconds)
    for i in range(tracks): make_stem_file(root / 'train' / f'track_{i:02d}.stem.mp4', seconds, seed=i)
    return root


def chunks_per_second(dataset: AudioDataset, batch_size: int, workers: int, epochs: int) -> float:
    "Chunks per second over `epochs` epochs, after one warm-up batch."
    loader = create_dataloader(dataset, batch_size, workers)
    next(iter(loader))  # start the workers; this partial epoch is not timed
    start, count = time.perf_counter(), 0
    for _ in range(epochs):
        for mixture, targets in loader: count += mixture.shape[0]
    return count / (time.perf_counter() - start)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--tracks', type=int, default=4, help='generated training songs')
    p.add_argument('--seconds', type=float, default=12.0, help='duration of each song')
    p.add_argument('--chunk-seconds', type=float, default=6.0, help='training chunk duration')
    p.add_argument('--samples', type=int, default=64, help='samples per epoch')
    p.add_argument('--epochs', type=int, default=2, help='timed epochs')
    p.add_argument('--batch-size', type=int, default=8, help='batch size')
    p.add_argument('--workers', type=int, default=2, help='DataLoader worker processes')
    p.add_argument('--mp4', action='store_true', help='MUSDB18 .stem.mp4 files instead of wav folders')
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        root = make_data(Path(tmp) / 'data', args.tracks, args.seconds, args.mp4)
        tracks = find_tracks(root, 'train')
        print(f"{len(tracks)} {'stem.mp4' if args.mp4 else 'wav'} tracks of {args.seconds:g} s generated in "
              f"{time.perf_counter() - t:.1f} s; {args.chunk_seconds:g} s stereo chunks at 44.1 kHz, "
              f"batch {args.batch_size}, {args.workers} workers, {args.samples} samples x {args.epochs} epochs")
        for augs in (DEFAULT_AUGMENTATIONS, ()):
            ds = AudioDataset(tracks, chunk_seconds=args.chunk_seconds, samples_per_epoch=args.samples,
                              augmentations=augs)
            rate = chunks_per_second(ds, args.batch_size, args.workers, args.epochs)
            audio = rate * args.chunk_seconds
            print(f"  augmentations {','.join(augs) or 'none':<24} {rate:8.1f} chunks/s  "
                  f"({audio:.0f} s of audio per s, {audio / 60:.1f} min/s)")


if __name__ == '__main__':
    main()
