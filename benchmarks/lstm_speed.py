"""The bottleneck LSTM alone on a CPU: float32 against the int8 copy that separation runs (`int8_lstms`).

Times the default models' bottleneck LSTM (512 inputs, 800 hidden units per direction, 2 layers, bidirectional) in
inference over the 259 steps of a 6 s waveform separation window (130 for a spectrogram window), for a batch of 1
sequence (how separation runs on a CPU) and 2, in float32 and with int8 weights (`auralflow.models.int8_lstm`). Each
number is the best of `--rounds` of the process's CPU time, on one thread. With batch 1 the float32 recurrence is
limited by reading its weights (10 MB a matrix) at every step, so two sequences cost about as much as one; int8 reads a
quarter of the bytes. Also printed: how far the int8 output is from the float32 one (relative L2 error, random
weights and inputs), and how long making the int8 copy takes.

    python benchmarks/lstm_speed.py
"""
import argparse
import time

import torch

from auralflow.models import int8_lstm


def best_cpu_seconds(fn, rounds: int) -> float:
    "The least process CPU time of `rounds` calls of `fn`, after one warm-up call."
    fn()
    times = []
    for _ in range(rounds):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--rounds', type=int, default=5)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(512, 800, 2, batch_first=True, bidirectional=True).eval()
    start = time.process_time()
    quantized = int8_lstm(lstm)
    made = time.process_time() - start
    if quantized is None: raise SystemExit('lstm_speed: this PyTorch cannot make int8 LSTMs (no dynamic quantization)')
    print(f'LSTM(512, 800, 2 layers, bidirectional), 1 thread, torch {torch.__version__}, best of {args.rounds}; '
          f'int8 copy made in {made:.2f} s')
    print(f"{'steps':>5} {'batch':>5} {'float32 s':>10} {'int8 s':>8} {'speed-up':>8} {'int8 error':>10}")
    for steps in (259, 130):
        for batch in (1, 2):
            x = torch.randn(batch, steps, 512)
            with torch.inference_mode():
                exact, fast = lstm(x)[0], quantized(x)[0]
                plain = best_cpu_seconds(lambda: lstm(x), args.rounds)
                int8 = best_cpu_seconds(lambda: quantized(x), args.rounds)
            error = ((fast - exact).norm() / exact.norm()).item()
            print(f'{steps:>5} {batch:>5} {plain:>10.3f} {int8:>8.3f} {plain / int8:>7.1f}x {error:>10.4f}')


if __name__ == '__main__':
    main()
