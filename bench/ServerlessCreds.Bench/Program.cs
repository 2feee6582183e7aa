using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ServerlessCreds.Adapters.Tables;
using ServerlessCreds.Testing;

namespace ServerlessCreds.Bench
{
    // bench/run.sh publishes the apps and runs this; every figure below is a ratio of two measurements from this one run.
    static class BenchProgram
    {
        public static async Task Main(string[] args)
        {
            var options = BenchOptions.Parse(args);
            var report = new Report(options.Output);
            var total = Stopwatch.StartNew();
            report.Line($"# ServerlessCreds performance report");
            report.Line();
            report.Line($"Run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, .NET {Environment.Version}; local Azurite (in memory), Key Vault and ACS test servers. " +
                "Each goal is a ratio of two figures measured in this same run (the machine is shared and noisy).");
            report.Line();
            report.Json["date"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
            report.Json["cores"] = Environment.ProcessorCount;
            report.Json["options"] = JsonNode.Parse(JsonSerializer.Serialize(args));

            await using var dependencies = await Dependencies.StartAsync();
            using var traffic = new HttpTraffic();
            var raw = new RawCalls(dependencies);
            await raw.PrepareAsync();

            // The API host in this process, on Kestrel, listeners off (as under the Functions host); it also creates the tables once.
            await using var api = new ApiHost(dependencies, ChildProcess.FreePort());
            api.StartServer();
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = api.Address, Timeout = TimeSpan.FromSeconds(60) };
            var bench = new Bench(dependencies, http, traffic, raw, report);
            await bench.WaitUntilReadyAsync();

            if (options.Phases.Contains("profile"))
            {
                await bench.ProfileStartAsync(options);
                return;
            }

            var goals = new List<(string Goal, string Measured, bool Met)>();
            if (options.Phases.Contains("cold"))
            {
                goals.AddRange(await bench.ColdStartAsync(options));
                report.Save();
            }

            if (options.Phases.Contains("requests"))
            {
                goals.AddRange(await bench.RequestCostAsync(options));
                report.Save();
            }

            if (options.Phases.Contains("scale"))
            {
                goals.AddRange(await bench.ScaleAsync(options));
                report.Save();
            }

            report.Line("## Goals");
            report.Line();
            report.Table(["Goal", "Measured", "Met"], goals.Select(g => (IReadOnlyList<string>)[g.Goal, g.Measured, g.Met ? "yes" : "**no**"]));
            report.Json["goals"] = new JsonArray([.. goals.Select(g => new JsonObject { ["goal"] = g.Goal, ["measured"] = g.Measured, ["met"] = g.Met })]);
            report.Line($"Bench wall time: {total.Elapsed.TotalMinutes:F1} min.");
            report.Json["wallMinutes"] = Math.Round(total.Elapsed.TotalMinutes, 2);
            report.Save();
            Console.WriteLine($"Report: {Path.Combine(options.Output, "report.md")}");
        }
    }

