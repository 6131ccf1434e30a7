"""Run notebooks and keep their outputs in them, small, so the docs and GitHub show figures, tables, players, widgets.

nbdev keeps outputs (settings.ini: clear_all = False) and `nbdev_clean` keeps the notebook's widget state, so a
notebook written here is already clean: `nbdev_clean` changes nothing. Each notebook runs in its own process, from
nbs/, with the cells `nbdev_test` runs (flagged and `eval: false` cells are skipped and their outputs cleared). Then:
figures are PNG at `--dpi` (palette-quantised when that is smaller), players (IPython `Audio` and ipywidgets
`Audio`, WAV or Ogg) become Ogg Vorbis of about 85 kb/s, and the state of every displayed widget is saved in the
notebook's metadata (application/vnd.jupyter.widget-state+json), so widgets render in the docs. Model ids and Ogg
stream serials are fixed, so a rerun that computes the same thing writes the same bytes. A notebook that fails, grows
past `--max-kb`, or was edited while it ran is left as it was.

    python .ci/store_outputs.py nbs/14_widgets.ipynb nbs/08_visualize.ipynb
    python .ci/store_outputs.py nbs/[0-9]*.ipynb nbs/index.ipynb --max-kb 1500
    python .ci/store_outputs.py nbs/14_widgets.ipynb --dry-run       # run and report sizes, write nothing
    python .ci/store_outputs.py nbs/14_widgets.ipynb --out /tmp/try  # write the result elsewhere
"""
import argparse
import base64
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDGET_STATE = 'application/vnd.jupyter.widget-state+json'
WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json'
HTML_AUDIO = re.compile(r'data:audio/(?:x-wav|wav|ogg);base64,([A-Za-z0-9+/=\s]+)')
DIRECTIVE = re.compile(r'^#\|\s*([\w-]+):?\s*(.*)$')


def _directives(cell) -> dict:
    return {m.group(1): m.group(2) for line in cell.source.splitlines() if (m := DIRECTIVE.match(line))}


def _crc_table() -> list[int]:
    table = []
    for i in range(256):
        crc = i << 24
        for _ in range(8): crc = ((crc << 1) ^ 0x04C11DB7 if crc & 0x80000000 else crc << 1) & 0xFFFFFFFF
        table.append(crc)
    return table

OGG_CRC = _crc_table()


def _ogg_crc(data: bytes) -> int:
    "The CRC-32 of an Ogg page (polynomial 0x04c11db7, not reflected: not zlib's)."
    crc = 0
    for byte in data: crc = ((crc << 8) & 0xFFFFFFFF) ^ OGG_CRC[(crc >> 24) ^ byte]
    return crc


def stable_ogg(ogg: bytes, serial: int = 1) -> bytes:
    "`ogg` with a fixed stream serial number (the encoder picks a random one), so the same audio gives the same bytes."
    out, pos = bytearray(), 0
    while ogg[pos:pos + 4] == b'OggS':
        segments = ogg[pos + 26]
        end = pos + 27 + segments + sum(ogg[pos + 27:pos + 27 + segments])
        page = bytearray(ogg[pos:end])
        page[14:18], page[22:26] = serial.to_bytes(4, 'little'), bytes(4)
        page[22:26] = _ogg_crc(page).to_bytes(4, 'little')
        out += page
        pos = end
    return bytes(out) if pos == len(ogg) else ogg


def ogg_bytes(audio: bytes, compression: float = 0.8) -> bytes:
    "WAV or Ogg audio as Ogg Vorbis of about 85 kb/s for stereo at 44.1 kHz (16-bit WAV: 1411), when that is smaller."
    import soundfile as sf
    try: samples, rate = sf.read(io.BytesIO(audio), always_2d=True)
    except Exception: return audio
    out = io.BytesIO()
    sf.write(out, samples, rate, format='OGG', subtype='VORBIS', compression_level=compression)
    return stable_ogg(out.getvalue()) if len(out.getvalue()) < len(audio) else audio


def small_png(png: bytes) -> bytes:
    "`png` with a 256-colour palette when that saves a fifth or more (plots and spectrograms look the same)."
    from PIL import Image
    try: img = Image.open(io.BytesIO(png))
    except Exception: return png
    out = io.BytesIO()
    img.convert('RGBA').quantize(256, method=Image.Quantize.FASTOCTREE).save(out, 'PNG', optimize=True)
    return out.getvalue() if len(out.getvalue()) < 0.8 * len(png) else png


def _b64(data: bytes) -> str: return base64.b64encode(data).decode('ascii')


def _audio_url(audio: bytes) -> str:
    small = ogg_bytes(audio)
    return f"data:audio/{'ogg' if small[:4] == b'OggS' else 'wav'};base64,{_b64(small)}"


