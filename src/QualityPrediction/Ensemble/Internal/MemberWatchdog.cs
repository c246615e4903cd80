namespace QualityPrediction.Ensemble.Internal;

/// <summary>
/// Enforces the ensemble's member timeout without a timer per call: each call runs in a <see cref="Lane"/> (one per
/// thread for synchronous calls, pooled for asynchronous ones) that records when it started, and one periodic timer,
/// running only while calls are in flight, cancels the token of every call older than the timeout.
/// </summary>
/// <remarks>
/// <para>A call is cancelled between 1× and 1.25× the timeout after it started (the timer ticks every quarter of it).
/// Starting and ending a call costs a thread-local lookup, a timestamp and two interlocked writes on a lane no other
/// caller touches, which is why this replaced Polly's timeout strategy on the hot path: that strategy arms and
/// disarms a timer for every execution (about 280 ns per call on the 2-core benchmark machine, against a 4 µs model
/// call; see docs/benchmarks.md).</para>
/// <para>Lanes are never shared by two calls at once and are kept for reuse; their number is the peak number of
/// concurrent calls. Thread-safe.</para>
/// </remarks>
internal sealed class MemberWatchdog : IDisposable
{
    private const int IdleTicksBeforeStop = 2;

    private readonly TimeProvider _timeProvider;
    private readonly long _timeoutTicks;
    private readonly TimeSpan _period;
    private readonly ThreadLocal<Lane> _threadLanes;
    private readonly Stack<Lane> _asyncLanes = new();
    private readonly Lock _gate = new();
    private readonly ITimer _timer;
    private Lane[] _all = [];
    private int _running;
    private int _ticking;
    private int _idleTicks;
    private bool _disposed;

