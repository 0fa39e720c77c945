namespace CiliumDocker.Cilium;

internal enum IpFamily
{
    IPv4,
    IPv6,
}
