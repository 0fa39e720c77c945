namespace CiliumDocker.Infrastructure;

/// <summary>
/// A state made of parts that each belong to one key (an address, say), so that <see cref="JsonStateFile{T}"/> can
/// journal a change as the new parts of the keys it touched instead of the whole state.
/// </summary>
internal interface IKeyedState<TSelf>
    where TSelf : class
{
    /// <summary>A new state holding only what belongs to <paramref name="key"/>, empty when nothing does.</summary>
    TSelf PartOf(string key);

    /// <summary>What belongs to <paramref name="key"/> becomes what <paramref name="part"/> holds. A part it cannot
    /// take (one read from a damaged file) throws <see cref="ArgumentException"/> before anything changes.</summary>
    void ReplacePart(string key, TSelf part);
}
