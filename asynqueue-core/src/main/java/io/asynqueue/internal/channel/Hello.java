package io.asynqueue.internal.channel;

import java.util.List;

/**
 * What a runner says in its first frame.
 *
 * @param pid its process ID
 * @param cpus the processors it sees
 * @param concurrency how many calls it runs at once
 * @param maxInFlight how many calls it takes in flight from one caller
 * @param maxFrameBytes the largest frame it accepts
 * @param classes the classes it registers on the wire, in ID order (empty for a trusted channel)
 */
public record Hello(long pid, int cpus, int concurrency, int maxInFlight, int maxFrameBytes, List<String> classes) {
}
