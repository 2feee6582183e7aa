using System.Diagnostics;

namespace ServerlessCreds.Bench;

sealed record LoadResult(int Clients, int Operations, double Seconds, double P50Ms, double P99Ms, double MeanMs, int Failures)
{
    public double PerSecond => Operations / Seconds;
}

static class Load
{
    /// <summary>Runs <paramref name="operation"/> <paramref name="total"/> times over <paramref name="clients"/> concurrent workers.</summary>
    public static async Task<LoadResult> RunAsync(int clients, int total, Func<int, Task> operation)
    {
        var latencies = new double[total];
        var next = -1;
        var failures = 0;
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < total)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await operation(index);
                }
                catch (Exception e)
                {
                    if (Interlocked.Increment(ref failures) <= 3)
                    {
                        Console.Error.WriteLine($"  operation {index} failed: {e.GetType().Name}: {e.Message}");
                    }
                }

                latencies[index] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        })));
        wall.Stop();
        Array.Sort(latencies);
        return new LoadResult(clients, total, wall.Elapsed.TotalSeconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies.Average(), failures);
    }

    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return Percentile(sorted, 0.5);
    }
}
