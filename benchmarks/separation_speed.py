"""Separation speed and memory: Auralflow's chunked `separate` against Open-Unmix.

Measures, on the same generated stereo 44.1 kHz track (default 60 s), the speed in seconds of audio separated per
second of wall-clock time and the peak resident memory (RSS) of

* an Auralflow model at its default size (untrained; `SpectrogramNetSimple` unless `--models` names others, or
  `all`) through `auralflow.separate.separate` (6 s windows, 1 s overlap, one window at a time, in its CPU default
  precision, `auralflow.separate.cpu_precision`: LSTMs with int8 weights, and bfloat16 where the CPU has it natively);
* `MODEL+wiener`: the same with one EM iteration of the multichannel Wiener filter (SpectrogramNetSimple);
* `MODEL+float32`: the same in float32 (`float32=True`: no int8 LSTMs, no bfloat16), for every model whose CPU
  default differs from that (one with an LSTM, or every model on a CPU with native bfloat16);
* `openunmix`: `openunmix.umxhq(pretrained=False)`, its `Separator` with 4 targets and its default one Wiener
  iteration, run on the whole track at once as `openunmix.predict.separate` does.

Then how Auralflow's memory grows from a 1 min to a 10 min track (`--long-seconds`). The output itself is O(T): four
stereo float32 stems take 4 x 2 x 4 bytes = 32 bytes per sample, 85 MB a minute at 44.1 kHz, so growth is reported
next to that.

Each measurement runs in a fresh subprocess, so that `resource.getrusage(RUSAGE_SELF).ru_maxrss` (the peak RSS of
that process) is its own. `rss_setup` is the peak after imports, model and input (before separating); `growth` is the
peak while separating minus `rss_setup`. Threads are pinned (`--threads`, default 1) for comparable numbers.
`speed` is audio seconds per wall-clock second; `speed_cpu` per second of the process's CPU time, which is the
number to compare on a machine shared with other work (with one thread it equals `speed` on an idle machine).

    python benchmarks/separation_speed.py                     # 60 s track, both systems, then 60 s vs 600 s
    python benchmarks/separation_speed.py --seconds 10 --long-seconds 0   # quick look, no scaling run
    python benchmarks/separation_speed.py --models all --long-seconds 0   # every model against Open-Unmix
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

SAMPLE_RATE = 44100
DEFAULT = 'SpectrogramNetSimple'


def make_track(seconds: float):
    "A stereo mixture [2, seconds * 44100]: a 10 s generated song tiled to the length (cheap for long tracks)."
    import torch
    from auralflow.fixtures import synth_sources
    clip = sum(synth_sources(min(10.0, seconds), SAMPLE_RATE, seed=0).values())
    n = round(seconds * SAMPLE_RATE)
    return clip.repeat(1, -(-n // clip.shape[-1]))[:, :n].contiguous()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def separator(kind: str):
    "A function audio[2, T] -> list of 4 stems [2, T] for `kind` (no extra copy of the output is made)."
    import torch
    if kind != 'openunmix':
        from auralflow.models import create_model
        from auralflow.separate import separate
        name, _, extra = kind.partition('+')
        options = dict(wiener=extra == 'wiener', float32=extra == 'float32')
        model = create_model(name).eval()
        return lambda audio: list(separate(model, audio, SAMPLE_RATE, progress=False, **options).values())
    import openunmix
    model = openunmix.umxhq(pretrained=False, device='cpu').eval()
    return lambda audio: list(model(audio[None])[0])


def extra_kinds(name: str) -> list[str]:
    "The variants measured beside model `name`: its Wiener step (the default model), float32 (where that differs)."
    from auralflow.core import cpu_has_bfloat16
    from auralflow.models import LSTMBottleneck, create_model
    lower = cpu_has_bfloat16() or any(isinstance(m, LSTMBottleneck) for m in create_model(name).modules())
    return [f'{name}+wiener'] * (name == DEFAULT) + [f'{name}+float32'] * lower


def worker(kind: str, seconds: float, threads: int) -> dict:
    "One measurement, in this process."
    import torch
    torch.set_num_threads(threads)
    fn = separator(kind)
    audio = make_track(seconds)
    with torch.inference_mode(): fn(audio[:, :SAMPLE_RATE])  # warm-up (allocator, kernels)
    setup = peak_rss_mb()
    start, cpu_start = time.perf_counter(), time.process_time()
    with torch.inference_mode(): stems = fn(audio)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    assert len(stems) == 4 and all(s.shape == audio.shape for s in stems), [s.shape for s in stems]
    return dict(kind=kind, seconds=seconds, wall_s=round(wall, 2), speed=round(seconds / wall, 2),
                cpu_s=round(cpu, 2), speed_cpu=round(seconds / cpu, 2),
                rss_setup_mb=round(setup), rss_peak_mb=round(peak_rss_mb()), growth_mb=round(peak_rss_mb() - setup),
                output_mb=round(sum(s.numel() for s in stems) * 4 / 2**20), input_mb=round(audio.numel() * 4 / 2**20))


def measure(kind: str, seconds: float, threads: int) -> dict:
    "Run `worker` in a fresh interpreter and return its result."
    cmd = [sys.executable, __file__, '--worker', kind, '--seconds', str(seconds), '--threads', str(threads)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode: raise RuntimeError(f"{kind} failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def table(rows: list[dict]) -> str:
    cols = ['kind', 'seconds', 'wall_s', 'speed', 'cpu_s', 'speed_cpu', 'vs_openunmix', 'rss_setup_mb', 'rss_peak_mb',
            'growth_mb', 'output_mb', 'input_mb']
    reference = next((r['speed_cpu'] for r in rows if r['kind'] == 'openunmix'), None)
    for r in rows: r['vs_openunmix'] = f"{r['speed_cpu'] / reference:.2f}x" if reference else '-'
    lines = ['| ' + ' | '.join(cols) + ' |', '|' + '---|' * len(cols)]
    return '\n'.join(lines + ['| ' + ' | '.join(str(r[c]) for c in cols) + ' |' for r in rows])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--seconds', type=float, default=60.0, help='track length for the speed comparison')
    p.add_argument('--long-seconds', type=float, default=600.0, help='long track for the memory scaling (0: skip)')
    p.add_argument('--threads', type=int, default=1, help='torch threads per measurement')
    p.add_argument('--models', nargs='+', default=[DEFAULT], help="Auralflow models to compare, or 'all'")
    p.add_argument('--worker', help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.seconds, args.threads)))
        return
    from auralflow.models import list_models
    names = list_models() if args.models == ['all'] else args.models
    kinds = ['openunmix'] + [k for n in names for k in [n, *extra_kinds(n)]]
    rows = [measure(kind, args.seconds, args.threads) for kind in kinds]
    print(f'## Speed and peak memory, {args.seconds:g} s stereo track, {args.threads} thread(s)\n\n{table(rows)}\n')
    if args.long_seconds:
        short = next((r for r in rows if r['kind'] == DEFAULT), None)
        short = short or measure(DEFAULT, args.seconds, args.threads)
        long = measure(DEFAULT, args.long_seconds, args.threads)
        extra = long['growth_mb'] - short['growth_mb']
        output = long['output_mb'] - short['output_mb'] + long['input_mb'] - short['input_mb']
        print(f'## Memory scaling of auralflow.separate\n\n{table([short, long])}\n')
        print(f'growth while separating: {short["growth_mb"]} MB -> {long["growth_mb"]} MB (+{extra} MB); '
              f'the output buffer and overlap_add\'s padded copy of the input grew by {output} MB; '
              f'growth beyond them: {extra - output:+} MB '
              f'({(extra - output) / max(1, short["growth_mb"]) * 100:+.0f} % of the short run\'s growth)')


if __name__ == '__main__':
    main()