    sealed record BenchOptions(
        string Output, string Apps, int Runs, int Warmup, int Requests1, int Requests32, int Emails, IReadOnlyList<int> BatchSizes, IReadOnlyList<int> Scale, IReadOnlySet<string> Phases,
        string? ProfileHook)
    {
        public static BenchOptions Parse(string[] args)
        {
            string Get(string name, string fallback)
            {
                var index = Array.LastIndexOf(args, "--" + name);
                return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
            }

            IReadOnlyList<int> Ints(string name, string fallback) => [.. Get(name, fallback).Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
            var options = new BenchOptions(
                Path.GetFullPath(Get("out", "bench/results")),
                Path.GetFullPath(Get("apps", "bench/.out/apps")),
                int.Parse(Get("runs", "10"), CultureInfo.InvariantCulture),
                int.Parse(Get("warmup", "200"), CultureInfo.InvariantCulture),
                int.Parse(Get("requests", "100"), CultureInfo.InvariantCulture),
                int.Parse(Get("requests32", "640"), CultureInfo.InvariantCulture),
                int.Parse(Get("emails", "2000"), CultureInfo.InvariantCulture),
                Ints("batch-sizes", "1,8,32"),
                Ints("scale", "100,10000,100000"),
                Get("phases", "cold,requests,scale").Split(',').ToHashSet(),
                Get("profile-hook", "") is { Length: > 0 } hook ? Path.GetFullPath(hook) : null);
            // The first pipeline batch drains the emails the request phase queued, so it cannot be smaller than them.
            return options.Emails >= options.QueuedByRequests
                ? options
                : throw new ArgumentException($"--emails must be at least {options.QueuedByRequests} (--warmup + {RecordedRequests} + --requests + --requests32), the emails the request phase queues.");
        }

        /// <summary>Requests of each operation whose round trips are recorded, one after another, between warm-up and load.</summary>
        public const int RecordedRequests = 10;

        /// <summary>Slices per figure when figures that form a ratio are measured in turn (<see cref="Load.AlternatingAsync"/>).</summary>
        public const int Rounds = 4;

        /// <summary>Secret emails the request-cost phase queues before the email pipeline runs.</summary>
        public int QueuedByRequests => Warmup + RecordedRequests + Requests1 + Requests32;
    }

    sealed partial class Bench(Dependencies dependencies, HttpClient http, HttpTraffic traffic, RawCalls raw, Report report)
    {
        const string BusinessUnit = "benchbu";
        const string OtherBusinessUnit = "otherbu";
        static readonly string[] AllRoles = ["ApiApplications.View", "ApiApplications.Create", "ApiApplications.Edit", "ApiApplications.SendSecretEmail", "Platform.Admin"];
        readonly string token = dependencies.Token(BusinessUnit, AllRoles);
        readonly List<string> applicationIds = [];

        public async Task WaitUntilReadyAsync()
        {
            for (var attempt = 0; attempt < 300; attempt++)
            {
                using var response = await http.SendAsync(Request(HttpMethod.Get, "/api/scopes"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                await Task.Delay(100);
            }

            throw new TimeoutException("The API host did not become ready.");
        }

        HttpRequestMessage Request(HttpMethod method, string path, string? json = null, string? bearer = null)
        {
            var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer ?? token);
            if (json is not null)
            {
                request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            }

            return request;
        }

        static async Task<string> SendAsync(HttpClient client, HttpRequestMessage request, HttpStatusCode expected)
        {
            using (request)
            {
                using var response = await client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                return response.StatusCode == expected
                    ? body
                    : throw new InvalidOperationException($"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 300)]}");
            }
        }

        // ---------------------------------------------------------------- cold start

        public async Task<IEnumerable<(string, string, bool)>> ColdStartAsync(BenchOptions options)
        {
            Console.WriteLine("Cold start...");
            var variants = new (string Name, string Folder, string Executable, bool OneCore)[]
            {
                ("handler, framework-dependent JIT", Path.Combine(options.Apps, "handler-jit"), "ServerlessCreds.Host", false),
                ("handler, self-contained trimmed composite ReadyToRun", Path.Combine(options.Apps, "handler-r2r"), "ServerlessCreds.Host", false),
                ("empty slim app, framework-dependent JIT", Path.Combine(options.Apps, "empty-jit"), "EmptyApp", false),
                ("empty slim app, self-contained trimmed composite ReadyToRun", Path.Combine(options.Apps, "empty-r2r"), "EmptyApp", false),
                ("handler, composite ReadyToRun, one core", Path.Combine(options.Apps, "handler-r2r"), "ServerlessCreds.Host", true),
                ("empty slim app, composite ReadyToRun, one core", Path.Combine(options.Apps, "empty-r2r"), "EmptyApp", true),
            };
            var health = variants.ToDictionary(v => v.Name, _ => new List<double>());
            var authenticated = variants.ToDictionary(v => v.Name, _ => new List<double>());
            var memory = variants.ToDictionary(v => v.Name, _ => new List<double>());
            var settings = dependencies.HandlerSettings();

            // Round robin, so drift in the machine's load hits every variant alike; one unmeasured round warms the file cache.
            for (var run = -1; run < options.Runs; run++)
            {
                foreach (var (name, folder, executable, oneCore) in variants)
                {
                    await using var process = new HandlerProcess(folder, executable, settings, oneCore);
                    var (toList, toHealth) = await FirstRequestsAsync(process);
                    if (run >= 0)
                    {
                        health[name].Add(toHealth.TotalMilliseconds);
                        authenticated[name].Add(toList.TotalMilliseconds);
                        memory[name].Add(process.Memory().Peak);
                    }
                }
            }

            report.Line("## Cold start");
            report.Line();
            report.Line($"Process spawn to the first 200 from an authenticated `GET {ListPath}` (the goal), then to the first 200 from `GET /api/health`: " +
                "table storage, queue storage and the Key Vault test server all reached, the vault as in Azure (a token from an App Service managed identity endpoint, " +
                "the vault under a vault.azure.net name through a local HTTPS proxy, its certificate trusted through `SSL_CERT_FILE`); " +
                "the caller's token is RS256, as Entra ID issues them, checked against the keys the handler fetches from a local OpenID authority while it starts. " +
                $"The empty app answers both without storage or auth. Median of {options.Runs} runs each, variants interleaved; tables already exist (as in production after the first start).");
            report.Line();
            report.Table(["App", "to health 200 (ms)", "to authenticated list (ms)", "min-max list (ms)", "peak RSS at that point (MiB)"], variants.Select(v => (IReadOnlyList<string>)
            [
                v.Name, Report.F(Load.Median(health[v.Name]), 0), Report.F(Load.Median(authenticated[v.Name]), 0),
                $"{Report.F(authenticated[v.Name].Min(), 0)}-{Report.F(authenticated[v.Name].Max(), 0)}", Report.F(Load.Median(memory[v.Name]), 0),
            ]));
            var json = new JsonObject();
            foreach (var (name, _, _, _) in variants)
            {
                json[name] = new JsonObject
                {
                    ["healthMs"] = new JsonArray([.. health[name].Select(v => (JsonNode)Math.Round(v, 1))]),
                    ["authenticatedListMs"] = new JsonArray([.. authenticated[name].Select(v => (JsonNode)Math.Round(v, 1))]),
                    ["medianHealthMs"] = Math.Round(Load.Median(health[name]), 1),
                    ["medianAuthenticatedListMs"] = Math.Round(Load.Median(authenticated[name]), 1),
                    ["medianPeakRssMiB"] = Math.Round(Load.Median(memory[name]), 1),
                };
            }

            report.Json["coldStart"] = json;
            double Ratio(string handler, string floor, Dictionary<string, List<double>> figures) => Load.Median(figures[handler]) / Load.Median(figures[floor]);
            var r2r = Ratio(variants[1].Name, variants[3].Name, authenticated);
            var jit = Ratio(variants[0].Name, variants[2].Name, authenticated);
            var r2rOneCore = Ratio(variants[4].Name, variants[5].Name, authenticated);
            report.Line($"Ratios to the floor built the same way: authenticated list R2R {Report.Ratio(r2r)}, JIT {Report.Ratio(jit)}. " +
                $"ReadyToRun vs JIT for the handler: {Report.Ratio(Ratio(variants[1].Name, variants[0].Name, authenticated))}. " +
                $"On one core (`taskset`; a default 2048 MB Flex Consumption instance has one, a 4096 MB one two), ReadyToRun: {Report.Ratio(r2rOneCore)}; " +
                $"the handler then takes {Report.Ratio(Ratio(variants[4].Name, variants[1].Name, authenticated))} its two-core time, the empty app " +
                $"{Report.Ratio(Ratio(variants[5].Name, variants[3].Name, authenticated))}. Only the app is pinned; Azurite and the test servers stand for remote services.");
            report.Line();
            return
            [
                ("Cold start to first authenticated request <= 1.3x the empty app (ReadyToRun, as packaged)", Report.Ratio(r2r), r2r <= 1.3),
                ("Same, framework-dependent JIT", Report.Ratio(jit), jit <= 1.3),
                ("Same, ReadyToRun on one core", Report.Ratio(r2rOneCore), r2rOneCore <= 1.3),
            ];
        }

        const string ListPath = $"/api/business-units/{BusinessUnit}/applications";

        /// <summary>The requests a cold start is timed to: an authenticated list, then health; each time is from spawn.</summary>
        async Task<(TimeSpan ToList, TimeSpan ToHealth)> FirstRequestsAsync(HandlerProcess process)
        {
            using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(20) };
            // The authenticated list first, from spawn: nothing else may be in flight while the goal's figure is taken.
            var toList = await process.WaitForOkAsync(client, () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, new Uri(process.Address, ListPath));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                return request;
            }, TimeSpan.FromSeconds(60));
            // Health is 200 only once storage and the vault answered, the vault reached with the handler's managed identity.
            var toHealth = await process.WaitForOkAsync(client, () => new HttpRequestMessage(HttpMethod.Get, new Uri(process.Address, "/api/health")), TimeSpan.FromSeconds(60));
            return (toList, toHealth);
        }

