// One dockerd serves the whole suite: fixtures run one at a time.
[assembly: NUnit.Framework.NonParallelizable]
