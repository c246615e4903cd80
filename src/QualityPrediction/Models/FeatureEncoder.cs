using System.Collections.Frozen;
using QualityPrediction.Models.Internal;

namespace QualityPrediction.Models;

/// <summary>
/// Turns a <see cref="PredictionContext"/> into the model's input vector exactly as a manifest's features say.
/// Training and both runtimes use this one class, so the vector a model was trained on is the vector it is scored on.
/// </summary>
/// <remarks>
/// Slots, feature by feature in manifest order: a numeric feature takes one slot (its value, or
/// <see cref="FeatureSpec.Impute"/> when missing); a categorical or cross feature takes one slot per category,
/// then one for rare categories, then one for unknown ones, and sets exactly one of them to 1 (none when missing).
/// Features in the context that the manifest does not name are ignored. Instances are immutable and thread-safe;
/// <see cref="Encode"/> allocates nothing.
/// </remarks>
public sealed class FeatureEncoder
{
    private readonly Slot[] _slots;

    /// <summary>The vector of a context without features: every numeric slot holds its imputed value, the rest 0.</summary>
    private readonly float[] _empty;

    /// <summary>Numeric and categorical features by name (cross features read two names and are written separately).</summary>
    private readonly FrozenDictionary<string, int> _byName;

    private readonly int[] _crossSlots;

    private IReadOnlyList<string>? _inputNames;

    private FeatureEncoder(IList<FeatureSpec> features)
    {
        Features = [.. features];
        _slots = new Slot[features.Count];
        var offset = 0;
        var names = new List<string>();
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        var crosses = new List<int>();
        for (var i = 0; i < features.Count; i++)
        {
            var spec = features[i];
            _slots[i] = new Slot(spec, offset);
            if (spec.Kind == FeatureEncoding.Cross)
            {
                crosses.Add(i);
            }
            else
            {
                byName[spec.Name] = i;
            }

            if (spec.Kind == FeatureEncoding.Numeric)
            {
                names.Add(spec.Name);
            }
            else
            {
                foreach (var category in spec.Categories!)
                {
                    names.Add($"{spec.Name}={category.Replace(FeatureSpec.CrossSeparator, '|')}");
                }

                names.Add($"{spec.Name}=(rare)");
                names.Add($"{spec.Name}=(unknown)");
            }

            offset += spec.SlotCount;
        }

        Length = offset;
        SlotNames = names;
        _byName = byName.ToFrozenDictionary(StringComparer.Ordinal);
        _crossSlots = [.. crosses];
        _empty = new float[offset];
        foreach (var slot in _slots)
        {
            slot.WriteMissing(_empty);
        }
    }

    /// <summary>Gets the number of slots in the input vector.</summary>
    public int Length { get; }

    /// <summary>Gets the features, in order.</summary>
    public IReadOnlyList<FeatureSpec> Features { get; }

    /// <summary>Gets a readable name for every slot (e.g. <c>provider=openai</c>).</summary>
    public IReadOnlyList<string> SlotNames { get; }

    /// <summary>Creates an encoder for a manifest's features.</summary>
    /// <param name="manifest">The manifest.</param>
    /// <returns>The encoder.</returns>
    /// <exception cref="ModelFormatException">The manifest's features are inconsistent.</exception>
    public static FeatureEncoder Create(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return Create(manifest.Features);
    }

    /// <summary>Creates an encoder for a list of features.</summary>
    /// <param name="features">The features, in slot order.</param>
    /// <returns>The encoder.</returns>
    /// <exception cref="ModelFormatException">The features are inconsistent.</exception>
    public static FeatureEncoder Create(IList<FeatureSpec> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < features.Count; i++)
        {
            features[i].Validate("features", i, names);
            names.Add(features[i].Name);
        }

