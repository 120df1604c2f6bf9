#!/usr/bin/env bash
# Rebuilds every committed model (configs/models/*_ann.npz, *_snn.npz and their .log) with the project's own
# commands: train the ANN (golden train), calibrate and convert it connection-wise, fine-tune with Algorithm 1
# (golden finetune), store float32. `make models` runs it; MODELS="bsd cbsd" picks some of
#   em      the default EM model, 8 symmetries  configs/unet_em.yaml     -> em_unet      (~25 min on 2 cores)
#   camseq  CamSeq01 11 classes                 configs/unet_camseq.yaml -> camseq_unet  (~40 min)
#   bsd     blind grey denoiser (BSD68)         configs/unet_bsd.yaml    -> bsd_unet     (~70 min)
#   cbsd    blind colour denoiser (CBSD68)      configs/unet_cbsd.yaml   -> cbsd_unet    (~40 min)
# TRAIN_ARGS="--resume" continues interrupted runs (every epoch is a checkpoint under build/runs/NAME);
# TRAIN_ARGS="--device cuda" trains on a GPU when there is one (never needed). REUSE_ANN=1 keeps the committed
# ANN (configs/models/NAME_ann.npz) and only converts and fine-tunes it again (minutes), e.g. after a change of
# a config's snn section. Extra arguments (e.g. --data-root DIR) go to every train and finetune call. Times: one
# model at a time on a 2-core machine, OMP_NUM_THREADS=2. Every config converts with snn.calibration_target:
# full (CamSeq01: 2); the denoisers are converted once per noise level (SIGMAS, calibration crops at that sigma);
# the fine-tuning settings below were chosen on each model's validation split, never on its test set.
set -euo pipefail
cd "$(dirname "$0")/.."
MODELS=${MODELS:-em camseq bsd cbsd}
for m in $MODELS; do
    FT_BATCH=2 FT_LR=1e-4 SIGMAS=
    case $m in
        em)     CFG=configs/unet_em.yaml     NAME=em_unet     FT_T=4  EVAL_T="4 6 10" FT_STEPS=300 ;;
        camseq) CFG=configs/unet_camseq.yaml NAME=camseq_unet FT_T=10 EVAL_T="10 20"  FT_STEPS=60 ;;
        bsd)    CFG=configs/unet_bsd.yaml    NAME=bsd_unet    FT_T=10 EVAL_T="10"     FT_STEPS=0 SIGMAS="15 25 50" ;;
        cbsd)   CFG=configs/unet_cbsd.yaml   NAME=cbsd_unet   FT_T=10 EVAL_T="10"     FT_STEPS=0 SIGMAS="15 25 50" ;;
        *) echo "make_models.sh: unknown model '$m' (em camseq bsd cbsd)" >&2; exit 2 ;;
    esac
    FROM_ANN=
    [ -z "${REUSE_ANN:-}" ] || FROM_ANN=configs/models/${NAME}_ann.npz
    echo "== $m: $CFG -> configs/models/${NAME}_*.npz${FROM_ANN:+ (from the committed ANN)}"
    CFG=$CFG NAME=$NAME FT_T=$FT_T EVAL_T=$EVAL_T FT_STEPS=$FT_STEPS FT_BATCH=$FT_BATCH FT_LR=$FT_LR \
        SIGMAS=$SIGMAS FROM_ANN=$FROM_ANN RUN=build/runs/$m scripts/make_default_model.sh "$@"
done
