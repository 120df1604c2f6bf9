#!/usr/bin/env bash
# Rebuilds the stronger EM candidate model (configs/models/em_v2_unet_*.npz; issue 13): the default model's
# base-8 depth-4 U-Net trained 10x longer with two lr drops (configs/unet_em_v2.yaml), converted connection-wise and
# fine-tuned at T=6 (Algorithm 1), stored float32. About 25 minutes on 2 CPU cores. Needs the EM data.
set -euo pipefail
cd "$(dirname "$0")/.."
CFG=configs/unet_em_v2.yaml NAME=em_v2_unet RUN=${RUN:-build/runs/em_v2} FT_T=6 EVAL_T="4 6 10" \
    exec scripts/make_default_model.sh "$@"
