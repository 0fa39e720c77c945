using System.Runtime.Versioning;

// The plugin is Linux-only (socket file modes, netlink); so are its tests.
[assembly: SupportedOSPlatform("linux")]
