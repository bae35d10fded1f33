namespace Billing.Tests.Infrastructure;

/// <summary>
/// One <typeparamref name="T"/> per <see cref="ClusterFixture"/>, started on first use and shared by every test of
/// the collection (xunit 2 fixtures cannot depend on each other); a new cluster disposes the previous one's.
/// </summary>
public static class PerCluster<T> where T : class, IAsyncDisposable
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static T? _current;
    private static ClusterFixture? _owner;

    public static async Task<T> GetAsync(ClusterFixture cluster, Func<ClusterFixture, Task<T>> start)
    {
        ArgumentNullException.ThrowIfNull(start);
        await Gate.WaitAsync();
        try
        {
            if (_current is not null && ReferenceEquals(_owner, cluster)) return _current;
            if (_current is not null) await _current.DisposeAsync();
            _current = await start(cluster);
            _owner = cluster;
            return _current;
        }
        finally
        {
            Gate.Release();
        }
    }
}
