package io.asynqueue.process;

/**
 * Timing of one call run by a child process, as the original's {@code callStats}: the round trip seen by the
 * parent, and the part of it spent running the task in the child. The difference is the cost of the pipe,
 * the encoding and the wait behind other calls.
 *
 * @param roundTripNanos from handing the call to the pipe to reading its reply
 * @param childNanos running the task in the child
 */
public record CallStat(long roundTripNanos, long childNanos) {
}