        // ---------------------------------------------------------------- startup profile (bench/profile.sh)

        /// <summary>
        /// Starts the JIT-compiled handler and empty app once each under the StartupProfile hook, makes the cold-start
        /// requests, and leaves the profile the hook writes (every method run up to then) next to the app's project, where
        /// composite ReadyToRun publishing reads it.
        /// </summary>
        public async Task ProfileStartAsync(BenchOptions options)
        {
            var hook = options.ProfileHook ?? throw new ArgumentException("--profile-hook names the StartupProfile.dll startup hook.");
            foreach (var (app, executable, project) in new[] { ("handler-jit", "ServerlessCreds.Host", "src/ServerlessCreds.Host"), ("empty-jit", "EmptyApp", "bench/EmptyApp") })
            {
                var profile = Path.GetFullPath(Path.Combine(project, "StartupProfile.mibc"));
                // Recorded beside it and moved over it when final, so a failed recording leaves the committed profile alone.
                var recording = profile + ".recording";
                File.Delete(recording);
                var settings = dependencies.HandlerSettings();
                settings["DOTNET_STARTUP_HOOKS"] = hook;
                settings["STARTUP_PROFILE_OUT"] = recording;
                await using var process = new HandlerProcess(Path.Combine(options.Apps, app), executable, settings);
                await FirstRequestsAsync(process);
                // The hook rewrites the file each second in which the app compiled new methods; it is final when it stays put.
                var stable = Stopwatch.StartNew();
                var last = (Length: -1L, Written: DateTime.MinValue);
                for (var waited = Stopwatch.StartNew(); stable.Elapsed < TimeSpan.FromSeconds(3); await Task.Delay(250))
                {
                    var file = new FileInfo(recording);
                    var now = file.Exists ? (file.Length, file.LastWriteTimeUtc) : (-1L, DateTime.MinValue);
                    if (now != last || !file.Exists)
                    {
                        last = now;
                        stable.Restart();
                    }

                    if (waited.Elapsed > TimeSpan.FromSeconds(60))
                    {
                        throw new TimeoutException($"{app} wrote no startup profile that stayed put at {recording} within a minute.");
                    }
                }

                File.Move(recording, profile, overwrite: true);
                Console.WriteLine($"{profile}: {last.Length} bytes");
            }
        }

