package io.asynqueue.process;

import io.asynqueue.TaskQueue;
import io.asynqueue.contract.WorkerContractTest;
import io.asynqueue.spi.Worker;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * The worker contract for {@link ProcessWorker}: each worker a child JVM running one call at a time. A timeout
 * kills the child; losing the worker is a {@code kill -9} of its child, which the worker replaces (replaying
 * the updates first).
 */
final class ProcessWorkerContractTest extends WorkerContractTest {

  @Override
  protected Worker newWorker() {
    return new ProcessWorker(new ProcessQueueOptions().setConcurrency(1).setMaxInFlight(1)
        .setOutput(ChildOutput.DISCARD));
  }

  @Override
  protected TimeoutStop timeoutStop() {
    return TimeoutStop.KILL;
  }

  @Override
  protected Duration quickCallTimeout() {
    return Duration.ofSeconds(3); // the first call in a child that just started runs cold
  }

  @Override
  protected int prefetchBytes() {
    return ProcessQueueOptions.DEFAULT_PREFETCH_BYTES;
  }

  @Override
  protected int rounds() {
    return Math.min(super.rounds(), 4); // two child JVMs a round
  }

  @Override
  protected boolean canLose() {
    return true;
  }

  @Override
  protected void lose(TaskQueue queue, int workerId) {
    ProcessWorker w = (ProcessWorker) worker(queue, workerId);
    ProcessHandle.of(w.pid()).orElseThrow().destroyForcibly();
  }

  @Override
  protected boolean canRestart() {
    return true;
  }

  @Override
  protected void restart(TaskQueue queue, int workerId) throws Exception {
    ProcessWorker w = (ProcessWorker) worker(queue, workerId);
    long old = w.pid();
    ProcessHandle child = ProcessHandle.of(old).orElseThrow();
    child.destroyForcibly();
    await(io.vertx.core.Future.fromCompletionStage(child.onExit()));
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (w.pid() == old || w.pid() < 0) { // the worker sees the exit on its reader thread, then spawns anew
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("no new child after " + PATIENCE);
      }
      Thread.sleep(5);
    }
  }
}
