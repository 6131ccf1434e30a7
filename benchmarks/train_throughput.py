"""CPU training throughput (examples per second) of Auralflow's models against Open-Unmix, measured in the same run.

One training step = forward, loss, backward, gradient clipping and an AdamW update, on a batch of random stereo chunks
at 44.1 kHz; data loading is left out (see data_throughput.py). Both sides separate four targets:

* each named Auralflow model at its default size (auralflow.models), trained end to end on waveforms with its default
  training loss (auralflow.config.default_loss: l1, or kl for the VAEs), exactly as auralflow.trainer does: with its
  default mixed precision (auralflow.core.mixed_precision: bfloat16 autocast on a CPU that has it natively), and
  again in float32 (rows MODEL+float32) where that differs;
* Open-Unmix umxhq (openunmix.umxhq(pretrained=False): four OpenUnmix networks, one per target), trained the way
  Open-Unmix trains: STFT magnitude of the mixture in, MSE against each target's magnitude.

The two are timed round-robin and the best round of each is kept, so load from other processes hits both alike.

    python benchmarks/train_throughput.py                       # SpectrogramNetSimple: batch 4 x 3 s, 1 thread
    python benchmarks/train_throughput.py --models all          # the seven models
    python benchmarks/train_throughput.py --models AudioNetSimple --batch_size 8 --chunk_seconds 6 --threads 2
"""
import argparse
import time

import torch

from auralflow.config import default_loss
from auralflow.core import mixed_precision, precision_name
from auralflow.losses import create_loss
from auralflow.models import create_model, list_models


def auralflow_step(model, amp_dtype: torch.dtype | None = None):
    """A training step function for an Auralflow model (or its name): (mixture [B, C, T], targets [B, K, C, T]) -> loss;
    under CPU autocast to `amp_dtype` if given."""
    model = (create_model(model) if isinstance(model, str) else model).train()
    loss_fn = create_loss(default_loss(type(model).__name__))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    def step(mixture, targets):
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast('cpu', amp_dtype, enabled=amp_dtype is not None):
            loss = loss_fn(model(mixture), targets, mixture)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        return float(loss.detach())
    return step, sum(p.numel() for p in model.parameters())


def openunmix_step():
    "A training step for Open-Unmix umxhq's four target networks, on STFT magnitudes with MSE (its own recipe)."
    import openunmix
    from openunmix_baseline import training_step
    separator = openunmix.umxhq(pretrained=False)
    for net in separator.target_models.values(): net.train()
    params = [p for net in separator.target_models.values() for p in net.parameters()]
    return training_step(separator, torch.optim.AdamW(params, lr=1e-3)), sum(p.numel() for p in params)


def best_step_times(contenders: dict, mixture, targets, steps: int, repeats: int) -> dict:
    "Seconds per step of each (step, params) contender: after a warm-up, timed round-robin, the best round kept."
    for step, _ in contenders.values(): step(mixture, targets)  # warm-up (allocations, first-call overhead)
    best = {name: float('inf') for name in contenders}
    for _ in range(repeats):
        for name, (step, _) in contenders.items():
            start = time.perf_counter()
            for _ in range(steps): step(mixture, targets)
            best[name] = min(best[name], (time.perf_counter() - start) / steps)
    return best


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--batch_size', type=int, default=4, help='examples per step (default 4)')
    p.add_argument('--chunk_seconds', type=float, default=3.0, help='length of each example in seconds (default 3)')
    p.add_argument('--steps', type=int, default=2, help='training steps per timed round (default 2)')
    p.add_argument('--repeats', type=int, default=3, help='timed rounds; the best is kept (default 3)')
    p.add_argument('--threads', type=int, default=1, help='torch CPU threads (default 1)')
    p.add_argument('--models', nargs='+', default=['SpectrogramNetSimple'],
                   help="Auralflow models, or 'all' (default SpectrogramNetSimple)")
    args = p.parse_args(argv)
    names = list_models() if args.models == ['all'] else args.models

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    targets = 0.1 * torch.randn(args.batch_size, 4, 2, int(args.chunk_seconds * 44100))
    mixture = targets.sum(1)
    amp = mixed_precision('cpu')  # what the trainer uses here: bfloat16 or None (float32)
    contenders = {'Open-Unmix umxhq': openunmix_step()}
    for name in names:
        contenders[name] = auralflow_step(name, amp)
        if amp is not None: contenders[f'{name}+float32'] = auralflow_step(name)
    best = best_step_times(contenders, mixture, targets, args.steps, args.repeats)

    print(f"CPU training throughput: batch {args.batch_size} x {args.chunk_seconds:g} s stereo at 44.1 kHz, "
          f"{args.threads} thread(s), torch {torch.__version__}, best of {args.repeats} rounds of {args.steps} steps, "
          f"Auralflow in {precision_name(amp)} (the trainer's amp here), umxhq in float32")
    print(f"{'model':<28} {'params':>8} {'s/step':>8} {'examples/s':>11} {'audio s/s':>10} {'vs umxhq':>9}")
    theirs = best['Open-Unmix umxhq']
    for name, (_, params) in contenders.items():
        rate = args.batch_size / best[name]
        print(f"{name:<28} {params / 1e6:>7.1f}M {best[name]:>8.2f} {rate:>11.2f} {rate * args.chunk_seconds:>10.2f} "
              f"{theirs / best[name]:>8.2f}x")
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
