"""Regenerate the tables of README.md (via nbs/index.ipynb) from measurements, never by hand.

    python benchmarks/readme_tables.py params            # parameter counts of the seven models (default config)
    python benchmarks/readme_tables.py scores RESULTS    # SI-SDR table from a results JSON (see --help)
    python benchmarks/readme_tables.py speed             # runs train_throughput.py and separation_speed.py (~10 min)
    python benchmarks/readme_tables.py speed --logs      # the table from their last saved outputs (benchmarks/results)
    python benchmarks/readme_tables.py throughput        # BSSEval, generation, separation memory, start-up (saved outputs)
    python benchmarks/readme_tables.py equal_time        # pooled vs strided U-Net for the same CPU time (saved output)
    python benchmarks/readme_tables.py equal_steps       # ... for the same steps (equal_steps_bfloat16: in bfloat16)
    python benchmarks/readme_tables.py one_hour          # what one CPU hour trains of each default model (saved output)
    python benchmarks/readme_tables.py mixed_precision   # models trained in float32 and in bfloat16 (saved output)
    python benchmarks/readme_tables.py factors           # test set 7's sounds and production apart (heldout_factors.py)

Each table replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->` in a markdown cell of
nbs/index.ipynb; then README.md is rebuilt with `python .ci/build_docs.py --readme`.
"""
import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
INDEX = ROOT / 'nbs' / 'index.ipynb'
PROMISED = {'SpectrogramNetSimple': 7.9, 'SpectrogramNetLSTM': 32.3, 'SpectrogramNetVAE': 40.0, 'AudioNetSimple': 7.9,
            'AudioNetSimpleLSTM': 32.3, 'AudioNetVAE': 40.0, 'HybridNet': 65.5}  # millions, the 2022 README's table


def replace_block(name: str, text: str, path: Path = INDEX):
    "Put `text` between the `name` markers of the notebook's markdown cells."
    nb = nbformat.read(path, as_version=4)
    pattern = re.compile(rf'(<!-- {name}:start -->).*?(<!-- {name}:end -->)', re.S)
    hits = [c for c in nb.cells if c.cell_type == 'markdown' and pattern.search(c.source)]
    if len(hits) != 1: sys.exit(f'expected one block named {name!r} in {path}, found {len(hits)}')
    hits[0].source = pattern.sub(lambda m: f'{m.group(1)}\n{text}\n{m.group(2)}', hits[0].source)
    nbformat.write(nb, path)


WHERE = {None: 'no (recipe only)', 'package': 'in the package (generated data)',
         'download': 'download (generated data)', 'unpublished': 'no (file not published)'}


def where_pretrained(entry) -> str:
    "Where a model's pretrained weights are (in the package, at a URL, or nowhere yet) and the U-Net they use."
    where = WHERE[entry and entry.availability]
    recipe = ROOT / 'auralflow' / 'weights' / f'{entry.name}.recipe.json' if entry else None
    if recipe is None or not recipe.is_file() or where.startswith('no'): return where
    return f"{where[:-1]}, {json.loads(recipe.read_text())['model'].get('unet', 'pooled')} U-Net)"


def params_table() -> str:
    import torch
    from auralflow.models import create_model, list_models
    from auralflow.pretrained import read_registry
    shipped = read_registry()
    rows = ['| Model | Domain | Parameters (counted) | Promised (2022) | Pretrained | Trainable |',
            '|---|---|---|---|---|---|']
    for name in list_models():
        model = create_model(name)
        count = sum(p.numel() for p in model.parameters()) / 1e6
        domain = 'both' if name == 'HybridNet' else 'spectrogram' if name.startswith('Spectrogram') else 'waveform'
        pretrained = where_pretrained(shipped.get(name))
        trainable = 'yes' if any(p.requires_grad for p in model.parameters()) else 'no'
        rows.append(f'| {name} | {domain} | {count:.1f} M | {PROMISED[name]} M | {pretrained} | {trainable} |')
    return '\n'.join(rows)


def _generator_version(data: str) -> int:
    "The generator version named in a test set's description (0 for data that was not generated)."
    m = re.search(r'generator v(\d+)', data)
    return int(m.group(1)) if m else 0


