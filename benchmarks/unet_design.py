"""The design steps between the pooled 2022 spectrogram U-Net and the strided one, each timed against Open-Unmix.

Every variant is SpectrogramNetSimple at its default size with another U-Net swapped in (built with
auralflow.models.StridedUNet's arguments), trained as train_throughput.py trains it: batch 4 x 3 s stereo, default
loss, AdamW, 1 thread. Variants and Open-Unmix umxhq are timed round-robin; the best round of each is kept.

    python benchmarks/unet_design.py
"""
import argparse
import datetime

import torch

from readme_tables import machine
from train_throughput import auralflow_step, best_step_times, openunmix_step
from auralflow.models import POOLED_2022, Bottleneck, StridedUNet, create_model, level_blocks, make_config


def strided(config, strides, blocks):
    "SpectrogramNetSimple with a strided U-Net of the given folds and blocks per level."
    model = create_model('SpectrogramNetSimple', config)
    channels = [config.base_channels * 2 ** i for i in range(1, config.depth + 1)]
    kernel = (1, config.spec_kernel_size)
    model.unet = StridedUNet(2, 2, 8, channels, strides, blocks, kernel, config.dropout_p,
                             Bottleneck('simple', 2, channels[-1], config, kernel, block=True))
    return model


def variants() -> dict:
    c = make_config()
    no_time = [(c.spec_pool, 1)] * c.depth
    every_level = level_blocks(make_config(spec_first_blocks=1), 2)  # a block at every level
    return {'pooled (2022)': create_model('SpectrogramNetSimple', **POOLED_2022),
            'strided, frequency only': strided(c, no_time, every_level),
            '+ time folded at levels 2, 3 (spec_first_blocks=1)': create_model('SpectrogramNetSimple',
                                                                               spec_first_blocks=1),
            '+ no block at level 1 (default)': create_model('SpectrogramNetSimple'),
            'default with a block at level 1, k x k at levels 1-2 (spec_first_blocks=1, spec_freq_levels=2)':
                create_model('SpectrogramNetSimple', spec_first_blocks=1, spec_freq_levels=2),
            'default with k x k at level 2 (spec_freq_levels=2)':
                create_model('SpectrogramNetSimple', spec_freq_levels=2)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--steps', type=int, default=2, help='training steps per timed round (default 2)')
    p.add_argument('--repeats', type=int, default=3, help='timed rounds; the best is kept (default 3)')
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(0)
    targets = 0.1 * torch.randn(4, 4, 2, 3 * 44100)
    mixture = targets.sum(1)
    steps = {'Open-Unmix umxhq': openunmix_step()}
    for name, model in variants().items(): steps[name] = auralflow_step(model)
    best = best_step_times(steps, mixture, targets, args.steps, args.repeats)
    print(f"SpectrogramNetSimple training step, batch 4 x 3 s stereo, 1 thread, torch {torch.__version__}, "
          f"{datetime.date.today()} on {machine()}")
    print(f"| variant | parameters | s/step | examples/s vs umxhq |\n|---|---|---|---|")
    for name, (_, params) in steps.items():
        print(f"| {name} | {params / 1e6:.2f} M | {best[name]:.2f} | {best['Open-Unmix umxhq'] / best[name]:.2f}x |")
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
