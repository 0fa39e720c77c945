using System.Security.Cryptography;
using System.Text;
using CiliumAgentSim.Model;

namespace CiliumAgentSim.State;

/// <summary>
/// Security identities: <c>reserved:init</c> (5) for an endpoint without labels, otherwise one numeric identity
/// per distinct label set, allocated from 256 up like the agent's global identities. Guarded by the state lock.
/// </summary>
internal sealed class IdentityTable
{
    public const long InitIdentity = 5;
    public const string InitLabel = "reserved:init";
    private const long FirstAllocatedIdentity = 256;

    private readonly Dictionary<string, long> _bySet = new(StringComparer.Ordinal);
    private long _next = FirstAllocatedIdentity;

    public Identity Resolve(IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        string[] sorted = labels.Count == 0 ? [InitLabel] : [.. labels.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        var key = string.Concat(sorted.Select(l => l + ";"));
        long id;
        if (labels.Count == 0)
        {
            id = InitIdentity;
        }
        else if (!_bySet.TryGetValue(key, out id))
        {
            id = _next++;
            _bySet.Add(key, id);
        }

        return new Identity
        {
            Id = id,
            Labels = sorted,
            LabelsSha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))),
        };
    }

}
