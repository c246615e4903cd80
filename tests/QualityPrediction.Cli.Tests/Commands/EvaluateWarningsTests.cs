namespace QualityPrediction.Cli.Tests.Commands;

/// <summary>evaluate says when its figures must not be trusted: the model's own training data, a negative skill.</summary>
public sealed class EvaluateWarningsTests
{
    private string _folder = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = Path.Combine(Path.GetTempPath(), "qp-cli-evaluate-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task Evaluating_on_the_training_data_warns_that_the_figures_are_in_sample()
    {
        var data = CliRunner.WriteCsv(_folder, "train.csv", 60);
        var output = Path.Combine(_folder, "out");
        var (trained, _, trainErr) = await CliRunner.RunAsync("train", "--data", data, "--target", "quality", "--out", output, "--trainer", "sdca", "--folds", "2", "--inner-folds", "2");
        Assert.That(trained, Is.EqualTo(0), trainErr);

        var (code, _, stderr) = await CliRunner.RunAsync("evaluate", "--model", Path.Combine(output, "quality.model.json"), "--data", data, "--target", "quality");

        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stderr, Does.Contain("WARNING: these rows are the model's own training data"));
    }

    [Test]
    public async Task A_model_worse_than_the_training_mean_on_the_rows_is_warned_about()
    {
        var data = CliRunner.WriteCsv(_folder, "train.csv", 60);
        var output = Path.Combine(_folder, "out");
        var (trained, _, trainErr) = await CliRunner.RunAsync("train", "--data", data, "--target", "quality", "--out", output, "--trainer", "sdca", "--folds", "2", "--inner-folds", "2");
        Assert.That(trained, Is.EqualTo(0), trainErr);

        // The same features with the target reversed: the model now points the wrong way.
        var lines = File.ReadAllLines(data);
        var reversed = Path.Combine(_folder, "reversed.csv");
        File.WriteAllLines(reversed, [lines[0], .. lines.Skip(1).Select(l => { var cells = l.Split(','); cells[^1] = (6 - double.Parse(cells[^1], System.Globalization.CultureInfo.InvariantCulture)).ToString("R", System.Globalization.CultureInfo.InvariantCulture); return string.Join(',', cells); })]);

        var (code, _, stderr) = await CliRunner.RunAsync("evaluate", "--model", Path.Combine(output, "quality.model.json"), "--data", reversed, "--target", "quality");

        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stderr, Does.Contain("WARNING: the model is worse than the constant training mean"));
    }
}
