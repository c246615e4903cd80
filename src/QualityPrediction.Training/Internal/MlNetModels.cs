using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using QualityPrediction.Training.Trainers;

namespace QualityPrediction.Training.Internal;

/// <summary>Builds ML.NET data views over encoded matrices, fits trainer configurations and scores.</summary>
internal static class MlNetModels
{
    public const string FeaturesColumn = "Features";
    public const string LabelColumn = "Label";
    public const string ScoreColumn = "Score";

    /// <summary>The per-row weight column of the labeled view (1 for every row when the data is unweighted).</summary>
    public const string WeightColumn = "Weight";

    public static IDataView LabeledView(MLContext context, float[] matrix, int width, IReadOnlyList<double> targets, IReadOnlyList<int> rows, IReadOnlyList<double>? weights = null)
    {
        var items = new LabeledRow[rows.Count];

        // Weights are relative: scaled to mean 1 over these rows, so that large inverse-propensity weights do not
        // make Sdca's dual steps diverge (measured: raw weights up to 10 gave non-finite coefficients).
        var scale = 1.0;
        if (weights is not null && rows.Count > 0)
        {
            var mean = rows.Average(r => weights[r]);
            scale = mean > 0 ? 1 / mean : 1;
        }

        for (var i = 0; i < rows.Count; i++)
        {
            items[i] = new LabeledRow { Features = matrix.AsSpan(rows[i] * width, width).ToArray(), Label = (float)targets[rows[i]], Weight = weights is null ? 1 : (float)(weights[rows[i]] * scale) };
        }

        var schema = SchemaDefinition.Create(typeof(LabeledRow));
        schema[FeaturesColumn].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return context.Data.LoadFromEnumerable(items, schema);
    }

    public static IDataView FeatureView(MLContext context, float[] matrix, int width, int rowCount)
    {
        var items = new FeatureRow[rowCount];
        for (var i = 0; i < rowCount; i++)
        {
            items[i] = new FeatureRow { Features = matrix.AsSpan(i * width, width).ToArray() };
        }

        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[FeaturesColumn].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return context.Data.LoadFromEnumerable(items, schema);
    }

    public static ITransformer Fit(MLContext context, TrainerConfig config, IDataView data, int seed, bool weighted = false) =>
        Estimator(context, config, seed, weighted).Fit(data);

    public static float[] Score(ITransformer model, IDataView data) =>
        [.. model.Transform(data).GetColumn<float>(ScoreColumn)];

    public static IEstimator<ITransformer> Estimator(MLContext context, TrainerConfig config, int seed, bool weighted = false)
    {
        // With weights, every trainer reads the per-row weight column (ML.NET's ExampleWeightColumnName).
        var weight = weighted ? WeightColumn : null;
        var regression = context.Regression.Trainers;
        switch (config.Kind)
        {
            case TrainerKind.Sdca:
                return context.Transforms.NormalizeMeanVariance(FeaturesColumn).Append(regression.Sdca(new SdcaRegressionTrainer.Options
                {
                    LabelColumnName = LabelColumn,
                    FeatureColumnName = FeaturesColumn,
                    ExampleWeightColumnName = weight,
                    L2Regularization = (float)config.Get("l2", 1e-4),
                    L1Regularization = config.Parameters.ContainsKey("l1") ? (float)config.Get("l1", 0) : null,
                    MaximumNumberOfIterations = (int)config.Get("iterations", 200),
                    ConvergenceTolerance = (float)config.Get("tolerance", 1e-5),
                    NumberOfThreads = 1,
                    Shuffle = true,
                }));
            case TrainerKind.FastTree:
                return regression.FastTree(new FastTreeRegressionTrainer.Options
                {
                    LabelColumnName = LabelColumn,
                    FeatureColumnName = FeaturesColumn,
                    ExampleWeightColumnName = weight,
                    NumberOfTrees = (int)config.Get("trees", 100),
                    NumberOfLeaves = (int)config.Get("leaves", 20),
                    LearningRate = config.Get("learningRate", 0.2),
                    MinimumExampleCountPerLeaf = (int)config.Get("minLeafRows", 10),
                    NumberOfThreads = 1,
                    Seed = seed,
                });
            case TrainerKind.FastForest:
                return regression.FastForest(new FastForestRegressionTrainer.Options
                {
                    LabelColumnName = LabelColumn,
                    FeatureColumnName = FeaturesColumn,
                    ExampleWeightColumnName = weight,
                    NumberOfTrees = (int)config.Get("trees", 100),
                    NumberOfLeaves = (int)config.Get("leaves", 20),
                    MinimumExampleCountPerLeaf = (int)config.Get("minLeafRows", 10),
                    NumberOfThreads = 1,
                    Seed = seed,
                });
            case TrainerKind.LightGbm:
                return regression.LightGbm(new LightGbmRegressionTrainer.Options
                {
                    LabelColumnName = LabelColumn,
                    FeatureColumnName = FeaturesColumn,
                    ExampleWeightColumnName = weight,
                    NumberOfIterations = (int)config.Get("iterations", 100),
                    NumberOfLeaves = (int)config.Get("leaves", 31),
                    LearningRate = config.Get("learningRate", 0.1),
                    MinimumExampleCountPerLeaf = (int)config.Get("minLeafRows", 20),
                    NumberOfThreads = 1,
                    Seed = seed,
                    Deterministic = true,
                    Silent = true,
                    Booster = new GradientBooster.Options
                    {
                        L2Regularization = config.Get("l2", 0),
                        FeatureFraction = config.Get("featureFraction", 1),
                    },
                });
            default:
                throw new ArgumentOutOfRangeException(nameof(config), config.Kind, "Unknown trainer.");
        }
    }

    internal sealed class LabeledRow
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }

        public float Weight { get; set; } = 1;
    }

    internal sealed class FeatureRow
    {
        public float[] Features { get; set; } = [];
    }
}
