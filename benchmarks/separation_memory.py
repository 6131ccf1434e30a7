"""Peak memory of `auralflow separate` on long files: streaming keeps it flat, against Open-Unmix in the same run.

Generates stereo 44.1 kHz float WAV mixtures of `--minutes` lengths (default 1 and 60) into a temporary folder: a
10 s song from `auralflow.fixtures.synth_sources`, tiled to the length and written block by block (so making the
input takes no memory either). Then each measurement runs in its own subprocess, pinned to `--threads` threads
(default 1: OMP_NUM_THREADS, MKL_NUM_THREADS, OPENBLAS_NUM_THREADS), and its peak resident memory is the child's
`ru_maxrss` from `os.wait4`:

* `setup`: `import auralflow.separate` alone, then `load_model(MODEL)` (the default pretrained model): the floor every
  separation starts from;
* `auralflow separate MODEL song.wav` (the command, `python -m auralflow`), for every length;
* `in-memory`: the Python path `load_audio` -> `separate` -> `save_audio` on the shortest file (the output is held);
* `openunmix`: `openunmix.umxhq(pretrained=False)` (the untrained network: same size and cost, no download) as a
  `Separator` with its default Wiener iteration, on the whole shortest file at once, as `openunmix.predict.separate`
  runs it (its stems are not written).

It prints a table (peak RSS, CPU seconds, wall seconds, speed in audio seconds per CPU second) and the ratios the
goals are stated in: the longest file's peak over the shortest file's (goal: within 10 %), and the peaks against
1.5 GB and Open-Unmix's.

    python benchmarks/separation_memory.py                          # 1 and 60 min (the hour takes a while on 1 core)
    python benchmarks/separation_memory.py --minutes 1 5 --no-openunmix   # a quick look
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RATE = 44100
DEFAULT_MODEL = 'SpectrogramNetSimple'  # the README's default pretrained model

SETUP = """
import json, resource, sys
rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
import auralflow.separate
imported = rss()
from auralflow.separate import load_model
load_model(sys.argv[1])
print(json.dumps(dict(import_mb=round(imported), model_mb=round(rss()))))
"""

IN_MEMORY = """
import sys, torch
from auralflow.audio import load_audio, save_audio
from auralflow.separate import load_model, separate
model, (audio, rate) = load_model(sys.argv[1]), load_audio(sys.argv[2])
for name, stem in separate(model, audio, rate, progress=False).items():
    save_audio(f'{sys.argv[3]}/{name}.wav', stem, rate)
