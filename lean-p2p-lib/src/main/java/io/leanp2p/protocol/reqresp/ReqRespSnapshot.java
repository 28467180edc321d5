package io.leanp2p.protocol.reqresp;

/**
 * Immutable counters of one {@link ReqResp} (every refusal and drop is counted).
 *
 * @param requestsAccepted outbound requests taken
 * @param requestsRefusedConcurrent outbound requests refused: per-peer concurrency limit
 * @param requestsRefusedInvalid outbound requests refused: bad SSZ or size
 * @param requestsEnded outbound requests that ended with a clean end of stream
 * @param requestsFailed outbound requests that ended with an error (all kinds)
 * @param requestTimeouts of which timeouts
 * @param requestProtocolViolations of which protocol violations (bad chunk, too many chunks, ...)
 * @param requestWireErrors of which error chunks from the remote
 * @param responseChunksReceived SUCCESS chunks handed to the listener
 * @param requestsInFlight outbound requests in flight now
 * @param inboundStreams inbound req/resp streams handed to us
 * @param inboundRefusedConcurrent inbound streams reset: per-peer or total concurrency limit
 * @param inboundRateLimited inbound requests answered RESOURCE_UNAVAILABLE: rate limit
 * @param inboundInvalid inbound requests answered INVALID_REQUEST (codec, SSZ or count)
 * @param inboundReadTimeouts inbound streams reset: request not complete within the idle timeout
 * @param channelsOpened inbound requests handed to the host
 * @param channelsExpired channels the host did not finish in time (SERVER_ERROR sent)
 * @param channelsReset inbound streams reset by the remote or lost before the response ended
 * @param responseChunksSent SUCCESS chunks written
 * @param errorChunksSent error chunks written (host errors, rejections, expiries)
 * @param channelQueueFull sendChunk refusals because the channel's byte budget was full
 * @param channelCallsRejected host calls on unknown or finished channels
 * @param requestsAborted outbound requests ended by {@code abort} (the host could not take them)
 * @param inboundActive inbound requests being read or answered now
 */
public record ReqRespSnapshot(
    long requestsAccepted,
    long requestsRefusedConcurrent,
    long requestsRefusedInvalid,
    long requestsEnded,
    long requestsFailed,
    long requestTimeouts,
    long requestProtocolViolations,
    long requestWireErrors,
    long responseChunksReceived,
    int requestsInFlight,
    long inboundStreams,
    long inboundRefusedConcurrent,
    long inboundRateLimited,
    long inboundInvalid,
    long inboundReadTimeouts,
    long channelsOpened,
    long channelsExpired,
    long channelsReset,
    long responseChunksSent,
    long errorChunksSent,
    long channelQueueFull,
    long channelCallsRejected,
    long requestsAborted,
    int inboundActive) {}
