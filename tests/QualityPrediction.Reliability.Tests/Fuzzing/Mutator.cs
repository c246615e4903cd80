using System.Text;
using System.Text.Json.Nodes;

namespace QualityPrediction.Reliability.Tests.Fuzzing;

/// <summary>
/// Deterministic mutations of a valid input, driven by a seed (FsCheck generates the seeds, so a failure reports the
/// seed that reproduces it): text edits with JSON- and CSV-significant tokens, and structural JSON edits that put
/// hostile values (null, huge, negative, wrong type, very long) where valid ones were.
/// </summary>
internal static class Mutator
{
    private static readonly string[] Tokens =
    [
        "\"", "{", "}", "[", "]", ",", ":", ";", "\n", "\r\n", "\\", "\t", "null", "-1", "0", "1e309", "-1e309",
        "9999999999999999999999", "2147483648", "true", "NaN", "Infinity", "\"\\u0000\"", "\u0000", "\u001f", "\uFEFF",
        "\"\"", "..", "../../etc/passwd", "\u00e9", "\ud83d\ude00", "\ud800", "//", "/*", "#",
    ];

    private static readonly Func<Random, JsonNode?>[] HostileValues =
    [
        _ => null,
        _ => JsonValue.Create(-1),
        _ => JsonValue.Create(0),
        _ => JsonValue.Create(2147483648L),
        _ => JsonValue.Create(long.MaxValue),
        _ => JsonValue.Create(1e308),
        _ => JsonValue.Create(-1e308),
        _ => JsonValue.Create(double.Epsilon),
        _ => JsonValue.Create(""),
        _ => JsonValue.Create("x"),
        _ => JsonValue.Create("NaN"),
        _ => JsonValue.Create("../outside.onnx"),
        _ => JsonValue.Create("/etc/passwd"),
        _ => JsonValue.Create(true),
        _ => new JsonArray(),
        _ => new JsonObject(),
        _ => new JsonArray((JsonNode?)null),
        _ => new JsonArray(JsonValue.Create("a"), JsonValue.Create("a")),
        r => JsonValue.Create(new string('z', r.Next(1, 200_000))),
        r => new JsonArray([.. Enumerable.Range(0, r.Next(1, 3000)).Select(i => (JsonNode?)JsonValue.Create(i))]),
        r => new JsonArray([.. Enumerable.Range(0, r.Next(1, 300)).Select(i => (JsonNode?)JsonValue.Create("c" + i))]),
    ];

    /// <summary>Applies 1 to 8 text edits.</summary>
    public static string MutateText(string valid, Random random)
    {
        var text = new StringBuilder(valid);
        var edits = random.Next(1, 9);
        for (var e = 0; e < edits && text.Length > 0; e++)
        {
            var at = random.Next(text.Length);
            switch (random.Next(6))
            {
                case 0:
                    text.Remove(at, Math.Min(text.Length - at, random.Next(1, 40)));
                    break;
                case 1:
                    text.Insert(at, Tokens[random.Next(Tokens.Length)]);
                    break;
                case 2:
                    text[at] = (char)random.Next(0, 0x3000);
                    break;
                case 3:
                    var length = Math.Min(text.Length - at, random.Next(1, 200));
                    text.Insert(random.Next(text.Length), text.ToString(at, length));
                    break;
                case 4:
                    text.Length = at;
                    break;
                default:
                    text[at] = "0123456789-.eE"[random.Next(14)];
                    break;
            }
        }

        return text.ToString();
    }

    /// <summary>Replaces, removes or adds 1 to 4 JSON members or elements anywhere in the tree.</summary>
    public static string MutateJson(string valid, Random random)
    {
        var root = JsonNode.Parse(valid)!;
        var edits = random.Next(1, 5);
        for (var e = 0; e < edits; e++)
        {
            var nodes = new List<JsonNode>();
            Collect(root, nodes);
            var target = nodes[random.Next(nodes.Count)];
            switch (target)
            {
                case JsonObject obj when obj.Count > 0 && random.Next(3) == 0:
                    obj.Remove(obj.ElementAt(random.Next(obj.Count)).Key);
                    break;
                case JsonObject obj when random.Next(2) == 0:
                    obj[RandomName(random)] = HostileValues[random.Next(HostileValues.Length)](random);
                    break;
                case JsonObject obj when obj.Count > 0:
                    obj[obj.ElementAt(random.Next(obj.Count)).Key] = HostileValues[random.Next(HostileValues.Length)](random);
                    break;
                case JsonArray array when array.Count > 0 && random.Next(2) == 0:
                    array[random.Next(array.Count)] = HostileValues[random.Next(HostileValues.Length)](random);
                    break;
                case JsonArray array when array.Count > 0:
                    array.Add(array[random.Next(array.Count)]?.DeepClone());
                    break;
                default:
                    break;
            }
        }

        return root.ToJsonString();
    }

    /// <summary>A random JSON value of depth at most <paramref name="depth"/>.</summary>
    public static JsonNode? RandomJson(Random random, int depth)
    {
        var kind = random.Next(depth <= 0 ? 4 : 6);
        switch (kind)
        {
            case 0:
                return HostileValues[random.Next(HostileValues.Length)](random);
            case 1:
                return JsonValue.Create(random.NextDouble() * Math.Pow(10, random.Next(-5, 20)) * (random.Next(2) == 0 ? -1 : 1));
            case 2:
                return JsonValue.Create(RandomName(random));
            case 3:
                return JsonValue.Create(random.Next(2) == 0);
            case 4:
                var array = new JsonArray();
                for (var i = random.Next(5); i > 0; i--)
                {
                    array.Add(RandomJson(random, depth - 1));
                }

                return array;
            default:
                var obj = new JsonObject();
                foreach (var name in KnownNames.OrderBy(_ => random.Next()).Take(random.Next(8)))
                {
                    obj[name] = RandomJson(random, depth - 1);
                }

                return obj;
        }
    }

    /// <summary>Member names of the manifest and the data formats, so random JSON reaches deep into the readers.</summary>
    private static readonly string[] KnownNames =
    [
        "formatVersion", "name", "version", "target", "min", "max", "tolerance", "features", "kind", "impute", "categories",
        "rareCategories", "of", "inputName", "inputLength", "artifacts", "file", "format", "sha256", "bytes", "outputName",
        "calibration", "bins", "upTo", "lower", "upper", "withinTolerance", "coverage", "rows", "createdAt", "quality",
        "provider", "statValue", "timestamp",
    ];

    private static string RandomName(Random random) =>
        random.Next(3) == 0 ? KnownNames[random.Next(KnownNames.Length)] : new string([.. Enumerable.Range(0, random.Next(0, 12)).Select(_ => (char)random.Next(0x20, 0x250))]);

    private static void Collect(JsonNode node, List<JsonNode> nodes)
    {
        nodes.Add(node);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    if (child is not null)
                    {
                        Collect(child, nodes);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    if (child is not null)
                    {
                        Collect(child, nodes);
                    }
                }

                break;
            default:
                break;
        }
    }
}
