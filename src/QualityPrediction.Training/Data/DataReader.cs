using QualityPrediction.Internal;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using QualityPrediction.Training.Internal;

namespace QualityPrediction.Training.Data;

/// <summary>
/// Reads training data from files: CSV with a header row (RFC 4180, through Sep), JSON lines, a JSON array of flat records, and
/// the legacy record shape <c>{"features": {…}, "target": n, "timestamp": …}</c>. CSV and JSON lines are streamed: each file is
/// read twice, once to decide the column kinds and once to build the rows, and never held in memory whole. Column kinds are
/// inferred (a column is numeric when at least <see cref="DataReadOptions.NumericShare"/> of its present values are numbers)
/// unless overridden; a column of mostly numbers with some text is categorical with a warning that names it.
/// </summary>
public static class DataReader
{
    /// <summary>Reads and combines the rows of one or more files.</summary>
    /// <param name="paths">The files.</param>
    /// <param name="options">The target column, kind overrides and the bad-row policy.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The rows.</returns>
    /// <exception cref="ArgumentException">No path is given, or an option is out of range.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="DataFormatException">A path is a folder; a file is malformed (invalid UTF-8, a line above <see cref="DataReadOptions.MaxLineBytes"/>,
    /// a bad header, decimal points mixed with decimal commas), lacks the target column, or a row is bad under <see cref="BadRowPolicy.Fail"/>,
    /// or no row is left; the message is <c>file:line: field: problem</c>.</exception>
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

        if (options.DecimalSeparator is { } separator && separator is not '.' and not ',')
        {
            throw new ArgumentException($"The decimal separator must be '.' or ',', not '{separator}'.", nameof(options));
        }

        if (options.MaxLineBytes < 1 || options.MaxCategoryLength < 1)
        {
            throw new ArgumentException("MaxLineBytes and MaxCategoryLength must be at least 1.", nameof(options));
        }

        // 1. Scan every file: which columns, how many of their values are numbers (with a decimal point and with a comma).
        var scans = new List<FileScan>();
        foreach (var path in paths)
        {
            var scan = new FileScan(path, RecordParsers.Describe(path));
            foreach (var record in RecordParsers.Read(path, NumberFormatInfo.InvariantInfo, options.MaxLineBytes, cancellationToken))
            {
                scan.Add(record, options.Target);
            }

            scan.Decide(options);
            scans.Add(scan);
        }

