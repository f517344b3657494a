import { call } from './api.js';

const NAMESPACE = '/aws/sagemaker/TrainingJobs';
const cw = (op, input) => call('GraniteServiceVersion20100801.' + op, input);

/** Every metric series of a training job, from the CloudWatch metrics API: {metricName: [[t, v], ...]}. */
export async function trainingJobSeries(job, since) {
  const host = job.TrainingJobName + '/algo-1';
  const listed = await cw('ListMetrics', { Namespace: NAMESPACE, Dimensions: [{ Name: 'Host', Value: host }] });
  const metrics = (listed.Metrics || []).slice(0, 20);
  if (!metrics.length) return {};
  const start = since || job.CreationTime;
  const end = (job.TrainingEndTime || Date.now() / 1000) + 60;
  const out = await cw('GetMetricData', {
    MetricDataQueries: metrics.map((m, i) => ({
      Id: 'm' + i,
      MetricStat: { Metric: { Namespace: NAMESPACE, MetricName: m.MetricName, Dimensions: m.Dimensions }, Period: 1, Stat: 'Average' },
      ReturnData: true,
    })),
    StartTime: Math.floor(start) - 1,
    EndTime: Math.ceil(end),
    ScanBy: 'TimestampAscending',
  });
  const series = {};
  for (const r of out.MetricDataResults || []) {
    const name = metrics[Number(r.Id.slice(1))].MetricName;
    series[name] = (r.Timestamps || []).map((t, i) => [typeof t === 'number' ? t : Date.parse(t) / 1000, r.Values[i]]);
  }
  return series;
}