def scores_table(results: dict) -> str:
    """results: {'sets': [{'data': '...', 'rows': [{'method': ..., 'vocals': dB, ...}, ...]}, ...]}: one table per set,
    numbered in the file's order; the sets of earlier generator versions fold away under a summary line."""
    targets = ['vocals', 'drums', 'bass', 'other']
    newest = max(_generator_version(s['data']) for s in results['sets'])
    current, earlier = [], []
    for n, s in enumerate(results['sets'], 1):
        rows = [f'| Method | {" | ".join(targets)} | mean |', '|---|' + '---|' * (len(targets) + 1)]
        for r in s['rows']:
            values = [r[t] for t in targets]
            cells = [f'{round(v, 1) + 0.0:+.1f}' for v in values + [sum(values) / len(values)]]  # no -0.0
            rows.append(f'| {r["method"]} | ' + ' | '.join(cells) + ' |')
        table = f'**Test set {n}**: {s["data"]}. Median SI-SDR (dB) over tracks.\n\n' + '\n'.join(rows)
        (current if _generator_version(s['data']) == newest else earlier).append(table)
    if not earlier: return '\n\n'.join(current)
    return '\n\n'.join(current + [f'<details><summary>Test sets of earlier generator versions</summary>\n',
                                    *earlier, '</details>'])


RESULTS = ROOT / 'benchmarks' / 'results'
TRAIN_LOG, SEPARATION_LOG = RESULTS / 'train_throughput.txt', RESULTS / 'separation_speed.txt'
TARGETS = {'SpectrogramNetSimple': (1.0, 2.0), 'AudioNetSimple': (1.0, 1.0), 'HybridNet': (0.4, 1.0)}  # issue 17
LSTM_VAE_TARGETS = (0.6, 1.0)


def machine() -> str:
    "The CPU model and core count of this machine, from /proc/cpuinfo."
    import os
    import platform
    info = Path('/proc/cpuinfo').read_text() if Path('/proc/cpuinfo').exists() else ''
    names = [l.split(':', 1)[1].strip() for l in info.splitlines() if l.startswith('model name')]
    name = names[0] if names else platform.processor()
    return f'{name}, {os.cpu_count()} cores'


def run_speed_benchmarks():
    "Run both benchmarks for every model and save their outputs, headed by the date and the machine."
    import datetime
    bench = ROOT / 'benchmarks'
    for log, script, extra in ((TRAIN_LOG, 'train_throughput.py', []),
                               (SEPARATION_LOG, 'separation_speed.py', ['--long-seconds', '0'])):
        out = subprocess.run([sys.executable, str(bench / script), '--models', 'all', *extra], check=True,
                             capture_output=True, text=True, cwd=bench).stdout
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(f'# {datetime.date.today()} on {machine()}\n{out}')


def speed_table() -> str:
    "Training and separation speed of every model against Open-Unmix, from the saved benchmark outputs."
    train = TRAIN_LOG.read_text().splitlines()
    rates = {l.split()[0]: float(l.split()[-1].rstrip('x')) for l in train if re.search(r'\d\.\d+x$', l)}
    rows = [l.strip('|').split('|') for l in SEPARATION_LOG.read_text().splitlines() if l.startswith('| ')]
    header = [c.strip() for c in rows[0]]
    separation = {r[0].strip(): dict(zip(header, (c.strip() for c in r))) for r in rows[1:]}
    lines = [f'Measured {train[0].lstrip("# ")}; {train[1]}. Separation: a 60 s stereo song, 1 thread, per CPU-second.',
             '', '| Model | training examples/s vs umxhq | the same in float32 | target | separation speed vs umxhq '
             '(with its Wiener step) | target | the same in float32 | peak RSS while separating |',
             '|---|---|---|---|---|---|---|---|']
    for name in [n for n in rates if n in PROMISED]:
        train_target, sep_target = TARGETS.get(name, LSTM_VAE_TARGETS)
        sep, exact = separation.get(name, {}), separation.get(f'{name}+float32', {})
        float32 = f"{rates[name + '+float32']:.2f}x" if name + '+float32' in rates else ''
        lines.append(f"| {name} | {rates[name]:.2f}x | {float32} | >= {train_target:g}x "
                     f"| {sep.get('vs_openunmix', '-')} | >= {sep_target:g}x | {exact.get('vs_openunmix', '')} "
                     f"| {sep.get('rss_peak_mb', '-')} MB |")
    ref = separation.get('openunmix', {})
    lines.append(f"| Open-Unmix umxhq | 1.00x | | | 1.00x | | | {ref.get('rss_peak_mb', '-')} MB |")
    return '\n'.join(lines)


