using System.Runtime.Versioning;

// The plugin assembly is Linux-only (netlink, Unix sockets); so is every caller of it.
[assembly: SupportedOSPlatform("linux")]
