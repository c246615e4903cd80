using System.Globalization;
using QualityPrediction.Feedback;

namespace QualityPrediction.Reliability.Tests.Feedback;

/// <summary>
/// The child process of <see cref="EmbeddedStoreCrashTests"/>: writes records 0…COUNT-1 (a prediction and its outcome each)
/// through a <see cref="FeedbackWriter"/> into an embedded store, and after every flush prints <c>ack N</c>: records
/// 0…N-1 are durable. The parent kills it with SIGKILL part-way.
/// </summary>
internal static class FeedbackChild
{
    public const string Command = "feedback-child";
    public const int Batch = 250;

    public static async Task<int> RunAsync(string[] args)
    {
        var folder = args[0];
        var count = int.Parse(args[1], CultureInfo.InvariantCulture);
        var run = int.Parse(args[2], CultureInfo.InvariantCulture);
        using var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = folder, MaxFileBytes = 256 * 1024 });
        await using var writer = new FeedbackWriter(store, new FeedbackWriterOptions
        {
            Capacity = Batch * 4,
            BatchSize = Batch,
            SpillFolder = Path.Combine(folder, "spill"),
            RetryInterval = TimeSpan.FromMilliseconds(100),
        });
        var stdout = Console.Out;
        await stdout.WriteLineAsync("ready");
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

        await stdout.WriteLineAsync("done");
        return 0;
    }
}
