#!/usr/bin/env bash
# Rebuilds the committed default full model (configs/models/em_unet_*.npz) with the project's own commands:
# train the small EM U-Net, convert it connection-wise, fine-tune it at T=10 (Algorithm 1), store float32.
# About 10 minutes on 2 CPU cores; needs the EM data under the data root (--data-root / $SUNET_DATA_ROOT).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
RUN=${RUN:-build/runs/em_default}
CFG=configs/unet_em_small.yaml
$PY -m golden train --config $CFG --out $RUN/ann "$@"
$PY -m golden finetune --config $CFG --ckpt $RUN/ann/last.pt --out $RUN/snn --method connection_wise \
    --eval-T 10 --timesteps 10 --steps 60 --lr 1e-4 --float32 "$@"
mkdir -p configs/models
cp $RUN/snn/ann.npz configs/models/em_unet_ann.npz
cp $RUN/snn/snn_connection_wise.npz configs/models/em_unet_snn.npz
{ echo "# scripts/make_default_model.sh $*"; echo "## training log ($RUN/ann/log.jsonl)"; cat $RUN/ann/log.jsonl;
  echo "## conversion and fine-tuning ($RUN/snn/finetune.json)"; cat $RUN/snn/finetune.json; } > configs/models/em_unet.log
ls -l configs/models
