import { getMetricsRegistry } from "../observability/metrics";

/**
 * The current value of a metric in this process's registry, summed over the series whose labels
 * include `labels` (0 before its first sample); a histogram's `_count`, `_sum` or `_bucket` by that
 * name. Only this metric is collected (a full scrape would run every collector, some of which read the
 * database). Tests compare values before and after what they do.
 */
export async function readMetricValue(name: string, labels: Record<string, string> = {}): Promise<number> {
  const registry = getMetricsRegistry();
  const metric =
    registry.getSingleMetric(name) ?? registry.getSingleMetric(name.replace(/_(bucket|sum|count)$/, ""));
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter(
      (sample) =>
        // Histogram samples name their series (`_bucket`, `_sum`, `_count`); counters and gauges do not.
        (("metricName" in sample ? sample.metricName : undefined) ?? name) === name &&
        Object.entries(labels).every(([key, value]) => String(sample.labels[key]) === value),
    )
    .reduce((total, sample) => total + sample.value, 0);
}
