// One agent per target; the real agent is shared by every fixture, and its rate limiter punishes parallel PUTs.
[assembly: NUnit.Framework.NonParallelizable]
