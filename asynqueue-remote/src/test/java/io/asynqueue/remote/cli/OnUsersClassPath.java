package io.asynqueue.remote.cli;

import io.asynqueue.TaskQueue;
import io.asynqueue.remote.Remote;
import io.asynqueue.remote.RemoteWorker;
import io.asynqueue.remote.Servers;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;

/**
 * Run by {@link ServerManagerClassPathTest} in a child JVM on the class path a user of asynqueue-remote gets: starts
 * a server with {@link ServerManager} (a grandchild JVM on the same class path), calls it, and starts one with bad
 * arguments. Prints what it finds, one line each.
 */
public final class OnUsersClassPath {

  private OnUsersClassPath() {
  }

  public static void main(String[] args) throws Exception {
    Path secretFile = Path.of(args[0]);
    System.out.println("slf4j-simple: " + present("org.slf4j.simple.SimpleLogger"));
    Vertx vertx = Vertx.vertx();
    ServerManager servers = ServerManager.create(vertx, List.of("-Xmx128m", "-XX:TieredStopAtLevel=1"));
    try {
      ServerManager.LocalServer server = Servers.await(servers.spawn(Servers.serveArgs(secretFile)));
      TaskQueue q = TaskQueue.create(vertx);
      Servers.await(q.attachWorker(RemoteWorker.create(vertx, Servers.workerOptions(server.port()))));
      Integer sum = Servers.await(q.call(Remote.named("add"), 1, 2));
      System.out.println("remote call: " + sum);
      Servers.await(q.shutdown());
      Throwable refused = Servers.failure(servers.spawn("--secret-file", secretFile.toString(),
          "--service", "no.such.Service"));
      System.out.println("bad arguments: " + refused.getMessage());
    } catch (Exception e) {
      System.out.println("failed: " + e);
    }
    System.out.flush();
    servers.close();
    Servers.await(vertx.close());
    System.exit(0);
  }

  private static String present(String className) {
    try {
      Class.forName(className);
      return "present";
    } catch (ClassNotFoundException e) {
      return "absent";
    }
  }
}
