# Sagebrush: the hyperparameters of SageMaker's built-in XGBoost algorithm and their validation.
#
# The table and the messages follow the algorithm container (aws/sagemaker-xgboost-container, algorithm_mode/
# hyperparameter_validation.py and sagemaker_algorithm_toolkit/hyperparameter_validation.py) so that a request that
# fails there fails here with the same words. Differences, on purpose: values are parsed with ast.literal_eval, never
# eval(); GPU tree methods and predictors are refused (this host trains on CPU).
import ast
import math

MAXIMIZE_METRICS = [
    "accuracy", "auc", "aucpr", "balanced_accuracy", "f1", "f1_binary", "f1_macro", "map", "ndcg", "precision",
    "r2", "recall", "precision_macro", "precision_micro", "recall_macro", "recall_micro",
]
MINIMIZE_METRICS = [
    "aft-nloglik", "cox-nloglik", "error", "gamma-deviance", "gamma-nloglik", "interval-regression-accuracy",
    "logloss", "mae", "mape", "merror", "mlogloss", "mphe", "mse", "poisson-nloglik", "rmse", "rmsle",
    "tweedie-nloglik",
]

OBJECTIVES = [
    "aft_loss_distribution", "binary:logistic", "binary:logitraw", "binary:hinge", "count:poisson",
    "multi:softmax", "multi:softprob", "rank:pairwise", "rank:ndcg", "rank:map", "reg:linear", "reg:squarederror",
    "reg:logistic", "reg:gamma", "reg:pseudohubererror", "reg:squaredlogerror", "reg:tweedie", "survival:aft",
    "survival:cox",
]

UPDATERS = [
    "grow_colmaker", "distcol", "grow_histmaker", "grow_local_histmaker", "grow_skmaker", "sync", "refresh", "prune",
    "grow_colmaker", "distcol", "grow_histmaker", "grow_local_histmaker", "grow_colmaker", "shotgun",
    "coord_descent", "refresh", "prune",
]


class UserError(Exception):
    """The user's request is at fault: reported as ClientError."""


class AlgorithmError(Exception):
    """The algorithm failed: reported as AlgorithmError."""


def _num(v):
    # The container prints interval bounds with Python's str(): 0 stays 0, 0.5 stays 0.5.
    return str(v)


class Interval:
    def __init__(self, min_open=None, min_closed=None, max_open=None, max_closed=None):
        self.min_open, self.min_closed, self.max_open, self.max_closed = min_open, min_closed, max_open, max_closed

    def __contains__(self, v):
        return not ((self.min_open is not None and v <= self.min_open)
                    or (self.min_closed is not None and v < self.min_closed)
                    or (self.max_open is not None and v >= self.max_open)
                    or (self.max_closed is not None and v > self.max_closed))

    def __str__(self):
        lo = "(" + _num(self.min_open) if self.min_open is not None else (
            "[" + _num(self.min_closed) if self.min_closed is not None else "(-inf")
        hi = _num(self.max_open) + ")" if self.max_open is not None else (
            _num(self.max_closed) + "]" if self.max_closed is not None else "+inf)")
        return lo + ", " + hi


class Categories:
    """A list of allowed values, or a predicate with the list it prints as."""

    def __init__(self, values, predicate=None):
        self.values, self.predicate = values, predicate

    def __contains__(self, v):
        return self.predicate(v) if self.predicate else v in self.values

    def __str__(self):
        return str(self.values)


class Hp:
    def __init__(self, name, kind, rng=None, required=False, depends=(), check=None):
        self.name, self.kind, self.range, self.required = name, kind, rng, required
        self.depends, self.check = list(depends), check

    def parse(self, value):
        if self.kind == "int":
            return int(value)
        if self.kind == "float":
            v = float(value)
            if math.isnan(v):
                raise ValueError("nan")
            return v
        if self.kind == "list":
            return value.split(",")
        if self.kind in ("tuple", "nested"):
            v = ast.literal_eval(value) if isinstance(value, str) else value
            if self.kind == "tuple" and not isinstance(v, tuple):
                v = tuple(v) if isinstance(v, list) else (v,)
            if self.kind == "nested" and not (isinstance(v, list) and all(isinstance(x, list) for x in v)):
                raise ValueError("not a list of lists")
            return v
        return value

    def validate_range(self, value):
        if self.range is None:
            return
        if self.kind == "list":
            if any(v not in self.range for v in value):
                raise UserError("Hyperparameter {}: value {} not in range {}".format(self.name, value, self.range))
        elif self.kind == "tuple":
            if any(v not in self.range for v in value):
                raise UserError("Hyperparameter {}: value {} not in range {}".format(self.name, value, self.range))
        elif self.kind == "nested":
            if any(e not in self.range for outer in value for e in outer):
                raise UserError("Hyperparameter {}: value {} not in range {}".format(self.name, value, self.range))
        elif value not in self.range:
            raise UserError("Hyperparameter {}: {} is not in {}".format(self.name, value, self.range))


