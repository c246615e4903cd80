namespace QualityPrediction.Models.Internal;

/// <summary>What encoding one context for a model found: how many of the model's features it supplied, how many names the model does not know, and a value of the wrong kind.</summary>
/// <param name="Supplied">How many of the model's (non-cross) features the context carries.</param>
/// <param name="Unknown">How many of the context's names the model does not know.</param>
/// <param name="FirstUnknown">The first unknown name, when there is one.</param>
/// <param name="WrongKind">Why a value could not be encoded (it is of the wrong kind), when one could not.</param>
internal readonly record struct EncodeReport(int Supplied, int Unknown, string? FirstUnknown, string? WrongKind);
