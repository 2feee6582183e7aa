using System.Collections.Concurrent;
using System.Diagnostics;

namespace ServerlessCreds.Bench;

/// <summary>One outgoing HTTP request of this process, as HttpClient's own activity reports it.</summary>
sealed record OutgoingCall(int Port, string Method, Uri Url, int? Status, TimeSpan Duration);

/// <summary>
/// Every HTTP request this process sends (the in-process host's storage, vault and email calls and the bench's own), from
/// HttpClient's "System.Net.Http" activities: the honest round-trip count, with no hook inside our clients.
/// </summary>
sealed class HttpTraffic : IDisposable
{
    readonly ActivityListener listener;
    readonly ConcurrentQueue<OutgoingCall> calls = new();
    volatile bool recording;

    public HttpTraffic()
    {
        // Keep query strings (table filters) readable in the activity's url.full tag.
        AppContext.SetSwitch("System.Net.Http.DisableUriRedaction", true);
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = Stopped,
        };
        ActivitySource.AddActivityListener(listener);
    }

    /// <summary>Records from now until the returned scope is disposed, then hands back what it saw.</summary>
    public Recording Record()
    {
        calls.Clear();
        recording = true;
        return new Recording(this);
    }

    void Stopped(Activity activity)
    {
        if (!recording || activity.GetTagItem("url.full") is not string url)
        {
            return;
        }

        var uri = new Uri(url);
        var status = activity.GetTagItem("http.response.status_code") is { } code ? Convert.ToInt32(code, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
        calls.Enqueue(new OutgoingCall(uri.Port, activity.GetTagItem("http.request.method") as string ?? "?", uri, status, activity.Duration));
    }

    public void Dispose() => listener.Dispose();

    public sealed class Recording(HttpTraffic traffic) : IDisposable
    {
        public IReadOnlyList<OutgoingCall> Calls => [.. traffic.calls];

        public void Dispose() => traffic.recording = false;
    }
}
