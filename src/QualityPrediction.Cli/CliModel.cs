using Microsoft.Extensions.Logging;
using QualityPrediction.MLNet;
using QualityPrediction.Models;
using QualityPrediction.Onnx;

namespace QualityPrediction.Cli;

/// <summary>One model loaded once for a command (no watching): a standalone catalog and a predictor on it.</summary>
internal sealed class CliModel : IAsyncDisposable
{
    private const string Name = "cli";
    private readonly StandaloneModelCatalog _catalog;

    private CliModel(StandaloneModelCatalog catalog)
    {
        _catalog = catalog;
        Predictor = new ModelPredictor(catalog, Name);
    }

    public ModelPredictor Predictor { get; }

    public ModelStatus Status => _catalog.GetStatus(Name);

    /// <summary>Loads the model and waits for the load to finish; <see cref="Status"/> says whether it is live.</summary>
    /// <param name="reference">The manifest or registry reference; relative to the current directory.</param>
    /// <param name="runtime">The runtime name, or <see langword="null"/> to infer it.</param>
    /// <param name="unknownFeatures">What a context name the model does not know does.</param>
    /// <param name="warnings">Receives the library's warnings (for example an unknown feature, with a "did you mean").</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public static async Task<CliModel> LoadAsync(string reference, string? runtime, UnknownFeatureHandling unknownFeatures, TextWriter? warnings, CancellationToken cancellationToken)
    {
        var options = new ModelOptions
        {
            Name = Name,
            Path = Path.GetFullPath(reference),
            Runtime = runtime,
            WatchForChanges = false,
            UnknownFeatures = unknownFeatures,
        };
        using var loggers = warnings is null ? null : new StderrWarningLoggerFactory(warnings);
        var catalog = await StandaloneModelCatalog.LoadAsync([options], [new OnnxModelRuntime(), new MLNetModelRuntime()], loggerFactory: loggers, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new CliModel(catalog);
    }

    public ValueTask DisposeAsync() => _catalog.DisposeAsync();

    /// <summary>Writes the library's warnings and errors as <c>quality: warning: …</c> lines (load messages are reported by the commands themselves).</summary>
    private sealed class StderrWarningLoggerFactory(TextWriter output) : ILoggerFactory, ILogger
    {
        private readonly Lock _gate = new();

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel == LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            lock (_gate)
            {
                output.WriteLine($"quality: warning: {formatter(state, exception)}");
            }
        }

        public void Dispose()
        {
        }
    }
}
