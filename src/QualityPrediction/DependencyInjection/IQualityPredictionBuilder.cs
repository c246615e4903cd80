using Microsoft.Extensions.DependencyInjection;

namespace QualityPrediction.DependencyInjection;

/// <summary>Returned by <c>AddQualityPrediction</c>; the runtime packages add model members through extension methods on it.</summary>
public interface IQualityPredictionBuilder
{
    /// <summary>Gets the name of the predictor being configured (<see cref="Microsoft.Extensions.Options.Options.DefaultName"/> for the default one).</summary>
    string Name { get; }

    /// <summary>Gets the service collection.</summary>
    IServiceCollection Services { get; }
}
