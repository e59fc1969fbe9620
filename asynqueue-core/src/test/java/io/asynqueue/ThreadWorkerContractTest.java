package io.asynqueue;

import io.asynqueue.contract.WorkerContractTest;
import io.asynqueue.spi.Worker;

/** The worker contract for {@link Workers#thread()}: one thread, a timeout interrupts it. */
final class ThreadWorkerContractTest extends WorkerContractTest {

  @Override
  protected Worker newWorker() {
    return Workers.thread();
  }

  @Override
  protected TimeoutStop timeoutStop() {
    return TimeoutStop.INTERRUPT;
  }

  @Override
  protected boolean runsInThisJvm() {
    return true;
  }
}