def _tree_method(v):
    if "gpu" in v:
        raise UserError("GPU training is not supported by Sagebrush: tree_method '{}' needs a GPU. Use 'hist', "
                        "'approx', 'exact' or 'auto'.".format(v))
    return v in ("auto", "exact", "approx", "hist", "gpu_hist")


def _predictor(v):
    if "gpu" in v:
        raise UserError("GPU prediction is not supported by Sagebrush: predictor '{}' needs a GPU.".format(v))
    return v in ("auto", "cpu_predictor", "gpu_predictor")


def _eval_metric(metric):
    if "<function" in metric:
        raise UserError("User defined evaluation metric {} is not supported yet.".format(metric))
    if "@" in metric:
        name, threshold = metric.split("@")[0].strip(), metric.split("@")[1].strip()
        if name not in ("error", "ndcg", "map"):
            raise UserError("Metric '{}' is not supported. Parameter 'eval_metric' with customized threshold should "
                            "be one of these options: 'error', 'ndcg', 'map'.".format(metric))
        try:
            float(threshold)
        except ValueError:
            raise UserError("Threshold value 't' in '{}@t' expects float input.".format(name))
        return True
    return metric in MAXIMIZE_METRICS + MINIMIZE_METRICS


def _updater_deps(value, deps):
    tree = ["grow_colmaker", "distcol", "grow_histmaker", "grow_local_histmaker", "grow_skmaker", "sync", "refresh",
            "prune", "grow_quantile_histmaker"]
    tree_build = ["grow_colmaker", "distcol", "grow_histmaker", "grow_local_histmaker", "grow_colmaker",
                  "grow_quantile_histmaker"]
    if deps.get("booster") == "gblinear":
        if not (len(value) == 1 and value[0] in ("shotgun", "coord_descent")):
            raise UserError("Linear updater should be one of these options: 'shotgun', 'coord_descent'.")
    elif deps.get("process_type") == "update":
        if not all(x in ("refresh", "prune") for x in value):
            raise UserError("process_type 'update' can only be used with updater 'refresh' and 'prune'")
    else:
        if not all(x in tree for x in value):
            raise UserError("Tree updater should be selected from these options: 'grow_colmaker', 'distcol', "
                            "'grow_histmaker', 'grow_local_histmaker', 'grow_skmaker', 'grow_quantile_histmaker', "
                            "'sync', 'refresh', 'prune', 'shortgun', 'coord_descent'.")
        if sum(1 for x in value if x in tree_build) > 1:
            raise UserError("Only one tree grow plugin can be selected. Choose one from thefollowing: "
                            "'grow_colmaker', 'distcol', 'grow_histmaker', 'grow_local_histmaker', 'grow_skmaker'")


def _objective_deps(value, deps):
    if value in ("multi:softmax", "multi:softprob") and deps.get("num_class") is None:
        raise UserError("Require input for parameter 'num_class' for multi-classification")


def _eval_metric_deps(value, deps):
    objective = deps.get("objective", "reg:squarederror")
    if "auc" in value and not any(objective.startswith(t) for t in ("binary:", "rank:")):
        raise UserError("Metric 'auc' can only be applied for classification and ranking problems.")
    if "aft-nloglik" in value and objective != "survival:aft":
        raise UserError("Metric 'aft-nloglik' can only be applied for 'survival:aft' objective.")


def _monotone_deps(value, deps):
    if value is not None and deps.get("tree_method") not in ("exact", "hist"):
        raise UserError("monotone_constraints can be used only when the tree_method parameter is set to either "
                        "'exact' or 'hist'.")


def _interaction_deps(value, deps):
    if value is not None and deps.get("tree_method") not in ("exact", "hist", "approx"):
        raise UserError("interaction_constraints can be used only when the tree_method parameter is set to either "
                        "'exact', 'hist' or 'approx'.")


