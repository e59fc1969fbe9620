package io.asynqueue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which queued call runs next: series share the workers by the worker time their calls used, weighted by
 * niceness (the idea of Linux's Completely Fair Scheduler); within a series, by priority. Used under the
 * queue's lock.
 *
 * <p><b>Across series.</b> Each series has a virtual run time, {@link SeriesQueue#vruntime}: the worker time
 * its calls have used, each call's time weighted by its niceness factor relative to niceness 0's ({@code 1 +
 * ((niceness + 20) / 10)^2} over 5: a call of niceness -20 costs a fifth of its time, one of +20 costs 3.4
 * times it). The non-empty series wait in a binary min-heap ordered by it, and a worker that frees up takes
 * the best call of the series at the top. A call's time is charged twice: at dispatch, the series' estimate
 * (a moving average of its calls' times), so that a series running on every worker at once is seen as busy;
 * when it ends, the difference between its real time and the estimate. So a series of 1 ms calls beside
 * series of 200 ms calls gets a worker whenever one frees up, until it has used as much worker time as the
 * others, rather than one call in turn with each series.
 *
 * <p>A series that was idle (nothing queued) comes back at no less than {@link #floor} minus {@link #BANK}:
 * it may have used less than the others, but it does not bank more than {@code BANK} of credit for when it
 * comes back, so a series quiet for an hour does not then hold every worker for an hour. A new series starts
 * there too: a short burst of precedence, as a quiet series had in the original. The floor is the virtual run time of the series last taken from the top of the heap (the
 * least-used one), never lowered.
 *
 * <p><b>Urgent and last calls.</b> A doNext call or a retry (priority -infinity) runs before any other call:
 * a series whose best call is one is ahead of every series whose best call is not, and among such series the
 * oldest call goes first. A doLast call (priority +infinity) runs behind every other call of every series.
 *
 * <p><b>Within a series.</b> The priority order the original has: a per-series serial number times the
 * niceness factor, first-come first-served on ties ({@link SeriesQueue}).
 *
 * <p><b>Cost.</b> With s non-empty series and n queued calls: a new call is O(1) into its series (O(log n)
 * when it does not come in priority order) plus O(log s) when its series' best call changes or it wakes the
 * series; taking the next call for a worker that serves every series is O(log s) (the series' poll and one
 * sift of the heap); a call ending is O(log s) (its series' time changes); cancelling a queued call is O(log
 * n + log s). A worker that serves only some series looks at those series' tops: O(its series). Memory: the
 * fields of the call itself ({@link JobImpl}), nothing per call here; per series, one {@link SeriesQueue}.
 * Idle series are forgotten in bulk once there are more than {@link #MAX_IDLE} of them (O(1) amortized).
 */
final class SeriesScheduler {

  /** How much credit (weighted nanoseconds) an idle series may bank for when it comes back: 100 ms. */
  static final long BANK = 100_000_000L;
  /** Idle series remembered (for their run time) before they are forgotten. */
  static final int MAX_IDLE = 4096;
  static final double RUSH = Double.NEGATIVE_INFINITY;
  static final double RELAX = Double.POSITIVE_INFINITY;

  private final Map<String, SeriesQueue> byName = new HashMap<>();
  /** The default series' queue (also in byName, and never forgotten): saves a hash lookup per call. */
  final SeriesQueue defaultQueue = new SeriesQueue(null);
  /** The non-empty series, a binary min-heap in heap[0 .. size) by {@link #before}. */
  private SeriesQueue[] heap = new SeriesQueue[16];
  private int size;
  /** Virtual run time of the least-used series, as last seen at the top of the heap; never lowered. */
  private long floor;
  /** The highest serial number of any series: a new series starts counting from it. */
  private long maxSerial;
  /** byName's size past which idle series are forgotten. */
  private int trimAt = MAX_IDLE;
  /**
   * Whether calls are timed: only once a named series is used. With the default series alone there is nothing to
   * share, so a queue that never names a series reads no clock per call (two {@code System.nanoTime()} calls were
   * a quarter of an event-loop call's cost). Until then the default series' run time stands still, which is
   * the same for the series that come later: they start relative to it.
   */
  boolean timed;
  /** {@link JobImpl#startNanos} of a call started while calls were not timed: its end charges nothing. */
  static final long UNTIMED = Long.MIN_VALUE;

  SeriesScheduler() {
    byName.put(null, defaultQueue);
  }

  /**
   * The weight of a call's time at a niceness, times 100: {@code 100 + (niceness + 20)^2}; 500 at niceness 0.
   *
   * @param niceness -20..+20
   * @return 100, 200, 500, 1000, 1700 for -20, -10, 0, +10, +20
   */
  static int weight(int niceness) {
    int x = niceness + 20;
    return 100 + x * x;
  }

  /** @return the niceness factor of the original: 1, 2, 5, 10, 17 for -20, -10, 0, +10, +20 */
  static double factor(int niceness) {
    return weight(niceness) / 100.0;
  }

  // ---------------------------------------------------------------- calls coming in

  /** Gives a new call its series, priority and sequence number. O(1). */
  void prepare(JobImpl job) {
    SeriesQueue q = seriesOf(job.series);
    job.queue = q;
    long serial = ++q.serial;
    if (serial > maxSerial) {
      maxSerial = serial;
    }
    job.priority = job.urgent ? RUSH : job.last ? RELAX : serial * factor(job.niceness);
  }

  /** Gives a retry its series and a place ahead of every call not urgent. */
  void prepareRetry(JobImpl job) {
    job.queue = seriesOf(job.series);
    job.priority = RUSH;
  }

  private SeriesQueue seriesOf(String series) {
    if (series == null) {
      return defaultQueue;
    }
    timed = true;
    SeriesQueue q = byName.get(series);
    if (q == null) {
      q = new SeriesQueue(series);
      q.serial = maxSerial;
      q.vruntime = floor - BANK; // as an idle series with all the credit it may bank
      byName.put(series, q);
      if (byName.size() > trimAt) {
        trim();
      }
    }
    return q;
  }

  /** Queues a prepared call on its series. O(1), or O(log n + log s) when it changes its series' best call. */
  void enqueue(JobImpl job) {
    SeriesQueue q = job.queue;
    if (q.isEmpty()) {
      wake(q);
      q.add(job);
      rekey(q);
      heapAdd(q);
    } else {
      JobImpl best = q.peek();
      q.add(job);
      if (job.compareTo(best) < 0) {
        rekey(q);
        siftUp(q.slot, q);
      }
    }
  }

  /** A series that had nothing queued: it banks no more than {@link #BANK} of credit. */
  private void wake(SeriesQueue q) {
    long least = floor - BANK;
    if (q.vruntime < least) {
      q.vruntime = least;
    }
  }

  // ---------------------------------------------------------------- calls going out

  /**
   * Takes the next call for a worker: for one that serves every series, the best call of the least-used
   * series (O(log s)); for one that serves some series, the best among those series' and the default series'
   * (O(its series)). Not charged yet: see {@link #started}.
   *
   * @return the call, taken off its series' queue, or null if the worker serves nothing queued
   */
  JobImpl take(WorkerSlot w) {
    return take(w.servesAll, w.series);
  }

  /**
   * {@link #take(WorkerSlot)} for a worker that serves every series, or {@code series} and the default series.
   */
  JobImpl take(boolean servesAll, Set<String> series) {
    if (size == 0) {
      return null;
    }
    SeriesQueue q;
    if (servesAll) {
      q = heap[0];
      if (q.vruntime > floor && !isUrgentOrLast(q.peek())) {
        floor = q.vruntime;
      }
    } else {
      q = defaultQueue.isEmpty() ? null : defaultQueue;
      for (String s : series) {
        SeriesQueue c = byName.get(s);
        if (c != null && !c.isEmpty() && (q == null || before(c, q))) {
          q = c;
        }
      }
      if (q == null) {
        return null;
      }
    }
    JobImpl job = q.poll();
    if (q.isEmpty()) {
      heapRemove(q);
    } else {
      rekey(q);
      siftDown(q.slot, q);
    }
    return job;
  }

  /** A call was handed to a worker: its series is charged its estimated time now. O(log s). */
  void started(JobImpl job, long now) {
    SeriesQueue q = job.queue;
    if (q.isEmpty() && q.running == 0) {
      wake(q);
    }
    q.running++;
    job.startNanos = now;
    if (now == UNTIMED) {
      job.chargedMicros = 0;
      return;
    }
    long micros = Math.min(Integer.MAX_VALUE, q.estimate * weight(job.niceness) / 500_000);
    job.chargedMicros = (int) micros;
    charge(q, micros * 1000);
  }

  /**
   * A started call ended after {@code now - job.startNanos}: its series is charged the difference from what it
   * was charged at the start, and learns its estimate. O(log s).
   */
  void ended(JobImpl job, long now) {
    SeriesQueue q = job.queue;
    q.running--;
    if (job.startNanos == UNTIMED) {
      return;
    }
    long took = Math.max(0, now - job.startNanos);
    q.estimate = q.estimate == 0 ? took : q.estimate + (took - q.estimate) / 4;
    charge(q, took * weight(job.niceness) / 500 - job.chargedMicros * 1000L);
  }

  private void charge(SeriesQueue q, long delta) {
    if (delta == 0) {
      return;
    }
    q.vruntime += delta;
    if (q.slot >= 0) {
      if (delta > 0) {
        siftDown(q.slot, q);
      } else {
        siftUp(q.slot, q);
      }
    }
  }

  // ---------------------------------------------------------------- calls leaving early

  /** Takes a queued call off its series' queue (a cancel). O(log n + log s). */
  void remove(JobImpl job) {
    SeriesQueue q = job.queue;
    boolean wasBest = q.peek() == job;
    q.remove(job);
    if (q.isEmpty()) {
      heapRemove(q);
    } else if (wasBest) {
      rekey(q);
      siftDown(q.slot, q);
    }
  }

  /** Moves every queued call of a series into {@code out}. */
  void drainSeries(String series, List<JobImpl> out) {
    SeriesQueue q = series == null ? defaultQueue : byName.get(series);
    if (q != null && !q.isEmpty()) {
      q.drainTo(out);
      heapRemove(q);
    }
  }

  /** @return the names of the series with queued calls */
  List<String> queuedSeries() {
    List<String> names = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      names.add(heap[i].name);
    }
    return names;
  }

  // ---------------------------------------------------------------- the heap of series

  /**
   * Whether series a's best call goes before series b's: by rank, then (plain calls) by run time, then by the
   * call's id. Both non-empty, their keys ({@link #rekey}) current: a comparison reads no call, only the two
   * series.
   */
  static boolean before(SeriesQueue a, SeriesQueue b) {
    int cx = a.headRank;
    int cy = b.headRank;
    if (cx != cy) {
      return cx < cy;
    }
    if (cx == 1 && a.vruntime != b.vruntime) {
      return a.vruntime < b.vruntime;
    }
    return a.headId < b.headId;
  }

  /** Copies a non-empty series' best call's rank and id into it, for {@link #before}. */
  private static void rekey(SeriesQueue q) {
    JobImpl best = q.peek();
    q.headRank = rank(best);
    q.headId = best.id;
  }

  /** 0 for an urgent call, 1 for a plain one, 2 for a doLast one. */
  private static int rank(JobImpl job) {
    double p = job.priority;
    return p == RUSH ? 0 : p == RELAX ? 2 : 1;
  }

  private static boolean isUrgentOrLast(JobImpl job) {
    return rank(job) != 1;
  }

  private void heapAdd(SeriesQueue q) {
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    siftUp(size++, q);
  }

  private void heapRemove(SeriesQueue q) {
    int i = q.slot;
    q.slot = -1;
    SeriesQueue moved = heap[--size];
    heap[size] = null;
    if (moved != q) {
      siftDown(i, moved);
      if (heap[i] == moved) {
        siftUp(i, moved);
      }
    }
  }

  private void siftUp(int i, SeriesQueue q) {
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      SeriesQueue p = heap[parent];
      if (!before(q, p)) {
        break;
      }
      heap[i] = p;
      p.slot = i;
      i = parent;
    }
    heap[i] = q;
    q.slot = i;
  }

  private void siftDown(int i, SeriesQueue q) {
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      SeriesQueue c = heap[child];
      int right = child + 1;
      if (right < size && before(heap[right], c)) {
        child = right;
        c = heap[child];
      }
      if (!before(c, q)) {
        break;
      }
      heap[i] = c;
      c.slot = i;
      i = child;
    }
    heap[i] = q;
    q.slot = i;
  }

  /** Forgets the idle series (nothing queued or running), once there are too many; amortized O(1). */
  private void trim() {
    for (Iterator<SeriesQueue> it = byName.values().iterator(); it.hasNext(); ) {
      SeriesQueue q = it.next();
      if (q != defaultQueue && q.isEmpty() && q.running == 0) {
        it.remove();
      }
    }
    trimAt = Math.max(MAX_IDLE, 2 * byName.size());
  }

  /** @return how many series are remembered (queued, running or idle) */
  int remembered() {
    return byName.size();
  }
}
