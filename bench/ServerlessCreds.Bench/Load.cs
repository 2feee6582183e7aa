using System.Diagnostics;

namespace ServerlessCreds.Bench;

sealed record LoadResult(int Clients, int Operations, double Seconds, double P50Ms, double P99Ms, double MaxMs, double MeanMs, int Failures)
{
    public double PerSecond => Operations / Seconds;
}

static class Load
{
    /// <summary>Runs <paramref name="operation"/> <paramref name="total"/> times over <paramref name="clients"/> concurrent workers.</summary>
    public static async Task<LoadResult> RunAsync(int clients, int total, Func<int, Task> operation) =>
        (await AlternatingAsync(1, clients, total, operation))[0];

    /// <summary>
    /// Runs each of <paramref name="variants"/> <paramref name="total"/> times over <paramref name="clients"/> concurrent
    /// workers, in <paramref name="rounds"/> slices taken in turn (A B C, A B C, ...), so drift in the machine's load hits
    /// every variant alike; each result pools its variant's slices. Operation indexes run 0..total-1 per variant.
    /// </summary>
    public static async Task<LoadResult[]> AlternatingAsync(int rounds, int clients, int total, params Func<int, Task>[] variants)
    {
        var latencies = variants.Select(_ => new double[total]).ToArray();
        var seconds = new double[variants.Length];
        var failures = new int[variants.Length];
        var perRound = (total + rounds - 1) / rounds;
        for (var start = 0; start < total; start += perRound)
        {
            var end = Math.Min(start + perRound, total);
            for (var v = 0; v < variants.Length; v++)
            {
                var wall = Stopwatch.StartNew();
                failures[v] += await SliceAsync(clients, start, end, variants[v], latencies[v]);
                seconds[v] += wall.Elapsed.TotalSeconds;
            }
        }

        return [.. variants.Select((_, v) =>
        {
            Array.Sort(latencies[v]);
            return new LoadResult(clients, total, seconds[v], Percentile(latencies[v], 0.50), Percentile(latencies[v], 0.99), Percentile(latencies[v], 1.0),
                latencies[v].Average(), failures[v]);
        })];
    }

    /// <summary>Operations <paramref name="start"/> to <paramref name="end"/> (exclusive); returns how many failed.</summary>
    static async Task<int> SliceAsync(int clients, int start, int end, Func<int, Task> operation, double[] latencies)
    {
        var next = start - 1;
        var failures = 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < end)
            {
                var started = Stopwatch.GetTimestamp();
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

                latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        })));
        return failures;
    }

    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return Percentile(sorted, 0.5);
    }
}