        return Build(scans, paths, options, cancellationToken);
    }

    private static TrainingData Build(List<FileScan> scans, IReadOnlyList<string> paths, DataReadOptions options, CancellationToken cancellationToken)
    {
        var target = options.Target;
        var ignore = new HashSet<string>(options.Ignore, StringComparer.Ordinal);
        var forcedCategorical = new HashSet<string>(options.Categorical, StringComparer.Ordinal);

        // 2. Columns in first-seen order, and how many of their present values are numbers in each file's own notation.
        var order = new List<string>();
        var totals = new Dictionary<string, ColumnCounts>(StringComparer.Ordinal);
        var ignored = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var scan in scans)
        {
            foreach (var name in scan.Outer)
            {
                if (name != target)
                {
                    ignored.TryAdd(name, "outside 'features' in the legacy record shape");
                }
            }

            foreach (var name in scan.Order)
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

                if (!totals.TryGetValue(name, out var total))
                {
                    order.Add(name);
                    totals[name] = total = new ColumnCounts();
                }

                total.Add(scan.Columns[name], scan.DecimalComma);
            }
        }

        var kinds = new Dictionary<string, FeatureKind>(StringComparer.Ordinal);
        var columns = new List<DataColumn>();
        var warnings = new List<string>();
        foreach (var name in order)
        {
            var counts = totals[name];
            if (counts.Present == 0)
            {
                ignored.TryAdd(name, "no row has a value");
                continue;
            }

            var numeric = !forcedCategorical.Contains(name) && counts.Numbers >= options.NumericShare * counts.Present;
            kinds[name] = numeric ? FeatureKind.Numeric : FeatureKind.Categorical;
            columns.Add(new DataColumn(name, kinds[name]));
            if (!numeric && !forcedCategorical.Contains(name) && counts.Numbers >= 0.5 * counts.Present && counts.FirstText is { } text)
            {
                warnings.Add(string.Create(CultureInfo.InvariantCulture,
                    $"column '{name}' holds numbers, but {counts.Present - counts.Numbers} of {counts.Present} values are text (the first, '{Shorten(text.Value)}', at {text.Location}); it is read as categorical. Fix those values (leave a missing value empty), or pass --categorical {name} to keep it categorical."));
            }
        }

        // 3. Rows.
        var contexts = new List<PredictionContext>();
        var targets = new List<double>();
        var locations = new List<string>();
        var rowKeys = new List<string>();
        var skipped = new List<BadRow>();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var canonical = new StringBuilder();
        foreach (var scan in scans)
        {
            foreach (var record in RecordParsers.Read(scan.Path, scan.DecimalComma ? RecordParsers.DecimalComma : NumberFormatInfo.InvariantInfo, options.MaxLineBytes, cancellationToken))
            {
                if (record.IsHeader)
                {
                    continue;
                }

                PredictionContext? context = null;
                double value = 0;
                var problem = record.Error ?? Convert(record, target, kinds, options.MaxCategoryLength, out context, out value);
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
            ReadWarnings = warnings,
        };
    }

    private static (string Field, string Problem)? Convert(RawRecord record, string target, Dictionary<string, FeatureKind> kinds, int maxCategoryLength, out PredictionContext? context, out double value)
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

        if (ToNumber(t, record.Numbers) is not { } number)
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
                if (ToNumber(field, record.Numbers) is not { } x)
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
                var category = field.Kind == RawKind.Number ? field.Number.ToString("R", CultureInfo.InvariantCulture) : field.Text!;
                if (category.Length > maxCategoryLength)
                {
                    return (name, string.Create(CultureInfo.InvariantCulture, $"the value is {category.Length} characters long; a category is at most {maxCategoryLength} characters (DataReadOptions.MaxCategoryLength), so that the model's manifest, which lists its categories, stays loadable. Pass --ignore {name} to leave the column out."));
                }

                result.Set(name, category);
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

    private static double? ToNumber(RawValue value, NumberFormatInfo numbers) => value.Kind switch
    {
        RawKind.Number => value.Number,
        RawKind.Text when RecordParsers.TryParseNumber(value.Text!, numbers, out var x) => x,
        _ => null,
    };

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;

    private static string Show(RawValue value) => value.Kind switch
    {
        RawKind.Text => $"'{Shorten(value.Text!)}'",
        RawKind.Boolean => value.Text!,
        RawKind.Nested => value.Text!,
        RawKind.Number => value.Number.ToString("R", CultureInfo.InvariantCulture),
        _ => "nothing",
    };

    /// <summary>What one value of a column looked like, and where.</summary>
    private readonly record struct Sample(string Value, string Location);

    /// <summary>The counts of one column in one file: present values, and how many read as numbers with a decimal point and with a decimal comma.</summary>
    private sealed class ColumnScan
    {
        public int Present { get; set; }

        public int PointNumbers { get; set; }

        public int CommaNumbers { get; set; }

        public Sample? FirstTextWithPoint { get; set; }

        public Sample? FirstTextWithComma { get; set; }
    }

    /// <summary>A column's counts over all files, each file's values read in that file's notation.</summary>
    private sealed class ColumnCounts
    {
        public int Present { get; private set; }

        public int Numbers { get; private set; }

        public Sample? FirstText { get; private set; }

        public void Add(ColumnScan scan, bool decimalComma)
        {
            Present += scan.Present;
            Numbers += decimalComma ? scan.CommaNumbers : scan.PointNumbers;
            FirstText ??= decimalComma ? scan.FirstTextWithComma : scan.FirstTextWithPoint;
        }
    }

    /// <summary>The first pass over one file.</summary>
    private sealed class FileScan(string path, (DataFileKind Kind, char Separator) format)
    {
        private Sample? _pointDecimal;
        private Sample? _commaDecimal;
        private int _headerLine;
        private int _records;
        private int _withTarget;
        private List<string>? _header;

        public string Path { get; } = path;

        public List<string> Order { get; } = [];

        public Dictionary<string, ColumnScan> Columns { get; } = new(StringComparer.Ordinal);

        public SortedSet<string> Outer { get; } = new(StringComparer.Ordinal);

        public bool DecimalComma { get; private set; }

        public void Add(RawRecord record, string target)
        {
            if (record.IsHeader)
            {
                _headerLine = record.Line;
                _header = [.. record.Fields.Select(f => f.Key)];
                return;
            }

            if (record.Error is not null)
            {
                return;
            }

            _records++;
            if (_headerLine == 0)
            {
                _headerLine = record.Line;
            }

            var hasTarget = false;
            if (record.Outer is not null)
            {
                foreach (var name in record.Outer.Keys)
                {
                    Outer.Add(name);
                    hasTarget |= name == target;
                }
            }

            foreach (var (name, value) in record.Fields)
            {
                hasTarget |= name == target;
                if (!Columns.TryGetValue(name, out var column))
                {
                    Order.Add(name);
                    Columns[name] = column = new ColumnScan();
                }

                if (value.Kind == RawKind.Missing)
                {
                    continue;
                }

                column.Present++;
                if (value.Kind == RawKind.Number)
                {
                    column.PointNumbers++;
                    column.CommaNumbers++;
                    continue;
                }

                if (value.Kind != RawKind.Text)
                {
                    continue;
                }

                var text = value.Text!;
                var location = string.Create(CultureInfo.InvariantCulture, $"{record.File}:{record.Line}");
                var isPoint = RecordParsers.TryParseNumber(text, out _);
                var isComma = RecordParsers.TryParseNumber(text, RecordParsers.DecimalComma, out _);
                if (isPoint)
                {
                    column.PointNumbers++;
                    if (text.Contains('.', StringComparison.Ordinal))
                    {
                        _pointDecimal ??= new Sample(text, location);
                    }
                }
                else
                {
                    column.FirstTextWithPoint ??= new Sample(text, location);
                }

                if (isComma)
                {
                    column.CommaNumbers++;
                    if (text.Contains(',', StringComparison.Ordinal))
                    {
                        _commaDecimal ??= new Sample(text, location);
                    }
                }
                else
                {
                    column.FirstTextWithComma ??= new Sample(text, location);
                }
            }

            if (hasTarget)
            {
                _withTarget++;
            }
        }

        /// <summary>Decides the file's decimal separator, and refuses a file none of whose records has the target.</summary>
        public void Decide(DataReadOptions options)
        {
            if (format.Kind == DataFileKind.Csv)
            {
                if (options.DecimalSeparator is { } separator)
                {
                    DecimalComma = separator == ',';
                }
                else if (format.Separator != ',' && _commaDecimal is { } comma)
                {
                    if (_pointDecimal is { } point)
                    {
                        throw new DataFormatException(new BadRow(Path, 0, BadRow.WholeFile,
                            $"the file mixes decimal points ('{Shorten(point.Value)}' at {point.Location}) and decimal commas ('{Shorten(comma.Value)}' at {comma.Location}); pass --decimal-separator . or --decimal-separator , to say which it uses."));
                    }

                    DecimalComma = true;
                }
            }

            if (_records > 0 && _withTarget == 0)
            {
                var found = _header ?? Order.Concat(Outer).ToList();
                var hint = NameSuggestions.DidYouMean(options.Target, found);
                throw new DataFormatException(new BadRow(Path, _headerLine, format.Kind == DataFileKind.Csv ? BadRow.Header : BadRow.WholeRow,
                    $"no column is the target '{options.Target}'{hint}; columns found: {string.Join(", ", found)} (names are case-sensitive; pass --target with one of them)."));
            }
        }
    }
}
