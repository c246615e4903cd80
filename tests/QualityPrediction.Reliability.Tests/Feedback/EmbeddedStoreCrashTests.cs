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

    [Test]
    public async Task ReplayKilledMidWay_ANewHostResumesWhereItStoppedAndWritesNoRecordTwice()
    {
        var folder = Path.Combine(Fixtures.NewFolder("replay-crash"), "store");
        var spill = folder + "-spill";
        var total = Settings.EmbeddedRecords;

        // 1. The store is down (a file where its folder should be): every record goes to the spill files.
        await File.WriteAllTextAsync(folder, "the store is down");
        var backlog = 0;
        var lines = 0;
        var child = StartChild(folder, total, run: 3, spill, "drain");
        var (acked, finished) = await WatchAsync(child, line =>
        {
            if (line == $"ack {total}")
            {
                File.Delete(folder); // the store comes back: the replay starts within the retry interval
            }
            else if (line.StartsWith("backlog ", StringComparison.Ordinal) && ++lines % 4 == 0)
            {
                // Kill it in the middle of the replay: once about half of the predictions are in the store's files.
                backlog = int.Parse(line.AsSpan(8), CultureInfo.InvariantCulture);
                return Directory.Exists(folder) && RawPredictionIds(folder).Count >= total / 2;
            }

            return false;
        });
        Assert.That(finished, Is.False, "the child was killed during the replay");
        Assert.That(acked, Is.EqualTo(total), "every record was acknowledged (in the spill files) before the kill");
        var storedAtKill = RawPredictionIds(folder).Count;
        var linesAtKill = storedAtKill + RawIds(folder, "outcomes-*.jsonl").Count;
        Assert.That(storedAtKill, Is.GreaterThan(0).And.LessThan(total), "the kill came in the middle of the replay");

        // 2. A new host on the same folders adopts the dead writer's spill files, counts them at once, and finishes the replay.
        var second = StartChild(folder, 0, run: 4, spill, "drain");
        var adopted = -1L;
        var (_, secondFinished) = await WatchAsync(second, line =>
        {
            if (line.StartsWith("ready ", StringComparison.Ordinal))
            {
                adopted = long.Parse(line.AsSpan(6), CultureInfo.InvariantCulture);
            }

            return false;
        });
        Assert.That(secondFinished, Is.True);

        var raw = RawPredictionIds(folder);
        var rawOutcomes = RawIds(folder, "outcomes-*.jsonl");
        var missing = Enumerable.Range(0, total).Count(i => !raw.ContainsKey(FeedbackRecords.Id(3, i)));
        var duplicated = raw.Count(p => p.Value > 1) + rawOutcomes.Count(p => p.Value > 1);
        Settings.Report(
            nameof(ReplayKilledMidWay_ANewHostResumesWhereItStoppedAndWritesNoRecordTwice),
            $"records={total} acked={acked} killedAtBacklog={backlog} predictionsStoredAtKill={storedAtKill} linesStoredAtKill={linesAtKill} adoptedBacklog={adopted} lost={missing} duplicatedLines={duplicated}");
        Assert.Multiple(() =>
        {
            Assert.That(adopted, Is.InRange(2 * total - linesAtKill, 2 * total - linesAtKill + FeedbackChild.Batch), "the new host counted the adopted spill in its backlog at start: what was left (and at most the batch in flight), not all of it");
            Assert.That(missing, Is.Zero, "every acknowledged record is stored");
            Assert.That(rawOutcomes.Count, Is.EqualTo(total), "every acknowledged outcome is stored");
            Assert.That(duplicated, Is.Zero, "no line is written twice: the replay resumed after what was written, and the batch in flight was checked");
            Assert.That(Directory.GetFiles(spill, "*.jsonl"), Is.Empty, "the adopted spill files are deleted once replayed");
        });
    }

    [Test]
    public async Task TwoHostsWritingOneFolder_LoseNothingAndLeaveNoUnreadableLine()
    {
        var folder = Fixtures.NewFolder("two-writers");
        var total = Settings.EmbeddedRecords / 2;

        // Two hosts at once on the same store folder and spill folder; a third starts while the first is killed mid-run
        // (a rolling deploy whose old host dies).
        var a = StartChild(folder, total, run: 5, Path.Combine(folder, "spill"));
        var b = StartChild(folder, total, run: 6, Path.Combine(folder, "spill"));
        var killAt = total / 2;
        var watchA = WatchAsync(a, line => line.StartsWith("ack ", StringComparison.Ordinal) && int.Parse(line.AsSpan(4), CultureInfo.InvariantCulture) >= killAt);
        var watchB = WatchAsync(b, _ => false);
        var c = StartChild(folder, total, run: 7, Path.Combine(folder, "spill"));
        var watchC = WatchAsync(c, _ => false);
        var results = await Task.WhenAll(watchA, watchB, watchC);

        var raw = RawPredictionIds(folder);
        var (lines, unreadable) = CountLines(folder);
        var acked = new[] { (Run: 5, results[0].Acked), (Run: 6, results[1].Acked), (Run: 7, results[2].Acked) };
        var missing = acked.Sum(r => Enumerable.Range(0, r.Acked).Count(i => !raw.ContainsKey(FeedbackRecords.Id(r.Run, i))));
        var duplicated = raw.Count(p => p.Value > 1);
        Settings.Report(
            nameof(TwoHostsWritingOneFolder_LoseNothingAndLeaveNoUnreadableLine),
            $"hosts=3 recordsPerHost={total} acked={string.Join("/", acked.Select(r => r.Acked))} killedAfter={results[0].Acked} lines={lines} unreadableLines={unreadable} lost={missing} duplicatedLines={duplicated}");
        Assert.Multiple(() =>
        {
            Assert.That(results[0].Finished, Is.False, "the first host was killed");
            Assert.That(results[1].Finished && results[2].Finished, Is.True);
            Assert.That(results[1].Acked + results[2].Acked, Is.EqualTo(2 * total));
            Assert.That(missing, Is.Zero, "every acknowledged record of every host is stored");
            Assert.That(unreadable, Is.LessThanOrEqualTo(2), "at most the killed host's torn last lines (one per kind), never a line in the middle of a file");
            Assert.That(duplicated, Is.Zero);
        });
    }

    /// <summary>Starts the child, reads its acknowledgements, and SIGKILLs it once <paramref name="killAfterAck"/> records are acknowledged.</summary>
    private static async Task<(int Acked, bool Finished)> RunChildAsync(string folder, int count, int run, int? killAfterAck)
    {
        var process = StartChild(folder, count, run, spill: null);
        var result = await WatchAsync(process, line => line.StartsWith("ack ", StringComparison.Ordinal) && int.Parse(line.AsSpan(4), CultureInfo.InvariantCulture) >= killAfterAck);
        return result;
    }

    private static Process StartChild(string folder, int count, int run, string? spill, string? mode = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(typeof(FeedbackChild).Assembly.Location);
        info.ArgumentList.Add(FeedbackChild.Command);
        info.ArgumentList.Add(folder);
        info.ArgumentList.Add(count.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add(run.ToString(CultureInfo.InvariantCulture));
        if (spill is not null)
        {
            info.ArgumentList.Add(spill);
            if (mode is not null)
            {
                info.ArgumentList.Add(mode);
            }
        }

        return Process.Start(info)!;
    }

    /// <summary>Reads a child's lines until it ends, SIGKILLing it (no finally blocks, no disposal, no flush) when <paramref name="kill"/> says so.</summary>
    private static async Task<(int Acked, bool Finished)> WatchAsync(Process process, Func<string, bool> kill)
    {
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            var acked = 0;
            var finished = false;
            var killed = false;
            try
            {
                while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
                {
                    if (line.StartsWith("ack ", StringComparison.Ordinal))
                    {
                        acked = int.Parse(line.AsSpan(4), CultureInfo.InvariantCulture);
                    }
                    else if (line == "done")
                    {
                        finished = true;
                    }

                    if (kill(line))
                    {
                        process.Kill(entireProcessTree: true);
                        killed = true;
                        break;
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

            if (!killed)
            {
                Assert.That(process.ExitCode, Is.Zero, await stderr);
            }

            return (acked, finished);
        }
    }

    /// <summary>Every line of the store's data files, and how many are not a JSON object with an id (torn or interleaved writes).</summary>
    private static (int Lines, int Unreadable) CountLines(string folder)
    {
        int lines = 0, unreadable = 0;
        foreach (var file in Directory.GetFiles(folder, "*.jsonl"))
        {
            foreach (var line in File.ReadLines(file))
            {
                lines++;
                try
                {
                    using var document = JsonDocument.Parse(line);
                    _ = document.RootElement.GetProperty("id").GetGuid();
                }
                catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
                {
                    unreadable++;
                }
            }
        }

        return (lines, unreadable);
    }

    /// <summary>How often each prediction id occurs in the raw files (torn lines skipped, as the store's readers do).</summary>
    private static Dictionary<Guid, int> RawPredictionIds(string folder) => RawIds(folder, "predictions-*.jsonl");

    private static Dictionary<Guid, int> RawIds(string folder, string pattern)
    {
        var counts = new Dictionary<Guid, int>();
        if (!Directory.Exists(folder))
        {
            return counts;
        }

        foreach (var file in Directory.GetFiles(folder, pattern))
        {
            foreach (var line in File.ReadLines(file))
            {
                Guid id;
                try
                {
                    using var document = JsonDocument.Parse(line);
                    id = document.RootElement.GetProperty("id").GetGuid();
                }
                catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
                {
                    continue;
                }

                counts[id] = counts.GetValueOrDefault(id) + 1;
            }
        }

        return counts;
    }
}
