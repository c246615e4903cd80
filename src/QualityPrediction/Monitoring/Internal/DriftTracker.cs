using QualityPrediction.Models;

namespace QualityPrediction.Monitoring.Internal;

/// <summary>
/// Histograms of the latest N contexts over one manifest's training bins, per feature, kept incrementally with a ring
/// of bin indices. Numeric features use the manifest's histogram; categorical features use the category shares plus an
/// "(unknown)" bin. Cross features and features without statistics are not tracked. Thread-safe.
/// </summary>
internal sealed class DriftTracker
{
    private const string Rare = "(rare)";
    private const string Unknown = "(unknown)";

    private readonly Feature[] _features;
    private readonly int[] _ring;
    private readonly int _window;
    private readonly Lock _lock = new();
    private int _next;
    private int _rows;

    public DriftTracker(ModelManifest manifest, string modelName, int window)
    {
        ModelName = modelName;
        ModelVersion = manifest.Version;
        _window = window;
        _features = [.. manifest.Features.Select(Feature.TryCreate).OfType<Feature>()];
        _ring = new int[window * Math.Max(1, _features.Length)];
    }

    /// <summary>Gets the model name as predictions carry it.</summary>
    public string ModelName { get; }

    public string ModelVersion { get; }

    public void Observe(PredictionContext context)
    {
        if (_features.Length == 0)
        {
            return;
        }

        Span<int> bins = _features.Length <= 64 ? stackalloc int[_features.Length] : new int[_features.Length];
        for (var f = 0; f < _features.Length; f++)
        {
            bins[f] = _features[f].BinOf(context);
        }

        lock (_lock)
        {
            var offset = _next * _features.Length;
            for (var f = 0; f < _features.Length; f++)
            {
                if (_rows == _window && _ring[offset + f] >= 0)
                {
                    _features[f].Counts[_ring[offset + f]]--;
                }

                _ring[offset + f] = bins[f];
                if (bins[f] >= 0)
                {
                    _features[f].Counts[bins[f]]++;
                }
            }

            _next = (_next + 1) % _window;
            _rows = Math.Min(_rows + 1, _window);
        }
    }

    public IEnumerable<FeatureDrift> Compute(int minSamples)
    {
        var results = new List<FeatureDrift>(_features.Length);
        lock (_lock)
        {
            foreach (var feature in _features)
            {
                var samples = feature.Counts.Sum();
                double? psi = samples >= minSamples
                    ? DriftStatistics.PopulationStabilityIndex(feature.Expected, Array.ConvertAll(feature.Counts, c => (double)c))
                    : null;
                results.Add(new FeatureDrift(ModelName, ModelVersion, feature.Name, feature.Kind, samples, psi));
            }
        }

        return results;
    }

    private sealed class Feature
    {
        private readonly IReadOnlyList<double>? _edges;
        private readonly Dictionary<string, int>? _categories;
        private readonly HashSet<string>? _rare;
        private readonly int _rareBin = -1;
        private readonly int _unknownBin = -1;

        private Feature(string name, double[] expected, IReadOnlyList<double> edges)
        {
            Name = name;
            Kind = FeatureKind.Numeric;
            Expected = expected;
            Counts = new int[expected.Length];
            _edges = edges;
        }

        private Feature(string name, Dictionary<string, int> categories, double[] expected, HashSet<string> rare, int rareBin, int unknownBin)
        {
            Name = name;
            Kind = FeatureKind.Categorical;
            Expected = expected;
            Counts = new int[expected.Length];
            _categories = categories;
            _rare = rare;
            _rareBin = rareBin;
            _unknownBin = unknownBin;
        }

        public string Name { get; }

        public FeatureKind Kind { get; }

        public double[] Expected { get; }

        public int[] Counts { get; }

        public static Feature? TryCreate(FeatureSpec spec)
        {
            var stats = spec.Statistics;
            if (stats is null)
            {
                return null;
            }

            if (spec.Kind == FeatureEncoding.Numeric)
            {
                if (stats.BinEdges is not { } edges || stats.BinShares is not { } shares || shares.Count != edges.Count + 1 || shares.Sum() <= 0)
                {
                    return null;
                }

                return new Feature(spec.Name, [.. shares], [.. edges]);
            }

            if (spec.Kind != FeatureEncoding.Categorical || stats.CategoryShares is not { Count: > 0 } categoryShares || categoryShares.Values.Sum() <= 0)
            {
                return null;
            }

            var categories = new Dictionary<string, int>(StringComparer.Ordinal);
            var expected = new List<double>();
            foreach (var (category, share) in categoryShares)
            {
                categories[category] = expected.Count;
                expected.Add(share);
            }

            var rareBin = categories.TryGetValue(Rare, out var rare) ? rare : -1;
            if (!categories.TryGetValue(Unknown, out var unknownBin))
            {
                unknownBin = expected.Count;
                expected.Add(0);
            }

            return new Feature(spec.Name, categories, [.. expected], new HashSet<string>(spec.RareCategories ?? [], StringComparer.Ordinal), rareBin, unknownBin);
        }

        /// <summary>The bin of the context's value, or -1 when the feature is missing or of the other kind.</summary>
        public int BinOf(PredictionContext context)
        {
            if (_edges is not null)
            {
                return context.TryGetNumber(Name, out var number) ? DriftStatistics.BinOf(_edges, number) : -1;
            }

            if (!context.TryGetCategory(Name, out var category))
            {
                return -1;
            }

            if (category is not Rare and not Unknown && _categories!.TryGetValue(category, out var bin))
            {
                return bin;
            }

            return _rareBin >= 0 && _rare!.Contains(category) ? _rareBin : _unknownBin;
        }
    }
}
