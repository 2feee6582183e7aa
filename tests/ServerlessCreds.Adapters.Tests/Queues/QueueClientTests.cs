using System.Text;
using System.Xml.Linq;
using Azure.Core;
using ServerlessCreds.Adapters.Queues;
using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Testing.Azurite;

namespace ServerlessCreds.Adapters.Tests.Queues;

[Collection(QueuesOnAzurite.Name)]
public sealed class QueueClientTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Sent_text_is_received_unchanged_with_its_receipt_details()
    {
        var queue = await NewQueueAsync();
        const string text = "{\"deliveryId\":\"d-1\",\"note\":\"<xml> & ünïcödé 🔑\"}";

        var receipt = await queue.SendAsync(text);
        var received = Assert.Single(await queue.ReceiveAsync(32, TimeSpan.FromSeconds(30)));

        Assert.Equal(receipt.MessageId, received.MessageId);
        Assert.Equal(text, received.Text);
        Assert.Equal(1, received.DequeueCount);
        Assert.False(string.IsNullOrEmpty(receipt.PopReceipt));
        Assert.Equal(receipt.InsertionTime, received.InsertionTime);
        Assert.True(received.ExpirationTime > received.InsertionTime.AddDays(6));
        Assert.True(received.NextVisibleTime > DateTimeOffset.UtcNow.AddSeconds(20));
    }

    [Fact]
    public async Task Message_text_is_base64_of_utf8_on_the_wire()
    {
        var queue = await NewQueueAsync();
        const string text = "hello 🔑";

        await queue.SendAsync(text);

        var pipeline = StorageAccount.Parse(azurite.ConnectionString).CreateQueuePipeline();
        using var message = pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Get;
        message.Request.Uri.Reset(new Uri($"{azurite.Azurite.QueueServiceUri}/{queue.Name}/messages?peekonly=true"));
        message.Request.Headers.Add("x-ms-version", "2021-12-02");
        await pipeline.SendAsync(message, CancellationToken.None);
        Assert.Equal(200, message.Response.Status);
        var wireText = XDocument.Parse(message.Response.Content.ToString()).Descendants("MessageText").Single().Value;
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes(text)), wireText);
    }

    [Fact]
    public async Task A_received_message_stays_hidden_until_its_visibility_timeout_lapses_and_counts_each_dequeue()
    {
        var queue = await NewQueueAsync();
        await queue.SendAsync("job");

        var first = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(1)));
        var whileHidden = await queue.ReceiveAsync(1, TimeSpan.FromSeconds(1));
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the test is about the 1 s visibility timeout lapsing
        var second = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(30)));

        Assert.Empty(whileHidden);
        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal(1, first.DequeueCount);
        Assert.Equal(2, second.DequeueCount);
        Assert.NotEqual(first.PopReceipt, second.PopReceipt);
    }

    [Fact]
    public async Task Delete_removes_a_received_message()
    {
        var queue = await NewQueueAsync();
        await queue.SendAsync("job");
        var received = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(1)));

        await queue.DeleteAsync(received.MessageId, received.PopReceipt);

        // A message only hidden would be found by its receipt, and made visible again.
        var gone = await Assert.ThrowsAsync<QueueNotFoundException>(() => queue.UpdateVisibilityAsync(received.MessageId, received.PopReceipt, TimeSpan.Zero));
        Assert.Equal("MessageNotFound", gone.ErrorCode);
        Assert.Empty(await queue.PeekAsync(32));
        Assert.Empty(await queue.ReceiveAsync(32, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Deleting_an_already_deleted_message_throws_message_not_found()
    {
        var queue = await NewQueueAsync();
        await queue.SendAsync("job");
        var received = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(30)));
        await queue.DeleteAsync(received.MessageId, received.PopReceipt);

        var error = await Assert.ThrowsAsync<QueueNotFoundException>(() => queue.DeleteAsync(received.MessageId, received.PopReceipt));

        Assert.Equal(404, error.Status);
        Assert.Equal("MessageNotFound", error.ErrorCode);
    }

    [Fact]
    public async Task Update_visibility_makes_the_message_visible_again_and_replaces_the_pop_receipt()
    {
        var queue = await NewQueueAsync();
        await queue.SendAsync("job");
        var received = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromMinutes(5)));

        var newPopReceipt = await queue.UpdateVisibilityAsync(received.MessageId, received.PopReceipt, TimeSpan.Zero);
        var again = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromMinutes(5)));

        Assert.NotEqual(received.PopReceipt, newPopReceipt);
        Assert.Equal(received.MessageId, again.MessageId);
        Assert.Equal(2, again.DequeueCount);
        var stale = await Assert.ThrowsAsync<QueueRequestException>(() => queue.DeleteAsync(received.MessageId, received.PopReceipt));
        Assert.Equal(400, stale.Status);
        Assert.Equal("PopReceiptMismatch", stale.ErrorCode);
        await queue.DeleteAsync(again.MessageId, again.PopReceipt);
    }

    [Fact]
    public async Task Update_visibility_can_extend_the_hidden_period()
    {
        var queue = await NewQueueAsync();
        await queue.SendAsync("job");
        var received = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(1)));

        var newPopReceipt = await queue.UpdateVisibilityAsync(received.MessageId, received.PopReceipt, TimeSpan.FromMinutes(5));
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the test is about outlasting the first, 1 s, visibility timeout

        Assert.Empty(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(30)));
        await queue.DeleteAsync(received.MessageId, newPopReceipt);
        Assert.Empty(await queue.PeekAsync(1));
    }

    [Fact]
    public async Task A_visibility_delay_hides_a_new_message_until_it_lapses()
    {
        var queue = await NewQueueAsync();

        var receipt = await queue.SendAsync("later", visibilityDelay: TimeSpan.FromSeconds(1), timeToLive: TimeSpan.FromMinutes(1));
        var before = await queue.PeekAsync(32);
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the test is about the 1 s visibility delay lapsing
        var after = Assert.Single(await queue.PeekAsync(32));

        Assert.Empty(before);
        Assert.Equal(receipt.MessageId, after.MessageId);
        Assert.Equal("later", after.Text);
        Assert.Equal(0, after.DequeueCount);
        Assert.InRange(after.ExpirationTime - after.InsertionTime, TimeSpan.FromSeconds(59), TimeSpan.FromSeconds(61));
    }

    [Fact]
    public async Task Peek_does_not_dequeue()
    {
        var queue = await NewQueueAsync();
        await queue.SendAsync("a");
        await queue.SendAsync("b");

        var peeked = await queue.PeekAsync(32);
        var received = await queue.ReceiveAsync(32, TimeSpan.FromSeconds(30));

        Assert.Equal(["a", "b"], peeked.Select(message => message.Text));
        Assert.Equal(["a", "b"], received.Select(message => message.Text));
        Assert.All(received, message => Assert.Equal(1, message.DequeueCount));
    }

    [Fact]
    public async Task A_message_that_never_expires_is_accepted()
    {
        var queue = await NewQueueAsync();

        var receipt = await queue.SendAsync("forever", timeToLive: Timeout.InfiniteTimeSpan);

        Assert.True(receipt.ExpirationTime > DateTimeOffset.UtcNow.AddYears(100));
    }

    [Fact]
    public async Task Create_if_not_exists_is_idempotent_and_keeps_messages()
    {
        var queue = await NewQueueAsync();
        await queue.SendAsync("kept");

        await queue.CreateIfNotExistsAsync();

        Assert.Equal("kept", Assert.Single(await queue.PeekAsync(1)).Text);
    }

    [Fact]
    public async Task Sending_to_a_missing_queue_throws_queue_not_found()
    {
        var queue = new QueueClient(StorageAccount.Parse(azurite.ConnectionString), StorageNames.UniqueQueue("missing"));

        var error = await Assert.ThrowsAsync<QueueNotFoundException>(() => queue.SendAsync("lost"));

        Assert.Equal("QueueNotFound", error.ErrorCode);
    }

    [Fact]
    public async Task A_wrong_account_key_is_rejected_as_authentication_failed()
    {
        var wrongKey = Convert.ToBase64String(new byte[64]);
        var account = StorageAccount.Parse(azurite.ConnectionString.Replace(AzuriteInstance.AccountKey, wrongKey, StringComparison.Ordinal));
        var queue = new QueueClient(account, StorageNames.UniqueQueue());

        var error = await Assert.ThrowsAsync<QueueRequestException>(() => queue.CreateIfNotExistsAsync());

        Assert.Equal(403, error.Status);
        Assert.Equal("AuthenticationFailed", error.ErrorCode);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper")]
    [InlineData("double--hyphen")]
    [InlineData("-leading")]
    [InlineData("trailing-newline\n")]
    public void Invalid_queue_names_are_rejected(string name)
    {
        Assert.Throws<ArgumentException>(() => new QueueClient(StorageAccount.Parse(azurite.ConnectionString), name));
    }

    private async Task<QueueClient> NewQueueAsync()
    {
        var queue = new QueueClient(StorageAccount.Parse(azurite.ConnectionString), StorageNames.UniqueQueue());
        await queue.CreateIfNotExistsAsync();
        return queue;
    }
}
