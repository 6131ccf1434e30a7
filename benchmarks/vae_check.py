"""How a trained VAE uses its latent, and how close its features come to float16's range.

    python benchmarks/vae_check.py FOLDER/checkpoint/last.pt [--data DATA] [--chunks 16]

Runs the checkpoint's model in training mode (as the trainer does) on 3 s chunks of the first `--chunks` mixtures of
DATA's train split. It prints the KL term, in nats per latent element (near 0: the latent carries nothing, "posterior
collapse"; in the hundreds: nothing holds the latent near its prior), how many latent channels carry more than 0.01
nats, and the blocks with the largest |activation|. AMP on CUDA computes in float16, whose range ends at 65504.

Then, in eval mode, it separates the same chunks twice: with the latent the encoder infers (its mean, as in use) and
with the latent set to 0, the prior's mean. The difference of the two SI-SDRs is what the latent contributes; near
0 dB, the skip connections separate on their own and the latent is decoration.
"""
import argparse
from pathlib import Path

import torch

from auralflow.audio import load_audio
from auralflow.metrics import si_sdr
from auralflow.models import create_model
from auralflow.trainer import load_checkpoint

FLOAT16_MAX = 65504.0


def chunks(model, data: Path, count: int, seconds: float = 3.0, offset: float = 5.0,
           stems: tuple = ('mixture',)) -> torch.Tensor:
    "[count, len(stems), C, T] excerpts of the train split's tracks, at the model's rate and channel count."
    tracks = sorted(p.parent for p in (data / 'train').glob('*/mixture.wav'))[:count]
    if not tracks: raise SystemExit(f"no train/*/mixture.wav under {data}")
    start, length = int(offset * model.sample_rate), int(seconds * model.sample_rate)
    def clip(path): return load_audio(path, model.sample_rate, model.audio_channels)[0][:, start:start + length]
    return torch.stack([torch.stack([clip(t / f'{s}.wav') for s in stems]) for t in tracks])


@torch.no_grad()
def latent_contribution(model: torch.nn.Module, audio: torch.Tensor) -> tuple[float, float]:
    "Mean SI-SDR (dB) of the eval-mode separation of `audio` [N, 1 + K, C, T] with the inferred latent, and with z = 0."
    mixture, targets = audio[:, 0], audio[:, 1:]
    def score(): return si_sdr(model(mixture).estimates, targets).nanmean().item()
    model.eval()
    inferred = score()
    hook = model.unet.bottleneck.vae.mu.register_forward_hook(lambda _m, _i, mu: torch.zeros_like(mu))
    try: prior = score()  # in eval mode z is the mean, so a zero mean is a zero latent
    finally: hook.remove()
    return inferred, prior


def largest_activations(model: torch.nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, dict]:
    "The KL of each latent channel and, per block, the largest |output| on `x`."
    peaks = {}
    def record(name, out):
        for o in out if isinstance(out, (tuple, list)) else [out]:
            if torch.is_tensor(o) and o.is_floating_point():
                peaks[name] = max(peaks.get(name, 0.0), o.detach().abs().max().item())
    hooks = [m.register_forward_hook(lambda _m, _i, o, name=name: record(name, o))
             for name, m in model.named_modules() if '.' in name]
    try:
        with torch.no_grad(): out = model(x)
    finally:
        for h in hooks: h.remove()
    return out.kl, peaks


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('checkpoint', type=Path)
    p.add_argument('--data', type=Path, help="dataset folder (default: the one in the checkpoint's config)")
    p.add_argument('--chunks', type=int, default=16)
    a = p.parse_args(argv)
    ck = load_checkpoint(a.checkpoint)
    torch.manual_seed(0)
    model = create_model(ck['model_name'], ck['config']['model'])
    model.load_state_dict(ck['model'])
    model.train()
    audio = chunks(model, a.data or Path(ck['config']['data']['dataset']), a.chunks, stems=('mixture', *model.targets))
    kl, peaks = largest_activations(model, audio[:, 0])
    loss = ck['config']['training']
    print(f"{a.checkpoint}: epoch {ck['state']['epoch']}, loss {loss['loss']} {loss['loss_kwargs']}, "
          f"KL {kl.mean():.3g}, {int((kl > 0.01).sum())} of {len(kl)} latent channels above 0.01 nats")
    for name, peak in sorted(peaks.items(), key=lambda kv: -kv[1])[:3]:
        print(f"  {peak:10.1f}  ({peak / FLOAT16_MAX:6.1%} of float16's range)  {name}")
    inferred, prior = latent_contribution(model, audio)
    print(f"SI-SDR {inferred:+.2f} dB with the inferred latent, {prior:+.2f} dB with z = 0: "
          f"the latent contributes {round(inferred - prior, 2) + 0.0:+.2f} dB")  # + 0.0: no "-0.00"


if __name__ == '__main__':
    main()
