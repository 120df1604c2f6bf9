#!/usr/bin/env bash
# Rebuilds every committed model (configs/models/*_ann.npz, *_snn.npz and their .log) with the project's own
# commands: train the ANN (golden train), calibrate and convert it connection-wise, fine-tune with Algorithm 1
# (golden finetune), store float32. `make models` runs it; MODELS="bsd cbsd" picks some of
#   em      the default EM model              configs/unet_em_small.yaml  -> em_unet      (~10 min on 2 cores)
#   em_v3   the EM candidate, 8 symmetries    configs/unet_em_v3.yaml     -> em_v3_unet   (~25 min)
#   camseq  CamSeq01 11 classes               configs/unet_camseq.yaml    -> camseq_unet  (~40 min)
#   bsd     blind grey denoiser (BSD68)       configs/unet_bsd.yaml       -> bsd_unet     (~70 min)
#   cbsd    blind colour denoiser (CBSD68)    configs/unet_cbsd.yaml      -> cbsd_unet    (~40 min)
# TRAIN_ARGS="--resume" continues interrupted runs (every epoch is a checkpoint under build/runs/NAME);
# TRAIN_ARGS="--device cuda" trains on a GPU when there is one (never needed). Extra arguments (e.g. --data-root
# DIR) go to every train and finetune call. Times: one model at a time on a 2-core machine, OMP_NUM_THREADS=2.
set -euo pipefail
cd "$(dirname "$0")/.."
MODELS=${MODELS:-em em_v3 camseq bsd cbsd}
for m in $MODELS; do
    case $m in
        em)     CFG=configs/unet_em_small.yaml NAME=em_unet     FT_T=10 EVAL_T="10"     FT_STEPS=60 ;;
        em_v3)  CFG=configs/unet_em_v3.yaml    NAME=em_v3_unet  FT_T=6  EVAL_T="4 6 10" FT_STEPS=300 ;;
        camseq) CFG=configs/unet_camseq.yaml   NAME=camseq_unet FT_T=10 EVAL_T="10 20"  FT_STEPS=60 ;;
        bsd)    CFG=configs/unet_bsd.yaml      NAME=bsd_unet    FT_T=10 EVAL_T="10"     FT_STEPS=1000 ;;
        cbsd)   CFG=configs/unet_cbsd.yaml     NAME=cbsd_unet   FT_T=10 EVAL_T="10"     FT_STEPS=300 ;;
        *) echo "make_models.sh: unknown model '$m' (em em_v3 camseq bsd cbsd)" >&2; exit 2 ;;
    esac
    echo "== $m: $CFG -> configs/models/${NAME}_*.npz"
    CFG=$CFG NAME=$NAME FT_T=$FT_T EVAL_T=$EVAL_T FT_STEPS=$FT_STEPS RUN=build/runs/$m \
        scripts/make_default_model.sh "$@"
done
