using QualityPrediction.Training.Internal;

namespace QualityPrediction.Training.Data;

/// <summary>
/// Checks a data set's features against the contexts a model is served with (the logged predictions, as <c>quality collect</c>
/// writes them): a feature that no logged context carries is always missing at serving time, so the model would be trained on
/// something it never sees.
/// </summary>
public static class ServingFeatures
{
    /// <summary>Reads the names of every field in files of logged contexts (CSV, JSON lines or JSON arrays, e.g. a dataset written by <c>quality collect</c>).</summary>
    /// <param name="paths">The files.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The names.</returns>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="DataFormatException">A file is malformed.</exception>
    public static IReadOnlySet<string> ReadNames(IEnumerable<string> paths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            foreach (var record in RecordParsers.Read(path, System.Globalization.NumberFormatInfo.InvariantInfo, DataReadOptions.DefaultMaxLineBytes, cancellationToken))
            {
                if (record.Error is null)
                {
                    foreach (var (name, value) in record.Fields)
                    {
                        if (value.Kind != RawKind.Missing || record.IsHeader)
                        {
                            names.Add(name);
                        }
                    }
                }
            }
        }

        return names;
    }

    /// <summary>Lists the features of <paramref name="data"/> that no serving context carries.</summary>
    /// <param name="data">The training data.</param>
    /// <param name="servingNames">The names the logged serving contexts carry (<see cref="ReadNames"/>).</param>
    /// <returns>The unserved features, in column order; empty when every feature is served.</returns>
    public static IReadOnlyList<string> FindUnserved(TrainingData data, IReadOnlySet<string> servingNames)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(servingNames);
        return [.. data.Columns.Select(c => c.Name).Where(n => !servingNames.Contains(n))];
    }
}
