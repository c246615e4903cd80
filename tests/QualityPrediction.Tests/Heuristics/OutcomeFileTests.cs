using QualityPrediction.Heuristics;

namespace QualityPrediction.Tests.Heuristics;

public sealed class OutcomeFileTests
{
    private string _path = "";

    [SetUp]
    public void SetUp() => _path = Path.Combine(Path.GetTempPath(), $"outcomes-{Guid.NewGuid():N}.jsonl");

    [TearDown]
    public void TearDown() => File.Delete(_path);

    [Test]
    public void Reads_numbers_strings_and_booleans_and_skips_nulls_and_blank_lines()
    {
        File.WriteAllLines(_path,
        [
            """{"provider":"openai","statValue":14,"critical":true,"note":null,"quality":81.5}""",
            "",
            """{"provider":"mistral","quality":60}""",
        ]);

        var (contexts, targets) = OutcomeFile.ReadJsonLines(_path, "quality");

        Assert.That(targets, Is.EqualTo(new[] { 81.5, 60 }));
        Assert.That(contexts[0]["provider"], Is.EqualTo(FeatureValue.Categorical("openai")));
        Assert.That(contexts[0]["statValue"], Is.EqualTo(FeatureValue.Numeric(14)));
        Assert.That(contexts[0]["critical"], Is.EqualTo(FeatureValue.Categorical("true")));
        Assert.That(contexts[0].Contains("note"), Is.False);
        Assert.That(contexts[0].Contains("quality"), Is.False, "the target is not a feature");
        Assert.That(contexts[1].Count, Is.EqualTo(1));
    }

    [TestCase("""{"provider":"a","quality":"high"}""", "quality: the target must be a finite number")]
    [TestCase("""{"provider":"a"}""", "quality: the target field is missing")]
    [TestCase("""{"provider":{"x":1},"quality":1}""", "provider: expected a number, string, boolean or null, found an object")]
    [TestCase("""[1,2]""", "(line): expected a JSON object")]
    [TestCase("""{"provider": """, "(line): not valid JSON")]
    public void A_bad_line_names_file_line_and_field(string badLine, string expected)
    {
        File.WriteAllLines(_path, ["""{"provider":"ok","quality":1}""", badLine]);

        var ex = Assert.Throws<FormatException>(() => OutcomeFile.ReadJsonLines(_path, "quality"));

        Assert.That(ex!.Message, Does.StartWith($"{_path}:2: {expected}"));
    }

    [Test]
    public void A_missing_file_is_file_not_found()
    {
        Assert.Throws<FileNotFoundException>(() => OutcomeFile.ReadJsonLines(_path, "quality"));
    }
}
