namespace QualityPrediction.Models.Internal;

/// <summary>Reaches the entry of a model in this library's catalogs, so that members hold it instead of looking it up per call.</summary>
internal static class CatalogEntries
{
    /// <summary>Returns the entry, or <see langword="null"/> for a catalog implemented elsewhere (then the interface is used).</summary>
    /// <exception cref="KeyNotFoundException">The catalog is this library's and has no model of that name.</exception>
    public static CatalogEntry? Find(IModelCatalog catalog, string name) => catalog switch
    {
        DefaultModelCatalog inner => Start(inner, name),
        StandaloneModelCatalog standalone => Start(standalone.Inner, name),
        _ => null,
    };

    private static CatalogEntry Start(DefaultModelCatalog catalog, string name)
    {
        var entry = catalog.Find(name);
        catalog.EnsureStarted();
        return entry;
    }
}
