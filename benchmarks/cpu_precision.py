"""Scores of the shipped models separated on a CPU in float32 and in `separate`'s CPU default, on the same test sets.

    python benchmarks/cpu_precision.py DATA [DATA ...] [--models NAME ...]

The CPU default (`auralflow.separate.cpu_precision`) runs LSTMs with int8 weights and, on a CPU with native bfloat16
(`auralflow.core.cpu_has_bfloat16`), everything else under bfloat16 autocast; `float32=True` (`auralflow separate
--float32`) runs the model as trained. For each model and DATA folder this prints the mean over the four targets of
the median SI-SDR over tracks (`auralflow.evaluate.evaluate`, as in README's tables) both ways, the largest change of
one target's median, and the CPU seconds each way, and saves the table to benchmarks/results/cpu_precision.txt,
headed by the date and the machine.
"""
import argparse
import datetime
import time
from pathlib import Path

import torch

from auralflow.core import cpu_has_bfloat16
from auralflow.evaluate import evaluate
from auralflow.pretrained import list_pretrained, load_pretrained

RESULTS = Path(__file__).parent / 'results' / 'cpu_precision.txt'


def medians(model, data: Path, float32: bool) -> tuple[dict, float]:
    "target -> median SI-SDR over the test split's tracks, and the CPU seconds it took."
    start = time.process_time()
    scores = evaluate(model, data, progress=False, float32=float32)
    seconds = time.process_time() - start
    return scores.groupby('target')['SI-SDR'].median().to_dict(), seconds


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('data', type=Path, nargs='+', help='dataset folders with a test split')
    p.add_argument('--models', nargs='*', help='pretrained models (default: every one with weights here)')
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    from readme_tables import machine
    lines = [f'# {datetime.date.today()} on {machine()}',
             f"CPU default: int8 LSTM weights{', bfloat16 autocast' if cpu_has_bfloat16() else ''}; 1 thread",
             '| model | test set | float32 mean (dB) | CPU default mean (dB) | largest target change (dB) | '
             'float32 CPU s | CPU default CPU s |', '|---|---|---|---|---|---|---|']
    for name in args.models or list_pretrained():
        model = load_pretrained(name).eval()
        for data in args.data:
            (exact, t_exact), (fast, t_fast) = medians(model, data, True), medians(model, data, False)
            change = max(abs(fast[t] - exact[t]) for t in exact)
            lines.append(f'| {type(model).__name__} | {data.name} | {sum(exact.values()) / len(exact):+.3f} | '
                         f'{sum(fast.values()) / len(fast):+.3f} | {change:.3f} | {t_exact:.1f} | {t_fast:.1f} |')
            print(lines[-1], flush=True)
    RESULTS.write_text('\n'.join(lines) + '\n')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
