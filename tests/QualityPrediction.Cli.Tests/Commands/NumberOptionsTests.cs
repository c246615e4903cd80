using System.Globalization;

namespace QualityPrediction.Cli.Tests.Commands;

/// <summary>Numeric options mean the same whatever the machine's language: under de-DE, '.' is a group separator, and 0.9 became 9.</summary>
[NonParallelizable]
public sealed class NumberOptionsTests
{
    private CultureInfo _culture = null!;

    [SetUp]
    public void SetUp()
    {
        _culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
    }

    [TearDown]
    public void TearDown() => CultureInfo.CurrentCulture = _culture;

    [TestCase("train --data d.csv --target q --out o --coverage 0.8", "--coverage", 0.8)]
    [TestCase("train --data d.csv --target q --out o --max-inverse-propensity 12.5", "--max-inverse-propensity", 12.5)]
    [TestCase("status --dataset d.jsonl --tolerance 0.5", "--tolerance", 0.5)]
    [TestCase("collect --output d.jsonl --target-scale 0.01", "--target-scale", 0.01)]
    public void Parses_numbers_with_a_decimal_point_under_a_comma_culture(string commandLine, string option, double expected)
    {
        var parse = Program.CreateRootCommand().Parse(commandLine.Split(' '));

        Assert.That(parse.Errors, Is.Empty, string.Join("; ", parse.Errors.Select(e => e.Message)));
        Assert.That(parse.GetValue<double>(option), Is.EqualTo(expected));
    }

    [Test]
    public void A_decimal_comma_is_an_error_naming_the_option()
    {
        var parse = Program.CreateRootCommand().Parse(["train", "--data", "d.csv", "--target", "q", "--out", "o", "--coverage", "0,9"]);

        Assert.That(parse.Errors.Select(e => e.Message), Has.Some.Contains("--coverage").And.Contains("'0,9'"));
    }
}
