package io.asynqueue.remote;

import io.asynqueue.remote.server.WorkerServer;
import io.asynqueue.remote.server.WorkerServerOptions;
import io.asynqueue.TaskQueue;
import io.asynqueue.contract.ContractTasks;
import io.asynqueue.contract.WorkerContractTest;
import io.asynqueue.spi.Worker;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * The worker contract for {@link RemoteWorker}: a server in this JVM that allows the contract's tasks, and a
 * worker per connection, each through its own TCP relay so that a case can drop its connection. A timeout
 * interrupts the call on the server; a lost connection fails or retries the calls it held, and the worker
 * reconnects and replays the updates.
 */
final class RemoteWorkerContractTest extends WorkerContractTest {

  private WorkerServer server;
  private final Map<Worker, Relay> relays = new IdentityHashMap<>();

  @Override
  protected void setUpKind() throws Exception {
    server = WorkerServer.create(vertx, null, new WorkerServerOptions().setPort(0).setSecret(Servers.SECRET)
        .setConcurrency(4).addTaskClass(ContractTasks.class));
    await(server.listen());
  }

  @Override
  protected void tearDownKind() {
    await(server.close());
  }

  @Override
  protected Worker newWorker() {
    Relay relay = new Relay(vertx, server.actualPort());
    int port = await(relay.listen(0));
    Worker worker = RemoteWorker.create(vertx, Servers.workerOptions(port).setMaxInFlight(1)
        .setReconnectDelay(Duration.ofMillis(20)));
    relays.put(worker, relay);
    return worker;
  }

  @Override
  protected TimeoutStop timeoutStop() {
    return TimeoutStop.INTERRUPT;
  }

  @Override
  protected int prefetchWindow() {
    return RemoteWorkerOptions.DEFAULT_PREFETCH;
  }

  @Override
  protected int prefetchBytes() {
    return RemoteWorkerOptions.DEFAULT_PREFETCH_BYTES;
  }

  @Override
  protected boolean canLose() {
    return true;
  }

  @Override
  protected void lose(TaskQueue queue, int workerId) {
    relays.get(worker(queue, workerId)).drop();
  }

  @Override
  protected boolean canRestart() {
    return true;
  }

  @Override
  protected void restart(TaskQueue queue, int workerId) throws Exception {
    RemoteWorker w = (RemoteWorker) worker(queue, workerId);
    lose(queue, workerId);
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (w.isConnected()) { // the worker hears of the drop on its event loop
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("still connected after " + PATIENCE);
      }
      Thread.sleep(2);
    }
  }
}
