using Microsoft.Extensions.DependencyInjection;
using QualityPrediction.DependencyInjection;

namespace QualityPrediction.Internal;

/// <summary>The builder returned by <c>AddQualityPrediction</c>.</summary>
internal sealed class QualityPredictionBuilder(string name, IServiceCollection services) : IQualityPredictionBuilder
{
    public string Name { get; } = name;

    public IServiceCollection Services { get; } = services;
}
