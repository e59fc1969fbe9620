package io.asynqueue.mandelbrot.web;

import io.asynqueue.stream.OrderedItemProducer;
import io.asynqueue.QueueLoad;
import io.asynqueue.mandelbrot.PngEncoder;
import io.asynqueue.mandelbrot.PngWriteStream;
import io.asynqueue.mandelbrot.QueueRowSource;
import io.asynqueue.mandelbrot.Renderer;
import io.asynqueue.mandelbrot.ViewSpec;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The web server of {@code mcm serve}: the page ({@code /}, with {@code mcm.js} and {@code mcm.css} from the
 * jar), {@code /image.png}, {@code /tile/{z}/{x}/{y}.png} ({@link TileHandler}), {@code /events} (the stats as
 * server-sent events, every 250 ms), {@code /stats} and, given a registry, {@code /metrics} (the queue's meters in the
 * Prometheus text format).
 *
 * <p><b>{@code GET /image.png?N=&cr=&ci=&crpm=[&cipm=][&values=]}</b> streams a PNG as its rows finish,
 * chunked. {@code N} is the width, default {@value #DEFAULT_WIDTH}, clamped to {@value #MIN_WIDTH} to
 * {@value #MAX_WIDTH} as the original's web mode did; {@code cr}, {@code ci} and {@code crpm} default to the
 * default view, {@code cipm} to {@code crpm}; {@code values} is the iteration budget, default
 * {@value #DEFAULT_VALUES} (the original's web mode), at most {@value #MAX_VALUES}. The height is
 * {@code floor(N * cipm / crpm)}, at most {@value #MAX_HEIGHT}. Anything unparsable or out of range gets
 * a 400 with a one-line message.
 *
 * <p><b>Limits</b> ({@link ServerLimits}). A render of more than {@code maxWork} pixel-iterations (width x height x
 * {@code values}) gets a 400 saying so. Beyond {@code maxRendersPerClient} renders at once from one client address
 * a request gets a 429, beyond {@code maxRenders} overall a 503, both with {@code Retry-After}. Connections beyond
 * {@code maxConnections} are closed as they open; a connection with no request under way for {@code idleTimeout}
 * (a request head not all there by then included) is closed. HTTP/2 cleartext is off unless asked for.
 *
 * <p><b>Sharing and cancelling.</b> Each render's rows go to the queue in their own series, so concurrent
 * renders share the workers fairly. At most {@link QueueRowSource#ROWS_PER_WORKER} rows per worker of a
 * render are submitted at once; when the client disconnects, no further row is submitted and the render's rows
 * still queued are cancelled at once, so only the rows running then are computed, for nobody.
 */
public final class MandelbrotServer {

  /** The default port: the original's web mode. */
  public static final int DEFAULT_PORT = 8080;
  /** The default interface: this machine only. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** The width of an image when {@code N} is not given. */
  public static final int DEFAULT_WIDTH = 640;
  /** The narrowest image: narrower requests are widened. */
  public static final int MIN_WIDTH = 240;
  /** The widest image: wider requests are narrowed. */
  public static final int MAX_WIDTH = 10_000;
  /** The tallest image a request may ask for. */
  public static final int MAX_HEIGHT = 10_000;
  /** The iteration budget when {@code values} is not given: the original's web mode. */
  public static final int DEFAULT_VALUES = 3000;
  /** The largest iteration budget a request may ask for. */
  public static final int MAX_VALUES = 100_000;

  private final Vertx vertx;
  private final QueueRowSource source;
  private final String workerKind;
  /** Scraped at {@code /metrics}; null for none. */
  private final PrometheusMeterRegistry metrics;
  private final AtomicLong started = new AtomicLong();
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong cancelled = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final ServerLimits limits;
  private final ConnectionGuard connections;
  private final AtomicInteger active = new AtomicInteger();
  /** Renders under way per client address; an address leaves the map when its last render ends. */
  private final ClientSlots activePerClient;
  /** The queue's load when the last client went away mid-render: what is left to run for nobody. */
  private volatile JsonObject lastDisconnect = new JsonObject();
  private final TileHandler tiles;
  private final EventFeed events;
  private HttpServer server;

  private MandelbrotServer(Vertx vertx, QueueRowSource source, String workerKind, ServerLimits limits,
      PrometheusMeterRegistry metrics, long tileCacheBytes) {
    this.vertx = vertx;
    this.tiles = new TileHandler(vertx, source, limits.maxWork(), tileCacheBytes, limits.maxTilesPerClient());
    this.events = new EventFeed(vertx, this::stats);
    this.source = source;
    this.workerKind = workerKind;
    this.limits = limits;
    this.activePerClient = new ClientSlots(limits.maxRendersPerClient());
    this.connections = new ConnectionGuard(vertx, limits);
    this.metrics = metrics;
  }

  /**
   * Starts a server.
   *
   * @param vertx the Vert.x instance
   * @param source where the rows are computed; left open by {@link #close()}
   * @param workerKind what the workers are, for {@code /stats}: {@code "threads"}, {@code "processes"} or
   *     {@code "cluster"}
   * @param host the interface to listen on
   * @param port the port, 0 for any free one
   * @return a Future of the listening server
   */
  public static Future<MandelbrotServer> start(Vertx vertx, QueueRowSource source, String workerKind,
      String host, int port) {
    return start(vertx, source, workerKind, host, port, ServerLimits.defaults(), null);
  }

  /**
   * Starts a server with these limits, which also serves {@code GET /metrics} (the registry scraped, in the
   * Prometheus text format) when given a registry.
   *
   * @param vertx the Vert.x instance
   * @param source where the rows are computed; left open by {@link #close()}
   * @param workerKind what the workers are, for {@code /stats}: {@code "threads"}, {@code "processes"} or
   *     {@code "cluster"}
   * @param host the interface to listen on
   * @param port the port, 0 for any free one
   * @param limits renders, work, connections and timeouts at most
   * @param metrics the registry the source's queue records in, or null for no {@code /metrics}
   * @return a Future of the listening server
   */
  public static Future<MandelbrotServer> start(Vertx vertx, QueueRowSource source, String workerKind,
      String host, int port, ServerLimits limits, PrometheusMeterRegistry metrics) {
    return start(vertx, source, workerKind, host, port, limits, metrics, TileHandler.DEFAULT_CACHE_BYTES);
  }

  /**
   * Starts a server with these limits, a registry for {@code /metrics} (or null) and a tile cache of this many
   * bytes at most (see {@link TileHandler}).
   *
   * @param vertx the Vert.x instance
   * @param source where the rows are computed; left open by {@link #close()}
   * @param workerKind what the workers are, for {@code /stats}
   * @param host the interface to listen on
   * @param port the port, 0 for any free one
   * @param limits renders, work, connections and timeouts at most
   * @param metrics the registry the source's queue records in, or null for no {@code /metrics}
   * @param tileCacheBytes the most bytes of finished tiles kept
   * @return a Future of the listening server
   */
  public static Future<MandelbrotServer> start(Vertx vertx, QueueRowSource source, String workerKind,
      String host, int port, ServerLimits limits, PrometheusMeterRegistry metrics, long tileCacheBytes) {
    MandelbrotServer s = new MandelbrotServer(vertx, source, workerKind, limits, metrics, tileCacheBytes);
    return vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(limits.h2c()))
        .connectionHandler(s.connections::opened)
        .requestHandler(s.router())
        .listen(port, host)
        .map(http -> {
          s.server = http;
          return s;
        });
  }

  /** @return the port it listens on */
  public int port() {
    return server.actualPort();
  }

  /** @return a Future completed when the server has stopped listening */
  public Future<Void> close() {
    events.close();
    return server.close();
  }

  private Router router() {
    Router router = Router.router(vertx);
    router.route().handler(rc -> {
      var connection = rc.request().connection();
      connections.busy(connection);
      rc.addEndHandler(ar -> connections.idle(connection));
      rc.next();
    });
    router.get("/image.png").handler(this::image);
    router.getWithRegex("/tile/([^/]*)/([^/]*)/([^/]*)\\.png").handler(tiles::handle);
    router.get("/events").handler(events::handle);
    router.get("/stats").handler(rc -> rc.response()
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(stats().encodePrettily()));
    if (metrics != null) {
      router.get("/metrics").handler(rc -> rc.response()
          .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape()));
    }
    router.get().handler(StaticHandler.create("webroot").setIndexPage("index.html"));
    return router;
  }

  /**
   * The server's counters and the queue's load.
   *
   * @return {@code queued} (rows waiting for a worker), {@code running} (rows being computed),
   *     {@code workers} (per worker ID: {@code running} and {@code done}), {@code rowsDone}, and the renders
   *     {@code started}, {@code served} (sent whole), {@code cancelled} (client gone), {@code failed},
   *     {@code active}, {@code rejected} (400) and {@code refused} (429, 503); {@code tiles} (see
   *     {@link TileHandler#stats()}); {@code listeners} of {@code /events}; {@code connections} open;
   *     {@code lastDisconnect}: the queue's {@code rowsDone} and
   *     {@code rowsInFlight} when the last client went away mid-render (its rows in flight still run, but
   *     no more are submitted)
   */
  public JsonObject stats() {
    QueueLoad load = source.queue().load();
    JsonObject workers = new JsonObject();
    long done = 0;
    for (var e : load.workers().entrySet()) {
      workers.put(String.valueOf(e.getKey()),
          new JsonObject().put("running", e.getValue().running()).put("done", e.getValue().done()));
      done += e.getValue().done();
    }
    long finished = served.get() + cancelled.get() + failed.get();
    return new JsonObject()
        .put("workerKind", workerKind)
        .put("workerCount", source.workers())
        .put("queued", load.queued())
        .put("running", load.running())
        .put("rowsDone", done)
        .put("workers", workers)
        .put("renders", new JsonObject()
            .put("started", started.get())
            .put("served", served.get())
            .put("cancelled", cancelled.get())
            .put("failed", failed.get())
            .put("active", started.get() - finished)
            .put("rejected", rejected.get())
            .put("refused", refused.get()))
        .put("tiles", tiles.stats())
        .put("listeners", events.listeners())
        .put("connections", connections.open())
        .put("lastDisconnect", lastDisconnect);
  }

  private void image(RoutingContext rc) {
    ViewSpec spec;
    try {
      spec = viewOf(rc.request().params());
      long work = (long) spec.nx() * spec.ny() * spec.nValues();
      if (work > limits.maxWork()) {
        throw new IllegalArgumentException("the render would take " + work + " pixel-iterations (N x height x values);"
            + " this server takes at most " + limits.maxWork() + " (mcm serve --max-work)");
      }
    } catch (IllegalArgumentException e) {
      rejected.incrementAndGet();
      rc.response().setStatusCode(400)
          .putHeader("Content-Type", "text/plain; charset=utf-8")
          .end(e.getMessage() + "\n");
      return;
    }
    String client = rc.request().remoteAddress() == null ? "" : rc.request().remoteAddress().hostAddress();
    String refusal = admit(client);
    if (refusal != null) {
      refused.incrementAndGet();
      rc.response().setStatusCode(refusal.startsWith("too many renders from") ? 429 : 503)
          .putHeader("Retry-After", "2")
          .putHeader("Content-Type", "text/plain; charset=utf-8")
          .end(refusal + "\n");
      return;
    }
    // given back when the client goes or the render ends, whichever is first (the close handler below replaces the
    // routing context's, so its end handlers would not hear of a closed connection)
    AtomicBoolean holding = new AtomicBoolean(true);
    Runnable releaseSlot = () -> {
      if (holding.compareAndSet(true, false)) {
        release(client);
      }
    };
    long id = started.incrementAndGet();
    Context context = vertx.getOrCreateContext();
    HttpServerResponse response = rc.response()
        .setChunked(true)
        .putHeader("Content-Type", "image/png");
    ResponseOutputStream out = new ResponseOutputStream(context, response);
    // Set on the context once the rows are piped; until then a closed connection just skips the render.
    // (Stopping a producer before a pipe is attached would end it with no end handler to hear it.)
    AtomicReference<OrderedItemProducer<byte[]>> rows = new AtomicReference<>();
    // The client has gone: submit no further row. The pipe then ends; nothing more is written.
    response.closeHandler(v -> {
      releaseSlot.run();
      out.clientGone();
      if (rows.get() != null) {
        rows.get().stop();
        QueueLoad load = source.queue().load();
        lastDisconnect = new JsonObject()
            .put("rowsDone", load.workers().values().stream().mapToLong(QueueLoad.WorkerLoad::done).sum())
            .put("rowsInFlight", load.queued() + load.running());
      }
    });
    response.exceptionHandler(e -> {
      // a reset connection; the close handler does the rest
    });
    context.executeBlocking(() -> new PngEncoder(out, spec.nx(), spec.ny(), Renderer.DEFAULT_COMPRESSION))
        .compose(encoder -> {
          if (out.isClientGone()) {
            encoder.abandon();
            return Future.<Void>succeededFuture();
          }
          rows.set(source.rows(context, spec, "render-" + id));
          // the stream closes out after the PNG's last byte; the response is ended below, not by the stream
          PngWriteStream png = new PngWriteStream(context, encoder, out, true, null);
          // and the last byte reaches the response once out's close has (see ResponseOutputStream)
          return rows.get().pipeTo(new ResponseRowSink(png, response)).compose(v -> out.closed());
        })
        .onComplete(ar -> {
          releaseSlot.run();
          if (out.isClientGone()) {
            cancelled.incrementAndGet();
          } else if (ar.succeeded()) {
            // counted before the end is written, so that a client that has its whole image finds it in /stats;
            // every byte of the PNG has been written to the response by now (out is closed)
            served.incrementAndGet();
            response.end();
          } else {
            failed.incrementAndGet();
            if (rows.get() != null) {
              rows.get().stop();
            }
            response.reset(); // the PNG is broken and the status already sent: cut the connection
          }
        });
  }

  /** Takes a render slot for a client, or says why not. */
  private String admit(String client) {
    if (active.incrementAndGet() > limits.maxRenders()) {
      active.decrementAndGet();
      return "the server is busy: " + limits.maxRenders() + " renders under way; try again shortly";
    }
    if (!activePerClient.take(client)) {
      active.decrementAndGet();
      return "too many renders from " + client + ": at most " + limits.maxRendersPerClient() + " at once";
    }
    return null;
  }

  /** Gives a client's render slot back. */
  private void release(String client) {
    active.decrementAndGet();
    activePerClient.give(client);
  }

  /**
   * The view a request asks for.
   *
   * @throws IllegalArgumentException with a message fit for the client
   */
  static ViewSpec viewOf(MultiMap params) {
    int n = Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, intParam(params, "N", DEFAULT_WIDTH)));
    double cr = doubleParam(params, "cr", ViewSpec.DEFAULT_CR);
    double ci = doubleParam(params, "ci", ViewSpec.DEFAULT_CI);
    double crpm = doubleParam(params, "crpm", ViewSpec.DEFAULT_CR_PM);
    double cipm = doubleParam(params, "cipm", crpm);
    int values = intParam(params, "values", DEFAULT_VALUES);
    if (values > MAX_VALUES) {
      throw new IllegalArgumentException("values must be at most " + MAX_VALUES + ", not " + values);
    }
    if (crpm > 0 && cipm > 0 && Math.floor(n * cipm / crpm) > MAX_HEIGHT) {
      throw new IllegalArgumentException(
          "the image would be more than " + MAX_HEIGHT + " pixels high: N * cipm / crpm is too large");
    }
    return ViewSpec.of(n, cr, ci, crpm, cipm, values);
  }

  private static int intParam(MultiMap params, String name, int fallback) {
    String s = params.get(name);
    if (s == null || s.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(s.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, not '" + clip(s) + "'");
    }
  }

  private static double doubleParam(MultiMap params, String name, double fallback) {
    String s = params.get(name);
    if (s == null || s.isBlank()) {
      return fallback;
    }
    try {
      double d = Double.parseDouble(s.strip());
      if (Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException(name + " must be a finite number, not '" + clip(s) + "'");
  }

  static String clip(String s) {
    String one = s.replaceAll("[\\p{Cntrl}]", "?");
    return one.length() <= 40 ? one : one.substring(0, 40) + "...";
  }
}
