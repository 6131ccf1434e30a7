"""BSSEval v4 speed: `auralflow.metrics.bss_eval` against `museval.evaluate` on the same track.

Both score 4 stereo targets of a generated 44.1 kHz song (default 30 s) with museval's v4 defaults: 1 s windows and
hops, 512-tap distortion filters, filters estimated on the whole track, `bss_eval_images`. The references are the
stems of a song rendered by `auralflow generate` (synth backend, with its -96 dBFS noise floor, without which
museval's own ISR/SIR/SAR depend on rounding, see `nbs/07_metrics.ipynb`); the estimates add leakage from another
source, a delayed copy of the target and noise.

Printed: wall-clock and CPU seconds of each (ours: the least of each over `--repeat` runs; museval: one run), the
speed ratio museval / ours, and the largest absolute difference per metric (dB) over all targets and windows. The
per-run times are listed after ours. Threads are pinned
for both (`--threads`, default 1) through torch and the BLAS/OpenMP environment variables numpy reads at import. On a
machine shared with other work, the CPU-time ratio is the steadier number.

    python benchmarks/metrics_speed.py                 # 30 s, one thread
    python benchmarks/metrics_speed.py --threads 2
    python benchmarks/metrics_speed.py --seconds 8     # quicker look
"""
from __future__ import annotations

import argparse
import os
import time

SAMPLE_RATE = 44100
METRICS = ('SDR', 'ISR', 'SIR', 'SAR')


def make_track(seconds: float, seed: int = 0):
    "References (a song from `auralflow generate`'s synth backend) and estimates, [4, T, 2] float64 numpy arrays."
    import numpy as np
    from auralflow.generate import STEMS, generate_track
    _, audio = generate_track(0, seed, seconds, backend='synth', sample_rate=SAMPLE_RATE)
    ref = np.stack([audio[s].T for s in STEMS]).astype(np.float64)
    rng = np.random.default_rng(seed)
    est = ref + 0.3 * np.roll(ref, 7, axis=1) + 0.15 * np.roll(ref, 1, axis=0) + 0.02 * rng.standard_normal(ref.shape)
    return ref, est


def timed(fn):
    "(result, wall seconds, CPU seconds of this process)."
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seconds', type=float, default=30.0, help='track length in seconds (default 30)')
    p.add_argument('--threads', type=int, default=1, help='threads for torch and numpy/BLAS (default 1)')
    p.add_argument('--repeat', type=int, default=3, help='runs of ours; the best is reported (default 3)')
    args = p.parse_args()
    for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'): os.environ[var] = str(args.threads)

    import numpy as np
    import torch
    import museval
    from auralflow.metrics import bss_eval
    torch.set_num_threads(args.threads)

    ref, est = make_track(args.seconds)
    print(f"4 stereo targets x {args.seconds:g} s at {SAMPLE_RATE} Hz, {args.threads} thread(s)")
    runs = [timed(lambda: bss_eval(ref, est)) for _ in range(args.repeat)]
    ours, wall, cpu = runs[0][0], min(r[1] for r in runs), min(r[2] for r in runs)  # best wall and best CPU time
    theirs, m_wall, m_cpu = timed(lambda: museval.evaluate(ref, est))
    print(f"auralflow bss_eval: {wall:7.2f} s wall, {cpu:7.2f} s CPU (best of {args.repeat}: "
          f"{', '.join(f'{r[1]:.2f}' for r in runs)} s wall; {', '.join(f'{r[2]:.2f}' for r in runs)} s CPU)")
    print(f"museval.evaluate:   {m_wall:7.2f} s wall, {m_cpu:7.2f} s CPU")
    print(f"speed ratio:        {m_wall / wall:7.1f}x wall, {m_cpu / cpu:7.1f}x CPU")
    for name, values in zip(METRICS, theirs):
        diff = np.nanmax(np.abs(ours[name].numpy() - values))
        same_nan = bool((np.isnan(values) == ours[name].isnan().numpy()).all())
        print(f"max |ours - museval| {name}: {diff:.2e} dB{'' if same_nan else '  (NaN windows differ!)'}")


if __name__ == '__main__':
    main()
