# Sagebrush: SageMaker's built-in XGBoost algorithm ("algorithm mode" of the sagemaker-xgboost images), run with the
# host's xgboost library (Debian python3-xgboost) under the SageMaker container contract.
#
# Usage: python3 -I -B sagebrush_xgboost_train.py --sagemaker-xgboost-version 1.7-1 train
#
# It reads what SageMaker gives a training container (hyperparameters.json, inputdataconfig.json, the train and
# validation channels), validates them as the algorithm does, trains, prints the algorithm's metric lines
# ("[3]\ttrain-rmse:0.12345\tvalidation-rmse:0.23456") and saves xgboost-model in the format that algorithm version
# writes: a pickled Booster up to 1.2-2, Booster.save_model (XGBoost's binary format) from 1.3-1 on. A failure is
# written to /opt/ml/output/failure as "ClientError: ..." (the request is at fault) or "AlgorithmError: ...".
import csv
import json
import os
import pickle
import signal
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # -I leaves the script's directory out
import sagebrush_xgboost_hyperparameters as hpv  # noqa: E402
from sagebrush_xgboost_hyperparameters import AlgorithmError, UserError  # noqa: E402

MODEL_NAME = "xgboost-model"
PICKLE_VERSIONS = ("0.90-1", "0.90-2", "1.0-1", "1.2-1", "1.2-2")
CSV_TYPES = ("csv", "text/csv")
LIBSVM_TYPES = ("libsvm", "text/libsvm", "text/x-libsvm")
# Accepted by the algorithm's channel validation; Sagebrush cannot read the last two (see data_matrix).
VALID_CONTENT_TYPES = ["csv", "libsvm", "parquet", "recordio-protobuf", "text/csv", "text/libsvm", "text/x-libsvm",
                       "application/x-parquet", "application/x-recordio-protobuf"]
# Messages of xgboost that mean the data or the request is wrong, not the algorithm (the container's CUSTOMER_ERRORS).
CUSTOMER_ERRORS = [
    "label must be in [0,1] for logistic regression", "label must be in [0, num_class)",
    "Target is multiclass but average='binary'", "feature_names mismatch",
    "Check failed: preds.size() == info.labels_.size()",
    "Check failed: !auc_error AUC: the dataset only contains pos or neg samples",
    # xgboost 1.7 words these checks slightly differently from the container's constants: match their stable part.
    "base_score must be in (0,1) for logistic loss", "PoissonRegression: label must be nonnegative",
    "TweedieRegression: label must be nonnegative",
    "Parameter reg_lambda should be greater equal to 0",
]
NOT_PASSED_TO_XGBOOST = ("num_round", "early_stopping_rounds", "csv_weights", "_tuning_objective_metric", "_kfold",
                         "_num_cv_round", "save_model_on_termination")


def log(message, level="INFO"):
    print("[{}:{}] {}".format(time.strftime("%Y-%m-%d:%H:%M:%S", time.gmtime()), level, message), flush=True)


class Paths:
    """The /opt/ml locations, from the SM_* variables the platform sets (the real paths when they are absent)."""

    def __init__(self, env):
        ml = env.get("SAGEBRUSH_ML_ROOT", "/opt/ml")
        self.config = env.get("SM_INPUT_CONFIG_DIR", os.path.join(ml, "input/config"))
        self.data = os.path.join(env.get("SM_INPUT_DIR", os.path.join(ml, "input")), "data")
        self.model = env.get("SM_MODEL_DIR", os.path.join(ml, "model"))
        self.failure = env.get("SM_OUTPUT_FAILURE", os.path.join(env.get("SM_OUTPUT_DIR", os.path.join(ml, "output")),
                                                                 "failure"))
        self.tmp = env.get("TMPDIR", "/tmp")

    def channel(self, name):
        return os.path.join(self.data, name)


def read_json(path, what):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}
    except ValueError as e:
        raise AlgorithmError("Cannot read {}: {}".format(what, e))