def _numbers(pattern: str, text: str) -> tuple:
    "The groups of the first match of `pattern` in `text`, as floats where they are numbers."
    m = re.search(pattern, text, re.M)
    if not m: raise SystemExit(f'readme_tables: {pattern!r} not found in a saved benchmark output')
    return tuple(float(g) if re.fullmatch(r'[-+.\deE]+', g) else g for g in m.groups())


def _saved(name: str) -> tuple[str, str]:
    "(date and machine from the first line, whole text) of a saved benchmark output."
    text = (RESULTS / name).read_text()
    m = re.match(r'# (\d{4}-\d\d-\d\d) on (.+?, \d+ cores)', text)
    return (f'{m.group(1)}, {m.group(2)}' if m else text.splitlines()[0].lstrip('# ')), text


def separation_memory_rows() -> list[str]:
    "Peak memory of `auralflow separate` on 1 and 60 minutes against Open-Unmix on 1 minute."
    when, text = _saved('separation_memory.txt')
    peak = {(k.strip(), m.strip()): float(p) for k, m, p in
            re.findall(r'^\| (auralflow separate|openunmix umxhq) \| (\d+) \| (\d+) \|', text, re.M)}
    one, sixty, umx = peak[('auralflow separate', '1')], peak[('auralflow separate', '60')], peak[('openunmix umxhq', '1')]
    return [f'| `auralflow separate` peak memory, SpectrogramNetSimple, 60 min stereo vs 1 min | {sixty:.0f} MB vs '
            f'{one:.0f} MB | Open-Unmix umxhq, 1 min: {umx:.0f} MB | {sixty / one:.2f}x (60/1 min) | <= 1.10x, '
            f'< 1536 MB | {when} (separation_memory.py) |']


def throughput_table() -> str:
    "Throughput around the models (issue 22) and start-up (issue 20), each against its peer, from the saved outputs."
    rows = ['| What | Auralflow | Peer | Ratio | Goal | Measured (script) |', '|---|---|---|---|---|---|']
    when, text = _saved('metrics_speed.txt')
    ours, theirs, ratio = _numbers(r'auralflow bss_eval:\s+[\d.]+ s wall,\s+([\d.]+) s CPU', text) + \
        _numbers(r'museval.evaluate:\s+[\d.]+ s wall,\s+([\d.]+) s CPU', text) + _numbers(r'([\d.]+)x CPU', text)
    worst = max(float(d) for d in re.findall(r'max \|ours - museval\| \w+: ([\d.e+-]+) dB', text))
    rows.append(f'| BSSEval v4, 4 stereo targets x 30 s, 1 thread (max difference {worst:.0e} dB) | {ours:.2f} CPU s | '
                f'museval {theirs:.1f} CPU s | {ratio:.1f}x | >= 20x | {when} (metrics_speed.py) |')
    when, text = _saved('generate_speed.txt')
    load, = _numbers(r'^load average before: ([\d.]+)', text)
    rows_found = re.findall(r'^\s*(\d+) (synth|soundfont|mixed)\s+(\d+)\s+[\d.]+\s+([\d.]+)\s+([\d.]+)', text, re.M)
    newest = max(int(v) for v, *_ in rows_found)
    for version, backend, jobs, cpu, x in rows_found:
        if int(version) != newest: continue
        rows.append(f'| `auralflow generate --tracks 4 --seconds 15 --backend {backend} --jobs {jobs}` (generator '
                    f'{version}), start-up included | {cpu} CPU s for 60 s of audio | real time | {x}x per core | '
                    f'>= 10x | {when}, load {load:g} (generate_speed.py) |')
    if (RESULTS / 'separation_memory.txt').is_file(): rows += separation_memory_rows()
    when, text = _saved('cli_startup.txt')
    base, = _numbers(r'^python -c pass \(baseline\)\s+([\d.]+)', text)
    for line in ('--version', '--help'):
        wall, rss = _numbers(rf'^auralflow {line}\s+([\d.]+)\s+(\d+)', text)
        rows.append(f'| `auralflow {line}` | {wall:.2f} s, {rss:.0f} MB | `python -c pass` {base:.2f} s | | '
                    f'< 0.5 s, < 100 MB | {when} (cli_startup.py) |')
    return '\n'.join(rows)


