package io.asynqueue;

import io.asynqueue.contract.WorkerContractTest;
import io.asynqueue.spi.Worker;

/**
 * The worker contract for {@link Workers#eventLoop()}: tasks on an event loop, where the contract's waiting tasks
 * return Futures instead of blocking, and a timeout can only drop the task.
 */
final class EventLoopWorkerContractTest extends WorkerContractTest {

  @Override
  protected Worker newWorker() {
    return Workers.eventLoop();
  }

  @Override
  protected TimeoutStop timeoutStop() {
    return TimeoutStop.NOTHING;
  }

  @Override
  protected boolean runsInThisJvm() {
    return true;
  }
}
