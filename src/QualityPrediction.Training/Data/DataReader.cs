using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using QualityPrediction.Training.Internal;

namespace QualityPrediction.Training.Data;

/// <summary>
/// Reads training data from files: CSV with a header row, JSON lines, a JSON array of flat records, and the legacy
/// record shape <c>{"features": {…}, "target": n, "timestamp": …}</c>. Column kinds are inferred (a column is numeric
/// when at least <see cref="DataReadOptions.NumericShare"/> of its present values are numbers) unless overridden.
/// </summary>
public static class DataReader
{
    /// <summary>Reads and combines the rows of one or more files.</summary>
    /// <param name="paths">The files.</param>
    /// <param name="options">The target column, kind overrides and the bad-row policy.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The rows.</returns>
    /// <exception cref="ArgumentException">No path is given.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="DataFormatException">A file is malformed, or a row is bad under <see cref="BadRowPolicy.Fail"/>, or no row is left; the message is <c>file:line: field: problem</c>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static TrainingData Read(IReadOnlyList<string> paths, DataReadOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Target);
        if (paths.Count == 0)
        {
            throw new ArgumentException("At least one data file is needed.", nameof(paths));
        }

        var records = new List<RawRecord>();
        foreach (var path in paths)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
            }

            records.AddRange(RecordParsers.Parse(path, cancellationToken));
        }

        return Build(records, paths, options);
    }

    private static TrainingData Build(List<RawRecord> records, IReadOnlyList<string> paths, DataReadOptions options)
    {
        var target = options.Target;
        var ignore = new HashSet<string>(options.Ignore, StringComparer.Ordinal);
        var forcedCategorical = new HashSet<string>(options.Categorical, StringComparer.Ordinal);

        // 1. Columns in first-seen order, and how many of their present values are numbers.
        var order = new List<string>();
        var present = new Dictionary<string, int>(StringComparer.Ordinal);
        var numeric = new Dictionary<string, int>(StringComparer.Ordinal);
        var ignored = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (record.Error is not null)
            {
                continue;
            }

            if (record.Outer is not null)
            {
                foreach (var name in record.Outer.Keys)
                {
                    if (name != target)
                    {
                        ignored.TryAdd(name, "outside 'features' in the legacy record shape");
                    }
                }
            }

            foreach (var (name, value) in record.Fields)
            {
                if (name == target)
                {
                    continue;
                }

                if (ignore.Contains(name))
                {
                    ignored.TryAdd(name, "ignored (--ignore)");
                    continue;
                }

                if (!present.ContainsKey(name))
                {
                    order.Add(name);
                    present[name] = 0;
                    numeric[name] = 0;
                }

                if (value.Kind == RawKind.Missing)
                {
                    continue;
                }

                present[name]++;
                if (value.Kind == RawKind.Number || (value.Kind == RawKind.Text && RecordParsers.TryParseNumber(value.Text!, out _)))
                {
                    numeric[name]++;
                }
            }
        }

        var kinds = new Dictionary<string, FeatureKind>(StringComparer.Ordinal);
        var columns = new List<DataColumn>();
        foreach (var name in order)
        {
            if (present[name] == 0)
            {
                ignored.TryAdd(name, "no row has a value");
                continue;
            }

            var kind = !forcedCategorical.Contains(name) && numeric[name] >= options.NumericShare * present[name]
                ? FeatureKind.Numeric
                : FeatureKind.Categorical;
            kinds[name] = kind;
            columns.Add(new DataColumn(name, kind));
        }

        // 2. Rows.
        var contexts = new List<PredictionContext>(records.Count);
        var targets = new List<double>(records.Count);
        var locations = new List<string>(records.Count);
        var rowKeys = new List<string>(records.Count);
        var skipped = new List<BadRow>();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var canonical = new StringBuilder();
        foreach (var record in records)
        {
            PredictionContext? context = null;
            double value = 0;
            var problem = record.Error ?? Convert(record, target, kinds, out context, out value);
            if (problem is { } bad)
            {
                var row = new BadRow(record.File, record.Line, bad.Field, bad.Problem);
                if (options.OnBadRow == BadRowPolicy.Fail)
                {
                    throw new DataFormatException(row);
                }

                skipped.Add(row);
                continue;
            }

            contexts.Add(context!);
            targets.Add(value);
            locations.Add(string.Create(CultureInfo.InvariantCulture, $"{record.File}:{record.Line}"));
            rowKeys.Add(RowKey(record));

            canonical.Clear();
            foreach (var name in context!.Names.Order(StringComparer.Ordinal))
            {
                canonical.Append(name).Append('=').Append(context[name].ToString()).Append('\u001e');
            }

            canonical.Append(target).Append('=').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            hash.AppendData(Encoding.UTF8.GetBytes(canonical.ToString()));
        }

        if (contexts.Count == 0)
        {
            var first = skipped.Count > 0 ? $" The first bad row: {skipped[0]}" : "";
            throw new DataFormatException(new BadRow(paths[0], 1, BadRowPolicy.Skip.ToString(), $"no usable row is left ({skipped.Count} bad rows skipped).{first}"));
        }

        return new TrainingData(target, contexts, targets, locations, columns)
        {
            Sources = [.. paths],
            Sha256 = System.Convert.ToHexStringLower(hash.GetHashAndReset()),
            SkippedRows = skipped,
            RowKeys = rowKeys,
            IgnoredFields = [.. ignored.Select(p => $"{p.Key}: {p.Value}")],
        };
    }

    private static (string Field, string Problem)? Convert(RawRecord record, string target, Dictionary<string, FeatureKind> kinds, out PredictionContext? context, out double value)
    {
        context = null;
        value = 0;
        RawValue? raw = null;
        foreach (var (name, field) in record.Fields)
        {
            if (name == target)
            {
                raw = field;
            }
        }

        if (raw is null && record.Outer is not null && record.Outer.TryGetValue(target, out var outer))
        {
            raw = outer;
        }

        if (raw is not { } t || t.Kind == RawKind.Missing)
        {
            return (target, "the target is missing.");
        }

        if (ToNumber(t) is not { } number)
        {
            return (target, $"the target must be a number, not {Show(t)}.");
        }

        if (!double.IsFinite(number))
        {
            return (target, $"the target must be a finite number, not {Show(t)}.");
        }

        var result = new PredictionContext();
        foreach (var (name, field) in record.Fields)
        {
            if (field.Kind == RawKind.Missing || !kinds.TryGetValue(name, out var kind))
            {
                continue;
            }

            if (field.Kind == RawKind.Nested)
            {
                return (name, $"{field.Text} is not a feature value; records must be flat (pass --ignore {name} to leave it out).");
            }

            if (kind == FeatureKind.Numeric)
            {
                if (ToNumber(field) is not { } x)
                {
                    return (name, $"{Show(field)} is not a number, and the column is numeric (pass --categorical {name} to treat it as a category).");
                }

                if (!double.IsFinite(x))
                {
                    return (name, $"{Show(field)} is not a finite number.");
                }

                result.Set(name, x);
            }
            else
            {
                result.Set(name, field.Kind == RawKind.Number ? field.Number.ToString("R", CultureInfo.InvariantCulture) : field.Text!);
            }
        }

        context = result;
        value = number;
        return null;
    }

    /// <summary>A key of the record as read (every field, ignored ones and the target included), so the same source row pairs up across runs with different options.</summary>
    private static string RowKey(RawRecord record)
    {
        var text = new StringBuilder();
        var fields = record.Fields.Concat(record.Outer ?? []).OrderBy(p => p.Key, StringComparer.Ordinal);
        foreach (var (name, value) in fields)
        {
            text.Append(name).Append('=').Append(value.Kind switch
            {
                RawKind.Number => value.Number.ToString("R", CultureInfo.InvariantCulture),
                RawKind.Missing => "",
                _ => value.Text,
            }).Append('\u001e');
        }

        return System.Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())).AsSpan(0, 8));
    }

    private static double? ToNumber(RawValue value) => value.Kind switch
    {
        RawKind.Number => value.Number,
        RawKind.Text when RecordParsers.TryParseNumber(value.Text!, out var x) => x,
        _ => null,
    };

    private static string Show(RawValue value) => value.Kind switch
    {
        RawKind.Text => $"'{(value.Text!.Length > 40 ? value.Text[..40] + "…" : value.Text)}'",
        RawKind.Boolean => value.Text!,
        RawKind.Nested => value.Text!,
        RawKind.Number => value.Number.ToString("R", CultureInfo.InvariantCulture),
        _ => "nothing",
    };
}
