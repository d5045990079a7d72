#!/usr/bin/env bash
# Install the peer AutoML libraries that `benchmark_tabular.py --peers` compares
# automl against, each in its OWN virtual environment. They are never
# dependencies of the project and never touch the project's .venv.
#
#   bash recipes/peers/setup.sh                  # both peers
#   bash recipes/peers/setup.sh flaml            # only one of them
#   AUTOML_PEERS_HOME=/some/dir bash recipes/peers/setup.sh
#
# Where: $AUTOML_PEERS_HOME (default ~/.cache/automl-peers), outside the git
# tree, with one venv per peer: flaml/ and autogluon/. benchmark_tabular.py
# looks there too (or in --peers-home DIR). Re-running is cheap: a venv whose
# peer already imports is left as it is; delete the folder to reinstall.
# Python: $PYTHON (default python3; AutoGluon 1.6 needs 3.10-3.13).
#
# What is installed and why:
#   flaml venv
#     flaml           FLAML itself.
#     lightgbm, xgboost-cpu<3, scipy
#                     what its [automl] extra would bring: the learners its AutoML
#                     searches over (lightgbm, xgboost; random forest, extra trees
#                     and linear models come with scikit-learn). The extra names
#                     `xgboost`, whose Linux wheel carries ~0.7 GB of CUDA
#                     libraries; `xgboost-cpu` is the same module without them.
#   autogluon venv
#     autogluon.tabular[lightgbm,catboost,xgboost]
#                     AutoGluon's tabular predictor plus the three gradient-boosting
#                     model families of its medium_quality preset. The preset's
#                     neural networks (NN_TORCH, FASTAI) need torch/fastai, which
#                     are large; they are left out and AutoGluon skips those models.
#                     Random forest, extra trees and KNN come with scikit-learn.
#   both
#     pandas, scikit-learn   run_peer.py reads the CSV with pandas and scores the
#                            test predictions with scikit-learn.
set -euo pipefail

HOME_DIR="${AUTOML_PEERS_HOME:-$HOME/.cache/automl-peers}"
PYTHON="${PYTHON:-python3}"
FLAML_VERSION="${FLAML_VERSION:-2.8.0}"
AUTOGLUON_VERSION="${AUTOGLUON_VERSION:-1.6.3}"

# install NAME IMPORT_CHECK PACKAGE...: a venv at $HOME_DIR/NAME holding PACKAGEs.
install() {
    local name="$1" check="$2"
    shift 2
    local venv="$HOME_DIR/$name"
    if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "$check" 2>/dev/null; then
        echo "peers: $name already installed in $venv"
        return
    fi
    echo "peers: installing $name into $venv"
    mkdir -p "$HOME_DIR"
    "$PYTHON" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet "$@"
    "$venv/bin/python" -c "$check"
    echo "peers: $name ready ($(du -sh "$venv" | cut -f1))"
}

wanted="${*:-flaml autogluon}"
for peer in $wanted; do
    case "$peer" in
        flaml)
            install flaml "import flaml.automl, lightgbm, xgboost, pandas, sklearn" \
                "flaml==$FLAML_VERSION" lightgbm "xgboost-cpu>=2.1,<3" scipy pandas scikit-learn ;;
        autogluon)
            install autogluon "import autogluon.tabular, lightgbm, catboost, xgboost, pandas, sklearn" \
                "autogluon.tabular[lightgbm,catboost,xgboost]==$AUTOGLUON_VERSION" pandas scikit-learn ;;
        *)
            echo "peers: unknown peer '$peer' (flaml or autogluon)" >&2
            exit 2 ;;
    esac
done
