using Microsoft.ML;
using Microsoft.ML.Data;
using QualityPrediction.MLNet.Internal;
using QualityPrediction.Models;

namespace QualityPrediction.MLNet;

/// <summary>
/// Loads ML.NET <c>.zip</c> artifacts (format <c>mlnet</c>). The model must read a float vector column named
/// <see cref="ModelManifest.InputName"/> of <see cref="FeatureEncoder.Length"/> slots and write a float <c>Score</c> column.
/// </summary>
/// <remarks>
/// <c>PredictionEngine</c> is not thread-safe, so single rows are scored on engines rented from a pool; batches go
/// through one <see cref="IDataView"/> pass, checking cancellation between chunks. Trainers from
/// <c>Microsoft.ML.FastTree</c> and <c>Microsoft.ML.LightGbm</c> are known to the loader. Stateless and thread-safe.
/// </remarks>
public sealed class MLNetModelRuntime : IModelRuntime
{
    /// <summary>The format name, <c>mlnet</c>.</summary>
    public const string FormatName = "mlnet";

    /// <summary>The name of the score column the model must write.</summary>
    public const string ScoreColumn = "Score";

    /// <inheritdoc />
    public string Format => FormatName;

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="manifest"/>, <paramref name="artifact"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    public IScoringModel Load(ModelManifest manifest, ArtifactInfo artifact, ReadOnlyMemory<byte> artifactBytes, ModelRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(options);
        var file = artifact.File;
        var inputLength = FeatureEncoder.ComputeLength(manifest.Features);
        var context = new MLContext(seed: 0);
        context.ComponentCatalog.RegisterAssembly(typeof(Microsoft.ML.Trainers.FastTree.FastTreeRegressionModelParameters).Assembly);
        context.ComponentCatalog.RegisterAssembly(typeof(Microsoft.ML.Trainers.LightGbm.LightGbmRegressionModelParameters).Assembly);

        ITransformer model;
        DataViewSchema inputSchema;
        try
        {
            using var stream = new ReadOnlyMemoryStream(artifactBytes);
            model = context.Model.Load(stream, out inputSchema);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ModelLoadException(file, $"ML.NET cannot load the model (corrupt or not an ML.NET model): {ex.Message}", ex);
        }

        try
        {
            var column = inputSchema.GetColumnOrNull(manifest.InputName);
            if (column is null)
            {
                throw new ModelLoadException(file, $"the model has no input column '{manifest.InputName}' (it reads: {string.Join(", ", inputSchema.Select(c => c.Name))}).", null);
            }

            if (column.Value.Type is not VectorDataViewType { ItemType: NumberDataViewType itemType } vector || itemType.RawType != typeof(float) || vector.Size != inputLength)
            {
                throw new ModelLoadException(file, $"the model's input column '{manifest.InputName}' is {column.Value.Type}, but the manifest's features describe a float vector of {inputLength} slots.", null);
            }

            DataViewSchema outputSchema;
            try
            {
                outputSchema = model.GetOutputSchema(inputSchema);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw new ModelLoadException(file, $"the model's pipeline cannot run on its own input schema: {ex.Message}", ex);
            }

            if (outputSchema.GetColumnOrNull(ScoreColumn) is not { Type: NumberDataViewType scoreType } || scoreType.RawType != typeof(float))
            {
                throw new ModelLoadException(file, $"the model writes no float '{ScoreColumn}' column.", null);
            }

            return new MLNetScoringModel(context, model, manifest.InputName, inputLength, file);
        }
        catch
        {
            (model as IDisposable)?.Dispose();
            throw;
        }
    }
}