def validate_channels(data_config):
    """The algorithm's channel validation: train required, validation optional, nothing else."""
    if "train" not in data_config:
        raise UserError("Missing required channel: train")
    validated = {}
    for name, value in data_config.items():
        if name not in ("train", "validation", "code"):
            raise UserError("Extraneous channel found: {}".format(name))
        value = dict(value)
        value.setdefault("ContentType", "text/libsvm")
        mode, dist = value.get("TrainingInputMode"), value.get("S3DistributionType")
        allowed = VALID_CONTENT_TYPES if name != "code" else ["text/python"]
        if value["ContentType"] not in allowed or mode not in ("File", "Pipe") or dist not in (
                "FullyReplicated", "ShardedByS3Key") or (name == "code" and dist != "FullyReplicated"):
            raise UserError("Channel configuration for '{}' channel is not supported: {}".format(name, value))
        validated[name] = value
    return validated


def data_files(path):
    """The channel's data files: every regular file below it whose name does not start with '.' or '_'."""
    found = []
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(root, name)
            if name.startswith(".") or name.startswith("_") or os.path.islink(full) or not os.path.isfile(full):
                continue
            found.append(full)
    return found


def first_line(path):
    with open(path, "r", errors="ignore") as f:
        return f.readline()


def csv_delimiter(line):
    try:
        delimiter = csv.Sniffer().sniff(line).delimiter
    except Exception as e:
        raise UserError("Could not determine delimiter on line {}:\n{}".format(line[:50], e))
    log("Determined delimiter of CSV input is '{}'".format(delimiter))
    return delimiter


def libsvm_features(line):
    """Number of well-formed features of a LIBSVM line, -1 when the line is not LIBSVM."""
    parts = line.strip().split(" ")
    label = parts[0].split(":")
    if len(label) > 2:
        return -1
    try:
        [float(p) for p in label]
    except ValueError:
        return -1
    for feature in parts[1:]:
        if len(feature.split(":")) != 2:
            return -1
    return len(parts) - 1


def check_format(files, file_type):
    for path in files:
        if file_type == "csv":
            csv_delimiter(first_line(path))
            continue
        with open(path, "r", errors="ignore") as f:
            for line in f:
                n = libsvm_features(line)
                if n > 1:
                    break
                if n < 0:
                    raise UserError("First line '{}...' of file '{}' is not 'LIBSVM' format. Please ensure the "
                                    "file is in 'LIBSVM' format.".format(line[:50], os.path.basename(path)))


def data_matrix(xgb, name, path, content_type, csv_weights, tmp):
    """Loads one channel. xgboost reads a directory of links named by Sagebrush, one per data file, so that nothing
    in an S3 key ('#', '?') can reach xgboost's URI syntax, and nothing is copied."""
    base = content_type.split(";")[0].strip().lower()
    if base in CSV_TYPES:
        file_type = "csv"
    elif base in LIBSVM_TYPES:
        file_type = "libsvm"
    else:
        raise UserError("Content type {} is accepted by SageMaker's XGBoost algorithm but not supported by "
                        "Sagebrush, which reads text/csv and text/libsvm channels.".format(content_type))
    files = data_files(path)
    if sum(os.path.getsize(f) for f in files) == 0:
        return None
    check_format(files, file_type)
    links = tempfile.mkdtemp(prefix="sagebrush-{}-".format(name), dir=tmp)
    for i, f in enumerate(files):
        os.symlink(os.path.abspath(f), os.path.join(links, "part-{:06d}".format(i)))
    if file_type == "csv":
        uri = "{}?format=csv&label_column=0&delimiter={}".format(links, csv_delimiter(first_line(files[0])))
        if csv_weights == 1:
            uri += "&weight_column=1"
    else:
        uri = "{}?format=libsvm".format(links)
    try:
        return xgb.DMatrix(uri)
    except Exception as e:
        raise UserError("Failed to load {} data with exception:\n{}".format(
            file_type, str(e).split("\nStack trace:")[0].strip()))