def _table():
    I, C = Interval, Categories
    hps = [
        Hp("num_round", "int", I(min_closed=1), required=True),
        Hp("csv_weights", "int", I(min_closed=0, max_closed=1)),
        Hp("early_stopping_rounds", "int", I(min_closed=1)),
        Hp("booster", "cat", C(["gbtree", "gblinear", "dart"])),
        Hp("verbosity", "int", I(min_closed=0, max_closed=3)),
        Hp("nthread", "int", I(min_closed=1)),
        Hp("eta", "float", I(min_closed=0, max_closed=1)),
        Hp("gamma", "float", I(min_closed=0)),
        Hp("max_depth", "int", I(min_closed=0)),
        Hp("min_child_weight", "float", I(min_closed=0)),
        Hp("max_delta_step", "float", I(min_closed=0)),
        Hp("subsample", "float", I(min_open=0, max_closed=1)),
        Hp("colsample_bytree", "float", I(min_open=0, max_closed=1)),
        Hp("colsample_bylevel", "float", I(min_open=0, max_closed=1)),
        Hp("colsample_bynode", "float", I(min_open=0, max_closed=1)),
        Hp("lambda", "float", I(min_closed=0)),
        Hp("alpha", "float", I(min_closed=0)),
        Hp("tree_method", "cat", C(["auto", "exact", "approx", "hist", "gpu_hist"], _tree_method)),
        Hp("sketch_eps", "float", I(min_open=0, max_open=1)),
        Hp("scale_pos_weight", "float", I(min_open=0)),
        Hp("updater", "list", C(UPDATERS), depends=["booster", "process_type"], check=_updater_deps),
        Hp("dsplit", "cat", C(["row", "col"])),
        Hp("refresh_leaf", "int", I(min_closed=0, max_closed=1)),
        Hp("process_type", "cat", C(["default", "update"])),
        Hp("grow_policy", "cat", C(["depthwise", "lossguide"])),
        Hp("max_leaves", "int", I(min_closed=0)),
        Hp("max_bin", "int", I(min_closed=0)),
        Hp("predictor", "cat", C(["auto", "cpu_predictor", "gpu_predictor"], _predictor)),
        Hp("monotone_constraints", "tuple", C([-1, 0, 1]), depends=["tree_method"], check=_monotone_deps),
        Hp("interaction_constraints", "nested", I(min_closed=1), depends=["tree_method"], check=_interaction_deps),
        Hp("sample_type", "cat", C(["uniform", "weighted"])),
        Hp("normalize_type", "cat", C(["tree", "forest"])),
        Hp("rate_drop", "float", I(min_closed=0, max_closed=1)),
        Hp("one_drop", "int", I(min_closed=0, max_closed=1)),
        Hp("skip_drop", "float", I(min_closed=0, max_closed=1)),
        Hp("lambda_bias", "float", I(min_closed=0, max_closed=1)),
        Hp("tweedie_variance_power", "float", I(min_open=1, max_open=2)),
        Hp("objective", "cat", C(OBJECTIVES), depends=["num_class"], check=_objective_deps),
        Hp("num_class", "int", I(min_closed=2)),
        Hp("base_score", "float", I(min_closed=0)),
        Hp("_kfold", "int", I(min_closed=2)),
        Hp("_num_cv_round", "int", I(min_closed=1)),
        Hp("_tuning_objective_metric", "cat",
           C(["validation:" + m for m in MAXIMIZE_METRICS + MINIMIZE_METRICS])),
        Hp("eval_metric", "list", C(MAXIMIZE_METRICS + MINIMIZE_METRICS, _eval_metric), depends=["objective"],
           check=_eval_metric_deps),
        Hp("seed", "int", I(min_open=-(2 ** 31), max_open=2 ** 31 - 1)),
        Hp("num_parallel_tree", "int", I(min_closed=1)),
        Hp("save_model_on_termination", "cat", C(["true", "false"])),
        Hp("aft_loss_distribution", "cat", C(["normal", "logistic", "extreme"])),
        Hp("aft_loss_distribution_scale", "float", I(min_closed=0)),
        Hp("single_precision_histogram", "cat", C(["true", "false"])),
        Hp("deterministic_histogram", "cat", C(["true", "false"])),
        Hp("sampling_method", "cat", C(["uniform", "gradient_based"])),
        Hp("prob_buffer_row", "int", I(min_open=1.0)),
    ]
    table = {h.name: h for h in hps}
    for name, alias in (("eta", "learning_rate"), ("gamma", "min_split_loss"), ("lambda", "reg_lambda"),
                        ("alpha", "reg_alpha")):
        table[alias] = table[name]
    return table


TABLE = _table()


def validate(user):
    """Validates the hyperparameters (a dict of strings) the container's way; returns the converted values."""
    for name, hp in TABLE.items():
        if hp.required and name not in user:
            raise UserError("Missing required hyperparameter: {}".format(name))
    converted = {}
    for name, value in user.items():
        hp = TABLE.get(name)
        if hp is None:
            raise UserError("Extraneous hyperparameter found: {}".format(name))
        try:
            converted[name] = hp.parse(value)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as e:
            raise UserError("Hyperparameter {}: could not parse value (caused by {})".format(hp.name,
                                                                                          e.__class__.__name__))
    for name, value in converted.items():
        try:
            TABLE[name].validate_range(value)
        except UserError:
            raise
        except Exception as e:
            raise UserError("Hyperparameter {}: unexpected failure when validating {} (caused by {})".format(
                TABLE[name].name, value, e.__class__.__name__))
    # Dependencies are checked against values already validated: each hyperparameter after the ones it depends on.
    done = {}
    for name in _dependency_order(list(converted)):
        hp = TABLE[name]
        if hp.check:
            hp.check(converted[name], {d: done[d] for d in hp.depends if d in done})
        done[name] = converted[name]
    return converted


def _dependency_order(names):
    order, seen = [], set()

    def visit(n):
        seen.add(n)
        for d in TABLE[n].depends:
            if d in names and d not in seen:
                visit(d)
        order.append(n)

    for n in names:
        if n not in seen:
            visit(n)
    return order
