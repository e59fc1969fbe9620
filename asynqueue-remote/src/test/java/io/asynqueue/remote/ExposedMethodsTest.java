package io.asynqueue.remote;

import static io.asynqueue.remote.Servers.await;
import static io.asynqueue.remote.Servers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.RefusedCallException;
import io.asynqueue.TaskQueue;
import io.asynqueue.remote.server.WorkerServer;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Only the instance methods that a service's class declares are callable: not its static methods (a factory beside
 * the service), not what it inherits from a base class, an interface or {@code Object}.
 */
@Timeout(60)
final class ExposedMethodsTest {

  /** Calls of the methods that must not run. */
  static final AtomicInteger ran = new AtomicInteger();

  /** A framework's base class, say. */
  public static class Base {
    public String inherited() {
      ran.incrementAndGet();
      return "inherited";
    }

    public String overridden() {
      return "base";
    }
  }

  /** An interface with a default method. */
  public interface Greeter {
    default String greet(String who) {
      ran.incrementAndGet();
      return "hello " + who;
    }
  }

  /** The service. */
  public static class Service extends Base implements Greeter {
    public int own(int x) {
      return x + 1;
    }

    @Override
    public String overridden() {
      return "service";
    }

    /** A factory, as the row service of mcm has one. */
    public static String server(String host, String port) {
      ran.incrementAndGet();
      return "a server of " + host + ":" + port;
    }
  }

  @Test
  void staticAndInheritedMethods_areRefused_andDeclaredOnesRun() throws Exception {
    Vertx vertx = Vertx.vertx();
    WorkerServer server = WorkerServer.create(vertx, new Service(), Servers.serverOptions());
    await(server.listen());
    TaskQueue q = TaskQueue.create(vertx);
    await(q.attachWorker(RemoteWorker.create(vertx, Servers.workerOptions(server.actualPort()))));

    assertThat(await(q.<Integer>call(Remote.named("own"), 41))).isEqualTo(42);
    assertThat(await(q.<String>call(Remote.named("overridden")))).isEqualTo("service");
    assertThat(failure(q.call(Remote.named("server"), "0.0.0.0", "1978"))).isInstanceOf(RefusedCallException.class)
        .hasMessageContaining("server is not exposed: it is static");
    assertThat(failure(q.call(Remote.named("inherited")))).isInstanceOf(RefusedCallException.class)
        .hasMessageContaining("inherited from " + Base.class.getName());
    assertThat(failure(q.call(Remote.named("greet"), "you"))).isInstanceOf(RefusedCallException.class)
        .hasMessageContaining("inherited from " + Greeter.class.getName());
    for (String objectMethod : List.of("toString", "hashCode", "getClass", "notifyAll")) {
      assertThat(failure(q.call(Remote.named(objectMethod)))).isInstanceOf(RefusedCallException.class);
    }
    assertThat(ran.get()).isZero();
    assertThat(await(q.<Integer>call(Remote.named("own"), 1))).isEqualTo(2); // the connection carries on
    await(q.shutdown());
    await(server.close());
    await(vertx.close());
  }
}
