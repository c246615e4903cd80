namespace QualityPrediction.Training.Internal;

/// <summary>The formats a data file can have.</summary>
internal enum DataFileKind
{
    Csv,
    JsonLines,
    JsonArray,
}
