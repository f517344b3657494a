#!/usr/bin/python3
"""Sagebrush's `train` for its framework images: the SageMaker script-mode contract, as the
sagemaker-training-toolkit's `train` runs it in AWS's scikit-learn, PyTorch and XGBoost containers.

  1. read /opt/ml/input/config/{hyperparameters,resourceconfig,inputdataconfig}.json; every hyperparameter value is
     JSON-decoded (the SDK JSON-encodes them), a value that is not JSON stays the string it is;
  2. the `sagemaker_*` ones (sagemaker_program, sagemaker_submit_directory, sagemaker_region, sagemaker_job_name,
     sagemaker_container_log_level, ...) configure the run, the others become the script's arguments
     (`--key value`, keys sorted, values as the toolkit writes them) and SM_HP_<KEY>;
  3. the user's code is in /opt/ml/code: Sagebrush fetches the sagemaker_submit_directory tarball from S3 and unpacks
     it there before the container starts (so no credentials or network are needed in here); a local directory or
     tarball is copied or unpacked here, as the toolkit does;
  4. requirements.txt cannot be installed (no package index is reachable): each requirement is checked against what
     the image has, and the job fails with a ClientError naming those it lacks;
  5. the entry point runs from /opt/ml/code with the SM_* environment (a .py file with python3, a package with
     `python3 -m` when setup.py is there, anything else with /bin/sh), SIGTERM is passed on to it;
  6. exit 0 writes /opt/ml/output/success; a failure writes /opt/ml/output/failure (unless the script wrote one) with
     the toolkit's text (`ExecuteUserScriptError:\\nExitCode 1\\nErrorMessage "..."\\nCommand "..."`) and exits 1.

SAGEMAKER_BASE_DIR replaces /opt/ml, as it does for the toolkit (tests run this file on the host that way).
"""
import collections
import json
import logging
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import traceback

BASE = os.environ.get("SAGEMAKER_BASE_DIR", "/opt/ml")
CODE_DIR = os.path.join(BASE, "code")
MODEL_DIR = os.path.join(BASE, "model")
INPUT_DIR = os.path.join(BASE, "input")
INPUT_CONFIG_DIR = os.path.join(INPUT_DIR, "config")
OUTPUT_DIR = os.path.join(BASE, "output")
OUTPUT_DATA_DIR = os.path.join(OUTPUT_DIR, "data")
OUTPUT_INTERMEDIATE_DIR = os.path.join(OUTPUT_DIR, "intermediate")

# The toolkit's params.SAGEMAKER_HYPERPARAMETERS: framework settings that never reach the script.
SAGEMAKER_HYPERPARAMETERS = ("sagemaker_program", "sagemaker_submit_directory", "sagemaker_enable_cloudwatch_metrics",
                             "sagemaker_region", "sagemaker_container_log_level", "sagemaker_job_name",
                             "default_user_module_name", "_tuning_objective_metric", "sagemaker_s3_output")
DISTRIBUTION_FLAGS = ("sagemaker_mpi_enabled", "sagemaker_parameter_server_enabled",
                      "sagemaker_distributed_dataparallel_enabled", "sagemaker_pytorch_ddp_enabled",
                      "sagemaker_pytorch_xla_multi_worker_enabled", "sagemaker_multi_worker_mirrored_strategy_enabled")
STDERR_TAIL_LINES = 200
ERROR_MESSAGE_CHARS = 700

log = logging.getLogger("sagebrush-train")


class ClientError(Exception):
    """The user's fault (their script, code or requirements): written to output/failure as it is."""


class ExecuteUserScriptError(ClientError):
    def __init__(self, cmd, return_code, output):
        super().__init__()
        self.cmd, self.return_code, self.output = cmd, return_code, output

    def __str__(self):
        return ('ExecuteUserScriptError:\nExitCode %s\nErrorMessage "%s"\nCommand "%s"'
                % (self.return_code, self.output, self.cmd)).strip()


def read_json(path):
    with open(path) as f:
        return json.load(f)


def decode(value):
    try:
        return json.loads(value)
    except (ValueError, TypeError):
        return value


def read_hyperparameters():
    path = os.path.join(INPUT_CONFIG_DIR, "hyperparameters.json")
    return {k: decode(v) for k, v in read_json(path).items()} if os.path.exists(path) else {}


