using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using QualityPrediction.Models;

namespace QualityPrediction.Onnx.Internal;

/// <summary>An ONNX Runtime session (thread-safe) with a pool of per-call buffers (not shared between threads).</summary>
internal sealed class OnnxScoringModel : IScoringModel
{
    private const int BatchChunkRows = 65_536;

    private readonly InferenceSession _session;
    private readonly Lock _batchGate = new();
    private Func<InferenceSession>? _createBatchSession;
    private InferenceSession? _batchSession;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly int _outputRank;
    private readonly int _maxPooled = Math.Max(2, Environment.ProcessorCount * 2);
    private readonly ConcurrentQueue<Slot> _pool = new();
    private int _pooled;
    private int _disposed;

    /// <summary>Creates the model over its sessions.</summary>
    /// <param name="session">The single-row session.</param>
    /// <param name="createBatchSession">Creates the batch session at the first batch; <see langword="null"/> when batches use <paramref name="session"/>.</param>
    /// <param name="inputName">The input's name.</param>
    /// <param name="outputName">The score output's name.</param>
    /// <param name="inputLength">The input vector's length.</param>
    /// <param name="outputRank">The score output's rank (1 or 2).</param>
    public OnnxScoringModel(InferenceSession session, Func<InferenceSession>? createBatchSession, string inputName, string outputName, int inputLength, int outputRank)
    {
        _session = session;
        _createBatchSession = createBatchSession;
        _inputNames = [inputName];
        _outputNames = [outputName];
        InputLength = inputLength;
        _outputRank = outputRank;
    }

    public int InputLength { get; }

    /// <summary>Checks the session's inputs and outputs against the manifest; returns the score output's rank.</summary>
    /// <exception cref="ModelLoadException">The model's inputs or outputs do not match.</exception>
    public static int Validate(InferenceSession session, string file, string inputName, int inputLength, string outputName)
    {
        var inputs = session.InputMetadata;
        if (inputs.Count != 1 || !inputs.TryGetValue(inputName, out var input))
        {
            throw new ModelLoadException(file, $"the model's inputs are [{string.Join(", ", inputs.Keys)}]; the manifest expects exactly one input named '{inputName}'.", null);
        }

        if (!input.IsTensor || input.ElementDataType != TensorElementType.Float)
        {
            throw new ModelLoadException(file, $"the model's input '{inputName}' is {input.ElementDataType}, not a float tensor.", null);
        }

        var dims = input.Dimensions;
        if (dims.Length != 2 || (dims[1] > 0 && dims[1] != inputLength))
        {
            throw new ModelLoadException(file, $"the model's input '{inputName}' has shape [{string.Join(", ", dims)}] but the manifest's features describe [N, {inputLength}].", null);
        }

        if (!session.OutputMetadata.TryGetValue(outputName, out var output))
        {
            throw new ModelLoadException(file, $"the model has no output named '{outputName}' (it has: {string.Join(", ", session.OutputMetadata.Keys)}).", null);
        }

        if (!output.IsTensor || output.ElementDataType != TensorElementType.Float)
        {
            throw new ModelLoadException(file, $"the model's output '{outputName}' is {output.ElementDataType}, not a float tensor.", null);
        }

        var outDims = output.Dimensions;
        if (outDims.Length is < 1 or > 2 || (outDims.Length == 2 && outDims[1] is not (1 or -1)))
        {
            throw new ModelLoadException(file, $"the model's output '{outputName}' has shape [{string.Join(", ", outDims)}]; expected one score per row.", null);
        }

        return outDims.Length;
    }

    public float Score(ReadOnlySpan<float> features, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (features.Length != InputLength)
        {
            throw new ArgumentException($"The model takes {InputLength} values, not {features.Length}.", nameof(features));
        }

        var slot = Rent();
        try
        {
            features.CopyTo(slot.Input);
            Run(slot, cancellationToken);
            return slot.Output[0];
        }
        finally
        {
            Return(slot);
        }
    }