def custom_metrics(names):
    """The container's own metrics (computed in Python, passed as feval), by name."""
    import numpy as np

    def binary(preds):
        return (preds > 0.5).astype(float) if preds.ndim == 1 else np.argmax(preds, axis=1).astype(float)

    def accuracy(preds, labels):
        return float(np.mean(binary(preds) == labels))

    def f1(preds, labels):
        p = binary(preds)
        tp, fp, fn = np.sum((p == 1) & (labels == 1)), np.sum((p == 1) & (labels != 1)), np.sum((p != 1) & (labels == 1))
        return float(2 * tp / (2 * tp + fp + fn)) if tp + fp + fn > 0 else 0.0

    def mse(preds, labels):
        return float(np.mean((preds - labels) ** 2))

    def r2(preds, labels):
        total = np.sum((labels - np.mean(labels)) ** 2)
        return float(1 - np.sum((labels - preds) ** 2) / total) if total > 0 else 0.0

    known = {"accuracy": accuracy, "f1": f1, "f1_binary": f1, "mse": mse, "r2": r2}
    chosen = [n for n in names if n in known]
    unsupported = [n for n in names if n in ("balanced_accuracy", "f1_macro", "precision", "recall", "precision_macro",
                                             "precision_micro", "recall_macro", "recall_micro")]
    if unsupported:
        raise UserError("Evaluation metric {} is not supported by Sagebrush's built-in XGBoost (supported besides "
                        "XGBoost's own metrics: accuracy, f1, f1_binary, mse, r2).".format(", ".join(unsupported)))
    if not chosen:
        return None, set()

    def feval(preds, dmatrix):
        labels = dmatrix.get_label()
        return [(n, known[n](preds, labels)) for n in chosen]

    return feval, set(chosen) | set(unsupported)


def metric_printer(xgb, stop):
    class PrintMetrics(xgb.callback.TrainingCallback):
        """Prints each round's evaluation the way the algorithm does: "[i]\\tdata-metric:value...", and ends
        training after the round in which a stop was requested."""

        def after_iteration(self, model, epoch, evals_log):
            line = "[{}]".format(epoch)
            for data, metrics in evals_log.items():
                for metric, values in metrics.items():
                    value = values[-1][0] if isinstance(values[-1], tuple) else values[-1]
                    line += "\t{}-{}:{:.5f}".format(data, metric, value)
            print(line, flush=True)
            return bool(stop)

    return PrintMetrics()


