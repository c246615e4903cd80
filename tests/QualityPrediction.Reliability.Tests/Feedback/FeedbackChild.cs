using System.Globalization;
using QualityPrediction.Feedback;

namespace QualityPrediction.Reliability.Tests.Feedback;

/// <summary>
/// The child process of the embedded-store crash tests: writes records 0…COUNT-1 (a prediction and its outcome each)
/// through a <see cref="FeedbackWriter"/> into an embedded store, and after every flush prints <c>ack N</c>: records
/// 0…N-1 are durable. The parent kills it with SIGKILL part-way.
/// </summary>
/// <remarks>
/// Arguments: <c>FOLDER COUNT RUN [SPILL [drain]]</c>. SPILL is the spill folder (default <c>FOLDER/spill</c>). With
/// <c>drain</c>, after the last acknowledgement the child keeps running until its spill files are empty, printing
/// <c>backlog N</c> as the writer replays them (the parent makes the store fail first by putting a file where the
/// store's folder should be, and removes it to let the replay start).
/// </remarks>
internal static class FeedbackChild
{
    public const string Command = "feedback-child";
    public const int Batch = 250;

    public static async Task<int> RunAsync(string[] args)
    {
        var folder = args[0];
        var count = int.Parse(args[1], CultureInfo.InvariantCulture);
        var run = int.Parse(args[2], CultureInfo.InvariantCulture);
        var spill = args.Length > 3 ? args[3] : Path.Combine(folder, "spill");
        var drain = args.Length > 4 && args[4] == "drain";
        using var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = folder, MaxFileBytes = 256 * 1024 });
        await using var writer = new FeedbackWriter(store, new FeedbackWriterOptions
        {
            Capacity = Batch * 4,
            BatchSize = Batch,
            SpillFolder = spill,
            RetryInterval = TimeSpan.FromMilliseconds(100),
        });
        var stdout = Console.Out;
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"ready {writer.GetStatus().Backlog}"));
        await stdout.FlushAsync();
        for (var start = 0; start < count; start += Batch)
        {
            var end = Math.Min(count, start + Batch);
            for (var i = start; i < end; i++)
            {
                while (!writer.TryEnqueue(FeedbackRecords.Prediction(run, i)))
                {
                    await Task.Yield();
                }

                while (!writer.TryEnqueue(FeedbackRecords.Outcome(run, i)))
                {
                    await Task.Yield();
                }
            }

            await writer.FlushAsync();
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"ack {end}"));
            await stdout.FlushAsync();
        }

        while (drain && writer.GetStatus().Backlog > 0)
        {
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"backlog {writer.GetStatus().Backlog}"));
            await stdout.FlushAsync();
            await Task.Delay(5);
        }

        await stdout.WriteLineAsync("done");
        return 0;
    }
}