    /// <summary>Creates the watchdog; its timer stays stopped until the first call.</summary>
    /// <param name="timeout">The member timeout (positive).</param>
    /// <param name="timeProvider">The time source for timestamps and the timer.</param>
    public MemberWatchdog(TimeSpan timeout, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        Timeout = timeout;
        _timeoutTicks = Math.Max(1, (long)(timeout.TotalSeconds * timeProvider.TimestampFrequency));
        _period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, timeout.Ticks / 4));
        _threadLanes = new ThreadLocal<Lane>(() => NewLane(Thread.CurrentThread));
        _timer = timeProvider.CreateTimer(static state => ((MemberWatchdog)state!).Tick(), this, System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);
    }

    /// <summary>Gets the timeout.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Gets whether the timer is running (it stops after two idle ticks).</summary>
    public bool IsRunning => Volatile.Read(ref _running) != 0;

    /// <summary>Starts guarding a synchronous call on the calling thread; pair it with <see cref="Lane.End"/> on the same thread.</summary>
    /// <returns>The calling thread's lane, whose <see cref="Lane.Token"/> is cancelled if the call overruns.</returns>
    public Lane EnterThread()
    {
        var lane = _threadLanes.Value!;
        Begin(lane);
        return lane;
    }

    /// <summary>Starts guarding a call that may continue on another thread; pair it with <see cref="Lane.End"/> and <see cref="ReturnAsyncLane"/>.</summary>
    /// <returns>A lane of its own for this call.</returns>
    public Lane EnterAsync()
    {
        Lane? lane = null;
        lock (_gate)
        {
            _asyncLanes.TryPop(out lane);
        }

        lane ??= NewLane(null);
        Begin(lane);
        return lane;
    }

    /// <summary>Returns a lane taken by <see cref="EnterAsync"/> (after its <see cref="Lane.End"/>).</summary>
    /// <param name="lane">The lane.</param>
    public void ReturnAsyncLane(Lane lane)
    {
        lock (_gate)
        {
            _asyncLanes.Push(lane);
        }
    }

    /// <summary>Stops the timer; calls already running are no longer cancelled.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer.Dispose();
        }

        _threadLanes.Dispose();
    }

    private void Begin(Lane lane)
    {
        lane.Begin(_timeProvider.GetTimestamp());

        // Begin's interlocked write comes before this read; Tick clears _running before it rescans the lanes. So either
        // this call sees the timer stopped and starts it, or Tick's rescan sees this call and keeps the timer running.
        if (Volatile.Read(ref _running) == 0)
        {
            StartTimer();
        }
    }

    private void StartTimer()
    {
        lock (_gate)
        {
            if (_running == 0 && !_disposed)
            {
                _idleTicks = 0;
                Volatile.Write(ref _running, 1);
                _timer.Change(_period, _period);
            }
        }
    }

    /// <summary>Whether the lane's call has run past the timeout: expired by the watchdog, or found late by the caller's own clock (when the watchdog's timer could not run in time).</summary>
    /// <param name="lane">The lane of a call that has just returned (before its <see cref="Lane.End"/>).</param>
    /// <returns><see langword="true"/> when its answer must not be used.</returns>
    public bool IsLate(Lane lane) => lane.IsExpired || _timeProvider.GetTimestamp() - lane.Started >= _timeoutTicks;

    /// <summary>Gets how many lanes the watchdog scans (for tests: lanes of exited threads are dropped).</summary>
    internal int LaneCount => Volatile.Read(ref _all).Length;

    private Lane NewLane(Thread? owner)
    {
        var lane = new Lane(owner);
        lock (_gate)
        {
            _all = [.. _all, lane];
        }

        return lane;
    }

    private void Tick()
    {
        if (Interlocked.Exchange(ref _ticking, 1) != 0)
        {
            return;
        }

        try
        {
            var now = _timeProvider.GetTimestamp();
            if (Scan(now) > 0)
            {
                _idleTicks = 0;
                return;
            }

            if (++_idleTicks < IdleTicksBeforeStop)
            {
                return;
            }

            lock (_gate)
            {
                // Idle: drop the lanes of threads that have exited (their thread-local slot is gone with them).
                if (Array.Exists(_all, l => l.Owner is { IsAlive: false } && !l.IsActive))
                {
                    _all = Array.FindAll(_all, l => l.Owner is not { IsAlive: false } || l.IsActive);
                }

                Interlocked.Exchange(ref _running, 0);
                if (Scan(now) > 0)
                {
                    Volatile.Write(ref _running, 1);
                }
                else if (!_disposed)
                {
                    _timer.Change(System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    /// <summary>Cancels the calls that overran; returns how many calls are still in flight.</summary>
    private int Scan(long now)
    {
        var active = 0;
        foreach (var lane in Volatile.Read(ref _all))
        {
            if (lane.IsActive && !lane.TryExpire(now, _timeoutTicks))
            {
                active++;
            }
        }

        return active;
    }

    /// <summary>One call slot: its start, its cancellation source, and whether the watchdog expired it.</summary>
    internal sealed class Lane(Thread? owner)
    {
        private const long Idle = 0;
        private const long Expired = -1;

        private long _state;
        private long _sequence;
        private long _started;
        private bool _replace;
        private CancellationTokenSource _source = new();

        /// <summary>Gets the thread that owns this lane (<see langword="null"/> for a lane of asynchronous calls).</summary>
        public Thread? Owner { get; } = owner;

        /// <summary>Gets the timestamp the current call started at.</summary>
        public long Started => Volatile.Read(ref _started);

        /// <summary>Gets the token the guarded call must observe.</summary>
        public CancellationToken Token { get; private set; }

        /// <summary>Gets whether a call is in flight in this lane.</summary>
        public bool IsActive => Volatile.Read(ref _state) > 0;

        /// <summary>Gets whether the watchdog expired the current call (its token is then cancelled or about to be).</summary>
        public bool IsExpired => Volatile.Read(ref _state) == Expired;

        /// <summary>Links a caller's token: cancelling it cancels this call's token too.</summary>
        /// <param name="cancellationToken">The caller's token.</param>
        /// <returns>The registration to dispose when the call ends.</returns>
        public CancellationTokenRegistration Link(CancellationToken cancellationToken) =>
            cancellationToken.CanBeCanceled
                ? cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _source)
                : default;

        /// <summary>Ends the call.</summary>
        /// <returns><see langword="true"/> when the watchdog expired it.</returns>
        public bool End()
        {
            var expired = Interlocked.Exchange(ref _state, Idle) == Expired;
            _replace |= expired || _source.IsCancellationRequested;
            return expired;
        }

        internal void Begin(long now)
        {
            if (_replace || _source.IsCancellationRequested)
            {
                // The old source was (or is being) cancelled by the watchdog or a caller; it is never reused.
                _source = new CancellationTokenSource();
                _replace = false;
            }

            Token = _source.Token;
            _started = now;
            Interlocked.Exchange(ref _state, ++_sequence);
        }

        internal bool TryExpire(long now, long timeoutTicks)
        {
            var call = Volatile.Read(ref _state);
            if (call <= 0)
            {
                return false;
            }

            // Read after the call number: if the call ended and another began meanwhile, the exchange below fails.
            var started = Volatile.Read(ref _started);
            var source = Volatile.Read(ref _source);
            if (now - started < timeoutTicks || Interlocked.CompareExchange(ref _state, Expired, call) != call)
            {
                return false;
            }

            source.Cancel();
            return true;
        }
    }
}
