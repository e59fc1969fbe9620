package io.asynqueue.pipeline;

import static io.asynqueue.pipeline.Stage.stage;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.TaskQueue;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** parallel-queue's documented behaviour: parallel workers, results in input order, markers, a bounded buffer. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
final class ParallelQueueExamplesTest {

  /** What goes in: documents and batch-done markers. */
  interface Item extends Serializable {
  }

  record Document(int batch, int n) implements Item {
  }

  /** class BatchDone(int): pass  -- a marker for the completion of an indexing batch */
  record BatchDone(int batch, int docCount) implements Item {
  }

  record Indexed(int batch, int n, String worker) implements Item {
  }

  /** The indexing function, run in a worker: serializable, as parallel-queue's had to be picklable. */
  static Item index(Item item) throws InterruptedException {
    Document d = (Document) item;
    if (d.n() % 4 == 0) {
      Thread.sleep(3); // a slow document
    }
    return new Indexed(d.batch(), d.n(), Thread.currentThread().getName());
  }

  private static List<Item> producer(int batches, int perBatch) {
    List<Item> items = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      for (int n = 0; n < perBatch; n++) {
        items.add(new Document(b, n));                   // queue.put(indexing_func, document)
      }
      items.add(new BatchDone(b, perBatch));             // queue.put(BatchDone(doc_count))
    }
    return items;
  }

  @Test
  void batchDoneMarkers_passThroughInOrder_afterTheirBatchesDocuments(Vertx vertx, VertxTestContext tc) {
    TaskQueue workers = PipelineFixtures.serializingQueue(vertx, 3); // stands in for worker processes
    List<String> progress = new ArrayList<>();
    Set<String> workerNames = ConcurrentHashMap.newKeySet();
    List<Item> in = producer(5, 8);
    Pipeline.from(vertx, in)
        .map(ParallelQueueExamplesTest::index,
            stage().on(workers).bypass(BatchDone.class::isInstance))  // markers skip the workers
        .ordered()
        .forEach(resultOrBatchDone -> {                                // consumer
          if (resultOrBatchDone instanceof BatchDone) {
            BatchDone done = (BatchDone) resultOrBatchDone;
            progress.add("batch " + done.batch() + " done: " + done.docCount());   // log_progress
          } else {
            Indexed r = (Indexed) resultOrBatchDone;
            workerNames.add(r.worker());
            progress.add(r.batch() + "/" + r.n());
          }
        })
        .compose(v -> workers.shutdown())
        .onComplete(tc.succeeding(v -> tc.verify(() -> {
          List<String> expected = new ArrayList<>();
          for (int b = 0; b < 5; b++) {
            for (int n = 0; n < 8; n++) {
              expected.add(b + "/" + n);
            }
            expected.add("batch " + b + " done: 8");
          }
          assertThat(progress).isEqualTo(expected);
          assertThat(workerNames).hasSizeGreaterThan(1).allMatch(n -> n.startsWith("serializing-worker-"));
          tc.completeNow();
        })));
  }

  @Test
  void aSlowDocument_holdsUpOnlyTheOutput_theNextBatchKeepsRunning(Vertx vertx, VertxTestContext tc) {
    // the advantage over "wait for each batch": batch 1 starts while batch 0's slow document still runs
    CountDownLatch nextBatchRan = new CountDownLatch(2);
    List<Item> in = producer(2, 4);
    Pipeline.from(vertx, in)
        .map(item -> {
          Document d = (Document) item;
          if (d.batch() == 0 && d.n() == 0) {
            PipelineFixtures.await(nextBatchRan);   // finishes only after two of batch 1 have run
          } else if (d.batch() == 1) {
            nextBatchRan.countDown();
          }
          return (Item) new Indexed(d.batch(), d.n(), "t");
        }, stage().threads(3).bypass(BatchDone.class::isInstance))
        .ordered()
        .collect()
        .onComplete(tc.succeeding(out -> tc.verify(() -> {
          assertThat(out).hasSize(10);
          assertThat(out.get(0)).isEqualTo(new Indexed(0, 0, "t"));
          assertThat(out.get(4)).isEqualTo(new BatchDone(0, 4));
          assertThat(out.get(9)).isEqualTo(new BatchDone(1, 4));
          tc.completeNow();
        })));
  }

  @Test
  void outOfOrderBuffer_isBounded_aSlowHeadStopsIntakeAtTheWindow(Vertx vertx, VertxTestContext tc) {
    // "it only holds up the pipeline as a whole if the internal buffers fill up"
    int window = 12;
    AtomicLong read = new AtomicLong();
    AtomicLong delivered = new AtomicLong();
    AtomicReference<String> violation = new AtomicReference<>();
    CountDownLatch windowFull = new CountDownLatch(1);
    PipelineFixtures.Counter endless = PipelineFixtures.Counter.endless();
    java.util.Iterator<Long> watched = new java.util.Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Long next() {
        long r = read.incrementAndGet();
        if (r - delivered.get() > window) {
          violation.compareAndSet(null, "read " + r + " with " + delivered.get() + " delivered");
        }
        if (r == window) {
          windowFull.countDown(); // the window is full: now let the head finish
        }
        return endless.next();
      }
    };
    List<Long> out = Collections.synchronizedList(new ArrayList<>());
    Pipeline<Long> p = Pipeline.from(vertx, watched)
        .map(x -> {
          if (x == 0) {
            PipelineFixtures.await(windowFull);
          }
          return x;
        }, stage().threads(4))
        .ordered(window);
    p.forEach(x -> {
      delivered.incrementAndGet();
      out.add(x);
      if (x == 200) {
        p.cancel();
      }
    }).onComplete(tc.failing(e -> tc.verify(() -> {
      assertThat(e).isInstanceOf(java.util.concurrent.CancellationException.class);
      assertThat(violation.get()).isNull();
      for (int i = 0; i <= 200; i++) {
        assertThat(out.get(i)).isEqualTo((long) i);
      }
      tc.completeNow();
    })));
  }
}
