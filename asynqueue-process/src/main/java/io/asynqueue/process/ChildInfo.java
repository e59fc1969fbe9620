package io.asynqueue.process;

/**
 * What a child process reports about itself.
 *
 * @param pid its process ID
 * @param cpus the processors its JVM sees
 * @param heapUsedBytes heap in use
 * @param heapMaxBytes the heap limit
 * @param residentBytes its resident set size from {@code /proc}, or -1 where that is not available
 * @param virtualBytes its virtual size ({@code VmSize}, what the original's {@code memUsage} reported), or -1
 * @param callsDone the calls (and update calls) it has run
 */
public record ChildInfo(long pid, int cpus, long heapUsedBytes, long heapMaxBytes, long residentBytes,
    long virtualBytes, long callsDone) {
}
