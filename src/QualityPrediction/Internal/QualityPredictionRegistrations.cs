using Microsoft.Extensions.DependencyInjection;

namespace QualityPrediction.Internal;

/// <summary>
/// What <c>AddQualityPrediction</c> registered in one service collection: the predictor names (built at host start) and
/// the configuration sources already applied, so that repeated calls do not apply them twice.
/// </summary>
internal sealed class QualityPredictionRegistrations
{
    private readonly HashSet<(string Name, object Source)> _sources = [];

    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);

    public static QualityPredictionRegistrations Of(IServiceCollection services)
    {
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(QualityPredictionRegistrations) && !descriptor.IsKeyedService && descriptor.ImplementationInstance is QualityPredictionRegistrations existing)
            {
                return existing;
            }
        }

        var created = new QualityPredictionRegistrations();
        services.AddSingleton(created);
        return created;
    }

    public bool AddSource(string name, object source) => _sources.Add((name, source));
}