def designs_table(results: str = 'equal_cpu_time.json', what: str = 'U-Net', together: bool = True) -> str:
    """Training runs side by side: SpectrogramNetSimple's U-Net designs after the same CPU time (or steps:
    equal_steps.json), or models in float32 against bfloat16 (mixed_precision.json). What all rows share (date,
    machine, precision, threads, training data) is said above the table; what differs gets a column."""
    saved = json.loads((RESULTS / results).read_text())
    runs = [run_settings(saved, r) for r in saved['rows']]
    varying = [k for k in RUN_SETTINGS if len({s[k] for s in runs}) > 1]
    sets = [k for k in saved['rows'][0] if k.endswith('(dB)')]
    column = varying[0] if len(varying) == 1 else 'trained'  # what tells the rows' runs apart
    head = [what, *([column] if varying else []), 'CPU minutes', 'steps', 'best step', *sets]
    rows = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for r, s in zip(saved['rows'], runs):
        run = [', '.join(threads_text(s[k]) if k == 'threads' else str(s[k]) for k in varying)]
        cells = [r['design'], *(run if varying else []), f"{r['cpu_s'] / 60:.0f}", str(r['steps']),
                 str(r['best_step']), *(f'{r[k] + 0:+.2f}' for k in sets)]
        rows.append('| ' + ' | '.join(cells) + ' |')
    shared = {k: v for k, v in runs[0].items() if k not in varying}
    intro = ('Measured' + (f" {shared['date']}" if 'date' in shared else '')
             + (f" on {shared['machine']}" if 'machine' in shared else '')
             + (f", in {shared['precision']}" if 'precision' in shared else '')
             + (f", {threads_text(shared['threads'])} each" if 'threads' in shared else '')
             + (f", on {shared['data']}" if 'data' in shared else '')
             + (', side by side.' if together else '.'))
    if not shared: intro = 'The trained column says when, where and how each run was trained.'
    goal = f" Each run's goal: step {saved['target_steps']}." if 'target_steps' in saved else ''
    return intro + goal + '\n\n' + '\n'.join(rows)


def threads_text(n: int) -> str:
    "'one thread' or 'N threads'."
    return 'one thread' if n == 1 else f'{n} threads'


RUN_SETTINGS = ('date', 'machine', 'precision', 'threads', 'data')


def run_settings(saved: dict, row: dict) -> dict:
    "A training run's date, machine, precision, torch threads and data (a row without date or machine has its file's)."
    return {k: row[k] if k in row else saved[k] for k in RUN_SETTINGS}


def measured(saved: dict) -> str:
    "When and where a results file's rows were measured: each row's date and machine, or the file's."
    when = lambda key, sep: sep.join(sorted({r.get(key, saved.get(key)) for r in saved['rows']}))
    return f"{when('date', ', ')} on {when('machine', ' and ')}"  # a machine's name may hold commas


def one_hour_rows() -> list[dict]:
    """The one-CPU-hour runs, SpectrogramNetSimple first: its own run in one_cpu_hour.json, or before there was one
    (2026-12-03) the strided run of equal_cpu_time.json."""
    equal = json.loads((RESULTS / 'equal_cpu_time.json').read_text())
    hour = json.loads((RESULTS / 'one_cpu_hour.json').read_text())
    rows = [{'date': hour['date'], 'machine': hour['machine'], **r} for r in hour['rows']]
    if not any(r['design'] == equal['model'] for r in rows):
        rows += [{'date': equal['date'], 'machine': equal['machine'], **r, 'design': equal['model']}
                 for r in equal['rows'] if r['design'] == 'strided']
    return sorted(rows, key=lambda r: r['design'] != equal['model'])  # stable: the others keep their order


