package io.asynqueue;

import io.asynqueue.contract.WorkerContractTest;
import io.asynqueue.spi.Worker;

/** The worker contract for {@link ThreadWorker}: one thread, a timeout interrupts it. */
final class ThreadWorkerContractTest extends WorkerContractTest {

  @Override
  protected Worker newWorker() {
    return ThreadWorker.create();
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
