namespace CiliumDocker.Agent;

internal enum IpFamily
{
    IPv4,
    IPv6,
}