        // ---------------------------------------------------------------- request cost and email pipeline

        public async Task<IEnumerable<(string, string, bool)>> RequestCostAsync(BenchOptions options)
        {
            Console.WriteLine("Request cost...");
            var goals = new List<(string, string, bool)>();
            var rows = new List<IReadOnlyList<string>>();
            var json = new JsonObject();
            var applications = $"/api/business-units/{BusinessUnit}/applications";
            var emailCounter = 0;
            var sequences = new List<string>();

            async Task Create(int i)
            {
                var body = await SendAsync(http, Request(HttpMethod.Post, applications,
                    $$"""{"kind":"internal","vendorName":"Contoso","applicationName":"Bench {{i}}","scopes":["Admin"]}"""), HttpStatusCode.Created);
                using var created = JsonDocument.Parse(body);
                lock (applicationIds)
                {
                    applicationIds.Add(created.RootElement.GetProperty("id").GetString()!);
                }
            }

            async Task Get(int i) => await SendAsync(http, Request(HttpMethod.Get, $"{applications}/{applicationIds[i % applicationIds.Count]}"), HttpStatusCode.OK);

            async Task Email(int i)
            {
                var n = Interlocked.Increment(ref emailCounter);
                await SendAsync(http, Request(HttpMethod.Post, $"{applications}/{applicationIds[n % applicationIds.Count]}/secret-emails",
                    $$"""{"recipientEmail":"r{{n}}@customer.example"}"""), HttpStatusCode.Accepted);
            }

            async Task HttpHop(int i) => await SendAsync(http, new HttpRequestMessage(HttpMethod.Get, new Uri(ApiHost.HttpHopPath, UriKind.Relative)), HttpStatusCode.OK);

            // What an authenticated API request costs before its first round trip: a caller with no role in the business
            // unit is refused by the endpoint's filter (before the id is even looked at), after routing, token validation
            // and authorization, and nothing reaches storage. At 1 client an endpoint can come no closer to its raw round
            // trips than this on top of them.
            var outsider = dependencies.Token(BusinessUnit, "ApiApplications.View");
            async Task Refused(int i) => await SendAsync(http,
                Request(HttpMethod.Get, $"/api/business-units/{OtherBusinessUnit}/applications/not-looked-up", bearer: outsider), HttpStatusCode.Forbidden);
            for (var i = 0; i < options.Warmup; i++)
            {
                await HttpHop(i);
                await Refused(i);
            }

            await MeasureAsync("create-application", Create);
            await MeasureAsync("get-application", Get);
            await MeasureAsync("secret-email request", Email);

            // Email pipeline: the queued requests above plus more, drained by a standalone listener per batch size.
            var pipeline = await EmailPipelineAsync(options, Email);

            var tokens = new Queue<string>(dependencies.Email.SentMessages.Select(m => LinkToken().Match(m.PlainText ?? "")).Where(m => m.Success).Select(m => m.Groups[1].Value));
            var needed = options.QueuedByRequests;
            if (tokens.Count < needed)
            {
                throw new InvalidOperationException($"Only {tokens.Count} one-time links were sent; the reveal bench needs {needed}.");
            }

            var revealTokens = tokens.Take(needed).ToArray();
            var revealNext = -1;
            async Task Reveal(int i) =>
                await SendAsync(http, Request(HttpMethod.Post, $"/api/one-time-secrets/{revealTokens[Interlocked.Increment(ref revealNext)]}/reveal", "{}"), HttpStatusCode.OK);
            await MeasureAsync("reveal", Reveal);

            report.Line("## Request cost");
            report.Line();
            report.Line("Endpoints over real HTTP (Kestrel, in the bench process so that its outgoing calls are recorded). " +
                $"Round trips are counted from HttpClient's own activities (no hook in our clients), averaged over {BenchOptions.RecordedRequests} sequential requests. Both sides are measured after {options.Warmup} warm-up operations each (steady state; the cold-start phase covers the first request). " +
                "The ceiling replays the same round trips (same verbs and tables; reads with the same keys, writes to scratch rows) directly with our TableClient/QueueClient and SecretClient, one after another, at the same concurrency. " +
                $"The HTTP hop is the same client calling `{ApiHost.HttpHopPath}`, which the bench host answers ahead of all middleware (HttpClient to Kestrel and back, none of our code), at the same concurrency. " +
                $"'Refused' is a `GET {applications}/{{id}}` in another business unit by a caller with no role there, answered 403 by the endpoint's filter: routing, token validation, authorization and a problem+json answer, no storage call; what any authenticated request costs before its first round trip. " +
                "At 1 client its floor ratio, (raw p50 + refused p50) / raw p50, is about the closest an endpoint can come to its raw round trips on this machine (reveal is anonymous: it skips the token check but passes a rate limiter); " +
                "at 32 clients a request's own work overlaps other requests' waits, so the sum bounds nothing and no floor is given. " +
                $"Endpoint, ceiling, hop and refused request are measured in turn, in {BenchOptions.Rounds} slices each (endpoint, ceiling, hop, refused, endpoint, ...), so drift in the machine's load hits all four alike. The goals use the plain p50 ratio.");
            report.Line();
            report.Table(["Operation", "clients", "req/s", "p50 ms", "p99 ms", "raw p50 ms", "raw p99 ms", "p50 ratio", "HTTP hop p50 ms", "refused p50 ms", "floor ratio", "round trips"], rows);
            report.Line("Round trips of one request, in order:");
            report.Line();
            sequences.ForEach(report.Line);
            report.Line();
            report.Json["requestCost"] = json;
            pipeline.Lines.ForEach(report.Line);
            report.Json["emailPipeline"] = pipeline.Json;
            report.Save();
            return goals;

            async Task MeasureAsync(string name, Func<int, Task> operation)
            {
                Console.WriteLine($"  {name}");
                for (var i = 0; i < options.Warmup; i++)
                {
                    await operation(i);
                }

                var recorded = new List<IReadOnlyList<OutgoingCall>>();
                for (var i = 0; i < BenchOptions.RecordedRequests; i++)
                {
                    using var recording = traffic.Record();
                    await operation(i);
                    recorded.Add([.. recording.Calls.Where(raw.IsDependency)]);
                }

                var sequence = recorded[^1];
                for (var i = 0; i < options.Warmup; i++)
                {
                    // The same warm-up for the ceiling, so both sides are measured with their code at the same tier.
                    await raw.ReplayAsync(sequence);
                }
                var counts = recorded.SelectMany(s => s).GroupBy(raw.DependencyOf).ToDictionary(g => g.Key, g => g.Count() / (double)recorded.Count);
                var roundTrips = string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value:0.#}"));
                var calls = sequence.Select(raw.Describe).ToList();
                var operationJson = new JsonObject
                {
                    ["roundTripsPerOperation"] = new JsonObject([.. counts.Select(c => KeyValuePair.Create(c.Key, (JsonNode?)c.Value))]),
                    ["calls"] = new JsonArray([.. calls.Select(c => (JsonNode)c)]),
                };
                foreach (var clients in new[] { 1, 32 })
                {
                    var count = clients == 1 ? options.Requests1 : options.Requests32;
                    var results = await Load.AlternatingAsync(BenchOptions.Rounds, clients, count, operation, _ => raw.ReplayAsync(sequence), HttpHop, Refused);
                    var (endpoint, ceiling, hop, refused) = (results[0], results[1], results[2], results[3]);
                    var ratio = endpoint.P50Ms / ceiling.P50Ms;
                    double? floorRatio = clients == 1 ? Math.Round((ceiling.P50Ms + refused.P50Ms) / ceiling.P50Ms, 3) : null;
                    rows.Add([name, clients.ToString(CultureInfo.InvariantCulture), Report.F(endpoint.PerSecond), Report.F(endpoint.P50Ms, 2), Report.F(endpoint.P99Ms, 2),
                        Report.F(ceiling.P50Ms, 2), Report.F(ceiling.P99Ms, 2), Report.Ratio(ratio), Report.F(hop.P50Ms, 2), Report.F(refused.P50Ms, 2), floorRatio is { } floor ? Report.Ratio(floor) : "-", roundTrips]);
                    operationJson[$"clients{clients}"] = new JsonObject
                    {
                        ["endpoint"] = Report.ToJson(endpoint), ["raw"] = Report.ToJson(ceiling), ["httpHop"] = Report.ToJson(hop), ["refused"] = Report.ToJson(refused),
                        ["p50Ratio"] = Math.Round(ratio, 3), ["floorRatio"] = floorRatio,
                    };
                    goals.Add(($"{name} latency <= 1.2x its raw round trips, {clients} client(s) (p50)", Report.Ratio(ratio), ratio <= 1.2));
                }

                sequences.Add($"- {name}: {string.Join(" → ", calls)}");
                json[name] = operationJson;
            }
        }

