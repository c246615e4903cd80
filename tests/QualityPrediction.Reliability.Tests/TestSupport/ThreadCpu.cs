using System.Runtime.InteropServices;

namespace QualityPrediction.Reliability.Tests.TestSupport;

/// <summary>The calling thread's CPU time (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>), much less disturbed by other processes on a loaded machine than wall time.</summary>
internal static partial class ThreadCpu
{
    private const int ClockThreadCpuTime = 3;

    /// <summary>Gets the calling thread's CPU time in nanoseconds (0 where the clock is not available).</summary>
    public static long Nanoseconds() => ClockGetTime(ClockThreadCpuTime, out var t) == 0 ? (t.Seconds * 1_000_000_000) + t.Nanoseconds : 0;

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec value);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
