"""Rewrite the package's float16 weight files (format auralflow-weights-1) as int8 files (format 2) in place.

The weights, config and training record stay; each file's checksum in the registry is updated. The recorded scores
stay too: they were measured at full precision, and 13_pretrained's slow test checks that the int8 files reproduce
them within 0.1 dB.

    python benchmarks/requantize_weights.py
"""
import torch

from auralflow.pretrained import (WEIGHTS_DIR, WEIGHTS_FORMAT, dequantize_state, quantize_state, read_registry,
                                  sha256_of, write_registry)
from auralflow.audio import atomic_path


def main() -> int:
    registry = read_registry()
    for entry in registry.values():
        path = WEIGHTS_DIR / entry.file
        if not path.is_file(): continue
        payload = torch.load(path, map_location='cpu', weights_only=True)
        if payload['format'] == WEIGHTS_FORMAT: continue
        before = path.stat().st_size
        payload.update(format=WEIGHTS_FORMAT, state_dict=quantize_state(dequantize_state(payload['state_dict'])))
        with atomic_path(path) as tmp: torch.save(payload, tmp)
        entry.sha256 = sha256_of(path)
        print(f"{entry.name}: {before / 1e6:.1f} MB -> {path.stat().st_size / 1e6:.1f} MB")
    write_registry(registry)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