        async Task<(List<string> Lines, JsonObject Json)> EmailPipelineAsync(BenchOptions options, Func<int, Task> requestEmail)
        {
            var results = new JsonArray();
            var rows = new List<IReadOnlyList<string>>();
            var alreadyQueued = options.QueuedByRequests;
            foreach (var batchSize in options.BatchSizes)
            {
                Console.WriteLine($"  email pipeline, batch size {batchSize}");
                var toQueue = Math.Max(0, options.Emails - alreadyQueued);
                alreadyQueued = 0;
                // The request phase may already have queued all of the first batch's emails.
                var produce = toQueue > 0 ? await Load.RunAsync(32, toQueue, requestEmail) : null;
                var sentBefore = dependencies.Email.SentMessages.Count;
                using var recording = traffic.Record();
                var wall = Stopwatch.StartNew();
                await using (var listener = new ApiHost(dependencies, port: null, new Dictionary<string, string?>
                {
                    ["Queues:BatchSize"] = batchSize.ToString(CultureInfo.InvariantCulture),
                    ["Queues:MaxPollingInterval"] = "00:00:00.200",
                }))
                {
                    _ = listener.Services;
                    while (dependencies.Email.SentMessages.Count < sentBefore + options.Emails)
                    {
                        if (wall.Elapsed > TimeSpan.FromMinutes(5))
                        {
                            throw new TimeoutException($"Only {dependencies.Email.SentMessages.Count - sentBefore} of {options.Emails} emails were sent in 5 minutes.");
                        }

                        await Task.Delay(20);
                    }

                    wall.Stop();
                }

                var calls = recording.Calls;
                double Seconds(Func<OutgoingCall, bool> match) => calls.Where(match).Sum(c => c.Duration.TotalSeconds);
                var storage = Seconds(c => c.Port == dependencies.Azurite.TablePort || c.Port == dependencies.Azurite.QueuePort);
                var vault = Seconds(c => c.Port == dependencies.Vault.VaultUri.Port);
                var email = Seconds(c => c.Port == dependencies.Email.Endpoint.Port);
                var busy = wall.Elapsed.TotalSeconds * batchSize;
                var storageCalls = calls.Count(c => c.Port == dependencies.Azurite.TablePort || c.Port == dependencies.Azurite.QueuePort);
                rows.Add([batchSize.ToString(CultureInfo.InvariantCulture), options.Emails.ToString(CultureInfo.InvariantCulture), Report.F(wall.Elapsed.TotalSeconds),
                    Report.F(options.Emails / wall.Elapsed.TotalSeconds), Report.F(storageCalls / (double)options.Emails), Report.F(100 * storage / busy) + " %",
                    Report.F(100 * vault / busy) + " %", Report.F(100 * email / busy) + " %", produce is null ? "-" : Report.F(produce.PerSecond), produce is null ? "-" : Report.F(produce.MaxMs, 0)]);
                results.Add(new JsonObject
                {
                    ["batchSize"] = batchSize,
                    ["emails"] = options.Emails,
                    ["seconds"] = Math.Round(wall.Elapsed.TotalSeconds, 2),
                    ["emailsPerSecond"] = Math.Round(options.Emails / wall.Elapsed.TotalSeconds, 1),
                    ["storageRoundTripsPerEmail"] = Math.Round(storageCalls / (double)options.Emails, 2),
                    ["storageWaitShare"] = Math.Round(storage / busy, 3),
                    ["vaultWaitShare"] = Math.Round(vault / busy, 3),
                    ["emailServiceWaitShare"] = Math.Round(email / busy, 3),
                    ["queuedPerSecond"] = produce is null ? null : Math.Round(produce.PerSecond, 1),
                    ["queuedMaxMs"] = produce is null ? null : Math.Round(produce.MaxMs, 1),
                });
            }

            var lines = new List<string>();
            lines.Add("");
            lines.Add("## Email pipeline");
            lines.Add("");
            lines.Add($"{options.Emails} queued secret emails drained by the standalone queue listener (a fresh host per batch size, timed from its start to the last send). " +
                "Wait share = time spent in storage (tables + queue) / vault / ACS requests, summed over all requests, divided by wall time × batch size (the listener's concurrent workers); it exceeds 100 % when a worker has requests in flight together (a message's application and secrets reads). " +
                "The emulator is the limit here: Azurite serves everything from one Node.js thread, its in-memory queue rebuilds the queue's indexes on every message it hands out or removes, " +
                "and once a minute its queue garbage collector deletes the stored bodies of deleted messages one at a time, rebuilding indexes for each. After a few thousand messages that blocks " +
                "every Azurite call, tables included, for seconds; the last column shows it when it falls while requests are being queued.");
            lines.Add("");
            Report.TableLines(lines, ["Queues:BatchSize", "emails", "seconds", "emails/s", "storage round trips/email", "storage wait share", "vault wait share", "ACS wait share", "queued/s (API, 32 clients)", "slowest queuing request (ms)"], rows);
            return (lines, new JsonObject { ["runs"] = results });
        }

