package io.asynqueue.mandelbrot;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.RefusedCallException;
import io.asynqueue.TaskQueue;
import io.asynqueue.remote.Remote;
import io.asynqueue.remote.RemoteWorker;
import io.asynqueue.remote.RemoteWorkerOptions;
import io.asynqueue.remote.server.WorkerServer;
import io.asynqueue.remote.server.WorkerServerOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The row service on a real server on 127.0.0.1: rows are callable, its static factory is not. */
@Timeout(60)
final class RowServiceTest {

  static final String SECRET = "a secret for the row service test";

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void rows_areCallable_andTheStaticServerFactoryIsNot() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      WorkerServer server = RowService.server(vertx, new WorkerServerOptions().setPort(0).setSecret(SECRET)
          .setConcurrency(1));
      int port = await(server.listen());
      TaskQueue q = TaskQueue.create(vertx);
      await(q.attachWorker(RemoteWorker.create(vertx, new RemoteWorkerOptions().setPort(port).setSecret(SECRET))));
      ViewSpec spec = new ViewSpec(8, 4, -2, 1, -1, 1, 100);
      assertThat(await(q.<byte[]>call(Remote.named(RowService.ROW), spec, 2))).isEqualTo(MandelbrotValuer.row(spec, 2));
      // RowService.server(Vertx, WorkerServerOptions) is public and static: a remote caller must not reach it
      Future<Object> factory = q.call(Remote.named("server"), "0.0.0.0", "1978");
      assertThat(await(factory.map(x -> (Throwable) null).recover(Future::succeededFuture)))
          .isInstanceOf(RefusedCallException.class).hasMessageContaining("server is not exposed: it is static");
      await(q.shutdown());
      await(server.close());
    } finally {
      await(vertx.close());
    }
  }
}
