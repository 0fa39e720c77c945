namespace CiliumDocker.Agent;

/// <summary>
/// The agent's IPAM API (<c>/v1/ipam</c>). Implementations own transport, retries and error translation: every
/// failure surfaces as <see cref="CiliumAgentException"/>.
/// </summary>
internal interface IAgentAddresses
{
    /// <summary>The agent socket, named in every error so an operator knows what to check.</summary>
    string Endpoint { get; }

    /// <summary><c>POST /v1/ipam?family=..&amp;owner=..</c>. With <paramref name="expiration"/> the agent frees the
    /// address after its timeout unless an endpoint claims it with the returned expiration UUID.</summary>
    Task<IpamResponse> AllocateNextAsync(IpFamily family, string owner, bool expiration, CancellationToken cancellationToken);

    /// <summary><c>POST /v1/ipam/{ip}?owner=..&amp;pool=..</c>: reserve one specific address. The agent answers every
    /// refusal (taken, outside its range, family disabled) with 500 and a message.</summary>
    Task AllocateAsync(string ip, string owner, string pool, CancellationToken cancellationToken);

    /// <summary><c>DELETE /v1/ipam/{ip}?pool=..</c>. An address the agent does not know is already released.</summary>
    Task ReleaseAsync(string ip, string pool, CancellationToken cancellationToken);
}