def one_hour_table() -> str:
    "What one CPU hour (one core, one thread) trains of each default model, from equal_cpu_time.py's outputs."
    rows = one_hour_rows()
    sets = [k for k in rows[0] if k.endswith('(dB)')]
    data = list(dict.fromkeys(r['data'] for r in rows))  # training sets, numbered in order of appearance
    lines = [f'| Model | CPU minutes | steps | best step | precision | data | {" | ".join(sets)} |',
             '|---|---|---|---|---|---|' + '---|' * len(sets)]
    for r in rows:
        lines.append(f"| {r['design']} | {r['cpu_s'] / 60:.0f} | {r['steps']} | {r['best_step']} | {r['precision']} | "
                     f"{data.index(r['data']) + 1} | " + ' | '.join(f'{r[k] + 0:+.2f}' for k in sets) + ' |')
    lines += ['', 'Training data: ' + '; '.join(f'({i}) {d}' for i, d in enumerate(data, 1)) + '.']
    return (f"Measured {measured(dict(rows=rows))}, one thread and one core each, while the other core trained too.\n\n"
            + '\n'.join(lines))


FACTORS = {'training': 'training sounds and effects', 'heldout-sounds': 'held-out sounds only',
           'heldout-effects': 'held-out effect settings only', 'heldout': 'both (test set 7)'}


def factors_table() -> str:
    "Each shipped model's mean SI-SDR on test set 7's compositions, rendered with each of its two changes alone."
    saved = json.loads((RESULTS / 'heldout_factors.json').read_text())
    rows = [dict(model=name, date=r['date'], machine=r['machine'], **r['scores']) for name, r in sorted(saved.items())]
    mean = lambda scores: sum(scores.values()) / len(scores)
    lines = ['| model | ' + ' | '.join(FACTORS.values()) + ' |', '|---|' + '---|' * len(FACTORS)]
    lines += [f"| {r['model']} | " + ' | '.join(f'{mean(r[v]):+.1f}' for v in FACTORS) + ' |' for r in rows]
    return f"Measured {measured(dict(rows=rows))}. Means of the four medians, in dB:\n\n" + '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='table', required=True)
    sub.add_parser('params', help='parameter counts of every model at its default configuration')
    p = sub.add_parser('scores', help='SI-SDR table from a results JSON written by benchmarks/pretrained_scores.py')
    p.add_argument('results', type=Path)
    p = sub.add_parser('speed', help='training and separation speed against Open-Unmix (runs the benchmarks)')
    p.add_argument('--logs', action='store_true', help='use the saved outputs in benchmarks/results, run nothing')
    sub.add_parser('throughput', help='BSSEval, generation, separation memory and start-up, from saved outputs')
    sub.add_parser('equal_time', help='pooled vs strided U-Net after the same CPU time, from the saved output')
    sub.add_parser('equal_steps', help='pooled vs strided U-Net after the same steps, from the saved output')
    sub.add_parser('equal_steps_bfloat16', help='the same in bfloat16, from the saved output')
    sub.add_parser('one_hour', help='what one CPU hour trains of each default model, from the saved outputs')
    sub.add_parser('mixed_precision', help='models trained in float32 and in bfloat16 side by side, from the saved output')
    sub.add_parser('factors', help="test set 7's sounds and production apart, from heldout_factors.py's saved output")
    args = parser.parse_args(argv)
    if args.table == 'speed' and not args.logs: run_speed_benchmarks()
    tables = {'params': params_table, 'speed': speed_table, 'throughput': throughput_table, 'equal_time': designs_table,
              'equal_steps': lambda: designs_table('equal_steps.json'),
              'equal_steps_bfloat16': lambda: designs_table('equal_steps_bfloat16.json', together=False),
              'one_hour': one_hour_table, 'mixed_precision': lambda: designs_table('mixed_precision.json', 'Run'),
              'factors': factors_table, 'scores': lambda: scores_table(json.loads(args.results.read_text()))}
    text = tables[args.table]()
    replace_block(args.table, text)
    print(text)
    subprocess.run([sys.executable, str(ROOT / '.ci' / 'build_docs.py'), '--readme'], check=True)


if __name__ == '__main__':
    main()
