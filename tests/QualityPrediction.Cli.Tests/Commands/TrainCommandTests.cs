using System.Text.Json;

namespace QualityPrediction.Cli.Tests.Commands;

public sealed class TrainCommandTests
{
    private string _folder = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = Path.Combine(Path.GetTempPath(), "qp-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task Train_Json_PrintsOneObjectWithTheContractFieldsAndWritesArtifacts()
    {
        var data = CliRunner.WriteCsv(_folder, "train.csv", 150);
        var output = Path.Combine(_folder, "out");
        var report = Path.Combine(_folder, "report");

        var (code, stdout, stderr) = await CliRunner.RunAsync("train", "--data", data, "--target", "quality", "--out", output, "--name", "demo",
            "--trainer", "sdca", "--folds", "3", "--inner-folds", "2", "--tolerance", "0.25,0.5,1", "--json", "--report", report);

        Assert.That(code, Is.EqualTo(0), stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.That(root.GetProperty("name").GetString(), Is.EqualTo("demo"));
        Assert.That(root.GetProperty("version").GetString(), Is.EqualTo("0001"));
        Assert.That(root.GetProperty("trainer").GetString(), Is.EqualTo("Sdca"));
        Assert.That(root.GetProperty("rows").GetInt32(), Is.EqualTo(150));
        var cv = root.GetProperty("cv");
        var baseline = root.GetProperty("baseline");
        Assert.That(cv.GetProperty("mae").GetDouble(), Is.LessThan(baseline.GetProperty("mae").GetDouble() / 3));
        Assert.That(cv.GetProperty("accuracyWithin").GetProperty("0.5").GetDouble(), Is.GreaterThan(0.9));
        Assert.That(cv.TryGetProperty("rmse", out _) && cv.TryGetProperty("r2", out _), Is.True);
        Assert.That(baseline.GetProperty("accuracyWithin").EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "0.25", "0.5", "1" }));
        Assert.That(root.GetProperty("intervalCoverage").GetDouble(), Is.InRange(0.75, 1));
        var artifacts = root.GetProperty("artifacts");
        foreach (var kind in new[] { "manifest", "mlnet", "onnx" })
        {
            Assert.That(File.Exists(artifacts.GetProperty(kind).GetString()), Is.True, kind);
        }

        Assert.That(File.Exists(Path.Combine(report, "report.md")) && File.Exists(Path.Combine(report, "predicted-vs-actual.png")), Is.True);
        Assert.That(stderr, Does.Contain("Data checks: 150 rows"), "with --json the checks go to stderr");
    }

    [Test]
    public async Task Train_BadRow_FailsWithFileLineFieldOnStderr()
    {
        var data = CliRunner.WriteCsv(_folder, "bad.csv", 30, extraLine: "1,2,x,excellent");

        var (code, stdout, stderr) = await CliRunner.RunAsync("train", "--data", data, "--target", "quality", "--out", Path.Combine(_folder, "out"), "--trainer", "sdca");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr.Trim(), Is.EqualTo($"quality: {data}:32: quality: the target must be a number, not 'excellent'."));
        Assert.That(Directory.Exists(Path.Combine(_folder, "out")), Is.False);
    }

    [Test]
    public async Task Train_SkipBadRows_SaysHowManyAndWhy()
    {
        var data = CliRunner.WriteCsv(_folder, "bad.csv", 60, extraLine: "1,2,x,excellent");

        var (code, stdout, stderr) = await CliRunner.RunAsync("train", "--data", data, "--target", "quality", "--out", Path.Combine(_folder, "out"), "--trainer", "sdca", "--folds", "3", "--inner-folds", "2", "--on-bad-row", "skip");

        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("Skipped 1 bad rows (--on-bad-row skip)").And.Contain($"{data}:62: quality:"));
        Assert.That(stdout, Does.Contain("| model (nested CV) | 60 |").And.Contain("| baseline (training-fold mean) | 60 |"));
    }

    [Test]
    public async Task Train_MissingFile_ExitCode2()
    {
        var (code, _, stderr) = await CliRunner.RunAsync("train", "--data", Path.Combine(_folder, "none.csv"), "--target", "quality", "--out", _folder);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("none.csv' does not exist"));
    }

    [Test]
    public async Task Train_UnknownTrainer_IsAUsageError()
    {
        var (code, _, stderr) = await CliRunner.RunAsync("train", "--data", "x.csv", "--target", "quality", "--out", _folder, "--trainer", "gam");

        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("gam"));
    }

    [Test]
    public async Task Train_CancelledMidRun_StopsAndWritesNothing()
    {
        var data = CliRunner.WriteCsv(_folder, "train.csv", 3000);
        var registry = Path.Combine(_folder, "registry");
        using var cancelled = new CancellationTokenSource();
        using var output = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        // Cancel as soon as the first cross-validation fold has finished: the run is under way, far from its end.
        using var error = new SignallingWriter("[cross-validation] 1/", () => cancelled.Cancel());

        var code = await Program.RunAsync(
            ["train", "--data", data, "--target", "quality", "--out", Path.Combine(_folder, "out"), "--trainer", "fasttree", "--folds", "5", "--registry", registry],
            output,
            error,
            cancelled.Token);

        var stderr = error.ToString();
        Assert.Multiple(() =>
        {
            Assert.That(error.Seen, Is.True, "the run had started training when it was cancelled: " + stderr);
            Assert.That(code, Is.EqualTo(130), stderr);
            Assert.That(stderr, Does.Not.Contain("[final fit] 1/1"), "it stopped before the final fit");
            Assert.That(Directory.Exists(Path.Combine(_folder, "out")), Is.False, "no artifact is written");
            Assert.That(Directory.Exists(Path.Combine(registry, "quality", "versions")) && Directory.EnumerateFileSystemEntries(Path.Combine(registry, "quality", "versions")).Any(), Is.False, "no registry version is created");
        });
    }

    /// <summary>A writer that runs an action once a line containing a marker has been written (thread-safe).</summary>
    private sealed class SignallingWriter(string marker, Action onSeen) : StringWriter(System.Globalization.CultureInfo.InvariantCulture)
    {
        private readonly Lock _gate = new();

        public bool Seen { get; private set; }

        public override void Write(char value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_gate)
            {
                base.Write(value);
            }

            Check(value);
        }

        public override void WriteLine(string? value)
        {
            lock (_gate)
            {
                base.WriteLine(value);
            }

            Check(value);
        }

        private void Check(string? value)
        {
            if (!Seen && value is not null && value.Contains(marker, StringComparison.Ordinal))
            {
                Seen = true;
                onSeen();
            }
        }
    }
}
