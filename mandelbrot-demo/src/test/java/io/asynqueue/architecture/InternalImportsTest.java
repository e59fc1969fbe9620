package io.asynqueue.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Vert.x's internal API ({@code io.vertx.*.internal} and {@code .impl} packages, no compatibility promise) in the
 * main sources of every module: each use is an import listed in {@link #ALLOWED} with its reason, and the import
 * carries that reason in a comment on the line above it (one comment may head a run of such imports). A new use
 * fails {@link #everyInternalImport_isAllowed} until it is listed; a listed one that went fails
 * {@link #everyAllowance_isStillUsed}, so the list only shrinks.
 *
 * <p>It reads the sources, not the classes, to see the import sites. It lives here because this module sits beside
 * all the others in the build.
 */
final class InternalImportsTest {

  private static final String CALLER_CONTEXT = "promises and futures bound to the caller's context (their callbacks"
      + " run there, whichever thread completes them): Vert.x 5 has no public API that makes one";
  private static final String RUN_NOW = "execute and emit (run at once when already on the context), inThread,"
      + " reportException, timers and promises bound to it: Context has none of them";
  private static final String CONTEXT_OF_VERTX = "getOrCreateContext() typed as ContextInternal, for "
      + CALLER_CONTEXT;
  private static final String CONTEXT_TIMERS = "timers set on a given context (Context has none) and promises"
      + " bound to it";
  private static final String CLUSTER_MANAGER = "the Vert.x instance's cluster manager (clusterManager()), to reach"
      + " its Hazelcast instance: Vert.x 5 has no public getter";

  private static final String CLOSE_HOOK = "close hooks on the deploying verticle's context or the Vert.x instance,"
      + " and contexts whose close future only their owner closes: internal in Vert.x 5 (as WorkerExecutor uses them)";

  /**
   * Every use of Vert.x's internal API allowed in main sources: the class that imports it (its source file's name,
   * dotted), the internal class, and why. To add one: an entry here and the same reason at the import.
   */
  static final List<Allowed> ALLOWED = List.of(
      // asynqueue-core: the queue's engine
      new Allowed("io.asynqueue.Dispatcher", "VertxInternal", CONTEXT_OF_VERTX),
      new Allowed("io.asynqueue.EventLoopWorker", "ContextInternal", RUN_NOW),
      new Allowed("io.asynqueue.EventLoopWorker", "VertxInternal", "createEventLoopContext(): a context of its own,"
          + " not the verticle's, whose timers Vert.x cancels on undeploy"),
      new Allowed("io.asynqueue.internal.CloseHook", "CloseFuture", CLOSE_HOOK),
      new Allowed("io.asynqueue.internal.CloseHook", "ContextInternal", CLOSE_HOOK),
      new Allowed("io.asynqueue.internal.CloseHook", "VertxInternal", CLOSE_HOOK),
      new Allowed("io.asynqueue.JobImpl", "PromiseInternal", "the caller's context's promise, which every attempt of"
          + " a call shares and completes on that context"),
      new Allowed("io.asynqueue.Roster", "CloseFuture", CLOSE_HOOK),
      new Allowed("io.asynqueue.Roster", "ContextInternal", CALLER_CONTEXT),
      new Allowed("io.asynqueue.Roster", "VertxInternal", CONTEXT_OF_VERTX),
      new Allowed("io.asynqueue.TaskQueueImpl", "ContextInternal", CALLER_CONTEXT),
      new Allowed("io.asynqueue.TaskQueueImpl", "VertxInternal", CONTEXT_OF_VERTX),
      // asynqueue-core: pipelines, iteration, toolkit
      new Allowed("io.asynqueue.pipeline.Engine", "ContextInternal", RUN_NOW),
      new Allowed("io.asynqueue.pipeline.Engine", "PromiseInternal", "the pipeline's promises, bound to its context"),
      new Allowed("io.asynqueue.pipeline.Engine", "VertxInternal", CONTEXT_OF_VERTX),
      new Allowed("io.asynqueue.stream.DeferatorImpl", "ContextInternal", RUN_NOW),
      new Allowed("io.asynqueue.stream.Deferators", "ContextInternal", "hands the caller's context to DeferatorImpl"),
      new Allowed("io.asynqueue.stream.ListConsumer", "ContextInternal", RUN_NOW),
      new Allowed("io.asynqueue.stream.OrderedItemProducer", "ContextInternal", RUN_NOW),
      new Allowed("io.asynqueue.stream.Prefetcherator", "ContextInternal", RUN_NOW),
      new Allowed("io.asynqueue.toolkit.DeferredLockImpl", "ContextInternal", CALLER_CONTEXT),
      new Allowed("io.asynqueue.toolkit.DeferredTrackerImpl", "ContextInternal", CALLER_CONTEXT),
      new Allowed("io.asynqueue.toolkit.DelayImpl", "ContextInternal", CALLER_CONTEXT),
      new Allowed("io.asynqueue.toolkit.Timing", "ContextInternal", CALLER_CONTEXT),
      // asynqueue-process
      new Allowed("io.asynqueue.process.ChildTransport", "CloseFuture", CLOSE_HOOK),
      new Allowed("io.asynqueue.process.ChildTransport", "ContextBuilder", CLOSE_HOOK),
      new Allowed("io.asynqueue.process.ChildTransport", "ContextInternal", CONTEXT_TIMERS),
      new Allowed("io.asynqueue.process.ChildTransport", "VertxInternal", "contextBuilder(): the event loop the"
          + " children's reply sockets are read on, with a close future of its own"),
      new Allowed("io.asynqueue.process.ReplySocket", "ContextInternal", CONTEXT_TIMERS),
      // asynqueue-remote
      new Allowed("io.asynqueue.remote.RemoteTransport", "ContextInternal", CONTEXT_TIMERS),
      new Allowed("io.asynqueue.remote.RemoteWorkerImpl", "CloseFuture", CLOSE_HOOK),
      new Allowed("io.asynqueue.remote.RemoteWorkerImpl", "ContextBuilder", CLOSE_HOOK),
      new Allowed("io.asynqueue.remote.RemoteWorkerImpl", "VertxInternal", CLOSE_HOOK),
      new Allowed("io.asynqueue.remote.RemoteWorkerImpl", "ContextInternal", "hands the caller's context to"
          + " RemoteTransport"),
      new Allowed("io.asynqueue.remote.cluster.ClusterDirectory", "VertxInternal", CLUSTER_MANAGER),
      new Allowed("io.asynqueue.remote.cluster.ClusterWorkers", "VertxInternal", CONTEXT_OF_VERTX),
      new Allowed("io.asynqueue.remote.server.ServerConnection", "ContextInternal", CONTEXT_TIMERS),
      new Allowed("io.asynqueue.remote.server.WorkerServerImpl", "CloseFuture", CLOSE_HOOK),
      new Allowed("io.asynqueue.remote.server.WorkerServerImpl", "ContextInternal", CONTEXT_TIMERS),
      new Allowed("io.asynqueue.remote.server.WorkerServerImpl", "VertxInternal", "getOrCreateContext() typed as"
          + " ContextInternal, for each connection's " + CONTEXT_TIMERS),
      // mandelbrot-demo
      new Allowed("io.asynqueue.mandelbrot.cli.ClusterNode", "VertxInternal", CLUSTER_MANAGER));

  /** A use of Vert.x's internal API: a class and the internal class it names. */
  record Allowed(String user, String internalClass, String reason) {
    String key() {
      return user + " -> " + internalClass;
    }
  }

  /** A name in an internal package of Vert.x: {@code io.vertx.<anything>.internal.X} or {@code .impl.X}. */
  private static final Pattern INTERNAL = Pattern.compile(
      "\\bio\\.vertx\\.(?:\\w+\\.)*?(?:internal|impl)\\.(?:[a-z]\\w*\\.)*([A-Z]\\w*)");
  private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?io\\.vertx\\..*;\\s*$");

  @Test
  void everyInternalImport_isAllowed() {
    Set<String> allowed = ALLOWED.stream().map(Allowed::key).collect(Collectors.toSet());
    Set<String> unlisted = uses().stream().map(Use::key).filter(k -> !allowed.contains(k))
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(unlisted)
        .as("uses of Vert.x's internal API not listed in InternalImportsTest.ALLOWED: replace them with public API,"
            + " or list them there with the reason and say it in a comment above the import")
        .isEmpty();
  }

  @Test
  void everyAllowance_isStillUsed() {
    Set<String> used = uses().stream().map(Use::key).collect(Collectors.toSet());
    assertThat(ALLOWED.stream().map(Allowed::key).filter(k -> !used.contains(k)).toList())
        .as("entries of InternalImportsTest.ALLOWED whose use is gone: remove them")
        .isEmpty();
  }

  @Test
  void everyInternalUse_isAnImportWithItsReason() {
    List<String> bad = new ArrayList<>();
    for (Use use : uses()) {
      if (!use.isImport()) {
        bad.add(use.where() + ": names " + use.internalClass() + " in code; import it, with its reason above");
      } else if (!use.commented()) {
        bad.add(use.where() + ": imports " + use.internalClass() + " without a // comment saying why above it");
      }
    }
    assertThat(bad).isEmpty();
  }

  @Test
  void theScanSeesEveryModule() {
    // A scan that found no source would pass everything: it must see each module's main sources and their uses.
    assertThat(mainSourceRoots()).extracting(p -> p.getParent().getParent().getParent().getFileName().toString())
        .contains("asynqueue-core", "asynqueue-process", "asynqueue-remote", "mandelbrot-demo");
    assertThat(uses()).extracting(Use::user).contains("io.asynqueue.TaskQueueImpl");
  }

  /** A use found in a source: the class (file), the internal class, where, and whether it is a commented import. */
  record Use(String user, String internalClass, String where, boolean isImport, boolean commented) {
    String key() {
      return user + " -> " + internalClass;
    }
  }

  private static List<Use> uses() {
    List<Use> uses = new ArrayList<>();
    for (Path root : mainSourceRoots()) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
          scan(root, file, uses);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return uses;
  }

  private static void scan(Path root, Path file, List<Use> uses) throws IOException {
    String rel = root.relativize(file).toString();
    String user = rel.substring(0, rel.length() - ".java".length()).replace(file.getFileSystem().getSeparator(), ".");
    List<String> lines = Files.readAllLines(file);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      Matcher m = INTERNAL.matcher(line);
      while (m.find()) {
        boolean isImport = IMPORT.matcher(line).matches();
        String where = root.getParent().getParent().getParent().getFileName() + "/src/main/java/" + rel + ":" + (i + 1);
        uses.add(new Use(user, m.group(1), where, isImport, isImport && commentAbove(lines, i)));
      }
    }
  }

  /** Whether the import on line {@code i} has a {@code //} comment above it, or above the run of imports it ends. */
  private static boolean commentAbove(List<String> lines, int i) {
    int j = i - 1;
    while (j >= 0 && IMPORT.matcher(lines.get(j)).matches() && INTERNAL.matcher(lines.get(j)).find()) {
      j--;
    }
    return j >= 0 && lines.get(j).trim().startsWith("//");
  }

  /** {@code src/main/java} of every module of the build this test runs in. */
  private static List<Path> mainSourceRoots() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("asynqueue-core"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("the project's root, above " + Path.of("").toAbsolutePath()).isNotNull();
    try (Stream<Path> modules = Files.list(dir)) {
      return modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