        return new FeatureEncoder(features);
    }

    /// <summary>Computes the input vector length that a list of features describes.</summary>
    /// <param name="features">The features.</param>
    /// <returns>The number of slots.</returns>
    /// <exception cref="OverflowException">The length overflows.</exception>
    public static int ComputeLength(IEnumerable<FeatureSpec> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var length = 0;
        foreach (var feature in features)
        {
            length = checked(length + feature.SlotCount);
        }

        return length;
    }

    /// <summary>Gets how many names a context may carry for this model (see <see cref="InputNames"/>).</summary>
    internal int InputCount => _byName.Count;

    /// <summary>Gets the names a context may carry for this model (the features' names; a cross reads its two parts), in manifest order.</summary>
    public IReadOnlyList<string> InputNames => _inputNames ??= [.. _byName.OrderBy(p => p.Value).Select(p => p.Key)];

    /// <summary>
    /// Writes the input vector like <see cref="Encode"/>, but reports instead of throwing: how many of the model's features the
    /// context supplied, how many of its names the model does not know, and whether a value was of the wrong kind.
    /// </summary>
    internal bool TryEncode(PredictionContext context, Span<float> destination, out EncodeReport report)
    {
        _empty.CopyTo(destination);
        var supplied = 0;
        var unknown = 0;
        string? firstUnknown = null;
        foreach (var (name, value) in context.Features)
        {
            if (_byName.TryGetValue(name, out var index))
            {
                supplied++;
                if (!_slots[index].TryWriteValue(value, destination))
                {
                    report = new EncodeReport(supplied, unknown, firstUnknown, _slots[index].WrongKindText(value));
                    return false;
                }
            }
            else
            {
                unknown++;
                firstUnknown ??= name;
            }
        }

        if (_crossSlots.Length > 0)
        {
            try
            {
                foreach (var index in _crossSlots)
                {
                    _slots[index].Write(context, destination);
                }
            }
            catch (ArgumentException ex)
            {
                report = new EncodeReport(supplied, unknown, firstUnknown, ex.Message);
                return false;
            }
        }

        report = new EncodeReport(supplied, unknown, firstUnknown, null);
        return true;
    }

    /// <summary>Returns the names of <paramref name="context"/> this model does not know, in the context's order.</summary>
    internal List<string> UnknownNames(PredictionContext context)
    {
        var names = new List<string>();
        foreach (var name in context.Names)
        {
            if (!_byName.ContainsKey(name))
            {
                names.Add(name);
            }
        }

        return names;
    }

    /// <summary>Writes the input vector for <paramref name="context"/> into <paramref name="destination"/>.</summary>
    /// <param name="context">The context.</param>
    /// <param name="destination">Receives <see cref="Length"/> values.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short, or a feature has a value of the wrong kind (the message names it).</exception>
    public void Encode(PredictionContext context, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (destination.Length < Length)
        {
            throw new ArgumentException($"The destination has {destination.Length} slots; the model needs {Length}.", nameof(destination));
        }

        _empty.CopyTo(destination);
        var features = context.Features;
        if (features.Count <= 2 * _slots.Length)
        {
            // Walk the context once (cheaper than one hash lookup per feature for contexts of about the model's size).
            foreach (var (name, value) in features)
            {
                if (_byName.TryGetValue(name, out var index))
                {
                    _slots[index].WriteValue(value, destination);
                }
            }
        }
        else
        {
            foreach (var (name, index) in _byName)
            {
                if (features.TryGetValue(name, out var value))
                {
                    _slots[index].WriteValue(value, destination);
                }
            }
        }

        foreach (var index in _crossSlots)
        {
            _slots[index].Write(context, destination);
        }
    }

    /// <summary>Writes the input vectors of many contexts, row after row, into <paramref name="destination"/>.</summary>
    /// <param name="contexts">The contexts.</param>
    /// <param name="destination">Receives <c>contexts.Length × Length</c> values.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short, or a feature has a value of the wrong kind.</exception>
    public void EncodeBatch(ReadOnlySpan<PredictionContext> contexts, Span<float> destination)
    {
        if (destination.Length < contexts.Length * Length)
        {
            throw new ArgumentException($"The destination has {destination.Length} slots; {contexts.Length} rows need {contexts.Length * Length}.", nameof(destination));
        }

        for (var i = 0; i < contexts.Length; i++)
        {
            Encode(contexts[i], destination.Slice(i * Length, Length));
        }
    }

    /// <summary>Returns the slot a categorical value would set, relative to the feature's first slot, and what kind of slot it is.</summary>
    /// <param name="featureIndex">The index of a categorical or cross feature.</param>
    /// <param name="category">The category.</param>
    /// <returns>The category's own slot, the rare slot or the unknown slot.</returns>
    public CategorySlot ClassifyCategory(int featureIndex, string category)
    {
        ArgumentNullException.ThrowIfNull(category);
        return _slots[featureIndex].Classify(category);
    }

    /// <summary>Which slot a category falls into.</summary>
    public enum CategorySlot
    {
        /// <summary>The category has a slot of its own.</summary>
        Known,

        /// <summary>The category was rare in training and shares the rare slot.</summary>
        Rare,

        /// <summary>The category was never seen in training.</summary>
        Unknown,
    }

    private sealed class Slot
    {
        private readonly FeatureSpec _spec;
        private readonly int _offset;
        private readonly int _rareSlot;
        private readonly int _unknownSlot;
        private readonly FrozenDictionary<string, int>? _categories;
        private readonly FrozenSet<string>? _rare;
        private readonly Dictionary<(string, string), int>? _pairs;
        private readonly HashSet<(string, string)>? _rarePairs;
        private readonly string? _left;
        private readonly string? _right;

        public Slot(FeatureSpec spec, int offset)
        {
            _spec = spec;
            _offset = offset;
            if (spec.Kind == FeatureEncoding.Numeric)
            {
                return;
            }

            var categories = spec.Categories!;
            _rareSlot = offset + categories.Count;
            _unknownSlot = _rareSlot + 1;
            if (spec.Kind == FeatureEncoding.Categorical)
            {
                _categories = categories.Select((c, i) => KeyValuePair.Create(c, offset + i)).ToFrozenDictionary(StringComparer.Ordinal);
                _rare = (spec.RareCategories ?? []).ToFrozenSet(StringComparer.Ordinal);
            }
            else
            {
                _left = spec.Of![0];
                _right = spec.Of[1];
                _pairs = new Dictionary<(string, string), int>(categories.Count);
                for (var i = 0; i < categories.Count; i++)
                {
                    _pairs[Split(categories[i])] = offset + i;
                }

                _rarePairs = [.. (spec.RareCategories ?? []).Select(Split)];
            }
        }

        public CategorySlot Classify(string category)
        {
            if (_categories is not null)
            {
                return _categories.ContainsKey(category) ? CategorySlot.Known : _rare!.Contains(category) ? CategorySlot.Rare : CategorySlot.Unknown;
            }

            if (_pairs is not null)
            {
                var pair = Split(category);
                return _pairs.ContainsKey(pair) ? CategorySlot.Known : _rarePairs!.Contains(pair) ? CategorySlot.Rare : CategorySlot.Unknown;
            }

            throw new InvalidOperationException($"Feature '{_spec.Name}' is numeric.");
        }

        /// <summary>Writes what a context without this feature encodes to: the imputed value for a numeric feature, nothing otherwise.</summary>
        public void WriteMissing(Span<float> destination)
        {
            if (_spec.Kind == FeatureEncoding.Numeric)
            {
                destination[_offset] = (float)_spec.Impute;
            }
        }

        /// <summary>Writes a present value of a numeric or categorical feature over the missing-value encoding.</summary>
        public void WriteValue(in FeatureValue value, Span<float> destination)
        {
            if (_spec.Kind == FeatureEncoding.Numeric)
            {
                destination[_offset] = value.Kind == FeatureKind.Numeric ? (float)value.Number : throw WrongKind(_spec.Name, "a number", value);
            }
            else
            {
                var text = value.Category ?? throw WrongKind(_spec.Name, "a category (string)", value);
                destination[_categories!.TryGetValue(text, out var index) ? index : _rare!.Contains(text) ? _rareSlot : _unknownSlot] = 1f;
            }
        }

        public bool TryWriteValue(in FeatureValue value, Span<float> destination)
        {
            if (_spec.Kind == FeatureEncoding.Numeric)
            {
                if (value.Kind != FeatureKind.Numeric)
                {
                    return false;
                }

                destination[_offset] = (float)value.Number;
                return true;
            }

            if (value.Category is not { } text)
            {
                return false;
            }

            destination[_categories!.TryGetValue(text, out var index) ? index : _rare!.Contains(text) ? _rareSlot : _unknownSlot] = 1f;
            return true;
        }

        public string WrongKindText(in FeatureValue value) =>
            WrongKind(_spec.Name, _spec.Kind == FeatureEncoding.Numeric ? "a number" : "a category (string)", value).Message;

        public void Write(PredictionContext context, Span<float> destination)
        {
            switch (_spec.Kind)
            {
                case FeatureEncoding.Numeric:
                    if (context.TryGetValue(_spec.Name, out var value))
                    {
                        if (value.Kind != FeatureKind.Numeric)
                        {
                            throw WrongKind(_spec.Name, "a number", value);
                        }

                        destination[_offset] = (float)value.Number;
                    }
                    else
                    {
                        destination[_offset] = (float)_spec.Impute;
                    }

                    break;

                case FeatureEncoding.Categorical:
                    if (context.TryGetValue(_spec.Name, out var category))
                    {
                        var text = category.Category ?? throw WrongKind(_spec.Name, "a category (string)", category);
                        destination[_categories!.TryGetValue(text, out var index) ? index : _rare!.Contains(text) ? _rareSlot : _unknownSlot] = 1f;
                    }

                    break;

                default:
                    if (context.TryGetValue(_left!, out var left) && context.TryGetValue(_right!, out var right))
                    {
                        var key = (left.Category ?? throw WrongKind(_left!, "a category (string)", left),
                                   right.Category ?? throw WrongKind(_right!, "a category (string)", right));
                        destination[_pairs!.TryGetValue(key, out var index) ? index : _rarePairs!.Contains(key) ? _rareSlot : _unknownSlot] = 1f;
                    }

                    break;
            }
        }

        private static (string, string) Split(string category)
        {
            var separator = category.IndexOf(FeatureSpec.CrossSeparator, StringComparison.Ordinal);
            return separator < 0 ? (category, "") : (category[..separator], category[(separator + 1)..]);
        }

        private static ArgumentException WrongKind(string name, string expected, FeatureValue actual) =>
            new($"Feature '{name}' must be {expected}, but the context holds the {actual.Kind.ToString().ToLowerInvariant()} value '{actual}'.", "context");
    }
}
