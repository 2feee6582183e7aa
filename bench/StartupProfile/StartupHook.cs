using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Reflection;
using StartupProfile;

/// <summary>
/// Loaded through <c>DOTNET_STARTUP_HOOKS</c> (the runtime looks for this type name, outside any namespace). Records every
/// method the JIT compiles and, every second in which new ones came, writes them all to the .mibc file named by
/// <c>STARTUP_PROFILE_OUT</c>.
/// </summary>
internal static class StartupHook
{
    const long JitKeyword = 0x10;
    const int MethodLoadVerboseEvent = 143;
    const int OptimizationTierShift = 7; // MethodFlags bits 7-9, as the runtime's event manifest lays them out.
    const long OptimizedTier1 = 4, OptimizedTier1Osr = 5, OptimizedTier1Instrumented = 7;
    static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    static readonly ConcurrentDictionary<long, bool> CompiledMethods = new();
    static long ownThread;
#pragma warning disable IDE0052 // Held so that the listener is not collected.
    static JitListener? listener;
#pragma warning restore IDE0052

    public static void Initialize()
    {
        var output = Environment.GetEnvironmentVariable("STARTUP_PROFILE_OUT")
            ?? throw new InvalidOperationException("STARTUP_PROFILE_OUT names the .mibc file to write.");
        var writer = new Thread(() => WriteEverySecond(output)) { IsBackground = true, Name = "startup profile" };
        writer.Start();
        listener = new JitListener();
    }

    static void WriteEverySecond(string output)
    {
        // The writer's own compilations are not the app's.
        Interlocked.Exchange(ref ownThread, OsThreadId());
        var written = 0;
        while (true)
        {
            Thread.Sleep(Interval);
            var seen = CompiledMethods.Count;
            if (seen != written)
            {
                MibcFile.Write(output, [.. CompiledMethods.Keys.Select(Resolve).OfType<MethodBase>()]);
                written = seen;
            }
        }
    }

    // The event names a method by its runtime handle. Reflection needs the declaring type as well for a method of a
    // generic type; only the runtime's internal helper gives it from the handle alone.
    static readonly Type HandleInternal = typeof(RuntimeMethodHandle).Assembly.GetType("System.RuntimeMethodHandleInternal", throwOnError: true)!;
    static readonly MethodInfo DeclaringType = typeof(RuntimeMethodHandle).GetMethod("GetDeclaringType", BindingFlags.NonPublic | BindingFlags.Static, [HandleInternal])!;

    static MethodBase? Resolve(long methodId)
    {
        try
        {
            var handle = Activator.CreateInstance(HandleInternal, BindingFlags.NonPublic | BindingFlags.Instance, null, [(nint)methodId], null)!;
            var declaringType = (Type)DeclaringType.Invoke(null, [handle])!;
            var method = MethodBase.GetMethodFromHandle(RuntimeMethodHandle.FromIntPtr((nint)methodId), declaringType.TypeHandle);
            // A method outside any type (a global function) is left out: the profile names methods through their type.
            return method?.DeclaringType is { } type && type.Assembly != typeof(StartupHook).Assembly ? method : null;
        }
        catch (ArgumentException)
        {
            return null; // A dynamic method (reflection invoke stub, compiled expression): nothing to precompile.
        }
    }

    // The calling thread's id as runtime events give it (the kernel's; Linux, like the bench).
    static long OsThreadId() => long.Parse(Path.GetFileName(new FileInfo("/proc/thread-self").LinkTarget)!, System.Globalization.CultureInfo.InvariantCulture);

    // Tier 1, OSR and instrumented tier 1 code replaces code the method already had. Its first compilation was either
    // recorded or the hook's own, and the tiering thread must not bring the hook's own methods back in.
    static bool IsRecompilation(EventWrittenEventArgs load)
    {
        var flags = Convert.ToInt64(load.Payload![load.PayloadNames!.IndexOf("MethodFlags")], System.Globalization.CultureInfo.InvariantCulture);
        return ((flags >> OptimizationTierShift) & 0x7) is OptimizedTier1 or OptimizedTier1Osr or OptimizedTier1Instrumented;
    }

    sealed class JitListener : EventListener
    {
        long dispatchThread;

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)JitKeyword);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (dispatchThread == 0)
            {
                dispatchThread = OsThreadId();
            }

            if (eventData.EventId == MethodLoadVerboseEvent && !IsRecompilation(eventData)
                && eventData.OSThreadId != dispatchThread && eventData.OSThreadId != Interlocked.Read(ref ownThread))
            {
                CompiledMethods.TryAdd(Convert.ToInt64(eventData.Payload![0], System.Globalization.CultureInfo.InvariantCulture), true);
            }
        }
    }
}
