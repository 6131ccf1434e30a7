"""CPU forward time of every Auralflow model at its default size, against Open-Unmix measured in the same run.

Times one forward pass (inference mode, eval) over a stereo excerpt at 44.1 kHz and reports seconds per second of
audio (the real-time factor: lower is faster) and the ratio to Open-Unmix `umxhq` (untrained weights, 4 targets, its
full Separator: STFT, four BiLSTM networks, one Wiener iteration, iSTFT; also without the Wiener step). The models are
timed round-robin and the best round of each is kept, so load from other processes hits all of them alike; the
process CPU time is shown too, since it is less sensitive to such load than the wall clock.

    python benchmarks/model_speed.py                      # 2 threads, 10 s excerpt, best of 3 rounds
    python benchmarks/model_speed.py --threads 1 --seconds 5 --models AudioNetSimple HybridNet
"""
import argparse
import time

import torch

from auralflow.models import create_model, list_models


def contenders(names: list[str]) -> dict[str, torch.nn.Module]:
    "Open-Unmix (if installed) and the named Auralflow models at their default size, in eval mode."
    models = {}
    try:
        import openunmix
        for niter in (1, 0):
            models[f'Open-Unmix umxhq (niter={niter})'] = openunmix.umxhq(pretrained=False, niter=niter)
    except ImportError:
        print('openunmix is not installed: no reference timing')
    for name in names: models[name] = create_model(name)
    return {label: m.eval() for label, m in models.items()}


def time_call(model: torch.nn.Module, audio: torch.Tensor) -> tuple[float, float]:
    "Wall-clock and process CPU seconds of one `model(audio)`."
    wall, cpu = time.perf_counter(), time.process_time()
    model(audio)
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--threads', type=int, default=2, help='torch CPU threads (default 2)')
    p.add_argument('--seconds', type=float, default=10.0, help='length of the stereo excerpt in seconds (default 10)')
    p.add_argument('--repeats', type=int, default=3, help='timed rounds over all models; the best is kept (default 3)')
    p.add_argument('--models', nargs='+', default=list_models(), help='Auralflow models to time (default: all)')
    args = p.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    audio = 0.1 * torch.randn(1, 2, int(args.seconds * 44100))
    models = contenders(args.models)
    best = {label: (float('inf'), float('inf')) for label in models}
    with torch.inference_mode():
        for label, model in models.items(): model(audio)  # warm-up
        for _ in range(args.repeats):
            for label, model in models.items():
                wall, cpu = time_call(model, audio)
                best[label] = (min(best[label][0], wall), min(best[label][1], cpu))

    ref = next((label for label in best if label.startswith('Open-Unmix')), None)
    print(f"CPU forward time, {args.seconds:g} s stereo at 44.1 kHz, {args.threads} thread(s), "
          f"best of {args.repeats} rounds")
    print(f"{'model':<28} {'params (M)':>10} {'wall s / s audio':>17} {'vs umxhq':>9} "
          f"{'CPU s / s audio':>16} {'vs umxhq':>9}")
    for label, (wall, cpu) in best.items():
        n = sum(q.numel() for q in models[label].parameters())
        r_wall = f"{wall / best[ref][0]:8.2f}x" if ref else '        -'
        r_cpu = f"{cpu / best[ref][1]:8.2f}x" if ref else '        -'
        print(f"{label:<28} {n / 1e6:10.1f} {wall / args.seconds:17.4f} {r_wall} {cpu / args.seconds:16.4f} {r_cpu}")
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