def shrink_output(output: dict):
    "Smaller images and players in one cell output, in place."
    data = output.get('data', {})
    if 'image/png' in data: data['image/png'] = _b64(small_png(base64.b64decode(data['image/png'])))
    if 'text/html' in data:
        html = ''.join(data['text/html'])
        if HTML_AUDIO.search(html):
            html = HTML_AUDIO.sub(lambda m: _audio_url(base64.b64decode(m.group(1))), html)
            if 'data:audio/wav' not in html: html = re.sub(r'type="audio/(?:x-)?wav"', 'type="audio/ogg"', html)
            data['text/html'] = html


def shrink_widget(model: dict):
    "Smaller audio and images in one widget's saved state, in place."
    name, state = model['model_name'], model['state']
    for buffer in model.get('buffers', []):
        if buffer['path'] != ['value']: continue
        raw = base64.b64decode(buffer['data'])
        if name == 'AudioModel' and state.get('format') in ('wav', 'ogg'):
            raw = ogg_bytes(raw)
            if raw[:4] == b'OggS': state['format'] = 'ogg'
        elif name == 'ImageModel' and state.get('format', 'png') == 'png': raw = small_png(raw)  # default: not saved
        buffer['data'] = _b64(raw)


def widget_state(nb, key: str) -> dict | None:
    "The saved state of the widgets the outputs display (and the widgets they hold), with model ids derived from `key`."
    import ipywidgets
    from ipywidgets.embed import dependency_state
    live = ipywidgets.widgets.widget._instances
    views = [o['data'][WIDGET_VIEW] for c in nb.cells for o in c.get('outputs', []) if WIDGET_VIEW in o.get('data', {})]
    shown = [live[v['model_id']] for v in views if v['model_id'] in live]
    if not shown: return None
    state = dependency_state(shown, drop_defaults=True)
    for model in state.values(): shrink_widget(model)
    text = json.dumps({'version_major': 2, 'version_minor': 0, 'state': state})
    for i, old in enumerate(state):  # random uuids -> stable ids, so rerunning a notebook gives a small diff
        new = hashlib.md5(f'{key}:{i}'.encode()).hexdigest()
        text = text.replace(old, new)
        for v in views:
            if v['model_id'] == old: v['model_id'] = new
    return json.loads(text)


def execute(nb, flags: set[str], dpi: int):
    "Run the cells `nbdev_test` would run, storing their outputs; skipped cells lose stale outputs."
    from execnb.shell import CaptureShell
    from nbdev.config import get_config
    skip_flags = set(get_config().get('tst_flags', '').split()) - flags
    def skip(cell):
        d = _directives(cell)
        return cell.cell_type != 'code' or d.get('eval', '').lower() == 'false' or bool(skip_flags & d.keys())
    for i, cell in enumerate(nb.cells):
        cell['idx_'] = i  # execnb reports errors by cell index
        if cell.cell_type == 'code' and skip(cell): cell.outputs = []
    shell = CaptureShell(mpl_format='png')
    shell.run_cell(f"import matplotlib; matplotlib.rcParams.update({{'figure.dpi': {dpi}, 'savefig.dpi': {dpi}}})")
    try: shell.run_all(nb, exc_stop=True, preproc=skip)
    finally:
        for cell in nb.cells: cell.pop('idx_', None)


def run_and_keep(nb, key: str, flags: set[str] = frozenset(), dpi: int = 72):
    "Execute `nb` (from the current folder) and keep small outputs and the displayed widgets' state in it."
    execute(nb, set(flags), dpi)
    for cell in nb.cells:
        for output in cell.get('outputs', []): shrink_output(output)
    state = widget_state(nb, key)
    nb.metadata.pop('widgets', None)
    if state: nb.metadata['widgets'] = {WIDGET_STATE: state}


def clean_text(nb) -> str:
    "The notebook as `nbdev_clean` writes it."
    import nbformat
    from execnb.nbio import dict2nb, nb2str
    from nbdev.clean import _nbdev_clean
    d = json.loads(nbformat.writes(nb))
    _nbdev_clean(d)
    return nb2str(dict2nb(d))


def sizes(nb) -> dict:
    "Kilobytes of the notebook's outputs and of its widget state."
    outputs = sum(len(json.dumps(c.get('outputs', []))) for c in nb.cells)
    widgets = len(json.dumps(nb.metadata.get('widgets', {})))
    return {'outputs_kb': outputs / 1e3, 'widgets_kb': widgets / 1e3}