"""

OPENUNMIX = """
import sys, soundfile as sf, torch, openunmix
model = openunmix.umxhq(pretrained=False, device='cpu').eval()
audio = torch.from_numpy(sf.read(sys.argv[1], dtype='float32', always_2d=True)[0].T.copy())
with torch.inference_mode(): stems = model(audio[None])
assert stems.shape[-1] == audio.shape[-1]
"""


def make_mixture(path: Path, minutes: float):
    "A stereo float WAV of `minutes`: a generated 10 s song tiled, written block by block."
    import soundfile as sf
    from auralflow.fixtures import synth_sources
    clip = sum(synth_sources(10.0, RATE, seed=0).values()).numpy().T.copy()  # [samples, 2]
    left = round(minutes * 60 * RATE)
    with sf.SoundFile(path, 'w', RATE, 2, 'FLOAT', format='WAV') as f:
        while left > 0:
            f.write(clip[:left])
            left -= len(clip)


def measure(command: list[str], threads: int) -> dict:
    "Run `command` in a child process; its peak RSS (MB), CPU and wall seconds, and its stdout."
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads),
               OPENBLAS_NUM_THREADS=str(threads), PYTHONUNBUFFERED='1')
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        out.seek(0), err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if child.returncode: sys.exit(f"failed ({child.returncode}): {' '.join(command)}\n{stderr[-2000:]}")
    return dict(peak_mb=round(usage.ru_maxrss / 1024), cpu_s=round(usage.ru_utime + usage.ru_stime, 1),
                wall_s=round(wall, 1), stdout=stdout)


def check_disk(folder: Path, minutes: list[float]):
    "Exit if `folder` cannot hold the inputs and the stems (4 stereo float32 stems + the mixture: 53 MB a minute)."
    need = sum(minutes) * 60 * RATE * 2 * 4 * 5 * 1.1
    free = shutil.disk_usage(folder).free
    if free < need: sys.exit(f"{folder}: {free / 1e9:.1f} GB free, {need / 1e9:.1f} GB needed; use --tmp elsewhere")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--minutes', type=float, nargs='+', default=[1, 60], help='lengths of the mixtures (default: 1 60)')
    p.add_argument('--model', default=DEFAULT_MODEL, help='model name or training folder (default: %(default)s)')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--no-openunmix', dest='openunmix', action='store_false', help='skip the Open-Unmix peer')
    p.add_argument('--no-in-memory', dest='in_memory', action='store_false', help='skip the in-memory Python path')
    p.add_argument('--tmp', default=None, help='folder for the generated files (default: the system temp folder)')
    args = p.parse_args()
    minutes = sorted(args.minutes)
    import platform, torch
    print(f"# {time.strftime('%Y-%m-%d')} on {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"torch {torch.__version__}; python benchmarks/separation_memory.py {' '.join(sys.argv[1:])}".rstrip())
    work = Path(tempfile.mkdtemp(prefix='separation_memory.', dir=args.tmp))
    try:
        check_disk(work, minutes)
        py = sys.executable
        setup = json.loads(measure([py, '-c', SETUP, args.model], args.threads)['stdout'])
        print(f"setup: import auralflow.separate {setup['import_mb']} MB, + load_model({args.model}) "
              f"{setup['model_mb']} MB peak RSS")
        rows = []
        for m in minutes:
            song = work / f'song_{m:g}min.wav'
            make_mixture(song, m)
            r = measure([py, '-m', 'auralflow', 'separate', args.model, str(song), '--out', str(work / 'out'),
                         '--no-progress', '--force'], args.threads)
            rows.append(dict(kind='auralflow separate', minutes=m, **r))
            print(rows[-1] | {'stdout': ''}, flush=True)
        shortest = work / f'song_{minutes[0]:g}min.wav'
        if args.in_memory:
            (work / 'mem').mkdir()
            r = measure([py, '-c', IN_MEMORY, args.model, str(shortest), str(work / 'mem')], args.threads)
            rows.append(dict(kind='in-memory separate()', minutes=minutes[0], **r))
        if args.openunmix:
            rows.append(dict(kind='openunmix umxhq', minutes=minutes[0],
                             **measure([py, '-c', OPENUNMIX, str(shortest)], args.threads)))
        report(rows, setup, minutes, args)
    finally: shutil.rmtree(work, ignore_errors=True)


def report(rows: list[dict], setup: dict, minutes: list[float], args):
    print(f"\n## Peak RSS of separation, {args.model}, stereo 44.1 kHz WAV, {args.threads} thread(s)\n")
    print('| kind | minutes | peak RSS (MB) | CPU s | wall s | audio s per CPU s |')
    print('|---|---|---|---|---|---|')
    for r in rows:
        print(f"| {r['kind']} | {r['minutes']:g} | {r['peak_mb']} | {r['cpu_s']} | {r['wall_s']} | "
              f"{r['minutes'] * 60 / max(r['cpu_s'], 1e-9):.2f} |")
    print(f"| setup: import auralflow.separate | | {setup['import_mb']} | | | |")
    print(f"| setup: + load_model({args.model}) | | {setup['model_mb']} | | | |")
    cli = [r for r in rows if r['kind'] == 'auralflow separate']
    short, long = cli[0], cli[-1]
    print(f"\nratio {long['minutes']:g} min / {short['minutes']:g} min peak RSS: "
          f"{long['peak_mb'] / short['peak_mb']:.3f} (goal <= 1.10)")
    print(f"largest peak {max(r['peak_mb'] for r in cli)} MB (goal < 1536 MB); "
          f"setup {setup['model_mb']} MB (goal < 500 MB)")
    for peer in [r for r in rows if r['kind'] != 'auralflow separate']:
        print(f"{peer['kind']} on {peer['minutes']:g} min: {peer['peak_mb']} MB = "
              f"{peer['peak_mb'] / short['peak_mb']:.2f}x auralflow separate's peak on the same file")


if __name__ == '__main__':
    main()
