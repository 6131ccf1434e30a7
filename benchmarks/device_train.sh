#!/usr/bin/env bash
# Retrain the shipped models on the generator's `mixed` songs on a GPU machine of the `device` tool (issue 18).
#
#   bash benchmarks/device_train.sh MINUTES [SONGS] [SECONDS]      # defaults: 6 minutes, 512 songs of 20 s
#
# Steps:
# 1. Here, once: `python benchmarks/device_kit.py --fluidsynth-src DIR` packs .devkit/ (wheels, a minimal
#    libfluidsynth, TimGM6mb.sf2; it prints whether tree + kit fit the 64 MiB a call sends).
# 2. Device tool: run(command='bash benchmarks/device_train.sh 6', carry=['.devkit'], timeout_s=600).
#    Budget (15 device minutes a session, 10 a command): machine start ~1-2 min; install ~5 s; rendering 512 songs
#    x 20 s in 16 processes ~45-60 s (mixed with TimGM6mb renders ~15 s of audio per CPU second here:
#    benchmarks/results/generate_speed.txt); training MINUTES, plus the epoch in progress, validation and start-up;
#    publishing ~10 s. MINUTES=6 ends in ~8.5 min, inside timeout_s=600, with no time for a second call.
# 3. Here: `cat FILES_AT/result.tar.* | tar x -C DIR` gives weights/ (int8 .pt, recipes, registry.json with
#    `trained_on`), data/recipe_data.json and the training logs (parts of 15 MiB: the tool returns files <= 16 MiB);
#    copy the .pt/.recipe.json into auralflow/weights, merge the registry entries (their scores are not measured
#    there), and re-measure the scores (benchmarks/pretrained_scores.py).
# 4. With `device_kit.py --synth-only`'s .devkit-synth (carried instead of .devkit) the songs are rendered
#    with --backend synth.
# Rehearsal on the CPU machine (root): `python benchmarks/device_kit.py --python-version 3.11 --kit /tmp/kit`, then in
#   `unshare -m` with an empty folder bind-mounted on /usr/share/sounds/sf2: KIT=/tmp/kit LIBDIR=/tmp/lib
#   PYTHON=python TRAIN_ARGS='--set samples_per_epoch=32 batch_size=4' bash benchmarks/device_train.sh 0.5 4 4
#   (SITE, SF2DIR, RUNS and OUT can point elsewhere too).
set -euo pipefail
MINUTES=${1:-6}; SONGS=${2:-512}; SECS=${3:-20}
[ -d .devkit ] && KIT=${KIT:-.devkit} || KIT=${KIT:-.devkit-synth}
SITE=${SITE:-/tmp/site}; RUNS=${RUNS:-/tmp/af_runs}; OUT=${OUT:-/tmp/af_out}
LIBDIR=${LIBDIR:-/usr/local/lib}; SF2DIR=${SF2DIR:-/usr/share/sounds/sf2}; PY=${PYTHON:-python3}
MODELS="SpectrogramNetSimple AudioNetSimple SpectrogramNetLSTM"
start=$SECONDS
$PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$SITE" "$KIT"/whl/*.whl
export PYTHONPATH="$SITE:$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
BACKEND=synth
if [ -f "$KIT/lib/libfluidsynth.so.3.xz" ] && [ -f "$KIT/sf2/TimGM6mb.sf2.xz" ]; then
  mkdir -p "$LIBDIR" "$SF2DIR"
  $PY -c 'import lzma, shutil, sys
for src, dst in zip(sys.argv[1::2], sys.argv[2::2]):
    with lzma.open(src) as f, open(dst, "wb") as out: shutil.copyfileobj(f, out)' \
    "$KIT/lib/libfluidsynth.so.3.xz" "$LIBDIR/libfluidsynth.so.3" "$KIT/sf2/TimGM6mb.sf2.xz" "$SF2DIR/TimGM6mb.sf2"
  export LD_LIBRARY_PATH="$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  [ "$LIBDIR" = /usr/local/lib ] && ldconfig
  BACKEND=mixed
fi
GPU=$($PY -c 'import torch; print(torch.cuda.get_device_name() if torch.cuda.is_available() else "no GPU")')
echo "installed in $((SECONDS - start)) s; backend $BACKEND; $(nproc) cores; $GPU"
mkdir -p "$RUNS" "$OUT"
set +e
$PY benchmarks/train_pretrained.py "$RUNS" --models $MODELS --generate "$SONGS" --seconds "$SECS" \
  --backend $BACKEND --jobs "$(nproc)" --minutes "$MINUTES" --publish "$RUNS/weights" ${TRAIN_ARGS:-}
status=$?
set -e
$PY - "$RUNS" $MODELS <<'EOF'
import json, sys
from pathlib import Path
from auralflow.trainer import load_checkpoint
runs = Path(sys.argv[1])
print(json.loads((runs / 'data' / 'recipe_data.json').read_text()))
for m in sys.argv[2:]:
    ck = runs / m / 'checkpoint' / 'last.pt'
    if not ck.is_file(): print(f"{m}: no checkpoint"); continue
    s = load_checkpoint(ck)['state']
    best = s['history'][s['best_epoch'] - 1] if s['best_epoch'] else {}  # history[i] is epoch i + 1
    nan = float('nan')
    print(f"{m}: {s['step']} steps, {len(s['history'])} epochs, best epoch {s['best_epoch']}: "
          f"valid loss {best.get('valid_loss', nan):.4f}, SI-SDR {best.get('valid_si_sdr', nan):+.2f} dB")
for name, e in json.loads((runs / 'weights' / 'registry.json').read_text()).items(): print(name, e['trained_on'])
EOF
tar cf - -C "$RUNS" weights data/recipe_data.json $(cd "$RUNS" && ls *.log) | split -b 15M - "$OUT/result.tar."
ls -l "$OUT"; echo "done in $((SECONDS - start)) s (train_pretrained exit $status)"
exit $status
