#!/usr/bin/env bash
# Rebuilds the committed default full model (configs/models/em_unet_*.npz) with the project's own commands:
# train the EM U-Net (configs/unet_em.yaml), convert it connection-wise, fine-tune it at T=4 (Algorithm 1), store
# float32. About 25 minutes on 2 CPU cores; needs the EM data under the data root (--data-root /
# $SUNET_DATA_ROOT).
# The environment chooses another model of the same recipe: CFG (config), NAME (configs/models/NAME_*.npz and
# NAME.log), RUN (run folder), FT_T (fine-tuning T; with FT_STEPS=0 only the stored evaluation T), EVAL_T
# (evaluated T), FT_STEPS (fine-tuning steps, 0: convert only), FT_BATCH, FT_LR, TRAIN_ARGS
# (extra train flags: --resume continues an interrupted run, --device cuda uses a GPU); scripts/make_models.sh
# rebuilds every committed model that way. FROM_ANN=configs/models/NAME_ann.npz skips training: it converts and
# fine-tunes that committed ANN again (e.g. after a change of the config's snn section) and keeps the training
# part of the committed log. SIGMAS="15 25 50" (the denoisers) converts once per noise level.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
RUN=${RUN:-build/runs/em_default}
CFG=${CFG:-configs/unet_em.yaml}
NAME=${NAME:-em_unet}
FT_T=${FT_T:-4}
EVAL_T=${EVAL_T:-4 6 10}
FT_STEPS=${FT_STEPS:-300}
FT_BATCH=${FT_BATCH:-2}
FT_LR=${FT_LR:-1e-4}
mkdir -p $RUN
if [ -n "${FROM_ANN:-}" ]; then
    CKPT=$FROM_ANN
    # the committed log's training part (everything before the conversion section)
    { echo "# converted again: FROM_ANN=$FROM_ANN FT_T=$FT_T FT_STEPS=$FT_STEPS FT_BATCH=$FT_BATCH FT_LR=$FT_LR $0 $*"
      sed '/^## conversion and fine-tuning/,$d' configs/models/${NAME}.log | grep -v '^# converted again'; } \
        > $RUN/train_log.txt
else
    # shellcheck disable=SC2086  # TRAIN_ARGS is a list of flags
    $PY -m golden train --config $CFG --out $RUN/ann ${TRAIN_ARGS:-} "$@"
    CKPT=$RUN/ann/last.pt
    { echo "# $0 $*"; echo "## training log ($RUN/ann/log.jsonl)"; cat $RUN/ann/log.jsonl; } > $RUN/train_log.txt
fi
mkdir -p configs/models
cp $RUN/train_log.txt $RUN/model.log  # then one section per conversion
# SIGMAS (denoisers): one conversion per noise level, calibrated on training crops at that sigma
# (finetune --sigma S), written as NAME_sS_snn.npz; otherwise one conversion, NAME_snn.npz.
for S in ${SIGMAS:-none}; do
    if [ "$S" = none ]; then OUT=$RUN/snn SIG_ARGS= SNN=configs/models/${NAME}_snn.npz
    else OUT=$RUN/snn_s$S SIG_ARGS="--sigma $S" SNN=configs/models/${NAME}_s${S}_snn.npz; fi
    # shellcheck disable=SC2086  # EVAL_T is a list of T, SIG_ARGS a flag and its value
    $PY -m golden finetune --config $CFG --ckpt $CKPT --out $OUT --method connection_wise $SIG_ARGS \
        --eval-T $EVAL_T --timesteps $FT_T --steps $FT_STEPS --batch $FT_BATCH --lr $FT_LR --float32 "$@"
    [ -n "${FROM_ANN:-}" ] || cp $OUT/ann.npz configs/models/${NAME}_ann.npz
    cp $OUT/snn_connection_wise.npz $SNN
    { echo "## conversion and fine-tuning ($OUT/finetune.json)"; cat $OUT/finetune.json; } >> $RUN/model.log
done
mv $RUN/model.log configs/models/${NAME}.log
ls -l configs/models
