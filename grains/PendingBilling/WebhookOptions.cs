using System.ComponentModel.DataAnnotations;

namespace Billing.Grains.PendingBilling;

/// <summary>Webhook delivery settings (section <c>Billing:Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    public bool Enabled { get; set; } = true;
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 5;
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 10;
    [Range(1, 300)]
    public int TimeoutSeconds { get; set; } = 10;
}