        // ---------------------------------------------------------------- scale

        public async Task<IEnumerable<(string, string, bool)>> ScaleAsync(BenchOptions options)
        {
            Console.WriteLine("Scale...");
            var table = new TableClient(dependencies.Account, "Applications");
            var seeded = new Dictionary<int, (string BusinessUnit, string[] Ids, double Seconds)>();
            foreach (var count in options.Scale)
            {
                var businessUnit = $"scale{count}";
                var ids = Enumerable.Range(0, count).Select(_ => Guid.CreateVersion7().ToString("N")).ToArray();
                var seeding = Stopwatch.StartNew();
                await Load.RunAsync(8, (count + 99) / 100, async batch =>
                    await table.SubmitTransactionAsync([.. ids.Skip(batch * 100).Take(100).Select(id => new TableTransactionAction(TableTransactionActionType.Add, Row(businessUnit, id)))]));
                seeded[count] = (businessUnit, ids, seeding.Elapsed.TotalSeconds);
                Console.WriteLine($"  seeded {count} in {seeding.Elapsed.TotalSeconds:F1} s");
            }

            // Every count's operations and their recorded round trips first; then each operation is measured at all counts in turn.
            var targets = new Dictionary<(string Name, int Count), (Func<int, Task> Operation, IReadOnlyList<OutgoingCall> Sequence)>();
            var json = new JsonObject();
            foreach (var count in options.Scale)
            {
                var (businessUnit, ids, seconds) = seeded[count];
                var scaleToken = dependencies.Token(businessUnit, AllRoles);
                var firstPage = await SendAsync(http, Request(HttpMethod.Get, $"/api/business-units/{businessUnit}/applications", bearer: scaleToken), HttpStatusCode.OK);
                string? continuation;
                using (var page = JsonDocument.Parse(firstPage))
                {
                    continuation = page.RootElement.GetProperty("continuationToken").GetString();
                }

                var operations = new Dictionary<string, Func<int, Task>>
                {
                    ["get"] = i => SendAsync(http, Request(HttpMethod.Get, $"/api/business-units/{businessUnit}/applications/{ids[(i * 7919 + count) % ids.Length]}", bearer: scaleToken), HttpStatusCode.OK),
                    ["list (first page)"] = _ => SendAsync(http, Request(HttpMethod.Get, $"/api/business-units/{businessUnit}/applications", bearer: scaleToken), HttpStatusCode.OK),
                };
                if (continuation is not null)
                {
                    operations["list (second page)"] = _ => SendAsync(http, Request(HttpMethod.Get,
                        $"/api/business-units/{businessUnit}/applications?continuationToken={Uri.EscapeDataString(continuation)}", bearer: scaleToken), HttpStatusCode.OK);
                }

                var countJson = new JsonObject { ["seedSeconds"] = Math.Round(seconds, 1) };
                foreach (var (name, operation) in operations)
                {
                    for (var i = 0; i < 5; i++)
                    {
                        await operation(i);
                    }

                    using var recording = traffic.Record();
                    await operation(1);
                    IReadOnlyList<OutgoingCall> sequence = [.. recording.Calls.Where(raw.IsDependency)];
                    targets[(name, count)] = (operation, sequence);
                    countJson[name] = new JsonObject { ["roundTrips"] = sequence.Count };
                }

                json[count.ToString(CultureInfo.InvariantCulture)] = countJson;
            }

            var rows = new List<IReadOnlyList<string>>();
            var p50 = new Dictionary<(string, int, int), (double Endpoint, double Raw)>();
            foreach (var name in targets.Keys.Select(k => k.Name).Distinct().ToList())
            {
                var counts = options.Scale.Where(c => targets.ContainsKey((name, c))).ToList();
                foreach (var clients in new[] { 1, 32 })
                {
                    var n = clients == 1 ? Math.Max(50, options.Requests1) : Math.Max(320, options.Requests32 / 2);
                    var variants = counts.SelectMany(c => new Func<int, Task>[] { targets[(name, c)].Operation, _ => raw.ReplayAsync(targets[(name, c)].Sequence) });
                    var results = await Load.AlternatingAsync(BenchOptions.Rounds, clients, n, [.. variants]);
                    foreach (var (count, index) in counts.Select((c, i) => (c, i)))
                    {
                        var (endpoint, ceiling) = (results[2 * index], results[2 * index + 1]);
                        p50[(name, count, clients)] = (endpoint.P50Ms, ceiling.P50Ms);
                        rows.Add([name, count.ToString("N0", CultureInfo.InvariantCulture), clients.ToString(CultureInfo.InvariantCulture), Report.F(endpoint.PerSecond),
                            Report.F(endpoint.P50Ms, 2), Report.F(endpoint.P99Ms, 2), Report.F(ceiling.P50Ms, 2), targets[(name, count)].Sequence.Count.ToString(CultureInfo.InvariantCulture)]);
                        json[count.ToString(CultureInfo.InvariantCulture)]![name]![$"clients{clients}"] = new JsonObject { ["endpoint"] = Report.ToJson(endpoint), ["raw"] = Report.ToJson(ceiling) };
                    }
                }
            }

            report.Line();
            report.Line("## Scale");
            report.Line();
            report.Line($"Applications seeded straight into the Applications table with 100-row batch inserts (8 in flight): " +
                string.Join(", ", options.Scale.Select(c => $"{c:N0} in {seeded[c].Seconds:F1} s")) + ". Gets use random seeded ids; list pages use the default page size. " +
                $"All sizes are seeded first (one table, one business unit each); each operation is then measured at every size in turn, {BenchOptions.Rounds} slices of each size's endpoint and raw call, " +
                "so the growth ratios compare figures taken side by side.");
            report.Line();
            report.Table(["Operation", "applications", "clients", "req/s", "p50 ms", "p99 ms", "raw p50 ms", "round trips"], rows);
            report.Line("A list page is one query: the business unit's partition, a RowKey range, `$top` = page size, and the continuation token for later pages. " +
                "Azurite (3.37.0, `LokiTableMetadataStore.queryTableEntities`) answers any query by filtering every entity of the table and sorting the matches, " +
                "so on the emulator even the raw query slows down as the partition grows; the goal rows below therefore also give the raw query's own growth, " +
                "and the endpoint's cost beyond it (endpoint growth / raw growth).");
            report.Line();

            var goals = new List<(string, string, bool)>();
            var small = options.Scale.Min();
            var large = options.Scale.Max();
            foreach (var key in p50.Keys.Where(k => k.Item2 == large))
            {
                var ratio = p50[key].Endpoint / p50[(key.Item1, small, key.Item3)].Endpoint;
                var rawRatio = p50[key].Raw / p50[(key.Item1, small, key.Item3)].Raw;
                goals.Add(($"{key.Item1} at {large:N0} applications <= 1.2x at {small:N0}, {key.Item3} client(s) (p50; raw calls: {Report.Ratio(rawRatio)}, beyond raw: {Report.Ratio(ratio / rawRatio)})", Report.Ratio(ratio), ratio <= 1.2));
            }

            report.Json["scale"] = json;
            report.Line();
            await MemoryAsync(options, seeded[large].BusinessUnit, seeded[large].Ids);
            return goals;
        }

