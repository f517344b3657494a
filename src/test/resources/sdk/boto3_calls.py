"""The SageMaker Python SDK's calls made with Debian's boto3 (botocore 1.29: CloudWatch in the query protocol).

Usage: boto3_calls.py ENDPOINT JOB. Exits non-zero with a message when an answer is not what the SDK expects.
"""
import datetime
import sys

import boto3

endpoint, job = sys.argv[1], sys.argv[2]
session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")


def client(name):
    return session.client(name, endpoint_url=endpoint)


# Session().default_bucket()
account = client("sts").get_caller_identity()["Account"]
assert account == "000000000000", account
bucket = "sagemaker-us-east-1-" + account
s3 = client("s3")
if bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
    s3.create_bucket(Bucket=bucket)

# Estimator.attach: members read with []
desc = client("sagemaker").describe_training_job(TrainingJobName=job)
init = {
    "role": desc["RoleArn"],
    "instance_count": desc["ResourceConfig"]["InstanceCount"],
    "instance_type": desc["ResourceConfig"]["InstanceType"],
    "volume_size": desc["ResourceConfig"]["VolumeSizeInGB"],
    "max_run": desc["StoppingCondition"]["MaxRuntimeInSeconds"],
    "input_mode": desc["AlgorithmSpecification"]["TrainingInputMode"],
    "output_path": desc["OutputDataConfig"]["S3OutputPath"],
    "output_kms_key": desc["OutputDataConfig"]["KmsKeyId"],
    "model_data": desc["ModelArtifacts"]["S3ModelArtifacts"],
}
assert init["output_kms_key"] == "", init

# logs_for_job: describe_log_streams + get_log_events as logs.log_stream pages them
logs = client("logs")
streams = logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs", logStreamNamePrefix=job + "/",
                                    orderBy="LogStreamName", limit=1)["logStreams"]
assert len(streams) == 1, streams
lines, token = [], None
while True:
    args = {"nextToken": token} if token else {}
    page = logs.get_log_events(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=streams[0]["logStreamName"],
                               startTime=0, startFromHead=True, **args)
    if not page["events"]:
        break
    lines += [e["message"] for e in page["events"]]
    token = page["nextForwardToken"]
assert any("train:loss=0.7" in l for l in lines), lines

# TrainingJobAnalytics: get_metric_statistics per metric, TrainingJobName dimension, Average
cw = client("cloudwatch")
points = cw.get_metric_statistics(Namespace="/aws/sagemaker/TrainingJobs", MetricName="train:loss",
                                  Dimensions=[{"Name": "TrainingJobName", "Value": job}],
                                  StartTime=desc["TrainingStartTime"],
                                  EndTime=desc["TrainingEndTime"] + datetime.timedelta(minutes=1),
                                  Period=60, Statistics=["Average"])["Datapoints"]
assert points and all(0.6 < p["Average"] < 1.0 for p in points), points
print("boto3 %s: default bucket %s, %d log lines, %d datapoints" % (boto3.__version__, bucket, len(lines), len(points)))
