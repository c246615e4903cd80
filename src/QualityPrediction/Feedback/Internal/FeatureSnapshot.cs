using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace QualityPrediction.Feedback.Internal;

/// <summary>
/// An immutable copy of a context's features in one array (one allocation, no hashing), for logging predictions on the
/// hot path. Lookups are linear, which for the tens of features a context holds costs less than building a dictionary.
/// </summary>
internal sealed class FeatureSnapshot : IReadOnlyDictionary<string, FeatureValue>
{
    private readonly KeyValuePair<string, FeatureValue>[] _items;

    public FeatureSnapshot(PredictionContext context)
    {
        var features = context.Features;
        _items = new KeyValuePair<string, FeatureValue>[features.Count];
        ((ICollection<KeyValuePair<string, FeatureValue>>)features).CopyTo(_items, 0);
    }

    public int Count => _items.Length;

    public IEnumerable<string> Keys => _items.Select(i => i.Key);

    public IEnumerable<FeatureValue> Values => _items.Select(i => i.Value);

    public FeatureValue this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The snapshot has no feature named '{key}'.");

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out FeatureValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        foreach (var item in _items)
        {
            if (string.Equals(item.Key, key, StringComparison.Ordinal))
            {
                value = item.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    public IEnumerator<KeyValuePair<string, FeatureValue>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, FeatureValue>>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
