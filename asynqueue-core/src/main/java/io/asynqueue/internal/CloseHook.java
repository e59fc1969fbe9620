package io.asynqueue.internal;

import io.vertx.core.Closeable;
import io.vertx.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
// Vert.x internal API (listed in InternalImportsTest): close hooks are internal in Vert.x 5 (a verticle's close future,
// the instance's addCloseHook), the way WorkerExecutor registers its own.
import io.vertx.core.internal.CloseFuture;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a queue, a worker or a server registers to close with what made it, the Vert.x convention: with the
 * verticle whose context was current when it was made (when the verticle is undeployed), or else with the Vert.x
 * instance ({@code vertx.close()}), which undeploys every verticle too. This is how Vert.x's own {@code
 * WorkerExecutor} and {@code NetClient} resolve theirs.
 *
 * <p>The hook runs the owner's own graceful close (its shutdown, bounded by its stop timeout); the owner
 * {@linkplain #remove() removes} it once it is shut down by its user first, so that an application that makes and
 * shuts down many queues leaves no hook behind. Running the close twice, once from the hook and once by the user,
 * is the owner's business: every owner here returns the same outcome to both.
 *
 * <p>For sibling modules; no compatibility promise.
 */
public final class CloseHook implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(CloseHook.class);

  private final CloseFuture owner;
  private final String what;
  private final Supplier<Future<Void>> close;

  private CloseHook(CloseFuture owner, String what, Supplier<Future<Void>> close) {
    this.owner = owner;
    this.what = what;
    this.close = close;
  }

  /**
   * The close future a resource made now belongs to: the current context's (a verticle's, or the Vert.x
   * instance's for a context that is not a verticle's), or the Vert.x instance's on a thread with no context.
   *
   * @param vertx the Vert.x instance
   * @return the close future
   */
  public static CloseFuture current(Vertx vertx) {
    VertxInternal v = (VertxInternal) Objects.requireNonNull(vertx, "vertx");
    ContextInternal context = v.getContext();
    return context != null ? context.closeFuture() : v.closeFuture();
  }

  /**
   * Registers a hook on the {@linkplain #current(Vertx) current} close future.
   *
   * @param vertx the Vert.x instance
   * @param what what closes, for the log
   * @param close the owner's graceful close; it must complete
   * @return the hook, to {@linkplain #remove() remove} when the owner is shut down first
   */
  public static CloseHook register(Vertx vertx, String what, Supplier<Future<Void>> close) {
    return register(current(vertx), what, close);
  }

  /**
   * Registers a hook on a close future. If that is closed already (the verticle is being undeployed, or Vert.x
   * closed), the owner is left to its user, as Vert.x leaves its own resources then.
   *
   * @param owner the close future
   * @param what what closes, for the log
   * @param close the owner's graceful close; it must complete
   * @return the hook
   */
  public static CloseHook register(CloseFuture owner, String what, Supplier<Future<Void>> close) {
    CloseHook hook = new CloseHook(owner, what, close);
    if (!owner.add(hook)) {
      LOG.debug("{} was made while its verticle or Vert.x was closing: it closes only when shut down", what);
    }
    return hook;
  }

  /** @return the close future this hook is on */
  public CloseFuture owner() {
    return owner;
  }

  /** Takes the hook off its close future: the owner was shut down first. Idempotent. */
  public void remove() {
    owner.remove(this);
  }

  /** Called by Vert.x as the close future closes: runs the owner's close and completes when it does. */
  @Override
  public void close(Completable<Void> completion) {
    Future<Void> closed;
    try {
      closed = Objects.requireNonNull(close.get(), "close returned null");
    } catch (Throwable t) {
      closed = Future.failedFuture(t);
    }
    closed.onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("{} failed to close: {}", what, ar.cause().toString());
      }
      completion.succeed(); // a failure is logged: it must not stop the verticle or Vert.x from closing
    });
  }

  @Override
  public String toString() {
    return "close hook of " + what;
  }
}
