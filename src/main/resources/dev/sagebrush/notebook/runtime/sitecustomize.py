# Sagebrush notebook instances: AWS_ENDPOINT_URL for an old botocore, and for callers that name AWS's own endpoint.
#
# botocore 1.31 and later read AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>) by themselves. Debian 12 ships
# botocore 1.29 (python3-botocore) and the AWS CLI 2.9 with its own copy (awscli.botocore); both ignore them. This
# file is put on PYTHONPATH inside the instance's sandbox and makes Session.create_client use them (1) when the caller
# gave no endpoint_url, for a botocore that does not know these variables, and (2) with every botocore, when the
# caller named a public AWS endpoint (https://<service>.<region>.amazonaws.com): the SageMaker Python SDK asks STS
# for the account that way (sts_regional_endpoint, in default_bucket() and account_id()), and in an instance of this
# server the credentials it holds are good for this server only. Nothing else changes.
import os
import re
import sys

_AWS_ENDPOINT = re.compile(r"^https://([a-z0-9-]+\.)+amazonaws\.com(\.cn)?/?$")


def _endpoint_for(service_name):
    if service_name:
        specific = os.environ.get("AWS_ENDPOINT_URL_" + service_name.upper().replace("-", "_").replace(" ", "_"))
        if specific:
            return specific
    return os.environ.get("AWS_ENDPOINT_URL")


def _patch(session_module, configprovider_module):
    variables = getattr(configprovider_module, "BOTOCORE_DEFAUT_SESSION_VARIABLES", {})
    reads_environment = "ignore_configured_endpoint_urls" in variables  # this botocore reads AWS_ENDPOINT_URL itself
    cls = session_module.Session
    if getattr(cls.create_client, "_sagebrush", False):
        return
    original = cls.create_client

    def create_client(self, *args, **kwargs):
        service_name = args[0] if args else kwargs.get("service_name")
        given = args[5] if len(args) > 5 else kwargs.get("endpoint_url")
        if (given is None and not reads_environment) or (isinstance(given, str) and _AWS_ENDPOINT.match(given)):
            url = _endpoint_for(service_name)
            if url:
                if len(args) > 5:
                    args = args[:5] + (url,) + args[6:]
                else:
                    kwargs["endpoint_url"] = url
        return original(self, *args, **kwargs)

    create_client._sagebrush = True
    cls.create_client = create_client


class _AfterImport:
    """Patches botocore.session (or awscli.botocore.session) right after it is first imported."""

    TARGETS = {"botocore.session": "botocore.configprovider",
               "awscli.botocore.session": "awscli.botocore.configprovider"}

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.TARGETS:
            return None
        import importlib.util
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return None
        loader = spec.loader
        exec_module = loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            try:
                _patch(module, sys.modules.get(self.TARGETS[fullname]) or __import__(self.TARGETS[fullname], fromlist=["_"]))
            except Exception:  # never break the user's import
                pass

        loader.exec_module = exec_and_patch
        return spec


if os.environ.get("AWS_ENDPOINT_URL"):
    sys.meta_path.insert(0, _AfterImport())

# Debian's own sitecustomize (the apport hook), which this file shadows on sys.path.
try:
    import importlib.util as _u
    _debian = "/etc/python%d.%d/sitecustomize.py" % sys.version_info[:2]
    if os.path.exists(_debian):
        _spec = _u.spec_from_file_location("_debian_sitecustomize", _debian)
        _spec.loader.exec_module(_u.module_from_spec(_spec))
except Exception:
    pass