        async Task MemoryAsync(BenchOptions options, string businessUnit, string[] ids)
        {
            Console.WriteLine("Peak memory...");
            var scaleToken = dependencies.Token(businessUnit, AllRoles);
            await using var process = new HandlerProcess(Path.Combine(options.Apps, "handler-r2r"), "ServerlessCreds.Host", dependencies.HandlerSettings());
            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = process.Address };
            HttpRequestMessage List()
            {
                var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/business-units/{businessUnit}/applications", UriKind.Relative));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", scaleToken);
                return request;
            }

            await process.WaitForOkAsync(client, List, TimeSpan.FromSeconds(60));
            var idle = process.Memory().Current;
            var load = await Load.RunAsync(32, 2000, async i =>
            {
                var request = i % 2 == 0 ? List() : new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/business-units/{businessUnit}/applications/{ids[i * 31 % ids.Length]}", UriKind.Relative));
                request.Headers.Authorization ??= new AuthenticationHeaderValue("Bearer", scaleToken);
                await SendAsync(client, request, HttpStatusCode.OK);
            });
            var (peak, current) = process.Memory();
            report.Line("## Peak memory");
            report.Line();
            report.Line($"The packaged (self-contained, trimmed, composite ReadyToRun) handler as its own process, 2,000 get + list requests at 32 clients on the {ids.Length:N0}-application business unit " +
                $"({load.PerSecond:F0} req/s): RSS {idle:F0} MiB when ready, **peak {peak:F0} MiB** (VmHWM), {current:F0} MiB after. " +
                "(Create/reveal load runs in-process, where the handler's memory cannot be told apart from the bench's.)");
            report.Line();
            report.Json["memory"] = new JsonObject { ["readyRssMiB"] = Math.Round(idle, 1), ["peakRssMiB"] = Math.Round(peak, 1), ["afterRssMiB"] = Math.Round(current, 1), ["load"] = Report.ToJson(load) };
        }

        static TableEntity Row(string businessUnit, string id) => new(businessUnit, "a:" + id)
        {
            ["Kind"] = "Internal",
            ["VendorName"] = "Contoso",
            ["ApplicationName"] = $"Seeded {id[..8]}",
            ["Scopes"] = "[\"Admin\"]",
            ["CallbackUrls"] = "[]",
            ["ClientId"] = Guid.NewGuid().ToString(),
            ["Enabled"] = true,
            ["CreatedAt"] = DateTimeOffset.UtcNow,
            ["CreatedBy"] = "bench",
            ["UpdatedAt"] = DateTimeOffset.UtcNow,
        };

        [GeneratedRegex(@"https://creds\.example\.test/s/([A-Za-z0-9_-]{43})")]
        private static partial Regex LinkToken();
    }
}
