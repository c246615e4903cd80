using System.Text;

namespace QualityPrediction.Cli.Tests.Commands;

/// <summary>Inputs that used to be read silently wrong: each is an error naming the file, the line and what is wrong (exit code 2).</summary>
public sealed class HostileInputTests
{
    private string _folder = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = Path.Combine(Path.GetTempPath(), "qp-cli-hostile-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task Train_on_json_lines_with_invalid_utf8_fails_naming_the_line()
    {
        var path = Path.Combine(_folder, "bad.jsonl");
        var good = Enumerable.Range(0, 40).SelectMany(i => Encoding.UTF8.GetBytes($"{{\"kind\":\"k{i % 3}\",\"x\":{i},\"quality\":{i % 5}}}\n"));
        File.WriteAllBytes(path, [.. good, .. Encoding.UTF8.GetBytes("{\"kind\":\"b"), 0xFF, 0xFE, .. Encoding.UTF8.GetBytes("\",\"x\":1,\"quality\":3}\n")]);

        var (code, _, stderr) = await CliRunner.RunAsync("train", "--data", path, "--target", "quality", "--out", Path.Combine(_folder, "out"), "--trainer", "sdca", "--folds", "2", "--inner-folds", "2");

        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain($"{path}:41: ").And.Contain("not valid UTF-8"));
        Assert.That(Directory.Exists(Path.Combine(_folder, "out")), Is.False);
    }

    [Test]
    public async Task Train_on_a_line_above_the_limit_fails_naming_the_line_without_reading_it()
    {
        var path = Path.Combine(_folder, "long.jsonl");
        using (var writer = new StreamWriter(path))
        {
            for (var i = 0; i < 40; i++)
            {
                await writer.WriteLineAsync($"{{\"kind\":\"k{i % 3}\",\"x\":{i},\"quality\":{i % 5}}}");
            }

            await writer.WriteLineAsync("{\"kind\":\"" + new string('b', 3 << 20) + "\",\"x\":1,\"quality\":3}");
        }

        var (code, _, stderr) = await CliRunner.RunAsync("train", "--data", path, "--target", "quality", "--out", Path.Combine(_folder, "out"), "--trainer", "sdca", "--folds", "2", "--inner-folds", "2");

        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain($"{path}:41: ").And.Contain("longer than 1048576 bytes"));
    }

    [Test]
    public async Task Train_with_a_folder_as_data_says_it_is_a_folder()
    {
        var (code, _, stderr) = await CliRunner.RunAsync("train", "--data", _folder, "--target", "quality", "--out", Path.Combine(_folder, "out"));

        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain(_folder).And.Contain("is a folder, not a file"));
    }

    [Test]
    public async Task Predict_reads_a_quoted_csv_field_with_a_line_break_as_one_field()
    {
        var manifest = await TrainAsync();
        var contexts = Path.Combine(_folder, "contexts.csv");
        await File.WriteAllTextAsync(contexts, "a,b,kind\n1.0,2.0,\"x\ny\"\n3.5,0.5,y\n");

        var (code, stdout, stderr) = await CliRunner.RunAsync("predict", "--model", manifest, "--data", contexts, "--json");

        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(2), "two records, one of them spanning two lines");
    }

    [Test]
    public async Task Predict_with_an_empty_feature_name_names_the_file_and_line()
    {
        var manifest = await TrainAsync();
        var contexts = Path.Combine(_folder, "contexts.jsonl");
        await File.WriteAllLinesAsync(contexts, ["{\"a\":1.0,\"b\":2.0,\"kind\":\"x\"}", "{\"\":1.0,\"b\":2.0}"]);

        var (code, _, stderr) = await CliRunner.RunAsync("predict", "--model", manifest, "--data", contexts);

        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain($"{contexts}:2: ").And.Contain("empty name").And.Not.Contain("Parameter"));
    }

    private async Task<string> TrainAsync()
    {
        var data = CliRunner.WriteCsv(_folder, "train.csv", 60);
        var output = Path.Combine(_folder, "model");
        var (code, _, stderr) = await CliRunner.RunAsync("train", "--data", data, "--target", "quality", "--out", output, "--name", "demo", "--trainer", "sdca", "--folds", "2", "--inner-folds", "2");
        Assert.That(code, Is.EqualTo(0), stderr);
        return Path.Combine(output, "demo.model.json");
    }
}
