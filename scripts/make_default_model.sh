#!/usr/bin/env bash
# Rebuilds the committed default full model (configs/models/em_unet_*.npz) with the project's own commands:
# train the small EM U-Net, convert it connection-wise, fine-tune it at T=10 (Algorithm 1), store float32.
# About 10 minutes on 2 CPU cores; needs the EM data under the data root (--data-root / $SUNET_DATA_ROOT).
# The environment chooses another model of the same recipe: CFG (config), NAME (configs/models/NAME_*.npz and
# NAME.log), RUN (run folder), FT_T (fine-tuning T), EVAL_T (evaluated T), FT_STEPS (fine-tuning steps), TRAIN_ARGS
# (extra train flags: --resume continues an interrupted run, --device cuda uses a GPU); scripts/make_models.sh
# rebuilds every committed model that way.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
RUN=${RUN:-build/runs/em_default}
CFG=${CFG:-configs/unet_em_small.yaml}
NAME=${NAME:-em_unet}
FT_T=${FT_T:-10}
EVAL_T=${EVAL_T:-10}
FT_STEPS=${FT_STEPS:-60}
# shellcheck disable=SC2086  # TRAIN_ARGS is a list of flags
$PY -m golden train --config $CFG --out $RUN/ann ${TRAIN_ARGS:-} "$@"
# shellcheck disable=SC2086  # EVAL_T is a list of T
$PY -m golden finetune --config $CFG --ckpt $RUN/ann/last.pt --out $RUN/snn --method connection_wise \
    --eval-T $EVAL_T --timesteps $FT_T --steps $FT_STEPS --lr 1e-4 --float32 "$@"
mkdir -p configs/models
cp $RUN/snn/ann.npz configs/models/${NAME}_ann.npz
cp $RUN/snn/snn_connection_wise.npz configs/models/${NAME}_snn.npz
{ echo "# $0 $*"; echo "## training log ($RUN/ann/log.jsonl)"; cat $RUN/ann/log.jsonl;
  echo "## conversion and fine-tuning ($RUN/snn/finetune.json)"; cat $RUN/snn/finetune.json; } > configs/models/${NAME}.log
ls -l configs/models
