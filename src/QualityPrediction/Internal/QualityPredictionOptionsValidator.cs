using Microsoft.Extensions.Options;

namespace QualityPrediction.Internal;

/// <summary>Validates the data annotations of <see cref="QualityPredictionOptions"/> and its nested options (source-generated).</summary>
[OptionsValidator]
internal sealed partial class QualityPredictionOptionsValidator : IValidateOptions<QualityPredictionOptions>;