def read_text(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def cpu_count():
    """The toolkit reports multiprocessing.cpu_count(); a container limited by a CPU quota gets the quota instead,
    so that n_jobs=SM_NUM_CPUS does not oversubscribe the CPUs the job really has."""
    count = multiprocessing.cpu_count()
    v2 = read_text("/sys/fs/cgroup/cpu.max")
    quota, period = (v2.split() + [None])[:2] if v2 else (read_text("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"),
                                                             read_text("/sys/fs/cgroup/cpu/cpu.cfs_period_us"))
    try:
        if quota not in (None, "max", "-1") and int(period) > 0:
            return max(1, min(count, -(-int(quota) // int(period))))
    except (TypeError, ValueError):
        pass
    return count


class TrainingEnv:
    """The toolkit's Environment: what SM_TRAINING_ENV holds and the SM_* variables are made of."""

    def __init__(self):
        self.resource_config = read_json(os.path.join(INPUT_CONFIG_DIR, "resourceconfig.json"))
        self.input_data_config = read_json(os.path.join(INPUT_CONFIG_DIR, "inputdataconfig.json"))
        everything = read_hyperparameters()
        sm = {k: v for k, v in everything.items() if k in SAGEMAKER_HYPERPARAMETERS or k.startswith("sagemaker_")}
        self.hyperparameters = {k: v for k, v in everything.items() if k not in sm}
        self.additional_framework_parameters = {k: v for k, v in sm.items() if k not in SAGEMAKER_HYPERPARAMETERS}
        rc = self.resource_config
        self.hosts = rc["hosts"]
        self.current_host = rc["current_host"]
        self.current_instance_type = rc.get("current_instance_type", "local")
        self.current_instance_group = rc.get("current_group_name", "homogeneousCluster")
        groups = rc.get("instance_groups", [])
        self.instance_groups = [g["instance_group_name"] for g in groups]
        self.instance_groups_dict = {g["instance_group_name"]: g for g in groups}
        self.current_instance_group_hosts = next(
            (g["hosts"] for g in groups if g["instance_group_name"] == self.current_instance_group), [])
        distributed = any(self.additional_framework_parameters.get(f, False) for f in DISTRIBUTION_FLAGS)
        self.distribution_instance_groups = self.additional_framework_parameters.get(
            "sagemaker_distribution_instance_groups", [self.current_instance_group] if distributed else [])
        self.distribution_hosts = ([h for g in groups if g["instance_group_name"] in self.distribution_instance_groups
                                    for h in g["hosts"]] if groups else list(self.hosts))
        self.master_hostname = (self.distribution_hosts or self.hosts)[0]
        self.network_interface_name = rc.get("network_interface_name", "eth0")
        self.user_entry_point = os.environ.get("SAGEMAKER_PROGRAM") or sm.get("sagemaker_program")
        program = self.user_entry_point
        self.module_name = program[:-3] if program and program.endswith(".py") else program
        self.module_dir = str(sm.get("sagemaker_submit_directory", CODE_DIR))
        self.log_level = sm.get("sagemaker_container_log_level", logging.INFO)
        self.region = sm.get("sagemaker_region", os.environ.get("AWS_REGION", ""))
        self.job_name = os.environ.get("TRAINING_JOB_NAME")
        self.channel_input_dirs = {c: os.path.join(INPUT_DIR, "data", c) for c in self.input_data_config}
        self.num_cpus = cpu_count()

    def as_dict(self):
        """dict(Environment): every property, which is what SM_TRAINING_ENV serializes."""
        return {
            "additional_framework_parameters": self.additional_framework_parameters,
            "channel_input_dirs": self.channel_input_dirs,
            "current_host": self.current_host,
            "current_instance_group": self.current_instance_group,
            "current_instance_group_hosts": self.current_instance_group_hosts,
            "current_instance_type": self.current_instance_type,
            "distribution_hosts": self.distribution_hosts,
            "distribution_instance_groups": self.distribution_instance_groups,
            "framework_module": None,
            "hosts": self.hosts,
            "hyperparameters": self.hyperparameters,
            "input_config_dir": INPUT_CONFIG_DIR,
            "input_data_config": self.input_data_config,
            "input_dir": INPUT_DIR,
            "instance_groups": self.instance_groups,
            "instance_groups_dict": self.instance_groups_dict,
            "is_hetero": len(self.instance_groups) > 1,
            "is_master": self.current_host == self.master_hostname,
            "is_modelparallel_enabled": None,
            "job_name": self.job_name,
            "log_level": self.log_level,
            "master_hostname": self.master_hostname,
            "model_dir": MODEL_DIR,
            "module_dir": self.module_dir,
            "module_name": self.module_name,
            "network_interface_name": self.network_interface_name,
            "num_cpus": self.num_cpus,
            "num_gpus": 0,
            "num_neurons": 0,
            "output_data_dir": OUTPUT_DATA_DIR,
            "output_dir": OUTPUT_DIR,
            "output_intermediate_dir": OUTPUT_INTERMEDIATE_DIR,
            "resource_config": self.resource_config,
            "user_entry_point": self.user_entry_point,
        }

    def to_cmd_args(self):
        return to_cmd_args(self.hyperparameters)

    def to_env_vars(self):
        d = self.as_dict()
        env = {k: d[k] for k in ("hosts", "network_interface_name", "user_entry_point", "resource_config",
                                 "input_data_config", "output_data_dir", "current_host", "current_instance_type",
                                 "current_instance_group", "current_instance_group_hosts", "instance_groups",
                                 "instance_groups_dict", "distribution_instance_groups", "is_hetero", "module_name",
                                 "log_level", "framework_module", "input_dir", "input_config_dir", "output_dir",
                                 "num_cpus", "num_gpus", "model_dir", "module_dir", "output_intermediate_dir")}
        env["hps"] = self.hyperparameters
        env["framework_params"] = self.additional_framework_parameters
        env["channels"] = sorted(self.channel_input_dirs)
        env["training_env"] = d
        env["user_args"] = self.to_cmd_args()
        for name, path in self.channel_input_dirs.items():
            env["channel_%s" % name] = path
        for key, value in self.hyperparameters.items():
            env["hp_%s" % key] = value
        return {("SM_%s" % k.upper()): env_value(v) for k, v in env.items() if k}


def env_value(v):
    """mapping.to_env_vars: strings as they are, None as empty, anything else as compact sorted JSON."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def to_cmd_args(hps):
    """mapping.to_cmd_args: `--key` (`-k` for one letter) and str(value) (a dict as k=v,k2=v2), keys sorted."""
    args = []
    for key in sorted(hps):
        args.append(("--%s" if len(key) > 1 else "-%s") % key)
        value = hps[key]
        if hasattr(value, "items"):
            args.append(",".join("%s=%s" % (k, v) for k, v in sorted(value.items())))
        else:
            args.append("" if value is None else str(value))
    return args


def prepare_code(module_dir):
    """The toolkit's files.download_and_extract: nothing to do when /opt/ml/code already holds the code."""
    os.makedirs(CODE_DIR, exist_ok=True)
    if os.listdir(CODE_DIR):
        return
    if module_dir.startswith("s3://") or module_dir.startswith("https://"):
        raise ClientError("The training code %s (sagemaker_submit_directory) was not placed in %s before the job "
                          "started; Sagebrush fetches it from S3 for the container. Run the job through Sagebrush, or "
                          "put the code in %s yourself." % (module_dir, CODE_DIR, CODE_DIR))
    if os.path.isdir(module_dir):
        shutil.rmtree(CODE_DIR)
        shutil.copytree(module_dir, CODE_DIR, symlinks=True)
    elif os.path.isfile(module_dir) and tarfile.is_tarfile(module_dir):
        with tarfile.open(module_dir) as t:
            for m in t.getmembers():
                target = os.path.realpath(os.path.join(CODE_DIR, m.name))
                if not (m.isfile() or m.isdir()) or not target.startswith(os.path.realpath(CODE_DIR) + os.sep):
                    raise ClientError("The code archive %s has an entry that is not a file or a directory inside "
                                      "the code directory: %s" % (module_dir, m.name))
            t.extractall(CODE_DIR)
    elif os.path.isfile(module_dir):
        shutil.copy2(module_dir, CODE_DIR)
    else:
        raise ClientError("The training code %s (sagemaker_submit_directory) does not exist." % module_dir)


def check_requirements(code_dir):
    """requirements.txt: the toolkit pip-installs it; no package index is reachable here, so every requirement must
    already be met by the image's Debian packages, and the job fails naming those that are not."""
    path = os.path.join(code_dir, "requirements.txt")
    if not os.path.isfile(path):
        return
    from importlib import metadata
    try:
        from packaging.requirements import InvalidRequirement, Requirement
    except ImportError:  # python3-packaging is in every Sagebrush image; a bare host may lack it
        Requirement, InvalidRequirement = None, ValueError
    unmet, met = [], []
    with open(path) as f:
        lines = [ln.split(" #", 1)[0].strip() for ln in f]
    for line in lines:
        if not line or line.startswith("#"):
            continue
        try:
            if Requirement is None:
                raise InvalidRequirement(line)
            req = Requirement(line)
        except InvalidRequirement:
            unmet.append("%s (cannot be checked or installed here)" % line)
            continue
        if req.marker is not None and not req.marker.evaluate():
            continue
        try:
            have = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            unmet.append("%s (not installed)" % line)
            continue
        if req.specifier and not req.specifier.contains(have, prereleases=True):
            unmet.append("%s (the image has %s)" % (line, have))
        else:
            met.append("%s %s" % (req.name, have))
    if met:
        log.info("requirements.txt: already installed: %s", ", ".join(met))
    if unmet:
        raise ClientError("InstallRequirementsError: requirements.txt asks for packages this image cannot provide: "
                          "%s. Sagebrush's framework images are built from Debian packages and no package index is "
                          "reachable to install more; remove or relax these lines, or bring your own image."
                          % "; ".join(unmet))


def command(env):
    program = env.user_entry_point
    if not program:
        raise ClientError("No sagemaker_program hyperparameter (or SAGEMAKER_PROGRAM variable) names the entry point "
                          "to run: this image runs SageMaker script mode.")
    if not os.path.exists(os.path.join(CODE_DIR, program)) and not os.path.exists(os.path.join(CODE_DIR, "setup.py")):
        raise ClientError("The entry point %s is not in the training code (%s holds: %s)."
                          % (program, env.module_dir, ", ".join(sorted(os.listdir(CODE_DIR))[:20]) or "nothing"))
    args = env.to_cmd_args()
    if os.path.exists(os.path.join(CODE_DIR, "setup.py")):
        log.info("setup.py found: the package is run from %s with python3 -m (it is not pip-installed: no package "
                 "index is reachable)", CODE_DIR)
        return [sys.executable, "-m", program.replace(".py", "")] + args
    if program.endswith(".py"):
        return [sys.executable, program] + args
    os.chmod(os.path.join(CODE_DIR, program), 0o777)
    return ["/bin/sh", "-c", "./%s %s" % (program, " ".join(args))]


def run(cmd, env_vars):
    """Runs the script with stdout as it is and stderr streamed through, keeping its tail for the failure text."""
    child_env = dict(os.environ)
    child_env.update(env_vars)
    child_env["PYTHONPATH"] = ":".join([CODE_DIR] + [p for p in sys.path if p])
    log.info("Invoking user script\n\nTraining Env:\n\n%s\n\nInvoking script with the following command:\n\n%s\n",
             json.dumps(json.loads(env_vars["SM_TRAINING_ENV"]), indent=4, sort_keys=True), " ".join(cmd))
    sys.stdout.flush()
    child = subprocess.Popen(cmd, cwd=CODE_DIR, env=child_env, stderr=subprocess.PIPE)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda s, _frame: child.send_signal(s))
    tail = collections.deque(maxlen=STDERR_TAIL_LINES)
    for raw in iter(child.stderr.readline, b""):
        sys.stderr.buffer.write(raw)
        sys.stderr.flush()
        tail.append(raw.decode("utf-8", "replace").rstrip("\n"))
    code = child.wait()
    if code != 0:
        raise ExecuteUserScriptError(" ".join(cmd), code, error_message(list(tail)))


def error_message(lines):
    """The part of stderr that explains the failure: the last traceback if there is one, else the last lines."""
    start = max((i for i, ln in enumerate(lines) if ln.startswith("Traceback (most recent call last)")), default=-1)
    # Python 3.11's ^^^^ markers under each traceback line say little and would crowd out the exception itself.
    kept = [ln for ln in (lines[start:] if start >= 0 else lines[-10:]) if ln.strip(" ^~")]
    text = "\n".join(kept).strip()
    return text if len(text) <= ERROR_MESSAGE_CHARS else "..." + text[-ERROR_MESSAGE_CHARS:]


def write_failure(message):
    path = os.path.join(OUTPUT_DIR, "failure")
    if os.path.exists(path):  # the script wrote its own reason, which is the better one
        log.info("Failure file exists. Skipping creation....")
        return
    os.makedirs(OUTPUT_DIR, exist_ok=True)
    with open(path, "w") as f:
        f.write(message)


def train():
    logging.basicConfig(stream=sys.stdout, format="%(asctime)s sagebrush-train %(levelname)s %(message)s")
    log.setLevel(logging.INFO)
    try:
        env = TrainingEnv()
        try:
            log.setLevel(int(env.log_level))
        except (TypeError, ValueError):
            pass
        os.environ["SAGEMAKER_JOB_NAME"] = str(os.environ.get("TRAINING_JOB_NAME") or "")
        os.environ["CURRENT_HOST"] = env.current_host
        os.environ["SAGEMAKER_REGION"] = str(env.region or "")
        prepare_code(env.module_dir)
        check_requirements(CODE_DIR)
        run(command(env), env.to_env_vars())
        log.info("Reporting training SUCCESS")
        os.makedirs(OUTPUT_DIR, exist_ok=True)
        open(os.path.join(OUTPUT_DIR, "success"), "w").close()
        return 0
    except ClientError as e:
        write_failure(str(e))
        log.error(str(e))
        return 1
    except Exception as e:  # noqa: BLE001 - any other failure is the framework's, reported as the toolkit does
        message = "framework error: \n%s\n%s" % (traceback.format_exc(), e)
        write_failure(message)
        log.error("Reporting training FAILURE")
        log.error(message)
        code = getattr(e, "errno", 1)
        return code if isinstance(code, int) and 0 < code < 256 else 1


if __name__ == "__main__":
    # SageMaker starts the container with the argument `train` (docker run <image> train), which names this program.
    sys.exit(train())
