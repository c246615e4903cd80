using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using QualityPrediction.Feedback;
using QualityPrediction.Reliability.Tests.TestSupport;

namespace QualityPrediction.Reliability.Tests.Feedback;

/// <summary>
/// Kills the host process itself (SIGKILL, no shutdown code runs) while it logs predictions into the embedded store,
/// then starts a new host on the same folder: every record the dead host acknowledged is present exactly once, and the
/// new host appends after the torn tail without damage.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class EmbeddedStoreCrashTests
{
    [Test]
    public async Task HostKilledMidRun_EveryAcknowledgedRecordIsStoredExactlyOnce()
    {
        var folder = Fixtures.NewFolder("embedded-crash");
        var total = Settings.EmbeddedRecords;
        var killAfter = total / 2;

        // 1. A host that is killed part-way.
        var (acked, finished) = await RunChildAsync(folder, total, run: 1, killAfterAck: killAfter);
        Assert.That(finished, Is.False, "the child was killed before it finished");
        Assert.That(acked, Is.GreaterThanOrEqualTo(killAfter).And.LessThan(total));

        // 2. A new host on the same folder runs to completion.
        const int second = 2_000;
        var (acked2, finished2) = await RunChildAsync(folder, second, run: 2, killAfterAck: null);
        Assert.That(finished2, Is.True);
        Assert.That(acked2, Is.EqualTo(second));

        // 3. Count, through the store and in the raw files.
        using var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = folder });
        var joined = new HashSet<Guid>();
        await foreach (var row in store.ReadJoinedAsync())
        {
            Assert.That(joined.Add(row.Prediction.PredictionId), Is.True, "the store returns each prediction once");
        }

        var raw = RawPredictionIds(folder);
        var missing1 = Enumerable.Range(0, acked).Count(i => !joined.Contains(FeedbackRecords.Id(1, i)));
        var missing2 = Enumerable.Range(0, acked2).Count(i => !joined.Contains(FeedbackRecords.Id(2, i)));
        var inFlightStored = Enumerable.Range(acked, total - acked).Count(i => joined.Contains(FeedbackRecords.Id(1, i)));
        var duplicated = raw.Count(p => p.Value > 1);
        Settings.Report(
            nameof(HostKilledMidRun_EveryAcknowledgedRecordIsStoredExactlyOnce),
            $"records={total} ackedBeforeKill={acked} inFlightAtKillStored={inFlightStored} secondRun={acked2} lost={missing1 + missing2} duplicatedLines={duplicated}");

        Assert.Multiple(() =>
        {
            Assert.That(missing1, Is.Zero, "records acknowledged by the killed host are all stored");
            Assert.That(missing2, Is.Zero, "records of the host started after the crash are all stored");
            Assert.That(duplicated, Is.Zero, "no prediction line is stored twice");
            Assert.That(joined.Count, Is.EqualTo(acked + inFlightStored + acked2), "nothing else is in the store");
        });
    }

    /// <summary>Starts the child, reads its acknowledgements, and SIGKILLs it once <paramref name="killAfterAck"/> records are acknowledged.</summary>
    private static async Task<(int Acked, bool Finished)> RunChildAsync(string folder, int count, int run, int? killAfterAck)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(typeof(FeedbackChild).Assembly.Location);
        info.ArgumentList.Add(FeedbackChild.Command);
        info.ArgumentList.Add(folder);
        info.ArgumentList.Add(count.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add(run.ToString(CultureInfo.InvariantCulture));
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var acked = 0;
        var finished = false;
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("ack ", StringComparison.Ordinal))
                {
                    acked = int.Parse(line.AsSpan(4), CultureInfo.InvariantCulture);
                    if (acked >= killAfterAck)
                    {
                        process.Kill(entireProcessTree: true); // SIGKILL: no finally blocks, no disposal, no flush.
                        break;
                    }
                }
                else if (line == "done")
                {
                    finished = true;
                }
            }

            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        if (killAfterAck is null)
        {
            Assert.That(process.ExitCode, Is.Zero, await stderr);
        }

        return (acked, finished);
    }

    /// <summary>How often each prediction id occurs in the raw files (torn lines skipped, as the store's readers do).</summary>
    private static Dictionary<Guid, int> RawPredictionIds(string folder)
    {
        var counts = new Dictionary<Guid, int>();
        foreach (var file in Directory.GetFiles(folder, "predictions-*.jsonl"))
        {
            foreach (var line in File.ReadLines(file))
            {
                Guid id;
                try
                {
                    using var document = JsonDocument.Parse(line);
                    id = document.RootElement.GetProperty("id").GetGuid();
                }
                catch (JsonException)
                {
                    continue;
                }

                counts[id] = counts.GetValueOrDefault(id) + 1;
            }
        }

        return counts;
    }
}