def store_one(path: Path, flags: set[str], dpi: int, max_kb: float, dry_run: bool, out: Path | None = None) -> dict:
    "Execute one notebook and write it back with its outputs; returns a report (a notebook's faults are reported)."
    import nbformat
    started, original = time.time(), path.read_bytes()
    nb = nbformat.reads(original.decode('utf-8'), as_version=4)
    report = {'notebook': path.name, 'before_kb': len(original) / 1e3}
    cwd = os.getcwd()
    os.chdir(path.parent)  # as nbdev_test runs it
    try: run_and_keep(nb, path.stem, flags, dpi)
    except Exception as e:
        last = (str(e).strip().splitlines() or [''])[-1][:200]
        return report | {'status': f'failed: {type(e).__name__}: {last}', 'seconds': time.time() - started}
    finally: os.chdir(cwd)
    text = clean_text(nb)
    report |= sizes(nb) | {'after_kb': len(text.encode()) / 1e3, 'seconds': time.time() - started}
    if report['after_kb'] > max_kb:
        report['status'] = f'not written: {report["after_kb"]:.0f} kB > --max-kb {max_kb:.0f}'
    elif dry_run: report['status'] = 'dry run'
    elif path.read_bytes() != original: report['status'] = 'not written: the file changed while it ran'
    else:
        dest = out / path.name if out else path
        tmp = dest.with_name(f'.{dest.name}.tmp')
        tmp.write_text(text, encoding='utf-8')
        os.replace(tmp, dest)  # atomic: a kill leaves the old notebook or the new one
        report['status'] = 'written' + (f' to {dest}' if out else '')
    return report


def _child(args) -> int:
    "Run in a fresh process per notebook: widgets, matplotlib settings and threads never leak between notebooks."
    report = store_one(Path(args.notebooks[0]).resolve(), set(args.flags.split()), args.dpi, args.max_kb, args.dry_run,
                       args.out.resolve() if args.out else None)
    print('REPORT ' + json.dumps(report))
    return 0


def run_in_child(path: Path, args) -> dict:
    cmd = [sys.executable, __file__, '--child', str(path), '--flags', args.flags, '--dpi', str(args.dpi),
           '--max-kb', str(args.max_kb)] + ['--dry-run'] * args.dry_run + (['--out', str(args.out)] if args.out else [])
    env = os.environ | {'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', '1'), 'MPLBACKEND': 'agg'}
    try: done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, env=env, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {'notebook': path.name, 'status': f'failed: over --timeout {args.timeout} s'}
    lines = [l for l in done.stdout.splitlines() if l.startswith('REPORT ')]
    if not lines:
        last = (done.stderr.strip().splitlines() or ['no report'])[-1][:200]
        return {'notebook': path.name, 'status': f'failed: {last}'}
    return json.loads(lines[-1][len('REPORT '):])


def _row(r: dict) -> str:
    num = lambda k, f='{:8.1f}': f.format(r[k]) if k in r else ' ' * 8
    return (f"{r['notebook']:<24}{num('seconds', '{:7.1f}s')}{num('before_kb')}{num('after_kb')}"
            f"{num('outputs_kb')}{num('widgets_kb')}  {r['status']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('notebooks', nargs='+', type=Path, help='notebooks to run and store')
    parser.add_argument('--max-kb', type=float, default=1500, help='refuse to write a notebook larger than this (kB)')
    parser.add_argument('--dpi', type=int, default=72, help='resolution of matplotlib figures')
    parser.add_argument('--flags', default='', help='tst_flags to run too (e.g. "slow"); other flagged cells are not')
    parser.add_argument('--timeout', type=int, default=900, help='seconds one notebook may run')
    parser.add_argument('--dry-run', action='store_true', help='run and report sizes, write nothing')
    parser.add_argument('--out', type=Path, help='write the notebooks to this folder instead of in place')
    parser.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child: return _child(args)
    missing = [str(p) for p in args.notebooks if p.suffix != '.ipynb' or not p.is_file()]
    problem = (f'not a notebook: {", ".join(missing)}' if missing else
               f'--out {args.out}: no such folder' if args.out and not args.out.is_dir() else None)
    if problem:
        print(f'store_outputs: {problem}', file=sys.stderr)
        return 2
    print(f"{'notebook':<24}{'time':>8}{'before':>8}{'after':>8}{'outputs':>8}{'widgets':>8}  (kB)", flush=True)
    reports = []
    for path in args.notebooks:
        reports.append(run_in_child(path.resolve(), args))
        print(_row(reports[-1]), flush=True)
    bad = [r for r in reports if not r['status'].startswith(('written', 'dry run'))]
    total = sum(r.get('after_kb', 0) for r in reports)
    print(f'{len(reports) - len(bad)} stored, {len(bad)} not; {total:.0f} kB in all')
    return int(bool(bad))


if __name__ == '__main__':
    sys.exit(main())
