package io.asynqueue.mandelbrot.web;

import io.asynqueue.CallOptions;
import io.asynqueue.CancelToken;
import io.asynqueue.mandelbrot.QueueRowSource;
import io.asynqueue.mandelbrot.Renderer;
import io.asynqueue.mandelbrot.RowSource;
import io.asynqueue.mandelbrot.ViewSpec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /tile/{z}/{x}/{y}.png?values=&p=&c=}: a {@value #SIZE}x{@value #SIZE} PNG of tile (z, x, y) of a fixed grid.
 * At level z (0 to {@value #MAX_LEVEL}) a tile spans {@code S = 4 / 2^z} on both axes; tile (x, y) covers real
 * {@code [-2.5 + x S, -2.5 + (x + 1) S]} and imaginary {@code [2 - (y + 1) S, 2 - y S]}, x and y from 0 to
 * {@code 2^z - 1}. Its pixels are those of {@code /image.png} of the same bounds at {@value #SIZE}x{@value #SIZE}:
 * the same {@link ViewSpec} (made from the tile's centre and half-span, which are exact in doubles) and row task.
 *
 * <p>{@code values} is the iteration budget (default {@value #DEFAULT_VALUES}, within {@link ViewSpec}'s limits and the
 * server's {@code maxWork}); {@code p}, 0 to 20 (default 0), is the tile's priority, 0 the most wanted; {@code c}
 * names the client (1 to 64 of {@code [A-Za-z0-9_-]}; default: its address). A tile's rows go in the client's
 * series, so clients share the workers fairly while one client's tiles go by priority. Each tile's rows carry a
 * {@link CancelToken}: a client that goes before its tile is done takes the tile's queued rows off the queue.
 *
 * <p>Finished tiles are kept in a {@link TileCache} (header {@code X-Tile-Cache: hit} or {@code miss}). A request
 * for a tile being rendered waits for that render ({@code X-Tile-Cache: shared}), at the first request's
 * priority; the render is cancelled only when every request waiting for it has gone. Tiles do not
 * count against the renders of {@link ServerLimits}; at most {@code maxPerClient} tiles per client address render at
 * once, more get a 429 with {@code Retry-After}. A bad parameter gets a 400 with a one-line reason.
 */
public final class TileHandler {

  /** A tile's width and height in pixels. */
  public static final int SIZE = 256;
  /** The deepest level: beyond it a pixel is below a double's resolution. */
  public static final int MAX_LEVEL = 44;
  /** The iteration budget when {@code N} is not given. */
  public static final int DEFAULT_VALUES = 2000;
  /** The least wanted priority: {@code p} runs from 0 to this. */
  public static final int MAX_PRIORITY = 20;
  /** The default byte bound of the cache: 64 MiB. */
  public static final long DEFAULT_CACHE_BYTES = 64L << 20;
  /** Tiles rendering at once per client address, by default. */
  public static final int DEFAULT_MAX_PER_CLIENT = 64;

  private final Vertx vertx;
  private final QueueRowSource source;
  private final long maxWork;
  private final TileCache cache;
  private final ClientSlots perClient;
  /** The renders under way, by tile: a request for a tile being rendered waits for it. Its own lock. */
  private final Map<TileCache.Key, Render> inFlight = new HashMap<>();
  private final AtomicLong started = new AtomicLong();
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong cancelled = new AtomicLong();
  private final AtomicLong rowsCancelled = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong shared = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();

  /**
   * A handler.
   *
   * @param vertx the Vert.x instance
   * @param source where the rows are computed
   * @param maxWork the most pixel-iterations of a tile ({@code SIZE^2 N}); more gets a 400
   * @param cacheBytes the byte bound of the tile cache
   * @param maxPerClient tiles rendering at once per client address
   */
  public TileHandler(Vertx vertx, QueueRowSource source, long maxWork, long cacheBytes, int maxPerClient) {
    this.vertx = vertx;
    this.source = source;
    this.maxWork = maxWork;
    this.cache = new TileCache(cacheBytes);
    this.perClient = new ClientSlots(maxPerClient);
  }

  /**
   * The niceness of a tile's rows: {@code 2p - 20}, so p = 0 (the viewport's centre) runs at -20, the most
   * urgent, and p = 20 (far prefetch) at +20. Monotone and covering the whole range: within a series a row's
   * priority is its serial number times {@code 1 + ((niceness + 20) / 10)^2}, 1 for p = 0 and 17 for p = 20.
   *
   * @param p the priority, 0 to {@value #MAX_PRIORITY}
   * @return the niceness, -20 to +20
   */
  static int niceness(int p) {
    return 2 * p - 20;
  }

  /**
   * Answers a tile request: the path's parameters are {@code param0} to {@code param2} (z, x, y).
   *
   * @param rc the request
   */
  public void handle(RoutingContext rc) {
    HttpServerResponse response = rc.response();
    String address = rc.request().remoteAddress() == null ? "" : rc.request().remoteAddress().hostAddress();
    TileRequest tile;
    try {
      tile = TileRequest.of(rc, address, maxWork);
    } catch (IllegalArgumentException e) {
      rejected.incrementAndGet();
      response.setStatusCode(400).putHeader("Content-Type", "text/plain; charset=utf-8").end(e.getMessage() + "\n");
      return;
    }
    byte[] cached = cache.get(tile.key());
    if (cached != null) {
      hits.incrementAndGet();
      send(response, cached, "hit");
      return;
    }
    Render render;
    boolean first;
    synchronized (inFlight) {
      render = inFlight.get(tile.key());
      first = render == null;
      if (first && perClient.take(address)) {
        render = new Render(address, response);
        inFlight.put(tile.key(), render);
      }
      if (render != null) {
        render.waiting.add(response);
      }
    }
    if (render == null) {
      refused.incrementAndGet();
      response.setStatusCode(429).putHeader("Retry-After", "1").putHeader("Content-Type", "text/plain; charset=utf-8")
          .end("too many tiles from " + address + ": at most " + perClient.max() + " at once\n");
      return;
    }
    Render r = render;
    response.exceptionHandler(e -> {
      // a reset connection; the close handler does the rest
    });
    response.closeHandler(v -> leave(tile.key(), r, response));
    if (!first) {
      shared.incrementAndGet();
      return;
    }
    started.incrementAndGet();
    CallOptions options = new CallOptions().setSeries("tile:" + tile.client()).setNiceness(niceness(tile.p()))
        .setCancelToken(r.token);
    ByteArrayOutputStream png = new ByteArrayOutputStream(32 * 1024);
    Renderer.render(vertx.getOrCreateContext(), rowsWith(options), tile.spec(), png, true,
            Renderer.DEFAULT_COMPRESSION, null)
        .onComplete(ar -> finish(tile.key(), r, ar.succeeded() ? png.toByteArray() : null, ar.cause()));
  }

  /** A request for a render has gone (its connection closed): the last one to go cancels the render. */
  private void leave(TileCache.Key key, Render r, HttpServerResponse response) {
    synchronized (inFlight) {
      if (!r.waiting.remove(response) || !r.waiting.isEmpty() || r.over) {
        return;
      }
      r.over = true;
      inFlight.remove(key);
    }
    perClient.give(r.address);
    cancelled.incrementAndGet();
    rowsCancelled.addAndGet(r.token.cancel());
  }

  /** A render ended: its PNG (or null, and why not) goes to every request still waiting for it. */
  private void finish(TileCache.Key key, Render r, byte[] png, Throwable failure) {
    List<HttpServerResponse> waiting;
    synchronized (inFlight) {
      if (r.over) {
        return; // every request went: counted as cancelled
      }
      r.over = true;
      inFlight.remove(key);
      waiting = new ArrayList<>(r.waiting);
      r.waiting.clear();
    }
    perClient.give(r.address);
    if (png != null) {
      cache.put(key, png);
      served.incrementAndGet();
      for (HttpServerResponse w : waiting) {
        send(w, png, w == r.first ? "miss" : "shared");
      }
    } else {
      failed.incrementAndGet();
      r.token.cancel();
      for (HttpServerResponse w : waiting) {
        if (!w.closed() && !w.ended()) {
          w.setStatusCode(500).putHeader("Content-Type", "text/plain; charset=utf-8")
              .end("the tile failed: " + failure + "\n");
        }
      }
    }
  }

  /** A tile's render under way and the requests waiting for it; its fields guarded by the handler's inFlight. */
  private static final class Render {
    final String address;
    final HttpServerResponse first;
    final CancelToken token = new CancelToken();
    final List<HttpServerResponse> waiting = new ArrayList<>(1);
    /** Set once it is answered or cancelled. */
    boolean over;

    Render(String address, HttpServerResponse first) {
      this.address = address;
      this.first = first;
    }
  }

  /** The source's rows, made with these options. */
  private RowSource rowsWith(CallOptions options) {
    return new RowSource() {
      @Override
      public ReadStream<byte[]> rows(Context context, ViewSpec spec) {
        return source.rowsWith(context, spec, options);
      }

      @Override
      public int workers() {
        return source.workers();
      }

      @Override
      public Future<Void> close() {
        return Future.succeededFuture();
      }
    };
  }

  private static void send(HttpServerResponse response, byte[] png, String cache) {
    if (response.closed() || response.ended()) {
      return;
    }
    response.putHeader("Content-Type", "image/png")
        .putHeader("X-Tile-Cache", cache)
        .putHeader("Cache-Control", "public, max-age=86400")
        .end(Buffer.buffer(png));
  }

  /**
   * The tiles' counters: {@code started}, {@code served}, {@code cancelled} (client gone before the tile was
   * done), {@code rowsCancelled} (queued rows taken off the queue then), {@code failed}, {@code cacheHits},
   * {@code shared} (requests that waited for a render of the same tile under way),
   * {@code cacheBytes}, {@code cacheTiles}, {@code evicted}, {@code rejected} (400), {@code refused} (429) and
   * {@code active}.
   *
   * @return the counters
   */
  public JsonObject stats() {
    return new JsonObject()
        .put("started", started.get())
        .put("served", served.get())
        .put("cancelled", cancelled.get())
        .put("rowsCancelled", rowsCancelled.get())
        .put("failed", failed.get())
        .put("active", started.get() - served.get() - cancelled.get() - failed.get())
        .put("cacheHits", hits.get())
        .put("shared", shared.get())
        .put("cacheBytes", cache.bytes())
        .put("cacheTiles", cache.size())
        .put("cacheMaxBytes", cache.maxBytes())
        .put("evicted", cache.evicted())
        .put("rejected", rejected.get())
        .put("refused", refused.get());
  }
}
