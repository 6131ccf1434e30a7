"""Pack what a GPU machine lent through the `device` tool lacks for `benchmarks/device_train.sh`, into `.devkit/`.

That machine (see the device tool's README and KINDS.md) has Python 3.12 with torch, torchaudio, numpy, scipy,
pandas, matplotlib, tqdm, pyyaml, tensorboard, six, packaging and typing-extensions, and reaches no registry. It lacks
what `auralflow generate --backend mixed` and `auralflow train` need beyond those:

* wheels (cp312, manylinux x86-64), at the versions installed here (the ones the CPU rehearsal ran): pedalboard
  (effect chains), pyfluidsynth (FluidSynth bindings), pretty_midi + mido + importlib_resources (notes), soundfile +
  cffi + pycparser (wav files), fastcore, musdb (not imported: `detect_layout` reads its list of validation
  songs);
* libfluidsynth: Debian's needs ~57 other libraries (PulseAudio, JACK, SDL2, GLib, ...; 7.5 MB even as .tar.xz), so
  the kit carries a minimal FluidSynth >= 2.4 built here with every driver off (osal=cpp11: no GLib), ~0.7 MB, that
  needs only libc and libstdc++ (`--fluidsynth-src DIR`: a FluidSynth source tree with its gcem submodule filled in);
  a library built earlier stays in the kit;
* TimGM6mb.sf2 (6 MB, Debian's, as the generator finds it here; pretty_midi's wheel loses its own, a different
  5.6 MB copy that auralflow never uses). FluidR3_GM.sf2 (148 MB) cannot travel, so `mixed` there draws from
  TimGM6mb and the synths: the songs differ from those rendered here for the same seeds, and recipe_data.json /
  `trained_on` say which SoundFonts were used.

Everything goes into one ignored folder, `.devkit/` (added to .git/info/exclude), which the device call carries; the
library and the SoundFont as .xz (1 MB less; `device_train.sh` unpacks them with Python's lzma). The
device tool sends at most 64 MiB: the tracked tree, untracked files that are not ignored, and the carried paths. The
script prints that total and fails (exit 1) when it does not fit; `--synth-only` packs the wheels alone (synth
sounds with pedalboard effects, no FluidSynth or SoundFont) into `.devkit-synth/` instead: carry that folder, and
`device_train.sh` renders with `--backend synth`.

Steps for a GPU session (the commands are in benchmarks/device_train.sh's header):

    python benchmarks/device_kit.py --fluidsynth-src /tmp/fluidsynth   # once; later runs reuse .devkit/lib
    # device tool: run(command='bash benchmarks/device_train.sh 9', carry=['.devkit'], timeout_s=600)
"""
from __future__ import annotations

import argparse
import importlib.metadata
import lzma
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
KIT = REPO / '.devkit'
SYNTH_KIT = REPO / '.devkit-synth'  # --synth-only's kit, beside the full one (whose library takes a build to remake)
BUDGET = 64 * 2**20  # bytes the device tool sends in one call
WHEELS = ('pedalboard', 'pyfluidsynth', 'pretty_midi', 'mido', 'importlib_resources', 'soundfile', 'cffi',
          'pycparser', 'fastcore', 'musdb')  # missing there (KINDS.md's package list); their other needs are there
FLUIDSYNTH_ONLY = ('pyfluidsynth',)  # not needed for --synth-only
SOUNDFONT = 'TimGM6mb.sf2'
PIP_PLATFORM = ['--implementation', 'cp'] + [
    a for n in ('manylinux_2_28', 'manylinux_2_27', 'manylinux_2_17', 'manylinux2014', 'manylinux1')
    for a in ('--platform', f'{n}_x86_64')]
FLUIDSYNTH_OFF = ['alsa', 'aufile', 'dbus', 'ipv6', 'jack', 'ladspa', 'libsndfile', 'midishare', 'network', 'oss',
                  'sdl3', 'pulseaudio', 'pipewire', 'readline', 'openmp', 'native-dls', 'signalsmith', 'systemd',
                  'libinstpatch']


def fail(message: str):
    raise SystemExit(f"device_kit: {message}")


def download_wheel(name: str, dest: Path, python: str = '3.12'):
    "The manylinux wheel of `name` for `python` at the version installed here (a pure-Python one built here if none)."
    version = importlib.metadata.version(name)
    pip = [sys.executable, '-m', 'pip', '-q']
    got = subprocess.run(pip + ['download', '--no-deps', '--only-binary=:all:', '--python-version', python,
                                *PIP_PLATFORM, '-d', str(dest), f'{name}=={version}'], capture_output=True, text=True)
    if got.returncode == 0: return
    built = subprocess.run(pip + ['wheel', '--no-deps', '-w', str(dest), f'{name}=={version}'],
                           capture_output=True, text=True)
    if built.returncode: fail(f"no wheel for {name}=={version}: {got.stderr.strip().splitlines()[-1:]}")


