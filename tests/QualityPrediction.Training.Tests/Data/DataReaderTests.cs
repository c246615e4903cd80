using System.Text;
using QualityPrediction.Training.Data;

namespace QualityPrediction.Training.Tests.Data;

public sealed class DataReaderTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void SetUp() => _folder = new TempFolder();

    [TearDown]
    public void TearDown() => _folder.Dispose();

    [Test]
    public void Csv_ReadsRowsAndInfersKinds()
    {
        var path = _folder.Write("a.csv", "x,kind,quality\n1.5,red,5\n2,\"white, dry\",6\n,red,7\n");

        var data = DataReader.Read([path], new DataReadOptions { Target = "quality" });

        Assert.That(data.Count, Is.EqualTo(3));
        Assert.That(data.Columns, Is.EqualTo(new[] { new DataColumn("x", FeatureKind.Numeric), new DataColumn("kind", FeatureKind.Categorical) }));
        Assert.That(data.Targets, Is.EqualTo(new[] { 5.0, 6.0, 7.0 }));
        Assert.That(data.Contexts[1]["kind"].Category, Is.EqualTo("white, dry"));
        Assert.That(data.Contexts[2].Contains("x"), Is.False, "an empty CSV field is a missing value");
        Assert.That(data.Locations[2], Is.EqualTo($"{path}:4"));
        Assert.That(data.Sha256, Has.Length.EqualTo(64));
    }

    [Test]
    public void Csv_SemicolonSeparatedHeaderIsDetected()
    {
        var path = _folder.Write("uci.csv", "\"fixed acidity\";\"quality\"\n7.4;5\n7.8;6\n");

        var data = DataReader.Read([path], new DataReadOptions { Target = "quality" });

        Assert.That(data.Contexts[1]["fixed acidity"].Number, Is.EqualTo(7.8));
    }

    [Test]
    public void CategoricalOverride_KeepsNumbersAsCategories()
    {
        var path = _folder.Write("a.csv", "scenario,quality\n1,5\n2,6\n");

        var data = DataReader.Read([path], new DataReadOptions { Target = "quality", Categorical = ["scenario"] });

        Assert.That(data.Columns[0].Kind, Is.EqualTo(FeatureKind.Categorical));
        Assert.That(data.Contexts[0]["scenario"].Category, Is.EqualTo("1"));
    }

    [Test]
    public void Ignore_LeavesColumnOutAndSaysSo()
    {
        var path = _folder.Write("a.csv", "id,x,quality\n17,1,5\n18,2,6\n");

        var data = DataReader.Read([path], new DataReadOptions { Target = "quality", Ignore = ["id"] });

        Assert.That(data.Columns.Select(c => c.Name), Is.EqualTo(new[] { "x" }));
        Assert.That(data.IgnoredFields, Is.EqualTo(new[] { "id: ignored (--ignore)" }));
    }

    // Every bad-row case of each reader: the message names file, line, field and problem.
    [TestCase("x,quality\n1,5\n2\n", 3, "(row)", "expected 2 fields as in the header, found 1")]
    [TestCase("x,quality\n1,5\n\"2,6\n", 3, "(row)", "unterminated quote")]
    [TestCase("x,quality\n1,5\n\"2\"x,6\n", 3, "(row)", "text after its closing quote")]
    [TestCase("x,quality\n1,5\n2,\n", 3, "quality", "the target is missing")]
    [TestCase("x,quality\n1,5\n2,good\n", 3, "quality", "the target must be a number, not 'good'")]
    [TestCase("x,quality\n1,5\n2,NaN\n", 3, "quality", "must be a finite number")]
    [TestCase("x,quality\n1,5\nInfinity,6\n", 3, "x", "is not a finite number")]
    public void Csv_BadRow_FailsWithLocation(string content, int line, string field, string problem)
    {
        var path = _folder.Write("bad.csv", content);

        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read([path], new DataReadOptions { Target = "quality" }));

        Assert.That(ex!.Row.Line, Is.EqualTo(line));
        Assert.That(ex.Row.Field, Is.EqualTo(field));
        Assert.That(ex.Message, Does.StartWith($"{path}:{line}: {field}: ").And.Contains(problem));
    }

    [Test]
    public void Csv_NonNumberInMostlyNumericColumn_IsABadRowNamingTheColumn()
    {
        var text = new StringBuilder("x,quality\n");
        for (var i = 0; i < 40; i++)
        {
            text.Append(i).Append(",5\n");
        }

        text.Append("abc,6\n");
        var path = _folder.Write("typo.csv", text.ToString());

        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read([path], new DataReadOptions { Target = "quality" }));

        Assert.That(ex!.Message, Is.EqualTo($"{path}:42: x: 'abc' is not a number, and the column is numeric (pass --categorical x to treat it as a category)."));
    }

    [TestCase("x,x,quality\n1,2,3\n", "column 'x' appears twice")]
    [TestCase("x,,quality\n1,2,3\n", "empty name")]
    [TestCase("\n\n", "the file is empty")]
    public void Csv_BadHeaderOrEmptyFile_Fails(string content, string problem)
    {
        var path = _folder.Write("h.csv", content);

        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read([path], new DataReadOptions { Target = "quality" }));

        Assert.That(ex!.Message, Does.Contain(problem));
    }

    [TestCase("{\"x\":1,\"quality\":5}\n{\"x\":2,\"quality\":\n", 2, "(row)", "malformed JSON")]
    [TestCase("{\"x\":1,\"quality\":5}\n[1,2]\n", 2, "(row)", "expected a JSON object, found an array")]
    [TestCase("{\"x\":1,\"quality\":5}\n{\"x\":{\"a\":1},\"quality\":6}\n", 2, "x", "records must be flat (pass --ignore x")]
    [TestCase("{\"x\":1,\"quality\":5}\n{\"x\":2}\n", 2, "quality", "the target is missing")]
    [TestCase("{\"x\":1,\"quality\":5}\n{\"x\":2,\"quality\":null}\n", 2, "quality", "the target is missing")]
    [TestCase("{\"x\":1,\"quality\":5}\n{\"x\":2,\"quality\":\"high\"}\n", 2, "quality", "not 'high'")]
    [TestCase("{\"x\":1,\"quality\":5}\n{\"x\":2,\"x\":3,\"quality\":6}\n", 2, "x", "appears twice")]
    public void JsonLines_BadRow_FailsWithLocation(string content, int line, string field, string problem)
    {
        var path = _folder.Write("bad.jsonl", content);

        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read([path], new DataReadOptions { Target = "quality" }));

        Assert.That(ex!.Message, Does.StartWith($"{path}:{line}: {field}: ").And.Contains(problem));
    }

    [Test]
    public void JsonLines_BooleanInNumericColumn_IsABadRow()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 30; i++)
        {
            text.Append("{\"x\":").Append(i).Append(",\"quality\":5}\n");
        }

        text.Append("{\"x\":true,\"quality\":6}\n");
        var path = _folder.Write("bool.jsonl", text.ToString());

        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read([path], new DataReadOptions { Target = "quality" }));

        Assert.That(ex!.Message, Does.StartWith($"{path}:31: x: true is not a number"));
    }

    [Test]
    public void JsonArray_ReportsTheLineWhereTheBadElementStarts()
    {
        var path = _folder.Write("a.json", "[\n  {\"x\": 1, \"quality\": 5},\n  {\"x\": 2,\n   \"quality\": 6},\n  \"oops\"\n]\n");

        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read([path], new DataReadOptions { Target = "quality" }));

        Assert.That(ex!.Message, Is.EqualTo($"{path}:5: (row): expected a JSON object, found a string."));
    }

    [Test]
    public void JsonArray_MalformedDocument_FailsWithLineEvenWhenSkipping()
    {
        var path = _folder.Write("a.json", "[\n  {\"x\": 1, \"quality\": 5},\n  {\"x\": 2 \"quality\": 6}\n]\n");

        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read([path], new DataReadOptions { Target = "quality", OnBadRow = BadRowPolicy.Skip }));

        Assert.That(ex!.Message, Does.StartWith($"{path}:3: (row): malformed JSON array"));
    }

    [Test]
    public void LegacyShape_FlattensFeaturesTakesTargetFromTopLevelAndListsIgnoredFields()
    {
        var path = _folder.Write("seed.json", """
            [
              {"timestamp": "2025-10-05T07:39:44Z", "features": {"codeQuality": 88.5, "provider": "openai"}, "target": 74.2, "csat": 0.8, "metadata": {"source": "x"}},
              {"timestamp": "2025-10-06T07:39:44Z", "features": {"codeQuality": 70, "provider": "gemini"}, "target": 61, "csat": 0.7, "metadata": {"source": "x"}}
            ]
            """);

        var data = DataReader.Read([path], new DataReadOptions { Target = "target" });

        Assert.That(data.Targets, Is.EqualTo(new[] { 74.2, 61 }));
        Assert.That(data.Contexts[0]["codeQuality"].Number, Is.EqualTo(88.5));
        Assert.That(data.Contexts[1]["provider"].Category, Is.EqualTo("gemini"));
        Assert.That(data.IgnoredFields, Is.EquivalentTo(new[]
        {
            "csat: outside 'features' in the legacy record shape",
            "metadata: outside 'features' in the legacy record shape",
            "timestamp: outside 'features' in the legacy record shape",
        }));
    }

    [Test]
    public void LegacyShape_FeaturesNotAnObject_IsABadRow()
    {
        var path = _folder.Write("seed.jsonl", "{\"features\": {\"a\": 1}, \"target\": 5}\n{\"features\": [1], \"target\": 5}\n");

        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read([path], new DataReadOptions { Target = "target" }));

        Assert.That(ex!.Message, Is.EqualTo($"{path}:2: features: expected an object of features, found an array."));
    }

    [Test]
    public void Skip_LeavesBadRowsOutAndListsEveryOne()
    {
        var path = _folder.Write("mixed.csv", "x,quality\n1,5\n2\n3,6\n4,bad\n5,7\n");

        var data = DataReader.Read([path], new DataReadOptions { Target = "quality", OnBadRow = BadRowPolicy.Skip });

        Assert.That(data.Targets, Is.EqualTo(new[] { 5.0, 6, 7 }));
        Assert.That(data.SkippedRows.Select(r => r.ToString()), Is.EqualTo(new[]
        {
            $"{path}:3: (row): expected 2 fields as in the header, found 1.",
            $"{path}:5: quality: the target must be a number, not 'bad'.",
        }));
    }

    [Test]
    public void Skip_WhenNoRowIsLeft_Fails()
    {
        var path = _folder.Write("allbad.csv", "x,quality\n1,a\n2,b\n");

        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read([path], new DataReadOptions { Target = "quality", OnBadRow = BadRowPolicy.Skip }));

        Assert.That(ex!.Message, Does.Contain("no usable row is left (2 bad rows skipped)"));
    }

    [Test]
    public void SeveralFiles_AreCombinedAndHashedStably()
    {
        var a = _folder.Write("a.csv", "x,quality\n1,5\n");
        var b = _folder.Write("b.jsonl", "{\"x\": 2, \"quality\": 6}\n");

        var first = DataReader.Read([a, b], new DataReadOptions { Target = "quality" });
        var again = DataReader.Read([a, b], new DataReadOptions { Target = "quality" });
        File.WriteAllText(b, "{\"x\": 2, \"quality\": 7}\n");
        var changed = DataReader.Read([a, b], new DataReadOptions { Target = "quality" });

        Assert.That(first.Count, Is.EqualTo(2));
        Assert.That(first.Sources, Is.EqualTo(new[] { a, b }));
        Assert.That(again.Sha256, Is.EqualTo(first.Sha256));
        Assert.That(changed.Sha256, Is.Not.EqualTo(first.Sha256));
    }

    [Test]
    public void RowKeys_IdentifyTheSourceRowWhateverIsIgnored()
    {
        var path = _folder.Write("a.csv", "id,x,quality\n1,1,5\n2,1,5\n");

        var all = DataReader.Read([path], new DataReadOptions { Target = "quality" });
        var withoutId = DataReader.Read([path], new DataReadOptions { Target = "quality", Ignore = ["id"] });

        Assert.That(withoutId.RowKeys, Is.EqualTo(all.RowKeys));
        Assert.That(all.RowKeys[0], Is.Not.EqualTo(all.RowKeys[1]), "rows that differ only in an ignored column keep distinct keys");
    }

    [Test]
    public void Csv_QuotedFieldSpanningLines_IsOneFieldAndLaterRowsKeepTheirLines()
    {
        var path = _folder.Write("notes.csv", "x,note,quality\n1,\"first line\nsecond line\",5\n2,plain,6\n");

        var data = DataReader.Read([path], new DataReadOptions { Target = "quality" });

        Assert.That(data.Count, Is.EqualTo(2));
        Assert.That(data.Contexts[0]["note"].Category, Is.EqualTo("first line\nsecond line"));
        Assert.That(data.Locations, Is.EqualTo(new[] { $"{path}:2", $"{path}:4" }));
    }

    [Test]
    public void Csv_ByteOrderMark_IsNotPartOfTheFirstColumnName()
    {
        var path = Path.Combine(_folder.Path, "bom.csv");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("x,quality\n1,5\n2,6\n")]);

        var data = DataReader.Read([path], new DataReadOptions { Target = "quality" });

        Assert.That(data.Columns.Select(c => c.Name), Is.EqualTo(new[] { "x" }));
    }

    [Test]
    public void Csv_SemicolonsWithDecimalCommas_AreNumbers()
    {
        var path = _folder.Write("de.csv", "\"fixed acidity\";pH;quality\n7,4;3,51;5\n7,8;3;6\n");

        var data = DataReader.Read([path], new DataReadOptions { Target = "quality" });

        Assert.That(data.Columns, Is.EqualTo(new[] { new DataColumn("fixed acidity", FeatureKind.Numeric), new DataColumn("pH", FeatureKind.Numeric) }));
        Assert.That(data.Contexts[0]["fixed acidity"].Number, Is.EqualTo(7.4));
        Assert.That(data.Contexts[0]["pH"].Number, Is.EqualTo(3.51));
    }

    [Test]
    public void Csv_DecimalSeparatorOverride_IsUsed()
    {
        var path = _folder.Write("de.csv", "x;quality\n1;5\n2,5;6\n");

        var data = DataReader.Read([path], new DataReadOptions { Target = "quality", DecimalSeparator = ',' });

        Assert.That(data.Contexts[1]["x"].Number, Is.EqualTo(2.5));
    }

    [Test]
    public void Csv_MixedDecimalPointsAndCommas_AreRefusedWithBothLines()
    {
        var path = _folder.Write("mixed.csv", "x;quality\n7.4;5\n7,8;6\n");

        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read([path], new DataReadOptions { Target = "quality" }));

        Assert.That(ex!.Message, Does.Contain("'7.4'").And.Contain($"{path}:2").And.Contain("'7,8'").And.Contain($"{path}:3").And.Contain("--decimal-separator"));
    }

    [Test]
    public void Csv_NumericColumnWithSomeText_WarnsNamingTheColumnTheCountAndTheFirstLine()
    {
        var text = new StringBuilder("x,quality\n");
        for (var i = 0; i < 30; i++)
        {
            text.Append(i % 5 == 4 ? "n/a" : i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(",5\n");
        }

        var path = _folder.Write("typos.csv", text.ToString());

        var data = DataReader.Read([path], new DataReadOptions { Target = "quality" });
        var warnings = DataChecks.Run(data).Warnings;

        Assert.That(warnings, Has.Some.Contains("'x'").And.Contains("6 of 30").And.Contains($"{path}:6").And.Contains("'n/a'"));
    }

    [Test]
    public void MissingTargetColumn_IsReportedAgainstTheHeaderWithTheColumnsAndADidYouMean()
    {
        var path = _folder.Write("a.csv", "x,Quality\n1,5\n2,6\n");

        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read([path], new DataReadOptions { Target = "quality" }));

        Assert.That(ex!.Row.Line, Is.EqualTo(1));
        Assert.That(ex.Message, Does.StartWith($"{path}:1: (header): ").And.Contains("columns found: x, Quality").And.Contains("did you mean 'Quality'"));
    }

    [Test]
    public void JsonLines_InvalidUtf8_IsAnErrorNamingTheLine()
    {
        var path = Path.Combine(_folder.Path, "bad.jsonl");
        File.WriteAllBytes(path, [.. Encoding.UTF8.GetBytes("{\"kind\":\"a\",\"quality\":5}\n{\"kind\":\""), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\",\"quality\":6}\n")]);

        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read([path], new DataReadOptions { Target = "quality" }));

        Assert.That(ex!.Message, Does.StartWith($"{path}:2: ").And.Contains("not valid UTF-8"));
    }

    [Test]
    public void Csv_InvalidUtf8_IsAnErrorNamingTheLine()
    {
        var path = Path.Combine(_folder.Path, "bad.csv");
        File.WriteAllBytes(path, [.. Encoding.UTF8.GetBytes("kind,quality\na,5\nb,6\n"), 0xFF, .. Encoding.UTF8.GetBytes("c,7\n")]);

        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read([path], new DataReadOptions { Target = "quality" }));

        Assert.That(ex!.Message, Does.StartWith($"{path}:4: ").And.Contains("not valid UTF-8"));
    }

    [TestCase("long.jsonl")]
    [TestCase("long.csv")]
    public void LineAboveTheLimit_IsAnErrorNamingTheLineAndTheLimit(string name)
    {
        var csv = name.EndsWith(".csv", StringComparison.Ordinal);
        var text = new StringBuilder(csv ? "kind,quality\na,5\n" : "{\"kind\":\"a\",\"quality\":5}\n");
        text.Append(csv ? new string('b', 5000) + ",6\n" : "{\"kind\":\"" + new string('b', 5000) + "\",\"quality\":6}\n");
        var path = _folder.Write(name, text.ToString());

        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read([path], new DataReadOptions { Target = "quality", MaxLineBytes = 4096 }));

        Assert.That(ex!.Message, Does.StartWith($"{path}:{(csv ? 3 : 2)}: ").And.Contains("4096 bytes"));
    }

    [Test]
    public void CategoryAboveTheLengthLimit_IsABadRow()
    {
        var path = _folder.Write("a.jsonl", "{\"kind\":\"a\",\"quality\":5}\n{\"kind\":\"" + new string('b', 2000) + "\",\"quality\":6}\n");

        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read([path], new DataReadOptions { Target = "quality" }));

        Assert.That(ex!.Message, Does.StartWith($"{path}:2: kind: ").And.Contains("2000 characters").And.Contains("1000"));
    }

    [Test]
    public void Folder_AsData_SaysItIsAFolder()
    {
        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read([_folder.Path], new DataReadOptions()));

        Assert.That(ex!.Message, Does.StartWith(_folder.Path).And.Contains("is a folder, not a file"));
    }

    [Test]
    public void MissingFile_Throws()
    {
        Assert.Throws<FileNotFoundException>(() => DataReader.Read([Path.Combine(_folder.Path, "none.csv")], new DataReadOptions()));
    }
}
