//! Publishing and pub/sub introspection. Receiving is
//! [`Subscriber`](crate::Subscriber)'s job.

use crate::{Cmd, ToArg, ToArgs};

commands! {
    /// Publishing messages and looking at subscriptions. To receive, use a
    /// [`Subscriber`](crate::Subscriber) (or
    /// [`ClusterClient::subscriber`](crate::ClusterClient::subscriber)).
    pub trait PubSubCommands: Handle as PUBSUB;

    /// `PUBLISH channel message`: how many subscribers received it (on a
    /// cluster, those of the receiving node only).
    fn publish<C: ToArg<'a>, M: ToArg<'a>>(channel: C, message: M): u64 => Cmd::new("PUBLISH").arg(channel).arg(message);
    /// `SPUBLISH shardchannel message`: publishes to a shard channel (Redis
    /// 7), routed by the channel's slot on a cluster.
    fn spublish<C: ToArg<'a>, M: ToArg<'a>>(channel: C, message: M): u64 => Cmd::new("SPUBLISH").arg(channel).arg(message);
    /// `PUBSUB CHANNELS`: the channels with subscribers.
    fn pubsub_channels(): Vec<String> => Cmd::new("PUBSUB").arg("CHANNELS");
    /// `PUBSUB CHANNELS pattern`: those matching a glob pattern.
    fn pubsub_channels_matching<P: ToArg<'a>>(pattern: P): Vec<String> => Cmd::new("PUBSUB").arg("CHANNELS").arg(pattern);
    /// `PUBSUB NUMSUB channel...`: `(channel, subscribers)` pairs.
    fn pubsub_numsub<C: ToArgs<'a>>(channels: C): Vec<(String, u64)> => Cmd::new("PUBSUB").arg("NUMSUB").arg(channels);
    /// `PUBSUB NUMPAT`: pattern subscriptions, all clients together.
    fn pubsub_numpat(): u64 => Cmd::new("PUBSUB").arg("NUMPAT");
    /// `PUBSUB SHARDCHANNELS`: the shard channels with subscribers.
    fn pubsub_shardchannels(): Vec<String> => Cmd::new("PUBSUB").arg("SHARDCHANNELS");
    /// `PUBSUB SHARDCHANNELS pattern`.
    fn pubsub_shardchannels_matching<P: ToArg<'a>>(pattern: P): Vec<String> => Cmd::new("PUBSUB").arg("SHARDCHANNELS").arg(pattern);
    /// `PUBSUB SHARDNUMSUB channel...`: `(shard channel, subscribers)`
    /// pairs.
    fn pubsub_shardnumsub<C: ToArgs<'a>>(channels: C): Vec<(String, u64)> => Cmd::new("PUBSUB").arg("SHARDNUMSUB").arg(channels);
}
