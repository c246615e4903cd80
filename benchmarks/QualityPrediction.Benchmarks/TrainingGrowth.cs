using System.Diagnostics;
using System.Globalization;
using System.Text;
using QualityPrediction.Training;
using QualityPrediction.Training.Data;
using QualityPrediction.Training.Export;
using QualityPrediction.Training.Trainers;

namespace QualityPrediction.Benchmarks;

/// <summary>
/// Budget 10: training time and peak memory at 10k / 100k / 1M generated rows. Each size runs in a fresh child process
/// that does what <c>quality train --trainer lightgbm</c> does (read the CSV, nested CV, refit, calibrate, export with
/// parity) through the same Training library calls, then reports its wall time and peak resident memory (VmHWM).
/// </summary>
public static class TrainingGrowth
{
    public const int Folds = 2;

    /// <summary>Writes <paramref name="rows"/> generated outcome rows: six numeric scores, a provider, a target 0-100.</summary>
    public static void Generate(string path, int rows, int seed)
    {
        string[] providers = ["openai", "anthropic", "google", "mistral", "local"];
        var random = new Random(seed);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        writer.WriteLine("codeQuality,testCoverage,security,performance,maintainability,complexity,provider,target");
        for (var i = 0; i < rows; i++)
        {
            var q = random.Next(40, 100);
            var c = random.Next(0, 100);
            var s = random.Next(30, 100);
            var p = random.Next(30, 100);
            var m = random.Next(30, 100);
            var x = random.Next(0, 100);
            var provider = random.Next(providers.Length);
            var target = (0.25 * q) + (0.2 * c) + (0.2 * s) + (0.15 * p) + (0.15 * m) + (0.05 * (100 - x)) + (provider * 1.5) + ((random.NextDouble() - 0.5) * 10);
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"{q},{c},{s},{p},{m},{x},{providers[provider]},{Math.Clamp(target, 0, 100):F2}\n"));
        }
    }

    /// <summary>The child: train on the file and print seconds and peak RSS.</summary>
    public static int Child(string csv)
    {
        var clock = Stopwatch.StartNew();
        var data = DataReader.Read([csv], new DataReadOptions { Target = "target" });
        var options = new TrainingOptions { Name = "growth", Trainer = TrainerKind.LightGbm, Folds = Folds, CompareHeuristic = false };
        var result = ModelTrainer.Train(data, options);
        var dir = csv + ".model";
        ModelExporter.Export(result, dir, "0001", data.Contexts);
        var seconds = clock.Elapsed.TotalSeconds;
        Directory.Delete(dir, recursive: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"TRAIN rows={data.Count} seconds={seconds:F1} peak-mib={PeakMiB():F0} mae={result.CrossValidation.Mae:F3}"));
        return 0;
    }

    public static List<BudgetLine> Run(TextWriter log, int[] sizes)
    {
        var lines = new List<BudgetLine>();
        var folder = Path.Combine(Path.GetTempPath(), "qp-bench", "growth");
        Directory.CreateDirectory(folder);
        double? previous = null;
        foreach (var rows in sizes)
        {
            var csv = Path.Combine(folder, $"rows-{rows}.csv");
            if (!File.Exists(csv))
            {
                Generate(csv, rows, 3);
            }

            var start = ChildStart("--train-child", csv);
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("TRAIN ", StringComparison.Ordinal));
            if (process.ExitCode != 0 || line is null)
            {
                log.WriteLine($"  training {rows:N0} rows failed (exit {process.ExitCode}): {error.Trim()}");
                lines.Add(new BudgetLine("10", $"train lightgbm {rows:N0} rows", "failed", null, "<= 4 GiB", false));
                continue;
            }

            var fields = line.Split(' ').Skip(1).Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
            var seconds = double.Parse(fields["seconds"], CultureInfo.InvariantCulture);
            var peak = double.Parse(fields["peak-mib"], CultureInfo.InvariantCulture);
            log.WriteLine($"  training {rows:N0} rows: {line.Trim()} (process {clock.Elapsed.TotalSeconds:F1} s)");
            lines.Add(new BudgetLine("10", $"train lightgbm {rows:N0} rows ({Folds}-fold nested CV + refit + export)",
                string.Create(CultureInfo.InvariantCulture, $"{seconds:F1} s, peak RSS {peak:F0} MiB"),
                previous is { } p ? seconds / p : null, rows >= 1_000_000 ? "peak <= 4096 MiB" : "(growth ratio vs previous size)", rows >= 1_000_000 ? peak <= 4096 : null));
            previous = seconds;
        }

        return lines;
    }

    public static ProcessStartInfo ChildStart(params string[] args)
    {
        var exe = Environment.ProcessPath!;
        var start = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet")
        {
            start.ArgumentList.Add(typeof(TrainingGrowth).Assembly.Location);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["QP_BENCH_FIXTURE"] = Fixture.Folder;
        return start;
    }

    private static double PeakMiB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return double.NaN;
    }
}
