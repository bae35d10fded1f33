using System.Net.Http.Json;
using System.Text.Json;

namespace Billing.Tests.Switch;

/// <summary>A circuit's balance as the admin API shows it, for the SIP-level tests.</summary>
internal static class CircuitBalances
{
    public static async Task<JsonElement> Balance(HttpClient admin, string account) =>
        await admin.GetFromJsonAsync<JsonElement>($"/api/circuits/{account}/balance");

    /// <summary>The balance once nothing is reserved any more (a complete of 0 s or the end of a call released it), or after 5 s.</summary>
    public static async Task<JsonElement> Settled(HttpClient admin, string account)
    {
        var until = DateTime.UtcNow.AddSeconds(5);
        JsonElement balance;
        do
        {
            balance = await Balance(admin, account);
            if (balance.GetProperty("reserved").GetDecimal() == 0m) break;
            await Task.Delay(100);
        } while (DateTime.UtcNow < until);
        return balance;
    }
}