def drop_from_wheel(wheel: Path, suffix: str):
    "Rewrite `wheel` without its files ending in `suffix` (and their RECORD lines)."
    tmp = wheel.with_suffix('.tmp')
    with zipfile.ZipFile(wheel) as old, zipfile.ZipFile(tmp, 'w', zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            if item.filename.endswith(suffix): continue
            data = old.read(item)
            if item.filename.endswith('.dist-info/RECORD'):
                data = b''.join(l for l in data.splitlines(True) if suffix.encode() not in l.split(b',')[0])
            new.writestr(item, data)
    tmp.replace(wheel)


def xz_copy(src: Path, dest: Path):
    "Write `src` compressed to `dest` (.xz)."
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(src, 'rb') as f, lzma.open(dest, 'wb', preset=9 | lzma.PRESET_EXTREME) as out: shutil.copyfileobj(f, out)


def build_fluidsynth(src: Path, dest: Path):
    "A minimal libfluidsynth.so.3 (no drivers, no GLib) from a FluidSynth >= 2.4 source tree, copied into `dest`."
    if not (src / 'CMakeLists.txt').is_file(): fail(f"{src} is not a FluidSynth source tree")
    build = Path(tempfile.mkdtemp(prefix='fluidsynth-build-'))
    cmake = ['cmake', '-S', str(src), '-B', str(build), '-DCMAKE_BUILD_TYPE=Release', '-DBUILD_SHARED_LIBS=on',
             '-Dosal=cpp11', *(f'-Denable-{o}=off' for o in FLUIDSYNTH_OFF)]
    for cmd in (cmake, ['cmake', '--build', str(build), '--target', 'libfluidsynth', '-j2']):
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode: fail(f"building FluidSynth failed ({' '.join(cmd[:3])}): {r.stdout[-300:]} {r.stderr[-300:]}")
    xz_copy(next(build.glob('src/libfluidsynth.so.3.*')), dest / 'libfluidsynth.so.3.xz')
    shutil.rmtree(build)


def tree_bytes() -> int:
    "Bytes of what the device tool sends besides the carried paths: tracked files and untracked, not ignored ones."
    files = subprocess.run(['git', '-C', str(REPO), 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                           capture_output=True, text=True, check=True).stdout.split('\0')
    return sum((REPO / f).stat().st_size for f in files if f and (REPO / f).is_file())


def ignore_kit():
    "Add /.devkit/ and /.devkit-synth/ to .git/info/exclude (a local file: nothing to commit)."
    exclude = Path(subprocess.run(['git', '-C', str(REPO), 'rev-parse', '--git-path', 'info/exclude'],
                                  capture_output=True, text=True, check=True).stdout.strip())
    exclude = exclude if exclude.is_absolute() else REPO / exclude
    exclude.parent.mkdir(parents=True, exist_ok=True)
    lines = exclude.read_text().splitlines() if exclude.is_file() else []
    missing = [k for k in ('/.devkit/', '/.devkit-synth/') if k not in lines]
    if missing: exclude.write_text('\n'.join(lines + missing) + '\n')


def find_timgm() -> Path:
    from auralflow.instruments import find_soundfonts
    found = find_soundfonts(['TimGM6mb']).get('TimGM6mb')
    if found is None: fail("TimGM6mb.sf2 is not installed here (Debian: apt-get install timgm6mb-soundfont)")
    return found


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--fluidsynth-src', type=Path, help='FluidSynth >= 2.4 source tree to build libfluidsynth from '
                   '(else the one already in .devkit/lib is kept)')
    p.add_argument('--synth-only', action='store_true', help='wheels only: synth sounds + pedalboard effects')
    p.add_argument('--python-version', default='3.12', help="the device's Python (another one for a rehearsal here)")
    p.add_argument('--kit', type=Path, help='where to pack (default .devkit, or .devkit-synth with --synth-only; '
                   'another folder for a rehearsal here)')
    a = p.parse_args(argv)
    kit_dir = (a.kit or (SYNTH_KIT if a.synth_only else KIT)).resolve()
    ignore_kit()
    shutil.rmtree(kit_dir / 'whl', ignore_errors=True)
    (kit_dir / 'whl').mkdir(parents=True)
    for name in WHEELS:
        if not (a.synth_only and name in FLUIDSYNTH_ONLY): download_wheel(name, kit_dir / 'whl', a.python_version)
    for wheel in (kit_dir / 'whl').glob('pretty_midi-*.whl'): drop_from_wheel(wheel, '.sf2')
    if a.synth_only:
        shutil.rmtree(kit_dir / 'lib', ignore_errors=True)
        shutil.rmtree(kit_dir / 'sf2', ignore_errors=True)
    else:
        if a.fluidsynth_src: build_fluidsynth(a.fluidsynth_src, kit_dir / 'lib')
        if not (kit_dir / 'lib' / 'libfluidsynth.so.3.xz').is_file():
            fail("no libfluidsynth in .devkit/lib: give --fluidsynth-src DIR (or use --synth-only)")
        xz_copy(find_timgm(), kit_dir / 'sf2' / f'{SOUNDFONT}.xz')
    kit = sum(f.stat().st_size for f in kit_dir.rglob('*') if f.is_file())
    tree = tree_bytes()
    for f in sorted(kit_dir.rglob('*')):
        if f.is_file(): print(f"{f.stat().st_size / 1e6:7.2f} MB  {f}")
    print(f"kit {kit / 2**20:.2f} MiB + working tree {tree / 2**20:.2f} MiB = {(kit + tree) / 2**20:.2f} MiB "
          f"of the device tool's {BUDGET / 2**20:.0f} MiB ({'fits' if kit + tree <= BUDGET else 'DOES NOT FIT'}); "
          f"mode: {'synth only' if a.synth_only else 'mixed (TimGM6mb + synths)'}")
    return 0 if kit + tree <= BUDGET else 1


if __name__ == '__main__':
    sys.exit(main())