    public void ScoreBatch(ReadOnlySpan<float> features, Span<float> scores, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (features.Length != scores.Length * InputLength)
        {
            throw new ArgumentException($"{scores.Length} rows need {scores.Length * InputLength} values, not {features.Length}.", nameof(features));
        }

        var session = BatchSession();
        using var runOptions = new RunOptions();
        for (var start = 0; start < scores.Length; start += BatchChunkRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = Math.Min(BatchChunkRows, scores.Length - start);
            using var input = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, [rows, InputLength]);
            features.Slice(start * InputLength, rows * InputLength).CopyTo(input.GetTensorMutableDataAsSpan<float>());
            using var registration = Register(runOptions, cancellationToken);
            IDisposableReadOnlyCollection<OrtValue> outputs;
            try
            {
                outputs = session.Run(runOptions, _inputNames, [input], _outputNames);
            }
            catch (OnnxRuntimeException ex) when (cancellationToken.IsCancellationRequested)
            {
                throw Cancelled(ex, cancellationToken);
            }

            using (outputs)
            {
                var data = outputs.First().GetTensorDataAsSpan<float>();
                data[..rows].CopyTo(scores.Slice(start, rows));
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        while (_pool.TryDequeue(out var slot))
        {
            slot.Dispose();
        }

        lock (_batchGate)
        {
            _createBatchSession = null;
            _batchSession?.Dispose();
        }

        _session.Dispose();
    }

    /// <summary>The batch session, created at the first batch; the single-row session when batches share it or the batch session cannot be created.</summary>
    private InferenceSession BatchSession()
    {
        if (Volatile.Read(ref _batchSession) is { } ready)
        {
            return ready;
        }

        lock (_batchGate)
        {
            if (_batchSession is null && _createBatchSession is { } create)
            {
                _createBatchSession = null;
                try
                {
                    Volatile.Write(ref _batchSession, create());
                }
                catch (ModelLoadException)
                {
                    // The same bytes already made the single-row session, so this is not expected; batches then share it.
                }
            }

            return _batchSession ?? _session;
        }
    }

    private void Run(Slot slot, CancellationToken cancellationToken)
    {
        var runOptions = slot.RunOptions;
        var registration = Register(runOptions, cancellationToken);
        try
        {
            _session.RunWithBinding(runOptions, slot.Binding);
        }
        catch (OnnxRuntimeException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw Cancelled(ex, cancellationToken);
        }
        finally
        {
            // Dispose waits for a running callback, so the flag can be reset safely before the slot is reused.
            registration.Dispose();
            if (cancellationToken.IsCancellationRequested)
            {
                runOptions.Terminate = false;
            }
        }
    }

    private static CancellationTokenRegistration Register(RunOptions runOptions, CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state => ((RunOptions)state!).Terminate = true, runOptions)
            : default;

    private static OperationCanceledException Cancelled(Exception inner, CancellationToken cancellationToken) =>
        new("The ONNX Runtime run was terminated because the prediction was cancelled.", inner, cancellationToken);

    private Slot Rent()
    {
        if (_pool.TryDequeue(out var slot))
        {
            Interlocked.Decrement(ref _pooled);
            return slot;
        }

        return new Slot(_session, _inputNames[0], _outputNames[0], InputLength, _outputRank);
    }

    private void Return(Slot slot)
    {
        if (Volatile.Read(ref _disposed) == 0 && Interlocked.Increment(ref _pooled) <= _maxPooled)
        {
            _pool.Enqueue(slot);
            if (Volatile.Read(ref _disposed) == 0 || !_pool.TryDequeue(out var late))
            {
                return;
            }

            late.Dispose();
            return;
        }

        Interlocked.Decrement(ref _pooled);
        slot.Dispose();
    }

    /// <summary>
    /// Input and output tensors over preallocated managed buffers, bound once to the session (IoBinding), and the run
    /// options: one call at a time, no allocation per run.
    /// </summary>
    private sealed class Slot : IDisposable
    {
        private readonly OrtValue _input;
        private readonly OrtValue _output;

        public Slot(InferenceSession session, string inputName, string outputName, int inputLength, int outputRank)
        {
            Input = new float[inputLength];
            Output = new float[1];
            _input = OrtValue.CreateTensorValueFromMemory(Input, [1, inputLength]);
            _output = OrtValue.CreateTensorValueFromMemory(Output, outputRank == 1 ? [1] : [1, 1]);
            Binding = session.CreateIoBinding();
            Binding.BindInput(inputName, _input);
            Binding.BindOutput(outputName, _output);
            RunOptions = new RunOptions();
        }

        public float[] Input { get; }

        public float[] Output { get; }

        public OrtIoBinding Binding { get; }

        public RunOptions RunOptions { get; }

        public void Dispose()
        {
            Binding.Dispose();
            _input.Dispose();
            _output.Dispose();
            RunOptions.Dispose();
        }
    }
}