def train(version, paths):
    try:
        import xgboost as xgb
    except ImportError as e:
        raise AlgorithmError("The xgboost library is not installed on the Sagebrush host (Debian package "
                             "python3-xgboost): {}".format(e))

    user_hps = read_json(os.path.join(paths.config, "hyperparameters.json"), "hyperparameters.json")
    data_config = read_json(os.path.join(paths.config, "inputdataconfig.json"), "inputdataconfig.json")
    if "sagemaker_program" in user_hps or "sagemaker_submit_directory" in user_hps:
        raise UserError("Script mode (the sagemaker_program and sagemaker_submit_directory hyperparameters) is not "
                        "supported by Sagebrush's built-in XGBoost; it runs the algorithm mode only.")
    config = hpv.validate({k: v for k, v in user_hps.items()})
    channels = validate_channels(data_config)
    for name, channel in channels.items():
        if channel.get("TrainingInputMode") != "File":
            raise UserError("Pipe input mode is not supported by Sagebrush (channel {}).".format(name))
    if "_kfold" in config:
        raise UserError("Cross-validation (_kfold) is not supported by Sagebrush's built-in XGBoost.")
    log("Running XGBoost Sagemaker in algorithm mode (Sagebrush, sagemaker-xgboost {}, xgboost {})".format(
        version, xgb.__version__))

    content_type = channels["train"]["ContentType"]
    train_path, val_path = paths.channel("train"), paths.channel("validation")
    dtrain = data_matrix(xgb, "train", train_path, content_type, config.get("csv_weights", 0), paths.tmp)
    dval = None
    if "validation" in channels:
        # As the algorithm does, the validation channel is read with the train channel's content type.
        dval = data_matrix(xgb, "validation", val_path, content_type, 0, paths.tmp)
        if dval is None:
            raise UserError("No data in validation channel path {}".format(val_path))
    if dtrain is None:
        raise UserError("No data in training channel path {}".format(train_path))
    log("Single node training.")
    log("Train matrix has {} rows and {} columns".format(dtrain.num_row(), dtrain.num_col()))
    if dval is not None:
        log("Validation matrix has {} rows".format(dval.num_row()))

    params = {k: v for k, v in config.items() if k not in NOT_PASSED_TO_XGBOOST}
    if "updater" in params:
        params["updater"] = ",".join(params["updater"])
    tuning = config.get("_tuning_objective_metric")
    tuning_metrics = tuning.split(":", 1)[1].split(",") if tuning else None
    metrics = config.get("eval_metric")
    if tuning_metrics and metrics:
        metrics = sorted(set(metrics) | set(tuning_metrics))
    elif tuning_metrics:
        metrics = tuning_metrics
    params.pop("eval_metric", None)
    feval = None
    if metrics:
        feval, custom = custom_metrics(metrics)
        native = [m for m in metrics if m not in custom]
        if native:
            params["eval_metric"] = native

    evals = [(dtrain, "train")] + ([(dval, "validation")] if dval is not None else [])
    stop = []
    callbacks = [metric_printer(xgb, stop)]
    if config.get("save_model_on_termination") == "true":
        # StopTrainingJob (SIGTERM): finish the round in progress and save the model, as the algorithm does. The
        # handler only sets a flag: writing from a signal handler could re-enter a print it interrupted.
        signal.signal(signal.SIGTERM, lambda signo, frame: stop.append(signo))
    rounds = config.get("early_stopping_rounds")
    if rounds and dval is not None:
        metric = (tuning_metrics or config.get("eval_metric") or [None])[-1]
        callbacks.append(xgb.callback.EarlyStopping(rounds=rounds, data_name="validation", metric_name=metric,
                                                    maximize=metric in hpv.MAXIMIZE_METRICS if metric else None))
    try:
        booster = xgb.train(params, dtrain, num_boost_round=config["num_round"], evals=evals, feval=feval,
                            callbacks=callbacks, verbose_eval=False)
    except Exception as e:
        message = str(e).split("\nStack trace:")[0].strip()  # xgboost appends a native backtrace
        if any(m in message for m in CUSTOMER_ERRORS):
            raise UserError(message)
        raise AlgorithmError("XGB train call failed with exception:\n {}".format(message))

    save(booster, version, paths.model)


def save(booster, version, model_dir):
    """xgboost-model as the version writes it: a pickled Booster up to 1.2-2, Booster.save_model after."""
    os.makedirs(model_dir, exist_ok=True)
    location = os.path.join(model_dir, MODEL_NAME)
    if version in PICKLE_VERSIONS:
        with open(location, "wb") as f:
            pickle.dump(booster, f)
    else:
        booster.save_model(location)
    log("Stored trained model at {}".format(location))


def write_failure(paths, reason):
    try:
        os.makedirs(os.path.dirname(paths.failure), exist_ok=True)
        with open(paths.failure, "w") as f:
            f.write(reason)
    except OSError as e:
        log("Could not write the failure file: {}".format(e), "ERROR")


def main(argv):
    paths = Paths(os.environ)
    version = None
    args = list(argv)
    if len(args) >= 2 and args[0] == "--sagemaker-xgboost-version":
        version, args = args[1], args[2:]
    # SIGTERM (StopTrainingJob) ends the process; the platform keeps what model/ holds by then.
    signal.signal(signal.SIGTERM, lambda signo, frame: sys.exit(143))
    try:
        if args != ["train"]:
            raise UserError("The built-in XGBoost algorithm runs with the argument 'train'; ContainerArguments {} "
                            "are not supported.".format(args))
        train(version, paths)
    except UserError as e:
        log("Reporting training FAILURE: {}".format(e), "ERROR")
        write_failure(paths, "ClientError: {}".format(e))
        return 1
    except AlgorithmError as e:
        log("Reporting training FAILURE: {}".format(e), "ERROR")
        write_failure(paths, "AlgorithmError: {}".format(e))
        return 1
    except Exception as e:  # a failure of the algorithm itself, with the traceback in the log
        traceback.print_exc(file=sys.stdout)
        write_failure(paths, "AlgorithmError: framework error: {}: {}".format(e.__class__.__name__, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
